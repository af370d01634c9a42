package e2e

import (
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

func TestSIGKILLDuringLoadRecovers(t *testing.T) {
	d := startDaemon(t)
	archive := testimage.DockerArchive(t, testimage.Options{RepoTags: []string{"half:1"}, Layers: 4, Salt: "kill"})
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
	// Send most of the archive, and give the daemon a moment to write
	// some of it into its store before it dies.
	if _, err := pw.Write(archive[:len(archive)*3/4]); err != nil {
		t.Fatalf("send archive: %v", err)
	}
	for i := 0; i < 100 && len(filesUnder(t, content)) == 0; i++ {
		time.Sleep(20 * time.Millisecond)
	}
	d.kill()
	pw.CloseWithError(io.ErrUnexpectedEOF)
	<-done

	d.start(t)
	if got := d.ok(t, "images", "-a", "-q"); got != "" {
		t.Errorf("half-loaded image listed after restart: %q", got)
	}
	if files := filesUnder(t, content); len(files) != 0 {
		t.Errorf("content store holds files after recovery GC: %v", files)
	}
	// The store still works: the whole archive loads.
	r := d.berth(t, strings.NewReader(string(archive)), "load")
	if r.code != 0 || !strings.Contains(r.stdout, "Loaded image: half:1") {
		t.Fatalf("load after recovery: %s", r)
	}
}
