package api

// NetworkService is what the network routes need from the daemon's network service.
// Until the network service lands it is empty and no route is registered.
type NetworkService interface{}

// registerNetworkRoutes adds the network routes. A nil service registers none.
func (s *Server) registerNetworkRoutes() {}
