package cli

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"mxcert/internal/model"
	"mxcert/internal/services"
	"mxcert/internal/store"
)

func TestUserCreate(t *testing.T) {
	dir := t.TempDir()
	var out, errb bytes.Buffer
	code := Main(context.Background(), []string{"user", "create", "--data", dir, "--email", "Admin@MxOS.mx", "--name", "María Pérez", "--admin"},
		Streams{In: strings.NewReader("una frase larga y segura\n"), Out: &out, Err: &errb})
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "Cuenta creada: María Pérez <Admin@MxOS.mx> (administrador)") || strings.Contains(out.String(), "generada") {
		t.Errorf("output = %q", out.String())
	}

	out.Reset()
	code = Main(context.Background(), []string{"user", "create", "--data", dir, "--email", "ana@ejemplo.mx", "--name", "Ana López"},
		Streams{In: strings.NewReader(""), Out: &out, Err: &errb})
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	m := regexp.MustCompile(`Contraseña generada \(se muestra solo esta vez\): (\S{20})\n`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no generated password in %q", out.String())
	}

	db, err := store.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	admin, err := db.UserByEmail(context.Background(), "admin@mxos.mx")
	if err != nil || !admin.IsAdmin() || admin.Name != "María Pérez" {
		t.Errorf("admin = %+v, %v", admin, err)
	}
	cand, err := db.UserByEmail(context.Background(), "ana@ejemplo.mx")
	if err != nil || cand.IsAdmin() {
		t.Errorf("candidate = %+v, %v", cand, err)
	}

	errb.Reset()
	code = Main(context.Background(), []string{"user", "create", "--data", dir, "--email", "ADMIN@mxos.mx", "--name", "Otra Persona"},
		Streams{In: strings.NewReader("otra frase larga y segura\n"), Out: &out, Err: &errb})
	if code != 1 || !strings.Contains(errb.String(), "ya existe una cuenta con ese correo") {
		t.Errorf("duplicate: exit %d, %q", code, errb.String())
	}
	if code := Main(context.Background(), []string{"user", "create", "--data", dir}, Streams{In: strings.NewReader(""), Out: &out, Err: &errb}); code != 2 {
		t.Errorf("missing flags: exit %d, want 2", code)
	}
}

// The subcommands that open the server's data take serve's --key, so they
// use the server's signing key instead of making a second one in --data.
func TestDataCommandsUseTheServersKey(t *testing.T) {
	data, keys := t.TempDir(), t.TempDir()
	key := filepath.Join(keys, "firma.key")
	var out, errb bytes.Buffer
	code := Main(context.Background(), []string{"user", "create", "--data", data, "--key", key, "--email", "ana@ejemplo.mx", "--name", "Ana López"},
		Streams{In: strings.NewReader("una frase larga y segura\n"), Out: &out, Err: &errb})
	if code != 0 {
		t.Fatalf("user create: exit %d: %s", code, errb.String())
	}
	if code, _, errOut := run(t, "cert", "revoke", "SB-7K4Q-9XTP-M2HW", "--reason", "prueba", "--data", data, "--key", key); code != 1 || !strings.Contains(errOut, "no hay ningún certificado") {
		t.Errorf("cert revoke: exit %d %q", code, errOut)
	}
	if _, err := os.Stat(key); err != nil {
		t.Errorf("the key given with --key: %v", err)
	}
	if _, err := os.Stat(filepath.Join(data, "keys")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a second key was made in the data folder: %v", err)
	}
}

// reset-password prints a link that sets a new password once, and the
// audit log says who it was made for.
func TestUserResetPassword(t *testing.T) {
	dir := t.TempDir()
	var out, errb bytes.Buffer
	if code := Main(context.Background(), []string{"user", "create", "--data", dir, "--email", "ana@ejemplo.mx", "--name", "Ana López"},
		Streams{In: strings.NewReader("una frase larga y segura\n"), Out: &out, Err: &errb}); code != 0 {
		t.Fatalf("create: exit %d: %s", code, errb.String())
	}
	out.Reset()
	code := Main(context.Background(), []string{"user", "reset-password", "--data", dir, "--base-url", "https://certificacion.example", "--email", "ANA@ejemplo.mx"},
		Streams{In: strings.NewReader(""), Out: &out, Err: &errb})
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	m := regexp.MustCompile(`https://certificacion\.example/contrasena/nueva\?t=(\S+)\n`).FindStringSubmatch(out.String())
	if m == nil || !strings.Contains(out.String(), "Ana López <ana@ejemplo.mx>") {
		t.Fatalf("output = %q", out.String())
	}
	if code := Main(context.Background(), []string{"user", "reset-password", "--data", dir, "--email", "nadie@ejemplo.mx"},
		Streams{In: strings.NewReader(""), Out: &out, Err: &errb}); code != 1 || !strings.Contains(errb.String(), "no hay ninguna cuenta") {
		t.Errorf("unknown address: exit %d, %q", code, errb.String())
	}

	svc, err := services.Open(context.Background(), services.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	if err := svc.Accounts.ResetPassword(context.Background(), m[1], "otra frase larga y nueva", "es", ""); err != nil {
		t.Fatalf("the printed link: %v", err)
	}
	if _, err := svc.Accounts.Authenticate(context.Background(), "ana@ejemplo.mx", "otra frase larga y nueva", "192.0.2.1"); err != nil {
		t.Errorf("the new password: %v", err)
	}
	entries, err := svc.DB.Audit(context.Background(), store.AuditFilter{Action: string(model.ActionPasswordResetIssue)})
	if err != nil || len(entries) != 1 || entries[0].Subject != "ana@ejemplo.mx" {
		t.Errorf("audit = %+v, %v", entries, err)
	}
}
