package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"mxcert/internal/model"
)

// Authenticator is an enrolled TOTP authenticator. Secret is sealed by the
// account service; the store never sees it in clear.
type Authenticator struct {
	UserID     int64
	Secret     []byte
	EnrolledAt time.Time
	LastStep   int64 // the time step of the last code accepted
}

// Authenticator returns the enrolled authenticator of an account, or
// ErrNotFound.
func (tx *Tx) Authenticator(userID int64) (*Authenticator, error) {
	a := Authenticator{UserID: userID}
	var enrolled int64
	err := tx.tx.QueryRowContext(tx.ctx, `SELECT secret, enrolled_at, last_step FROM totp_authenticators WHERE user_id = ?`, userID).
		Scan(&a.Secret, &enrolled, &a.LastStep)
	if err != nil {
		return nil, notFound(err, "authenticator")
	}
	a.EnrolledAt = fromMS(enrolled)
	return &a, nil
}

// HasAuthenticator reports whether an account has enrolled one.
func (tx *Tx) HasAuthenticator(userID int64) (bool, error) {
	var n int
	err := tx.tx.QueryRowContext(tx.ctx, `SELECT count(*) FROM totp_authenticators WHERE user_id = ?`, userID).Scan(&n)
	return n > 0, err
}

// PutAuthenticator enrols a sealed secret for an account, replacing the
// one it had, and drops any enrolment in progress.
func (tx *Tx) PutAuthenticator(userID int64, sealed []byte, lastStep int64) error {
	_, err := tx.tx.ExecContext(tx.ctx, `INSERT INTO totp_authenticators (user_id, secret, enrolled_at, last_step) VALUES (?, ?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret, enrolled_at = excluded.enrolled_at, last_step = excluded.last_step`,
		userID, sealed, ms(tx.Now), lastStep)
	if err != nil {
		return fmt.Errorf("enrol authenticator of user %d: %w", userID, err)
	}
	_, err = tx.tx.ExecContext(tx.ctx, `DELETE FROM totp_enrolments WHERE user_id = ?`, userID)
	return err
}

