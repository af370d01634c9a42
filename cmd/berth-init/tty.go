package main

import (
	"syscall"
	"unsafe"
)

// unixIoctlGetPgrp is TIOCGPGRP on fd: it fails unless fd is a terminal.
func unixIoctlGetPgrp(fd int) (int, error) {
	var pgrp int32
	_, _, errno := syscall.Syscall(syscall.SYS_IOCTL, uintptr(fd), uintptr(syscall.TIOCGPGRP), uintptr(unsafe.Pointer(&pgrp)))
	if errno != 0 {
		return 0, errno
	}
	return int(pgrp), nil
}
