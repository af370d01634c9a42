package build_test

import (
	"os"
	"syscall"
	"time"
)

// statOwner is a file's uid and gid.
func statOwner(fi os.FileInfo) [2]uint32 {
	if fi == nil {
		return [2]uint32{^uint32(0), ^uint32(0)}
	}
	st := fi.Sys().(*syscall.Stat_t)
	return [2]uint32{st.Uid, st.Gid}
}

func timeNow() time.Time { return time.Now() }
