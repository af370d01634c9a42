package image

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/berthproject/berth/test/testimage"
	"github.com/containerd/errdefs"
)

// TestUsersKeepImage: images the users hook names are refused by Remove
// (a running user even with force), only untagged by a forced Remove by
// name, and never pruned.
func TestUsersKeepImage(t *testing.T) {
	ctx := context.Background()
	svc, _ := newTestService(t)
	o := testimage.Options{RepoTags: []string{"busybox:latest"}, Layers: 1}
	id := testimage.ID(t, o)
	if _, err := svc.Load(ctx, bytes.NewReader(testimage.DockerArchive(t, o))); err != nil {
		t.Fatal(err)
	}
	users := []User{{ContainerID: "0123456789abcdef", Running: true}}
	svc.SetUsers(func(img string) []User {
		if img == id {
			return users
		}
		return nil
	})
	if _, err := svc.Remove(ctx, "busybox", false, false); !errdefs.IsConflict(err) || !strings.Contains(err.Error(), "unable to remove repository reference") {
		t.Fatalf("Remove by name of a used image: %v, want conflict", err)
	}
	if _, err := svc.Remove(ctx, id, true, false); !errdefs.IsConflict(err) || !strings.Contains(err.Error(), "cannot be forced") {
		t.Fatalf("forced Remove by ID with a running user: %v, want a hard conflict", err)
	}
	if rep, err := svc.Prune(ctx, true, nil); err != nil || len(rep.ImagesDeleted) != 0 {
		t.Fatalf("Prune all: %v %v, want nothing deleted", rep, err)
	}
	resp, err := svc.Remove(ctx, "busybox", true, false)
	if err != nil || len(resp) != 1 || resp[0].Untagged != "busybox:latest" {
		t.Fatalf("forced Remove by name: %v %v, want only the untag", resp, err)
	}
	if _, err := svc.Inspect(ctx, id); err != nil {
		t.Fatalf("image gone after an untag: %v", err)
	}
	users[0].Running = false
	if _, err := svc.Remove(ctx, id, false, false); !errdefs.IsConflict(err) || !strings.Contains(err.Error(), "stopped container 0123456789ab") {
		t.Fatalf("Remove by ID with a stopped user: %v, want a soft conflict", err)
	}
	if _, err := svc.Remove(ctx, id, true, false); err != nil {
		t.Fatalf("forced Remove by ID with a stopped user: %v", err)
	}
}
