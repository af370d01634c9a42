package snapshot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/containerd/errdefs"
)

// New opens the snapshotter for root: overlay where the kernel and the
// filesystem of root allow it, else the copy fallback.
func New(ctx context.Context, root string) (Snapshotter, error) {
	o, err := NewOverlay(ctx, root)
	if err == nil {
		return o, nil
	}
	if !errdefs.IsNotImplemented(err) {
		return nil, err
	}
	slog.WarnContext(ctx, "overlayfs unavailable, using the copy snapshotter (slower, uses more disk)", "reason", err)
	return NewCopy(ctx, root)
}

// checkNew refuses a Prepare whose key is taken or whose parent is not a
// committed snapshot, before any work is done.
func (s *store) checkNew(key, parent string) error {
	if key == "" {
		return fmt.Errorf("snapshot key is empty: %w", errdefs.ErrInvalidArgument)
	}
	if _, err := s.get(key); err == nil {
		return fmt.Errorf("snapshot %q: %w", key, errdefs.ErrAlreadyExists)
	}
	if parent == "" {
		return nil
	}
	p, err := s.get(parent)
	if err != nil {
		return err
	}
	if p.Kind != KindCommitted {
		return fmt.Errorf("parent %q is not a committed snapshot: %w", parent, errdefs.ErrInvalidArgument)
	}
	return nil
}

func (s *store) activeRecord(key string) (*record, error) {
	r, err := s.get(key)
	if err != nil {
		return nil, err
	}
	if r.Kind != KindActive {
		return nil, fmt.Errorf("snapshot %q is not active: %w", key, errdefs.ErrInvalidArgument)
	}
	return r, nil
}

func isAlreadyExists(err error) bool { return errors.Is(err, errdefs.ErrAlreadyExists) }
