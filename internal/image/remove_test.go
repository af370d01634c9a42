package image

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/berthproject/berth/test/testimage"
	"github.com/containerd/errdefs"
	"github.com/google/go-cmp/cmp"
	imagetypes "github.com/moby/moby/api/types/image"
)

func TestTagRemoveAndGC(t *testing.T) {
	ctx := context.Background()
	svc, root := newTestService(t)
	empty := takeSnapshot(t, svc, root)
	o := testimage.Options{RepoTags: []string{"busybox:latest"}, Layers: 2}
	id := testimage.ID(t, o)
	if _, err := svc.Load(ctx, bytes.NewReader(testimage.DockerArchive(t, o))); err != nil {
		t.Fatal(err)
	}
	if err := svc.Tag(ctx, "busybox", "busybox:2"); err != nil {
		t.Fatal(err)
	}
	if err := svc.Tag(ctx, id[7:15], "other/repo"); err != nil {
		t.Fatal(err)
	}
	ins, _ := svc.Inspect(ctx, "other/repo:latest")
	if diff := cmp.Diff([]string{"busybox:latest", "busybox:2", "other/repo:latest"}, ins.RepoTags); diff != "" {
		t.Fatalf("tags (-want +got):\n%s", diff)
	}
	if ins.Metadata.LastTagTime.IsZero() {
		t.Error("LastTagTime not set by Tag")
	}
	// By ID, with names in two repositories: refused without force.
	if _, err := svc.Remove(ctx, id, false, false); !errdefs.IsConflict(err) || !strings.Contains(err.Error(), "must be forced") {
		t.Fatalf("Remove by ID: %v, want conflict", err)
	}
	// By name: only untags.
	resp, err := svc.Remove(ctx, "busybox:2", false, false)
	if err != nil || !cmp.Equal(resp, []imagetypes.DeleteResponse{{Untagged: "busybox:2"}}) {
		t.Fatalf("Remove(busybox:2) = %+v, %v", resp, err)
	}
	resp, err = svc.Remove(ctx, "other/repo", false, false)
	if err != nil || len(resp) != 1 {
		t.Fatalf("Remove(other/repo) = %+v, %v", resp, err)
	}
	// The last name goes: the image and its blobs go too.
	resp, err = svc.Remove(ctx, "busybox", false, false)
	want := []imagetypes.DeleteResponse{{Untagged: "busybox:latest"}, {Deleted: id}}
	if err != nil || !cmp.Equal(resp, want) {
		t.Fatalf("Remove(busybox) = %+v, %v; want %+v", resp, err, want)
	}
	if diff := cmp.Diff(empty, takeSnapshot(t, svc, root)); diff != "" {
		t.Errorf("store after removing the last image (-want +got):\n%s", diff)
	}
	if _, err := svc.Remove(ctx, "busybox", false, false); !errdefs.IsNotFound(err) {
		t.Errorf("second Remove: %v, want not found", err)
	}
}

func TestRemoveByIDForce(t *testing.T) {
	ctx := context.Background()
	svc, _ := newTestService(t)
	o := testimage.Options{RepoTags: []string{"a:1", "b:1"}}
	svc.Load(ctx, bytes.NewReader(testimage.DockerArchive(t, o)))
	resp, err := svc.Remove(ctx, testimage.ID(t, o)[7:19], true, false)
	want := []imagetypes.DeleteResponse{{Untagged: "a:1"}, {Untagged: "b:1"}, {Deleted: testimage.ID(t, o)}}
	if err != nil || !cmp.Equal(resp, want) {
		t.Fatalf("Remove -f = %+v, %v", resp, err)
	}
	if n, _ := svc.Count(ctx); n != 0 {
		t.Fatalf("Count = %d after remove", n)
	}
}

func TestTagMovesAndPrune(t *testing.T) {
	ctx := context.Background()
	svc, _ := newTestService(t)
	o1 := testimage.Options{RepoTags: []string{"app:latest"}, Salt: "1", Layers: 2, Labels: map[string]string{"tier": "web"}}
	o2 := testimage.Options{RepoTags: []string{"app:latest"}, Salt: "2", Layers: 2}
	svc.Load(ctx, bytes.NewReader(testimage.DockerArchive(t, o1)))
	svc.Load(ctx, bytes.NewReader(testimage.DockerArchive(t, o2)))
	// Loading app:latest again moved the tag: the first image dangles.
	dangling, _ := svc.List(ctx, ListOptions{Filters: map[string][]string{"dangling": {"true"}}})
	if len(dangling) != 1 || dangling[0].ID != testimage.ID(t, o1) || dangling[0].Labels["tier"] != "web" {
		t.Fatalf("dangling = %+v", dangling)
	}
	rep, err := svc.Prune(ctx, false, nil)
	if err != nil || len(rep.ImagesDeleted) != 1 || rep.ImagesDeleted[0].Deleted != testimage.ID(t, o1) || rep.SpaceReclaimed == 0 {
		t.Fatalf("Prune = %+v, %v", rep, err)
	}
	if n, _ := svc.Count(ctx); n != 1 {
		t.Fatalf("Count after prune = %d", n)
	}
	rep, err = svc.Prune(ctx, true, nil)
	if err != nil || len(rep.ImagesDeleted) != 2 { // untag + delete
		t.Fatalf("Prune -a = %+v, %v", rep, err)
	}
}

