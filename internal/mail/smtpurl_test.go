package mail_test

import (
	"strings"
	"testing"

	"mxcert/internal/mail"
)

func TestParseSMTPURL(t *testing.T) {
	for _, tc := range []struct {
		url  string
		want mail.SMTPServer
	}{
		{"smtp://envios%40mxos.mx:p%40ss%3Aw@smtp.ejemplo.mx", mail.SMTPServer{Host: "smtp.ejemplo.mx", Port: 587, TLS: mail.TLSStartTLS, User: "envios@mxos.mx", Password: "p@ss:w"}},
		{"smtp://u:p@smtp.ejemplo.mx:2525", mail.SMTPServer{Host: "smtp.ejemplo.mx", Port: 2525, TLS: mail.TLSStartTLS, User: "u", Password: "p"}},
		{"smtps://u:p@smtp.ejemplo.mx", mail.SMTPServer{Host: "smtp.ejemplo.mx", Port: 465, TLS: mail.TLSImplicit, User: "u", Password: "p"}},
		{"smtp://relay.interno", mail.SMTPServer{Host: "relay.interno", Port: 587, TLS: mail.TLSStartTLS}},
		{"smtp://localhost?tls=none", mail.SMTPServer{Host: "localhost", Port: 25, TLS: mail.TLSNone}},
		{"smtp://u:p@127.0.0.1:1025?tls=none", mail.SMTPServer{Host: "127.0.0.1", Port: 1025, TLS: mail.TLSNone, User: "u", Password: "p"}},
		{"smtp://mailpit:1025?tls=none", mail.SMTPServer{Host: "mailpit", Port: 1025, TLS: mail.TLSNone}},
	} {
		got, err := mail.ParseSMTPURL(tc.url)
		if err != nil || got != tc.want {
			t.Errorf("ParseSMTPURL(%q) = %+v, %v; want %+v", tc.url, got, err, tc.want)
		}
		if strings.Contains(got.String(), "p@ss") || got.Password != "" && strings.Contains(got.String(), ":"+got.Password+"@") {
			t.Errorf("%q: String() shows the password: %s", tc.url, got)
		}
	}
}

func TestParseSMTPURLRefuses(t *testing.T) {
	for _, tc := range []struct{ url, why string }{
		{"http://u:secreto@smtp.ejemplo.mx", "scheme"},
		{"smtp://u:secreto@smtp.ejemplo.mx?tls=none", "this machine"},
		{"smtps://u:secreto@smtp.ejemplo.mx?tls=none", "tls=none"},
		{"smtp://u:secreto@smtp.ejemplo.mx?tls=sí", "tls=sí"},
		{"smtp://u:secreto@smtp.ejemplo.mx?auth=plain", "unknown option"},
		{"smtp://u:secreto@smtp.ejemplo.mx:99999", "port"},
		{"smtp://u:secreto@:587", "no host"},
		{"smtp://u:secreto@smtp.ejemplo.mx/bandeja", "path"},
		{"smtp://u:secreto@smtp ejemplo.mx\x7f", "not a URL"},
	} {
		_, err := mail.ParseSMTPURL(tc.url)
		if err == nil || !strings.Contains(err.Error(), tc.why) {
			t.Errorf("ParseSMTPURL(%q) = %v; want an error about %s", tc.url, err, tc.why)
		}
		if err != nil && strings.Contains(err.Error(), "secreto") {
			t.Errorf("ParseSMTPURL(%q): the error shows the password: %v", tc.url, err)
		}
	}
}
