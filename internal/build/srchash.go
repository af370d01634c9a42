package build

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	securejoin "github.com/cyphar/filepath-securejoin"
	"github.com/moby/go-archive"
)

// fileHasher is the tarsum of the file at rel (a path relative to the
// sources' root; symlinks on it resolve inside the root, the last one
// too, as Docker follows them).
type fileHasher func(rel string) (string, error)

// contextHasher digests files of the build context by the sums taken from
// its tar as it arrived. A path the tar did not hold (the context root)
// is named by itself, as Docker does.
func contextHasher(root string, sums map[string]string) fileHasher {
	return func(rel string) (string, error) {
		full, err := securejoin.SecureJoin(root, rel)
		if err != nil {
			return "", err
		}
		followed, err := filepath.Rel(root, full)
		if err != nil {
			return "", err
		}
		if s, ok := sums[filepath.ToSlash(followed)]; ok {
			return s, nil
		}
		return rel, nil
	}
}

// diskHasher digests files from disk (a stage's or an image's root, a
// download) with the header Docker makes for them: go-archive's, with the
// owner, the mode bits and the file capability.
func diskHasher(root string) fileHasher {
	return func(rel string) (string, error) {
		full, err := securejoin.SecureJoin(root, rel)
		if err != nil {
			return "", err
		}
		name, err := filepath.Rel(root, full)
		if err != nil {
			return "", err
		}
		fi, err := os.Lstat(full)
		if err != nil {
			// A dangling link: Docker names it by its resolved path.
			return name, nil
		}
		var link string
		if fi.Mode()&fs.ModeSymlink != 0 {
			if link, err = os.Readlink(full); err != nil {
				return "", err
			}
		}
		hdr, err := archive.FileInfoHeader(name, fi, link)
		if err != nil {
			return "", err
		}
		if err := archive.ReadSecurityXattrToTarHeader(full, hdr); err != nil {
			return "", err
		}
		h := sha256.New()
		writeTarsumHeader(h, hdr)
		if fi.Mode().IsRegular() && fi.Size() > 0 {
			f, err := os.Open(full)
			if err != nil {
				return "", err
			}
			defer f.Close()
			if _, err := io.Copy(h, f); err != nil {
				return "", fmt.Errorf("digest %s: %w", name, err)
			}
		}
		return hex.EncodeToString(h.Sum(nil)), nil
	}
}

// sourcesDigest names the sources of a COPY or ADD as Docker's history
// does: "file:<tarsum>" for one file; "dir:<hex>" for one directory, the
// sha256 of the sorted tarsums of it and everything below it (the root
// itself left out), joined by commas; "multi:<hex>" for several sources,
// the same over their names in order. A downloaded file (downloaded) is
// named by its bare tarsum, as Docker names ADD <url>'s.
func sourcesDigest(root string, hashFile fileHasher, srcs []source, downloaded bool) (string, error) {
	var names []string
	for _, s := range srcs {
		rel, err := filepath.Rel(root, s.host)
		if err != nil {
			return "", err
		}
		if !s.isDir {
			sum, err := hashFile(rel)
			if err != nil {
				return "", fmt.Errorf("digest source %s: %w", rel, err)
			}
			if !downloaded {
				sum = "file:" + sum
			}
			names = append(names, sum)
			continue
		}
		var sums []string
		err = filepath.WalkDir(s.host, func(p string, _ fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			r, err := filepath.Rel(root, p)
			if err != nil || r == "." {
				return err
			}
			// Docker skips what it cannot digest.
			if sum, err := hashFile(r); err == nil {
				sums = append(sums, sum)
			}
			return nil
		})
		if err != nil {
			return "", fmt.Errorf("read source %s: %w", s.name, err)
		}
		slices.Sort(sums)
		names = append(names, hashStrings("dir", sums))
	}
	if len(names) == 1 {
		return names[0], nil
	}
	return hashStrings("multi", names), nil
}

// hashStrings is Docker's digest of a list: sha256 of its items joined by
// commas, after a kind prefix.
func hashStrings(kind string, items []string) string {
	sum := sha256.Sum256([]byte(strings.Join(items, ",")))
	return kind + ":" + hex.EncodeToString(sum[:])
}
