package cli

import (
	"bytes"
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"mxcert/internal/account"
	"mxcert/internal/services"
	"mxcert/internal/store"
)

var (
	secretLine   = regexp.MustCompile(`escribiendo la clave ((?:[A-Z2-7]{4} ?)+) \(basada en tiempo`)
	recoveryLine = regexp.MustCompile(`(?m)^  ([0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4})$`)
)

// enrolment reads the secret and the recovery codes out of the command's
// output.
func enrolment(t *testing.T, out string) (string, []string) {
	t.Helper()
	m := secretLine.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no secret in the output:\n%s", out)
	}
	var codes []string
	for _, c := range recoveryLine.FindAllStringSubmatch(out, -1) {
		codes = append(codes, c[1])
	}
	if len(codes) != account.RecoveryCodeCount {
		t.Fatalf("%d recovery codes in the output:\n%s", len(codes), out)
	}
	if !strings.Contains(out, "otpauth://totp/") || !strings.Contains(out, "█") {
		t.Errorf("no otpauth link or QR code in the output:\n%s", out)
	}
	return strings.ReplaceAll(m[1], " ", ""), codes
}

// signIn finishes an administrator's sign-in with a code or a recovery
// code, as the web does after the password.
func signIn(t *testing.T, data, email, code string, kind account.CodeKind) error {
	t.Helper()
	ctx := context.Background()
	svc, err := services.Open(ctx, services.Config{DataDir: data, HashParams: account.HashParams{Memory: 64, Time: 1, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	u, err := svc.DB.UserByEmail(ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	challenge, err := svc.Accounts.BeginSecondFactor(ctx, u, "")
	if err != nil {
		t.Fatal(err)
	}
	_, err = svc.Accounts.FinishSignIn(ctx, challenge, code, kind, "", "", "")
	return err
}

// The first administrator, made on the command line, gets an
// authenticator and recovery codes with the account; "user totp" gives
// new ones to an administrator who lost them.
func TestAdminGetsASecondFactorOnTheCommandLine(t *testing.T) {
	data := t.TempDir()
	var out, errb bytes.Buffer
	code := Main(context.Background(), []string{"user", "create", "--data", data, "--email", "rosa@mxos.mx", "--name", "Rosa Pérez", "--admin"},
		Streams{In: strings.NewReader("una frase larga y segura\n"), Out: &out, Err: &errb})
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	secret, codes := enrolment(t, out.String())
	now, err := totp.GenerateCode(secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := signIn(t, data, "rosa@mxos.mx", now, account.TOTPCode); err != nil {
		t.Errorf("the printed secret's code does not sign in: %v", err)
	}

	code, again, errOut := run(t, "user", "totp", "--data", data, "--email", "ROSA@mxos.mx")
	if code != 0 {
		t.Fatalf("user totp: exit %d: %s", code, errOut)
	}
	newSecret, newCodes := enrolment(t, again)
	if newSecret == secret {
		t.Error("user totp printed the same secret")
	}
	if err := signIn(t, data, "rosa@mxos.mx", codes[0], account.RecoveryCode); !errors.Is(err, account.ErrWrongCode) {
		t.Errorf("an old recovery code after user totp: %v", err)
	}
	if err := signIn(t, data, "rosa@mxos.mx", newCodes[0], account.RecoveryCode); err != nil {
		t.Errorf("a new recovery code: %v", err)
	}

	db, err := store.Open(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	entries, err := db.Audit(context.Background(), store.AuditFilter{Action: "mfa.enrol"})
	if err != nil || len(entries) != 2 || entries[0].ActorID != 0 || entries[0].Detail["via"] != "command_line" || entries[0].Detail["replaced"] != true {
		t.Errorf("enrolment audit %+v, %v", entries, err)
	}
}

func TestUserTOTPRefusals(t *testing.T) {
	data := t.TempDir()
	var out, errb bytes.Buffer
	if code := Main(context.Background(), []string{"user", "create", "--data", data, "--email", "ana@ejemplo.mx", "--name", "Ana López"},
		Streams{In: strings.NewReader("una frase larga y segura\n"), Out: &out, Err: &errb}); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if strings.Contains(out.String(), "otpauth") {
		t.Error("a candidate got an authenticator")
	}
	for _, tc := range []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"a candidate", []string{"--email", "ana@ejemplo.mx"}, 1, "no es de administrador"},
		{"nobody", []string{"--email", "nadie@ejemplo.mx"}, 1, "no hay ninguna cuenta"},
		{"no e-mail", nil, 2, "--email es obligatorio"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := run(t, append([]string{"user", "totp", "--data", data}, tc.args...)...)
			if code != tc.wantCode || !strings.Contains(errOut, tc.wantErr) || strings.Contains(out, "otpauth") {
				t.Errorf("exit %d, stderr %q, stdout %q", code, errOut, out)
			}
		})
	}
}
