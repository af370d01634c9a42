package container

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/berthproject/berth/internal/image"
	"github.com/berthproject/berth/internal/snapshot"
	"github.com/berthproject/berth/internal/store"
	"github.com/berthproject/berth/internal/volume"
	"github.com/containerd/errdefs"
)

// Images is what the service needs from the image service.
type Images interface {
	Get(ctx context.Context, name string) (*image.Image, error)
}

// Config wires the service.
type Config struct {
	Root      string // <root>/containers
	DB        *store.DB
	Images    Images
	Blobs     snapshot.BlobOpener
	Snapshots snapshot.Snapshotter
	Volumes   *volume.Service
	Monitor   Monitor
	// Networks, when set, gives containers on bridge networks their
	// endpoints; without it default/bridge mean a private loopback-only
	// namespace.
	Networks Networks
	// InitBinary is the host path of berth's init for --init ("" = none).
	InitBinary string
	Logger     *slog.Logger
}

// Service is the container service. Its methods are safe for concurrent use.
type Service struct {
	cfg Config
	// bg is the service's own context, for work that outlives a request
	// (exit watchers, restarts); cancelled by Close.
	bg     context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu    sync.Mutex
	byID  map[string]*entry
	names map[string]string // name → ID
	execs map[string]*execEntry

	events *broker
}

// entry is the in-memory side of one container.
type entry struct {
	// op serialises the lifecycle operations of this container.
	op sync.Mutex
	c  Container // guarded by Service.mu
	// changed is closed (and replaced) at every state change, for waiters.
	changed chan struct{}
	// exits counts the process exits seen, for wait next-exit.
	exits   int
	removed bool
	// pending are attach requests waiting for the next start.
	pending []*pendingAttach
	// backoff is the last restart delay.
	backoff time.Duration
	// restartCancel stops a scheduled restart.
	restartCancel context.CancelFunc
}

// New opens the service: loads the records and reconciles them with the
// monitor (live restore).
func New(ctx context.Context, cfg Config) (*Service, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if err := os.MkdirAll(cfg.Root, 0o710); err != nil {
		return nil, fmt.Errorf("container root: %w", err)
	}
	bg, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s := &Service{cfg: cfg, bg: bg, cancel: cancel, byID: map[string]*entry{}, names: map[string]string{}, execs: map[string]*execEntry{}, events: newBroker()}
	if cfg.Volumes != nil {
		cfg.Volumes.SetUsers(s.volumeUsers)
	}
	if err := s.restore(ctx); err != nil {
		cancel()
		return nil, err
	}
	return s, nil
}

// Close stops the service's background work; containers keep running.
func (s *Service) Close() error {
	s.cancel()
	s.wg.Wait()
	return nil
}

func (s *Service) bundle(id string) string { return filepath.Join(s.cfg.Root, id) }
func (s *Service) rootfs(id string) string { return filepath.Join(s.cfg.Root, id, "rootfs") }

// lookup resolves a name, full ID or unique ID prefix.
func (s *Service) lookup(ref string) (*entry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lookupLocked(ref)
}

func (s *Service) lookupLocked(ref string) (*entry, error) {
	if ref == "" {
		return nil, fmt.Errorf("no container name or ID given: %w", errdefs.ErrInvalidArgument)
	}
	if len(ref) > 0 && ref[0] == '/' {
		ref = ref[1:]
	}
	if e, ok := s.byID[ref]; ok {
		return e, nil
	}
	if id, ok := s.names[ref]; ok {
		return s.byID[id], nil
	}
	var found *entry
	for id, e := range s.byID {
		if len(id) >= len(ref) && id[:len(ref)] == ref {
			if found != nil {
				return nil, fmt.Errorf("multiple containers found with provided prefix: %s: %w", ref, errdefs.ErrInvalidArgument)
			}
			found = e
		}
	}
	if found == nil {
		return nil, errdefs.ErrNotFound.WithMessage(fmt.Sprintf("No such container: %s", ref))
	}
	return found, nil
}

// snapshot returns a copy of the record of e.
func (s *Service) record(e *entry) Container {
	s.mu.Lock()
	defer s.mu.Unlock()
	return e.c
}

// update changes e's record under the lock, persists it and wakes waiters.
func (s *Service) update(ctx context.Context, e *entry, fn func(c *Container)) error {
	s.mu.Lock()
	fn(&e.c)
	c := e.c
	close(e.changed)
	e.changed = make(chan struct{})
	s.mu.Unlock()
	return s.persist(ctx, c)
}

func (s *Service) persist(ctx context.Context, c Container) error {
	err := s.cfg.DB.Update(context.WithoutCancel(ctx), func(tx *store.Tx) error {
		return store.Put(tx, store.Containers, c.ID, c)
	})
	if err != nil {
		return fmt.Errorf("record container %s: %w", c.ID[:12], err)
	}
	return nil
}

// volumeUsers is the volume service's in-use oracle.
func (s *Service) volumeUsers(name string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []string
	for id, e := range s.byID {
		for _, m := range e.c.Mounts {
			if m.Name == name {
				ids = append(ids, id)
				break
			}
		}
	}
	return ids
}
