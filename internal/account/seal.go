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
	"path/filepath"
	"strings"
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

// createSecretKey writes a new key to a temporary file and links it into
// place, so that a process starting at the same time reads either no file
// or the whole key, and two never overwrite each other's.
func createSecretKey(path string) ([]byte, error) {
	key := make([]byte, SecretKeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create key directory: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".totp-key-*")
	if err != nil {
		return nil, fmt.Errorf("create the TOTP key: %w", err)
	}
	defer os.Remove(tmp.Name()) //nolint:errcheck // the link below keeps the key; the temporary name goes either way
	_, err = tmp.WriteString(base64.StdEncoding.EncodeToString(key) + "\n")
	if err == nil {
		err = tmp.Sync()
	}
	if err = errors.Join(err, tmp.Close()); err != nil {
		return nil, fmt.Errorf("write the TOTP key: %w", err)
	}
	if err := os.Link(tmp.Name(), path); errors.Is(err, fs.ErrExist) {
		return LoadOrCreateSecretKey(path) // another process made it first
	} else if err != nil {
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
