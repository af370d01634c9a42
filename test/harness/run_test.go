package harness

import (
	"strings"
	"testing"
)

func TestRunCapturesOutputAndExitCode(t *testing.T) {
	r := Run(t, strings.NewReader("in\n"), nil, "/bin/sh", "-c", "read x; echo out $x; echo err >&2; exit 3")
	if r.Stdout != "out in\n" || r.Stderr != "err\n" || r.Code != 3 {
		t.Fatalf("got %s", r)
	}
}

// A client the test starts must not find the host's daemon through the
// environment, and the test's own settings win.
func TestRunCleansTheEnvironment(t *testing.T) {
	t.Setenv("BERTH_HOST", "unix:///elsewhere.sock")
	t.Setenv("DOCKER_HOST", "unix:///elsewhere.sock")
	t.Setenv("DOCKER_CONFIG", "/elsewhere")
	t.Setenv("HARNESS_KEPT", "yes")
	r := Run(t, nil, []string{"DOCKER_CONFIG=/mine"}, "/bin/sh", "-c",
		`echo "${BERTH_HOST-unset} ${DOCKER_HOST-unset} ${DOCKER_CONFIG-unset} ${HARNESS_KEPT-unset}"`)
	if got, want := strings.TrimSpace(r.Stdout), "unset unset /mine yes"; r.Code != 0 || got != want {
		t.Fatalf("environment seen %q, want %q (%s)", got, want, r)
	}
}

func TestRegistryConfig(t *testing.T) {
	r := &Registry{Addr: "127.0.0.1:5000", Dir: "/scratch"}
	plain := registryConfig(r, RegistryOptions{})
	for _, want := range []string{"rootdirectory: /scratch/data\n", "  addr: 127.0.0.1:5000\n", "delete:\n    enabled: true\n"} {
		if !strings.Contains(plain, want) {
			t.Errorf("config lacks %q:\n%s", want, plain)
		}
	}
	if strings.Contains(plain, "tls:") || strings.Contains(plain, "auth:") {
		t.Errorf("plain config has TLS or auth:\n%s", plain)
	}
	full := registryConfig(r, RegistryOptions{CertFile: "/c.pem", KeyFile: "/k.pem", ClientCAs: "/ca.pem",
		Auth: "  htpasswd:\n    realm: r\n    path: /h\n"})
	want := "http:\n  addr: 127.0.0.1:5000\n  tls:\n    certificate: /c.pem\n    key: /k.pem\n    clientcas:\n      - /ca.pem\n" +
		"auth:\n  htpasswd:\n    realm: r\n    path: /h\n"
	if !strings.HasSuffix(full, want) {
		t.Errorf("config with TLS and auth:\n%s\nwant it to end with:\n%s", full, want)
	}
}
