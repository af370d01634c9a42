package api

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	imagetypes "github.com/moby/moby/api/types/image"
)

var busyboxID = "sha256:" + strings.Repeat("b", 64)

func TestImageRoutesWithSlashesAndColons(t *testing.T) {
	s, f := newTestServer(t)
	f.addImage(busyboxID, "docker.io/library/busybox:latest")
	for _, path := range []string{
		"/images/docker.io/library/busybox:latest/json",
		"/v1.50/images/docker.io/library/busybox:latest/json",
		"/images/" + busyboxID + "/json",
	} {
		rec := do(t, s, http.MethodGet, path, "")
		var got imagetypes.InspectResponse
		if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &got) != nil || got.ID != busyboxID {
			t.Errorf("GET %s: %d %s", path, rec.Code, rec.Body.String())
		}
	}
	rec := do(t, s, http.MethodGet, "/images/docker.io/library/busybox:latest/history", "")
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"CreatedBy":"import"`) {
		t.Errorf("history: %d %s", rec.Code, rec.Body.String())
	}
}

func TestErrorClassesMapToStatus(t *testing.T) {
	s, f := newTestServer(t)
	f.addImage(busyboxID, "a:1", "b:1")
	cases := []struct {
		method, path string
		status       int
		message      string
	}{
		{"GET", "/images/nosuch:latest/json", 404, "No such image: nosuch:latest"},
		{"GET", "/images/UPPER/json", 400, "invalid reference format"},
		{"DELETE", "/images/" + busyboxID, 409, "conflict: unable to delete"},
		{"GET", "/images/json?filters=" + url.QueryEscape(`{"bogus":{"x":true}}`), 400, "invalid filter 'bogus'"},
		{"GET", "/images/get?names=nosuch", 404, "No such image: nosuch"},
		{"GET", "/images/a:1/get?format=zip", 400, "invalid format zip"},
		{"POST", "/images/create?fromImage=busybox", 501, "pulling images is not supported yet"},
	}
	for _, c := range cases {
		rec := do(t, s, c.method, c.path, "")
		var e errorResponse
		if rec.Code != c.status || json.Unmarshal(rec.Body.Bytes(), &e) != nil || !strings.HasPrefix(e.Message, c.message) {
			t.Errorf("%s %s: got %d %s, want %d %q", c.method, c.path, rec.Code, rec.Body.String(), c.status, c.message)
		}
		if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
			t.Errorf("%s %s: Content-Type %q", c.method, c.path, ct)
		}
	}
}

func TestListFiltersBothEncodings(t *testing.T) {
	s, f := newTestServer(t)
	want := map[string][]string{"dangling": {"true"}, "reference": {"a*", "busybox"}}
	for _, raw := range []string{
		`{"dangling":{"true":true},"reference":{"busybox":true,"a*":true}}`,
		`{"dangling":["true"],"reference":["a*","busybox"]}`,
	} {
		rec := do(t, s, "GET", "/images/json?all=1&filters="+url.QueryEscape(raw), "")
		if rec.Code != 200 || strings.TrimSpace(rec.Body.String()) != "[]" {
			t.Fatalf("list: %d %q", rec.Code, rec.Body.String())
		}
		if !f.lastList.All || !cmp.Equal(f.lastList.Filters, want) {
			t.Errorf("filters %s → %+v", raw, f.lastList)
		}
	}
}

func TestTagRemovePrune(t *testing.T) {
	s, f := newTestServer(t)
	f.addImage(busyboxID, "docker.io/library/busybox:latest")
	rec := do(t, s, "POST", "/images/docker.io/library/busybox:latest/tag?repo=example.com/me/bb&tag=v1", "")
	if rec.Code != http.StatusCreated || f.tags["example.com/me/bb:v1"] != busyboxID {
		t.Fatalf("tag: %d %s %v", rec.Code, rec.Body.String(), f.tags)
	}
	rec = do(t, s, "DELETE", "/images/example.com/me/bb:v1?force=1&noprune=true", "")
	var del []imagetypes.DeleteResponse
	if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &del) != nil || del[0].Untagged != "example.com/me/bb:v1" {
		t.Fatalf("rmi: %d %s", rec.Code, rec.Body.String())
	}
	if !f.lastRemove.force || !f.lastRemove.noPrune {
		t.Errorf("remove flags %+v", f.lastRemove)
	}
	rec = do(t, s, "POST", "/images/prune?filters="+url.QueryEscape(`{"dangling":{"false":true},"until":{"24h":true}}`), "")
	if rec.Code != 200 || !f.lastPrune.all || !cmp.Equal(f.lastPrune.filters, map[string][]string{"until": {"24h"}}) {
		t.Errorf("prune: %d %s %+v", rec.Code, rec.Body.String(), f.lastPrune)
	}
}

func TestImportLoadSaveStreams(t *testing.T) {
	s, f := newTestServer(t)
	f.addImage(busyboxID, "busybox:latest")
	q := url.Values{"fromSrc": {"-"}, "repo": {"me/img"}, "tag": {"v2"}, "message": {"hello"}, "changes": {`CMD ["sh"]`, "ENV A=b"}}
	rec := do(t, s, "POST", "/images/create?"+q.Encode(), "ROOTFS")
	want := `{"status":"sha256:` + strings.Repeat("1", 64) + `"}`
	if rec.Code != 200 || strings.TrimSpace(rec.Body.String()) != want {
		t.Errorf("import: %d %s", rec.Code, rec.Body.String())
	}
	if f.importBody != "ROOTFS" || f.lastImport.Ref != "me/img:v2" || f.lastImport.Message != "hello" || len(f.lastImport.Changes) != 2 {
		t.Errorf("import got %+v body %q", f.lastImport, f.importBody)
	}

	f.loadResult = []string{"busybox:latest", busyboxID}
	rec = do(t, s, "POST", "/images/load?quiet=1", "TAR")
	wantLoad := `{"stream":"Loaded image: busybox:latest\n"}` + "\n" + `{"stream":"Loaded image ID: ` + busyboxID + `\n"}` + "\n"
	if rec.Code != 200 || rec.Body.String() != wantLoad || rec.Header().Get("Content-Type") != "application/json" {
		t.Errorf("load: %d %q", rec.Code, rec.Body.String())
	}

	rec = do(t, s, "GET", "/images/get?names=busybox:latest&names="+busyboxID+"&format=oci-archive", "")
	if rec.Code != 200 || rec.Body.String() != "TAR:busybox:latest,"+busyboxID || f.lastFormat != "oci-archive" ||
		rec.Header().Get("Content-Type") != "application/x-tar" {
		t.Errorf("save: %d %q %q", rec.Code, rec.Body.String(), f.lastFormat)
	}
	rec = do(t, s, "GET", "/v1.50/images/busybox:latest/get", "")
	if rec.Code != 200 || rec.Body.String() != "TAR:busybox:latest" || f.lastFormat != "" {
		t.Errorf("save one: %d %q", rec.Code, rec.Body.String())
	}
}
