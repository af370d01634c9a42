package container

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"math/big"
	"regexp"

	"github.com/containerd/errdefs"
)

// validName is Docker's rule for container names.
var validName = regexp.MustCompile(`^/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$`)

func newID() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Words for generated names, in Docker's adjective_noun style.
var (
	adjectives = []string{"brave", "calm", "eager", "fervent", "gallant", "happy", "jolly", "keen", "lucid", "merry",
		"nifty", "quirky", "relaxed", "serene", "tender", "upbeat", "vibrant", "witty", "zealous", "bold"}
	nouns = []string{"anchor", "barge", "buoy", "cutter", "dinghy", "ferry", "galley", "harbor", "jetty", "keel",
		"lighthouse", "mooring", "pier", "quay", "rudder", "schooner", "tugboat", "wharf", "yacht", "berth"}
)

func pick(words []string) string {
	n, _ := rand.Int(rand.Reader, big.NewInt(int64(len(words))))
	return words[n.Int64()]
}

// reserveName claims name (or a generated one) for id; caller holds s.mu.
func (s *Service) reserveNameLocked(name, id string) (string, error) {
	if name == "" {
		for i := 0; ; i++ {
			name = pick(adjectives) + "_" + pick(nouns)
			if i > 10 {
				name += fmt.Sprint(i)
			}
			if _, taken := s.names[name]; !taken {
				break
			}
		}
	}
	if !validName.MatchString(name) {
		return "", errdefs.ErrInvalidArgument.WithMessage(fmt.Sprintf("Invalid container name (%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", name))
	}
	if name[0] == '/' {
		name = name[1:]
	}
	if other, taken := s.names[name]; taken {
		return "", errdefs.ErrConflict.WithMessage(fmt.Sprintf("Conflict. The container name \"/%s\" is already in use by container \"%s\". You have to remove (or rename) that container to be able to reuse that name", name, other))
	}
	s.names[name] = id
	return name, nil
}
