package api

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/berthproject/berth/internal/image"
	"github.com/containerd/errdefs"
	imagetypes "github.com/moby/moby/api/types/image"
)

// fakeImages is an in-memory image service for handler tests: it records
// what the handlers asked for and resolves names by exact ref or ID.
type fakeImages struct {
	ids  []string
	tags map[string]string // ref → id

	lastList   image.ListOptions
	lastImport image.ImportOptions
	importBody string
	lastPrune  struct {
		all     bool
		filters map[string][]string
	}
	lastFormat image.SaveFormat
	lastRemove struct{ force, noPrune bool }
	loadResult []string
}

func newFakeImages() *fakeImages { return &fakeImages{tags: map[string]string{}} }

func (f *fakeImages) addImage(id string, refs ...string) {
	f.ids = append(f.ids, id)
	for _, r := range refs {
		f.tags[r] = id
	}
}

func (f *fakeImages) resolve(name string) (string, error) {
	if id, ok := f.tags[name]; ok {
		return id, nil
	}
	if slices.Contains(f.ids, name) {
		return name, nil
	}
	if strings.ContainsAny(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") {
		return "", fmt.Errorf("invalid reference format: repository name (%s) must be lowercase: %w", name, errdefs.ErrInvalidArgument)
	}
	return "", errdefs.ErrNotFound.WithMessage("No such image: " + name)
}

func (f *fakeImages) List(_ context.Context, opts image.ListOptions) ([]imagetypes.Summary, error) {
	f.lastList = opts
	var out []imagetypes.Summary
	for _, id := range f.ids {
		s := imagetypes.Summary{ID: id}
		for _, r := range slices.Sorted(maps.Keys(f.tags)) {
			if f.tags[r] == id {
				s.RepoTags = append(s.RepoTags, r)
			}
		}
		out = append(out, s)
	}
	return out, nil
}

func (f *fakeImages) Inspect(_ context.Context, name string) (imagetypes.InspectResponse, error) {
	id, err := f.resolve(name)
	return imagetypes.InspectResponse{ID: id}, err
}

func (f *fakeImages) History(_ context.Context, name string) ([]imagetypes.HistoryResponseItem, error) {
	id, err := f.resolve(name)
	if err != nil {
		return nil, err
	}
	return []imagetypes.HistoryResponseItem{{ID: id, CreatedBy: "import"}}, nil
}

func (f *fakeImages) Tag(_ context.Context, source, target string) error {
	id, err := f.resolve(source)
	if err != nil {
		return err
	}
	f.tags[target] = id
	return nil
}

func (f *fakeImages) Remove(_ context.Context, name string, force, noPrune bool) ([]imagetypes.DeleteResponse, error) {
	f.lastRemove.force, f.lastRemove.noPrune = force, noPrune
	if _, ok := f.tags[name]; ok {
		delete(f.tags, name)
		return []imagetypes.DeleteResponse{{Untagged: name}}, nil
	}
	id, err := f.resolve(name)
	if err != nil {
		return nil, err
	}
	if !force {
		return nil, errdefs.ErrConflict.WithMessage("conflict: unable to delete " + id + " (must be forced)")
	}
	return []imagetypes.DeleteResponse{{Deleted: id}}, nil
}

func (f *fakeImages) Prune(_ context.Context, all bool, filters map[string][]string) (imagetypes.PruneReport, error) {
	f.lastPrune.all, f.lastPrune.filters = all, filters
	return imagetypes.PruneReport{SpaceReclaimed: 7}, nil
}

func (f *fakeImages) Import(_ context.Context, r io.Reader, opts image.ImportOptions) (string, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return "", err
	}
	f.lastImport, f.importBody = opts, string(b)
	return "sha256:" + strings.Repeat("1", 64), nil
}

func (f *fakeImages) Load(_ context.Context, r io.Reader) ([]string, error) {
	if _, err := io.Copy(io.Discard, r); err != nil {
		return nil, err
	}
	return f.loadResult, nil
}

func (f *fakeImages) Save(_ context.Context, names []string, format image.SaveFormat, w io.Writer) error {
	f.lastFormat = format
	for _, n := range names {
		if _, err := f.resolve(n); err != nil {
			return err
		}
	}
	_, err := io.WriteString(w, "TAR:"+strings.Join(names, ","))
	return err
}

func (f *fakeImages) Count(context.Context) (int, error) { return len(f.ids), nil }

func (f *fakeImages) GarbageCollect(context.Context) error { return nil }

func (f *fakeImages) Get(_ context.Context, name string) (*image.Image, error) {
	if _, err := f.resolve(name); err != nil {
		return nil, err
	}
	return &image.Image{}, nil
}
