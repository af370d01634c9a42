package api

import "context"

// fakeImages is an in-memory image service for handler tests.
type fakeImages struct {
	ids  []string
	tags map[string]string // ref → id
}

func newFakeImages() *fakeImages { return &fakeImages{tags: map[string]string{}} }

func (f *fakeImages) addImage(id string, refs ...string) {
	f.ids = append(f.ids, id)
	for _, r := range refs {
		f.tags[r] = id
	}
}

func (f *fakeImages) Count(context.Context) (int, error) { return len(f.ids), nil }
