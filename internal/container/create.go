package container

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"runtime"
	"strings"
	"time"

	"github.com/berthproject/berth/internal/image"
	"github.com/berthproject/berth/internal/snapshot"
	"github.com/containerd/errdefs"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	containertypes "github.com/moby/moby/api/types/container"
	mobynet "github.com/moby/moby/api/types/network"
)

// CreateRequest is POST /containers/create.
type CreateRequest struct {
	Name       string
	Config     *containertypes.Config
	HostConfig *containertypes.HostConfig
	// Networking holds the endpoint settings per network (aliases, IP).
	Networking *mobynet.NetworkingConfig
}

// Create makes a container: resolves its image, unpacks its layers,
// prepares its writable layer and volumes, and records it. On error
// nothing is left behind.
func (s *Service) Create(ctx context.Context, req CreateRequest) (_ containertypes.CreateResponse, err error) {
	resp := containertypes.CreateResponse{Warnings: []string{}}
	if req.Config == nil || req.Config.Image == "" {
		return resp, fmt.Errorf("config.Image is required: %w", errdefs.ErrInvalidArgument)
	}
	cfg := *req.Config
	hc := containertypes.HostConfig{}
	if req.HostConfig != nil {
		hc = *req.HostConfig
	}
	if err := validateHostConfig(&hc); err != nil {
		return resp, err
	}
	if err := s.checkNetwork(&hc); err != nil {
		return resp, err
	}
	img, err := s.cfg.Images.Get(ctx, cfg.Image)
	if err != nil {
		if errdefs.IsNotFound(err) {
			return resp, errdefs.ErrNotFound.WithMessage(fmt.Sprintf("No such image: %s", cfg.Image))
		}
		return resp, err
	}
	if err := mergeImageConfig(&cfg, img); err != nil {
		return resp, err
	}
	if err := validateConfig(&cfg, &hc); err != nil {
		return resp, err
	}
	argv := append(append([]string{}, cfg.Entrypoint...), cfg.Cmd...)
	if len(argv) == 0 {
		return resp, fmt.Errorf("no command specified: %w", errdefs.ErrInvalidArgument)
	}

	id := newID()
	s.mu.Lock()
	name, err := s.reserveNameLocked(req.Name, id)
	s.mu.Unlock()
	if err != nil {
		return resp, err
	}
	var anon []string
	defer func() {
		if err == nil {
			return
		}
		s.mu.Lock()
		delete(s.names, name)
		s.mu.Unlock()
		for _, v := range anon {
			_ = s.cfg.Volumes.Remove(context.WithoutCancel(ctx), v, true)
		}
		_ = s.cfg.Snapshots.Remove(context.WithoutCancel(ctx), id)
	}()

	layers := make([]snapshot.Layer, len(img.Layers))
	for i, l := range img.Layers {
		layers[i] = snapshot.Layer{Blob: l.Digest, DiffID: img.DiffIDs[i]}
	}
	top, err := s.cfg.Snapshots.Unpack(ctx, layers, s.cfg.Blobs)
	if err != nil {
		return resp, fmt.Errorf("unpack image %s: %w", cfg.Image, err)
	}
	if _, err := s.cfg.Snapshots.Prepare(ctx, id, top.String()); err != nil {
		return resp, fmt.Errorf("prepare writable layer: %w", err)
	}
	mps, made, err := s.mountPoints(ctx, &cfg, &hc)
	anon = made
	if err != nil {
		return resp, err
	}
	if cfg.Hostname == "" && !hc.NetworkMode.IsHost() {
		cfg.Hostname = id[:12]
	}
	c := Container{
		ID: id, Name: name, Created: time.Now().UTC(), Image: req.Config.Image, ImageID: img.ID.String(),
		Config: &cfg, HostConfig: &hc, Path: argv[0], Args: argv[1:], Mounts: mps, Anonymous: anon,
		State: State{Status: containertypes.StateCreated},
	}
	if req.Networking != nil {
		c.Endpoints = req.Networking.EndpointsConfig
	}
	if err := s.persist(ctx, c); err != nil {
		return resp, err
	}
	s.mu.Lock()
	s.byID[id] = &entry{c: c, changed: make(chan struct{})}
	s.mu.Unlock()
	s.emit(c, "create", nil)
	resp.ID = id
	return resp, nil
}

