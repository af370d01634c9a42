package harness

import (
	"net/http"
	"testing"
)

func TestStartRegistryServesTheV2API(t *testing.T) {
	r := StartRegistry(t, RegistryOptions{})
	resp, err := http.Get("http://" + r.Addr + "/v2/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /v2/: %s", resp.Status)
	}
}
