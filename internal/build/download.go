package build

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"time"

	"github.com/containerd/errdefs"
)

// downloadTimeout bounds one ADD <url> fetch.
const downloadTimeout = 60 * time.Second

// download fetches ADD's URLs into a directory of the build's scratch
// space; files are named after the URL's last path element and get mode
// 0600 and the Last-Modified time, as Docker gives them.
func (r *buildRun) download(ctx context.Context, urls []string) (string, []string, error) {
	dir, err := os.MkdirTemp(r.scratch, "download-")
	if err != nil {
		return "", nil, err
	}
	var names []string
	for _, u := range urls {
		name, err := fetch(ctx, u, dir)
		if err != nil {
			return "", nil, err
		}
		names = append(names, name)
	}
	return dir, names, nil
}

func fetch(ctx context.Context, rawURL, dir string) (string, error) {
	pu, err := url.Parse(rawURL)
	if err != nil {
		return "", fmt.Errorf("ADD %s: invalid URL: %v: %w", rawURL, err, errdefs.ErrInvalidArgument)
	}
	name := path.Base(pu.Path)
	if name == "/" || name == "." || name == "" {
		name = "download"
	}
	ctx, cancel := context.WithTimeout(ctx, downloadTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return "", fmt.Errorf("ADD %s: %v: %w", rawURL, err, errdefs.ErrInvalidArgument)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("ADD failed: cannot download %s: %v: %w", rawURL, err, errdefs.ErrUnavailable)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return "", fmt.Errorf("ADD failed: cannot download %s: server answered %s: %w", rawURL, resp.Status, errdefs.ErrUnavailable)
	}
	p := filepath.Join(dir, name)
	f, err := os.OpenFile(p, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return "", fmt.Errorf("ADD %s: %w", rawURL, err)
	}
	_, err = io.Copy(f, resp.Body)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", fmt.Errorf("ADD failed: downloading %s: %w", rawURL, err)
	}
	if lm, err := http.ParseTime(resp.Header.Get("Last-Modified")); err == nil {
		_ = os.Chtimes(p, lm, lm)
	}
	return name, nil
}
