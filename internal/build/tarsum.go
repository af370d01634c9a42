package build

import (
	"archive/tar"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"path"
	"sort"
	"strconv"
	"strings"
)

// Docker's classic builder names a COPY or ADD source in its history
// entry ("COPY file:<hex> in /app ") by the "tarsum v1" digest of each
// file: sha256 over selected tar header fields and then the content.
// Docker takes these digests from the context's tar as it arrives; the
// files of a stage, an image or a download it digests from disk. berth
// does both the same way, so that the entries are Docker's byte for byte.

// writeTarsumHeader writes the header fields tarsum v1 digests: those of
// v0 without the modification time, user and group names blanked (as
// Docker's tarsum does since Go 1.10 filled them in), then the extended
// attributes sorted by name.
func writeTarsumHeader(w io.Writer, h *tar.Header) {
	fields := [][2]string{
		{"name", h.Name},
		{"mode", strconv.FormatInt(h.Mode, 10)},
		{"uid", strconv.Itoa(h.Uid)},
		{"gid", strconv.Itoa(h.Gid)},
		{"size", strconv.FormatInt(h.Size, 10)},
		{"typeflag", string([]byte{h.Typeflag})},
		{"linkname", h.Linkname},
		{"uname", ""},
		{"gname", ""},
		{"devmajor", strconv.FormatInt(h.Devmajor, 10)},
		{"devminor", strconv.FormatInt(h.Devminor, 10)},
	}
	const schily = "SCHILY.xattr."
	var xattrs [][2]string
	for k, v := range h.PAXRecords {
		if name, ok := strings.CutPrefix(k, schily); ok {
			xattrs = append(xattrs, [2]string{name, v})
		}
	}
	sort.Slice(xattrs, func(i, j int) bool { return xattrs[i][0] < xattrs[j][0] })
	for _, f := range append(fields, xattrs...) {
		_, _ = io.WriteString(w, f[0]+f[1])
	}
}

// tarSums reads a tar stream to its end and returns the tarsum of every
// entry by its clean relative name ("dir/f"); the first of two entries of
// one name wins, as Docker's lookup finds it. A damaged stream ends the
// sums where it breaks: the unpacker, reading the same bytes, reports it.
func tarSums(r io.Reader) map[string]string {
	sums := map[string]string{}
	tr := tar.NewReader(r)
	var h hash.Hash
	for {
		hdr, err := tr.Next()
		if err != nil {
			break
		}
		h = sha256.New()
		writeTarsumHeader(h, hdr)
		if _, err := io.Copy(h, tr); err != nil && !errors.Is(err, io.EOF) {
			break
		}
		name := path.Join(".", path.Join("/", hdr.Name))
		if _, seen := sums[name]; !seen {
			sums[name] = hex.EncodeToString(h.Sum(nil))
		}
	}
	_, _ = io.Copy(io.Discard, r)
	return sums
}
