package account

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
	"github.com/pquerna/otp/totp"

	"mxcert/internal/fail"
	"mxcert/internal/model"
	"mxcert/internal/store"
)

// The authenticator every administrator enrols: RFC 6238 TOTP with the
// parameters every authenticator app takes (SHA-1, 6 digits, 30 s).
const (
	totpIssuer = "MxOS Certificación"
	totpPeriod = 30 * time.Second
	totpDigits = otp.DigitsSix
	// totpSkew is how many time steps before or after now a code is still
	// accepted: a phone's clock a little off, a code typed as it changes.
	totpSkew = 1
	// secretSize is the secret's length in bytes (160 bits, as RFC 4226
	// recommends).
	secretSize = 20
	// RecoveryCodeCount is how many recovery codes an enrolment gives.
	RecoveryCodeCount = 10
)

// Second-factor errors.
var (
	ErrWrongCode   = fail.New(fail.ErrInvalid, "wrong code")
	ErrCodeUsed    = fail.New(fail.ErrInvalid, "the code was already used")
	ErrNotEnrolled = fail.New(fail.ErrConflict, "no authenticator enrolled")
	ErrEnrolled    = fail.New(fail.ErrConflict, "an authenticator is already enrolled")
	ErrNotAdmin    = fail.New(fail.ErrForbidden, "only administrators have a second factor")
	// ErrNoEnrolment is a code for an authenticator whose set-up was not
	// started, or was replaced by another one.
	ErrNoEnrolment = fail.New(fail.ErrConflict, "no authenticator being set up")
	errNoKey       = errors.New("account: no key to seal TOTP secrets (SetSecretKey)")
)

// WaitError refuses a code without looking at it: the account typed too
// many wrong ones in a row and must wait.
type WaitError struct{ Wait time.Duration }

func (e *WaitError) Error() string {
	return fmt.Sprintf("too many wrong codes; try again in %s", e.Wait.Round(time.Second))
}

// Unwrap makes a WaitError of kind fail.ErrForbidden.
func (e *WaitError) Unwrap() error { return fail.ErrForbidden }

// freeCodeFailures is how many wrong codes in a row cost nothing. After them
// each try waits a minute, doubled with every further failure, up to a
// day: a person who mistypes never notices, and someone who has the
// password gets a few hundred guesses a year at a one-in-a-million code.
const freeCodeFailures = 5

func lockedFor(failures int, last, now time.Time) time.Duration {
	if failures < freeCodeFailures {
		return 0
	}
	wait := min(time.Minute<<min(failures-freeCodeFailures, 11), 24*time.Hour)
	return max(last.Add(wait).Sub(now), 0)
}

// SetSecretKey gives the service the key that seals TOTP secrets at rest
// (see LoadOrCreateSecretKey). services.Open calls it once, before the
// service is used; without it every second-factor method fails.
func (s *Service) SetSecretKey(key []byte) error {
	sl, err := newSealer(key)
	if err != nil {
		return err
	}
	s.secrets = sl
	return nil
}

// Enrolment is an authenticator to set up: what its owner scans, or types,
// into an authenticator app.
type Enrolment struct {
	Secret string // base32, as the apps take it typed
	URI    string // otpauth://totp/…, the content of the QR code
}

func enrolment(u *model.User, secret []byte) (*Enrolment, error) {
	key, err := totp.Generate(totp.GenerateOpts{
		Issuer: totpIssuer, AccountName: u.Email, Secret: secret,
		Period: uint(totpPeriod / time.Second), Digits: totpDigits, Algorithm: otp.AlgorithmSHA1,
	})
	if err != nil {
		return nil, fmt.Errorf("authenticator of user %d: %w", u.ID, err)
	}
	return &Enrolment{Secret: key.Secret(), URI: key.URL()}, nil
}

func newSecret() ([]byte, error) {
	secret := make([]byte, secretSize)
	_, err := rand.Read(secret)
	return secret, err
}

// step is the TOTP time step of t.
func step(t time.Time) int64 { return t.Unix() / int64(totpPeriod/time.Second) }

