package e2e

import (
	"strings"
	"testing"
)

// TestGapsRmiImageInUse: an image containers use is refused by rmi with
// Docker's 409 words, -f only untags it while a container runs, image
// prune -a keeps it and system df counts it active.
func TestGapsRmiImageInUse(t *testing.T) {
	needRoot(t)
	d := dockerContainerDaemon(t)
	img := d.mustDocker(t, "image", "inspect", "--format", "{{.Id}}", "busybox")
	short := strings.TrimPrefix(img, "sha256:")[:12]
	ctr := d.mustDocker(t, "run", "-d", "--network", "none", "busybox", "sleep", "1000")

	refused := func(want string, args ...string) {
		t.Helper()
		r := d.docker(t, nil, args...)
		if r.code == 0 || !strings.Contains(r.stderr, want) {
			t.Fatalf("docker %s: %s\nwant an error with %q", strings.Join(args, " "), r, want)
		}
	}
	refused(`conflict: unable to remove repository reference "busybox" (must force) - container `+ctr[:12]+` is using its referenced image `+short, "rmi", "busybox")
	refused("conflict: unable to delete "+short+" (cannot be forced) - image is being used by running container "+ctr[:12], "rmi", img)
	refused("(cannot be forced) - image is being used by running container "+ctr[:12], "rmi", "-f", short)

	// Another name of it goes without a fuss.
	d.mustDocker(t, "tag", "busybox", "other:1")
	if out := d.mustDocker(t, "rmi", "other:1"); out != "Untagged: other:1" {
		t.Fatalf("rmi other:1 = %q", out)
	}

	d.mustDocker(t, "image", "prune", "-a", "-f")
	if got := d.mustDocker(t, "images", "-q", "--no-trunc"); got != img {
		t.Fatalf("after image prune -a: images %q, want %s kept", got, img)
	}
	if got := d.mustDocker(t, "system", "df", "--format", "{{.Type}} {{.TotalCount}} {{.Active}}"); !strings.Contains(got, "Images 1 1") {
		t.Fatalf("system df = %q, want Images 1 1", got)
	}

	// -f by name untags; the running container keeps the image.
	if out := d.mustDocker(t, "rmi", "-f", "busybox"); out != "Untagged: busybox:latest" {
		t.Fatalf("rmi -f busybox = %q, want only the untag", out)
	}
	if got := d.mustDocker(t, "images", "-q", "--no-trunc"); got != img {
		t.Fatalf("after rmi -f busybox: images %q, want %s (untagged) kept", got, img)
	}

	// Stopped, the container still holds it unless forced.
	d.mustDocker(t, "kill", ctr)
	d.mustDocker(t, "wait", ctr)
	refused("conflict: unable to delete "+short+" (must be forced) - image is being used by stopped container "+ctr[:12], "rmi", short)
	if out := d.mustDocker(t, "rmi", "-f", short); out != "Deleted: "+img {
		t.Fatalf("rmi -f %s = %q, want Deleted: %s", short, out, img)
	}
}
