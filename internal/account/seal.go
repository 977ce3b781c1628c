package account

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"mxcert/internal/keyfile"
)

// SecretKeySize is the length of the key that seals TOTP secrets.
const SecretKeySize = 32

// ErrSharedSecretKey is a TOTP key file that other users of the machine
// can read.
var ErrSharedSecretKey = errors.New("the TOTP key can be read by other users")

// LoadOrCreateSecretKey reads the key that seals TOTP secrets at rest, or
// creates one there (mode 0600) on first use. It lives in the data
// folder, beside the database but not in it: a copy of the database, such
// as a backup sent elsewhere, holds only sealed secrets. A key file that
// its group or other users can read is refused, as the signing key is.
func LoadOrCreateSecretKey(path string) ([]byte, error) {
	if st, err := os.Stat(path); err == nil && st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%w: %s has mode %04o; run chmod 600 on it", ErrSharedSecretKey, path, st.Mode().Perm())
	}
	data, err := os.ReadFile(path) // #nosec G304 -- the data folder's key path
	if errors.Is(err, fs.ErrNotExist) {
		return createSecretKey(path)
	}
	if err != nil {
		return nil, fmt.Errorf("read the TOTP key: %w", err)
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(data)))
	if err != nil || len(key) != SecretKeySize {
		return nil, fmt.Errorf("TOTP key %s is not %d bytes in base64", path, SecretKeySize)
	}
	return key, nil
}

// createSecretKey creates the key file (keyfile.Create), so that a
// process starting at the same time reads either no file or the whole
// key, and two never overwrite each other's.
func createSecretKey(path string) ([]byte, error) {
	key := make([]byte, SecretKeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	err := keyfile.Create(path, []byte(base64.StdEncoding.EncodeToString(key)+"\n"))
	if errors.Is(err, fs.ErrExist) {
		return LoadOrCreateSecretKey(path) // another process made it first
	}
	if err != nil {
		return nil, fmt.Errorf("create the TOTP key: %w", err)
	}
	return key, nil
}

// sealer encrypts TOTP secrets with AES-256-GCM. Each sealed secret is
// bound to its account (the account id is the additional data), so a
// secret copied onto another account's row does not open.
type sealer struct{ aead cipher.AEAD }

func newSealer(key []byte) (*sealer, error) {
	if len(key) != SecretKeySize {
		return nil, fmt.Errorf("TOTP key must be %d bytes, got %d", SecretKeySize, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &sealer{aead: aead}, nil
}

func sealData(userID int64) []byte {
	return binary.BigEndian.AppendUint64([]byte("mxcert totp v1 "), uint64(userID)) // #nosec G115 -- an id, only its bits matter
}

// seal returns nonce ‖ ciphertext.
func (s *sealer) seal(userID int64, secret []byte) ([]byte, error) {
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(secret)+s.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return s.aead.Seal(nonce, nonce, secret, sealData(userID)), nil
}

var errSealed = errors.New("the TOTP secret does not open with this key")

func (s *sealer) open(userID int64, sealed []byte) ([]byte, error) {
	n := s.aead.NonceSize()
	if len(sealed) < n {
		return nil, errSealed
	}
	secret, err := s.aead.Open(nil, sealed[:n], sealed[n:], sealData(userID))
	if err != nil {
		return nil, errSealed
	}
	return secret, nil
}
