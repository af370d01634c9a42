package image

import (
	"fmt"

	"github.com/containerd/errdefs"
	"github.com/opencontainers/go-digest"
)

// User is a container that uses an image: it keeps the image from being
// removed (a running one even against force) and from being pruned.
type User struct {
	ContainerID string
	Running     bool
}

// SetUsers gives the service the question "which containers use image
// ID?" (a config digest, "sha256:…"), answered by the container service.
// The daemon sets it once, before serving; f must not call the image
// service back.
func (s *Service) SetUsers(f func(imageID string) []User) {
	s.hooks.Lock()
	defer s.hooks.Unlock()
	s.users = f
}

// usersOf is the containers that use image id, none without a hook.
func (s *Service) usersOf(id digest.Digest) []User {
	s.hooks.RLock()
	f := s.users
	s.hooks.RUnlock()
	if f == nil {
		return nil
	}
	return f(id.String())
}

// firstUser picks the user that matters most: a running one first.
func firstUser(users []User) (User, bool) {
	for _, u := range users {
		if u.Running {
			return u, true
		}
	}
	if len(users) > 0 {
		return users[0], true
	}
	return User{}, false
}

// deleteConflict is Docker's refusal to delete an image that containers
// use: hard (cannot be forced) when one of them runs.
func deleteConflict(id digest.Digest, u User) error {
	if u.Running {
		return errdefs.ErrConflict.WithMessage(fmt.Sprintf(
			"conflict: unable to delete %s (cannot be forced) - image is being used by running container %s", shortID(id), shortContainer(u.ContainerID)))
	}
	return errdefs.ErrConflict.WithMessage(fmt.Sprintf(
		"conflict: unable to delete %s (must be forced) - image is being used by stopped container %s", shortID(id), shortContainer(u.ContainerID)))
}

func shortContainer(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}
