package image

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/berthproject/berth/internal/archive"
	"github.com/containerd/errdefs"
	"github.com/klauspost/compress/gzip"
	"github.com/opencontainers/go-digest"
)

const (
	// smallFile is the size up to which an archive member is kept in memory
	// until the manifests say what it is (configs, manifests, small layers).
	smallFile = 1 << 20
	// maxInMemory bounds what an archive can make berth hold in memory.
	maxInMemory = 256 << 20
	copyBuffer  = 1 << 20
)

// member is one regular file of an image archive.
type member struct {
	path   string
	data   []byte        // small members
	digest digest.Digest // every member: digest of its bytes
	size   int64
	// stored is set for large members, streamed into the content store as
	// they were read; scan is then their scan as a layer.
	stored bool
	scan   layerScan
}

// archiveReader is an image archive read once, from start to end: small
// members are kept, large ones are already verified blobs in the content
// store, held by the load's lease.
type archiveReader struct {
	members map[string]*member
	links   map[string]string // symlink or hard link path → target path
}

// readArchive reads a docker-archive or OCI layout tar (optionally gzipped)
// from r. Members under blobs/<alg>/ must match the digest their name gives.
func (s *Service) readArchive(ctx context.Context, r io.Reader, l *lease) (*archiveReader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, err := br.Peek(4)
	if len(head) == 0 {
		if err == nil || errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("load: the archive is empty: %w", errdefs.ErrInvalidArgument)
		}
		return nil, fmt.Errorf("load: read archive: %w", err)
	}
	var src io.Reader = br
	if archive.Detect(head) == archive.Gzip {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("load: the archive is not valid gzip: %v: %w", err, errdefs.ErrInvalidArgument)
		}
		defer zr.Close()
		src = zr
	}
	var commits commitGroup
	a, err := s.readMembers(ctx, src, l, &commits)
	if werr := commits.wait(); err == nil {
		err = werr
	}
	return a, err
}

// readMembers reads the tar stream of an archive.
func (s *Service) readMembers(ctx context.Context, src io.Reader, l *lease, commits *commitGroup) (*archiveReader, error) {
	a := &archiveReader{members: map[string]*member{}, links: map[string]string{}}
	tr := tar.NewReader(src)
	buf := make([]byte, copyBuffer)
	var inMemory int64
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, archiveError(err)
		}
		name, err := memberName(hdr.Name)
		if err != nil || name == "" {
			if err != nil {
				return nil, err
			}
			continue
		}
		switch hdr.Typeflag {
		case tar.TypeSymlink:
			a.links[name] = path.Join(path.Dir(name), hdr.Linkname)
		case tar.TypeLink:
			a.links[name] = path.Clean(hdr.Linkname)
		case tar.TypeReg:
			m := &member{path: name, size: hdr.Size}
			if hdr.Size <= smallFile {
				if inMemory += hdr.Size; inMemory > maxInMemory {
					return nil, fmt.Errorf("load: the archive has more than %d MiB of small files: %w", maxInMemory>>20, errdefs.ErrInvalidArgument)
				}
				m.data = make([]byte, hdr.Size)
				if _, err := io.ReadFull(tr, m.data); err != nil {
					return nil, archiveError(err)
				}
				m.digest = digest.FromBytes(m.data)
				if err := checkBlobName(name, m.digest); err != nil {
					return nil, err
				}
			} else if err := s.streamMember(ctx, tr, m, l, buf, commits); err != nil {
				return nil, err
			}
			a.members[name] = m
		}
	}
	return a, nil
}

// streamMember copies a large member into the content store, hashing it
// and scanning it as a layer on the way, so that its bytes are read once.
// The blob's fsync and rename run in the background (commits) while the
// next member is read; readArchive waits for them before it returns.
func (s *Service) streamMember(ctx context.Context, r io.Reader, m *member, l *lease, buf []byte, commits *commitGroup) error {
	w, err := s.cs.Writer(ctx)
	if err != nil {
		return err
	}
	m.scan, err = teeScan(w, r, buf)
	if err != nil {
		w.Close()
		return archiveError(err)
	}
	m.digest = w.Digest()
	if err := checkBlobName(m.path, m.digest); err != nil {
		w.Close()
		return err
	}
	l.hold(m.digest)
	m.stored = true
	commits.run(func() error {
		_, created, err := w.Commit(ctx, m.digest, m.size)
		if created {
			l.addCreated(m.digest)
		}
		return err
	})
	return nil
}

