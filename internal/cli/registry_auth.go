package cli

import (
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/berthproject/berth/internal/registry"
	"github.com/containerd/errdefs"
	"github.com/distribution/reference"
	"github.com/docker/cli/cli/config"
	"github.com/docker/cli/cli/config/configfile"
	"github.com/docker/cli/cli/config/types"
	registrytypes "github.com/moby/moby/api/types/registry"
	"github.com/opencontainers/go-digest"
)

// Credentials live where Docker keeps them: $DOCKER_CONFIG/config.json,
// else ~/.docker/config.json, in Docker's format, through the credential
// helpers it names (credsStore, credHelpers). As with Docker, the daemon
// checks a login and the CLI stores it; the CLI sends them with each
// pull and push in X-Registry-Auth.

// loadConfigFile reads the Docker config file; a malformed one is an error
// that names it.
func loadConfigFile() (*configfile.ConfigFile, error) {
	cf, err := config.Load(config.Dir())
	if err != nil {
		return nil, errdefs.ErrInvalidArgument.WithMessage(fmt.Sprintf("cannot read the credentials file in %s: %v", config.Dir(), err))
	}
	return cf, nil
}

// authKey is the config.json key of a registry host: Docker Hub's is its
// legacy index URL.
func authKey(host string) string {
	if host == "registry-1.docker.io" || host == "docker.io" || host == "index.docker.io" {
		return registry.HubAuthKey
	}
	return host
}

// authForImage returns the encoded credentials for the registry of an
// image name ("" when there are none).
func authForImage(name string) (string, error) {
	named, err := reference.ParseNormalizedNamed(name)
	if err != nil {
		return "", errdefs.ErrInvalidArgument.WithMessage(fmt.Sprintf("invalid reference format %q: %v", name, err))
	}
	return encodedAuth(authKey(reference.Domain(named)))
}

// encodedAuth reads the stored credentials of key and encodes them for
// X-Registry-Auth.
func encodedAuth(key string) (string, error) {
	cf, err := loadConfigFile()
	if err != nil {
		return "", err
	}
	ac, err := cf.GetAuthConfig(key)
	if err != nil {
		return "", fmt.Errorf("credentials for %s: %w", key, err)
	}
	if ac.Username == "" && ac.Password == "" && ac.IdentityToken == "" && ac.RegistryToken == "" {
		return "", nil
	}
	return encodeAuth(toAPIAuth(ac))
}

func toAPIAuth(ac types.AuthConfig) registrytypes.AuthConfig {
	return registrytypes.AuthConfig{
		Username: ac.Username, Password: ac.Password, ServerAddress: ac.ServerAddress,
		IdentityToken: ac.IdentityToken, RegistryToken: ac.RegistryToken,
	}
}

func encodeAuth(a registrytypes.AuthConfig) (string, error) {
	b, err := json.Marshal(a)
	if err != nil {
		return "", err
	}
	return base64.URLEncoding.EncodeToString(b), nil
}

func parseDigest(s string) (digest.Digest, error) { return digest.Parse(s) }
