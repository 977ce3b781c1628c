package account

import (
	"bytes"
	"context"
	"encoding/base32"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"mxcert/internal/model"
	"mxcert/internal/pgtest"
	"mxcert/internal/store"
)

// newMFAEnv is newEnv with the key that seals TOTP secrets.
func newMFAEnv(t *testing.T) *env {
	t.Helper()
	e := newEnv(t)
	key, err := LoadOrCreateSecretKey(filepath.Join(t.TempDir(), "keys", "totp.key"))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.svc.SetSecretKey(key); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *env) admin(t *testing.T, email string) *model.User {
	t.Helper()
	u, err := e.svc.CreateUser(context.Background(), Registration{Name: "Rosa Pérez", Email: email, Password: goodPassword}, model.RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// code is what an authenticator app shows for secret at the fake clock's
// time plus offset.
func (e *env) code(t *testing.T, secret string, offset time.Duration) string {
	t.Helper()
	c, err := totp.GenerateCode(secret, e.clock.Now().Add(offset))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// wrongCode is six digits that no authenticator of secret shows now, a
// step before or a step after.
func (e *env) wrongCode(t *testing.T, secret string) string {
	t.Helper()
	valid := map[string]bool{}
	for _, d := range []time.Duration{-30 * time.Second, 0, 30 * time.Second} {
		valid[e.code(t, secret, d)] = true
	}
	for _, c := range []string{"000000", "111111", "222222", "333333"} {
		if !valid[c] {
			return c
		}
	}
	panic("unreachable: three valid codes cannot cover four")
}

func (e *env) begin(t *testing.T, u *model.User) string {
	t.Helper()
	challenge, err := e.svc.BeginSecondFactor(context.Background(), u, "203.0.113.7")
	if err != nil {
		t.Fatal(err)
	}
	return challenge
}

func (e *env) finish(challenge, code string, kind CodeKind) (*SignIn, error) {
	return e.svc.FinishSignIn(context.Background(), challenge, code, kind, "", "Firefox", "203.0.113.7")
}

// enrolNow enrols u from the command line and returns its secret and
// recovery codes.
func (e *env) enrolNow(t *testing.T, u *model.User) (string, []string) {
	t.Helper()
	_, enr, codes, err := e.svc.EnrolNow(context.Background(), u.Email)
	if err != nil {
		t.Fatal(err)
	}
	return enr.Secret, codes
}

// An administrator with no authenticator enrols one during sign-in; the
// session that results has passed the second factor, and the password
// alone cannot replace the authenticator afterwards.
func TestEnrolmentAtSignIn(t *testing.T) {
	e := newMFAEnv(t)
	ctx := context.Background()
	u := e.admin(t, "rosa@mxos.mx")
	challenge := e.begin(t, u)
	p, err := e.svc.PendingSignIn(ctx, challenge)
	if err != nil || p.User.ID != u.ID || p.Enrolled {
		t.Fatalf("PendingSignIn = %+v, %v", p, err)
	}
	enr, err := e.svc.StartSignInEnrolment(ctx, challenge)
	if err != nil {
		t.Fatal(err)
	}
	again, err := e.svc.StartSignInEnrolment(ctx, challenge)
	if err != nil || again.Secret != enr.Secret {
		t.Fatalf("a reload shows another secret (%v): an app that scanned the first would not work", err)
	}
	if !strings.HasPrefix(enr.URI, "otpauth://totp/") || !strings.Contains(enr.URI, "secret="+enr.Secret) || !strings.Contains(enr.URI, "issuer=MxOS") {
		t.Errorf("URI %q", enr.URI)
	}
	if raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(enr.Secret); err != nil || len(raw) != 20 {
		t.Errorf("secret %q: %d bytes, %v", enr.Secret, len(raw), err)
	}

	if _, err := e.svc.FinishEnrolment(ctx, challenge, e.wrongCode(t, enr.Secret), "", "Firefox", "203.0.113.7"); !errors.Is(err, ErrWrongCode) {
		t.Fatalf("a wrong code: %v", err)
	}
	in, err := e.svc.FinishEnrolment(ctx, challenge, e.code(t, enr.Secret, 0), "", "Firefox", "203.0.113.7")
	if err != nil {
		t.Fatal(err)
	}
	if len(in.RecoveryCodes) != RecoveryCodeCount {
		t.Errorf("%d recovery codes", len(in.RecoveryCodes))
	}
	for _, c := range in.RecoveryCodes {
		if !regexp.MustCompile(`^[0-9a-hjkmnp-tv-z]{4}(-[0-9a-hjkmnp-tv-z]{4}){3}$`).MatchString(c) {
			t.Errorf("recovery code %q", c)
		}
	}
	if !e.signedIn(t, in.Token, u) {
		t.Fatal("the new session does not resolve")
	}
	sc, err := e.svc.SessionChecks(ctx, in.Token)
	if err != nil || !sc.SecondFactorAt.Equal(e.clock.Now()) || !sc.CheckedAt.Equal(e.clock.Now()) {
		t.Errorf("session checks %+v, %v", sc, err)
	}
	if _, err := e.svc.PendingSignIn(ctx, challenge); !errors.Is(err, ErrNoChallenge) {
		t.Errorf("the challenge outlived the sign-in: %v", err)
	}
	if sf, _ := e.svc.SecondFactor(ctx, u.ID); !sf.Enrolled || sf.RecoveryLeft != RecoveryCodeCount {
		t.Errorf("second factor %+v", sf)
	}
	entries := e.audit(t, string(model.ActionTOTPEnrol))
	if len(entries) != 1 || entries[0].ActorID != u.ID || entries[0].Detail["ip"] != "203.0.113.7" || entries[0].Detail["via"] != "sign_in" || entries[0].Detail["replaced"] != false {
		t.Errorf("enrolment audit %+v", entries)
	}

	// With an authenticator enrolled, the password alone no longer opens
	// an enrolment.
	next := e.begin(t, u)
	if _, err := e.svc.StartSignInEnrolment(ctx, next); !errors.Is(err, ErrEnrolled) {
		t.Errorf("StartSignInEnrolment for an enrolled account: %v", err)
	}
	if _, err := e.svc.FinishEnrolment(ctx, next, e.code(t, enr.Secret, 30*time.Second), "", "Firefox", "203.0.113.7"); !errors.Is(err, ErrEnrolled) {
		t.Errorf("FinishEnrolment for an enrolled account: %v", err)
	}
}

func TestOnlyAdministratorsHaveASecondFactor(t *testing.T) {
	e := newMFAEnv(t)
	ana := e.register(t, "Ana López", "ana@ejemplo.mx")
	if _, err := e.svc.BeginSecondFactor(context.Background(), ana, "203.0.113.7"); !errors.Is(err, ErrNotAdmin) {
		t.Errorf("BeginSecondFactor for a candidate: %v", err)
	}
	if _, _, _, err := e.svc.EnrolNow(context.Background(), ana.Email); !errors.Is(err, ErrNotAdmin) {
		t.Errorf("EnrolNow for a candidate: %v", err)
	}
	if _, err := e.svc.StartEnrolment(context.Background(), ana.ID); !errors.Is(err, ErrNotAdmin) {
		t.Errorf("StartEnrolment for a candidate: %v", err)
	}
}

// A code is accepted once, within a step of the server's time.
func TestSignInWithCode(t *testing.T) {
	e := newMFAEnv(t)
	u := e.admin(t, "rosa@mxos.mx")
	secret, _ := e.enrolNow(t, u)
	for _, tc := range []struct {
		name    string
		offset  time.Duration // of the phone's clock
		wantErr error
	}{
		{"now", 0, nil},
		{"the same code again", 0, ErrCodeUsed},
		{"two steps behind", -61 * time.Second, ErrWrongCode},
		{"two steps ahead", 61 * time.Second, ErrWrongCode},
		{"one step ahead", 30 * time.Second, nil},
		{"then one behind, older than the last used", -30 * time.Second, ErrCodeUsed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in, err := e.finish(e.begin(t, u), e.code(t, secret, tc.offset), TOTPCode)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if err == nil && !e.signedIn(t, in.Token, u) {
				t.Error("no session")
			}
		})
	}
	e.clock.Advance(time.Minute)
	in, err := e.finish(e.begin(t, u), " "+e.code(t, secret, 0)[:3]+" "+e.code(t, secret, 0)[3:], TOTPCode)
	if err != nil || in.User.ID != u.ID {
		t.Fatalf("a code typed with spaces, a step later: %v", err)
	}
	for _, bad := range []string{"", "1234567", "abcdef", strings.Repeat("9", 1000), e.wrongCode(t, secret)} {
		if _, err := e.finish(e.begin(t, u), bad, TOTPCode); !errors.Is(err, ErrWrongCode) {
			t.Errorf("code %.20q: %v", bad, err)
		}
	}
}

func TestRecoveryCodes(t *testing.T) {
	e := newMFAEnv(t)
	ctx := context.Background()
	u := e.admin(t, "rosa@mxos.mx")
	_, codes := e.enrolNow(t, u)
	// Typed in capitals, without dashes, an o for each 0: still the code.
	typed := strings.ToUpper(strings.ReplaceAll(strings.ReplaceAll(codes[3], "-", ""), "0", "o"))
	in, err := e.finish(e.begin(t, u), typed, RecoveryCode)
	if err != nil {
		t.Fatalf("recovery code %q typed as %q: %v", codes[3], typed, err)
	}
	if sc, _ := e.svc.SessionChecks(ctx, in.Token); sc.SecondFactorAt.IsZero() {
		t.Error("a recovery code is a second factor")
	}
	if _, err := e.finish(e.begin(t, u), codes[3], RecoveryCode); !errors.Is(err, ErrWrongCode) {
		t.Errorf("a recovery code used twice: %v", err)
	}
	if _, err := e.finish(e.begin(t, u), codes[4], TOTPCode); !errors.Is(err, ErrWrongCode) {
		t.Errorf("a recovery code typed as an app code: %v", err)
	}
	use := e.audit(t, string(model.ActionRecoveryUse))
	if len(use) != 1 || use[0].Detail["left"] != 9.0 || use[0].Detail["ip"] != "203.0.113.7" || use[0].ActorID != u.ID {
		t.Errorf("recovery audit %+v", use)
	}

	fresh, err := e.svc.NewRecoveryCodes(ctx, u.ID, "203.0.113.8")
	if err != nil || len(fresh) != RecoveryCodeCount {
		t.Fatalf("NewRecoveryCodes: %d, %v", len(fresh), err)
	}
	if _, err := e.finish(e.begin(t, u), codes[5], RecoveryCode); !errors.Is(err, ErrWrongCode) {
		t.Errorf("an old, unused recovery code after new ones: %v", err)
	}
	if _, err := e.finish(e.begin(t, u), fresh[0], RecoveryCode); err != nil {
		t.Errorf("a new recovery code: %v", err)
	}
	if sf, _ := e.svc.SecondFactor(ctx, u.ID); sf.RecoveryLeft != RecoveryCodeCount-1 {
		t.Errorf("%d codes left", sf.RecoveryLeft)
	}
}

// Wrong codes in a row make the account wait, longer and longer; a right
// code is refused while it waits, and forgives the failures after.
func TestWrongCodesWait(t *testing.T) {
	e := newMFAEnv(t)
	u := e.admin(t, "rosa@mxos.mx")
	secret, _ := e.enrolNow(t, u)
	challenge := e.begin(t, u)
	for i := range freeFailures {
		if _, err := e.finish(challenge, e.wrongCode(t, secret), TOTPCode); !errors.Is(err, ErrWrongCode) {
			t.Fatalf("wrong code %d: %v", i+1, err)
		}
	}
	var wait *WaitError
	if _, err := e.finish(challenge, e.code(t, secret, 0), TOTPCode); !errors.As(err, &wait) || wait.Wait != time.Minute {
		t.Fatalf("a right code after %d wrong ones: %v", freeFailures, err)
	}
	e.clock.Advance(time.Minute)
	if _, err := e.finish(challenge, e.wrongCode(t, secret), TOTPCode); !errors.Is(err, ErrWrongCode) {
		t.Fatal(err)
	}
	if _, err := e.finish(challenge, e.code(t, secret, 0), TOTPCode); !errors.As(err, &wait) || wait.Wait != 2*time.Minute {
		t.Fatalf("after one more wrong code: %v, want a wait of 2 minutes", err)
	}
	e.clock.Advance(2 * time.Minute)
	if _, err := e.finish(challenge, e.code(t, secret, 0), TOTPCode); err != nil {
		t.Fatalf("a right code after the wait: %v", err)
	}
	if n, _, err := e.db.VerificationFailures(context.Background(), u.ID); err != nil || n != 0 {
		t.Errorf("%d failures remembered after a right code, %v", n, err)
	}
	failures := e.audit(t, string(model.ActionVerifyFailure))
	if len(failures) != freeFailures+1 || failures[0].Detail["failures"] != float64(freeFailures+1) || failures[0].Detail["ip"] != "203.0.113.7" {
		t.Errorf("failure audit: %d entries, newest %+v", len(failures), failures[0])
	}
	for _, tc := range []struct {
		failures int
		want     time.Duration
	}{{4, 0}, {5, time.Minute}, {6, 2 * time.Minute}, {10, 32 * time.Minute}, {16, 24 * time.Hour}, {1000, 24 * time.Hour}} {
		if got := lockedFor(tc.failures, clockStart, clockStart); got != tc.want {
			t.Errorf("lockedFor(%d) = %v, want %v", tc.failures, got, tc.want)
		}
	}
}

var clockStart = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func TestChallengeExpires(t *testing.T) {
	e := newMFAEnv(t)
	u := e.admin(t, "rosa@mxos.mx")
	secret, _ := e.enrolNow(t, u)
	challenge := e.begin(t, u)
	e.clock.Advance(ChallengeTTL + time.Second)
	if _, err := e.finish(challenge, e.code(t, secret, 0), TOTPCode); !errors.Is(err, ErrNoChallenge) {
		t.Errorf("an expired challenge: %v", err)
	}
	for _, forged := range []string{"", "x", strings.Repeat("A", 43), strings.Repeat("A", 500)} {
		if _, err := e.finish(forged, e.code(t, secret, 0), TOTPCode); !errors.Is(err, ErrNoChallenge) {
			t.Errorf("challenge %.10q: %v", forged, err)
		}
	}
	// A session is never a challenge.
	session := e.signIn(t, u, "")
	if _, err := e.svc.PendingSignIn(context.Background(), session); !errors.Is(err, ErrNoChallenge) {
		t.Errorf("a session token as a challenge: %v", err)
	}
}

// The database holds neither the secret nor the recovery codes, and the
// audit log names neither; a sealed secret opens only for its account.
func TestSecretsAreNotStoredInClear(t *testing.T) {
	pgtest.SQLiteOnly(t) // it reads the database file's bytes
	e := newMFAEnv(t)
	ctx := context.Background()
	u := e.admin(t, "rosa@mxos.mx")
	other := e.admin(t, "luis@mxos.mx")
	secret, codes := e.enrolNow(t, u)
	in, err := e.finish(e.begin(t, u), codes[0], RecoveryCode)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.finish(e.begin(t, u), e.wrongCode(t, secret), TOTPCode); !errors.Is(err, ErrWrongCode) {
		t.Fatal(err)
	}
	if err := e.svc.RecheckCode(ctx, in.Token, u.ID, e.code(t, secret, 0), "203.0.113.7"); err != nil {
		t.Fatal(err)
	}
	if err := e.db.Close(); err != nil {
		t.Fatal(err)
	}
	file, err := os.ReadFile(e.db.Path())
	if err != nil {
		t.Fatal(err)
	}
	if wal, err := os.ReadFile(e.db.Path() + "-wal"); err == nil {
		file = append(file, wal...)
	}
	raw, _ := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(secret)
	for _, s := range append([]string{secret, string(raw)}, codes...) {
		if bytes.Contains(file, []byte(s)) || bytes.Contains(file, []byte(strings.ReplaceAll(s, "-", ""))) {
			t.Errorf("the database file holds %q", s)
		}
	}

	db, err := store.Open(ctx, filepath.Dir(e.db.Path()))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var sealed []byte
	err = db.Transact(ctx, func(tx *store.Tx) error {
		a, err := tx.Authenticator(u.ID)
		if a != nil {
			sealed = a.Secret
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := e.svc.secrets.open(u.ID, sealed); err != nil || !bytes.Equal(got, raw) {
		t.Errorf("the sealed secret does not open for its account: %v", err)
	}
	if _, err := e.svc.secrets.open(other.ID, sealed); err == nil {
		t.Error("a sealed secret opens for another account")
	}
	otherKey, _ := LoadOrCreateSecretKey(filepath.Join(t.TempDir(), "k"))
	wrong, _ := newSealer(otherKey)
	if _, err := wrong.open(u.ID, sealed); err == nil {
		t.Error("a sealed secret opens with another key")
	}
	entries, err := db.Audit(ctx, store.AuditFilter{Action: "mfa."})
	if err != nil || len(entries) < 4 {
		t.Fatalf("%d second-factor audit entries, %v", len(entries), err)
	}
	for _, en := range entries {
		for k, v := range en.Detail {
			s, _ := v.(string)
			if k == "code" || k == "secret" || (s != "" && (strings.Contains(secret, s) || strings.Contains(strings.Join(codes, " "), s))) {
				t.Errorf("audit entry %s has %s=%v", en.Action, k, v)
			}
		}
	}
}

func TestSecretKeyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys", "totp.key")
	key, err := LoadOrCreateSecretKey(path)
	if err != nil || len(key) != SecretKeySize {
		t.Fatalf("new key: %d bytes, %v", len(key), err)
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, %v", st.Mode(), err)
	}
	again, err := LoadOrCreateSecretKey(path)
	if err != nil || !bytes.Equal(again, key) {
		t.Errorf("the key changed on reading it again: %v", err)
	}
	if left, err := os.ReadDir(filepath.Dir(path)); err != nil || len(left) != 1 {
		t.Errorf("the key's folder holds %v (%v); want only the key, no temporary file", left, err)
	}
	if err := os.Chmod(path, 0o640); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreateSecretKey(path); !errors.Is(err, ErrSharedSecretKey) {
		t.Errorf("a key file its group can read: %v", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("corto\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreateSecretKey(path); err == nil {
		t.Error("a damaged key file was accepted")
	}
}

// Administrators' sessions idle out after 30 minutes; candidates' do not.
func TestAdminSessionsIdleSooner(t *testing.T) {
	e := newMFAEnv(t)
	admin := e.admin(t, "rosa@mxos.mx")
	ana := e.register(t, "Ana López", "ana@ejemplo.mx")
	adminToken, anaToken := e.signIn(t, admin, ""), e.signIn(t, ana, "")
	e.clock.Advance(AdminIdleTimeout - time.Minute)
	if !e.signedIn(t, adminToken, admin) {
		t.Fatal("an administrator's session ended before 30 idle minutes")
	}
	e.clock.Advance(AdminIdleTimeout + time.Second)
	if e.signedIn(t, adminToken, admin) {
		t.Error("an administrator's session survived 30 idle minutes")
	}
	if !e.signedIn(t, anaToken, ana) {
		t.Error("a candidate's session ended after 30 idle minutes")
	}
}

func TestRecheck(t *testing.T) {
	e := newMFAEnv(t)
	ctx := context.Background()
	u := e.admin(t, "rosa@mxos.mx")
	secret, _ := e.enrolNow(t, u)
	in, err := e.finish(e.begin(t, u), e.code(t, secret, 0), TOTPCode)
	if err != nil {
		t.Fatal(err)
	}
	recent := func() bool {
		t.Helper()
		sc, err := e.svc.SessionChecks(ctx, in.Token)
		if err != nil {
			t.Fatal(err)
		}
		return e.svc.RecentlyChecked(sc)
	}
	if !recent() {
		t.Fatal("a session just signed in with a code is not recent")
	}
	e.clock.Advance(RecheckWithin + time.Second)
	if recent() {
		t.Fatal("a check 10 minutes old is still recent")
	}
	if err := e.svc.RecheckPassword(ctx, in.Token, u.ID, "no es la contraseña", "203.0.113.9"); !errors.Is(err, ErrWrongPassword) || recent() {
		t.Fatalf("a wrong password: %v", err)
	}
	if err := e.svc.RecheckPassword(ctx, in.Token, u.ID, goodPassword, "203.0.113.9"); err != nil || !recent() {
		t.Fatalf("the password: %v", err)
	}
	e.clock.Advance(RecheckWithin + time.Second)
	if err := e.svc.RecheckCode(ctx, in.Token, u.ID, e.code(t, secret, 0), "203.0.113.9"); err != nil || !recent() {
		t.Fatalf("a code: %v", err)
	}
	if err := e.svc.RecheckCode(ctx, in.Token, u.ID, e.code(t, secret, 0), "203.0.113.9"); !errors.Is(err, ErrCodeUsed) {
		t.Errorf("the same code again: %v", err)
	}
	// Another account's session is not rechecked by this one's password.
	other := e.admin(t, "luis@mxos.mx")
	if err := e.svc.RecheckPassword(ctx, in.Token, other.ID, goodPassword, "203.0.113.9"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a re-check of someone else's session: %v", err)
	}
	if got := e.audit(t, string(model.ActionPasswordRecheck)); len(got) != 1 || got[0].Detail["ip"] != "203.0.113.9" {
		t.Errorf("password re-check audit %+v", got)
	}
}

// A session started without the second factor (a candidate's, or from
// before second factors) says so.
func TestPlainSessionHasNoSecondFactor(t *testing.T) {
	e := newMFAEnv(t)
	u := e.admin(t, "rosa@mxos.mx")
	token := e.signIn(t, u, "")
	sc, err := e.svc.SessionChecks(context.Background(), token)
	if err != nil || !sc.SecondFactorAt.IsZero() || !sc.CheckedAt.Equal(e.clock.Now()) {
		t.Errorf("SessionChecks = %+v, %v", sc, err)
	}
	if _, err := e.svc.SessionChecks(context.Background(), "nada"); !errors.Is(err, ErrNoSession) {
		t.Errorf("an unknown token: %v", err)
	}
}
