// Package account owns candidate and administrator accounts: registration,
// password checks and changes, and server-side sessions. The web layer and
// the command line call it; it stores through internal/store.
package account

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"time"

	"mxcert/internal/fail"
	"mxcert/internal/mail"
	"mxcert/internal/model"
	"mxcert/internal/store"
)

// Session lifetimes: a session ends after IdleTimeout without activity or
// AbsoluteTimeout after sign-in, whichever comes first.
const (
	IdleTimeout     = 2 * time.Hour
	AbsoluteTimeout = 7 * 24 * time.Hour
	// touchShare limits writes: activity is recorded at most once every
	// idle timeout / touchShare (5 minutes for a candidate, 75 seconds for
	// an administrator), so a session may end that much before its idle
	// timeout after the last request, never after. With N people signed
	// in these are up to N per interval writes: once a minute, 100,000
	// candidates made 1,700 a second.
	touchShare = 24
)

// ErrBadCredentials is a failed sign-in. It never says whether the account
// exists.
var ErrBadCredentials = fail.New(fail.ErrInvalid, "wrong e-mail or password")

// ErrMerged is the right password of an account the foundation joined
// into another account of the same person: the person signs in with that
// one.
var ErrMerged = fail.New(fail.ErrConflict, "the account was joined into another")

// ErrNoSession means the token names no live session.
var ErrNoSession = errors.New("no session")

// Service is the accounts use cases.
type Service struct {
	db      *store.DB
	now     func() time.Time
	hasher  *hasher
	lockout *lockout
	// dummyHash is checked when an e-mail is unknown, so a failed sign-in
	// takes the same time whether or not the account exists.
	dummyHash string
	secrets   *sealer // seals administrators' TOTP secrets; see SetSecretKey
	mail      *mail.Composer
}

// Config is how the service hashes passwords.
type Config struct {
	// Hash are the Argon2id costs of new hashes; zero means OWASPParams.
	// Tests pass cheaper ones.
	Hash HashParams
	// HashMemory bounds, in bytes, the memory that all password hashing
	// (sign-in, registration, password changes, accounts made on the
	// command line) may use at once; zero means DefaultHashMemory.
	HashMemory int64
	// HashWait is how long a request waits for hashing memory before it
	// fails with ErrBusy; zero means DefaultHashWait.
	HashWait time.Duration
	// Mail composes the messages the accounts queue (confirmation and
	// reset links, notices); nil means the shipped templates with links
	// relative to the site.
	Mail *mail.Composer
}

// New returns the service.
func New(db *store.DB, now func() time.Time, cfg Config) (*Service, error) {
	if cfg.Hash == (HashParams{}) {
		cfg.Hash = OWASPParams
	}
	if cfg.Mail == nil {
		cfg.Mail = mail.NewComposer(mail.Templates, "")
	}
	s := &Service{db: db, now: now, hasher: newHasher(cfg.Hash, cfg.HashMemory, cfg.HashWait), lockout: newLockout(now), mail: cfg.Mail}
	var err error
	if s.dummyHash, err = s.hasher.hash(context.Background(), "dummy password for timing"); err != nil {
		return nil, err
	}
	return s, nil
}

// Registration is what a person types to create an account.
type Registration struct {
	Name     string
	Email    string
	Password string
	State    string
	Lang     string // the page's language, for the e-mails the person receives
}

// ErrAlreadyRegistered is a registration with an address that already has
// an account: nothing was made, and the address's owner was sent «ya
// tienes una cuenta». Whoever typed it must be answered exactly as for a
// new account, so that registering does not tell who has one.
var ErrAlreadyRegistered = fail.New(fail.ErrConflict, "the address already has an account")

// Register validates and creates a candidate account, and queues the link
// that confirms its address. Problems of the form come back as a
// *ValidationError; an address that has an account is
// ErrAlreadyRegistered, after the same work (the password is hashed all
// the same) so that it also takes the same time.
func (s *Service) Register(ctx context.Context, r Registration) (*model.User, error) {
	u, err := s.prepare(ctx, r, model.RoleCandidate, true)
	if err != nil {
		return nil, err
	}
	taken := false
	err = s.db.Transact(ctx, func(tx *store.Tx) error {
		err := tx.CreateUser(u)
		if errors.Is(err, store.ErrConflict) {
			taken = true
			return s.tellAccountExists(tx, r.Lang, u.EmailNorm, model.ActionRegisterExisting, nil)
		}
		if err != nil {
			return err
		}
		// The person made the account: the entry is theirs, not the system's.
		if err := tx.Audit(u.ID, model.ActionUserCreate, u.EmailNorm, map[string]any{"user_id": u.ID, "role": u.Role}); err != nil {
			return err
		}
		return s.sendVerification(tx, u, r.Lang, map[string]any{"user_id": u.ID})
	})
	if err != nil {
		return nil, err
	}
	if taken {
		return nil, ErrAlreadyRegistered
	}
	return u, nil
}

