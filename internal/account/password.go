package account

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// HashParams are Argon2id's cost parameters.
type HashParams struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
}

// OWASPParams is OWASP's first recommended Argon2id configuration
// (m=19 MiB, t=2, p=1).
var OWASPParams = HashParams{Memory: 19 * 1024, Time: 2, Threads: 1}

const (
	saltLen = 16
	keyLen  = 32
)

// hashPassword returns the PHC string of an Argon2id hash with a fresh salt:
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>.
func hashPassword(password string, p HashParams) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, keyLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads, enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

var errBadHash = errors.New("malformed password hash")

// storedHash is a stored password hash taken apart.
type storedHash struct {
	params     HashParams
	salt, want []byte
}

// parseHash reads the PHC string that hashPassword writes.
func parseHash(encoded string) (*storedHash, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return nil, errBadHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return nil, errBadHash
	}
	var h storedHash
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &h.params.Memory, &h.params.Time, &h.params.Threads); err != nil {
		return nil, errBadHash
	}
	enc := base64.RawStdEncoding
	var err error
	if h.salt, err = enc.DecodeString(parts[4]); err != nil {
		return nil, errBadHash
	}
	if h.want, err = enc.DecodeString(parts[5]); err != nil || len(h.want) == 0 {
		return nil, errBadHash
	}
	return &h, nil
}

// matches compares a password with the hash in constant time, using the
// parameters recorded in the hash.
func (h *storedHash) matches(password string) bool {
	got := argon2.IDKey([]byte(password), h.salt, h.params.Time, h.params.Memory, h.params.Threads, uint32(len(h.want))) // #nosec G115 -- len(want) is a decoded 32-byte key
	return subtle.ConstantTimeCompare(got, h.want) == 1
}

// generatePassword makes a random password of 20 characters from an
// alphabet without look-alikes, for accounts created on the command line.
func generatePassword() (string, error) {
	const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b), nil
}
