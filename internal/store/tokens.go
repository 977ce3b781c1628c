package store

import (
	"context"
	"database/sql"
	"fmt"

	"mxcert/internal/model"
)

// CreateToken stores a single-use link's hash, stamped with the
// transaction's time (ExpiresAt is the caller's).
func (tx *Tx) CreateToken(t *model.AccountToken) error {
	t.CreatedAt = tx.Now
	_, err := tx.tx.ExecContext(tx.ctx, `INSERT INTO account_tokens (token_hash, user_id, purpose, new_email, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)`,
		t.Hash, t.UserID, t.Purpose, t.NewEmail, ms(t.CreatedAt), ms(t.ExpiresAt))
	if err != nil {
		return fmt.Errorf("create %s token for user %d: %w", t.Purpose, t.UserID, err)
	}
	return nil
}

func scanToken(row *sql.Row) (*model.AccountToken, error) {
	var t model.AccountToken
	var created, expires int64
	var used sql.NullInt64
	if err := row.Scan(&t.Hash, &t.UserID, &t.Purpose, &t.NewEmail, &created, &expires, &used); err != nil {
		return nil, notFound(err, "token")
	}
	t.CreatedAt, t.ExpiresAt, t.UsedAt = fromMS(created), fromMS(expires), optTime(used)
	return &t, nil
}

// tokenColumns are column names, not a credential.
const tokenColumns = `token_hash, user_id, purpose, new_email, created_at, expires_at, used_at` // #nosec G101

// TokenByHash finds a link's record inside the transaction.
func (tx *Tx) TokenByHash(hash []byte) (*model.AccountToken, error) {
	return scanToken(tx.tx.QueryRowContext(tx.ctx, `SELECT `+tokenColumns+` FROM account_tokens WHERE token_hash = ?`, hash))
}

// TokenByHash finds a link's record.
func (db *DB) TokenByHash(ctx context.Context, hash []byte) (*model.AccountToken, error) {
	return scanToken(db.read.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM account_tokens WHERE token_hash = ?`, hash))
}

// UseToken marks a link used; ErrNotFound when it was used already, so
// that of two requests racing with one link only one goes through.
func (tx *Tx) UseToken(hash []byte) error {
	if err := tx.execOne(`UPDATE account_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL`, ms(tx.Now), hash); err != nil {
		return fmt.Errorf("use token: %w", err)
	}
	return nil
}

// RetireTokens marks an account's unused links of a purpose used: a new
// link replaces the ones sent before it.
func (tx *Tx) RetireTokens(userID int64, purpose model.TokenPurpose) error {
	_, err := tx.tx.ExecContext(tx.ctx, `UPDATE account_tokens SET used_at = ? WHERE user_id = ? AND purpose = ? AND used_at IS NULL`, ms(tx.Now), userID, purpose)
	if err != nil {
		return fmt.Errorf("retire %s tokens of user %d: %w", purpose, userID, err)
	}
	return nil
}
