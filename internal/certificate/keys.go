package certificate

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"mxcert/internal/keyfile"
)

// Key is the issuer's Ed25519 signing key with its id. The id is derived
// from the public key, so keys can rotate: old certificates name the key
// that signed them and the published key set keeps the old public keys.
type Key struct {
	ID      string
	Private ed25519.PrivateKey
}

// Public is the key's public half.
func (k *Key) Public() ed25519.PublicKey { return k.Private.Public().(ed25519.PublicKey) }

func keyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

// ErrSharedKey is a signing key that other users of the machine can read:
// anyone who can read it can issue certificates in the foundation's name.
var ErrSharedKey = errors.New("the signing key can be read by other users")

// LoadOrCreateKey reads the signing key at path, or generates one there
// (mode 0600, in a 0700 folder) on first start. A key file that its group
// or other users can read is refused with ErrSharedKey unless allowShared
// is set (a deliberate choice of the operator, say a key mounted read-only
// by a secrets manager that cannot set modes).
func LoadOrCreateKey(path string, allowShared bool) (*Key, error) {
	if st, err := os.Stat(path); err == nil && st.Mode().Perm()&0o077 != 0 && !allowShared {
		return nil, fmt.Errorf("%w: %s has mode %04o; run chmod 600 on it (or allow it explicitly)", ErrSharedKey, path, st.Mode().Perm())
	}
	data, err := os.ReadFile(path) // #nosec G304 -- the configured key path
	if errors.Is(err, fs.ErrNotExist) {
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, err
		}
		// Replicas starting at once on one data folder keep one key, and
		// none of them, nor a restart after a crash, reads a partial file.
		err = keyfile.Create(path, []byte(base64.StdEncoding.EncodeToString(priv.Seed())+"\n"))
		if errors.Is(err, fs.ErrExist) {
			return LoadOrCreateKey(path, allowShared)
		}
		if err != nil {
			return nil, fmt.Errorf("create signing key: %w", err)
		}
		return &Key{ID: keyID(priv.Public().(ed25519.PublicKey)), Private: priv}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read signing key: %w", err)
	}
	seed, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(data)))
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("signing key %s is not a base64 Ed25519 seed", path)
	}
	priv := ed25519.NewKeyFromSeed(seed)
	return &Key{ID: keyID(priv.Public().(ed25519.PublicKey)), Private: priv}, nil
}

// PublicKey is one entry of the published key set.
type PublicKey struct {
	ID        string `json:"kid"`
	Algorithm string `json:"alg"`
	Key       string `json:"public_key"` // base64 of the 32-byte key
}

// KeySet is the document at /.well-known/mxcert-keys.json.
type KeySet struct {
	Issuer string      `json:"issuer"`
	Keys   []PublicKey `json:"keys"`
}

// PublicKeys lists public keys for the key set: the current key first, then
// any retired public keys kept in dir as <kid>.pub (base64).
func PublicKeys(current *Key, retiredDir string) ([]PublicKey, error) {
	out := []PublicKey{{ID: current.ID, Algorithm: "Ed25519", Key: base64.StdEncoding.EncodeToString(current.Public())}}
	entries, err := os.ReadDir(retiredDir)
	if errors.Is(err, fs.ErrNotExist) {
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".pub") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(retiredDir, e.Name())) // #nosec G304 -- files of the key directory
		if err != nil {
			return nil, err
		}
		pub, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(data)))
		if err != nil || len(pub) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("retired key %s is not a base64 Ed25519 public key", e.Name())
		}
		if kid := keyID(pub); kid != current.ID {
			out = append(out, PublicKey{ID: kid, Algorithm: "Ed25519", Key: base64.StdEncoding.EncodeToString(pub)})
		}
	}
	return out, nil
}

// ParseKeySet reads a published key set.
func ParseKeySet(data []byte) (map[string]ed25519.PublicKey, error) {
	var ks KeySet
	if err := json.Unmarshal(data, &ks); err != nil {
		return nil, fmt.Errorf("key set: %w", err)
	}
	out := map[string]ed25519.PublicKey{}
	for _, k := range ks.Keys {
		pub, err := base64.StdEncoding.DecodeString(k.Key)
		if err != nil || len(pub) != ed25519.PublicKeySize || k.Algorithm != "Ed25519" {
			return nil, fmt.Errorf("key set: key %q is not an Ed25519 public key", k.ID)
		}
		if keyID(pub) != k.ID {
			return nil, fmt.Errorf("key set: key id %q does not match its key", k.ID)
		}
		out[k.ID] = pub
	}
	return out, nil
}
