package certificate

import (
	"crypto/ed25519"
	"encoding/base64"
)

type ed25519PublicKey = ed25519.PublicKey

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
