// Package nsenter joins namespaces given by path in a C constructor that runs
// before the Go runtime starts (see nsenter.c). Importing it for its side
// effect is enough; the runtime package sets the environment variables
// (_BERTH_SETNS: colon-separated /proc/<pid>/ns/<type> paths in join order,
// _BERTH_UNSHARE: clone flags to unshare afterwards, _BERTH_SYNC_FD: where to
// report a failure) on its own re-exec only.
package nsenter

/*
#cgo CFLAGS: -Wall
*/
import "C"
