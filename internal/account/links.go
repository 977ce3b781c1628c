package account

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"mxcert/internal/fail"
	"mxcert/internal/model"
	"mxcert/internal/store"
)

// How long the single-use links sent by mail stay valid.
const (
	VerifyTTL      = 48 * time.Hour
	ChangeEmailTTL = 48 * time.Hour
	ResetTTL       = 30 * time.Minute
)

func ttlOf(p model.TokenPurpose) time.Duration {
	switch p {
	case model.TokenResetPassword:
		return ResetTTL
	case model.TokenChangeEmail:
		return ChangeEmailTTL
	}
	return VerifyTTL
}

// A link that cannot be used says why, so the page can say what to do.
var (
	ErrLinkUnknown = fail.New(fail.ErrNotFound, "no such link")
	ErrLinkExpired = fail.New(fail.ErrInvalid, "the link has expired")
	ErrLinkUsed    = fail.New(fail.ErrConflict, "the link was used already or replaced by a newer one")
	// ErrEmailTakenMeanwhile is a new address confirmed after another
	// account took it.
	ErrEmailTakenMeanwhile = fail.New(fail.ErrConflict, "the new address has an account now")
)

// issueToken makes a single-use link's token for purpose, stores its hash
// and retires the account's earlier links of the same purpose: only the
// newest works.
func issueToken(tx *store.Tx, userID int64, purpose model.TokenPurpose, newEmail string) (string, error) {
	token, err := newToken()
	if err != nil {
		return "", err
	}
	if err := tx.RetireTokens(userID, purpose); err != nil {
		return "", err
	}
	t := &model.AccountToken{Hash: tokenHash(token), UserID: userID, Purpose: purpose, NewEmail: newEmail, ExpiresAt: tx.Now.Add(ttlOf(purpose))}
	if err := tx.CreateToken(t); err != nil {
		return "", err
	}
	return token, nil
}

// checkToken finds the live link of token for one of purposes.
func checkToken(t *model.AccountToken, err error, now time.Time, purposes ...model.TokenPurpose) (*model.AccountToken, error) {
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrLinkUnknown
	}
	if err != nil {
		return nil, err
	}
	ok := false
	for _, p := range purposes {
		ok = ok || t.Purpose == p
	}
	switch {
	case !ok:
		return nil, ErrLinkUnknown
	case t.UsedAt != nil:
		return nil, ErrLinkUsed
	case !now.Before(t.ExpiresAt):
		return nil, ErrLinkExpired
	}
	return t, nil
}

// claimToken uses the link of token inside the transaction: of two
// requests with one link, only one gets past here.
func claimToken(tx *store.Tx, token string, purposes ...model.TokenPurpose) (*model.AccountToken, error) {
	if token == "" || len(token) > 100 {
		return nil, ErrLinkUnknown
	}
	rec, err := tx.TokenByHash(tokenHash(token))
	t, err := checkToken(rec, err, tx.Now, purposes...)
	if err != nil {
		return nil, err
	}
	if err := tx.UseToken(t.Hash); err != nil {
		return nil, ErrLinkUsed
	}
	return t, nil
}

// sendVerification queues the link that confirms u's address, audited with
// detail.
func (s *Service) sendVerification(tx *store.Tx, u *model.User, lang string, detail map[string]any) error {
	token, err := issueToken(tx, u.ID, model.TokenVerifyEmail, "")
	if err != nil {
		return err
	}
	m, err := s.mail.VerifyEmail(lang, u.Email, u.Name, token, VerifyTTL)
	if err != nil {
		return err
	}
	if err := tx.EnqueueMail(m); err != nil {
		return err
	}
	return tx.Audit(u.ID, model.ActionEmailVerifySend, u.EmailNorm, detail)
}

// tellAccountExists queues «ya tienes una cuenta» to an address that has
// an account (someone registered it, or asked to move an account to it),
// audited as action. actorID is who asked (0: a visitor).
func (s *Service) tellAccountExists(tx *store.Tx, lang, emailNorm string, action model.Action, detail map[string]any) error {
	owner, err := tx.UserByEmail(emailNorm)
	if err != nil {
		return err
	}
	m, err := s.mail.AccountExists(lang, owner.Email)
	if err != nil {
		return err
	}
	if err := tx.EnqueueMail(m); err != nil {
		return err
	}
	if detail == nil {
		detail = map[string]any{}
	}
	detail["user_id"] = owner.ID
	return tx.Audit(0, action, owner.EmailNorm, detail)
}

