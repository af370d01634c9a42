package api

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"strings"
	"testing"

	"github.com/berthproject/berth/internal/build"
	"github.com/containerd/errdefs"
)

// fakeBuilder records the options of a build and plays a script.
type fakeBuilder struct {
	opts   build.Options
	body   string
	failAt int // 0: succeed; 1: fail before output; 2: fail after a step
	pruned bool
}

func (f *fakeBuilder) Build(ctx context.Context, body io.Reader, opts build.Options, rep build.Reporter) (string, error) {
	b, _ := io.ReadAll(body)
	f.body, f.opts = string(b), opts
	if f.failAt == 1 {
		return "", fmt.Errorf("Dockerfile: dockerfile parse error on line 2: unknown instruction: NOPE: %w", errdefs.ErrInvalidArgument)
	}
	fmt.Fprint(rep, "Step 1/1 : FROM busybox\n")
	if f.failAt == 2 {
		return "", fmt.Errorf("The command '/bin/sh -c false' returned a non-zero code: 1")
	}
	rep.ImageID("sha256:abc")
	fmt.Fprint(rep, "Successfully built abc\n")
	return "sha256:abc", nil
}

func (f *fakeBuilder) Prune(ctx context.Context) (build.PruneReport, error) {
	f.pruned = true
	return build.PruneReport{Deleted: []string{"k1"}, Reclaimed: 42}, nil
}

func (f *fakeBuilder) CacheUsage(ctx context.Context) ([]build.CacheInfo, error) {
	return []build.CacheInfo{{Key: "k1", Description: "/bin/sh -c make", Size: 42}, {Key: "k2", Description: "/bin/sh -c #(nop)  ENV A=b"}}, nil
}

func TestBuildRouteStreamsDockerMessages(t *testing.T) {
	fb := &fakeBuilder{}
	s := NewServer(Config{Images: newFakeImages(), Builder: fb})
	q := url.Values{"t": {"a:1", "b"}, "dockerfile": {"df"}, "buildargs": {`{"A":"1","B":null}`}, "labels": {`{"l":"v"}`},
		"nocache": {"1"}, "target": {"t"}, "networkmode": {"host"}, "cachefrom": {`["c"]`}, "q": {"0"}}
	rec := do(t, s, "POST", "/v1.44/build?"+q.Encode(), "CONTEXT")
	want := `{"stream":"Step 1/1 : FROM busybox\n"}` + "\n" + `{"aux":{"ID":"sha256:abc"}}` + "\n" + `{"stream":"Successfully built abc\n"}` + "\n"
	if rec.Code != 200 || rec.Body.String() != want {
		t.Errorf("build: %d %q", rec.Code, rec.Body.String())
	}
	o := fb.opts
	if fb.body != "CONTEXT" || strings.Join(o.Tags, ",") != "a:1,b" || o.Dockerfile != "df" || *o.BuildArgs["A"] != "1" || o.BuildArgs["B"] != nil ||
		o.Labels["l"] != "v" || !o.NoCache || o.Target != "t" || o.Network != "host" || o.CacheFrom[0] != "c" || o.Quiet {
		t.Errorf("options %+v", o)
	}

	// Before any output an error is an HTTP error of its class; after,
	// an errorDetail message.
	fb.failAt = 1
	rec = do(t, s, "POST", "/build", "")
	if rec.Code != 400 || !strings.Contains(rec.Body.String(), "unknown instruction: NOPE") {
		t.Errorf("parse error: %d %s", rec.Code, rec.Body.String())
	}
	fb.failAt = 2
	rec = do(t, s, "POST", "/build", "")
	if rec.Code != 200 || !strings.HasSuffix(rec.Body.String(), `{"errorDetail":{"message":"The command '/bin/sh -c false' returned a non-zero code: 1"},"error":"The command '/bin/sh -c false' returned a non-zero code: 1"}`+"\n") {
		t.Errorf("failing step: %d %s", rec.Code, rec.Body.String())
	}
	for _, bad := range []string{"version=2", "buildargs=%7Bx", "remote=git://x"} {
		if rec := do(t, s, "POST", "/build?"+bad, ""); rec.Code < 400 {
			t.Errorf("%s: %d", bad, rec.Code)
		}
	}

	rec = do(t, s, "POST", "/build/prune", "")
	if rec.Code != 200 || strings.TrimSpace(rec.Body.String()) != `{"CachesDeleted":["k1"],"SpaceReclaimed":42}` || !fb.pruned {
		t.Errorf("prune: %d %s", rec.Code, rec.Body.String())
	}
}

func TestNoBuilderNoRoute(t *testing.T) {
	s := NewServer(Config{Images: newFakeImages()})
	if rec := do(t, s, "POST", "/build", ""); rec.Code != 404 {
		t.Errorf("POST /build without a builder: %d", rec.Code)
	}
}

func TestBuildCacheUsage(t *testing.T) {
	s := NewServer(Config{Images: newFakeImages(), Builder: &fakeBuilder{}})
	recs, du, err := s.buildCacheUsage(context.Background())
	if err != nil || len(recs) != 2 || recs[0].ID != "k1" || recs[0].Size != 42 || recs[0].Type != "regular" ||
		du.TotalCount != 2 || du.TotalSize != 42 || du.Reclaimable != 42 || du.ActiveCount != 0 {
		t.Errorf("build cache usage: %+v %+v %v", recs, du, err)
	}
	s = NewServer(Config{Images: newFakeImages()})
	if recs, du, err := s.buildCacheUsage(context.Background()); err != nil || recs == nil || len(recs) != 0 || du.TotalCount != 0 {
		t.Errorf("without a builder: %+v %+v %v", recs, du, err)
	}
}