// matchStep returns the time step, within totpSkew of now, whose code is
// code; ok is false when none is.
func matchStep(secret []byte, code string, now time.Time) (int64, bool) {
	code = strings.Join(strings.Fields(code), "") // "123 456" as the apps show it
	if len(code) != totpDigits.Length() {
		return 0, false
	}
	b32 := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(secret)
	opts := hotp.ValidateOpts{Digits: totpDigits, Algorithm: otp.AlgorithmSHA1}
	var found int64
	for st := step(now) - totpSkew; st <= step(now)+totpSkew; st++ {
		// Every step is computed, found or not: the time taken says nothing.
		if ok, err := hotp.ValidateCustom(code, uint64(st), b32, opts); err == nil && ok && found == 0 { // #nosec G115 -- steps since 1970 are positive
			found = st
		}
	}
	return found, found != 0
}

// CodeKind is what a person typed as their second factor.
type CodeKind int

const (
	TOTPCode     CodeKind = iota // six digits from the authenticator app
	RecoveryCode                 // one of the printed recovery codes
)

func (k CodeKind) String() string {
	if k == RecoveryCode {
		return "recovery_code"
	}
	return "totp"
}

// A code is typed for one of these: to finish signing in, or to confirm a
// sensitive action in the console.
const (
	purposeSignIn  = "sign_in"
	purposeRecheck = "recheck"
)

// checkCode checks a second factor typed by u, in tx. A right code is
// spent (its time step, or the recovery code), the account's failures are
// forgotten and the use is audited. A wrong one is counted and audited,
// and returned as the verdict (ErrWrongCode, ErrCodeUsed, or a *WaitError
// without looking at it); the caller commits tx even then, so that the
// failure counts. err is a fault, not the code's.
func (s *Service) checkCode(tx *store.Tx, u *model.User, code string, kind CodeKind, purpose, ip string) (verdict error, err error) {
	if s.secrets == nil {
		return nil, errNoKey
	}
	n, last, err := tx.VerificationFailures(u.ID)
	if err != nil {
		return nil, err
	}
	if wait := lockedFor(n, last, tx.Now); wait > 0 {
		return &WaitError{Wait: wait}, nil
	}
	detail := map[string]any{"user_id": u.ID, "ip": ip, "purpose": purpose, "method": kind.String()}
	action := model.ActionTOTPUse
	if kind == RecoveryCode {
		action = model.ActionRecoveryUse
		verdict, err = checkRecovery(tx, u, code, detail)
	} else {
		verdict, err = s.checkTOTP(tx, u, code, detail)
	}
	if err != nil {
		return nil, err
	}
	if verdict != nil {
		return verdict, s.countFailure(tx, u, detail)
	}
	if err := tx.Audit(u.ID, action, u.EmailNorm, detail); err != nil {
		return nil, err
	}
	return nil, tx.ClearVerificationFailures(u.ID)
}

// checkTOTP checks a code from u's authenticator and spends its time step.
func (s *Service) checkTOTP(tx *store.Tx, u *model.User, code string, detail map[string]any) (verdict error, err error) {
	a, err := tx.Authenticator(u.ID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNotEnrolled
	}
	if err != nil {
		return nil, err
	}
	secret, err := s.secrets.open(u.ID, a.Secret)
	if err != nil {
		return nil, fmt.Errorf("authenticator of user %d: %w", u.ID, err)
	}
	st, ok := matchStep(secret, code, tx.Now)
	if !ok {
		return ErrWrongCode, nil
	}
	fresh, err := tx.AcceptStep(u.ID, st)
	if err != nil {
		return nil, err
	}
	if !fresh {
		detail["reused"] = true
		return ErrCodeUsed, nil
	}
	return nil, nil
}

// checkRecovery spends one of u's unused recovery codes.
func checkRecovery(tx *store.Tx, u *model.User, code string, detail map[string]any) (verdict error, err error) {
	h, ok := recoveryHash(code)
	if !ok {
		return ErrWrongCode, nil
	}
	used, err := tx.UseRecoveryCode(u.ID, h)
	if err != nil || !used {
		return ErrWrongCode, err
	}
	left, err := tx.RecoveryCodesLeft(u.ID)
	detail["left"] = left
	return nil, err
}

// countFailure counts and audits a wrong code or password.
func (s *Service) countFailure(tx *store.Tx, u *model.User, detail map[string]any) error {
	n, err := tx.AddVerificationFailure(u.ID)
	if err != nil {
		return err
	}
	detail["failures"] = n
	return tx.Audit(u.ID, model.ActionVerifyFailure, u.EmailNorm, detail)
}

