package image

import (
	"bytes"
	"context"
	"io"
	"sync"
	"testing"

	"github.com/berthproject/berth/test/testimage"
)

// TestConcurrentLoadAndRemove loads one image while another, sharing its
// base layer, is loaded and removed (with garbage collection) again and
// again: leases must keep the shared blobs alive, so every load ends with
// an image whose blobs are all present.
func TestConcurrentLoadAndRemove(t *testing.T) {
	ctx := context.Background()
	svc, _ := newTestService(t)
	a := testimage.DockerArchive(t, testimage.Options{RepoTags: []string{"a:1"}, Layers: 2, Salt: "a"})
	b := testimage.DockerArchive(t, testimage.Options{RepoTags: []string{"b:1"}, Layers: 2, Salt: "b"})
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	wg.Add(2)
	go func() {
		defer wg.Done()
		for range 8 {
			if _, err := svc.Load(ctx, bytes.NewReader(a)); err != nil {
				errs <- err
				return
			}
			if _, err := svc.Remove(ctx, "a:1", false, false); err != nil {
				errs <- err
				return
			}
		}
	}()
	go func() {
		defer wg.Done()
		for range 8 {
			if _, err := svc.Load(ctx, bytes.NewReader(b)); err != nil {
				errs <- err
				return
			}
			// Every blob of b must be there: saving reads them all.
			if err := svc.Save(ctx, []string{"b:1"}, DockerArchive, io.Discard); err != nil {
				errs <- err
				return
			}
		}
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