// mergeImageConfig fills what the request left empty from the image, as
// Docker does: the merged config is what inspect shows.
func mergeImageConfig(cfg *containertypes.Config, img *image.Image) error {
	ic := img.Config.Config
	if cfg.User == "" {
		cfg.User = ic.User
	}
	if cfg.WorkingDir == "" {
		cfg.WorkingDir = ic.WorkingDir
	}
	if cfg.Entrypoint == nil {
		cfg.Entrypoint = ic.Entrypoint
		if len(cfg.Cmd) == 0 {
			cfg.Cmd = ic.Cmd
		}
	}
	if cfg.StopSignal == "" {
		cfg.StopSignal = ic.StopSignal
	}
	cfg.Env = mergeEnv(ic.Env, cfg.Env)
	if len(ic.Labels) > 0 {
		labels := maps.Clone(ic.Labels)
		maps.Copy(labels, cfg.Labels)
		cfg.Labels = labels
	}
	if cfg.Labels == nil {
		cfg.Labels = map[string]string{}
	}
	for v := range ic.Volumes {
		if cfg.Volumes == nil {
			cfg.Volumes = map[string]struct{}{}
		}
		cfg.Volumes[v] = struct{}{}
	}
	mergeExposedPorts(cfg, ic.ExposedPorts)
	// HEALTHCHECK is Docker's extension of the image config.
	var dimg dockerspec.DockerOCIImage
	if err := json.Unmarshal(img.ConfigBytes, &dimg); err == nil && dimg.Config.Healthcheck != nil {
		hc := *dimg.Config.Healthcheck
		if cfg.Healthcheck != nil {
			if len(cfg.Healthcheck.Test) > 0 {
				hc.Test = cfg.Healthcheck.Test
			}
			for _, f := range []struct{ dst, src *time.Duration }{
				{&hc.Interval, &cfg.Healthcheck.Interval}, {&hc.Timeout, &cfg.Healthcheck.Timeout},
				{&hc.StartPeriod, &cfg.Healthcheck.StartPeriod}, {&hc.StartInterval, &cfg.Healthcheck.StartInterval},
			} {
				if *f.src != 0 {
					*f.dst = *f.src
				}
			}
			if cfg.Healthcheck.Retries != 0 {
				hc.Retries = cfg.Healthcheck.Retries
			}
		}
		cfg.Healthcheck = &hc
	}
	return nil
}

// mergeEnv overlays KEY=VALUE entries on the image's.
func mergeEnv(base, over []string) []string {
	out := append([]string{}, base...)
	for _, e := range over {
		k, _, _ := strings.Cut(e, "=")
		replaced := false
		for i, b := range out {
			if bk, _, _ := strings.Cut(b, "="); bk == k {
				out[i], replaced = e, true
			}
		}
		if !replaced {
			out = append(out, e)
		}
	}
	return out
}

// validateHostConfig rejects what Docker rejects at create, with its words.
func validateHostConfig(hc *containertypes.HostConfig) error {
	r := hc.Resources
	if r.Memory != 0 && r.Memory < 6<<20 {
		return errdefs.ErrInvalidArgument.WithMessage("Minimum memory limit allowed is 6MB")
	}
	if r.MemorySwap > 0 && r.Memory > 0 && r.MemorySwap < r.Memory {
		return errdefs.ErrInvalidArgument.WithMessage("Minimum memoryswap limit should be larger than memory limit, see usage")
	}
	if r.MemoryReservation != 0 && r.Memory != 0 && r.MemoryReservation > r.Memory {
		return errdefs.ErrInvalidArgument.WithMessage("Minimum memory limit can not be less than memory reservation limit, see usage")
	}
	if n := int64(runtime.NumCPU()); r.NanoCPUs < 0 || r.NanoCPUs > n*1e9 {
		return errdefs.ErrInvalidArgument.WithMessage(fmt.Sprintf("Range of CPUs is from 0.01 to %d.00, as there are only %d CPUs available", n, n))
	}
	if r.NanoCPUs > 0 && (r.CPUPeriod > 0 || r.CPUQuota > 0) {
		return errdefs.ErrInvalidArgument.WithMessage("Conflicting options: Nano CPUs and CPU Period/Quota cannot both be set")
	}
	switch p := hc.RestartPolicy; p.Name {
	case "", containertypes.RestartPolicyDisabled, containertypes.RestartPolicyAlways, containertypes.RestartPolicyUnlessStopped:
		if p.MaximumRetryCount != 0 {
			return fmt.Errorf("invalid restart policy: maximum retry count can only be used with 'on-failure': %w", errdefs.ErrInvalidArgument)
		}
	case containertypes.RestartPolicyOnFailure:
		if p.MaximumRetryCount < 0 {
			return fmt.Errorf("invalid restart policy: maximum retry count cannot be negative: %w", errdefs.ErrInvalidArgument)
		}
	default:
		return fmt.Errorf("invalid restart policy: unknown policy '%s'; use one of 'no', 'always', 'on-failure', or 'unless-stopped': %w", p.Name, errdefs.ErrInvalidArgument)
	}
	if hc.AutoRemove && !hc.RestartPolicy.IsNone() {
		return fmt.Errorf("can't create 'AutoRemove' container with restart policy: %w", errdefs.ErrInvalidArgument)
	}
	if hc.LogConfig.Type != "" && hc.LogConfig.Type != "json-file" && hc.LogConfig.Type != "local" && hc.LogConfig.Type != "none" {
		return fmt.Errorf("logger: no log driver named '%s' is registered: %w", hc.LogConfig.Type, errdefs.ErrInvalidArgument)
	}
	return nil
}
