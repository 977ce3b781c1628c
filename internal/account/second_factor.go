package account

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"time"

	"mxcert/internal/fail"
	"mxcert/internal/model"
	"mxcert/internal/store"
)

// An administrator signs in in two steps: the password opens a pending
// sign-in (a challenge, not a session), and a code from the authenticator
// (or a recovery code) turns it into a session. An administrator with no
// authenticator enrols one in the second step. Administrators' sessions
// idle out sooner, and a sensitive action needs the password or a code
// typed again within RecheckWithin.
const (
	// ChallengeTTL is how long a pending sign-in waits for its code.
	ChallengeTTL = 10 * time.Minute
	// AdminIdleTimeout ends an administrator's session after this long
	// without activity (candidates keep IdleTimeout).
	AdminIdleTimeout = 30 * time.Minute
	// RecheckWithin is how recent the last password or code must be for a
	// sensitive console action (revoke, reinstate, correct a name, reload
	// the content, change the second factor).
	RecheckWithin = 10 * time.Minute
)

func idleTimeout(u *model.User) time.Duration {
	if u.IsAdmin() {
		return AdminIdleTimeout
	}
	return IdleTimeout
}

// ErrNoChallenge is a code for a pending sign-in that does not exist or
// has expired: the person starts again with the password.
var ErrNoChallenge = fail.New(fail.ErrNotFound, "no sign-in waiting for a code")

// ErrWrongPassword is a wrong password at a re-check.
var ErrWrongPassword = fail.New(fail.ErrInvalid, "wrong password")

// Pending is a sign-in waiting for its second factor.
type Pending struct {
	User     *model.User
	Enrolled bool // false: the administrator must enrol an authenticator first
}

// BeginSecondFactor opens a pending sign-in for an administrator whose
// password was right, and returns its token (for a short-lived cookie).
func (s *Service) BeginSecondFactor(ctx context.Context, u *model.User, ip string) (string, error) {
	if !u.IsAdmin() {
		return "", ErrNotAdmin
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	token := base64.RawURLEncoding.EncodeToString(raw)
	err := s.db.Transact(ctx, func(tx *store.Tx) error {
		return tx.CreateChallenge(tokenHash(token), u.ID, ip, tx.Now.Add(-ChallengeTTL))
	})
	return token, err
}

// PendingSignIn returns the sign-in a challenge token names, or
// ErrNoChallenge.
func (s *Service) PendingSignIn(ctx context.Context, token string) (*Pending, error) {
	if token == "" || len(token) > 100 {
		return nil, ErrNoChallenge
	}
	userID, err := s.db.Challenge(ctx, tokenHash(token), s.now().Add(-ChallengeTTL))
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNoChallenge
	}
	if err != nil {
		return nil, err
	}
	u, err := s.db.UserByID(ctx, userID)
	if err != nil {
		return nil, err
	}
	sf, err := s.db.SecondFactor(ctx, userID)
	if err != nil {
		return nil, err
	}
	return &Pending{User: u, Enrolled: sf.Enrolled}, nil
}

// SignIn is a finished two-step sign-in.
type SignIn struct {
	Token string // the new session's
	User  *model.User
	// RecoveryCodes are the codes of an authenticator enrolled during the
	// sign-in, to be shown once.
	RecoveryCodes []string
}

// FinishSignIn checks the second factor of a pending sign-in and, when it
// is right, starts the session (replacing previous, like StartSession),
// marked as having passed it. A wrong code is ErrWrongCode, ErrCodeUsed
// or a *WaitError, and the sign-in stays pending.
func (s *Service) FinishSignIn(ctx context.Context, challenge, code string, kind CodeKind, previous, userAgent, ip string) (*SignIn, error) {
	return s.finish(ctx, challenge, previous, userAgent, ip, func(tx *store.Tx, u *model.User) ([]string, error, error) {
		verdict, err := s.checkCode(tx, u, code, kind, purposeSignIn, ip)
		return nil, verdict, err
	})
}

// FinishEnrolment enrols the authenticator that StartEnrolment showed to
// an administrator who has none, once a code from it is typed, and starts
// the session as FinishSignIn does; the new recovery codes come with it.
// An administrator who has one already cannot replace it this way, with
// a password alone: ErrEnrolled.
func (s *Service) FinishEnrolment(ctx context.Context, challenge, code, previous, userAgent, ip string) (*SignIn, error) {
	return s.finish(ctx, challenge, previous, userAgent, ip, func(tx *store.Tx, u *model.User) ([]string, error, error) {
		enrolled, err := tx.HasAuthenticator(u.ID)
		if err != nil {
			return nil, nil, err
		}
		if enrolled {
			return nil, nil, ErrEnrolled
		}
		return s.enrolByCode(tx, u, code, "sign_in", ip)
	})
}

