package seccomp

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	libseccomp "github.com/seccomp/libseccomp-golang"
)

// cacheFormat changes whenever what a cache entry holds or how it is keyed
// changes, so stale entries are never read.
const cacheFormat = "berth-seccomp-1"

// CompileCached is Compile with a cache of compiled programs in dir (e.g.
// /run/berth/seccomp: tmpfs, root-only, emptied at boot). Entries are keyed
// by the profile, the libseccomp version and the native architecture, and
// written atomically; an unreadable entry is compiled again. Containers
// started from the same profile (Docker's default) then skip libseccomp.
func CompileCached(cfg *specs.LinuxSeccomp, dir string) (*Program, error) {
	if cfg == nil {
		return Compile(cfg)
	}
	key, err := cacheKey(cfg)
	if err != nil {
		return nil, err
	}
	file := filepath.Join(dir, key+".json")
	if p, err := readCached(file); err == nil {
		return p, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		slog.Debug("seccomp: ignoring cache entry", "file", file, "err", err)
	}
	p, err := Compile(cfg)
	if err != nil {
		return nil, err
	}
	if err := writeCached(dir, file, p); err != nil {
		// A cache that cannot be written only costs time.
		slog.Debug("seccomp: cannot cache program", "file", file, "err", err)
	}
	return p, nil
}

func cacheKey(cfg *specs.LinuxSeccomp) (string, error) {
	profile, err := json.Marshal(cfg)
	if err != nil {
		return "", fmt.Errorf("seccomp: encode profile: %w", err)
	}
	major, minor, micro := libseccomp.GetLibraryVersion()
	arch, err := libseccomp.GetNativeArch()
	if err != nil {
		return "", fmt.Errorf("seccomp: native architecture: %w", err)
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%d.%d.%d\x00%s\x00", cacheFormat, major, minor, micro, arch)
	h.Write(profile)
	return hex.EncodeToString(h.Sum(nil)), nil
}

func readCached(file string) (*Program, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var p Program
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("%w: %w", errBadCache, err)
	}
	if _, err := p.instructions(); err != nil {
		return nil, fmt.Errorf("%w: %w", errBadCache, err)
	}
	return &p, nil
}

func writeCached(dir, file string, p *Program) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), file)
}
