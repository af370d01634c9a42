package api

// VolumeService is what the volume routes need from the daemon's volume service.
// Until the volume service lands it is empty and no route is registered.
type VolumeService interface{}

// registerVolumeRoutes adds the volume routes. A nil service registers none.
func (s *Server) registerVolumeRoutes() {}
