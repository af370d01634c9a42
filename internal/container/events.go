package container

import (
	"context"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/berthproject/berth/internal/labelfilter"
	"github.com/moby/moby/api/types/events"
)

// eventHistory is how many past events `events --since` can replay.
const eventHistory = 1024

// broker keeps recent events and fans new ones out to subscribers.
type broker struct {
	mu   sync.Mutex
	past []events.Message
	subs map[chan events.Message]struct{}
}

func newBroker() *broker { return &broker{subs: map[chan events.Message]struct{}{}} }

func (b *broker) publish(m events.Message) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.past = append(b.past, m)
	if len(b.past) > eventHistory {
		b.past = b.past[len(b.past)-eventHistory:]
	}
	for ch := range b.subs {
		select {
		case ch <- m:
		default: // a subscriber that does not read loses events, never blocks others
		}
	}
}

// emit publishes a container event with Docker's attributes.
func (s *Service) emit(c Container, action string, attrs map[string]string) {
	a := map[string]string{"name": c.Name, "image": c.Image}
	if c.Config != nil {
		maps.Copy(a, c.Config.Labels)
	}
	maps.Copy(a, attrs)
	t := time.Now()
	s.events.publish(events.Message{
		Type: events.ContainerEventType, Action: events.Action(action), Scope: "local",
		Actor: events.Actor{ID: c.ID, Attributes: a}, Time: t.Unix(), TimeNano: t.UnixNano(),
	})
}

// Publish puts another service's event (the image service's) on the
// daemon's events bus, which this service keeps.
func (s *Service) Publish(m events.Message) { s.events.publish(m) }

// Events sends the events matching filters (type, container, event,
// image, label) from since (zero: only new ones) until until (zero:
// until ctx ends) to fn.
func (s *Service) Events(ctx context.Context, since, until time.Time, filters map[string][]string, fn func(events.Message) error) error {
	match := func(m events.Message) bool {
		if v := filters["type"]; len(v) > 0 && !slices.Contains(v, string(m.Type)) {
			return false
		}
		if v := filters["event"]; len(v) > 0 && !slices.ContainsFunc(v, func(e string) bool {
			return e == string(m.Action) || strings.HasPrefix(string(m.Action), e+":")
		}) {
			return false
		}
		if v := filters["container"]; len(v) > 0 && !slices.ContainsFunc(v, func(c string) bool {
			return c == m.Actor.Attributes["name"] || strings.HasPrefix(m.Actor.ID, c)
		}) {
			return false
		}
		if v := filters["image"]; len(v) > 0 && !slices.ContainsFunc(v, func(img string) bool { return matchImage(m, img) }) {
			return false
		}
		return labelfilter.Match(filters["label"], m.Actor.Attributes)
	}
	inWindow := func(m events.Message) bool {
		return (since.IsZero() || m.TimeNano >= since.UnixNano()) && (until.IsZero() || m.TimeNano <= until.UnixNano())
	}
	ch := make(chan events.Message, 256)
	b := s.events
	b.mu.Lock()
	past := slices.Clone(b.past)
	if until.IsZero() || until.After(time.Now()) {
		b.subs[ch] = struct{}{}
	}
	b.mu.Unlock()
	defer func() {
		b.mu.Lock()
		delete(b.subs, ch)
		b.mu.Unlock()
	}()
	if !since.IsZero() {
		for _, m := range past {
			if inWindow(m) && match(m) {
				if err := fn(m); err != nil {
					return err
				}
			}
		}
	}
	if !until.IsZero() && !until.After(time.Now()) {
		return nil
	}
	var stop <-chan time.Time
	if !until.IsZero() {
		t := time.NewTimer(time.Until(until))
		defer t.Stop()
		stop = t.C
	}
	for {
		select {
		case m := <-ch:
			if inWindow(m) && match(m) {
				if err := fn(m); err != nil {
					return err
				}
			}
		case <-stop:
			return nil
		case <-ctx.Done():
			return nil
		}
	}
}

// matchImage is Docker's image filter of events: the image a container
// runs, or an image event's actor or name, with or without its tag.
func matchImage(m events.Message, img string) bool {
	name := m.Actor.Attributes["image"]
	if m.Type == events.ImageEventType {
		name = m.Actor.Attributes["name"]
	}
	for _, s := range []string{m.Actor.ID, name} {
		if s != "" && (s == img || stripTag(s) == img) {
			return true
		}
	}
	return false
}

// stripTag drops a reference's ":tag" (not a registry's port).
func stripTag(ref string) string {
	if strings.HasPrefix(ref, "sha256:") {
		return ref
	}
	if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") && !strings.Contains(ref, "@") {
		return ref[:i]
	}
	return ref
}
