package testimage

import (
	"archive/tar"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// epoch is the modification time of every entry, so that archives are
// reproducible.
var epoch = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// busyboxPaths are where Debian's busybox-static installs the binary.
var busyboxPaths = []string{"/bin/busybox", "/usr/bin/busybox"}

type busybox struct {
	binary  []byte
	applets []string
}

var (
	bbOnce sync.Once
	bb     busybox
	bbErr  error
)

// loadBusybox reads the host's busybox binary and its applet list once.
func loadBusybox(t testing.TB) busybox {
	t.Helper()
	bbOnce.Do(func() {
		var path string
		for _, p := range busyboxPaths {
			if _, err := os.Stat(p); err == nil {
				path = p
				break
			}
		}
		if path == "" {
			bbErr = os.ErrNotExist
			return
		}
		bb.binary, bbErr = os.ReadFile(path)
		if bbErr != nil {
			return
		}
		out, err := exec.Command(path, "--list").Output()
		if err != nil {
			bbErr = err
			return
		}
		for _, a := range strings.Fields(string(out)) {
			if a != "busybox" && !strings.ContainsAny(a, "/[") {
				bb.applets = append(bb.applets, a)
			}
		}
		sort.Strings(bb.applets)
	})
	if bbErr != nil {
		t.Fatalf("testimage: need a static busybox at %v (apt-get install busybox-static): %v", busyboxPaths, bbErr)
	}
	return bb
}

// entry is one file of the test root filesystem.
type entry struct {
	name     string // relative, no leading slash
	mode     int64
	typ      byte
	linkname string
	data     []byte
}

// rootfsEntries lists the busybox root filesystem in tar order.
func rootfsEntries(t testing.TB) []entry {
	b := loadBusybox(t)
	es := []entry{
		{name: "bin/", mode: 0o755, typ: tar.TypeDir},
		{name: "bin/busybox", mode: 0o755, typ: tar.TypeReg, data: b.binary},
	}
	for _, a := range b.applets {
		es = append(es, entry{name: "bin/" + a, mode: 0o777, typ: tar.TypeSymlink, linkname: "busybox"})
	}
	for _, d := range []string{"dev/", "etc/", "home/", "proc/", "root/", "sys/", "usr/", "var/"} {
		es = append(es, entry{name: d, mode: 0o755, typ: tar.TypeDir})
	}
	es = append(es,
		entry{name: "tmp/", mode: 0o1777, typ: tar.TypeDir},
		entry{name: "etc/passwd", mode: 0o644, typ: tar.TypeReg,
			data: []byte("root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n")},
		entry{name: "etc/group", mode: 0o644, typ: tar.TypeReg,
			data: []byte("root:x:0:\nnogroup:x:65534:\n")},
	)
	return es
}

// BusyboxRootfs fills dir with a busybox root filesystem: bin/busybox, one
// symlink in bin/ per applet (sh, ls, echo, cat, true, sleep, id, ps, …),
// the usual empty top-level directories and a minimal etc/passwd and etc/group.
func BusyboxRootfs(t testing.TB, dir string) {
	t.Helper()
	for _, e := range rootfsEntries(t) {
		p := filepath.Join(dir, e.name)
		var err error
		switch e.typ {
		case tar.TypeDir:
			if err = os.MkdirAll(p, 0o755); err == nil {
				err = os.Chmod(p, os.FileMode(e.mode&0o777)|modeBits(e.mode))
			}
		case tar.TypeReg:
			err = os.WriteFile(p, e.data, os.FileMode(e.mode))
		case tar.TypeSymlink:
			err = os.Symlink(e.linkname, p)
		}
		if err != nil {
			t.Fatalf("testimage: rootfs %s: %v", e.name, err)
		}
	}
}

func modeBits(m int64) os.FileMode {
	if m&0o1000 != 0 {
		return os.ModeSticky
	}
	return 0
}

// RootfsTar returns the busybox root filesystem as an uncompressed tar, the
// input `docker import` takes.
func RootfsTar(t testing.TB) []byte {
	t.Helper()
	return tarOf(t, rootfsEntries(t))
}

// tarOf writes entries as a reproducible tar stream.
func tarOf(t testing.TB, es []entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range es {
		hdr := &tar.Header{
			Name: e.name, Mode: e.mode, Typeflag: e.typ, Linkname: e.linkname,
			Size: int64(len(e.data)), ModTime: epoch, Format: tar.FormatPAX,
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatalf("testimage: tar header %s: %v", e.name, err)
		}
		if _, err := tw.Write(e.data); err != nil {
			t.Fatalf("testimage: tar %s: %v", e.name, err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatalf("testimage: tar close: %v", err)
	}
	return buf.Bytes()
}
