package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// --hash-memory (MXCERT_HASH_MEMORY) takes whole MiB; anything else is a
// usage error, said before the server starts.
func TestServeHashMemoryFlag(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		env  string
		code int
	}{
		{"zero", []string{"--hash-memory", "0"}, "", 2},
		{"negative", []string{"--hash-memory", "-5"}, "", 2},
		{"with a unit", []string{"--hash-memory", "256MiB"}, "", 2},
		{"from the environment, not a number", nil, "mucha", 2},
		// A valid budget gets past the flags: the bad address fails next.
		{"valid", []string{"--hash-memory", "64", "--addr", "no-es-una-direccion"}, "", 1},
		{"valid from the environment", []string{"--addr", "no-es-una-direccion"}, "512", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.env != "" {
				t.Setenv("MXCERT_HASH_MEMORY", tc.env)
			}
			var out, errb bytes.Buffer
			args := append([]string{"serve", "--data", t.TempDir(), "--content", "../content/testdata/content"}, tc.args...)
			code := Main(context.Background(), args, Streams{In: strings.NewReader(""), Out: &out, Err: &errb})
			if code != tc.code {
				t.Fatalf("exit %d, want %d: %s", code, tc.code, errb.String())
			}
			if tc.code == 2 && !strings.Contains(errb.String(), "--hash-memory") {
				t.Errorf("the error does not name the flag: %q", errb.String())
			}
		})
	}
}

// A bad mail setting stops the server at start, saying why, and neither
// the error nor -h shows the password of MXCERT_SMTP_URL.
func TestServeMailSettings(t *testing.T) {
	for _, tc := range []struct {
		name, env, want string
		args            []string
	}{
		{"a password without TLS to another machine", "smtp://envios:secreto@smtp.ejemplo.mx?tls=none", "this machine", nil},
		{"not an SMTP URL", "https://envios:secreto@smtp.ejemplo.mx", "smtp://", nil},
		{"a bad sender", "", "sender address", []string{"--mail-from", "no es un correo"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("MXCERT_SMTP_URL", tc.env)
			var out, errb bytes.Buffer
			args := append([]string{"serve", "--addr", "127.0.0.1:0", "--data", t.TempDir(), "--content", "../content/testdata/content"}, tc.args...)
			code := Main(context.Background(), args, Streams{In: strings.NewReader(""), Out: &out, Err: &errb})
			if code != 1 || !strings.Contains(errb.String(), tc.want) {
				t.Fatalf("exit %d, %q; want 1 and an error about %s", code, errb.String(), tc.want)
			}
			if strings.Contains(errb.String(), "secreto") {
				t.Errorf("the error shows the password: %s", errb.String())
			}
		})
	}
	t.Setenv("MXCERT_SMTP_URL", "smtp://envios:secreto@smtp.ejemplo.mx")
	var out, errb bytes.Buffer
	Main(context.Background(), []string{"serve", "-h"}, Streams{In: strings.NewReader(""), Out: &out, Err: &errb})
	if help := out.String() + errb.String(); !strings.Contains(help, "--smtp-url") && !strings.Contains(help, "-smtp-url") || strings.Contains(help, "secreto") {
		t.Errorf("serve -h does not describe --smtp-url, or shows the password:\n%s", help)
	}
}
