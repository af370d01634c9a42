package volume

import (
	"context"
	"fmt"
	"io/fs"
	"path/filepath"
)

// PruneOptions select what Prune removes.
type PruneOptions struct {
	// All removes unused named volumes too; without it only anonymous ones
	// go, as `docker volume prune` does since API 1.42.
	All bool
	// Match, when set, must accept a volume for it to be removed (filters).
	Match func(Volume) bool
}

// Prune removes the unused volumes o selects and returns their names and
// the bytes their data took.
func (s *Service) Prune(ctx context.Context, o PruneOptions) ([]string, uint64, error) {
	vs, err := s.List(ctx)
	if err != nil {
		return nil, 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var names []string
	var reclaimed uint64
	for _, v := range vs {
		if (!o.All && !v.Anonymous) || (o.Match != nil && !o.Match(v)) || len(s.users(v.Name)) > 0 {
			continue
		}
		size, _ := s.size(ctx, v.Name)
		if err := s.remove(ctx, v.Name); err != nil {
			return names, reclaimed, fmt.Errorf("prune: %w", err)
		}
		names = append(names, v.Name)
		reclaimed += uint64(size)
	}
	return names, reclaimed, nil
}

// Size is the disk use of a volume's data.
func (s *Service) Size(ctx context.Context, name string) (int64, error) { return s.size(ctx, name) }

func (s *Service) size(ctx context.Context, name string) (int64, error) {
	var size int64
	err := filepath.WalkDir(s.Path(name), func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				size += fi.Size()
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("size of volume %s: %w", name, err)
	}
	return size, nil
}
