// Package harness is what berth's black-box suites (test/e2e, test/docs)
// start and drive: a scratch berth daemon on a root, exec-root, socket,
// bridge and nftables table of its own, the local CNCF registry
// (docker-registry) on a free loopback port, and commands run with a clean
// environment whose output and exit code are captured.
//
// Everything it starts is ended in t.Cleanup, also when the test fails:
// a daemon's containers are removed, the daemon stopped and the container
// monitors under its exec-root killed; a registry is killed. Logs are
// printed only for failed tests.
package harness
