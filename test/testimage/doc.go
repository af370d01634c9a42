// Package testimage makes small, real container images for tests, on the
// spot and without a network: a busybox root filesystem taken from Debian's
// busybox-static (/bin/busybox plus its applet symlinks), packed as a rootfs
// tarball, a docker-archive (what `docker save` writes) or an OCI
// image-layout tar (what `skopeo copy … oci-archive:` writes).
//
// Everything is deterministic within one busybox build: the same Options give
// byte-identical archives, so tests may compare digests across calls.
package testimage