// CreateUser makes an account from the command line: the state is optional
// and the role may be admin. Its address counts as confirmed: the operator
// who makes the account vouches for it.
func (s *Service) CreateUser(ctx context.Context, r Registration, role model.Role) (*model.User, error) {
	u, err := s.prepare(ctx, r, role, false)
	if err != nil {
		return nil, err
	}
	u.EmailVerifiedAt = &time.Time{} // stamped with the transaction's time
	err = s.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.CreateUser(u); err != nil {
			return err
		}
		return tx.Audit(0, model.ActionUserCreate, u.EmailNorm, map[string]any{"user_id": u.ID, "role": role, "email_verified": "operator"})
	})
	if errors.Is(err, store.ErrConflict) {
		return nil, &ValidationError{Fields: map[string]Problem{"email": EmailTaken}}
	}
	if err != nil {
		return nil, err
	}
	return u, nil
}

// prepare validates a registration and hashes its password.
func (s *Service) prepare(ctx context.Context, r Registration, role model.Role, needState bool) (*model.User, error) {
	name := CleanName(r.Name)
	email := strings.TrimSpace(r.Email)
	var v ValidationError
	checkName(name, &v)
	checkEmail(NormalizeEmail(email), &v)
	checkPasswordPolicy("password", r.Password, name, email, &v)
	if (needState || r.State != "") && !validState(r.State) {
		v.add("state", StateInvalid)
	}
	if err := v.orNil(); err != nil {
		return nil, err
	}
	hash, err := s.hasher.hash(ctx, r.Password)
	if err != nil {
		return nil, fmt.Errorf("hash password: %w", err)
	}
	return &model.User{Email: email, EmailNorm: NormalizeEmail(email), Name: name, State: r.State, PasswordHash: hash, Role: role, Lang: model.UserLang(r.Lang)}, nil
}

// Authenticate checks an e-mail and password typed at ip. A source that
// typed too many wrong passwords for the account waits before its next
// try (a *LockedOutError, with how long); the failures of other sources
// do not count against it.
func (s *Service) Authenticate(ctx context.Context, email, password, ip string) (*model.User, error) {
	norm := NormalizeEmail(email)
	if len(norm) > EmailMax {
		// No account has such an address: refused before it costs a hash
		// or a place in the lockout table.
		return nil, ErrBadCredentials
	}
	key := lockoutKey(norm, ip)
	if wait, ok := s.lockout.begin(key); !ok {
		return nil, &LockedOutError{RetryAfter: wait}
	}
	u, ok, err := s.checkCredentials(ctx, norm, password)
	if err != nil {
		s.lockout.end(key, checkUndecided)
		return nil, err
	}
	if ok {
		s.lockout.end(key, checkSucceeded)
		if u.Closed() {
			// Said only to whoever knows the password: to others the
			// account is like any other.
			return nil, ErrMerged
		}
		return u, nil
	}
	lock := s.lockout.end(key, checkFailed)
	if err := s.auditFailedSignIn(ctx, u, ip, lock); err != nil {
		return nil, err
	}
	return nil, ErrBadCredentials
}

// checkCredentials returns the account of an e-mail (nil when there is
// none) and whether the password is its password.
func (s *Service) checkCredentials(ctx context.Context, emailNorm, password string) (*model.User, bool, error) {
	u, err := s.db.UserByEmail(ctx, emailNorm)
	if errors.Is(err, store.ErrNotFound) {
		// The same cost as a real check; only a failure to run it matters,
		// so that a busy server answers alike for every e-mail.
		if _, err := s.hasher.check(ctx, password, s.dummyHash); err != nil {
			return nil, false, err
		}
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	ok, err := s.hasher.check(ctx, password, u.PasswordHash)
	if err != nil {
		return nil, false, fmt.Errorf("check password of user %d: %w", u.ID, err)
	}
	return u, ok, nil
}

// auditFailedSignIn records a wrong password typed at ip for u (nil: an
// e-mail of no account, which is not written down: it may be a password
// typed in the wrong field), and the lockout it started, if any.
func (s *Service) auditFailedSignIn(ctx context.Context, u *model.User, ip string, lock time.Duration) error {
	subject := "unknown"
	detail := map[string]any{"ip": ip}
	if u != nil {
		subject = u.EmailNorm
		detail["user_id"] = u.ID
	}
	return s.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.Audit(0, model.ActionSignInFailure, subject, detail); err != nil {
			return err
		}
		if lock == 0 {
			return nil
		}
		detail["locked_seconds"] = int(lock / time.Second)
		return tx.Audit(0, model.ActionLockout, subject, detail)
	})
}

