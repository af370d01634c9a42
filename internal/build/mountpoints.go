package build

import (
	"os"

	securejoin "github.com/cyphar/filepath-securejoin"
)

// mountpoints are the paths a RUN container mounts over; the runtime
// creates those the image lacks, and Docker leaves them out of the layer.
var mountpoints = []string{"dev", "proc", "sys", "etc/hosts", "etc/resolv.conf", "etc/hostname"}

// missingMountpoints lists the mount points absent from rootfs.
func missingMountpoints(rootfs string) []string {
	var missing []string
	for _, m := range mountpoints {
		p, err := securejoin.SecureJoin(rootfs, m)
		if err != nil {
			continue
		}
		if _, err := os.Lstat(p); os.IsNotExist(err) {
			missing = append(missing, p)
		}
	}
	return missing
}

// removeCreated removes those of paths the step left empty: created
// only in the writable layer, they vanish without a whiteout.
func removeCreated(paths []string) {
	for _, p := range paths {
		if fi, err := os.Lstat(p); err == nil && (fi.IsDir() || fi.Size() == 0) {
			_ = os.Remove(p)
		}
	}
}