// StartEnrolment returns the authenticator an administrator is setting
// up, making one the first time. Shown again (a reload, a second try) it
// is the same one, so an app that already scanned it keeps working. The
// enrolled authenticator, if any, stays in use until ConfirmEnrolment.
func (s *Service) StartEnrolment(ctx context.Context, userID int64) (*Enrolment, error) {
	if s.secrets == nil {
		return nil, errNoKey
	}
	var e *Enrolment
	err := s.db.Transact(ctx, func(tx *store.Tx) error {
		u, err := tx.UserByID(userID)
		if err != nil {
			return err
		}
		if !u.IsAdmin() {
			return ErrNotAdmin
		}
		secret, err := s.pendingSecret(tx, u)
		if err != nil {
			return err
		}
		e, err = enrolment(u, secret)
		return err
	})
	return e, err
}

// pendingSecret opens the secret of the authenticator u is setting up,
// starting one if there is none (or if it does not open: a new key).
func (s *Service) pendingSecret(tx *store.Tx, u *model.User) ([]byte, error) {
	sealed, err := tx.Enrolment(u.ID)
	if err == nil {
		if secret, err := s.secrets.open(u.ID, sealed); err == nil {
			return secret, nil
		}
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	secret, err := newSecret()
	if err != nil {
		return nil, err
	}
	if sealed, err = s.secrets.seal(u.ID, secret); err != nil {
		return nil, err
	}
	return secret, tx.PutEnrolment(u.ID, sealed)
}

// enrolByCode checks a code from the authenticator u is setting up and, if
// it is right, enrols it in place of the previous one with a new set of
// recovery codes, which it returns. A wrong code is the verdict, counted
// as in checkCode.
func (s *Service) enrolByCode(tx *store.Tx, u *model.User, code, via, ip string) (codes []string, verdict error, err error) {
	if s.secrets == nil {
		return nil, nil, errNoKey
	}
	n, last, err := tx.VerificationFailures(u.ID)
	if err != nil {
		return nil, nil, err
	}
	if wait := lockedFor(n, last, tx.Now); wait > 0 {
		return nil, &WaitError{Wait: wait}, nil
	}
	sealed, err := tx.Enrolment(u.ID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNoEnrolment, nil
	}
	if err != nil {
		return nil, nil, err
	}
	secret, err := s.secrets.open(u.ID, sealed)
	if err != nil {
		return nil, ErrNoEnrolment, nil
	}
	st, ok := matchStep(secret, code, tx.Now)
	if !ok {
		return nil, ErrWrongCode, s.countFailure(tx, u, map[string]any{"user_id": u.ID, "ip": ip, "purpose": "enrol", "method": TOTPCode.String()})
	}
	replaced, err := tx.HasAuthenticator(u.ID)
	if err != nil {
		return nil, nil, err
	}
	// The code that confirmed the enrolment is spent like any other.
	if err := tx.PutAuthenticator(u.ID, sealed, st); err != nil {
		return nil, nil, err
	}
	if codes, err = s.replaceRecoveryCodes(tx, u.ID); err != nil {
		return nil, nil, err
	}
	if err := tx.ClearVerificationFailures(u.ID); err != nil {
		return nil, nil, err
	}
	return codes, nil, tx.Audit(u.ID, model.ActionTOTPEnrol, u.EmailNorm, map[string]any{"user_id": u.ID, "ip": ip, "via": via, "replaced": replaced})
}

// ConfirmEnrolment enrols, from the console, the authenticator that
// StartEnrolment showed, once its owner types a code from it; it returns
// the new recovery codes (the previous ones stop working). A wrong code
// is ErrWrongCode (or a *WaitError), and is counted.
func (s *Service) ConfirmEnrolment(ctx context.Context, userID int64, code, ip string) ([]string, error) {
	var codes []string
	var verdict error
	err := s.db.Transact(ctx, func(tx *store.Tx) error {
		u, err := tx.UserByID(userID)
		if err != nil {
			return err
		}
		if !u.IsAdmin() {
			return ErrNotAdmin
		}
		codes, verdict, err = s.enrolByCode(tx, u, code, "console", ip)
		return err
	})
	if err != nil {
		return nil, err
	}
	return codes, verdict
}

// EnrolNow gives an administrator a new authenticator at once, without a
// code from it, with new recovery codes: for the command line, which sets
// up the first administrator, and for one who lost their phone and their
// codes. The previous authenticator and codes stop working.
func (s *Service) EnrolNow(ctx context.Context, email string) (*model.User, *Enrolment, []string, error) {
	if s.secrets == nil {
		return nil, nil, nil, errNoKey
	}
	var u *model.User
	var e *Enrolment
	var codes []string
	err := s.db.Transact(ctx, func(tx *store.Tx) error {
		var err error
		if u, err = tx.UserByEmail(NormalizeEmail(email)); err != nil {
			return err
		}
		if !u.IsAdmin() {
			return ErrNotAdmin
		}
		replaced, err := tx.HasAuthenticator(u.ID)
		if err != nil {
			return err
		}
		secret, err := newSecret()
		if err != nil {
			return err
		}
		sealed, err := s.secrets.seal(u.ID, secret)
		if err != nil {
			return err
		}
		if e, err = enrolment(u, secret); err != nil {
			return err
		}
		if err := tx.PutAuthenticator(u.ID, sealed, 0); err != nil {
			return err
		}
		if codes, err = s.replaceRecoveryCodes(tx, u.ID); err != nil {
			return err
		}
		if err := tx.ClearVerificationFailures(u.ID); err != nil {
			return err
		}
		return tx.Audit(0, model.ActionTOTPEnrol, u.EmailNorm, map[string]any{"user_id": u.ID, "via": "command_line", "replaced": replaced})
	})
	if err != nil {
		return nil, nil, nil, err
	}
	return u, e, codes, nil
}

// NewRecoveryCodes replaces an enrolled administrator's recovery codes and
// returns the new ones; the old ones, used or not, stop working.
func (s *Service) NewRecoveryCodes(ctx context.Context, userID int64, ip string) ([]string, error) {
	var codes []string
	err := s.db.Transact(ctx, func(tx *store.Tx) error {
		u, err := tx.UserByID(userID)
		if err != nil {
			return err
		}
		enrolled, err := tx.HasAuthenticator(u.ID)
		if err != nil {
			return err
		}
		if !enrolled {
			return ErrNotEnrolled
		}
		if codes, err = s.replaceRecoveryCodes(tx, u.ID); err != nil {
			return err
		}
		return tx.Audit(u.ID, model.ActionRecoveryRenew, u.EmailNorm, map[string]any{"user_id": u.ID, "ip": ip, "count": len(codes)})
	})
	return codes, err
}

// SecondFactor is an account's authenticator as the console shows it.
func (s *Service) SecondFactor(ctx context.Context, userID int64) (model.SecondFactor, error) {
	return s.db.SecondFactor(ctx, userID)
}

// recoveryAlphabet is Crockford's base32 in lower case: no i, l, o or u,
// so that nothing reads as something else. 16 characters carry 80 bits.
const recoveryAlphabet = "0123456789abcdefghjkmnpqrstvwxyz"

const recoveryLen = 16

func (s *Service) replaceRecoveryCodes(tx *store.Tx, userID int64) ([]string, error) {
	codes := make([]string, RecoveryCodeCount)
	hashes := make([][]byte, RecoveryCodeCount)
	for i := range codes {
		b := make([]byte, recoveryLen)
		if _, err := rand.Read(b); err != nil {
			return nil, err
		}
		for j := range b {
			b[j] = recoveryAlphabet[b[j]&31] // 256 is a multiple of 32: uniform
		}
		codes[i] = string(b[0:4]) + "-" + string(b[4:8]) + "-" + string(b[8:12]) + "-" + string(b[12:16])
		sum := sha256.Sum256(b)
		hashes[i] = sum[:]
	}
	return codes, tx.ReplaceRecoveryCodes(userID, hashes)
}

// recoveryHash is the stored form of a typed recovery code. Letter case,
// spaces and dashes do not matter, and the letters people read for a
// digit (o for 0, i and l for 1) count as that digit.
func recoveryHash(typed string) ([]byte, bool) {
	var b []byte
	for _, r := range strings.ToLower(typed) {
		switch {
		case r == ' ' || r == '-' || r == '\t':
			continue
		case r == 'o':
			r = '0'
		case r == 'i' || r == 'l':
			r = '1'
		}
		if r > 127 || !strings.ContainsRune(recoveryAlphabet, r) || len(b) == recoveryLen {
			return nil, false
		}
		b = append(b, byte(r))
	}
	if len(b) != recoveryLen {
		return nil, false
	}
	sum := sha256.Sum256(b)
	return sum[:], true
}
