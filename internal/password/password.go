// Package password hashes passwords with argon2id and stores the result as
// a PHC string ($argon2id$v=19$m=…,t=…,p=…$salt$hash), so the parameters
// can be raised later without invalidating old hashes.
package password

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id costs. Default follows RFC 9106's second
// recommendation (t=3, 64 MiB), with p=2 for the small hosts we run on.
type Params struct {
	Time    uint32
	Memory  uint32 // KiB
	Threads uint8
}

// Default returns the costs Hash uses.
func Default() Params { return Params{Time: 3, Memory: 64 * 1024, Threads: 2} }

const (
	saltLen = 16
	keyLen  = 32
	// MinLen and MaxLen bound what a user may choose; MaxLen keeps hashing
	// cost independent of attacker-sized input.
	MinLen = 10
	MaxLen = 1024
)

var b64 = base64.RawStdEncoding

// Check reports why pw is not acceptable as a new password, or nil.
func Check(pw string) error {
	switch {
	case len([]rune(pw)) < MinLen:
		return fmt.Errorf("password: at least %d characters", MinLen)
	case len(pw) > MaxLen:
		return fmt.Errorf("password: at most %d bytes", MaxLen)
	}
	return nil
}

// Hash returns the PHC string of pw with a fresh salt.
func Hash(pw string) (string, error) {
	return HashWith(Default(), pw)
}

// HashWith is Hash with explicit costs.
func HashWith(p Params, pw string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password salt: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, keyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// ErrMalformed is returned for a stored hash that is not a PHC argon2id string.
var ErrMalformed = errors.New("password: malformed hash")

// Verify reports whether pw matches the PHC string hash, in constant time.
// An empty hash (no password set) never matches.
func Verify(hash, pw string) (bool, error) {
	if hash == "" {
		return false, nil
	}
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, ErrMalformed
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, ErrMalformed
	}
	var p Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return false, ErrMalformed
	}
	if p.Memory > 1<<22 || p.Time > 16 || p.Threads == 0 { // refuse hashes that would cost a DoS to check
		return false, ErrMalformed
	}
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false, ErrMalformed
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false, ErrMalformed
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}
