package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The real docker CLI logs in, pushes, pulls and logs out through berth.
func TestRegistryDockerCLI(t *testing.T) {
	needDocker(t)
	reg := startRegistry(t, registryOptions{auth: htpasswdAuth(t, "alice", "s3cret")})
	d := startRegistryDaemon(t, map[string]any{"insecure-registries": []string{reg.addr}})
	c := newRegClient(t, d)
	importBusybox(t, d, "busybox:latest")
	ref := reg.addr + "/docker/busybox:1"

	r := c.docker(t, strings.NewReader("s3cret\n"), "login", "-u", "alice", "--password-stdin", reg.addr)
	if r.code != 0 || !strings.Contains(r.stdout, "Login Succeeded") {
		t.Fatalf("docker login: %s", r)
	}
	if r := c.docker(t, nil, "tag", "busybox", ref); r.code != 0 {
		t.Fatalf("docker tag: %s", r)
	}
	r = c.docker(t, nil, "push", ref)
	if r.code != 0 || !strings.Contains(r.stdout, "1: digest: sha256:") {
		t.Fatalf("docker push: %s", r)
	}
	if r := c.docker(t, nil, "rmi", ref); r.code != 0 {
		t.Fatalf("docker rmi: %s", r)
	}
	r = c.docker(t, nil, "pull", ref)
	if r.code != 0 || !strings.Contains(r.stdout, "Status: Downloaded newer image for "+ref) {
		t.Fatalf("docker pull: %s", r)
	}
	// berth's CLI reads the credentials the docker CLI stored.
	if out := c.ok(t, "pull", ref); !strings.Contains(out, "Image is up to date") {
		t.Errorf("berth pull with docker's credentials:\n%s", out)
	}
	if r := c.docker(t, nil, "logout", reg.addr); r.code != 0 {
		t.Fatalf("docker logout: %s", r)
	}
	c.ok(t, "rmi", ref)
	if r := c.docker(t, nil, "pull", ref); r.code == 0 || !strings.Contains(r.stderr, "authentication failed for registry "+reg.addr) {
		t.Errorf("docker pull after logout: %s", r)
	}
	// berth's CLI reads the same config.json.
	if r := c.fails(t, "pull", ref); !strings.Contains(r.stderr, "authentication failed") {
		t.Errorf("pull after docker logout: %s", r)
	}
}

// credsStore names a credential helper: login stores through it, pull
// reads from it, logout erases, and config.json holds no secret.
func TestRegistryCredentialHelper(t *testing.T) {
	reg := startRegistry(t, registryOptions{auth: htpasswdAuth(t, "alice", "s3cret")})
	d := startRegistryDaemon(t, map[string]any{"insecure-registries": []string{reg.addr}})
	c := newRegClient(t, d)
	bin, secrets := t.TempDir(), t.TempDir()
	// A helper speaking the docker-credential-helpers protocol, keeping
	// each server's credentials in a file.
	helper := `#!/bin/sh
set -e
dir=` + secrets + `
case "$1" in
store) in=$(cat); url=$(printf '%s' "$in" | sed 's/.*"ServerURL":"\([^"]*\)".*/\1/'); printf '%s' "$in" > "$dir/$(echo "$url" | tr '/:' '__')";;
get) read url || true; f="$dir/$(echo "$url" | tr '/:' '__')"; if [ -f "$f" ]; then cat "$f"; else echo "credentials not found in native keychain"; exit 1; fi;;
erase) read url || true; rm -f "$dir/$(echo "$url" | tr '/:' '__')";;
list) echo '{}';;
esac
`
	if err := os.WriteFile(filepath.Join(bin, "docker-credential-berthtest"), []byte(helper), 0o755); err != nil {
		t.Fatal(err)
	}
	c.env = []string{"PATH=" + bin + ":" + os.Getenv("PATH")}
	os.MkdirAll(c.config, 0o700)
	regWriteFile(t, filepath.Join(c.config, "config.json"), []byte(`{"credsStore":"berthtest"}`))

	importBusybox(t, d, "busybox:latest")
	ref := reg.addr + "/helper/busybox:1"
	c.ok(t, "tag", "busybox", ref)
	if r := c.run(t, strings.NewReader("s3cret"), "login", "-u", "alice", "--password-stdin", reg.addr); r.code != 0 {
		t.Fatalf("login: %s", r)
	}
	b, _ := os.ReadFile(filepath.Join(c.config, "config.json"))
	if strings.Contains(string(b), "s3cret") || strings.Contains(string(b), "YWxpY2U6czNjcmV0") {
		t.Errorf("config.json holds the secret despite credsStore: %s", b)
	}
	var cfg map[string]any
	if json.Unmarshal(b, &cfg) != nil || cfg["credsStore"] != "berthtest" {
		t.Errorf("config.json lost credsStore: %s", b)
	}
	entries, _ := os.ReadDir(secrets)
	if len(entries) != 1 {
		t.Fatalf("the helper holds %d credentials, want 1", len(entries))
	}
	c.ok(t, "push", ref)
	c.ok(t, "logout", reg.addr)
	if entries, _ := os.ReadDir(secrets); len(entries) != 0 {
		t.Errorf("logout left the helper's credentials")
	}
	if r := c.fails(t, "push", ref); !strings.Contains(r.stderr, "authentication failed") {
		t.Errorf("push after logout: %s", r)
	}
}
