package image

import (
	"time"

	"github.com/moby/moby/api/types/events"
)

// SetEvents gives the service where to publish Docker's image events
// (pull, push, tag, untag, delete, import, load, save): the daemon's
// events bus, which the container service keeps. Set once, before serving.
func (s *Service) SetEvents(publish func(events.Message)) {
	s.hooks.Lock()
	defer s.hooks.Unlock()
	s.publish = publish
}

// emit publishes an image event as Docker's: the actor is an image ID or
// a reference, and "name" what Docker names there.
func (s *Service) emit(action events.Action, id, name string) {
	s.hooks.RLock()
	publish := s.publish
	s.hooks.RUnlock()
	if publish == nil {
		return
	}
	t := time.Now()
	publish(events.Message{
		Type: events.ImageEventType, Action: action, Scope: "local",
		Actor: events.Actor{ID: id, Attributes: map[string]string{"name": name}},
		Time:  t.Unix(), TimeNano: t.UnixNano(),
	})
}
