package container

import (
	"time"

	containertypes "github.com/moby/moby/api/types/container"
	mobynet "github.com/moby/moby/api/types/network"
)

// Container is a container's persisted record (bucket store.Containers,
// keyed by ID).
type Container struct {
	ID      string    `json:"id"`
	Name    string    `json:"name"` // without Docker's leading "/"
	Created time.Time `json:"created"`
	// Image is the name the user gave; ImageID what it resolved to.
	Image      string                     `json:"image"`
	ImageID    string                     `json:"imageId"`
	Config     *containertypes.Config     `json:"config"`
	HostConfig *containertypes.HostConfig `json:"hostConfig"`
	// Path and Args are the process the container runs (entrypoint+cmd
	// resolved against the image).
	Path   string                      `json:"path"`
	Args   []string                    `json:"args"`
	Mounts []containertypes.MountPoint `json:"mounts,omitempty"`
	// Endpoints are the per-network settings of create's NetworkingConfig
	// (aliases, --ip, --mac-address), by network name.
	Endpoints map[string]*mobynet.EndpointSettings `json:"endpoints,omitempty"`

	State        State `json:"state"`
	RestartCount int   `json:"restartCount"`
	// ManuallyStopped is set by stop/kill from the user: unless-stopped
	// and always policies do not bring such a container back.
	ManuallyStopped bool `json:"manuallyStopped,omitempty"`
	// Anonymous names the anonymous volumes made for this container,
	// removed with it by `rm -v`.
	Anonymous []string `json:"anonymous,omitempty"`
}

// State is the lifecycle state of a container.
type State struct {
	Status     containertypes.ContainerState `json:"status"`
	Pid        int                           `json:"pid,omitempty"`
	ExitCode   int                           `json:"exitCode"`
	Error      string                        `json:"error,omitempty"`
	OOMKilled  bool                          `json:"oomKilled,omitempty"`
	StartedAt  time.Time                     `json:"startedAt"`
	FinishedAt time.Time                     `json:"finishedAt"`
	Health     *containertypes.Health        `json:"health,omitempty"`
}

// running reports whether the container has a live process (paused too).
func (s State) running() bool {
	return s.Status == containertypes.StateRunning || s.Status == containertypes.StatePaused
}
