// Package oci turns an image config and the options of `berth run` into an
// OCI runtime spec, with Docker's defaults: its capability set, masked and
// read-only /proc paths, default seccomp profile, default mounts and
// device rules, and its ENTRYPOINT/CMD/ENV/USER/WORKDIR semantics. The
// runtime consumes the result as is; there is no second config model.
package oci
