package oci

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/containerd/errdefs"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"golang.org/x/sys/unix"
)

// StopSignal is the signal that stops the container: --stop-signal, else
// the image's STOPSIGNAL, else SIGTERM.
func StopSignal(img ocispec.ImageConfig, override string) (unix.Signal, error) {
	s := override
	if s == "" {
		s = img.StopSignal
	}
	if s == "" {
		return unix.SIGTERM, nil
	}
	return ParseSignal(s)
}

// ParseSignal reads a signal as Docker accepts it: "9", "KILL", "SIGKILL",
// "sigkill", "SIGRTMIN+3".
func ParseSignal(s string) (unix.Signal, error) {
	if n, err := strconv.Atoi(s); err == nil {
		if n <= 0 || n > sigRTMax {
			return 0, fmt.Errorf("invalid signal %q: %w", s, errdefs.ErrInvalidArgument)
		}
		return unix.Signal(n), nil
	}
	name := strings.ToUpper(s)
	if !strings.HasPrefix(name, "SIG") {
		name = "SIG" + name
	}
	if rest, ok := strings.CutPrefix(name, "SIGRTMIN"); ok {
		return rtSignal(s, sigRTMin, rest, "+")
	}
	if rest, ok := strings.CutPrefix(name, "SIGRTMAX"); ok {
		return rtSignal(s, sigRTMax, rest, "-")
	}
	if sig := unix.SignalNum(name); sig != 0 {
		return sig, nil
	}
	return 0, fmt.Errorf("invalid signal %q: %w", s, errdefs.ErrInvalidArgument)
}

// Linux's real-time signal range as user space sees it (glibc keeps 32-33).
const (
	sigRTMin = 34
	sigRTMax = 64
)

func rtSignal(orig string, base int, rest, sign string) (unix.Signal, error) {
	if rest == "" {
		return unix.Signal(base), nil
	}
	n, err := strconv.Atoi(strings.TrimPrefix(rest, sign))
	if err != nil || !strings.HasPrefix(rest, sign) || n < 0 || n > sigRTMax-sigRTMin {
		return 0, fmt.Errorf("invalid signal %q: %w", orig, errdefs.ErrInvalidArgument)
	}
	if sign == "-" {
		n = -n
	}
	return unix.Signal(base + n), nil
}
