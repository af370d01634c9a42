package image

import (
	"bytes"
	"context"
	"crypto/rand"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/berthproject/berth/test/testimage"
	"github.com/google/go-cmp/cmp"
)

// TestLoadChild is the child of TestSIGKILLMidLoad: it loads stdin into the
// store named by BERTH_LOAD_CHILD_ROOT and is killed before it ends.
func TestLoadChild(t *testing.T) {
	root := os.Getenv("BERTH_LOAD_CHILD_ROOT")
	if root == "" {
		t.Skip("helper process for TestSIGKILLMidLoad")
	}
	svc := openService(t, root)
	svc.Load(context.Background(), os.Stdin)
}

// TestSIGKILLMidLoad kills a process in the middle of a load, after one
// layer is stored and while the next is being written: the store must then
// list no image, and GarbageCollect must leave no blob and no partial file.
func TestSIGKILLMidLoad(t *testing.T) {
	root := t.TempDir()
	big := make([]byte, 3<<20)
	rand.Read(big)
	arch := dockerArchiveOf(t, []string{"killed:1"}, "kill", testimage.RootfsTar(t),
		makeTar(t, []tarEntry{{Name: "big", Body: big}}))
	cmd := exec.Command(os.Args[0], "-test.run=^TestLoadChild$")
	cmd.Env = append(os.Environ(), "BERTH_LOAD_CHILD_ROOT="+root)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	// Everything up to the middle of the second layer.
	if _, err := stdin.Write(arch[:len(arch)-len(big)/2]); err != nil {
		t.Fatal(err)
	}
	blobs := filepath.Join(root, "content", "blobs", "sha256")
	ingest := filepath.Join(root, "content", "ingest")
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(10 * time.Millisecond) {
		b, _ := os.ReadDir(blobs)
		i, _ := os.ReadDir(ingest)
		if len(b) == 1 && len(i) == 1 {
			if st, err := os.Stat(filepath.Join(ingest, i[0].Name())); err == nil && st.Size() > 0 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("child never reached the middle of the load: blobs %v ingest %v", b, i)
		}
	}
	cmd.Process.Kill()
	cmd.Wait()

	svc := openService(t, root)
	ctx := context.Background()
	if n, err := svc.Count(ctx); err != nil || n != 0 {
		t.Fatalf("after SIGKILL: %d images (%v), want none", n, err)
	}
	if err := svc.GarbageCollect(ctx); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(snapshot{}, takeSnapshot(t, svc, root)); diff != "" {
		t.Errorf("after GarbageCollect (-want +got):\n%s", diff)
	}
}

// TestGarbageCollectDropsImagesWithMissingBlobs: an image whose layer blob
// vanished is dropped at start, with the blobs only it used.
func TestGarbageCollectDropsImagesWithMissingBlobs(t *testing.T) {
	ctx := context.Background()
	svc, root := newTestService(t)
	keep := testimage.Options{RepoTags: []string{"keep:1"}}
	broken := testimage.Options{RepoTags: []string{"broken:1"}, Layers: 2, Salt: "broken"}
	for _, o := range []testimage.Options{keep, broken} {
		if _, err := svc.Load(ctx, bytes.NewReader(testimage.DockerArchive(t, o))); err != nil {
			t.Fatal(err)
		}
	}
	img, err := svc.Get(ctx, "broken:1")
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(root, "content", "blobs", "sha256", img.Layers[1].Digest.Encoded()))
	if err := svc.GarbageCollect(ctx); err != nil {
		t.Fatal(err)
	}
	list, _ := svc.List(ctx, ListOptions{})
	if len(list) != 1 || list[0].RepoTags[0] != "keep:1" {
		t.Fatalf("after GC: %+v", list)
	}
	// Only keep:1's blobs are left: manifest, config, one layer.
	if got := takeSnapshot(t, svc, root); len(got.Blobs) != 3 {
		t.Errorf("blobs left: %v", got.Blobs)
	}
}
