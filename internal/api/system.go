package api

import (
	"context"
	"net/http"
	"os"
	"runtime"
	"time"

	"github.com/moby/moby/api/types/swarm"
	"github.com/moby/moby/api/types/system"
)

// HostInfo holds the facts /info reports that do not change while the
// daemon runs; the daemon detects them once at start.
type HostInfo struct {
	ID              string // stable per root
	Name            string // host name
	RootDir         string
	StorageDriver   string
	CgroupDriver    string
	CgroupVersion   string // "1" or "2"
	KernelVersion   string
	OperatingSystem string
	OSVersion       string
	NCPU            int
	MemTotal        int64
	Debug           bool
	SecurityOptions []string
	Warnings        []string
}

func (s *Server) ping(_ context.Context, w http.ResponseWriter, r *http.Request, _ string) error {
	h := w.Header()
	h.Set("API-Version", APIVersion)
	h.Set("Docker-Experimental", "false")
	h.Set("OSType", runtime.GOOS)
	h.Set("Builder-Version", "1")
	h.Set("Cache-Control", "no-cache, no-store, must-revalidate")
	h.Set("Pragma", "no-cache")
	if r.Method == http.MethodHead {
		h.Set("Content-Type", "text/plain; charset=utf-8")
		h.Set("Content-Length", "0")
		w.WriteHeader(http.StatusOK)
		return nil
	}
	h.Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, err := w.Write([]byte("OK"))
	return err
}

func (s *Server) version(_ context.Context, w http.ResponseWriter, _ *http.Request, _ string) error {
	v := system.VersionResponse{
		Platform:      system.PlatformInfo{Name: "berth"},
		Version:       s.cfg.Version,
		APIVersion:    APIVersion,
		MinAPIVersion: MinAPIVersion,
		Os:            runtime.GOOS,
		Arch:          runtime.GOARCH,
		GoVersion:     runtime.Version(),
		KernelVersion: s.cfg.Host.KernelVersion,
		Components: []system.ComponentVersion{{
			Name:    "Engine",
			Version: s.cfg.Version,
			Details: map[string]string{
				"ApiVersion":    APIVersion,
				"MinAPIVersion": MinAPIVersion,
				"Os":            runtime.GOOS,
				"Arch":          runtime.GOARCH,
				"GoVersion":     runtime.Version(),
				"KernelVersion": s.cfg.Host.KernelVersion,
				"Experimental":  "false",
				"GitCommit":     "",
				"BuildTime":     "",
			},
		}},
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) info(ctx context.Context, w http.ResponseWriter, _ *http.Request, _ string) error {
	images, err := s.cfg.Images.Count(ctx)
	if err != nil {
		return err
	}
	h := s.cfg.Host
	info := system.Info{
		ID:                 h.ID,
		Images:             images,
		Driver:             h.StorageDriver,
		DriverStatus:       [][2]string{},
		Plugins:            system.PluginsInfo{Volume: []string{}, Network: []string{}, Log: []string{}},
		Debug:              h.Debug,
		NFd:                countFDs(),
		NGoroutines:        runtime.NumGoroutine(),
		SystemTime:         time.Now().Format(time.RFC3339Nano),
		LoggingDriver:      "json-file",
		CgroupDriver:       h.CgroupDriver,
		CgroupVersion:      h.CgroupVersion,
		KernelVersion:      h.KernelVersion,
		OperatingSystem:    h.OperatingSystem,
		OSVersion:          h.OSVersion,
		OSType:             runtime.GOOS,
		Architecture:       kernelArch(),
		IndexServerAddress: "https://index.docker.io/v1/",
		NCPU:               h.NCPU,
		MemTotal:           h.MemTotal,
		DockerRootDir:      h.RootDir,
		Name:               h.Name,
		Labels:             []string{},
		ServerVersion:      s.cfg.Version,
		Runtimes:           map[string]system.RuntimeWithStatus{},
		Swarm:              swarm.Info{LocalNodeState: swarm.LocalNodeStateInactive},
		SecurityOptions:    h.SecurityOptions,
		Warnings:           h.Warnings,
	}
	writeJSON(w, http.StatusOK, info)
	return nil
}

// countFDs reports the daemon's open file descriptors, as Docker's NFd does.
func countFDs() int {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1
	}
	return len(entries)
}

// kernelArch names the machine as `uname -m` does (Docker reports x86_64, not amd64).
func kernelArch() string {
	switch runtime.GOARCH {
	case "amd64":
		return "x86_64"
	case "arm64":
		return "aarch64"
	}
	return runtime.GOARCH
}
