// Package binpath finds berth's own binaries (berthd, berth-shim,
// berth-runc, berth-init), which one binary runs or hands to a container.
package binpath

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/containerd/errdefs"
)

// Find returns the path of the binary name: beside the running executable
// first (make install and make build put berth's binaries together, and a
// build from one tree must not pick an older install), else on $PATH.
func Find(name string) (string, error) {
	if p, ok := Beside(name); ok {
		return p, nil
	}
	p, err := exec.LookPath(name)
	if err != nil {
		return "", fmt.Errorf("find %s: neither beside this executable nor on $PATH: %w", name, errdefs.ErrNotFound)
	}
	return p, nil
}

// Beside returns name's path in the running executable's directory, if
// a file is there.
func Beside(name string) (string, bool) {
	self, err := os.Executable()
	if err != nil {
		return "", false
	}
	p := filepath.Join(filepath.Dir(self), name)
	if _, err := os.Stat(p); err != nil {
		return "", false
	}
	return p, true
}
