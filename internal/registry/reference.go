package registry

import (
	"fmt"

	"github.com/containerd/errdefs"
	"github.com/distribution/reference"
)

// Docker Hub's names: the domain in references, the host that serves its
// API, and the key its credentials have in config.json.
const (
	hubDomain  = "docker.io"
	hubHost    = "registry-1.docker.io"
	HubAuthKey = "https://index.docker.io/v1/"
	defaultTag = "latest"
)

// imageRef is a parsed image reference.
type imageRef struct {
	named  reference.Named // fully qualified
	domain string          // as written in the name ("docker.io")
	host   string          // the API host ("registry-1.docker.io")
	path   string          // repository path ("library/busybox")
	tag    string          // "" when digest is set
	digest string
}

// parseRef normalises name as Docker does; with defaultLatest a name
// without tag or digest means ":latest".
func parseRef(name string, defaultLatest bool) (imageRef, error) {
	named, err := reference.ParseNormalizedNamed(name)
	if err != nil {
		return imageRef{}, fmt.Errorf("invalid reference format %q: %v: %w", name, err, errdefs.ErrInvalidArgument)
	}
	if defaultLatest {
		named = reference.TagNameOnly(named)
	}
	r := imageRef{named: named, domain: reference.Domain(named), path: reference.Path(named)}
	r.host = hostOf(r.domain)
	if t, ok := named.(reference.Tagged); ok {
		r.tag = t.Tag()
	}
	if d, ok := named.(reference.Digested); ok {
		r.digest = d.Digest().String()
		r.tag = ""
	}
	return r, nil
}

// hostOf is the API host of a reference's domain.
func hostOf(domain string) string {
	if domain == hubDomain || domain == "index.docker.io" {
		return hubHost
	}
	return domain
}

// repo is the fully qualified repository name ("docker.io/library/busybox").
func (r imageRef) repo() string { return r.domain + "/" + r.path }

// object is the tag or digest the manifest is fetched by.
func (r imageRef) object() string {
	if r.digest != "" {
		return r.digest
	}
	return r.tag
}

// familiar is the name as Docker shows it ("busybox:latest").
func (r imageRef) familiar() string { return reference.FamiliarString(r.named) }

// familiarRepo is the repository as Docker shows it ("busybox").
func (r imageRef) familiarRepo() string { return reference.FamiliarName(r.named) }
