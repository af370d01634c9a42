package e2e

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// htpasswdAuth writes an htpasswd file for user:pass and returns the
// registry's auth section.
func htpasswdAuth(t *testing.T, user, pass string) string {
	t.Helper()
	h, err := bcrypt.GenerateFromPassword([]byte(pass), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "htpasswd")
	regWriteFile(t, p, []byte(user+":"+string(h)+"\n"))
	return fmt.Sprintf("  htpasswd:\n    realm: berth-test\n    path: %s\n", p)
}

// tokenServer is the distribution spec's token server, in the test: it
// checks basic credentials and issues JWTs (ES256, signed by a key whose
// certificate the registry trusts) granting what was asked.
type tokenServer struct {
	url        string
	user, pass string
	key        *ecdsa.PrivateKey
	certDER    []byte
	certFile   string
}

func startTokenServer(t *testing.T, user, pass string) *tokenServer {
	t.Helper()
	ca := newTestCA(t)
	ts := &tokenServer{user: user, pass: pass, key: ca.key, certDER: ca.cert.Raw, certFile: filepath.Join(t.TempDir(), "token.crt")}
	regWriteFile(t, ts.certFile, ca.certPEM)
	srv := httptest.NewServer(http.HandlerFunc(ts.serve))
	t.Cleanup(srv.Close)
	// go-containerregistry refuses token realms at private IP literals
	// other than the registry's own address (SSRF protection); a name is
	// accepted.
	ts.url = strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
	return ts
}

// auth is the registry's auth section for this token server.
func (ts *tokenServer) auth() string {
	return fmt.Sprintf("  token:\n    realm: %s/token\n    service: berth-test-registry\n    issuer: berth-test-issuer\n    rootcertbundle: %s\n", ts.url, ts.certFile)
}

func (ts *tokenServer) serve(w http.ResponseWriter, r *http.Request) {
	u, p, ok := r.BasicAuth()
	if !ok || u != ts.user || p != ts.pass {
		w.Header().Set("WWW-Authenticate", `Basic realm="token"`)
		http.Error(w, `{"details":"invalid credentials"}`, http.StatusUnauthorized)
		return
	}
	type access struct {
		Type    string   `json:"type"`
		Name    string   `json:"name"`
		Actions []string `json:"actions"`
	}
	grants := []access{}
	for _, s := range r.URL.Query()["scope"] {
		parts := strings.Split(s, ":")
		if len(parts) == 3 {
			grants = append(grants, access{Type: parts[0], Name: parts[1], Actions: strings.Split(parts[2], ",")})
		}
	}
	now := time.Now()
	header, _ := json.Marshal(map[string]any{"typ": "JWT", "alg": "ES256", "x5c": []string{base64.StdEncoding.EncodeToString(ts.certDER)}})
	claims, _ := json.Marshal(map[string]any{
		"iss": "berth-test-issuer", "sub": u, "aud": "berth-test-registry",
		"exp": now.Add(5 * time.Minute).Unix(), "nbf": now.Add(-time.Minute).Unix(), "iat": now.Unix(),
		"jti": fmt.Sprint(now.UnixNano()), "access": grants,
	})
	enc := base64.RawURLEncoding
	signing := enc.EncodeToString(header) + "." + enc.EncodeToString(claims)
	sum := sha256.Sum256([]byte(signing))
	rr, ss, err := ecdsa.Sign(rand.Reader, ts.key, sum[:])
	if err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	sig := make([]byte, 64)
	rr.FillBytes(sig[:32])
	ss.FillBytes(sig[32:])
	token := signing + "." + enc.EncodeToString(sig)
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"token": token, "access_token": token, "expires_in": 300, "issued_at": now.UTC().Format(time.RFC3339)})
}

