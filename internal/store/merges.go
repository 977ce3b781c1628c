package store

import (
	"context"
	"fmt"
	"strings"

	"mxcert/internal/model"
)

// OpenCandidates streams every candidate account that is not closed, with
// what tells people apart (name, state, e-mail) and when it was made; the
// password hash is left out. The duplicates report groups them.
func (db *DB) OpenCandidates(ctx context.Context, fn func(model.User) error) error {
	rows, err := db.read.QueryContext(ctx, `SELECT id, email, email_norm, full_name, state, created_at
		FROM users WHERE role = 'candidate' AND closed_at IS NULL ORDER BY id`)
	if err != nil {
		return fmt.Errorf("open candidates: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		u := model.User{Role: model.RoleCandidate}
		var created int64
		if err := rows.Scan(&u.ID, &u.Email, &u.EmailNorm, &u.Name, &u.State, &created); err != nil {
			return fmt.Errorf("open candidates: %w", err)
		}
		u.CreatedAt = fromMS(created)
		if err := fn(u); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Activity counts the attempts, certificates, practice and studied
// modules of each account in ids.
func (db *DB) Activity(ctx context.Context, ids []int64) (map[int64]model.Activity, error) {
	return activity(ctx, db.read, ids)
}

// Activity is DB.Activity inside the transaction.
func (tx *Tx) Activity(ids ...int64) (map[int64]model.Activity, error) {
	return activity(tx.ctx, tx.tx, ids)
}

func activity(ctx context.Context, q querier, ids []int64) (map[int64]model.Activity, error) {
	out := make(map[int64]model.Activity, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
		out[id] = model.Activity{}
	}
	in := "(" + strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",") + ")"
	// #nosec G202 -- only placeholders are spliced in; every id is a bound parameter
	rows, err := q.QueryContext(ctx, `SELECT u.id,
		(SELECT count(*) FROM attempts a WHERE a.user_id = u.id AND a.status = 'passed'),
		(SELECT count(*) FROM attempts a WHERE a.user_id = u.id AND a.status = 'failed'),
		(SELECT count(*) FROM attempts a WHERE a.user_id = u.id AND a.status = 'in_progress'),
		(SELECT count(*) FROM certificates c WHERE c.user_id = u.id),
		(SELECT count(*) FROM certificates c WHERE c.user_id = u.id AND c.status = 'valid'),
		(SELECT count(*) FROM practice_sessions p WHERE p.user_id = u.id),
		(SELECT count(*) FROM module_progress m WHERE m.user_id = u.id)
		FROM users u WHERE u.id IN `+in, args...)
	if err != nil {
		return nil, fmt.Errorf("activity: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var a model.Activity
		if err := rows.Scan(&id, &a.Passed, &a.Failed, &a.InProgress, &a.Certificates, &a.ValidCertificates, &a.Practice, &a.Studied); err != nil {
			return nil, fmt.Errorf("activity: %w", err)
		}
		out[id] = a
	}
	return out, rows.Err()
}

// OpenAttemptTracks lists the certifications in which an account has an
// attempt in progress.
func (tx *Tx) OpenAttemptTracks(userID int64) ([]string, error) {
	return tx.strings(`SELECT track_id FROM attempts WHERE user_id = ? AND status = 'in_progress' ORDER BY track_id`, userID)
}

// ValidCertificateTracks lists the certifications of which an account
// holds a valid certificate.
func (tx *Tx) ValidCertificateTracks(userID int64) ([]string, error) {
	return tx.strings(`SELECT track_id FROM certificates WHERE user_id = ? AND status = 'valid' ORDER BY track_id`, userID)
}

func (tx *Tx) strings(query string, args ...any) ([]string, error) {
	rows, err := tx.tx.QueryContext(tx.ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// MergeAccounts moves the attempts, practice sessions, module progress,
// certificates and directory listing of account from into account into
// (from's listing is deleted when into has one), ends from's
// sessions and pending sign-ins, and closes it, pointing it (and any
// account joined into it before) at into. A module studied in both
// keeps the earlier date. The caller has checked that the move breaks
// no rule: one attempt in progress and one valid certificate per person
// and certification (the schema's unique indexes refuse it otherwise).
func (tx *Tx) MergeAccounts(from, into int64) (model.MergeMoves, error) {
	var m model.MergeMoves
	steps := []struct {
		n     *int64
		query string
	}{
		{&m.Attempts, `UPDATE attempts SET user_id = ?2 WHERE user_id = ?1`},
		{&m.Practice, `UPDATE practice_sessions SET user_id = ?2 WHERE user_id = ?1`},
		{&m.Certificates, `UPDATE certificates SET user_id = ?2 WHERE user_id = ?1`},
		{&m.Progress, `INSERT INTO module_progress (user_id, track_id, module_slug, studied_at)
			SELECT CAST(?2 AS BIGINT), track_id, module_slug, studied_at FROM module_progress WHERE user_id = ?1
			ON CONFLICT (user_id, track_id, module_slug) DO UPDATE SET studied_at = CASE WHEN excluded.studied_at < module_progress.studied_at THEN excluded.studied_at ELSE module_progress.studied_at END`},
		{nil, `DELETE FROM module_progress WHERE user_id = ?1`},
		{nil, `UPDATE candidate_notes SET user_id = ?2 WHERE user_id = ?1`},
		{&m.SessionsEnded, `DELETE FROM sessions WHERE user_id = ?1`},
		{nil, `DELETE FROM sign_in_challenges WHERE user_id = ?1`},
		{nil, `UPDATE users SET merged_into = ?2 WHERE merged_into = ?1`},
		// A directory listing follows the person's certificates, unless the
		// kept account has its own: one listing per person.
		{nil, `UPDATE directory_listings SET user_id = ?2 WHERE user_id = ?1
			AND NOT EXISTS (SELECT 1 FROM directory_listings kept WHERE kept.user_id = ?2)`},
		{nil, `DELETE FROM directory_listings WHERE user_id = ?1`},
	}
	for _, s := range steps {
		args := []any{from, into}
		if !strings.Contains(s.query, "?2") {
			args = args[:1] // PostgreSQL wants as many arguments as parameters
		}
		res, err := tx.tx.ExecContext(tx.ctx, s.query, args...)
		if err != nil {
			return m, fmt.Errorf("merge account %d into %d: %w", from, into, err)
		}
		if s.n != nil {
			if *s.n, err = res.RowsAffected(); err != nil {
				return m, err
			}
		}
	}
	err := tx.execOne(`UPDATE users SET closed_at = ?, merged_into = ? WHERE id = ? AND closed_at IS NULL`, ms(tx.Now), into, from)
	if err != nil {
		return m, fmt.Errorf("close account %d: %w", from, err)
	}
	return m, nil
}
