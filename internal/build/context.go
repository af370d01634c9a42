package build

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/berthproject/berth/internal/archive"
	"github.com/berthproject/berth/internal/build/dockerignore"
	"github.com/containerd/errdefs"
	securejoin "github.com/cyphar/filepath-securejoin"
)

// buildContext is the unpacked build context.
type buildContext struct {
	dir            string
	dockerfileName string
	dockerfile     []byte
	// sums are the tarsums of the context's tar entries by name: what
	// Docker names COPY and ADD sources by in history.
	sums map[string]string
}

// maxDockerfile bounds a Dockerfile read into memory.
const maxDockerfile = 16 << 20

// openContext unpacks body into dir: a tar (plain, gzip or zstd) is
// streamed to disk through the layer unpacker, which keeps every entry
// inside dir; anything else is taken as the Dockerfile itself, with an
// empty context (`docker build - < Dockerfile`). Files .dockerignore
// excludes are removed once the Dockerfile is read.
func openContext(ctx context.Context, body io.Reader, dockerfile, dir string) (*buildContext, error) {
	if dockerfile == "" {
		dockerfile = "Dockerfile"
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	br := bufio.NewReaderSize(body, 64<<10)
	head, err := br.Peek(512)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("read build context: %w", err)
	}
	if len(head) == 0 {
		return nil, fmt.Errorf("the build context is empty: send a tar of the context or a Dockerfile: %w", errdefs.ErrInvalidArgument)
	}
	bc := &buildContext{dir: dir, dockerfileName: dockerfile}
	if !isArchive(head) {
		data, err := io.ReadAll(io.LimitReader(br, maxDockerfile))
		if err != nil {
			return nil, fmt.Errorf("read Dockerfile: %w", err)
		}
		bc.dockerfile, bc.dockerfileName = data, "Dockerfile"
		return bc, nil
	}
	sums, err := unpackContext(ctx, dir, br)
	if err != nil {
		return nil, err
	}
	bc.sums = sums
	p, err := securejoin.SecureJoin(dir, dockerfile)
	if err == nil {
		bc.dockerfile, err = readLimited(p)
	}
	if err != nil {
		return nil, fmt.Errorf("cannot locate specified Dockerfile: %s: %w", dockerfile, errdefs.ErrInvalidArgument)
	}
	if err := applyDockerignore(ctx, dir, dockerfile); err != nil {
		return nil, err
	}
	return bc, nil
}

// unpackContext unpacks the context's tar into dir and returns the tarsum
// of each entry, digested from the same bytes as they stream past.
func unpackContext(ctx context.Context, dir string, r io.Reader) (map[string]string, error) {
	tr, err := archive.Decompress(r)
	if err != nil {
		return nil, fmt.Errorf("unpack build context: %w", err)
	}
	defer tr.Close()
	pr, pw := io.Pipe()
	done := make(chan map[string]string, 1)
	go func() { done <- tarSums(pr) }()
	_, err = archive.Apply(ctx, dir, io.TeeReader(tr, pw), archive.ApplyOptions{Whiteouts: archive.WhiteoutKeep})
	if err == nil {
		// The tar's end blocks, which the unpacker may leave unread.
		_, err = io.Copy(pw, tr)
	}
	pw.Close()
	sums := <-done
	if err != nil {
		return nil, fmt.Errorf("unpack build context: %w", err)
	}
	return sums, nil
}

func readLimited(p string) ([]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, maxDockerfile))
}

// isArchive tells a tar (or a compressed stream) from a bare Dockerfile.
func isArchive(head []byte) bool {
	if archive.Detect(head) != archive.Uncompressed {
		return true
	}
	return len(head) >= 262 && bytes.HasPrefix(head[257:], []byte("ustar"))
}

// applyDockerignore removes from dir what the context's .dockerignore
// excludes (the docker CLI has left it out already; other clients may not).
func applyDockerignore(ctx context.Context, dir, dockerfile string) error {
	pm, err := dockerignore.Load(dir, dockerfile)
	if err != nil || pm == nil {
		return err
	}
	return dockerignore.Walk(ctx, dir, pm, func(rel string, d fs.DirEntry, excluded bool) error {
		if !excluded || (d.IsDir() && pm.Exclusions()) {
			return nil
		}
		if err := os.RemoveAll(filepath.Join(dir, rel)); err != nil {
			return err
		}
		if d.IsDir() {
			return filepath.SkipDir
		}
		return nil
	})
}
