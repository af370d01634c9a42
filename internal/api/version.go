package api

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/containerd/errdefs"
)

// APIVersion is the Docker Engine API version berth serves: the version that
// the github.com/moby/moby/api types in go.mod describe. Clients that speak
// less (the docker CLI 28 speaks 1.50) negotiate down through /_ping.
const APIVersion = "1.56"

// MinAPIVersion is the oldest API version accepted in a /vX.Y/ prefix.
const MinAPIVersion = "1.24"

type versionKey struct{}

// RequestVersion returns the API version the request asked for in its
// /vX.Y/ prefix, or APIVersion when it had none.
func RequestVersion(ctx context.Context) string {
	if v, ok := ctx.Value(versionKey{}).(string); ok {
		return v
	}
	return APIVersion
}

// splitVersion removes a leading /vX.Y from path. It returns the version
// ("" when absent) and the rest of the path.
func splitVersion(path string) (version, rest string) {
	if !strings.HasPrefix(path, "/v") {
		return "", path
	}
	end := strings.IndexByte(path[1:], '/')
	if end < 0 {
		return "", path
	}
	candidate := path[2 : end+1]
	if _, _, ok := parseVersion(candidate); !ok {
		return "", path
	}
	return candidate, path[end+1:]
}

func parseVersion(v string) (major, minor int, ok bool) {
	a, b, found := strings.Cut(v, ".")
	if !found {
		return 0, 0, false
	}
	major, err1 := strconv.Atoi(a)
	minor, err2 := strconv.Atoi(b)
	if err1 != nil || err2 != nil || major < 0 || minor < 0 {
		return 0, 0, false
	}
	return major, minor, true
}

// compareVersions returns -1, 0 or 1 as a is lower than, equal to or higher than b.
func compareVersions(a, b string) int {
	amaj, amin, _ := parseVersion(a)
	bmaj, bmin, _ := parseVersion(b)
	switch {
	case amaj != bmaj:
		if amaj < bmaj {
			return -1
		}
		return 1
	case amin < bmin:
		return -1
	case amin > bmin:
		return 1
	}
	return 0
}

// checkVersion rejects versions outside [MinAPIVersion, APIVersion] with
// Docker's wording.
func checkVersion(v string) error {
	if compareVersions(v, MinAPIVersion) < 0 {
		return errdefs.ErrInvalidArgument.WithMessage(fmt.Sprintf(
			"client version %s is too old. Minimum supported API version is %s, please upgrade your client to a newer version", v, MinAPIVersion))
	}
	if compareVersions(v, APIVersion) > 0 {
		return errdefs.ErrInvalidArgument.WithMessage(fmt.Sprintf(
			"client version %s is too new. Maximum supported API version is %s", v, APIVersion))
	}
	return nil
}