// loginAndUse checks a registry that wants credentials: anonymous access
// and a wrong password fail naming the registry, login stores the
// credentials in config.json, push and pull then work, logout forgets.
func loginAndUse(t *testing.T, reg *testRegistry, c *regClient) {
	t.Helper()
	importBusybox(t, c.d, "busybox:latest")
	ref := reg.addr + "/private/busybox:1"
	c.ok(t, "tag", "busybox", ref)
	r := c.fails(t, "push", ref)
	if !strings.Contains(r.stderr, "authentication failed for registry "+reg.addr) {
		t.Errorf("anonymous push: %s", r)
	}
	r = c.run(t, strings.NewReader("wrong\n"), "login", "-u", "alice", "--password-stdin", reg.addr)
	if r.code == 0 || !strings.Contains(r.stderr, reg.addr) {
		t.Errorf("login with a wrong password: %s", r)
	}
	r = c.run(t, strings.NewReader("s3cret\n"), "login", "-u", "alice", "--password-stdin", reg.addr)
	if r.code != 0 || strings.TrimSpace(r.stdout) != "Login Succeeded" {
		t.Fatalf("login: %s", r)
	}
	var cfg struct {
		Auths map[string]struct{ Auth string } `json:"auths"`
	}
	b, err := os.ReadFile(filepath.Join(c.config, "config.json"))
	if err != nil || json.Unmarshal(b, &cfg) != nil {
		t.Fatalf("config.json after login: %v %s", err, b)
	}
	if got := cfg.Auths[reg.addr].Auth; got != base64.StdEncoding.EncodeToString([]byte("alice:s3cret")) {
		t.Errorf("config.json auths[%s].auth = %q", reg.addr, got)
	}
	c.ok(t, "push", ref)
	c.ok(t, "rmi", ref)
	if out := c.ok(t, "pull", ref); !strings.Contains(out, "Downloaded newer image") {
		t.Errorf("pull after login:\n%s", out)
	}
	if out := c.ok(t, "logout", reg.addr); !strings.Contains(out, "Removing login credentials for "+reg.addr) {
		t.Errorf("logout: %s", out)
	}
	c.ok(t, "rmi", ref)
	if r := c.fails(t, "pull", ref); !strings.Contains(r.stderr, "authentication failed for registry "+reg.addr) {
		t.Errorf("pull after logout: %s", r)
	}
}

func TestRegistryBasicAuth(t *testing.T) {
	reg := startRegistry(t, registryOptions{auth: htpasswdAuth(t, "alice", "s3cret")})
	d := startRegistryDaemon(t, map[string]any{"insecure-registries": []string{reg.addr}})
	loginAndUse(t, reg, newRegClient(t, d))
}

func TestRegistryTokenAuth(t *testing.T) {
	needRegistry(t)
	ts := startTokenServer(t, "alice", "s3cret")
	reg := startRegistry(t, registryOptions{auth: ts.auth()})
	d := startRegistryDaemon(t, map[string]any{"insecure-registries": []string{reg.addr}})
	loginAndUse(t, reg, newRegClient(t, d))
}

// A TLS registry whose CA is not trusted fails; its CA in certs.d/HOST:PORT
// makes it work, and a client certificate there is presented when the
// registry asks for one.
func TestRegistryTLSCertsDir(t *testing.T) {
	needRegistry(t)
	ca := newTestCA(t)
	certFile, keyFile := ca.serverFiles(t)
	clientCAs := filepath.Join(t.TempDir(), "clientca.pem")
	regWriteFile(t, clientCAs, ca.certPEM)
	reg := startRegistry(t, registryOptions{certFile: certFile, keyFile: keyFile, clientCAs: clientCAs})
	certs := t.TempDir()
	d := startRegistryDaemon(t, map[string]any{"certs-dir": certs})
	c := newRegClient(t, d)
	importBusybox(t, d, "busybox:latest")
	ref := reg.addr + "/tls/busybox:1"
	c.ok(t, "tag", "busybox", ref)
	if r := c.fails(t, "push", ref); !strings.Contains(r.stderr, "certificate") {
		t.Errorf("push to a registry with an unknown CA: %s", r)
	}
	hostDir := filepath.Join(certs, reg.addr)
	if err := os.MkdirAll(hostDir, 0o755); err != nil {
		t.Fatal(err)
	}
	regWriteFile(t, filepath.Join(hostDir, "ca.crt"), ca.certPEM)
	// (TLS 1.3 reports a missing client certificate after the handshake:
	// the error may be a reset connection rather than a certificate error.)
	if r := c.fails(t, "push", ref); !strings.Contains(r.stderr, reg.addr) {
		t.Errorf("push without the client certificate the registry asks for: %s", r)
	}
	cc, ck := ca.issue(t, true)
	regWriteFile(t, filepath.Join(hostDir, "client.cert"), cc)
	regWriteFile(t, filepath.Join(hostDir, "client.key"), ck)
	c.ok(t, "push", ref)
	c.ok(t, "rmi", ref)
	c.ok(t, "pull", ref)
}