// ChangePassword replaces the password after checking the current one,
// ends every other session of the account, and gives the session making
// the change (keep) a new token, returned to be put in its cookie: a copy
// of the old cookie is worth nothing afterwards.
func (s *Service) ChangePassword(ctx context.Context, userID int64, current, next, keep, ip string) (string, error) {
	u, err := s.db.UserByID(ctx, userID)
	if err != nil {
		return "", err
	}
	var v ValidationError
	ok, err := s.hasher.check(ctx, current, u.PasswordHash)
	if err != nil {
		return "", fmt.Errorf("check password of user %d: %w", u.ID, err)
	}
	if !ok {
		err := s.db.Transact(ctx, func(tx *store.Tx) error {
			return tx.Audit(userID, model.ActionPasswordChangeFailure, u.EmailNorm, map[string]any{"ip": ip})
		})
		if err != nil {
			return "", err
		}
		v.add("current", PasswordWrong)
		return "", &v
	}
	checkPasswordPolicy("new", next, u.Name, u.Email, &v)
	if err := v.orNil(); err != nil {
		return "", err
	}
	hash, err := s.hasher.hash(ctx, next)
	if err != nil {
		return "", err
	}
	token, err := newToken()
	if err != nil {
		return "", err
	}
	err = s.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.SetPassword(userID, hash); err != nil {
			return err
		}
		ended, err := tx.DeleteUserSessions(userID, tokenHash(keep))
		if err != nil {
			return err
		}
		if err := tx.RotateSession(tokenHash(keep), tokenHash(token)); err != nil {
			return err
		}
		return tx.Audit(userID, model.ActionPasswordChange, u.EmailNorm, map[string]any{"ip": ip, "other_sessions_ended": ended})
	})
	if err != nil {
		return "", fmt.Errorf("change password of user %d: %w", userID, err)
	}
	return token, nil
}

// ErrNameLocked is a name change by a candidate who already holds a
// certificate: from then on only the foundation corrects names, so that
// every change is reviewed and re-issues the certificate.
var ErrNameLocked = fail.New(fail.ErrConflict, "the name is on an issued certificate")

// ValidateName checks a legal name (already cleaned with CleanName).
func ValidateName(name string) error {
	var v ValidationError
	checkName(name, &v)
	return v.orNil()
}

// ChangeName corrects the legal name a candidate's certificates will carry.
func (s *Service) ChangeName(ctx context.Context, userID int64, name string) error {
	name = CleanName(name)
	var v ValidationError
	checkName(name, &v)
	if err := v.orNil(); err != nil {
		return err
	}
	return s.db.Transact(ctx, func(tx *store.Tx) error {
		u, err := tx.UserByID(userID)
		if err != nil {
			return err
		}
		passed, err := tx.HasPassed(userID)
		if err != nil {
			return err
		}
		if passed {
			return ErrNameLocked
		}
		if u.Name == name {
			return nil
		}
		if err := tx.SetName(userID, name); err != nil {
			return err
		}
		return tx.Audit(userID, model.ActionUserNameChange, u.EmailNorm, map[string]string{"before": u.Name, "after": name})
	})
}

// SetLanguage records the language a person chose for the site, so that
// their e-mails are written in it. Anything but English is Spanish.
func (s *Service) SetLanguage(ctx context.Context, userID int64, lang string) error {
	return s.db.Transact(ctx, func(tx *store.Tx) error { return tx.SetLang(userID, lang) })
}

// SetAccommodation gives a candidate extra exam time (applied to attempts
// started from now on). actorID 0 is the command line.
func (s *Service) SetAccommodation(ctx context.Context, actorID int64, email string, extra time.Duration) (*model.User, error) {
	if extra < 0 || extra > 10*time.Hour || extra%time.Minute != 0 {
		return nil, fmt.Errorf("extra time must be whole minutes between 0 and 10 h, got %v", extra)
	}
	var u *model.User
	err := s.db.Transact(ctx, func(tx *store.Tx) error {
		var err error
		if u, err = tx.UserByEmail(NormalizeEmail(email)); err != nil {
			return err
		}
		before := u.ExtraMinutes
		u.ExtraMinutes = int(extra / time.Minute)
		if err := tx.SetExtraMinutes(u.ID, u.ExtraMinutes); err != nil {
			return err
		}
		return tx.Audit(actorID, model.ActionUserAccommodate, u.EmailNorm, map[string]int{"before_minutes": before, "after_minutes": u.ExtraMinutes})
	})
	return u, err
}