// ResendVerification sends a new confirmation link to the account's
// address (the earlier ones stop working). An address confirmed already
// gets nothing; the caller answers alike.
func (s *Service) ResendVerification(ctx context.Context, userID int64, lang, ip string) error {
	return s.db.Transact(ctx, func(tx *store.Tx) error {
		u, err := tx.UserByID(userID)
		if err != nil {
			return err
		}
		if u.EmailVerified() {
			return nil
		}
		return s.sendVerification(tx, u, lang, map[string]any{"ip": ip, "resend": true})
	})
}

// VerifyEmail follows a link sent by mail: it confirms the account's
// address or, for a link sent to a new address, makes it the account's
// address and tells the old one. lang is the language of the notice.
func (s *Service) VerifyEmail(ctx context.Context, token, lang, ip string) (*model.User, error) {
	var u *model.User
	err := s.db.Transact(ctx, func(tx *store.Tx) error {
		t, err := claimToken(tx, token, model.TokenVerifyEmail, model.TokenChangeEmail)
		if err != nil {
			return err
		}
		if u, err = tx.UserByID(t.UserID); err != nil {
			return err
		}
		if t.Purpose == model.TokenVerifyEmail {
			if err := tx.SetEmailVerified(u.ID); err != nil {
				return err
			}
			if u, err = tx.UserByID(u.ID); err != nil {
				return err
			}
			return tx.Audit(u.ID, model.ActionEmailVerify, u.EmailNorm, map[string]any{"ip": ip})
		}
		return s.changeEmail(tx, u, t.NewEmail, lang, ip)
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// changeEmail makes newEmail, just confirmed, the address of u (updated in
// place) and tells the old address.
func (s *Service) changeEmail(tx *store.Tx, u *model.User, newEmail, lang, ip string) error {
	old := *u
	err := tx.SetEmail(u.ID, newEmail, NormalizeEmail(newEmail))
	if errors.Is(err, store.ErrConflict) {
		return ErrEmailTakenMeanwhile
	}
	if err != nil {
		return err
	}
	for _, p := range []model.TokenPurpose{model.TokenVerifyEmail, model.TokenChangeEmail, model.TokenResetPassword} {
		// Links sent to the old address stop working with it.
		if err := tx.RetireTokens(u.ID, p); err != nil {
			return err
		}
	}
	fresh, err := tx.UserByID(u.ID)
	if err != nil {
		return err
	}
	*u = *fresh
	m, err := s.mail.EmailChanged(lang, old.Email, u.Name, u.Email)
	if err != nil {
		return err
	}
	if err := tx.EnqueueMail(m); err != nil {
		return err
	}
	return tx.Audit(u.ID, model.ActionEmailChange, u.EmailNorm, map[string]any{"ip": ip, "before": old.EmailNorm, "after": u.EmailNorm})
}

// RequestEmailChange checks the account's password and sends a link to
// newEmail; the address changes only when the link is followed. An address
// that has an account gets «ya tienes una cuenta» instead, and the caller
// answers alike.
func (s *Service) RequestEmailChange(ctx context.Context, userID int64, password, newEmail, lang, ip string) error {
	u, err := s.db.UserByID(ctx, userID)
	if err != nil {
		return err
	}
	newEmail = strings.TrimSpace(newEmail)
	norm := NormalizeEmail(newEmail)
	var v ValidationError
	checkEmail(norm, &v)
	if norm == u.EmailNorm {
		v.add("email", EmailSame)
	}
	ok, err := s.hasher.check(ctx, password, u.PasswordHash)
	if err != nil {
		return fmt.Errorf("check password of user %d: %w", u.ID, err)
	}
	if !ok {
		v.add("current", PasswordWrong)
	}
	if err := v.orNil(); err != nil {
		return err
	}
	return s.db.Transact(ctx, func(tx *store.Tx) error {
		_, err := tx.UserByEmail(norm)
		if err == nil {
			return s.tellAccountExists(tx, lang, norm, model.ActionEmailChangeRequest, map[string]any{"ip": ip, "requested_by": u.ID, "taken": true})
		}
		if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		token, err := issueToken(tx, u.ID, model.TokenChangeEmail, newEmail)
		if err != nil {
			return err
		}
		m, err := s.mail.ConfirmNewEmail(lang, newEmail, u.Name, token, ChangeEmailTTL)
		if err != nil {
			return err
		}
		if err := tx.EnqueueMail(m); err != nil {
			return err
		}
		return tx.Audit(u.ID, model.ActionEmailChangeRequest, u.EmailNorm, map[string]any{"ip": ip, "new": norm})
	})
}
