// Package password hashes and verifies passwords with argon2id, in the PHC
// string format, bounding how many hashes run at once so a burst of logins
// cannot starve a small machine.
package password

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id's cost parameters.
type Params struct {
	Memory      uint32 // KiB
	Iterations  uint32
	Parallelism uint8
	SaltLength  uint32
	KeyLength   uint32
}

// OWASP is OWASP's recommended argon2id configuration (19 MiB, t=2, p=1).
var OWASP = Params{Memory: 19 * 1024, Iterations: 2, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// Fast is for tests only: the same algorithm with trivial cost.
var Fast = Params{Memory: 64, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// Hasher hashes and verifies passwords, at most Concurrency at a time.
type Hasher struct {
	params      Params
	sem         chan struct{}
	derivations atomic.Int64
}

// NewHasher returns a Hasher using p that runs at most concurrency hashes at once.
func NewHasher(p Params, concurrency int) *Hasher {
	if concurrency < 1 {
		concurrency = 1
	}
	return &Hasher{params: p, sem: make(chan struct{}, concurrency)}
}

// Derivations is how many argon2id keys h has derived (one per Hash and
// per Verify): the work done, which tests compare where wall time would be
// noise.
func (h *Hasher) Derivations() int64 { return h.derivations.Load() }

// Unmatchable returns a hash in h's format and at h's cost that no
// password matches in practice (its key is zeros, which a derivation hits
// with probability 2^-256). Verifying against it costs what verifying
// against a real hash costs, and making it costs nothing: a login for an
// email nobody has verifies against it, so it takes as long as a wrong
// password for one that exists.
func (h *Hasher) Unmatchable() string {
	return encode(h.params, make([]byte, h.params.SaltLength), make([]byte, h.params.KeyLength))
}

// ErrMalformed is returned for a stored hash that is not an argon2id PHC string.
var ErrMalformed = errors.New("password: malformed hash")

// Hash returns the PHC-encoded argon2id hash of pw with a fresh salt.
func (h *Hasher) Hash(ctx context.Context, pw string) (string, error) {
	salt := make([]byte, h.params.SaltLength)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key, err := h.derive(ctx, pw, salt, h.params)
	if err != nil {
		return "", err
	}
	return encode(h.params, salt, key), nil
}

// encode writes a key in the PHC string format.
func encode(p Params, salt, key []byte) string {
	b64 := base64.RawStdEncoding.EncodeToString
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version,
		p.Memory, p.Iterations, p.Parallelism, b64(salt), b64(key))
}

// Verify reports whether pw matches the encoded hash, comparing in constant time.
func (h *Hasher) Verify(ctx context.Context, encoded, pw string) (bool, error) {
	p, salt, want, err := decode(encoded)
	if err != nil {
		return false, err
	}
	got, err := h.derive(ctx, pw, salt, p)
	if err != nil {
		return false, err
	}
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

func (h *Hasher) derive(ctx context.Context, pw string, salt []byte, p Params) ([]byte, error) {
	select {
	case h.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-h.sem }()
	h.derivations.Add(1)
	return argon2.IDKey([]byte(pw), salt, p.Iterations, p.Memory, p.Parallelism, p.KeyLength), nil
}

func decode(encoded string) (Params, []byte, []byte, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return Params{}, nil, nil, ErrMalformed
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return Params{}, nil, nil, ErrMalformed
	}
	var p Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Iterations, &p.Parallelism); err != nil {
		return Params{}, nil, nil, ErrMalformed
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	key, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(key) == 0 {
		return Params{}, nil, nil, ErrMalformed
	}
	p.KeyLength = uint32(len(key))
	return p, salt, key, nil
}
