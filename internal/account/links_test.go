package account

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"mxcert/internal/model"
	"mxcert/internal/store"
)

// mailTo is what was queued for addr, oldest first.
func (e *env) mailTo(t *testing.T, addr string) []*model.Mail {
	t.Helper()
	list, err := e.db.MailTo(context.Background(), addr)
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// tokenIn is the t= parameter of the link to path in a message.
func tokenIn(t *testing.T, m *model.Mail, path string) string {
	t.Helper()
	for _, f := range strings.Fields(m.Text) {
		if u, err := url.Parse(f); err == nil && u.Path == path {
			return u.Query().Get("t")
		}
	}
	t.Fatalf("no link to %s in %q", path, m.Text)
	return ""
}

func TestRegisterQueuesAVerificationLink(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	u := e.register(t, "Ana López", "Ana@Ejemplo.mx")
	if u.EmailVerified() {
		t.Fatal("a registered address counts as confirmed before its link is followed")
	}
	mails := e.mailTo(t, "Ana@Ejemplo.mx")
	if len(mails) != 1 || mails[0].Subject != "Confirma tu correo para la Certificación MxOS" || mails[0].HTML == "" {
		t.Fatalf("queued: %+v", mails)
	}
	token := tokenIn(t, mails[0], "/correo/verificar")

	// Stored only as its SHA-256.
	if e.db.Path() != "" { // the SQLite file, read as it is
		storedOnlyHashed(t, e.db.Path(), token)
	}

	got, err := e.svc.VerifyEmail(ctx, token, "es", "192.0.2.1")
	if err != nil || !got.EmailVerified() {
		t.Fatalf("verify: %+v, %v", got, err)
	}
	if _, err := e.svc.VerifyEmail(ctx, token, "es", "192.0.2.1"); !errors.Is(err, ErrLinkUsed) {
		t.Errorf("the link followed twice: %v, want ErrLinkUsed", err)
	}
	if _, err := e.svc.VerifyEmail(ctx, "no-such-token", "es", "192.0.2.1"); !errors.Is(err, ErrLinkUnknown) {
		t.Errorf("an unknown link: %v", err)
	}
	if len(e.audit(t, string(model.ActionEmailVerifySend))) != 1 || len(e.audit(t, string(model.ActionEmailVerify))) != 1 {
		t.Error("sending and following the link are not both audited")
	}
}

func TestVerificationLinkExpiresAfter48Hours(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.register(t, "Ana López", "ana@ejemplo.mx")
	token := tokenIn(t, e.mailTo(t, "ana@ejemplo.mx")[0], "/correo/verificar")
	e.clock.Advance(VerifyTTL)
	if _, err := e.svc.VerifyEmail(ctx, token, "es", ""); !errors.Is(err, ErrLinkExpired) {
		t.Fatalf("after 48 h: %v, want ErrLinkExpired", err)
	}
	// A new link replaces it.
	u, _ := e.db.UserByEmail(ctx, "ana@ejemplo.mx")
	if err := e.svc.ResendVerification(ctx, u.ID, "en", ""); err != nil {
		t.Fatal(err)
	}
	mails := e.mailTo(t, "ana@ejemplo.mx")
	if len(mails) != 2 || mails[1].Subject != "Confirm your e-mail for the MxOS Certification" {
		t.Fatalf("resend: %+v", mails)
	}
	if _, err := e.svc.VerifyEmail(ctx, tokenIn(t, mails[1], "/correo/verificar"), "es", ""); err != nil {
		t.Fatal(err)
	}
	// Confirmed: a resend sends nothing.
	if err := e.svc.ResendVerification(ctx, u.ID, "es", ""); err != nil || len(e.mailTo(t, "ana@ejemplo.mx")) != 2 {
		t.Errorf("resend to a confirmed address: %v, %d messages", err, len(e.mailTo(t, "ana@ejemplo.mx")))
	}
}

func TestCreateUserCountsAsVerified(t *testing.T) {
	e := newEnv(t)
	u, err := e.svc.CreateUser(context.Background(), Registration{Name: "María Pérez", Email: "maria@ejemplo.mx", Password: goodPassword}, model.RoleCandidate)
	if err != nil || !u.EmailVerified() {
		t.Fatalf("CreateUser = %+v, %v", u, err)
	}
	if len(e.mailTo(t, "maria@ejemplo.mx")) != 0 {
		t.Error("an account made by the operator was sent a confirmation link")
	}
}

func TestRegisterExistingAddressTellsTheOwner(t *testing.T) {
	e := newEnv(t)
	e.register(t, "Ana López", "ana@ejemplo.mx")
	_, err := e.svc.Register(context.Background(), Registration{Name: "Otra Persona", Email: "ANA@ejemplo.mx", Password: "otra frase larga y segura", State: "Sonora", Lang: "en"})
	if !errors.Is(err, ErrAlreadyRegistered) {
		t.Fatal(err)
	}
	mails := e.mailTo(t, "ana@ejemplo.mx")
	if len(mails) != 2 || mails[1].Subject != "You already have an MxOS Certification account" ||
		!strings.Contains(mails[1].Text, "/entrar") || !strings.Contains(mails[1].Text, "/contrasena/olvide") {
		t.Fatalf("queued: %+v", mails)
	}
	if len(e.mailTo(t, "ANA@ejemplo.mx")) != 0 {
		t.Error("the message went to the address as typed, not to the account's")
	}
	if len(e.audit(t, string(model.ActionRegisterExisting))) != 1 {
		t.Error("not audited")
	}
}

func TestEmailChange(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	u := e.register(t, "Ana López", "ana@ejemplo.mx")
	if err := e.svc.RequestEmailChange(ctx, u.ID, "no es", "nueva@ejemplo.mx", "es", ""); problems(t, err)["current"] != PasswordWrong {
		t.Errorf("wrong password: %v", err)
	}
	if err := e.svc.RequestEmailChange(ctx, u.ID, goodPassword, "ANA@ejemplo.mx", "es", ""); problems(t, err)["email"] != EmailSame {
		t.Errorf("same address: %v", err)
	}
	if err := e.svc.RequestEmailChange(ctx, u.ID, goodPassword, "nueva@ejemplo.mx", "es", ""); err != nil {
		t.Fatal(err)
	}
	if got, _ := e.db.UserByID(ctx, u.ID); got.EmailNorm != "ana@ejemplo.mx" {
		t.Fatalf("the address changed before the link was followed: %s", got.EmailNorm)
	}
	mails := e.mailTo(t, "nueva@ejemplo.mx")
	if len(mails) != 1 {
		t.Fatalf("to the new address: %+v", mails)
	}
	got, err := e.svc.VerifyEmail(ctx, tokenIn(t, mails[0], "/correo/verificar"), "es", "")
	if err != nil || got.Email != "nueva@ejemplo.mx" || !got.EmailVerified() {
		t.Fatalf("after the link: %+v, %v", got, err)
	}
	old := e.mailTo(t, "ana@ejemplo.mx")
	if last := old[len(old)-1]; last.Subject != "El correo de tu cuenta de la Certificación MxOS cambió" || !strings.Contains(last.Text, "nueva@ejemplo.mx") {
		t.Errorf("the old address was not told: %+v", last)
	}
	if _, err := e.svc.Authenticate(ctx, "nueva@ejemplo.mx", goodPassword, "192.0.2.1"); err != nil {
		t.Errorf("sign in with the new address: %v", err)
	}
	if entries := e.audit(t, string(model.ActionEmailChange)); len(entries) != 1 || entries[0].Detail["before"] != "ana@ejemplo.mx" {
		t.Errorf("audit: %+v", entries)
	}
	// An address of another account: «ya tienes una cuenta» to it, nothing changes.
	e.register(t, "Luis Pérez", "luis@ejemplo.mx")
	if err := e.svc.RequestEmailChange(ctx, u.ID, goodPassword, "luis@ejemplo.mx", "es", ""); err != nil {
		t.Fatal(err)
	}
	if luis := e.mailTo(t, "luis@ejemplo.mx"); luis[len(luis)-1].Subject != "Ya tienes una cuenta en la Certificación MxOS" {
		t.Errorf("to the taken address: %+v", luis[len(luis)-1])
	}
}

func TestPasswordReset(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	u := e.register(t, "Ana López", "ana@ejemplo.mx")
	for range 2 {
		if _, err := e.svc.StartSession(ctx, u.ID, "", "test", "192.0.2.1"); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.svc.RequestPasswordReset(ctx, "nadie@ejemplo.mx", "es", "192.0.2.1"); err != nil {
		t.Fatalf("unknown address: %v", err)
	}
	if len(e.mailTo(t, "nadie@ejemplo.mx")) != 0 {
		t.Error("mail queued for an address without an account")
	}
	if err := e.svc.RequestPasswordReset(ctx, "ANA@ejemplo.mx", "es", "192.0.2.1"); err != nil {
		t.Fatal(err)
	}
	mails := e.mailTo(t, "ana@ejemplo.mx")
	token := tokenIn(t, mails[len(mails)-1], "/contrasena/nueva")
	if err := e.svc.CheckResetLink(ctx, token); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.ResetPassword(ctx, token, "corta", "es", ""); problems(t, err)["password"] != PasswordShort {
		t.Errorf("a short password: %v", err)
	}
	if err := e.svc.ResetPassword(ctx, token, "una frase nueva y larga", "es", "192.0.2.1"); err != nil {
		t.Fatal(err)
	}
	if n, _ := e.db.CountUserSessions(ctx, u.ID); n != 0 {
		t.Errorf("%d sessions left after a reset", n)
	}
	if _, err := e.svc.Authenticate(ctx, "ana@ejemplo.mx", "una frase nueva y larga", "192.0.2.1"); err != nil {
		t.Errorf("the new password: %v", err)
	}
	mails = e.mailTo(t, "ana@ejemplo.mx")
	if mails[len(mails)-1].Subject != "Tu contraseña de la Certificación MxOS cambió" {
		t.Errorf("no notice: %+v", mails[len(mails)-1])
	}
	if err := e.svc.ResetPassword(ctx, token, "otra frase nueva y larga", "es", ""); !errors.Is(err, ErrLinkUsed) {
		t.Errorf("the link used twice: %v", err)
	}
	if len(e.audit(t, string(model.ActionPasswordReset))) != 1 || len(e.audit(t, string(model.ActionPasswordResetRequest))) != 2 {
		t.Error("requests and the reset are not audited")
	}

	// 31 minutes later, a link is refused.
	if err := e.svc.RequestPasswordReset(ctx, "ana@ejemplo.mx", "es", ""); err != nil {
		t.Fatal(err)
	}
	mails = e.mailTo(t, "ana@ejemplo.mx")
	late := tokenIn(t, mails[len(mails)-1], "/contrasena/nueva")
	e.clock.Advance(31 * time.Minute)
	if err := e.svc.CheckResetLink(ctx, late); !errors.Is(err, ErrLinkExpired) {
		t.Errorf("31 minutes later: %v", err)
	}
	if err := e.svc.ResetPassword(ctx, late, "otra frase nueva y larga", "es", ""); !errors.Is(err, ErrLinkExpired) {
		t.Errorf("31 minutes later: %v", err)
	}
}

func TestIssueResetLink(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.register(t, "Ana López", "ana@ejemplo.mx")
	link, u, err := e.svc.IssueResetLink(ctx, "Ana@Ejemplo.mx")
	if err != nil || u.EmailNorm != "ana@ejemplo.mx" || !strings.HasPrefix(link, "/contrasena/nueva?t=") {
		t.Fatalf("IssueResetLink = %q, %+v, %v", link, u, err)
	}
	parsed, _ := url.Parse(link)
	if err := e.svc.ResetPassword(ctx, parsed.Query().Get("t"), "una frase nueva y larga", "es", ""); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.svc.IssueResetLink(ctx, "nadie@ejemplo.mx"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown address: %v", err)
	}
	if entries := e.audit(t, string(model.ActionPasswordResetIssue)); len(entries) != 1 || entries[0].Detail["delivered"] != "printed" {
		t.Errorf("audit: %+v", entries)
	}
}

// storedOnlyHashed checks, in the SQLite file at path, that the table of
// links holds the token's SHA-256 and never the token.
func storedOnlyHashed(t *testing.T, path, token string) {
	t.Helper()
	raw, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var hash []byte
	var purpose string
	if err := raw.QueryRow(`SELECT token_hash, purpose FROM account_tokens`).Scan(&hash, &purpose); err != nil {
		t.Fatal(err)
	}
	want := sha256.Sum256([]byte(token))
	if string(hash) != string(want[:]) || purpose != "verify_email" {
		t.Errorf("stored token = %x %s, want the hash of the mailed one", hash, purpose)
	}
	var n int
	if err := raw.QueryRow(`SELECT count(*) FROM account_tokens WHERE instr(token_hash, ?) > 0`, token).Scan(&n); err != nil || n != 0 {
		t.Errorf("the token itself is in the table: %d, %v", n, err)
	}
}