// StartSession signs a user in and returns the new session's token, to be
// put in a cookie. The previous session of this browser, if any, ends: the
// token is always renewed at sign-in.
func (s *Service) StartSession(ctx context.Context, userID int64, previous, userAgent, ip string) (string, error) {
	return s.startSession(ctx, userID, previous, userAgent, ip, nil)
}

// startSession is StartSession; also, when not nil, runs in the same
// transaction, given the new session's token hash.
func (s *Service) startSession(ctx context.Context, userID int64, previous, userAgent, ip string, also func(tx *store.Tx, tokenHash []byte) error) (string, error) {
	var token string
	err := s.db.Transact(ctx, func(tx *store.Tx) error {
		if previous != "" {
			if err := tx.DeleteSession(tokenHash(previous)); err != nil {
				return err
			}
		}
		var err error
		if token, err = s.StartSessionIn(tx, userID, userAgent, ip); err != nil {
			return err
		}
		if also != nil {
			return also(tx, tokenHash(token))
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("start session: %w", err)
	}
	return token, nil
}

// StartSessionIn signs a user in inside tx (the session and its audit
// entry) and returns the new session's token. StartSession is this in a
// transaction of its own; a bulk load (the load benchmark's setup) signs
// in many accounts in one.
func (s *Service) StartSessionIn(tx *store.Tx, userID int64, userAgent, ip string) (string, error) {
	token, err := newToken()
	if err != nil {
		return "", err
	}
	id, err := newSessionID()
	if err != nil {
		return "", err
	}
	if len(userAgent) > 200 {
		userAgent = userAgent[:200]
	}
	if err := tx.CreateSession(&model.Session{ID: id, TokenHash: tokenHash(token), UserID: userID, UserAgent: userAgent, IP: ip}); err != nil {
		return "", err
	}
	u, err := tx.UserByID(userID)
	if err != nil {
		return "", err
	}
	if err := tx.Audit(userID, model.ActionSignIn, u.EmailNorm, map[string]any{"ip": ip, "session": id}); err != nil {
		return "", err
	}
	return token, nil
}

// Resolve returns the account of a live session and records the activity.
// Expired sessions are deleted and reported as ErrNoSession.
func (s *Service) Resolve(ctx context.Context, token string) (*model.User, error) {
	if token == "" || len(token) > 100 {
		return nil, ErrNoSession
	}
	h := tokenHash(token)
	sess, u, err := s.db.SessionUser(ctx, h)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNoSession
	}
	if err != nil {
		return nil, err
	}
	now := s.now()
	if s.expired(*sess, u) {
		if err := s.db.Transact(ctx, func(tx *store.Tx) error { return tx.DeleteSession(h) }); err != nil {
			return nil, err
		}
		return nil, ErrNoSession
	}
	if now.Sub(sess.LastSeenAt) > idleTimeout(u)/touchShare {
		if err := s.db.TouchSessionSoon(ctx, h, now); err != nil {
			return nil, fmt.Errorf("touch session: %w", err)
		}
	}
	return u, nil
}

// expired reports whether a session has ended by itself: idle for longer
// than IdleTimeout, or begun longer than AbsoluteTimeout ago.
func (s *Service) expired(sess model.Session, u *model.User) bool {
	now := s.now()
	return now.Sub(sess.LastSeenAt) > idleTimeout(u) || now.Sub(sess.CreatedAt) > AbsoluteTimeout
}

// SignOut ends the session of token, asked for from ip. A token that
// names no session (already ended) is no error.
func (s *Service) SignOut(ctx context.Context, token, ip string) error {
	if token == "" || len(token) > 100 {
		return nil
	}
	return s.db.Transact(ctx, func(tx *store.Tx) error {
		userID, err := tx.EndSession(tokenHash(token))
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		u, err := tx.UserByID(userID)
		if err != nil {
			return err
		}
		return tx.Audit(userID, model.ActionSignOut, u.EmailNorm, map[string]any{"ip": ip})
	})
}

// Sweep deletes expired sessions.
func (s *Service) Sweep(ctx context.Context) (int64, error) {
	now := s.now()
	return s.db.DeleteExpiredSessions(ctx, now.Add(-IdleTimeout), now.Add(-AbsoluteTimeout))
}

// GeneratePassword makes a strong random password.
func GeneratePassword() (string, error) { return generatePassword() }

func tokenHash(token string) []byte {
	if token == "" {
		return nil
	}
	h := sha256.Sum256([]byte(token))
	return h[:]
}
