// Package archive is the one place berth reads and writes layer tars.
//
// A layer is an OCI layer tar (plain, gzip or zstd): Validate checks one
// without touching the disk, Apply unpacks one into a directory, and Diff and
// DiffTrees turn a changed directory back into a layer. Every path of a
// layer is treated as hostile: names are normalised and checked before
// anything is written, and every write is resolved inside the target
// directory (pathrs-lite handles and *at system calls) so that neither `..`
// nor a symlink can send it elsewhere. docs/storage.md states the rules.
package archive
