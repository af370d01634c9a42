// Package container is berth's container service: the lifecycle state
// machine of Docker's containers (created → running ⇄ paused → exited,
// restarting, removing), their records in the metadata store, their
// bundles under <root>/containers/<id>/, restart policies, exec, logs,
// attach and wait.
//
// The processes themselves run under the container monitor (berth-shim),
// reached through the Monitor interface, so they outlive the daemon. On
// start the service reconciles its records with the monitor's List (live
// restore): a container the monitor still runs stays running, one that
// exited meanwhile is recorded as exited with the monitor's exit code, and
// one the monitor no longer knows is recorded as exited with a reason.
//
// Writable layers are snapshots keyed by the container ID: made at
// create, mounted at <bundle>/rootfs for each run, kept across stop and
// start, removed with the container.
package container
