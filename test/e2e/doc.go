// Package e2e holds berth's black-box end-to-end tests: they drive the
// binaries in $BERTH_BINDIR and the daemon's socket, nothing else.
package e2e
