package image

import (
	"bytes"
	"context"
	"slices"
	"testing"

	"github.com/berthproject/berth/test/testimage"
	"github.com/moby/moby/api/types/events"
	"github.com/opencontainers/go-digest"
)

// A push is announced as Docker's "image push" event: the actor is the
// tag pushed (familiar form), not the digest reference; the digest still
// joins RepoDigests.
func TestRecordPushEventNamesTheTag(t *testing.T) {
	ctx := context.Background()
	svc, _ := newTestService(t)
	o := testimage.Options{RepoTags: []string{"localhost:5000/app:1.0"}, Layers: 1}
	if _, err := svc.Load(ctx, bytes.NewReader(testimage.DockerArchive(t, o))); err != nil {
		t.Fatal(err)
	}
	var got []events.Message
	svc.SetEvents(func(m events.Message) { got = append(got, m) })
	id := digest.Digest(testimage.ID(t, o))
	manifest := digest.FromString("manifest")
	if err := svc.RecordPush(ctx, id, "localhost:5000/app:1.0", "localhost:5000/app@"+manifest.String()); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("events = %+v, want one push", got)
	}
	m := got[0]
	if m.Type != events.ImageEventType || m.Action != events.ActionPush || m.Actor.ID != "localhost:5000/app:1.0" ||
		m.Actor.Attributes["name"] != "localhost:5000/app:1.0" {
		t.Errorf("push event = %s %s actor %q %v; want image push of localhost:5000/app:1.0", m.Type, m.Action, m.Actor.ID, m.Actor.Attributes)
	}
	ins, err := svc.Inspect(ctx, "localhost:5000/app:1.0")
	if err != nil || !slices.Contains(ins.RepoDigests, "localhost:5000/app@"+manifest.String()) {
		t.Errorf("RepoDigests = %v, %v", ins.RepoDigests, err)
	}
}
