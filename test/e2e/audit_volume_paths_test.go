package e2e

import (
	"path/filepath"
	"strings"
	"testing"
)

// Volume and bind paths that are not absolute are refused as Docker
// refuses them, with words that say what was wrong; a bind source that
// cannot be created (read-only filesystem) fails the run cleanly. None of
// the refused runs leaves a container or a volume behind.
func TestAuditVolumePathsRefusedCleanly(t *testing.T) {
	d := dockerContainerDaemon(t)
	for _, tc := range []struct {
		args []string
		says []string
	}{
		// A source with a slash is no volume name and no absolute path.
		{[]string{"-v", "rel/path:/data"}, []string{"rel/path", "absolute"}},
		{[]string{"-v", "data:relative"}, []string{"relative", "absolute"}},
		{[]string{"--mount", "type=bind,source=rel,target=/data"}, []string{"rel", "absolute"}},
		{[]string{"--mount", "type=volume,source=data,target=relative"}, []string{"relative", "absolute"}},
	} {
		args := append(append([]string{"run", "--rm"}, tc.args...), "busybox", "true")
		r := d.docker(t, nil, args...)
		if r.code != 125 {
			t.Errorf("docker %s: want exit 125: %s", strings.Join(args, " "), r)
		}
		for _, w := range tc.says {
			if !strings.Contains(r.stderr, w) {
				t.Errorf("docker %s: the error does not say %q: %s", strings.Join(args, " "), w, r)
			}
		}
	}

	// A missing bind source is created, as Docker does for -v; on a
	// read-only filesystem that fails, and the run with it.
	ro := filepath.Join(t.TempDir(), "ro")
	auditTmpfs(t, ro, "size=1m,ro")
	r := d.docker(t, nil, "run", "--rm", "-v", ro+"/missing:/data", "busybox", "true")
	if r.code != 125 || !strings.Contains(r.stderr, ro+"/missing") || !strings.Contains(r.stderr, "read-only file system") {
		t.Errorf("bind source on a read-only filesystem: %s", r)
	}
	if got := d.mustDocker(t, "ps", "-aq"); got != "" {
		t.Errorf("containers after the refused runs: %q", got)
	}
	if got := d.mustDocker(t, "volume", "ls", "-q"); got != "" {
		t.Errorf("volumes after the refused runs: %q", got)
	}
}
