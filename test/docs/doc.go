// Package docs runs the examples of the manual pages in docs/ against a
// scratch berth daemon, so that what the pages show is what berth does.
//
// A runnable example is a fenced block whose info string is `console`.
// Inside it, a line starting with "$ " is a command (a trailing backslash
// continues it on the next line); the lines after it, up to the next
// command, are what the command prints (standard output and error, as a
// terminal shows them). A command that exits non-zero fails the example
// unless the next command is `echo $?`, which then shows the status.
//
// Expected output is compared line by line, with runs of blanks matching any
// run of blanks (so tables may be realigned) and these placeholders:
//
//	<id>      a 12- or 64-digit hex ID
//	<digest>  sha256: and 64 hex digits
//	<size>    a size as Docker prints it: 2.13MB, 512B, 1.5kB
//	<time>    a time: "2 hours ago", "Less than a second ago", RFC 3339
//	<n>       a number (a pid, a count, a port)
//	<ip>      an IPv4 address
//	<...>     any text within the line
//	...       alone on a line: any number of lines, none included
//
// Every block runs as one bash script (shell variables carry from one
// command to the next) in a scratch directory holding busybox.tar (a
// docker-archive of busybox:latest) and rootfs/ (a busybox root
// filesystem), with berth and docker pointed at a daemon of its own on which
// busybox:latest is already loaded. Blocks with any other info string
// (`sh`, none) are not run. BERTH_DOCS_DIR names another directory of pages
// to run instead of docs/ (drafts).
package docs
