package api

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/berthproject/berth/internal/registry"
	"github.com/containerd/errdefs"
	registrytypes "github.com/moby/moby/api/types/registry"
)

// fakeRegistry records what the handlers asked for and replays progress.
type fakeRegistry struct {
	name     string
	pull     registry.PullOptions
	push     registry.PushOptions
	progress []registry.Progress
	err      error
}

func (f *fakeRegistry) Pull(_ context.Context, name string, opts registry.PullOptions, p registry.ProgressFunc) error {
	f.name, f.pull = name, opts
	for _, m := range f.progress {
		p(m)
	}
	return f.err
}

func (f *fakeRegistry) Push(_ context.Context, name string, opts registry.PushOptions, p registry.ProgressFunc) error {
	f.name, f.push = name, opts
	for _, m := range f.progress {
		p(m)
	}
	return f.err
}

func (f *fakeRegistry) Login(_ context.Context, a registrytypes.AuthConfig) (registrytypes.AuthResponse, error) {
	if a.Password != "right" {
		return registrytypes.AuthResponse{}, errdefs.ErrUnauthenticated.WithMessage("authentication failed for registry " + a.ServerAddress)
	}
	return registrytypes.AuthResponse{Status: "Login Succeeded"}, nil
}

func (f *fakeRegistry) GetManifest(context.Context, string, registrytypes.AuthConfig) (registry.Manifest, error) {
	return registry.Manifest{}, f.err
}

func registryServer(f *fakeRegistry) *Server {
	return NewServer(Config{Images: newFakeImages(), Registry: f, Version: "test"})
}

func TestPullRequestForms(t *testing.T) {
	for _, tc := range []struct {
		query, name string
		all         bool
	}{
		{"fromImage=busybox&tag=latest", "busybox:latest", false},
		{"fromImage=busybox&tag=sha256:" + strings.Repeat("a", 64), "busybox@sha256:" + strings.Repeat("a", 64), false},
		{"fromImage=localhost:5000/a/b", "localhost:5000/a/b", true},
		{"fromImage=localhost:5000/a/b:v1", "localhost:5000/a/b:v1", false},
		{"fromImage=busybox&tag=1&platform=linux/arm64", "busybox:1", false},
	} {
		f := &fakeRegistry{}
		rec := do(t, registryServer(f), http.MethodPost, "/images/create?"+tc.query, "")
		if rec.Code != http.StatusOK || f.name != tc.name || f.pull.All != tc.all {
			t.Errorf("%s: %d, pulled %q all=%v; want %q all=%v", tc.query, rec.Code, f.name, f.pull.All, tc.name, tc.all)
		}
	}
}

func TestPullStreamsProgressAndErrors(t *testing.T) {
	auth, _ := json.Marshal(registrytypes.AuthConfig{Username: "alice", Password: "pw"})
	f := &fakeRegistry{progress: []registry.Progress{
		{ID: "latest", Status: "Pulling from library/busybox"},
		{ID: "abc", Status: "Downloading", Current: 5, Total: 10, Detail: true},
	}, err: errdefs.ErrInvalidArgument.WithMessage("blob does not match its digest")}
	req := httptest.NewRequest(http.MethodPost, "/images/create?fromImage=busybox&tag=latest", nil)
	req.Header.Set(registrytypes.AuthHeader, base64.URLEncoding.EncodeToString(auth))
	rec := httptest.NewRecorder()
	registryServer(f).ServeHTTP(rec, req)
	if f.pull.Auth.Username != "alice" || f.pull.Auth.Password != "pw" {
		t.Errorf("credentials reached the service as %+v", f.pull.Auth)
	}
	lines := strings.Split(strings.TrimSpace(rec.Body.String()), "\n")
	want := []string{
		`{"status":"Pulling from library/busybox","progressDetail":{},"id":"latest"}`,
		`{"status":"Downloading","progressDetail":{"current":5,"total":10},"id":"abc"}`,
		`{"errorDetail":{"message":"blob does not match its digest"},"error":"blob does not match its digest"}`,
	}
	if rec.Code != http.StatusOK || strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("stream: %d\n%s", rec.Code, rec.Body.String())
	}

	// Before any progress, a failure keeps its status; a refused login is
	// a denial for pulls (the docker CLI answers 401 with a Hub login prompt).
	for err, status := range map[error]int{
		errdefs.ErrNotFound.WithMessage("manifest unknown"):             http.StatusNotFound,
		errdefs.ErrUnauthenticated.WithMessage("authentication failed"): http.StatusForbidden,
		errdefs.ErrUnavailable.WithMessage("cannot reach registry"):     http.StatusServiceUnavailable,
	} {
		rec := do(t, registryServer(&fakeRegistry{err: err}), http.MethodPost, "/images/create?fromImage=x&tag=1", "")
		if rec.Code != status {
			t.Errorf("%v: status %d, want %d", err, rec.Code, status)
		}
	}
	req = httptest.NewRequest(http.MethodPost, "/images/create?fromImage=x&tag=1", nil)
	req.Header.Set(registrytypes.AuthHeader, "%%%")
	rec = httptest.NewRecorder()
	registryServer(&fakeRegistry{}).ServeHTTP(rec, req)
	if rec.Code != http.StatusBadRequest {
		t.Errorf("bad X-Registry-Auth: %d %s", rec.Code, rec.Body.String())
	}
}

func TestPushAndLoginRoutes(t *testing.T) {
	f := &fakeRegistry{}
	if rec := do(t, registryServer(f), http.MethodPost, "/images/localhost:5000/a/b/push?tag=v1", ""); rec.Code != 200 || f.name != "localhost:5000/a/b:v1" || f.push.All {
		t.Errorf("push: %d %q %+v", rec.Code, f.name, f.push)
	}
	if rec := do(t, registryServer(f), http.MethodPost, "/images/localhost:5000/a/b/push", ""); rec.Code != 200 || !f.push.All {
		t.Errorf("push without tag should push all tags: %d %+v", rec.Code, f.push)
	}
	rec := do(t, registryServer(f), http.MethodPost, "/auth", `{"username":"u","password":"right","serveraddress":"r.example"}`)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"Status":"Login Succeeded"`) {
		t.Errorf("login: %d %s", rec.Code, rec.Body.String())
	}
	rec = do(t, registryServer(f), http.MethodPost, "/auth", `{"username":"u","password":"wrong","serveraddress":"r.example"}`)
	if rec.Code != http.StatusUnauthorized || !strings.Contains(rec.Body.String(), "r.example") {
		t.Errorf("bad login: %d %s", rec.Code, rec.Body.String())
	}
}

func FuzzRegistryAuthHeader(f *testing.F) {
	f.Add(base64.URLEncoding.EncodeToString([]byte(`{"username":"a","password":"b"}`)))
	f.Add("null")
	f.Add("%%%")
	f.Fuzz(func(t *testing.T, h string) {
		req := httptest.NewRequest(http.MethodPost, "/images/create", nil)
		req.Header.Set(registrytypes.AuthHeader, h)
		if _, err := registryAuth(req); err != nil && !errdefs.IsInvalidArgument(err) {
			t.Fatalf("registryAuth(%q) = %v, want an invalid-argument error", h, err)
		}
	})
}
