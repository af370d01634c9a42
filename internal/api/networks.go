package api

import (
	"context"
	"net/http"

	mobynet "github.com/moby/moby/api/types/network"
)

// NetworkService is what the network routes need from the daemon's network
// service, in Docker's shapes. An unknown network or container is NotFound,
// bad input InvalidArgument, a network in use or a second connect Conflict,
// a predefined network Forbidden.
type NetworkService interface {
	ListNetworks(ctx context.Context, filters map[string][]string) ([]mobynet.Summary, error)
	InspectNetwork(ctx context.Context, ref string) (mobynet.Inspect, error)
	CreateNetwork(ctx context.Context, req mobynet.CreateRequest) (mobynet.CreateResponse, error)
	RemoveNetwork(ctx context.Context, ref string) error
	ConnectNetwork(ctx context.Context, ref string, req mobynet.ConnectRequest) error
	DisconnectNetwork(ctx context.Context, ref string, req mobynet.DisconnectRequest) error
	PruneNetworks(ctx context.Context, filters map[string][]string) (mobynet.PruneReport, error)
}

// registerNetworkRoutes adds the network routes. A nil service registers none.
func (s *Server) registerNetworkRoutes() {
	if s.cfg.Networks == nil {
		return
	}
	s.exact["GET /networks"] = s.listNetworks
	s.exact["POST /networks/create"] = s.createNetwork
	s.exact["POST /networks/prune"] = s.pruneNetworks
	s.named("/networks/",
		namedRoute{"GET", "", s.inspectNetwork},
		namedRoute{"DELETE", "", s.removeNetwork},
		namedRoute{"POST", "/connect", s.connectNetwork},
		namedRoute{"POST", "/disconnect", s.disconnectNetwork},
	)
}

func (s *Server) listNetworks(ctx context.Context, w http.ResponseWriter, r *http.Request, _ string) error {
	filters, err := parseFilters(r.URL.Query(), "driver", "id", "label", "name", "scope", "type", "dangling")
	if err != nil {
		return err
	}
	list, err := s.cfg.Networks.ListNetworks(ctx, filters)
	if err != nil {
		return err
	}
	if list == nil {
		list = []mobynet.Summary{}
	}
	writeJSON(w, http.StatusOK, list)
	return nil
}

func (s *Server) inspectNetwork(ctx context.Context, w http.ResponseWriter, r *http.Request, name string) error {
	n, err := s.cfg.Networks.InspectNetwork(ctx, name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, n)
	return nil
}

func (s *Server) createNetwork(ctx context.Context, w http.ResponseWriter, r *http.Request, _ string) error {
	var req mobynet.CreateRequest
	if err := decodeBody(r, "network create", &req); err != nil {
		return err
	}
	resp, err := s.cfg.Networks.CreateNetwork(ctx, req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, resp)
	return nil
}

func (s *Server) removeNetwork(ctx context.Context, w http.ResponseWriter, r *http.Request, name string) error {
	if err := s.cfg.Networks.RemoveNetwork(ctx, name); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) connectNetwork(ctx context.Context, w http.ResponseWriter, r *http.Request, name string) error {
	var req mobynet.ConnectRequest
	if err := decodeBody(r, "network connect", &req); err != nil {
		return err
	}
	if err := s.cfg.Networks.ConnectNetwork(ctx, name, req); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

func (s *Server) disconnectNetwork(ctx context.Context, w http.ResponseWriter, r *http.Request, name string) error {
	var req mobynet.DisconnectRequest
	if err := decodeBody(r, "network disconnect", &req); err != nil {
		return err
	}
	if err := s.cfg.Networks.DisconnectNetwork(ctx, name, req); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

func (s *Server) pruneNetworks(ctx context.Context, w http.ResponseWriter, r *http.Request, _ string) error {
	filters, err := parseFilters(r.URL.Query(), "label", "label!", "until")
	if err != nil {
		return err
	}
	report, err := s.cfg.Networks.PruneNetworks(ctx, filters)
	if err != nil {
		return err
	}
	if report.NetworksDeleted == nil {
		report.NetworksDeleted = []string{}
	}
	writeJSON(w, http.StatusOK, report)
	return nil
}
