package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"

	"github.com/gin-gonic/gin"
)

// adminFlashes are the notices after a console action, which say what
// changed: «Se revocó el certificado SB-… de José Ñúñez». They carry
// values (names, codes), so their cookie is signed (setFlashWith).
var adminFlashes = map[string]bool{
	"flash.extra_time_set": true, "flash.extra_time_removed": true,
	"flash.name_corrected": true, "flash.cooldown_waived": true,
	"flash.reset_link_sent": true, "flash.cert_revoked": true,
	"flash.cert_reinstated": true, "flash.accounts_merged": true,
	"flash.content_reloaded_version": true,
}

// newFlashKey is a key that signs the notices with values when none is
// given (Deps.FlashKey): it lives as long as the process, so a notice from
// before a restart, or from another replica, is simply not shown.
func newFlashKey() []byte {
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	return k
}

func (s *Server) flashMAC(payload []byte) []byte {
	m := hmac.New(sha256.New, s.flashKey)
	m.Write(payload)
	return m.Sum(nil)[:16]
}

// setFlashWith carries a notice and its values (key, value, key, value …)
// to the next page. The cookie is signed, so it cannot put words on a
// page that the server did not write.
func (s *Server) setFlashWith(c *gin.Context, id string, kv ...string) {
	payload, err := json.Marshal(append([]string{id}, kv...))
	if err != nil {
		return
	}
	enc := base64.RawURLEncoding
	s.setCookie(c, flashCookie, enc.EncodeToString(payload)+"."+enc.EncodeToString(s.flashMAC(payload)), 60)
}

// signedFlash reads a notice with values; ok is false unless the
// signature holds and the notice is one of adminFlashes.
func (s *Server) signedFlash(value string) (id string, kv []any, ok bool) {
	data, mac, found := strings.Cut(value, ".")
	if !found {
		return "", nil, false
	}
	enc := base64.RawURLEncoding
	payload, err1 := enc.DecodeString(data)
	sum, err2 := enc.DecodeString(mac)
	if err1 != nil || err2 != nil || !hmac.Equal(sum, s.flashMAC(payload)) {
		return "", nil, false
	}
	var parts []string
	if json.Unmarshal(payload, &parts) != nil || len(parts) == 0 || len(parts)%2 != 1 || !adminFlashes[parts[0]] && !moderationFlashes[parts[0]] {
		return "", nil, false
	}
	for _, p := range parts[1:] {
		kv = append(kv, p)
	}
	return parts[0], kv, true
}
