package api

import (
	"context"
	"encoding/json"
	"net/http"
	"net/netip"
	"strings"
	"testing"

	"github.com/containerd/errdefs"
	mobynet "github.com/moby/moby/api/types/network"
)

// fakeNetworks records what the network handlers asked for.
type fakeNetworks struct {
	filters    map[string][]string
	created    mobynet.CreateRequest
	connect    mobynet.ConnectRequest
	disconnect mobynet.DisconnectRequest
	ref        string
}

func (f *fakeNetworks) ListNetworks(_ context.Context, filters map[string][]string) ([]mobynet.Summary, error) {
	f.filters = filters
	return nil, nil
}

func (f *fakeNetworks) InspectNetwork(_ context.Context, ref string) (mobynet.Inspect, error) {
	if ref != "web" {
		return mobynet.Inspect{}, errdefs.ErrNotFound.WithMessage("network " + ref + " not found")
	}
	return mobynet.Inspect{Network: mobynet.Network{Name: "web", ID: "abc", Driver: "bridge"}}, nil
}

func (f *fakeNetworks) CreateNetwork(_ context.Context, req mobynet.CreateRequest) (mobynet.CreateResponse, error) {
	f.created = req
	return mobynet.CreateResponse{ID: "abc"}, nil
}

func (f *fakeNetworks) RemoveNetwork(_ context.Context, ref string) error {
	f.ref = ref
	return errdefs.ErrConflict.WithMessage("network web has active endpoints (app)")
}

func (f *fakeNetworks) ConnectNetwork(_ context.Context, ref string, req mobynet.ConnectRequest) error {
	f.ref, f.connect = ref, req
	return nil
}

func (f *fakeNetworks) DisconnectNetwork(_ context.Context, ref string, req mobynet.DisconnectRequest) error {
	f.ref, f.disconnect = ref, req
	return nil
}

func (f *fakeNetworks) PruneNetworks(_ context.Context, filters map[string][]string) (mobynet.PruneReport, error) {
	f.filters = filters
	return mobynet.PruneReport{}, nil
}

func TestNetworkRoutes(t *testing.T) {
	f := &fakeNetworks{}
	s := NewServer(Config{Images: newFakeImages(), Networks: f, Version: "test"})

	rec := do(t, s, http.MethodGet, `/v1.47/networks?filters={"label":{"a=b":true}}`, "")
	if rec.Code != http.StatusOK || strings.TrimSpace(rec.Body.String()) != "[]" || f.filters["label"][0] != "a=b" {
		t.Errorf("list: %d %q filters %v", rec.Code, rec.Body.String(), f.filters)
	}
	if rec := do(t, s, http.MethodGet, `/networks?filters={"bogus":{"x":true}}`, ""); rec.Code != http.StatusBadRequest {
		t.Errorf("list with an unknown filter: %d", rec.Code)
	}
	rec = do(t, s, http.MethodGet, "/networks/web", "")
	var insp mobynet.Inspect
	if err := json.Unmarshal(rec.Body.Bytes(), &insp); rec.Code != http.StatusOK || err != nil || insp.Name != "web" {
		t.Errorf("inspect: %d %s", rec.Code, rec.Body)
	}
	if rec := do(t, s, http.MethodGet, "/networks/nope", ""); rec.Code != http.StatusNotFound {
		t.Errorf("inspect unknown: %d", rec.Code)
	}
	rec = do(t, s, http.MethodPost, "/networks/create", `{"Name":"web","IPAM":{"Config":[{"Subnet":"10.1.0.0/24"}]},"Internal":true}`)
	if rec.Code != http.StatusCreated || !strings.Contains(rec.Body.String(), `"Id":"abc"`) ||
		f.created.Name != "web" || !f.created.Internal || f.created.IPAM.Config[0].Subnet != netip.MustParsePrefix("10.1.0.0/24") {
		t.Errorf("create: %d %s %+v", rec.Code, rec.Body, f.created)
	}
	if rec := do(t, s, http.MethodPost, "/networks/create", `{"Name":`); rec.Code != http.StatusBadRequest {
		t.Errorf("create with a broken body: %d", rec.Code)
	}
	rec = do(t, s, http.MethodDelete, "/networks/web", "")
	if rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), "app") {
		t.Errorf("remove in use: %d %s", rec.Code, rec.Body)
	}
	rec = do(t, s, http.MethodPost, "/networks/web/connect", `{"Container":"c1","EndpointConfig":{"Aliases":["db"],"IPAMConfig":{"IPv4Address":"10.1.0.9"}}}`)
	if rec.Code != http.StatusOK || f.ref != "web" || f.connect.Container != "c1" || f.connect.EndpointConfig.Aliases[0] != "db" ||
		f.connect.EndpointConfig.IPAMConfig.IPv4Address != netip.MustParseAddr("10.1.0.9") {
		t.Errorf("connect: %d %+v", rec.Code, f.connect)
	}
	rec = do(t, s, http.MethodPost, "/networks/web/disconnect", `{"Container":"c1","Force":true}`)
	if rec.Code != http.StatusOK || f.disconnect.Container != "c1" || !f.disconnect.Force {
		t.Errorf("disconnect: %d %+v", rec.Code, f.disconnect)
	}
	rec = do(t, s, http.MethodPost, `/networks/prune?filters={"until":{"10m":true}}`, "")
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"NetworksDeleted":[]`) || f.filters["until"][0] != "10m" {
		t.Errorf("prune: %d %s", rec.Code, rec.Body)
	}
}
