package certificate

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
)

// Credential is the signed statement a certificate makes. Its JSON is
// canonical: fixed field order, no optional whitespace, UTC times in RFC
// 3339, so the same certificate always yields the same bytes.
type Credential struct {
	Type          string        `json:"type"` // "MxOSCertificate"
	Version       int           `json:"version"`
	ID            string        `json:"id"`
	Code          string        `json:"code"`
	HolderName    string        `json:"holder_name"`
	Certification Certification `json:"certification"`
	IssuedAt      string        `json:"issued_at"`
	ExpiresAt     string        `json:"expires_at,omitempty"`
	Issuer        string        `json:"issuer"`
	VerifyURL     string        `json:"verify_url"`
}

// Certification names what the certificate certifies.
type Certification struct {
	ID      string `json:"id"`
	Title   string `json:"title"`
	Version string `json:"version"`
}

// Issuer is the name signed into every credential.
const Issuer = "Fundación MxOS"

// Canonical returns the credential's canonical JSON bytes.
func (c Credential) Canonical() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(c); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// Signed is a credential with its signature: what the PDF carries as
// credential.json and what the API returns.
type Signed struct {
	Credential json.RawMessage `json:"credential"`
	Signature  string          `json:"signature"` // base64 Ed25519 over the credential bytes
	KeyID      string          `json:"key_id"`
}

// Sign signs a credential.
func Sign(c Credential, k *Key) (Signed, error) {
	data, err := c.Canonical()
	if err != nil {
		return Signed{}, err
	}
	return Signed{Credential: data, Signature: base64.StdEncoding.EncodeToString(ed25519.Sign(k.Private, data)), KeyID: k.ID}, nil
}

// Errors of verification.
var (
	ErrUnknownKey   = errors.New("the credential was signed with an unknown key")
	ErrBadSignature = errors.New("the signature does not match the credential: it was altered or forged")
)

// Verify checks a signed credential against public keys by id and returns
// the credential.
func Verify(s Signed, keys map[string]ed25519.PublicKey) (Credential, error) {
	var c Credential
	pub, ok := keys[s.KeyID]
	if !ok {
		return c, fmt.Errorf("%w (%q)", ErrUnknownKey, s.KeyID)
	}
	// The canonical form is compact JSON, so white space added by a viewer
	// does not matter; any other change does.
	var compact bytes.Buffer
	if err := json.Compact(&compact, s.Credential); err != nil {
		return c, ErrBadSignature
	}
	sig, err := base64.StdEncoding.DecodeString(s.Signature)
	if err != nil || !ed25519.Verify(pub, compact.Bytes(), sig) {
		return c, ErrBadSignature
	}
	if err := json.Unmarshal(s.Credential, &c); err != nil {
		return c, fmt.Errorf("credential: %w", err)
	}
	return c, nil
}
