package api

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// FuzzParseFilters checks that any filters parameter is either rejected
// as invalid or yields only allowed keys, and never panics.
func FuzzParseFilters(f *testing.F) {
	for _, seed := range []string{`{"dangling":{"true":true}}`, `{"reference":["a","b"]}`, `{`, `[]`, `{"x":1}`, `null`} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got, err := parseFilters(url.Values{"filters": {raw}}, "dangling", "reference")
		if err != nil {
			return
		}
		for k := range got {
			if k != "dangling" && k != "reference" {
				t.Fatalf("key %q let through from %q", k, raw)
			}
		}
	})
}

// FuzzRoute sends arbitrary paths through the router: every answer is a
// status the table knows, and version prefixes outside the range are 400.
func FuzzRoute(f *testing.F) {
	for _, seed := range []string{"/_ping", "/v1.50/images/a/b:c/json", "/v1.2/x", "/images//json", "/v/", "/v1.99999999999999999999/info"} {
		f.Add("GET", seed)
	}
	s := NewServer(Config{Images: newFakeImages()})
	f.Fuzz(func(t *testing.T, method, path string) {
		if !strings.HasPrefix(path, "/") || strings.ContainsAny(path, " ?#%\x00\r\n\t") || strings.ContainsAny(method, " \x00\r\n\t/") || method == "" {
			return
		}
		req, err := http.NewRequest(method, "http://berth"+path, nil)
		if err != nil {
			return
		}
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code < 200 || rec.Code > 599 {
			t.Fatalf("%s %s → %d", method, path, rec.Code)
		}
	})
}
