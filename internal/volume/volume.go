// Package volume keeps berth's named and anonymous volumes: one directory
// per volume under <root>/volumes/<name>/_data, a record per volume in the
// metadata store, and the in-use rule that keeps a volume a container
// mounts from being removed.
//
// Lifecycle: Create (idempotent for an existing name, as Docker's) → the
// container service mounts Path(name), calling CopyUp first so that an
// empty volume starts with the image's content at its mount point →
// Remove or Prune once no container uses it. Who uses a volume is the
// container service's knowledge; it tells this service through SetUsers.
package volume

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"time"

	"github.com/berthproject/berth/internal/store"
	"github.com/containerd/errdefs"
)

// Driver is the only volume driver berth has: a directory on the host.
const Driver = "local"

// validName is Docker's rule for volume names.
var validName = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]+$`)

// Volume is one volume's record.
type Volume struct {
	Name      string            `json:"name"`
	Labels    map[string]string `json:"labels,omitempty"`
	Options   map[string]string `json:"options,omitempty"`
	CreatedAt time.Time         `json:"createdAt"`
	// Anonymous volumes are made for a container's unnamed -v /path (or an
	// image VOLUME); `docker volume prune` without --all removes only them.
	Anonymous bool `json:"anonymous,omitempty"`
}

// Users reports the IDs of the containers that use volume name.
type Users func(name string) []string

// Service manages volumes. Its methods are safe for concurrent use.
type Service struct {
	db   *store.DB
	root string // <root>/volumes

	mu    sync.Mutex // serialises create/remove against in-use checks
	users Users
}

// New returns the volume service storing volume data under dir.
func New(db *store.DB, dir string) (*Service, error) {
	if err := os.MkdirAll(dir, 0o701); err != nil {
		return nil, fmt.Errorf("create volumes dir: %w", err)
	}
	return &Service{db: db, root: dir, users: func(string) []string { return nil }}, nil
}

// SetUsers installs the in-use oracle (the container service).
func (s *Service) SetUsers(u Users) {
	s.mu.Lock()
	s.users = u
	s.mu.Unlock()
}

// Path is the host directory mounted for volume name.
func (s *Service) Path(name string) string { return filepath.Join(s.root, name, "_data") }

// CreateOptions describe a new volume.
type CreateOptions struct {
	Name      string // "" makes an anonymous volume with a random name
	Driver    string // "" or "local"
	Labels    map[string]string
	Options   map[string]string
	Anonymous bool
}

// Create makes a volume, or returns the existing one of that name.
func (s *Service) Create(ctx context.Context, o CreateOptions) (Volume, error) {
	if o.Driver != "" && o.Driver != Driver {
		return Volume{}, fmt.Errorf("volume driver %q: only %q is supported: %w", o.Driver, Driver, errdefs.ErrInvalidArgument)
	}
	if len(o.Options) > 0 {
		return Volume{}, fmt.Errorf("volume options %v: the local driver takes none in berth: %w", o.Options, errdefs.ErrInvalidArgument)
	}
	if o.Name == "" {
		var b [32]byte
		_, _ = rand.Read(b[:])
		o.Name, o.Anonymous = hex.EncodeToString(b[:]), true
	}
	if !validName.MatchString(o.Name) {
		return Volume{}, fmt.Errorf("volume name %q includes invalid characters for a local volume name, only %q are allowed: %w",
			o.Name, "[a-zA-Z0-9][a-zA-Z0-9_.-]", errdefs.ErrInvalidArgument)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if v, err := s.Get(ctx, o.Name); err == nil {
		return v, nil
	}
	v := Volume{Name: o.Name, Labels: o.Labels, Options: o.Options, CreatedAt: time.Now().UTC(), Anonymous: o.Anonymous}
	if err := os.MkdirAll(s.Path(v.Name), 0o755); err != nil {
		return Volume{}, fmt.Errorf("create volume %s: %w", v.Name, err)
	}
	err := s.db.Update(ctx, func(tx *store.Tx) error { return store.Put(tx, store.Volumes, v.Name, v) })
	if err != nil {
		_ = os.RemoveAll(filepath.Join(s.root, v.Name))
		return Volume{}, fmt.Errorf("record volume %s: %w", v.Name, err)
	}
	return v, nil
}

// Get returns volume name, or errdefs.ErrNotFound.
func (s *Service) Get(ctx context.Context, name string) (Volume, error) {
	var v Volume
	err := s.db.View(ctx, func(tx *store.Tx) error {
		var err error
		v, err = store.Get[Volume](tx, store.Volumes, name)
		return err
	})
	if errdefs.IsNotFound(err) {
		return v, fmt.Errorf("get %s: no such volume: %w", name, errdefs.ErrNotFound)
	}
	return v, err
}

// List returns every volume.
func (s *Service) List(ctx context.Context) ([]Volume, error) {
	var vs []Volume
	err := s.db.View(ctx, func(tx *store.Tx) error {
		var err error
		vs, err = store.List[Volume](tx, store.Volumes)
		return err
	})
	return vs, err
}

// InUse returns the containers using volume name.
func (s *Service) InUse(name string) []string {
	s.mu.Lock()
	u := s.users
	s.mu.Unlock()
	return u(name)
}

// Remove deletes volume name and its data. A volume in use is refused
// (errdefs.ErrConflict) unless force; force never removes one in use by a
// running container either — the caller decides what "in use" means.
func (s *Service) Remove(ctx context.Context, name string, force bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.Get(ctx, name); err != nil {
		if force && errdefs.IsNotFound(err) {
			return nil
		}
		return err
	}
	if users := s.users(name); len(users) > 0 {
		return fmt.Errorf("remove %s: volume is in use - %v: %w", name, users, errdefs.ErrConflict)
	}
	return s.remove(ctx, name)
}

func (s *Service) remove(ctx context.Context, name string) error {
	err := s.db.Update(ctx, func(tx *store.Tx) error { return tx.Delete(store.Volumes, name) })
	if err != nil {
		return fmt.Errorf("remove volume %s: %w", name, err)
	}
	if err := os.RemoveAll(filepath.Join(s.root, name)); err != nil {
		return fmt.Errorf("remove volume %s data: %w", name, err)
	}
	return nil
}
