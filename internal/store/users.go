package store

import (
	"context"
	"database/sql"
	"fmt"

	"mxcert/internal/model"
)

const userColumns = `id, email, email_norm, full_name, state, password_hash, role, created_at, password_changed_at, extra_minutes, lang, closed_at, merged_into, email_verified_at`

func scanUser(row interface{ Scan(...any) error }) (*model.User, error) {
	var u model.User
	var created, changed int64
	var closed, merged, verified sql.NullInt64
	if err := row.Scan(&u.ID, &u.Email, &u.EmailNorm, &u.Name, &u.State, &u.PasswordHash, &u.Role, &created, &changed, &u.ExtraMinutes, &u.Lang, &closed, &merged, &verified); err != nil {
		return nil, err
	}
	u.CreatedAt, u.PasswordChangedAt, u.ClosedAt, u.MergedInto, u.EmailVerifiedAt = fromMS(created), fromMS(changed), optTime(closed), merged.Int64, optTime(verified)
	return &u, nil
}

// CreateUser inserts u and sets its ID and times. A taken e-mail address
// (in any letter case) is ErrConflict. A non-nil EmailVerifiedAt is
// stamped with the transaction's time.
func (tx *Tx) CreateUser(u *model.User) error {
	u.CreatedAt, u.PasswordChangedAt = tx.Now, tx.Now
	if u.Role == "" {
		u.Role = model.RoleCandidate
	}
	u.Lang = model.UserLang(u.Lang)
	var verified any
	if u.EmailVerifiedAt != nil {
		now := tx.Now
		u.EmailVerifiedAt, verified = &now, ms(now)
	}
	err := tx.mayConflict(func() error {
		return tx.tx.QueryRowContext(tx.ctx, `INSERT INTO users (email, email_norm, full_name, state, password_hash, role, created_at, password_changed_at, lang, email_verified_at, search_key)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, u.Email, u.EmailNorm, u.Name, u.State, u.PasswordHash, u.Role, ms(tx.Now), ms(tx.Now), u.Lang, verified, SearchKey(u.Name, u.Email, u.State)).Scan(&u.ID)
	})
	if isUnique(err) {
		return fmt.Errorf("create user %s: %w", u.EmailNorm, ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("create user: %w", err)
	}
	return nil
}

func userBy(ctx context.Context, q querier, column string, value any) (*model.User, error) {
	// column is one of two constants below, never user input.
	u, err := scanUser(q.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE `+column+` = ?`, value)) // #nosec G202
	if err != nil {
		return nil, notFound(err, "user")
	}
	return u, nil
}

// UserByEmail finds an account by its normalised e-mail.
func (db *DB) UserByEmail(ctx context.Context, emailNorm string) (*model.User, error) {
	return userBy(ctx, db.read, "email_norm", emailNorm)
}

// UserByID finds an account.
func (db *DB) UserByID(ctx context.Context, id int64) (*model.User, error) {
	return userBy(ctx, db.read, "id", id)
}

// UserByID finds an account inside the transaction.
func (tx *Tx) UserByID(id int64) (*model.User, error) {
	return userBy(tx.ctx, tx.tx, "id", id)
}

// UserByEmail finds an account inside the transaction.
func (tx *Tx) UserByEmail(emailNorm string) (*model.User, error) {
	return userBy(tx.ctx, tx.tx, "email_norm", emailNorm)
}

// SetPassword stores a new password hash.
func (tx *Tx) SetPassword(userID int64, hash string) error {
	return tx.execOne(`UPDATE users SET password_hash = ?, password_changed_at = ? WHERE id = ?`, hash, ms(tx.Now), userID)
}

// SetLang sets the language of the e-mails a person receives.
func (tx *Tx) SetLang(userID int64, lang string) error {
	return tx.execOne(`UPDATE users SET lang = ? WHERE id = ?`, model.UserLang(lang), userID)
}

// SetEmailVerified records that the account's address is confirmed now
// (an address confirmed already keeps its first date).
func (tx *Tx) SetEmailVerified(userID int64) error {
	return tx.execOne(`UPDATE users SET email_verified_at = coalesce(email_verified_at, ?) WHERE id = ?`, ms(tx.Now), userID)
}

// SetEmail gives the account a new, confirmed address. An address another
// account has is ErrConflict.
func (tx *Tx) SetEmail(userID int64, email, emailNorm string) error {
	err := tx.mayConflict(func() error {
		return tx.execOne(`UPDATE users SET email = ?, email_norm = ?, email_verified_at = ? WHERE id = ?`, email, emailNorm, ms(tx.Now), userID)
	})
	if isUnique(err) {
		return fmt.Errorf("change e-mail of user %d: %w", userID, ErrConflict)
	}
	return err
}

// CountUsers counts accounts by role.
func (db *DB) CountUsers(ctx context.Context, role model.Role) (int, error) {
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE role = ?`, role).Scan(&n)
	return n, err
}

// execOne runs a statement that must change exactly one row.
func (tx *Tx) execOne(query string, args ...any) error {
	res, err := tx.tx.ExecContext(tx.ctx, query, args...)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n != 1 {
		return fmt.Errorf("%w: %d rows changed", ErrNotFound, n)
	}
	return nil
}

var _ querier = (*boundTx)(nil)
