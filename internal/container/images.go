package container

import "github.com/berthproject/berth/internal/image"

// ImageUsers is the containers that use image id ("sha256:…"), for the
// image service's remove and prune (image.Service.SetUsers). It only
// reads the in-memory records, never calls the image service back.
func (s *Service) ImageUsers(id string) []image.User {
	var out []image.User
	for _, c := range s.records() {
		if c.ImageID == id {
			out = append(out, image.User{ContainerID: c.ID, Running: c.State.running()})
		}
	}
	return out
}
