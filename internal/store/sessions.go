package store

import (
	"context"
	"fmt"
	"time"

	"mxcert/internal/model"
)

// Session is a signed-in browser. Only the SHA-256 of its token is stored,
// so a copy of the database cannot be used to sign in.
type Session struct {
	TokenHash  []byte
	UserID     int64
	CreatedAt  time.Time
	LastSeenAt time.Time
	UserAgent  string
	IP         string
}

// CreateSession stores a new session stamped with the transaction's time.
func (tx *Tx) CreateSession(s *Session) error {
	s.CreatedAt, s.LastSeenAt = tx.Now, tx.Now
	_, err := tx.tx.ExecContext(tx.ctx, `INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, user_agent, ip) VALUES (?, ?, ?, ?, ?, ?)`,
		s.TokenHash, s.UserID, ms(tx.Now), ms(tx.Now), s.UserAgent, s.IP)
	if err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	return nil
}

// SessionUser returns a session and its account.
func (db *DB) SessionUser(ctx context.Context, tokenHash []byte) (*Session, *model.User, error) {
	row := db.hot(ctx, `SELECT s.token_hash, s.user_id, s.created_at, s.last_seen_at, s.user_agent, s.ip,
		u.id, u.email, u.email_norm, u.full_name, u.state, u.password_hash, u.role, u.created_at, u.password_changed_at, u.extra_minutes
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?`, tokenHash)
	var s Session
	var u model.User
	var sc, sl, uc, upc int64
	err := row.Scan(&s.TokenHash, &s.UserID, &sc, &sl, &s.UserAgent, &s.IP,
		&u.ID, &u.Email, &u.EmailNorm, &u.Name, &u.State, &u.PasswordHash, &u.Role, &uc, &upc, &u.ExtraMinutes)
	if err != nil {
		return nil, nil, notFound(err, "session")
	}
	s.CreatedAt, s.LastSeenAt = fromMS(sc), fromMS(sl)
	u.CreatedAt, u.PasswordChangedAt = fromMS(uc), fromMS(upc)
	return &s, &u, nil
}

// TouchSession records activity on a session (for the idle timeout).
func (db *DB) TouchSession(ctx context.Context, tokenHash []byte, at time.Time) error {
	_, err := db.write.ExecContext(ctx, `UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?`, ms(at), tokenHash)
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

// DeleteUserSessions ends every session of an account except keep (nil
// keeps none).
func (tx *Tx) DeleteUserSessions(userID int64, keep []byte) (int64, error) {
	res, err := tx.tx.ExecContext(tx.ctx, `DELETE FROM sessions WHERE user_id = ? AND (? IS NULL OR token_hash <> ?)`, userID, keep, keep)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// DeleteExpiredSessions removes sessions idle since before idleBefore or
// created before createdBefore.
func (db *DB) DeleteExpiredSessions(ctx context.Context, idleBefore, createdBefore time.Time) (int64, error) {
	res, err := db.write.ExecContext(ctx, `DELETE FROM sessions WHERE last_seen_at < ? OR created_at < ?`, ms(idleBefore), ms(createdBefore))
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
