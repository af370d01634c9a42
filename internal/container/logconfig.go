package container

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/berthproject/berth/internal/logfile"
	"github.com/containerd/errdefs"
)

// logConfig is where the monitor writes c's output (--log-driver, --log-opt).
func (s *Service) logConfig(c *Container) (logfile.Config, error) {
	lc := c.HostConfig.LogConfig
	cfg := logfile.Config{Driver: lc.Type, Path: filepath.Join(s.bundle(c.ID), c.ID+"-json.log")}
	if cfg.Driver == "" {
		cfg.Driver = logfile.DriverJSONFile
	}
	if cfg.Driver == logfile.DriverLocal {
		cfg.Path = filepath.Join(s.bundle(c.ID), "container.log")
	}
	for k, v := range lc.Config {
		switch k {
		case "max-size":
			n, err := parseSize(v)
			if err != nil || n <= 0 {
				return cfg, fmt.Errorf("invalid log-opt max-size %q: %w", v, errdefs.ErrInvalidArgument)
			}
			cfg.MaxSize = n
		case "max-file":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return cfg, fmt.Errorf("invalid log-opt max-file %q: must be a positive number: %w", v, errdefs.ErrInvalidArgument)
			}
			cfg.MaxFiles = n
		case "compress", "mode", "max-buffer-size", "labels", "env", "tag":
		default:
			return cfg, fmt.Errorf("unknown log opt '%s' for %s log driver: %w", k, cfg.Driver, errdefs.ErrInvalidArgument)
		}
	}
	return cfg, nil
}

// parseSize reads a size as Docker's units.RAMInBytes: 10, 10k, 10m, 1g (binary units).
func parseSize(s string) (int64, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	t = strings.TrimSuffix(strings.TrimSuffix(t, "b"), "i")
	mult := int64(1)
	if n := len(t); n > 0 {
		switch t[n-1] {
		case 'k':
			mult = 1 << 10
		case 'm':
			mult = 1 << 20
		case 'g':
			mult = 1 << 30
		case 't':
			mult = 1 << 40
		}
		if mult > 1 {
			t = t[:n-1]
		}
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || f < 0 {
		return 0, fmt.Errorf("invalid size %q", s)
	}
	return int64(f * float64(mult)), nil
}
