// Package daemon is berth's composition root: it opens the stores, builds the
// services, serves the API and recovers state at start. It holds no feature
// logic of its own.
package daemon

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"strings"

	"github.com/containerd/errdefs"
)

// Defaults for the daemon's flags.
const (
	DefaultHost       = "unix:///run/berth/berth.sock"
	DefaultRoot       = "/var/lib/berth"
	DefaultExecRoot   = "/run/berth"
	DefaultConfigFile = "/etc/berth/daemon.json"
	DefaultLogLevel   = "info"
)

// Config is the daemon's configuration: flags, or the keys of the config
// file, which are named as the flags are.
type Config struct {
	Hosts    []string `json:"hosts,omitempty"`
	Root     string   `json:"root,omitempty"`
	ExecRoot string   `json:"exec-root,omitempty"`
	LogLevel string   `json:"log-level,omitempty"`
	Group    string   `json:"group,omitempty"`
	// Host is accepted as a one-socket alias of Hosts ("host" is the flag's name).
	Host    string `json:"host,omitempty"`
	Version string `json:"-"` // berth's version, for /version
	// Registries (internal/registry): Docker's keys, and where per-registry
	// certificates live (default /etc/berth/certs.d).
	InsecureRegistries []string `json:"insecure-registries,omitempty"`
	RegistryMirrors    []string `json:"registry-mirrors,omitempty"`
	CertsDir           string   `json:"certs-dir,omitempty"`
	// Networks (internal/network): the default network's bridge (default
	// berth0) and berth's nftables table (default berth). Two daemons on
	// one host must use different ones.
	Bridge   string `json:"bridge,omitempty"`
	NftTable string `json:"nft-table,omitempty"`
}

// LoadConfigFile reads a daemon.json. A missing file is not an error when it
// is the default path (required is false); a malformed one always is.
func LoadConfigFile(path string, required bool) (Config, error) {
	var c Config
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) && !required {
			return c, nil
		}
		return c, fmt.Errorf("read config file: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return c, errdefs.ErrInvalidArgument.WithMessage(fmt.Sprintf("config file %s is not valid: %v", path, err))
	}
	if c.Host != "" {
		c.Hosts = append(c.Hosts, c.Host)
		c.Host = ""
	}
	return c, nil
}

// Merge returns c with every field that override sets replaced.
func (c Config) Merge(override Config) Config {
	if len(override.Hosts) > 0 {
		c.Hosts = override.Hosts
	}
	if len(override.InsecureRegistries) > 0 {
		c.InsecureRegistries = override.InsecureRegistries
	}
	if len(override.RegistryMirrors) > 0 {
		c.RegistryMirrors = override.RegistryMirrors
	}
	for _, f := range []struct {
		dst *string
		src string
	}{
		{&c.Root, override.Root}, {&c.ExecRoot, override.ExecRoot},
		{&c.LogLevel, override.LogLevel}, {&c.Group, override.Group}, {&c.Version, override.Version},
		{&c.Bridge, override.Bridge}, {&c.NftTable, override.NftTable}, {&c.CertsDir, override.CertsDir},
	} {
		if f.src != "" {
			*f.dst = f.src
		}
	}
	return c
}

// fill sets the defaults for what neither the flags nor the file set.
func (c Config) fill() Config {
	if len(c.Hosts) == 0 {
		c.Hosts = []string{DefaultHost}
	}
	if c.Root == "" {
		c.Root = DefaultRoot
	}
	if c.ExecRoot == "" {
		c.ExecRoot = DefaultExecRoot
	}
	if c.LogLevel == "" {
		c.LogLevel = DefaultLogLevel
	}
	return c
}

// ParseLogLevel maps --log-level (debug, info, warn, error) to slog.
func ParseLogLevel(s string) (slog.Level, error) {
	var l slog.Level
	if strings.EqualFold(s, "warning") {
		s = "warn"
	}
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return l, errdefs.ErrInvalidArgument.WithMessage(fmt.Sprintf("invalid log level %q: use debug, info, warn or error", s))
	}
	return l, nil
}
