package api

// ContainerService is what the container routes need from the daemon's container service.
// Until the container service lands it is empty and no route is registered.
type ContainerService interface{}

// registerContainerRoutes adds the container routes. A nil service registers none.
func (s *Server) registerContainerRoutes() {}
