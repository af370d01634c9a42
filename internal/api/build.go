package api

// BuildService is what the build routes need from the daemon's builder.
// Until the builder lands it is empty and no route is registered.
type BuildService interface{}

// registerBuildRoutes adds the build routes. A nil service registers none.
func (s *Server) registerBuildRoutes() {}
