package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"

	"github.com/distribution/reference"
	registrytypes "github.com/moby/moby/api/types/registry"
	"github.com/moby/moby/client"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/spf13/cobra"
)

func newManifestCommand(g *globalOptions) *cobra.Command {
	group := &cobra.Command{
		Use:   "manifest COMMAND",
		Short: "Inspect image manifests and indexes in a registry",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	var verbose bool
	inspect := &cobra.Command{
		Use:   "inspect [OPTIONS] NAME[:TAG|@DIGEST]",
		Short: "Display an image manifest or image index from a registry",
		Long: `Print the manifest or index NAME names in its registry, as the registry
serves it (indented). With -v, print for each platform its reference,
descriptor, raw bytes and parsed manifest, as "docker manifest inspect -v".`,
		Example: `  berth manifest inspect busybox
  berth manifest inspect -v localhost:5000/app:1`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runManifestInspect(cmd, g, args[0], verbose)
		},
	}
	inspect.Flags().BoolVarP(&verbose, "verbose", "v", false, "output additional info including layers and platform")
	group.AddCommand(inspect)
	return group
}

// rawManifest fetches berth's GET /distribution/{name}/manifest.
func rawManifest(ctx context.Context, c *client.Client, name, auth string) (ocispec.Descriptor, []byte, error) {
	hc := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) { return c.Dialer()(ctx) },
	}}
	u := "http://berth/v" + c.ClientVersion() + "/distribution/" + name + "/manifest"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return ocispec.Descriptor{}, nil, err
	}
	if auth != "" {
		req.Header.Set(registrytypes.AuthHeader, auth)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return ocispec.Descriptor{}, nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return ocispec.Descriptor{}, nil, responseError(resp)
	}
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return ocispec.Descriptor{}, nil, err
	}
	d := ocispec.Descriptor{MediaType: resp.Header.Get("Content-Type"), Size: int64(len(raw))}
	d.Digest, _ = parseDigest(resp.Header.Get("Docker-Content-Digest"))
	return d, raw, nil
}

// verboseEntry is one element of "manifest inspect -v", as Docker prints it.
type verboseEntry struct {
	Ref              string             `json:"Ref"`
	Descriptor       ocispec.Descriptor `json:"Descriptor"`
	Raw              []byte             `json:"Raw"`
	SchemaV2Manifest *json.RawMessage   `json:"SchemaV2Manifest,omitempty"`
	OCIManifest      *json.RawMessage   `json:"OCIManifest,omitempty"`
}

func runManifestInspect(cmd *cobra.Command, g *globalOptions, name string, verbose bool) error {
	named, err := reference.ParseNormalizedNamed(name)
	if err != nil {
		return newUsageError(cmd, "invalid reference format %q: %v", name, err)
	}
	auth, err := authForImage(name)
	if err != nil {
		return err
	}
	c, err := g.connect(cmd.Context())
	if err != nil {
		return err
	}
	defer c.Close()
	desc, raw, err := rawManifest(cmd.Context(), c, name, auth)
	if err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	if !verbose {
		return printIndented(out, raw)
	}
	isIdx := desc.MediaType == ocispec.MediaTypeImageIndex || desc.MediaType == "application/vnd.docker.distribution.manifest.list.v2+json"
	if !isIdx {
		e := entry(reference.TagNameOnly(named).String(), desc, raw)
		return printJSON(out, e)
	}
	var idx ocispec.Index
	if err := json.Unmarshal(raw, &idx); err != nil {
		return fmt.Errorf("index of %s is not valid: %w", name, err)
	}
	entries := []verboseEntry{}
	for _, m := range idx.Manifests {
		ref := named.Name() + "@" + m.Digest.String()
		d, mraw, err := rawManifest(cmd.Context(), c, ref, auth)
		if err != nil {
			return err
		}
		d.Platform, d.Annotations = m.Platform, m.Annotations
		entries = append(entries, entry(ref, d, mraw))
	}
	return printJSON(out, entries)
}

func entry(ref string, d ocispec.Descriptor, raw []byte) verboseEntry {
	e := verboseEntry{Ref: ref, Descriptor: d, Raw: raw}
	m := json.RawMessage(raw)
	if d.MediaType == ocispec.MediaTypeImageManifest {
		e.OCIManifest = &m
	} else {
		e.SchemaV2Manifest = &m
	}
	return e
}

func printIndented(out io.Writer, raw []byte) error {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		_, err = out.Write(raw)
		return err
	}
	return printJSON(out, json.RawMessage(raw))
}

func printJSON(out io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "\t")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(out, string(b))
	return err
}
