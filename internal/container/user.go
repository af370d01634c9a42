package container

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/containerd/errdefs"
	securejoin "github.com/cyphar/filepath-securejoin"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// lookupUser resolves exec -u "name|uid[:group|gid]" inside rootfs.
func lookupUser(rootfs, spec string) (specs.User, error) {
	userPart, groupPart, hasGroup := strings.Cut(spec, ":")
	var u specs.User
	uid, err := strconv.ParseUint(userPart, 10, 32)
	if err == nil {
		u.UID, u.GID = uint32(uid), uint32(uid)
		if f, ok := findEntry(rootfs, "/etc/passwd", func(fs []string) bool { return len(fs) > 3 && fs[2] == userPart }); ok {
			gid, _ := strconv.ParseUint(f[3], 10, 32)
			u.GID = uint32(gid)
		}
	} else {
		f, ok := findEntry(rootfs, "/etc/passwd", func(fs []string) bool { return len(fs) > 3 && fs[0] == userPart })
		if !ok {
			return u, fmt.Errorf("unable to find user %s: no matching entries in passwd file: %w", userPart, errdefs.ErrInvalidArgument)
		}
		uid, _ := strconv.ParseUint(f[2], 10, 32)
		gid, _ := strconv.ParseUint(f[3], 10, 32)
		u.UID, u.GID = uint32(uid), uint32(gid)
	}
	if hasGroup {
		gid, err := strconv.ParseUint(groupPart, 10, 32)
		if err != nil {
			f, ok := findEntry(rootfs, "/etc/group", func(fs []string) bool { return len(fs) > 2 && fs[0] == groupPart })
			if !ok {
				return u, fmt.Errorf("unable to find group %s: no matching entries in group file: %w", groupPart, errdefs.ErrInvalidArgument)
			}
			gid, _ = strconv.ParseUint(f[2], 10, 32)
		}
		u.GID = uint32(gid)
	}
	return u, nil
}

func findEntry(rootfs, file string, match func([]string) bool) ([]string, bool) {
	p, err := securejoin.SecureJoin(rootfs, file)
	if err != nil {
		return nil, false
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Split(sc.Text(), ":")
		if match(fs) {
			return fs, true
		}
	}
	return nil, false
}
