package oci

import (
	"fmt"

	pathrs "github.com/cyphar/filepath-securejoin/pathrs-lite"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// CreateWorkdir makes the process's working directory in the mounted
// rootfs if the image lacks it, as Docker does at create: owned by root,
// mode 0755, resolved inside the rootfs (a symlink in the image cannot
// point it elsewhere).
func CreateWorkdir(rootfs string, spec *specs.Spec) error {
	if spec.Process == nil || spec.Process.Cwd == "" || spec.Process.Cwd == "/" {
		return nil
	}
	if err := pathrs.MkdirAll(rootfs, spec.Process.Cwd, 0o755); err != nil {
		return fmt.Errorf("create working directory %s: %w", spec.Process.Cwd, err)
	}
	return nil
}
