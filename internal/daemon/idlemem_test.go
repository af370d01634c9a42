package daemon

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// The releaser frees memory once at start-up and again after each burst of
// requests has ended.
func TestMemoryReleaserReleasesAfterRequests(t *testing.T) {
	var ended atomic.Bool
	released := make(chan bool, 16)
	m := newMemoryReleaser(10*time.Millisecond, func() { released <- ended.Load() })
	t.Cleanup(m.stop)

	waitRelease := func(what string) bool {
		t.Helper()
		select {
		case afterEnd := <-released:
			return afterEnd
		case <-time.After(30 * time.Second):
			t.Fatalf("no release %s", what)
			return false
		}
	}
	waitRelease("after start-up")

	var served atomic.Int32
	h := m.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/_ping", nil))
	ended.Store(true)
	if rec.Code != http.StatusNoContent || served.Load() != 1 {
		t.Fatalf("wrapped handler: code %d, served %d times", rec.Code, served.Load())
	}
	// A slow machine may release while the request runs; one release must
	// still follow its end.
	for !waitRelease("after the request ended") {
	}
}
