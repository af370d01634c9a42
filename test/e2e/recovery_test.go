package e2e

import (
	"bytes"
	"io"
	"io/fs"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/berthproject/berth/test/testimage"
)

// filesUnder lists the regular files below dir.
func filesUnder(t *testing.T, dir string) []string {
	t.Helper()
	var files []string
	_ = filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err == nil && e.Type().IsRegular() {
			files = append(files, strings.TrimPrefix(p, dir+"/"))
		}
		return nil
	})
	return files
}

// TestSIGKILLDuringLoadRecovers kills the daemon in the middle of a load,
// at two points: with the archive half sent, and with it all sent as soon
// as the first blob is committed. After a restart the store must be
// consistent: the image is either wholly there or not at all, and no blob
// is left that no image references.
func TestSIGKILLDuringLoadRecovers(t *testing.T) {
	archive := testimage.DockerArchive(t, testimage.Options{RepoTags: []string{"half:1"}, Layers: 4, Salt: "kill"})
	for _, tc := range []struct {
		name   string
		sent   int
		waitIn string // kill once a file shows up here (under content/)
	}{
		{"half-sent", len(archive) * 3 / 4, ""},
		{"blob-committed", len(archive), "blobs"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := startDaemon(t)
			content := filepath.Join(d.root, "content")
			pr, pw := io.Pipe()
			req, err := http.NewRequest("POST", "http://berth/images/load", pr)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/x-tar")
			done := make(chan struct{})
			go func() {
				defer close(done)
				if resp, err := apiClient(d).Do(req); err == nil {
					resp.Body.Close()
				}
			}()
			go func() { _, _ = pw.Write(archive[:tc.sent]) }()
			// Wait (bounded) until the daemon has written into its store.
			for i := 0; i < 250 && len(filesUnder(t, filepath.Join(content, tc.waitIn))) == 0; i++ {
				time.Sleep(10 * time.Millisecond)
			}
			t.Logf("content store when the daemon is killed: %v", filesUnder(t, content))
			d.kill()
			pw.CloseWithError(io.ErrUnexpectedEOF)
			<-done

			d.start(t)
			listed := strings.TrimSpace(d.ok(t, "images", "-a", "--format", "{{.Repository}}:{{.Tag}}"))
			switch listed {
			case "":
				if files := filesUnder(t, content); len(files) != 0 {
					t.Errorf("content store holds files after recovery GC: %v", files)
				}
			case "half:1":
				// The load had finished: the whole image must be readable.
				d.ok(t, "save", "-o", filepath.Join(t.TempDir(), "x.tar"), "half:1")
			default:
				t.Errorf("after restart images lists %q", listed)
			}
			// The store still works: the whole archive loads.
			r := d.berth(t, bytes.NewReader(archive), "load")
			if r.code != 0 || !strings.Contains(r.stdout, "Loaded image: half:1") {
				t.Fatalf("load after recovery: %s", r)
			}
		})
	}
}

// TestSIGTERMFinishesInFlightLoad stops the daemon while a load is being
// sent: the load completes, then the daemon exits 0, and the image is
// there after a restart.
func TestSIGTERMFinishesInFlightLoad(t *testing.T) {
	d := startDaemon(t)
	archive := testimage.DockerArchive(t, testimage.Options{RepoTags: []string{"inflight:1"}, Layers: 2, Salt: "term"})
	pr, pw := io.Pipe()
	req, err := http.NewRequest("POST", "http://berth/images/load", pr)
	if err != nil {
		t.Fatal(err)
	}
	type reply struct {
		status int
		body   string
		err    error
	}
	got := make(chan reply, 1)
	go func() {
		resp, err := apiClient(d).Do(req)
		if err != nil {
			got <- reply{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		got <- reply{resp.StatusCode, string(b), err}
	}()
	half := len(archive) / 2
	if _, err := pw.Write(archive[:half]); err != nil {
		t.Fatal(err)
	}
	stopped := make(chan error, 1)
	go func() { stopped <- d.stop(t) }()
	// Wait (bounded) until the daemon has begun its shutdown.
	for i := 0; i < 500 && !strings.Contains(d.logString(), "shutting down"); i++ {
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := pw.Write(archive[half:]); err != nil {
		t.Fatalf("send rest of archive: %v", err)
	}
	pw.Close()
	r := <-got
	if r.err != nil || r.status != http.StatusOK || !strings.Contains(r.body, "Loaded image: inflight:1") {
		t.Fatalf("in-flight load: %d %q %v", r.status, r.body, r.err)
	}
	if err := <-stopped; err != nil {
		t.Fatalf("daemon exit: %v", err)
	}
	d.start(t)
	if got := strings.TrimSpace(d.ok(t, "images", "--format", "{{.Repository}}:{{.Tag}}")); got != "inflight:1" {
		t.Errorf("after restart: %q", got)
	}
}
