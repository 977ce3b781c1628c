// Package certificate makes MxOS Certificación's certificates: ids and short
// codes, the signed credential (Ed25519), the PDF, issuance inside the
// passing transaction, and offline verification of a PDF. It knows nothing
// of HTTP.
package certificate

import (
	"crypto/rand"
	"strings"

	"mxcert/internal/fail"
)

// alphabet is Crockford's base 32: digits and capitals without I, L, O and
// U, so a code read over the phone cannot be mistaken.
const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// CodeAlphabet is the characters of a stored code, for searches by part
// of one.
const CodeAlphabet = alphabet

// codeChars is the number of random characters in a code: 12 × 5 = 60 bits.
const codeChars = 12

// ErrBadCode is a string that cannot be a certificate code.
var ErrBadCode = fail.New(fail.ErrInvalid, "not a certificate code")

// NewCode makes a short code such as "SB-7K4Q-9XTP-M2HW": a prefix naming
// the track and 60 random bits in three groups of four.
func NewCode(prefix string) (string, error) {
	b := make([]byte, codeChars)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	var s strings.Builder
	s.WriteString(prefix)
	for i, c := range b {
		if i%4 == 0 {
			s.WriteByte('-')
		}
		s.WriteByte(alphabet[c&31]) // 256 is a multiple of 32: no bias
	}
	return s.String(), nil
}

// Prefix is the code prefix of a track: the initials of its id's words
// ("soporte-basico" → "SB"), at most three letters.
func Prefix(trackID string) string {
	var p strings.Builder
	for _, w := range strings.FieldsFunc(trackID, func(r rune) bool { return r == '-' || r == '_' }) {
		if p.Len() < 3 {
			p.WriteString(strings.ToUpper(w[:1]))
		}
	}
	if p.Len() == 0 {
		return "MX"
	}
	return p.String()
}

// NormalizeCode turns what a person typed into the stored form of a code:
// capitals, no hyphens or spaces, and the look-alikes O→0, I and L→1.
// Case, hyphens and confusable letters never make a lookup fail.
func NormalizeCode(s string) (string, error) {
	if len(s) > 64 {
		return "", ErrBadCode
	}
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == '-' || r == ' ' || r == '\t':
			continue
		case r == 'O':
			r = '0'
		case r == 'I' || r == 'L':
			r = '1'
		}
		if !strings.ContainsRune(alphabet, r) {
			return "", ErrBadCode
		}
		b.WriteRune(r)
	}
	n := b.String()
	if len(n) < codeChars+1 || len(n) > codeChars+3 {
		return "", ErrBadCode
	}
	return n, nil
}
