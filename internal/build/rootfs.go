package build

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"

	"github.com/berthproject/berth/internal/image"
	"github.com/berthproject/berth/internal/snapshot"
	"github.com/moby/sys/mountinfo"
	"golang.org/x/sys/unix"
)

// activePrefix names the builder's writable snapshots, so that those of
// builds killed with the daemon can be found and removed.
const activePrefix = "build-"

// emptyTarSize is the size of a layer tar with no entry (the two zero
// blocks that end a tar): a step that changed nothing makes no layer.
const emptyTarSize = 1024

func randomID() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// unpack makes the layers committed snapshots and returns the top one's
// key ("" for no layer).
func (r *buildRun) unpack(ctx context.Context, layers []image.BuiltLayer) (string, error) {
	if len(layers) == 0 {
		return "", nil
	}
	sl := make([]snapshot.Layer, len(layers))
	for i, l := range layers {
		sl[i] = snapshot.Layer{Blob: l.Desc.Digest, DiffID: l.DiffID}
	}
	top, err := r.b.cfg.Snapshots.Unpack(ctx, sl, r.sess)
	if err != nil {
		return "", fmt.Errorf("unpack layers: %w", err)
	}
	return top.String(), nil
}

// withRW runs fn on a writable root filesystem over layers, then turns
// what fn changed into a layer (nil when nothing changed). The mount and
// the writable snapshot are gone when it returns.
func (r *buildRun) withRW(ctx context.Context, layers []image.BuiltLayer, fn func(rootfs string) error) (*image.BuiltLayer, error) {
	parent, err := r.unpack(ctx, layers)
	if err != nil {
		return nil, err
	}
	key := activePrefix + randomID()
	sn := r.b.cfg.Snapshots
	mounts, err := sn.Prepare(ctx, key, parent)
	if err != nil {
		return nil, fmt.Errorf("prepare writable layer: %w", err)
	}
	cleanCtx := context.WithoutCancel(ctx)
	defer func() {
		if err := sn.Remove(cleanCtx, key); err != nil {
			slog.WarnContext(ctx, "builder: remove writable layer", "key", key, "error", err)
		}
	}()
	rootfs, err := os.MkdirTemp(r.scratch, "rootfs-")
	if err != nil {
		return nil, err
	}
	defer os.Remove(rootfs)
	if err := snapshot.MountAll(ctx, mounts, rootfs); err != nil {
		return nil, err
	}
	ferr := fn(rootfs)
	unmountUnder(cleanCtx, rootfs)
	if err := snapshot.Unmount(cleanCtx, rootfs); err != nil {
		return nil, err
	}
	if ferr != nil {
		return nil, ferr
	}
	l, err := r.sess.WriteLayer(ctx, func(w io.Writer) error { return sn.Diff(ctx, key, w) })
	if err != nil {
		return nil, err
	}
	if l.Size <= emptyTarSize {
		return nil, nil
	}
	return &l, nil
}

// withRO runs fn on a read-only view of layers (COPY --from).
func (r *buildRun) withRO(ctx context.Context, layers []image.BuiltLayer, fn func(root string) error) error {
	dir, err := os.MkdirTemp(r.scratch, "from-")
	if err != nil {
		return err
	}
	defer os.Remove(dir)
	top, err := r.unpack(ctx, layers)
	if err != nil || top == "" {
		if err != nil {
			return err
		}
		return fn(dir)
	}
	mounts, err := r.b.cfg.Snapshots.Mounts(ctx, top)
	if err != nil {
		return err
	}
	if err := snapshot.MountAll(ctx, mounts, dir); err != nil {
		return err
	}
	defer snapshot.Unmount(context.WithoutCancel(ctx), dir)
	return fn(dir)
}

// unmountUnder detaches every mount strictly below dir, deepest first.
func unmountUnder(ctx context.Context, dir string) {
	mounts, err := mountinfo.GetMounts(mountinfo.PrefixFilter(dir))
	if err != nil {
		return
	}
	sort.Slice(mounts, func(i, j int) bool { return len(mounts[i].Mountpoint) > len(mounts[j].Mountpoint) })
	for _, m := range mounts {
		if m.Mountpoint == filepath.Clean(dir) {
			continue
		}
		if err := unix.Unmount(m.Mountpoint, unix.MNT_DETACH); err != nil {
			slog.WarnContext(ctx, "builder: unmount", "path", m.Mountpoint, "error", err)
		}
	}
}
