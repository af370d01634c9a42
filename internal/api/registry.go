package api

// RegistryService is what the registry routes need from the daemon's registry service.
// Until the registry service lands it is empty and no route is registered.
type RegistryService interface{}

// registerRegistryRoutes adds the registry routes. A nil service registers none.
func (s *Server) registerRegistryRoutes() {}
