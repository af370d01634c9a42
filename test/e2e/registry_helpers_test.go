package e2e

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/berthproject/berth/test/harness"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// testRegistry is Debian's docker-registry (the CNCF distribution
// registry) on a free loopback port, with a scratch storage directory
// (harness.StartRegistry).
type testRegistry struct {
	addr string // 127.0.0.1:PORT
	dir  string
}

// registryOptions are harness.RegistryOptions in the suite's names.
type registryOptions struct {
	certFile, keyFile string // TLS when set
	clientCAs         string // client certificates required when set
	auth              string // YAML under "auth:", indented by 2
}

func needRegistry(t *testing.T) {
	t.Helper()
	needRoot(t)
	harness.NeedRegistry(t)
}

func regFreePort(t *testing.T) int {
	t.Helper()
	return harness.FreePort(t)
}

// startRegistry starts a registry and waits until it answers; it is killed
// when the test ends.
func startRegistry(t *testing.T, o registryOptions) *testRegistry {
	t.Helper()
	needRegistry(t)
	r := harness.StartRegistry(t, harness.RegistryOptions{CertFile: o.certFile, KeyFile: o.keyFile, ClientCAs: o.clientCAs, Auth: o.auth})
	return &testRegistry{addr: r.Addr, dir: r.Dir}
}

// startRegistryDaemon starts a berth daemon whose config file holds cfg
// (daemon.json keys).
func startRegistryDaemon(t *testing.T, cfg map[string]any) *daemon {
	t.Helper()
	needRoot(t)
	d := newDaemonDirs(t)
	d.start(t, registryDaemonArgs(t, cfg)...)
	return d
}

// registryDaemonArgs writes cfg as a daemon config file and returns the
// daemon flags that use it.
func registryDaemonArgs(t *testing.T, cfg map[string]any) []string {
	t.Helper()
	b, _ := json.Marshal(cfg)
	p := filepath.Join(t.TempDir(), "daemon.json")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return []string{"--config-file", p}
}

// regClient is the berth CLI with its own Docker config directory, so that
// login never touches the host's ~/.docker.
type regClient struct {
	d      *daemon
	config string
	env    []string // more environment, e.g. PATH for credential helpers
}

func newRegClient(t *testing.T, d *daemon) *regClient {
	return &regClient{d: d, config: filepath.Join(t.TempDir(), "docker-config")}
}

func (c *regClient) run(t *testing.T, stdin io.Reader, args ...string) result {
	t.Helper()
	return runCmd(t, stdin, append([]string{"BERTH_HOST=" + c.d.host, "DOCKER_CONFIG=" + c.config}, c.env...), berthBin(), args...)
}

func (c *regClient) ok(t *testing.T, args ...string) string {
	t.Helper()
	r := c.run(t, nil, args...)
	if r.code != 0 {
		t.Fatalf("berth %s: %s", strings.Join(args, " "), r)
	}
	return r.stdout
}

// docker runs the docker CLI against the berth daemon with this config dir.
func (c *regClient) docker(t *testing.T, stdin io.Reader, args ...string) result {
	t.Helper()
	return runCmd(t, stdin, []string{"DOCKER_HOST=" + c.d.host, "DOCKER_CONFIG=" + c.config, "HOME=" + filepath.Dir(c.config)}, dockerBin, args...)
}

// fails runs berth, expects a failure and returns its output.
func (c *regClient) fails(t *testing.T, args ...string) result {
	t.Helper()
	r := c.run(t, nil, args...)
	if r.code == 0 {
		t.Fatalf("berth %s succeeded, want a failure: %s", strings.Join(args, " "), r)
	}
	return r
}

// --- building images directly in a registry, over its HTTP API ---

// upload puts a blob into repo of an unauthenticated plain-HTTP registry.
func (r *testRegistry) upload(t *testing.T, repo string, data []byte) ocispec.Descriptor {
	t.Helper()
	d := digest.FromBytes(data)
	resp, err := http.Post("http://"+r.addr+"/v2/"+repo+"/blobs/uploads/", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := resp.Location()
	if err != nil || resp.StatusCode != http.StatusAccepted {
		t.Fatalf("start upload: %v %s", err, resp.Status)
	}
	q := loc.Query()
	q.Set("digest", d.String())
	loc.RawQuery = q.Encode()
	req, _ := http.NewRequest(http.MethodPut, loc.String(), bytes.NewReader(data))
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("upload blob: %s", resp.Status)
	}
	return ocispec.Descriptor{Digest: d, Size: int64(len(data))}
}

// putManifest puts a manifest or index under ref (a tag or digest).
func (r *testRegistry) putManifest(t *testing.T, repo, ref, mediaType string, v any) ocispec.Descriptor {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPut, "http://"+r.addr+"/v2/"+repo+"/manifests/"+ref, bytes.NewReader(b))
	req.Header.Set("Content-Type", mediaType)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("put manifest %s:%s: %s %s", repo, ref, resp.Status, body)
	}
	return ocispec.Descriptor{MediaType: mediaType, Digest: digest.FromBytes(b), Size: int64(len(b))}
}

// layer is a gzipped tar of one file of n random bytes, and its diffID.
func regRandomLayer(t *testing.T, name string, n int) ([]byte, digest.Digest) {
	t.Helper()
	content := make([]byte, n)
	rand.Read(content)
	var tb bytes.Buffer
	tw := tar.NewWriter(&tb)
	tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(n), Typeflag: tar.TypeReg, ModTime: time.Unix(0, 0)})
	tw.Write(content)
	tw.Close()
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestSpeed)
	zw.Write(tb.Bytes())
	zw.Close()
	return gz.Bytes(), digest.FromBytes(tb.Bytes())
}

// pushImage builds an image of layers for arch in repo and returns its
// manifest's descriptor (not tagged unless tag is set).
func (r *testRegistry) pushImage(t *testing.T, repo, tag, arch string, layers [][]byte, diffIDs []digest.Digest, layerType string) ocispec.Descriptor {
	t.Helper()
	cfg := ocispec.Image{Platform: ocispec.Platform{OS: "linux", Architecture: arch},
		RootFS: ocispec.RootFS{Type: "layers", DiffIDs: diffIDs},
		Config: ocispec.ImageConfig{Cmd: []string{"sh"}}}
	cb, _ := json.Marshal(cfg)
	cd := r.upload(t, repo, cb)
	cd.MediaType = ocispec.MediaTypeImageConfig
	m := ocispec.Manifest{MediaType: ocispec.MediaTypeImageManifest, Config: cd}
	m.SchemaVersion = 2
	for _, l := range layers {
		ld := r.upload(t, repo, l)
		ld.MediaType = layerType
		m.Layers = append(m.Layers, ld)
	}
	ref := tag
	if ref == "" {
		b, _ := json.Marshal(m)
		ref = digest.FromBytes(b).String()
	}
	return r.putManifest(t, repo, ref, ocispec.MediaTypeImageManifest, m)
}

func regWriteFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
