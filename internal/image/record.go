package image

import (
	"time"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// record is an image as stored in the metadata database.
type record struct {
	ID digest.Digest `json:"id"`
	// RepoTags and RepoDigests are fully qualified
	// ("docker.io/library/busybox:latest").
	RepoTags    []string `json:"repoTags,omitempty"`
	RepoDigests []string `json:"repoDigests,omitempty"`
	// Manifest is the image manifest blob; Index, when set, the image index
	// it was selected from (an OCI layout's index.json entry).
	Manifest ocispec.Descriptor   `json:"manifest"`
	Index    *ocispec.Descriptor  `json:"index,omitempty"`
	Config   ocispec.Descriptor   `json:"config"`
	Layers   []ocispec.Descriptor `json:"layers"`
	DiffIDs  []digest.Digest      `json:"diffIDs"`
	// LayerSizes are the uncompressed sizes of the layers.
	LayerSizes  []int64   `json:"layerSizes"`
	Created     time.Time `json:"created"`
	Loaded      time.Time `json:"loaded"`
	LastTagTime time.Time `json:"lastTagTime,omitzero"`
}

// blobs lists every blob the image needs.
func (r record) blobs() []digest.Digest {
	ds := []digest.Digest{r.Manifest.Digest, r.Config.Digest}
	if r.Index != nil {
		ds = append(ds, r.Index.Digest)
	}
	for _, l := range r.Layers {
		ds = append(ds, l.Digest)
	}
	return ds
}

// size is the image size as Docker reports it: the uncompressed layers.
func (r record) size() int64 {
	var n int64
	for _, s := range r.LayerSizes {
		n += s
	}
	return n
}