func TestListFilters(t *testing.T) {
	ctx := context.Background()
	svc, _ := newTestService(t)
	old := testimage.Options{RepoTags: []string{"busybox:1.36", "example.com/tools/bb:v1"}, Salt: "old", Layers: 2, Labels: map[string]string{"team": "a"}}
	svc.Load(ctx, bytes.NewReader(testimage.DockerArchive(t, old)))
	// A newer image: import stamps the current time.
	newID, err := svc.Import(ctx, bytes.NewReader(testimage.RootfsTar(t)), ImportOptions{Ref: "busybox:new", Changes: []string{"LABEL team=b"}})
	if err != nil {
		t.Fatal(err)
	}
	ids := func(f map[string][]string) []string {
		list, err := svc.List(ctx, ListOptions{Filters: f})
		if err != nil {
			t.Fatalf("List(%v): %v", f, err)
		}
		var out []string
		for _, s := range list {
			out = append(out, s.ID+" "+strings.Join(s.RepoTags, ","))
		}
		return out
	}
	oldID := testimage.ID(t, old)
	for _, tc := range []struct {
		f    map[string][]string
		want []string
	}{
		{nil, []string{newID + " busybox:new", oldID + " busybox:1.36,example.com/tools/bb:v1"}},
		{map[string][]string{"reference": {"busybox:1.*"}}, []string{oldID + " busybox:1.36"}},
		{map[string][]string{"reference": {"example.com/*/bb"}}, []string{oldID + " example.com/tools/bb:v1"}},
		{map[string][]string{"label": {"team=b"}}, []string{newID + " busybox:new"}},
		{map[string][]string{"label": {"team"}}, []string{newID + " busybox:new", oldID + " busybox:1.36,example.com/tools/bb:v1"}},
		{map[string][]string{"before": {"busybox:new"}}, []string{oldID + " busybox:1.36,example.com/tools/bb:v1"}},
		{map[string][]string{"since": {"busybox:1.36"}}, []string{newID + " busybox:new"}},
		{map[string][]string{"dangling": {"true"}}, nil},
	} {
		if diff := cmp.Diff(tc.want, ids(tc.f)); diff != "" {
			t.Errorf("filter %v (-want +got):\n%s", tc.f, diff)
		}
	}
	if _, err := svc.List(ctx, ListOptions{Filters: map[string][]string{"bogus": {"1"}}}); !errdefs.IsInvalidArgument(err) {
		t.Errorf("unknown filter: %v", err)
	}
}

func TestImportWithChanges(t *testing.T) {
	ctx := context.Background()
	svc, _ := newTestService(t)
	changes := []string{
		`CMD ["sh", "-c", "echo hi"]`, `ENTRYPOINT /bin/init`, `ENV A=1 B="two words"`, `ENV LEGACY some value`,
		`WORKDIR /srv`, `EXPOSE 80 53/udp`, `USER nobody`, `LABEL a=b "c d"=e`, `VOLUME ["/data"]`, `STOPSIGNAL SIGTERM`,
	}
	id, err := svc.Import(ctx, bytes.NewReader(testimage.RootfsTar(t)), ImportOptions{Ref: "imported", Changes: changes, Message: "from test"})
	if err != nil {
		t.Fatal(err)
	}
	ins, err := svc.Inspect(ctx, "imported:latest")
	if err != nil || ins.ID != id {
		t.Fatalf("Inspect = %s, %v", ins.ID, err)
	}
	c := ins.Config
	if !cmp.Equal(c.Cmd, []string{"sh", "-c", "echo hi"}) || !cmp.Equal(c.Entrypoint, []string{"/bin/sh", "-c", "/bin/init"}) ||
		c.WorkingDir != "/srv" || c.User != "nobody" || c.StopSignal != "SIGTERM" {
		t.Errorf("config %+v", c)
	}
	wantEnv := []string{"A=1", "B=two words", "LEGACY=some value"}
	if !cmp.Equal(c.Env, wantEnv) {
		t.Errorf("Env %q, want %q", c.Env, wantEnv)
	}
	if _, ok := c.ExposedPorts["53/udp"]; !ok || len(c.ExposedPorts) != 2 || c.Labels["c d"] != "e" || len(c.Volumes) != 1 {
		t.Errorf("ports %v labels %v volumes %v", c.ExposedPorts, c.Labels, c.Volumes)
	}
	if ins.Comment != "from test" || len(ins.RootFS.Layers) != 1 {
		t.Errorf("comment %q layers %v", ins.Comment, ins.RootFS.Layers)
	}
	hist, _ := svc.History(ctx, id)
	if len(hist) != 1 || hist[0].Comment != "from test" || hist[0].Size != int64(len(testimage.RootfsTar(t))) {
		t.Errorf("history %+v", hist)
	}
	// A gzipped tarball gives the same layer.
	var gz bytes.Buffer
	zw := newGzip(&gz)
	zw.Write(testimage.RootfsTar(t))
	zw.Close()
	id2, err := svc.Import(ctx, &gz, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ins2, _ := svc.Inspect(ctx, id2)
	if ins2.Config.Env != nil || ins2.Comment != "Imported from -" {
		t.Errorf("plain import: Env %q comment %q; Docker gives no Env and \"Imported from -\"", ins2.Config.Env, ins2.Comment)
	}
	if ins2.RootFS.Layers[0] != ins.RootFS.Layers[0] || len(ins2.RepoTags) != 0 {
		t.Errorf("gzip import: layers %v tags %v", ins2.RootFS.Layers, ins2.RepoTags)
	}
	for _, bad := range []string{"RUN rm -rf /", "EXPOSE http", "ENV", `LABEL "unterminated=1`} {
		if _, err := svc.Import(ctx, bytes.NewReader(testimage.RootfsTar(t)), ImportOptions{Changes: []string{bad}}); !errdefs.IsInvalidArgument(err) {
			t.Errorf("change %q: %v, want invalid argument", bad, err)
		}
	}
}
