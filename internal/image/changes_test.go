package image

import (
	"slices"
	"testing"

	"github.com/containerd/errdefs"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
)

// TestApplyChange: the instructions `import --change` and `commit --change`
// accept, as Docker does, and the ones they refuse.
func TestApplyChange(t *testing.T) {
	var cfg dockerspec.DockerOCIImageConfig
	for _, ch := range []string{`CMD ["echo","hi"]`, "ENTRYPOINT run me", "ENV A=1 B=two", "ENV C three words", "LABEL k=v",
		"WORKDIR /w", "USER 1000", "EXPOSE 80 53/udp", "VOLUME /a /b", "STOPSIGNAL SIGINT", "ONBUILD RUN echo hi"} {
		if err := ApplyChange(&cfg, ch); err != nil {
			t.Fatalf("%s: %v", ch, err)
		}
	}
	if !slices.Equal(cfg.Cmd, []string{"echo", "hi"}) || !slices.Equal(cfg.Entrypoint, []string{"/bin/sh", "-c", "run me"}) ||
		!slices.Equal(cfg.Env, []string{"A=1", "B=two", "C=three words"}) || cfg.Labels["k"] != "v" || cfg.WorkingDir != "/w" ||
		cfg.User != "1000" || len(cfg.ExposedPorts) != 2 || len(cfg.Volumes) != 2 || cfg.StopSignal != "SIGINT" ||
		!slices.Equal(cfg.OnBuild, []string{"RUN echo hi"}) {
		t.Errorf("config = %+v", cfg)
	}
	for _, bad := range []string{"RUN true", "ENV", "LABEL =x", "FROM busybox"} {
		if err := ApplyChange(&cfg, bad); !errdefs.IsInvalidArgument(err) {
			t.Errorf("%q: err = %v, want invalid argument", bad, err)
		}
	}
}
