package cli

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/berthproject/berth/internal/build/dockerignore"
	"github.com/moby/patternmatcher"
)

// buildContext opens what `berth build` sends: the context as a tar
// (streamed, never held in memory) and the Dockerfile's name in it. A
// Dockerfile from outside the context, or from stdin (-f -), is added to
// the tar under a name of its own, as the docker CLI does.
func buildContext(ctx context.Context, stdin io.Reader, path, file string) (io.ReadCloser, string, error) {
	if path == "-" {
		if file == "-" {
			return nil, "", errors.New("invalid argument: can't use stdin for both build context and dockerfile")
		}
		// A tar or a bare Dockerfile: the daemon tells them apart.
		return io.NopCloser(bufio.NewReader(stdin)), file, nil
	}
	if strings.Contains(path, "://") {
		return nil, "", fmt.Errorf("unable to prepare context: remote contexts (%s) are not supported", path)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, "", fmt.Errorf("unable to prepare context: path %q not found", path)
	}
	if !fi.IsDir() {
		f, err := os.Open(path)
		return f, file, err
	}
	var extra []byte
	name := file
	switch {
	case file == "-":
		if extra, err = io.ReadAll(io.LimitReader(stdin, 16<<20)); err != nil {
			return nil, "", fmt.Errorf("read Dockerfile from stdin: %w", err)
		}
		name = ".dockerfile." + randomHex()
	case file != "":
		rel, inside := relInside(path, file)
		if inside {
			name = rel
		} else if extra, err = os.ReadFile(file); err != nil {
			return nil, "", fmt.Errorf("unable to prepare context: %w", err)
		} else {
			name = ".dockerfile." + randomHex()
		}
	default:
		name = "Dockerfile"
		if _, err := os.Stat(filepath.Join(path, name)); err != nil {
			return nil, "", fmt.Errorf("unable to prepare context: cannot locate Dockerfile in %s", path)
		}
	}
	pm, err := dockerignore.Load(path, name)
	if err != nil {
		return nil, "", err
	}
	pr, pw := io.Pipe()
	go func() {
		pw.CloseWithError(writeContextTar(ctx, pw, path, name, extra, func(rel string, d fs.DirEntry, excluded bool) bool {
			// The Dockerfile and .dockerignore are always sent.
			return excluded && rel != name && rel != ".dockerignore" && rel != name+".dockerignore"
		}, pm))
	}()
	return pr, name, nil
}

// relInside tells whether file lies inside the context dir, and its name there.
func relInside(dir, file string) (string, bool) {
	if !filepath.IsAbs(file) {
		// -f is relative to the current directory, as Docker's.
		if abs, err := filepath.Abs(file); err == nil {
			file = abs
		}
	}
	absDir, err := filepath.Abs(dir)
	if err != nil {
		return "", false
	}
	rel, err := filepath.Rel(absDir, file)
	if err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
		return "", false
	}
	return filepath.ToSlash(rel), true
}

func writeContextTar(ctx context.Context, w io.Writer, dir, name string, extra []byte, skip func(string, fs.DirEntry, bool) bool, pm *patternmatcher.PatternMatcher) error {
	tw := tar.NewWriter(w)
	err := dockerignore.Walk(ctx, dir, pm, func(rel string, d fs.DirEntry, excluded bool) error {
		if skip(rel, d, excluded) {
			if d.IsDir() && !pm.Exclusions() {
				return filepath.SkipDir
			}
			// An excluded directory is still entered when an exception
			// may bring back something inside, but not sent itself.
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		p := filepath.Join(dir, rel)
		link := ""
		if fi.Mode()&fs.ModeSymlink != 0 {
			if link, err = os.Readlink(p); err != nil {
				return err
			}
		}
		hdr, err := tar.FileInfoHeader(fi, link)
		if err != nil {
			return fmt.Errorf("context: %s: %w", rel, err)
		}
		hdr.Name = filepath.ToSlash(rel)
		if fi.IsDir() {
			hdr.Name += "/"
		}
		// Root-owned, as the docker CLI sends a context: the builder's
		// source digests (Docker's tarsum) include the owner.
		hdr.Uid, hdr.Gid = 0, 0
		hdr.Uname, hdr.Gname = "", ""
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if hdr.Typeflag != tar.TypeReg {
			return nil
		}
		f, err := os.Open(p)
		if err != nil {
			return fmt.Errorf("context: %w", err)
		}
		defer f.Close()
		_, err = io.CopyN(tw, f, hdr.Size)
		return err
	})
	if err != nil {
		return err
	}
	if extra != nil {
		hdr := &tar.Header{Name: name, Mode: 0o644, Size: int64(len(extra)), Typeflag: tar.TypeReg}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if _, err := io.Copy(tw, bytes.NewReader(extra)); err != nil {
			return err
		}
	}
	return tw.Close()
}

func randomHex() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
