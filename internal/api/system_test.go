package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/moby/moby/api/types/system"
)

func newTestServer(t *testing.T) (*Server, *fakeImages) {
	t.Helper()
	f := newFakeImages()
	return NewServer(Config{Images: f, Version: "test", Host: HostInfo{ID: "id-1", RootDir: "/r", CgroupVersion: "2", NCPU: 2}}), f
}

func do(t *testing.T, s *Server, method, path string, body string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	return rec
}

func TestPingHeaders(t *testing.T) {
	s, _ := newTestServer(t)
	for _, method := range []string{http.MethodGet, http.MethodHead} {
		for _, path := range []string{"/_ping", "/v1.50/_ping", "/v1.24/_ping"} {
			rec := do(t, s, method, path, "")
			if rec.Code != http.StatusOK {
				t.Fatalf("%s %s: status %d", method, path, rec.Code)
			}
			if got := rec.Header().Get("API-Version"); got != APIVersion {
				t.Errorf("%s %s: API-Version %q, want %q", method, path, got, APIVersion)
			}
			if rec.Header().Get("OSType") != "linux" || rec.Header().Get("Cache-Control") == "" {
				t.Errorf("%s %s: headers %v", method, path, rec.Header())
			}
			if method == http.MethodGet && rec.Body.String() != "OK" {
				t.Errorf("GET %s body %q, want OK", path, rec.Body.String())
			}
		}
	}
}

func TestVersionPrefixRejected(t *testing.T) {
	s, _ := newTestServer(t)
	for path, want := range map[string]string{
		"/v1.23/version": "client version 1.23 is too old. Minimum supported API version is 1.24",
		"/v1.99/version": "client version 1.99 is too new. Maximum supported API version is " + APIVersion,
	} {
		rec := do(t, s, http.MethodGet, path, "")
		if rec.Code != http.StatusBadRequest {
			t.Fatalf("%s: status %d, want 400", path, rec.Code)
		}
		var e errorResponse
		if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || !strings.HasPrefix(e.Message, want) {
			t.Errorf("%s: message %q (%v), want prefix %q", path, e.Message, err, want)
		}
	}
}

func TestVersionAndInfo(t *testing.T) {
	s, f := newTestServer(t)
	f.addImage("sha256:"+strings.Repeat("a", 64), "docker.io/library/busybox:latest")
	var v system.VersionResponse
	rec := do(t, s, http.MethodGet, "/v1.50/version", "")
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatal(err)
	}
	if v.APIVersion != APIVersion || v.MinAPIVersion != MinAPIVersion || v.Version != "test" {
		t.Errorf("version = %+v", v)
	}
	var info system.Info
	rec = do(t, s, http.MethodGet, "/info", "")
	if err := json.Unmarshal(rec.Body.Bytes(), &info); err != nil {
		t.Fatal(err)
	}
	if info.Images != 1 || info.ID != "id-1" || info.DockerRootDir != "/r" || info.CgroupVersion != "2" || info.NCPU != 2 {
		t.Errorf("info = %+v", info)
	}
}

func TestUnknownRoute(t *testing.T) {
	s, _ := newTestServer(t)
	rec := do(t, s, http.MethodGet, "/nope", "")
	if rec.Code != http.StatusNotFound || !strings.Contains(rec.Body.String(), `"message":"page not found"`) {
		t.Errorf("got %d %s", rec.Code, rec.Body.String())
	}
}
