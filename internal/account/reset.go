package account

import (
	"context"
	"errors"
	"fmt"

	"mxcert/internal/model"
	"mxcert/internal/store"
)

// RequestPasswordReset sends a link to choose a new password to the
// account of email, if there is one. The caller answers alike either
// way; so that the answer also takes about as long, an unknown address
// costs the same work (a message composed, a transaction with its audit
// entry) as a known one. A malformed address is a *ValidationError.
func (s *Service) RequestPasswordReset(ctx context.Context, email, lang, ip string) error {
	norm := NormalizeEmail(email)
	var v ValidationError
	checkEmail(norm, &v)
	if err := v.orNil(); err != nil {
		return err
	}
	return s.db.Transact(ctx, func(tx *store.Tx) error {
		u, err := tx.UserByEmail(norm)
		if err == nil && u.Closed() {
			// An account joined into another cannot sign in: a new password
			// would not help, so it is answered like an unknown address.
			err = store.ErrNotFound
		}
		if errors.Is(err, store.ErrNotFound) {
			if _, err := s.mail.PasswordReset(lang, norm, "", "unused", ResetTTL); err != nil {
				return err
			}
			return tx.Audit(0, model.ActionPasswordResetRequest, "unknown", map[string]any{"ip": ip})
		}
		if err != nil {
			return err
		}
		if err := s.mailResetLink(tx, u, lang); err != nil {
			return err
		}
		return tx.Audit(0, model.ActionPasswordResetRequest, u.EmailNorm, map[string]any{"ip": ip, "user_id": u.ID})
	})
}

// mailResetLink queues a new reset link to u's address.
func (s *Service) mailResetLink(tx *store.Tx, u *model.User, lang string) error {
	token, err := issueToken(tx, u.ID, model.TokenResetPassword, "")
	if err != nil {
		return err
	}
	m, err := s.mail.PasswordReset(lang, u.Email, u.Name, token, ResetTTL)
	if err != nil {
		return err
	}
	return tx.EnqueueMail(m)
}

// CheckResetLink reports whether token is a reset link that still works,
// before the form for the new password is shown.
func (s *Service) CheckResetLink(ctx context.Context, token string) error {
	if token == "" || len(token) > 100 {
		return ErrLinkUnknown
	}
	rec, err := s.db.TokenByHash(ctx, tokenHash(token))
	_, err = checkToken(rec, err, s.now(), model.TokenResetPassword)
	return err
}

// ResetPassword sets a new password through a reset link: the link is
// used up, every session of the account ends, and the owner is told. The
// new password follows the registration's policy (a *ValidationError on
// the field "password").
func (s *Service) ResetPassword(ctx context.Context, token, password, lang, ip string) error {
	if token == "" || len(token) > 100 {
		return ErrLinkUnknown
	}
	rec, err := s.db.TokenByHash(ctx, tokenHash(token))
	t, err := checkToken(rec, err, s.now(), model.TokenResetPassword)
	if err != nil {
		return err
	}
	u, err := s.db.UserByID(ctx, t.UserID)
	if err != nil {
		return err
	}
	var v ValidationError
	checkPasswordPolicy("password", password, u.Name, u.Email, &v)
	if err := v.orNil(); err != nil {
		return err
	}
	hash, err := s.hasher.hash(ctx, password)
	if err != nil {
		return err
	}
	return s.db.Transact(ctx, func(tx *store.Tx) error {
		t, err := claimToken(tx, token, model.TokenResetPassword) // again: another request may have used it meanwhile
		if err != nil {
			return err
		}
		u, err := tx.UserByID(t.UserID)
		if err != nil {
			return err
		}
		if err := tx.SetPassword(u.ID, hash); err != nil {
			return err
		}
		ended, err := tx.DeleteUserSessions(u.ID, nil)
		if err != nil {
			return err
		}
		m, err := s.mail.PasswordChanged(lang, u.Email, u.Name)
		if err != nil {
			return err
		}
		if err := tx.EnqueueMail(m); err != nil {
			return err
		}
		return tx.Audit(u.ID, model.ActionPasswordReset, u.EmailNorm, map[string]any{"ip": ip, "sessions_ended": ended})
	})
}

// IssueResetLink makes a reset link for the account of email and returns
// it, without sending it: the command line prints it for the operator to
// give to a person who lost access to their mailbox. Audited.
func (s *Service) IssueResetLink(ctx context.Context, email string) (string, *model.User, error) {
	var link string
	var u *model.User
	err := s.db.Transact(ctx, func(tx *store.Tx) error {
		var err error
		if u, err = tx.UserByEmail(NormalizeEmail(email)); err != nil {
			return err
		}
		token, err := issueToken(tx, u.ID, model.TokenResetPassword, "")
		if err != nil {
			return err
		}
		link = s.mail.ResetLink(token)
		return tx.Audit(0, model.ActionPasswordResetIssue, u.EmailNorm, map[string]any{"user_id": u.ID, "delivered": "printed"})
	})
	if err != nil {
		return "", nil, fmt.Errorf("reset link for %s: %w", email, err)
	}
	return link, u, nil
}

// SendResetLink mails a reset link to a candidate at the request of an
// administrator (actorID). Audited.
func (s *Service) SendResetLink(ctx context.Context, actorID, userID int64, lang string) error {
	return s.db.Transact(ctx, func(tx *store.Tx) error {
		u, err := tx.UserByID(userID)
		if err != nil {
			return err
		}
		if err := s.mailResetLink(tx, u, lang); err != nil {
			return err
		}
		return tx.Audit(actorID, model.ActionPasswordResetIssue, u.EmailNorm, map[string]any{"user_id": u.ID, "delivered": "mail"})
	})
}
