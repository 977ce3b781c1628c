package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"mxcert/internal/model"
)

// CreateSession stores a new session stamped with the transaction's time.
func (tx *Tx) CreateSession(s *model.Session) error {
	if s.ID == "" {
		return errors.New("create session: no public id")
	}
	s.CreatedAt, s.LastSeenAt = tx.Now, tx.Now
	_, err := tx.tx.ExecContext(tx.ctx, `INSERT INTO sessions (token_hash, public_id, user_id, created_at, last_seen_at, user_agent, ip) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		s.TokenHash, s.ID, s.UserID, ms(tx.Now), ms(tx.Now), s.UserAgent, s.IP)
	if err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	return nil
}

const sessionColumns = `s.public_id, s.token_hash, s.user_id, s.created_at, s.last_seen_at, s.user_agent, s.ip`

func scanSession(row interface{ Scan(...any) error }, more ...any) (*model.Session, error) {
	var s model.Session
	var created, seen int64
	if err := row.Scan(append([]any{&s.ID, &s.TokenHash, &s.UserID, &created, &seen, &s.UserAgent, &s.IP}, more...)...); err != nil {
		return nil, err
	}
	s.CreatedAt, s.LastSeenAt = fromMS(created), fromMS(seen)
	return &s, nil
}

// SessionUser returns a session and its account. The session of an
// account closed by a merge is not found: a closed account has no session.
func (db *DB) SessionUser(ctx context.Context, tokenHash []byte) (*model.Session, *model.User, error) {
	pending := db.touches.pending(tokenHash)
	row := db.hot(ctx, `SELECT `+sessionColumns+`,
		u.id, u.email, u.email_norm, u.full_name, u.state, u.password_hash, u.role, u.created_at, u.password_changed_at, u.extra_minutes, u.lang, u.email_verified_at
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ? AND u.closed_at IS NULL`, tokenHash)
	var u model.User
	var uc, upc int64
	var verified sql.NullInt64
	s, err := scanSession(row, &u.ID, &u.Email, &u.EmailNorm, &u.Name, &u.State, &u.PasswordHash, &u.Role, &uc, &upc, &u.ExtraMinutes, &u.Lang, &verified)
	if err != nil {
		return nil, nil, notFound(err, "session")
	}
	u.CreatedAt, u.PasswordChangedAt, u.EmailVerifiedAt = fromMS(uc), fromMS(upc), optTime(verified)
	s.LastSeenAt = laterOf(s.LastSeenAt, pending)
	return s, &u, nil
}

// UserSessions lists an account's sessions, the most recently active
// first.
func (db *DB) UserSessions(ctx context.Context, userID int64) ([]model.Session, error) {
	var list []model.Session
	err := db.touches.holding(func(pending func([]byte) time.Time) error {
		rows, err := db.read.QueryContext(ctx, `SELECT `+sessionColumns+` FROM sessions s WHERE s.user_id = ? ORDER BY s.last_seen_at DESC, s.created_at DESC`, userID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			s, err := scanSession(rows)
			if err != nil {
				return err
			}
			s.LastSeenAt = laterOf(s.LastSeenAt, pending(s.TokenHash))
			list = append(list, *s)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("sessions of user %d: %w", userID, err)
	}
	// Activity not yet committed may reorder them.
	slices.SortStableFunc(list, func(a, b model.Session) int {
		if c := b.LastSeenAt.Compare(a.LastSeenAt); c != 0 {
			return c
		}
		return b.CreatedAt.Compare(a.CreatedAt)
	})
	return list, nil
}

// touchSession records activity on a session; a later time already
// recorded is kept. DB.TouchSession runs it in the group commit.
func (tx *Tx) touchSession(tokenHash []byte, at time.Time) error {
	_, err := tx.tx.ExecContext(tx.ctx, `UPDATE sessions SET last_seen_at = ? WHERE token_hash = ? AND last_seen_at < ?`, ms(at), tokenHash, ms(at))
	return err
}

// DeleteSession ends one session.
func (tx *Tx) DeleteSession(tokenHash []byte) error {
	_, err := tx.tx.ExecContext(tx.ctx, `DELETE FROM sessions WHERE token_hash = ?`, tokenHash)
	return err
}

// EndSession deletes a session and returns whose it was; ErrNotFound
// when there was none.
func (tx *Tx) EndSession(tokenHash []byte) (int64, error) {
	var userID int64
	err := tx.tx.QueryRowContext(tx.ctx, `DELETE FROM sessions WHERE token_hash = ? RETURNING user_id`, tokenHash).Scan(&userID)
	if err != nil {
		return 0, notFound(err, "session")
	}
	return userID, nil
}

// EndUserSession deletes the session of an account named by its public
// id; ErrNotFound when the account has no such session.
func (tx *Tx) EndUserSession(userID int64, id string) error {
	if err := tx.execOne(`DELETE FROM sessions WHERE user_id = ? AND public_id = ?`, userID, id); err != nil {
		return fmt.Errorf("end session: %w", err)
	}
	return nil
}

// RotateSession gives a session a new token: the old one stops working,
// the session (its id, its start) goes on. ErrNotFound when oldHash names
// no session.
func (tx *Tx) RotateSession(oldHash, newHash []byte) error {
	if err := tx.execOne(`UPDATE sessions SET token_hash = ?, last_seen_at = ? WHERE token_hash = ?`, newHash, ms(tx.Now), oldHash); err != nil {
		return fmt.Errorf("rotate session: %w", err)
	}
	return nil
}

// DeleteUserSessions ends every session of an account except keep (nil
// keeps none).
func (tx *Tx) DeleteUserSessions(userID int64, keep []byte) (int64, error) {
	query, args := `DELETE FROM sessions WHERE user_id = ?`, []any{userID}
	if keep != nil {
		query, args = query+` AND token_hash <> ?`, append(args, keep)
	}
	res, err := tx.tx.ExecContext(tx.ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// DeleteExpiredSessions removes sessions idle since before idleBefore or
// created before createdBefore.
func (db *DB) DeleteExpiredSessions(ctx context.Context, idleBefore, createdBefore time.Time) (int64, error) {
	res, err := db.exec(ctx, `DELETE FROM sessions WHERE last_seen_at < ? OR created_at < ?`, ms(idleBefore), ms(createdBefore))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// CountUserSessions counts an account's sessions.
func (db *DB) CountUserSessions(ctx context.Context, userID int64) (int, error) {
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM sessions WHERE user_id = ?`, userID).Scan(&n)
	return n, err
}
