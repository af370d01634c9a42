package daemon

import (
	"testing"

	"golang.org/x/sys/unix"
)

type owner struct{ uid, gid uint32 }

func statOwner(t *testing.T, path string) owner {
	t.Helper()
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		t.Fatal(err)
	}
	return owner{st.Uid, st.Gid}
}