// StartSignInEnrolment is StartEnrolment for a pending sign-in of an
// administrator who has no authenticator yet.
func (s *Service) StartSignInEnrolment(ctx context.Context, challenge string) (*Enrolment, error) {
	p, err := s.PendingSignIn(ctx, challenge)
	if err != nil {
		return nil, err
	}
	if p.Enrolled {
		return nil, ErrEnrolled
	}
	return s.StartEnrolment(ctx, p.User.ID)
}

// finish runs check for a pending sign-in in a transaction that is
// committed even when the code is wrong (so that the failure counts), and
// ends the challenge when it is right. Then the session starts, marked as
// having passed the second factor in its own transaction: if that fails
// the person signs in again, and no session ever holds the mark without a
// right code.
func (s *Service) finish(ctx context.Context, challenge, previous, userAgent, ip string, check func(tx *store.Tx, u *model.User) (codes []string, verdict error, err error)) (*SignIn, error) {
	if challenge == "" || len(challenge) > 100 {
		return nil, ErrNoChallenge
	}
	h := tokenHash(challenge)
	var verdict error
	in := &SignIn{}
	err := s.db.Transact(ctx, func(tx *store.Tx) error {
		userID, err := tx.Challenge(h, tx.Now.Add(-ChallengeTTL))
		if errors.Is(err, store.ErrNotFound) {
			return ErrNoChallenge
		}
		if err != nil {
			return err
		}
		if in.User, err = tx.UserByID(userID); err != nil {
			return err
		}
		if in.RecoveryCodes, verdict, err = check(tx, in.User); err != nil || verdict != nil {
			return err
		}
		return tx.DeleteChallenge(h)
	})
	if err != nil {
		return nil, err
	}
	if verdict != nil {
		return nil, verdict
	}
	userID := in.User.ID
	in.Token, err = s.startSession(ctx, userID, previous, userAgent, ip, func(tx *store.Tx, h []byte) error {
		return tx.MarkSessionChecked(h, userID, true)
	})
	if err != nil {
		return nil, err
	}
	return in, nil
}

// SessionChecks says how the session of token proved who uses it; an
// unknown token is ErrNoSession.
func (s *Service) SessionChecks(ctx context.Context, token string) (model.SessionChecks, error) {
	if token == "" || len(token) > 100 {
		return model.SessionChecks{}, ErrNoSession
	}
	sc, err := s.db.SessionChecks(ctx, tokenHash(token))
	if errors.Is(err, store.ErrNotFound) {
		return sc, ErrNoSession
	}
	return sc, err
}

// RecentlyChecked reports whether a session's last password or code is
// recent enough for a sensitive action.
func (s *Service) RecentlyChecked(sc model.SessionChecks) bool {
	return s.now().Sub(sc.CheckedAt) <= RecheckWithin
}

// RecheckCode confirms, with a code from the authenticator, that the
// owner of a session of userID is still the one using it. A wrong code is
// counted as at sign-in.
func (s *Service) RecheckCode(ctx context.Context, token string, userID int64, code, ip string) error {
	var verdict error
	err := s.db.Transact(ctx, func(tx *store.Tx) error {
		u, err := tx.UserByID(userID)
		if err != nil {
			return err
		}
		if verdict, err = s.checkCode(tx, u, code, TOTPCode, purposeRecheck, ip); err != nil || verdict != nil {
			return err
		}
		return tx.MarkSessionChecked(tokenHash(token), userID, true)
	})
	if err != nil {
		return err
	}
	return verdict
}

// RecheckPassword confirms it with the password. Wrong passwords count
// with wrong codes: after a few, the account waits.
func (s *Service) RecheckPassword(ctx context.Context, token string, userID int64, password, ip string) error {
	u, err := s.db.UserByID(ctx, userID)
	if err != nil {
		return err
	}
	// The failures are read before the (slow) hash and checked again
	// inside the transaction, which must not wait for it.
	n, last, err := s.db.VerificationFailures(ctx, userID)
	if err != nil {
		return err
	}
	if wait := lockedFor(n, last, s.now()); wait > 0 {
		return &WaitError{Wait: wait}
	}
	ok, err := s.hasher.check(ctx, password, u.PasswordHash) // within the hashing memory budget
	if err != nil {
		return err
	}
	var verdict error
	err = s.db.Transact(ctx, func(tx *store.Tx) error {
		n, last, err := tx.VerificationFailures(userID)
		if err != nil {
			return err
		}
		if wait := lockedFor(n, last, tx.Now); wait > 0 {
			verdict = &WaitError{Wait: wait}
			return nil
		}
		detail := map[string]any{"user_id": userID, "ip": ip, "purpose": purposeRecheck, "method": "password"}
		if !ok {
			verdict = ErrWrongPassword
			return s.countFailure(tx, u, detail)
		}
		if err := tx.ClearVerificationFailures(userID); err != nil {
			return err
		}
		if err := tx.MarkSessionChecked(tokenHash(token), userID, false); err != nil {
			return err
		}
		return tx.Audit(userID, model.ActionPasswordRecheck, u.EmailNorm, detail)
	})
	if err != nil {
		return err
	}
	return verdict
}
