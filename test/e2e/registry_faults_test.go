package e2e

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

func digestOf(b []byte) string { return digest.FromBytes(b).String() }

// faultProxy stands between berth and a registry and misbehaves on
// request: it corrupts or truncates bodies, or holds a blob back.
type faultProxy struct {
	addr string
	mode atomic.Value // "", "corrupt-blob", "corrupt-manifest", "truncate-blob"
	// hold, when set, is a blob digest whose download waits for release.
	hold    atomic.Value
	release chan struct{}
	mu      sync.Mutex
	gets    map[string]int // blob digest → GETs served
}

func startFaultProxy(t *testing.T, reg *testRegistry) *faultProxy {
	t.Helper()
	p := &faultProxy{release: make(chan struct{}), gets: map[string]int{}}
	p.mode.Store("")
	p.hold.Store("")
	target, _ := url.Parse("http://" + reg.addr)
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.ModifyResponse = func(resp *http.Response) error {
		mode := p.mode.Load().(string)
		isBlob := strings.Contains(resp.Request.URL.Path, "/blobs/sha256:") && resp.Request.Method == http.MethodGet
		isManifest := strings.Contains(resp.Request.URL.Path, "/manifests/") && resp.Request.Method == http.MethodGet
		if (mode == "corrupt-blob" && isBlob) || (mode == "corrupt-manifest" && isManifest) {
			resp.Body = &flipReader{r: resp.Body}
		}
		return nil
	}
	mux := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if i := strings.Index(r.URL.Path, "/blobs/sha256:"); i >= 0 && r.Method == http.MethodGet {
			d := r.URL.Path[i+len("/blobs/"):]
			p.mu.Lock()
			p.gets[d]++
			p.mu.Unlock()
			if h := p.hold.Load().(string); h == d {
				<-p.release
			}
			if p.mode.Load().(string) == "truncate-blob" {
				rec := httptest.NewRecorder()
				rp.ServeHTTP(rec, r)
				body := rec.Body.Bytes()
				for k, v := range rec.Header() {
					w.Header()[k] = v
				}
				w.Header().Set("Content-Length", strconv.Itoa(len(body)))
				w.WriteHeader(rec.Code)
				if len(body) < 10000 { // the config: served whole
					w.Write(body)
					return
				}
				w.Write(body[:len(body)/2])
				w.(http.Flusher).Flush()
				panic(http.ErrAbortHandler)
			}
		}
		rp.ServeHTTP(w, r)
	})
	port := regFreePort(t)
	srv := &http.Server{Addr: "127.0.0.1:" + strconv.Itoa(port), Handler: mux}
	go srv.ListenAndServe()
	t.Cleanup(func() {
		select {
		case <-p.release:
		default:
			close(p.release)
		}
		srv.Close()
	})
	p.addr = srv.Addr
	for i := 0; i < 100; i++ {
		if resp, err := http.Get("http://" + p.addr + "/v2/"); err == nil {
			resp.Body.Close()
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	return p
}

func (p *faultProxy) getsOf(d string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.gets[d]
}

// flipReader flips the first byte of a body.
type flipReader struct {
	r interface {
		Read([]byte) (int, error)
		Close() error
	}
	flipped bool
}

func (f *flipReader) Read(b []byte) (int, error) {
	n, err := f.r.Read(b)
	if n > 0 && !f.flipped {
		b[0] ^= 0xff
		f.flipped = true
	}
	return n, err
}
func (f *flipReader) Close() error { return f.r.Close() }

// storeIsEmpty checks that no image and no blob is in the daemon's store.
func storeIsEmpty(t *testing.T, c *regClient) {
	t.Helper()
	if out := strings.TrimSpace(c.ok(t, "images", "-q")); out != "" {
		t.Errorf("images after a failed pull: %q", out)
	}
	blobs, _ := os.ReadDir(filepath.Join(c.d.root, "content", "blobs", "sha256"))
	if len(blobs) != 0 {
		t.Errorf("%d blobs left in the content store after a failed pull", len(blobs))
	}
}

func TestRegistryPullFaults(t *testing.T) {
	reg := startRegistry(t, registryOptions{})
	proxy := startFaultProxy(t, reg)
	d := startRegistryDaemon(t, map[string]any{"insecure-registries": []string{reg.addr, proxy.addr}})
	c := newRegClient(t, d)
	l, id := regRandomLayer(t, "f", 300000)
	reg.pushImage(t, "app", "v1", "amd64", [][]byte{l}, []digest.Digest{id}, ocispec.MediaTypeImageLayerGzip)
	ref := proxy.addr + "/app:v1"

	t.Run("unknown tag", func(t *testing.T) {
		r := c.fails(t, "pull", proxy.addr+"/app:nope")
		if !strings.Contains(r.stderr, "not found") || !strings.Contains(r.stderr, "app:nope") {
			t.Errorf("unknown tag: %s", r)
		}
		storeIsEmpty(t, c)
	})
	t.Run("unreachable registry", func(t *testing.T) {
		start := time.Now()
		r := c.fails(t, "pull", "127.0.0.1:"+strconv.Itoa(regFreePort(t))+"/app:v1")
		if !strings.Contains(r.stderr, "cannot reach registry") {
			t.Errorf("unreachable: %s", r)
		}
		t.Logf("unreachable registry failed after %v", time.Since(start))
	})
	for _, mode := range []string{"corrupt-manifest", "corrupt-blob"} {
		t.Run(mode, func(t *testing.T) {
			proxy.mode.Store(mode)
			defer proxy.mode.Store("")
			r := c.fails(t, "pull", ref)
			if !strings.Contains(r.stderr+r.stdout, "does not match its digest") {
				t.Errorf("%s: %s", mode, r)
			}
			storeIsEmpty(t, c)
		})
	}
	t.Run("truncated blob", func(t *testing.T) {
		proxy.mode.Store("truncate-blob")
		defer proxy.mode.Store("")
		before := proxy.getsOf(digestOf(l))
		r := c.fails(t, "pull", ref)
		if !strings.Contains(r.stderr+r.stdout, "truncated") && !strings.Contains(r.stderr+r.stdout, "unexpected EOF") {
			t.Errorf("truncated: %s", r)
		}
		if n := proxy.getsOf(digestOf(l)) - before; n < 2 || n > 4 {
			t.Errorf("a truncated blob was fetched %d times, want a few bounded retries", n)
		}
		storeIsEmpty(t, c)
	})
	t.Run("unsupported media type", func(t *testing.T) {
		reg.pushImage(t, "odd", "v1", "amd64", [][]byte{l}, []digest.Digest{id}, "application/vnd.example.unknown")
		r := c.fails(t, "pull", reg.addr+"/odd:v1")
		if !strings.Contains(r.stderr, "application/vnd.example.unknown") {
			t.Errorf("unsupported media type: %s", r)
		}
		storeIsEmpty(t, c)
	})
	t.Run("malformed config.json", func(t *testing.T) {
		bad := newRegClient(t, d)
		os.MkdirAll(bad.config, 0o700)
		regWriteFile(t, filepath.Join(bad.config, "config.json"), []byte("{not json"))
		r := bad.fails(t, "pull", ref)
		if !strings.Contains(r.stderr, bad.config) {
			t.Errorf("malformed config.json: %s", r)
		}
	})
	// After all that, a clean pull works.
	c.ok(t, "pull", ref)
}

// A pull killed with the daemon (SIGKILL) leaves a consistent store, and
// the next pull does not download again the layers that had finished.
func TestRegistryPullResumesAfterKill(t *testing.T) {
	reg := startRegistry(t, registryOptions{})
	proxy := startFaultProxy(t, reg)
	args := registryDaemonArgs(t, map[string]any{"insecure-registries": []string{proxy.addr}})
	d := newDaemonDirs(t)
	d.start(t, args...)
	c := newRegClient(t, d)
	l1, id1 := regRandomLayer(t, "one", 200000)
	l2, id2 := regRandomLayer(t, "two", 200000)
	reg.pushImage(t, "big", "v1", "amd64", [][]byte{l1, l2}, []digest.Digest{id1, id2}, ocispec.MediaTypeImageLayerGzip)
	first, second := digestOf(l1), digestOf(l2)
	proxy.hold.Store(second)

	pull := exec.Command(berthBin(), "pull", proxy.addr+"/big:v1")
	pull.Env = append(cleanEnv(), "BERTH_HOST="+d.host, "DOCKER_CONFIG="+c.config)
	if err := pull.Start(); err != nil {
		t.Fatal(err)
	}
	defer pull.Process.Kill()
	kept := filepath.Join(d.root, "registry", "layers", strings.TrimPrefix(first, "sha256:"))
	for i := 0; ; i++ {
		if _, err := os.Stat(kept); err == nil && proxy.getsOf(second) > 0 {
			break
		}
		if i > 500 {
			t.Fatalf("the first layer never finished (gets %d/%d)", proxy.getsOf(first), proxy.getsOf(second))
		}
		time.Sleep(10 * time.Millisecond)
	}
	d.kill()
	pull.Wait()
	proxy.hold.Store("")
	d.start(t, args...)
	if out := strings.TrimSpace(c.ok(t, "images", "-q")); out != "" {
		t.Errorf("images after the killed pull: %q", out)
	}
	out := c.ok(t, "pull", proxy.addr+"/big:v1")
	if n := proxy.getsOf(first); n != 1 {
		t.Errorf("the finished layer was downloaded %d times, want once:\n%s", n, out)
	}
	if !strings.Contains(out, "Downloaded newer image") {
		t.Errorf("resumed pull:\n%s", out)
	}
}