// AcceptStep records that a code of time step step was accepted. It
// changes nothing, and says so, unless step is later than the last one
// accepted: a code is good only once.
func (tx *Tx) AcceptStep(userID, step int64) (bool, error) {
	res, err := tx.tx.ExecContext(tx.ctx, `UPDATE totp_authenticators SET last_step = ? WHERE user_id = ? AND last_step < ?`, step, userID, step)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// Enrolment returns the sealed secret of an authenticator being set up,
// or ErrNotFound.
func (tx *Tx) Enrolment(userID int64) ([]byte, error) {
	var sealed []byte
	err := tx.tx.QueryRowContext(tx.ctx, `SELECT secret FROM totp_enrolments WHERE user_id = ?`, userID).Scan(&sealed)
	if err != nil {
		return nil, notFound(err, "enrolment")
	}
	return sealed, nil
}

// PutEnrolment starts setting up an authenticator.
func (tx *Tx) PutEnrolment(userID int64, sealed []byte) error {
	_, err := tx.tx.ExecContext(tx.ctx, `INSERT INTO totp_enrolments (user_id, secret, started_at) VALUES (?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret, started_at = excluded.started_at`, userID, sealed, ms(tx.Now))
	return err
}

// ReplaceRecoveryCodes makes hashes the account's recovery codes; the
// previous ones, used or not, stop working.
func (tx *Tx) ReplaceRecoveryCodes(userID int64, hashes [][]byte) error {
	if _, err := tx.tx.ExecContext(tx.ctx, `DELETE FROM recovery_codes WHERE user_id = ?`, userID); err != nil {
		return err
	}
	for _, h := range hashes {
		if _, err := tx.tx.ExecContext(tx.ctx, `INSERT INTO recovery_codes (user_id, code_hash, created_at) VALUES (?, ?, ?)`, userID, h, ms(tx.Now)); err != nil {
			return fmt.Errorf("store recovery code: %w", err)
		}
	}
	return nil
}

// UseRecoveryCode spends the unused recovery code with this hash, and
// reports whether there was one.
func (tx *Tx) UseRecoveryCode(userID int64, hash []byte) (bool, error) {
	res, err := tx.tx.ExecContext(tx.ctx, `UPDATE recovery_codes SET used_at = ? WHERE user_id = ? AND code_hash = ? AND used_at IS NULL`, ms(tx.Now), userID, hash)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// RecoveryCodesLeft counts an account's unused recovery codes.
func (tx *Tx) RecoveryCodesLeft(userID int64) (int, error) {
	return recoveryCodesLeft(tx.ctx, tx.tx, userID)
}

func recoveryCodesLeft(ctx context.Context, q querier, userID int64) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM recovery_codes WHERE user_id = ? AND used_at IS NULL`, userID).Scan(&n)
	return n, err
}

// SecondFactor is an account's authenticator as the console shows it.
func (db *DB) SecondFactor(ctx context.Context, userID int64) (model.SecondFactor, error) {
	var sf model.SecondFactor
	var enrolled int64
	err := db.read.QueryRowContext(ctx, `SELECT enrolled_at FROM totp_authenticators WHERE user_id = ?`, userID).Scan(&enrolled)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return sf, nil
	case err != nil:
		return sf, fmt.Errorf("second factor of user %d: %w", userID, err)
	}
	sf.Enrolled, sf.EnrolledAt = true, fromMS(enrolled)
	sf.RecoveryLeft, err = recoveryCodesLeft(ctx, db.read, userID)
	return sf, err
}

// VerificationFailures returns an account's wrong codes in a row and when
// the last one was typed (0 and the zero time when none).
func (tx *Tx) VerificationFailures(userID int64) (int, time.Time, error) {
	return verificationFailures(tx.ctx, tx.tx, userID)
}

func verificationFailures(ctx context.Context, q querier, userID int64) (int, time.Time, error) {
	var n int
	var last int64
	err := q.QueryRowContext(ctx, `SELECT failures, last_failure_at FROM verification_failures WHERE user_id = ?`, userID).Scan(&n, &last)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, time.Time{}, nil
	}
	if err != nil {
		return 0, time.Time{}, err
	}
	return n, fromMS(last), nil
}

// VerificationFailures is Tx.VerificationFailures outside a transaction.
func (db *DB) VerificationFailures(ctx context.Context, userID int64) (int, time.Time, error) {
	return verificationFailures(ctx, db.read, userID)
}

// AddVerificationFailure counts one more wrong code and returns the count.
func (tx *Tx) AddVerificationFailure(userID int64) (int, error) {
	var n int
	err := tx.tx.QueryRowContext(tx.ctx, `INSERT INTO verification_failures (user_id, failures, last_failure_at) VALUES (?, 1, ?)
		ON CONFLICT (user_id) DO UPDATE SET failures = verification_failures.failures + 1, last_failure_at = excluded.last_failure_at
		RETURNING failures`, userID, ms(tx.Now)).Scan(&n)
	return n, err
}

// ClearVerificationFailures forgets an account's wrong codes after a
// right one.
func (tx *Tx) ClearVerificationFailures(userID int64) error {
	_, err := tx.tx.ExecContext(tx.ctx, `DELETE FROM verification_failures WHERE user_id = ?`, userID)
	return err
}

// CreateChallenge stores a sign-in waiting for its second factor, and
// deletes the ones started before expiredBefore.
func (tx *Tx) CreateChallenge(tokenHash []byte, userID int64, ip string, expiredBefore time.Time) error {
	if _, err := tx.tx.ExecContext(tx.ctx, `DELETE FROM sign_in_challenges WHERE created_at < ?`, ms(expiredBefore)); err != nil {
		return err
	}
	_, err := tx.tx.ExecContext(tx.ctx, `INSERT INTO sign_in_challenges (token_hash, user_id, created_at, ip) VALUES (?, ?, ?, ?)`, tokenHash, userID, ms(tx.Now), ip)
	if err != nil {
		return fmt.Errorf("create sign-in challenge: %w", err)
	}
	return nil
}

// Challenge returns the account of a sign-in waiting for its second
// factor, if it started at or after notBefore; otherwise ErrNotFound.
func (tx *Tx) Challenge(tokenHash []byte, notBefore time.Time) (int64, error) {
	return challenge(tx.ctx, tx.tx, tokenHash, notBefore)
}

// Challenge is Tx.Challenge outside a transaction.
func (db *DB) Challenge(ctx context.Context, tokenHash []byte, notBefore time.Time) (int64, error) {
	return challenge(ctx, db.read, tokenHash, notBefore)
}

func challenge(ctx context.Context, q querier, tokenHash []byte, notBefore time.Time) (int64, error) {
	var userID int64
	err := q.QueryRowContext(ctx, `SELECT user_id FROM sign_in_challenges WHERE token_hash = ? AND created_at >= ?`, tokenHash, ms(notBefore)).Scan(&userID)
	if err != nil {
		return 0, notFound(err, "sign-in challenge")
	}
	return userID, nil
}

// DeleteChallenge ends a sign-in waiting for its second factor.
func (tx *Tx) DeleteChallenge(tokenHash []byte) error {
	_, err := tx.tx.ExecContext(tx.ctx, `DELETE FROM sign_in_challenges WHERE token_hash = ?`, tokenHash)
	return err
}

// MarkSessionChecked records that the owner of a session of userID has
// just proved who they are (a password or a code); with secondFactor,
// that it was a second factor. A session of anyone else is ErrNotFound.
func (tx *Tx) MarkSessionChecked(tokenHash []byte, userID int64, secondFactor bool) error {
	if secondFactor {
		return tx.execOne(`UPDATE sessions SET checked_at = ?, second_factor_at = ? WHERE token_hash = ? AND user_id = ?`, ms(tx.Now), ms(tx.Now), tokenHash, userID)
	}
	return tx.execOne(`UPDATE sessions SET checked_at = ? WHERE token_hash = ? AND user_id = ?`, ms(tx.Now), tokenHash, userID)
}

// SessionChecks says how a session proved who is using it.
func (db *DB) SessionChecks(ctx context.Context, tokenHash []byte) (model.SessionChecks, error) {
	var sc model.SessionChecks
	var created int64
	var second, checked sql.NullInt64
	err := db.read.QueryRowContext(ctx, `SELECT created_at, second_factor_at, checked_at FROM sessions WHERE token_hash = ?`, tokenHash).
		Scan(&created, &second, &checked)
	if err != nil {
		return sc, notFound(err, "session")
	}
	sc.CheckedAt = fromMS(created)
	if checked.Valid {
		sc.CheckedAt = fromMS(checked.Int64)
	}
	if second.Valid {
		sc.SecondFactorAt = fromMS(second.Int64)
	}
	return sc, nil
}
