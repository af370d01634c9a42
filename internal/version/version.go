// Package version holds berth's version, shared by the CLI and the daemon
// without either importing the other.
package version

// Version is berth's version; a build may override it at link time with
// -ldflags '-X github.com/berthproject/berth/internal/version.Version=…'.
var Version = "0.1.0-dev"
