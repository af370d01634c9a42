package snapshot

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/containerd/errdefs"
)

const (
	infoFile  = "info.json"
	tmpPrefix = "tmp-"
)

// store is the bookkeeping both snapshotters share: one directory per
// snapshot under <root>/snapshots, named by a short number (so that overlay
// options stay short) and holding an info file; an index by key in memory,
// rebuilt from the directories on open.
type store struct {
	dir string

	mu     sync.Mutex
	byKey  map[string]*record
	nextID int
}

type record struct {
	Info
	id string
}

func openStore(root string) (*store, error) {
	dir := filepath.Join(root, "snapshots")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("snapshot root: %w", err)
	}
	s := &store{dir: dir, byKey: map[string]*record{}, nextID: 1}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("snapshot root: %w", err)
	}
	for _, e := range entries {
		n, err := strconv.Atoi(e.Name())
		if err != nil || !e.IsDir() {
			// A scratch directory of an unpack, prepare or removal that
			// did not finish: nothing refers to it.
			if strings.HasPrefix(e.Name(), tmpPrefix) {
				os.RemoveAll(filepath.Join(dir, e.Name()))
			}
			continue
		}
		s.nextID = max(s.nextID, n+1)
		b, err := os.ReadFile(filepath.Join(dir, e.Name(), infoFile))
		var info Info
		if err == nil {
			err = json.Unmarshal(b, &info)
		}
		if err != nil || info.Key == "" {
			slog.Warn("removing snapshot directory without valid info", "dir", e.Name(), "error", err)
			os.RemoveAll(filepath.Join(dir, e.Name()))
			continue
		}
		s.byKey[info.Key] = &record{Info: info, id: e.Name()}
	}
	return s, nil
}

func (s *store) path(r *record, elem ...string) string {
	return filepath.Join(append([]string{s.dir, r.id}, elem...)...)
}

func (s *store) get(key string) (*record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.byKey[key]
	if !ok {
		return nil, fmt.Errorf("snapshot %q: %w", key, errdefs.ErrNotFound)
	}
	return r, nil
}

// chain returns r and its ancestors, r first.
func (s *store) chain(r *record) ([]*record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []*record{r}
	for r.Parent != "" {
		p, ok := s.byKey[r.Parent]
		if !ok {
			return nil, fmt.Errorf("parent %q of snapshot %q: %w", r.Parent, r.Key, errdefs.ErrNotFound)
		}
		out, r = append(out, p), p
	}
	return out, nil
}

// scratch makes a directory that becomes a snapshot through commit, or
// disappears (on failure here, or at the next open after a crash).
func (s *store) scratch() (string, error) {
	tmp, err := os.MkdirTemp(s.dir, tmpPrefix)
	if err != nil {
		return "", fmt.Errorf("snapshot scratch dir: %w", err)
	}
	if err := os.Mkdir(filepath.Join(tmp, "fs"), 0o755); err != nil {
		os.RemoveAll(tmp)
		return "", err
	}
	return tmp, nil
}

// commit makes scratch directory tmp the snapshot info, atomically. If the
// key appeared meanwhile, tmp is dropped: ErrAlreadyExists.
func (s *store) commit(tmp string, info Info) error {
	info.Created = time.Now().UTC()
	b, _ := json.Marshal(info)
	if err := writeFileSync(filepath.Join(tmp, infoFile), b); err != nil {
		os.RemoveAll(tmp)
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.byKey[info.Key]; ok {
		os.RemoveAll(tmp)
		return fmt.Errorf("snapshot %q: %w", info.Key, errdefs.ErrAlreadyExists)
	}
	if info.Parent != "" {
		if _, ok := s.byKey[info.Parent]; !ok {
			os.RemoveAll(tmp)
			return fmt.Errorf("parent snapshot %q: %w", info.Parent, errdefs.ErrNotFound)
		}
	}
	id := strconv.Itoa(s.nextID)
	if err := os.Rename(tmp, filepath.Join(s.dir, id)); err != nil {
		os.RemoveAll(tmp)
		return fmt.Errorf("commit snapshot %q: %w", info.Key, err)
	}
	s.nextID++
	s.byKey[info.Key] = &record{Info: info, id: id}
	return nil
}

func writeFileSync(name string, b []byte) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Stat implements Snapshotter.
func (s *store) Stat(ctx context.Context, key string) (Info, error) {
	r, err := s.get(key)
	if err != nil {
		return Info{}, err
	}
	return r.Info, nil
}

// Walk implements Snapshotter.
func (s *store) Walk(ctx context.Context, fn func(Info) error) error {
	s.mu.Lock()
	infos := make([]Info, 0, len(s.byKey))
	for _, r := range s.byKey {
		infos = append(infos, r.Info)
	}
	s.mu.Unlock()
	for _, info := range infos {
		if err := fn(info); err != nil {
			return err
		}
	}
	return nil
}

// Remove implements Snapshotter. The directory is renamed away first, so a
// crash during the deletion leaves nothing that looks like a snapshot.
func (s *store) Remove(ctx context.Context, key string) error {
	s.mu.Lock()
	r, ok := s.byKey[key]
	if !ok {
		s.mu.Unlock()
		return fmt.Errorf("snapshot %q: %w", key, errdefs.ErrNotFound)
	}
	for _, o := range s.byKey {
		if o.Parent == key {
			s.mu.Unlock()
			return fmt.Errorf("snapshot %q is the parent of %q: %w", key, o.Key, errdefs.ErrFailedPrecondition)
		}
	}
	gone := filepath.Join(s.dir, tmpPrefix+"rm-"+r.id)
	if err := os.Rename(s.path(r), gone); err != nil {
		s.mu.Unlock()
		return fmt.Errorf("remove snapshot %q: %w", key, err)
	}
	delete(s.byKey, key)
	s.mu.Unlock()
	if err := os.RemoveAll(gone); err != nil {
		return fmt.Errorf("remove snapshot %q: %w", key, err)
	}
	return nil
}

// Usage implements Snapshotter.
func (s *store) Usage(ctx context.Context, key string) (Usage, error) {
	r, err := s.get(key)
	if err != nil {
		return Usage{}, err
	}
	return diskUsage(ctx, s.path(r, "fs"))
}