// teeScan copies r into w while scanLayer reads the same bytes.
func teeScan(w io.Writer, r io.Reader, buf []byte) (layerScan, error) {
	pr, pw := io.Pipe()
	scanned := make(chan layerScan, 1)
	go func() { scanned <- scanLayer(pr) }()
	_, err := io.CopyBuffer(io.MultiWriter(w, pw), r, buf)
	pw.Close()
	return <-scanned, err
}

// commitGroup runs blob commits in the background and keeps the first error.
type commitGroup struct {
	wg  sync.WaitGroup
	mu  sync.Mutex
	err error
}

func (g *commitGroup) run(fn func() error) {
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		if err := fn(); err != nil {
			g.mu.Lock()
			if g.err == nil {
				g.err = err
			}
			g.mu.Unlock()
		}
	}()
}

func (g *commitGroup) wait() error {
	g.wg.Wait()
	return g.err
}

// maxSymlinkHops bounds following links between archive members, as the
// kernel's MAXSYMLINKS.
const maxSymlinkHops = 40

// memberName cleans an archive member's name ("" for the root itself); the
// archive is never unpacked, but names with ".." or a leading "/" mean a
// hostile archive.
func memberName(name string) (string, error) {
	name = strings.TrimPrefix(name, "./")
	// umoci and some tar invocations write the root itself as "/".
	if path.Clean(name) == "/" {
		return "", nil
	}
	if strings.HasPrefix(name, "/") || slices.Contains(strings.Split(name, "/"), "..") {
		return "", fmt.Errorf("load: archive member %q: must be a relative path without \"..\": %w", name, errdefs.ErrInvalidArgument)
	}
	if clean := path.Clean(name); clean != "." {
		return clean, nil
	}
	return "", nil
}

// checkBlobName verifies a member stored under blobs/<alg>/<hex>.
func checkBlobName(name string, got digest.Digest) error {
	rest, ok := strings.CutPrefix(name, "blobs/")
	if !ok {
		return nil
	}
	alg, enc, ok := strings.Cut(rest, "/")
	if !ok {
		return nil
	}
	want := digest.NewDigestFromEncoded(digest.Algorithm(alg), enc)
	if want.Validate() != nil {
		return nil
	}
	if want != got {
		return fmt.Errorf("load: blob %s content does not match its digest (got %s): %w", want, got, errdefs.ErrInvalidArgument)
	}
	return nil
}

func archiveError(err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("load: the archive is truncated or is not a tar archive: %w", errdefs.ErrInvalidArgument)
	}
	if errors.Is(err, tar.ErrHeader) || errors.Is(err, gzip.ErrHeader) || errors.Is(err, gzip.ErrChecksum) {
		return fmt.Errorf("load: not a tar archive (or a corrupt one): %v: %w", err, errdefs.ErrInvalidArgument)
	}
	return fmt.Errorf("load: read archive: %w", err)
}

// lookup finds a member by path, following links in the archive.
func (a *archiveReader) lookup(p string) (*member, error) {
	p = path.Clean(strings.TrimPrefix(p, "./"))
	for range maxSymlinkHops {
		if m, ok := a.members[p]; ok {
			return m, nil
		}
		target, ok := a.links[p]
		if !ok {
			break
		}
		p = target
	}
	return nil, fmt.Errorf("load: the archive has no file %q that its manifest names: %w", p, errdefs.ErrInvalidArgument)
}

// blob finds the member blobs/<alg>/<hex> for a digest.
func (a *archiveReader) blob(d digest.Digest) (*member, error) {
	if err := d.Validate(); err != nil {
		return nil, fmt.Errorf("load: invalid digest %q: %w", d, errdefs.ErrInvalidArgument)
	}
	m, ok := a.members["blobs/"+string(d.Algorithm())+"/"+d.Encoded()]
	if !ok {
		return nil, fmt.Errorf("load: the manifest names blob %s, which is missing from the archive: %w", d, errdefs.ErrInvalidArgument)
	}
	return m, nil
}

// layer returns a member's facts as a layer: its scan (made now for a small
// member) and its diffID.
func (m *member) layer() (layerScan, digest.Digest, error) {
	sc := m.scan
	if !m.stored {
		sc = scanLayer(bytes.NewReader(m.data))
	}
	if sc.err != nil {
		return sc, "", fmt.Errorf("load: layer %s: %w", m.path, sc.err)
	}
	diffID := sc.diffID
	if diffID == "" {
		diffID = m.digest
	}
	return sc, diffID, nil
}
