package build

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/berthproject/berth/internal/image"
	"github.com/containerd/errdefs"
	"github.com/distribution/reference"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/opencontainers/go-digest"
)

// buildRun is one build in progress.
type buildRun struct {
	b       *Builder
	opts    Options
	ctx     *buildContext
	df      *dockerfile
	out     io.Writer
	sess    *image.BuildSession
	scratch string

	// tags are the familiar forms of opts.Tags, for the output.
	tags    []string
	stages  []*stage
	metaEnv []string
	// declared are the build args some ARG declares.
	declared    map[string]bool
	cacheFrom   []cacheImage
	step, total int
}

// execute builds the stages the target needs and records the image.
func (r *buildRun) execute(ctx context.Context) (digest.Digest, error) {
	for _, t := range r.opts.Tags {
		ref, err := reference.ParseNormalizedNamed(t)
		if err != nil {
			return "", fmt.Errorf("invalid tag %q: %v: %w", t, err, errdefs.ErrInvalidArgument)
		}
		r.tags = append(r.tags, reference.FamiliarString(reference.TagNameOnly(ref)))
	}
	if err := checkPlatform(r.opts.Platform); err != nil {
		return "", err
	}
	r.declared = map[string]bool{}
	if err := r.expandMetaArgs(); err != nil {
		return "", err
	}
	target, err := r.df.target(r.opts.Target)
	if err != nil {
		return "", err
	}
	need := r.df.needed(target, func(s string) string { v, _ := r.expandMeta(s); return v })
	if len(r.opts.Labels) > 0 {
		keys := slices.Sorted(maps.Keys(r.opts.Labels))
		for _, k := range keys {
			r.df.stages[target].AddCommand(instructions.NewLabelCommand(k, r.opts.Labels[k], true))
		}
	}
	for i, s := range r.df.stages {
		if need[i] {
			r.total += 1 + len(s.Commands)
		}
	}
	if err := r.loadCacheFrom(ctx); err != nil {
		return "", err
	}
	r.stages = make([]*stage, len(r.df.stages))
	for i := range r.df.stages {
		if !need[i] {
			continue
		}
		st, err := r.buildStage(ctx, i)
		if err != nil {
			return "", err
		}
		r.stages[i] = st
	}
	r.warnUnusedArgs()
	// The other stages' results become untagged images, as the classic
	// builder leaves them: their layers stay stored, so the cache entries
	// that name them stay valid (until the images are pruned).
	for i, st := range r.stages {
		if st != nil && i != target && len(st.layers) > 0 {
			if _, err := r.sess.Record(ctx, st.config, st.layers, nil); err != nil {
				return "", err
			}
		}
	}
	final := r.stages[target]
	id, err := r.sess.Record(ctx, final.config, final.layers, r.opts.Tags)
	if err != nil {
		return "", err
	}
	return id, nil
}

// expandMetaArgs gives the ARGs before the first FROM their values.
func (r *buildRun) expandMetaArgs() error {
	for _, a := range r.df.metaArgs {
		for _, kv := range a.Args {
			r.declared[kv.Key] = true
			val, ok := r.buildArg(kv.Key)
			if !ok && kv.Value != nil {
				v, err := r.expandMeta(*kv.Value)
				if err != nil {
					return err
				}
				val, ok = v, true
			}
			if ok {
				r.metaEnv = append(r.metaEnv, kv.Key+"="+val)
			}
		}
	}
	return nil
}

func (r *buildRun) expandMeta(word string) (string, error) {
	res, err := r.df.lex.ProcessWordWithMatches(word, envGetter(r.metaEnv))
	if err != nil {
		return "", fmt.Errorf("%s: %v: %w", r.df.name, err, errdefs.ErrInvalidArgument)
	}
	return res.Result, nil
}

// buildArg is the --build-arg value of key, if given.
func (r *buildRun) buildArg(key string) (string, bool) {
	v, ok := r.opts.BuildArgs[key]
	if !ok || v == nil {
		return "", false
	}
	return *v, true
}

// warnUnusedArgs prints Docker's warning for build args no ARG declared.
func (r *buildRun) warnUnusedArgs() {
	var unused []string
	for k := range r.opts.BuildArgs {
		if !r.declared[k] && !predefinedArgs[k] {
			unused = append(unused, k)
		}
	}
	if len(unused) > 0 {
		sort.Strings(unused)
		fmt.Fprintf(r.out, "[Warning] One or more build-args [%s] were not consumed\n", strings.Join(unused, " "))
	}
}

// predefinedArgs are usable without an ARG and kept out of history.
var predefinedArgs = map[string]bool{
	"HTTP_PROXY": true, "http_proxy": true, "HTTPS_PROXY": true, "https_proxy": true,
	"FTP_PROXY": true, "ftp_proxy": true, "NO_PROXY": true, "no_proxy": true,
	"ALL_PROXY": true, "all_proxy": true,
}
