package e2e

import (
	"os"
	"strings"
	"testing"
)

// needDocker skips when the docker CLI is not installed.
func needDocker(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(dockerBin); err != nil {
		t.Skipf("the docker CLI is not at %s", dockerBin)
	}
}

func TestDockerCLIVersionAndInfo(t *testing.T) {
	needDocker(t)
	d := startDaemon(t)
	r := d.docker(t, nil, "version", "--format", "{{.Server.Version}}|{{.Server.APIVersion}}|{{.Client.APIVersion}}")
	if r.code != 0 {
		t.Fatalf("docker version: %s", r)
	}
	parts := strings.Split(strings.TrimSpace(r.stdout), "|")
	// The docker CLI negotiates down to the highest version both speak.
	if len(parts) != 3 || parts[0] == "" || parts[1] != "1.56" || parts[2] == "" || parts[2] > "1.56" {
		t.Errorf("docker version = %q", r.stdout)
	}
	r = d.docker(t, nil, "info", "--format", "{{.Images}}|{{.Driver}}|{{.DockerRootDir}}|{{.CgroupDriver}}")
	if r.code != 0 || strings.TrimSpace(r.stdout) != "0|overlay2|"+d.root+"|cgroupfs" {
		t.Errorf("docker info: %s", r)
	}
	r = d.docker(t, nil, "info")
	if r.code != 0 || !strings.Contains(r.stdout, "Docker Root Dir: "+d.root) || strings.Contains(r.stderr, "rror") {
		t.Errorf("docker info: %s", r)
	}
}
