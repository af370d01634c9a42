package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"

	"github.com/containerd/errdefs"
	"github.com/moby/moby/client"
	"github.com/moby/moby/client/pkg/jsonmessage"
	"github.com/spf13/cobra"
	"golang.org/x/sys/unix"
)

func newImportCommand(g *globalOptions) *cobra.Command {
	var changes []string
	var message string
	cmd := &cobra.Command{
		Use:   "import [OPTIONS] FILE|- [REPOSITORY[:TAG]]",
		Short: "Import the contents from a tarball to create a filesystem image",
		Long: `Make a one-layer image from a root filesystem tarball (plain, gzip, bzip2,
xz or zstd), read from FILE or, with "-", from standard input. --change
applies Dockerfile instructions to the image's config: CMD, ENTRYPOINT, ENV,
EXPOSE, LABEL, USER, VOLUME, WORKDIR, STOPSIGNAL, ONBUILD.`,
		Example: `  berth import rootfs.tar busybox:latest
  cat rootfs.tar.gz | berth import - example.com/me/tool:v1
  berth import -c 'CMD ["sh"]' -c 'ENV PATH=/bin' -m "made by hand" rootfs.tar mybox`,
		Args: rangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			var src io.Reader = cmd.InOrStdin()
			if args[0] != "-" {
				f, err := os.Open(args[0])
				if err != nil {
					return err
				}
				defer f.Close()
				src = f
			}
			ref := ""
			if len(args) == 2 {
				ref = args[1]
			}
			c, err := g.connect(cmd.Context())
			if err != nil {
				return err
			}
			defer c.Close()
			body, err := c.ImageImport(cmd.Context(), client.ImageImportSource{Source: src, SourceName: "-"}, ref,
				client.ImageImportOptions{Changes: changes, Message: message})
			if err != nil {
				return err
			}
			defer body.Close()
			return jsonmessage.DisplayStream(body, cmd.OutOrStdout())
		},
	}
	cmd.Flags().StringArrayVarP(&changes, "change", "c", nil, "apply Dockerfile instruction to the created image")
	cmd.Flags().StringVarP(&message, "message", "m", "", "set commit message for imported image")
	return cmd
}

func newLoadCommand(g *globalOptions) *cobra.Command {
	var input string
	var quiet bool
	cmd := &cobra.Command{
		Use:   "load [OPTIONS]",
		Short: "Load an image from a tar archive or STDIN",
		Long: `Load images from a docker-archive (what "docker save" and "podman save"
write, plain or gzip) or an OCI image-layout tar (what "skopeo copy …
oci-archive:" writes), from a file (-i) or standard input.`,
		Example: `  berth load -i busybox.tar
  berth load < busybox.tar.gz
  skopeo copy docker-archive:a.tar oci-archive:b.tar && berth load -q -i b.tar`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var src io.Reader = cmd.InOrStdin()
			if input != "" {
				f, err := os.Open(input)
				if err != nil {
					return err
				}
				defer f.Close()
				src = f
			} else if isTerminal(cmd.InOrStdin()) {
				return newUsageError(cmd, "requested load from stdin, but stdin is empty")
			}
			c, err := g.connect(cmd.Context())
			if err != nil {
				return err
			}
			defer c.Close()
			res, err := c.ImageLoad(cmd.Context(), src, client.ImageLoadWithQuiet(quiet))
			if err != nil {
				return err
			}
			defer res.Close()
			return jsonmessage.DisplayStream(res, cmd.OutOrStdout())
		},
	}
	cmd.Flags().StringVarP(&input, "input", "i", "", "read from tar archive file, instead of STDIN")
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "suppress the load output")
	return cmd
}

func newSaveCommand(g *globalOptions) *cobra.Command {
	var output, format string
	cmd := &cobra.Command{
		Use:   "save [OPTIONS] IMAGE [IMAGE...]",
		Short: "Save one or more images to a tar archive (streamed to STDOUT by default)",
		Long: `Write images to a tar archive: a docker-archive by default (what "docker
load" reads), or with --format oci-archive an OCI image layout. The file
given with -o appears only once complete. Standard output must not be a
terminal.`,
		Example: `  berth save -o busybox.tar busybox
  berth save --format oci-archive -o busybox-oci.tar busybox:latest
  berth save busybox | gzip > busybox.tar.gz`,
		Args: minArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			switch format {
			case "docker-archive", "oci-archive":
			default:
				return newUsageError(cmd, "invalid --format %q: use docker-archive or oci-archive", format)
			}
			out := cmd.OutOrStdout()
			if output == "" && isTerminal(out) {
				return newUsageError(cmd, "cowardly refusing to save to a terminal. Use the -o flag or redirect")
			}
			c, err := g.connect(cmd.Context())
			if err != nil {
				return err
			}
			defer c.Close()
			if output == "" {
				return saveTo(cmd.Context(), c, args, format, out)
			}
			return saveToFile(cmd.Context(), c, args, format, output)
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "", "write to a file, instead of STDOUT")
	cmd.Flags().StringVar(&format, "format", "docker-archive", "archive format: docker-archive or oci-archive")
	return cmd
}

// saveToFile writes to a temporary file beside path and renames it, so a
// failed save never leaves a truncated archive under the asked-for name.
func saveToFile(ctx context.Context, c *client.Client, names []string, format, path string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("failed to save image: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := saveTo(ctx, c, names, format, tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	_ = os.Chmod(tmp.Name(), 0o644)
	return os.Rename(tmp.Name(), path)
}

// saveTo streams GET /images/get into w. The moby client's ImageSave has
// no way to ask for berth's format=oci-archive, so this request is made
// by hand over the client's own dialer.
func saveTo(ctx context.Context, c *client.Client, names []string, format string, w io.Writer) error {
	q := url.Values{"names": names}
	if format != "docker-archive" {
		q.Set("format", format)
	}
	hc := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) { return c.Dialer()(ctx) },
	}}
	u := "http://berth/v" + c.ClientVersion() + "/images/get?" + q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return responseError(resp)
	}
	if _, err := io.Copy(w, resp.Body); err != nil {
		return fmt.Errorf("save: %w", err)
	}
	return nil
}

// responseError turns a Docker JSON error response into an error of the
// errdefs class its status stands for.
func responseError(resp *http.Response) error {
	var body struct{ Message string }
	_ = json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&body)
	if body.Message == "" {
		body.Message = resp.Status
	}
	msg := "Error response from daemon: " + body.Message
	switch resp.StatusCode {
	case http.StatusNotFound:
		return errdefs.ErrNotFound.WithMessage(msg)
	case http.StatusBadRequest:
		return errdefs.ErrInvalidArgument.WithMessage(msg)
	case http.StatusConflict:
		return errdefs.ErrConflict.WithMessage(msg)
	}
	return errors.New(msg)
}

// isTerminal reports whether v is a file that is a terminal.
func isTerminal(v any) bool {
	f, ok := v.(*os.File)
	if !ok {
		return false
	}
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}
