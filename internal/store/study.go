package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"mxcert/internal/exam"
	"mxcert/internal/model"
)

// MarkStudied records that a candidate studied a module (again: the first
// date is kept).
func (tx *Tx) MarkStudied(userID int64, track, module string) error {
	_, err := tx.tx.ExecContext(tx.ctx, `INSERT INTO module_progress (user_id, track_id, module_slug, studied_at) VALUES (?, ?, ?, ?)
		ON CONFLICT DO NOTHING`, userID, track, module, ms(tx.Now))
	return err
}

// UnmarkStudied removes the mark.
func (tx *Tx) UnmarkStudied(userID int64, track, module string) error {
	_, err := tx.tx.ExecContext(tx.ctx, `DELETE FROM module_progress WHERE user_id = ? AND track_id = ? AND module_slug = ?`, userID, track, module)
	return err
}

// StudiedModules returns the slugs a candidate marked as studied, with when.
func (db *DB) StudiedModules(ctx context.Context, userID int64, track string) (map[string]time.Time, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT module_slug, studied_at FROM module_progress WHERE user_id = ? AND track_id = ?`, userID, track)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]time.Time{}
	for rows.Next() {
		var slug string
		var at int64
		if err := rows.Scan(&slug, &at); err != nil {
			return nil, err
		}
		out[slug] = fromMS(at)
	}
	return out, rows.Err()
}

// CreatePractice stores a new practice session with its items.
func (tx *Tx) CreatePractice(p *model.PracticeSession) error {
	p.CreatedAt = tx.Now
	var deadline any
	if p.Deadline != nil {
		deadline = ms(*p.Deadline)
	}
	_, err := tx.tx.ExecContext(tx.ctx, `INSERT INTO practice_sessions (id, user_id, track_id, kind, domain, seed, content_version, created_at, deadline)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, p.ID, p.UserID, p.TrackID, p.Kind, p.Domain, int64(p.Seed), p.ContentVersion, ms(tx.Now), deadline) // #nosec G115 -- the seed's bits are stored as they are
	if err != nil {
		return fmt.Errorf("create practice: %w", err)
	}
	items := make([]exam.Item, len(p.Items))
	for i, it := range p.Items {
		items[i] = it.Item
	}
	return tx.insertServed(`INSERT INTO practice_items (session_id, position, question_id, domain, item) VALUES (?, ?, ?, ?, ?)`, p.ID, items)
}

// OpenPractice is an unfinished practice session in a list.
type OpenPractice struct {
	ID        string
	Kind      model.PracticeKind
	Domain    string
	Timed     bool
	CreatedAt time.Time
}

// OpenPractices lists a candidate's unfinished practice sessions in a
// track that can still be answered (a timed simulacro past its deadline
// cannot), oldest first.
func (tx *Tx) OpenPractices(userID int64, track string) ([]OpenPractice, error) {
	rows, err := tx.tx.QueryContext(tx.ctx, `SELECT id, kind, domain, deadline IS NOT NULL, created_at FROM practice_sessions
		WHERE user_id = ? AND track_id = ? AND finished_at IS NULL AND (deadline IS NULL OR deadline > ?)
		ORDER BY created_at, id`, userID, track, ms(tx.Now))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []OpenPractice
	for rows.Next() {
		var p OpenPractice
		var created int64
		if err := rows.Scan(&p.ID, &p.Kind, &p.Domain, &p.Timed, &created); err != nil {
			return nil, err
		}
		p.CreatedAt = fromMS(created)
		out = append(out, p)
	}
	return out, rows.Err()
}

// PurgeAbandonedPractice deletes, with their items, the practice sessions
// never finished that were started before the given time and had no answer
// since: nobody is coming back to them, and they only take space.
func (db *DB) PurgeAbandonedPractice(ctx context.Context, before time.Time) (int64, error) {
	res, err := db.exec(ctx, `DELETE FROM practice_sessions WHERE finished_at IS NULL AND created_at < ?
		AND NOT EXISTS (SELECT 1 FROM practice_items i WHERE i.session_id = practice_sessions.id AND i.answered_at >= ?)`, ms(before), ms(before))
	if err != nil {
		return 0, fmt.Errorf("purge abandoned practice: %w", err)
	}
	return res.RowsAffected()
}

// Practice loads a practice session of a user; another user's session is
// ErrNotFound, like a missing one.
func (db *DB) Practice(ctx context.Context, id string, userID int64) (*model.PracticeSession, error) {
	return practice(ctx, db.read, id, userID)
}

// Practice loads a practice session inside a transaction.
func (tx *Tx) Practice(id string, userID int64) (*model.PracticeSession, error) {
	return practice(tx.ctx, tx.tx, id, userID)
}

func practice(ctx context.Context, q querier, id string, userID int64) (*model.PracticeSession, error) {
	p := model.PracticeSession{ID: id}
	var seed, created int64
	var deadline, finished sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT user_id, track_id, kind, domain, seed, content_version, created_at, deadline, finished_at
		FROM practice_sessions WHERE id = ? AND user_id = ?`, id, userID).
		Scan(&p.UserID, &p.TrackID, &p.Kind, &p.Domain, &seed, &p.ContentVersion, &created, &deadline, &finished)
	if err != nil {
		return nil, notFound(err, "practice "+id)
	}
	p.Seed, p.CreatedAt = uint64(seed), fromMS(created) // #nosec G115 -- bits stored as they are
	p.Deadline, p.FinishedAt = optTime(deadline), optTime(finished)
	rows, err := q.QueryContext(ctx, `SELECT item, answer, correct, answered_at FROM practice_items WHERE session_id = ? ORDER BY position`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var it model.PracticeItem
		var item string
		var answer sql.NullString
		var correct, answered sql.NullInt64
		if err := rows.Scan(&item, &answer, &correct, &answered); err != nil {
			return nil, err
		}
		if it.Item, it.Answer, err = decodeServed("practice "+id, item, answer); err != nil {
			return nil, err
		}
		it.Correct = correct.Int64 == 1
		it.AnsweredAt = optTime(answered)
		p.Items = append(p.Items, it)
	}
	return &p, rows.Err()
}

func optTime(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromMS(v.Int64)
	return &t
}

// ErrClosed is an action on a practice session or attempt that has ended.
var ErrClosed = exam.ErrClosed

// AnswerPractice records an answer to one item of an open session.
func (tx *Tx) AnswerPractice(id string, position int, answer []int, correct bool) error {
	data, err := json.Marshal(answer)
	if err != nil {
		return err
	}
	return tx.execOne(`UPDATE practice_items SET answer = ?, correct = ?, answered_at = ? WHERE session_id = ? AND position = ?`,
		string(data), boolInt(correct), ms(tx.Now), id, position)
}

// FinishPractice closes a session.
func (tx *Tx) FinishPractice(id string) error {
	_, err := tx.tx.ExecContext(tx.ctx, `UPDATE practice_sessions SET finished_at = ? WHERE id = ? AND finished_at IS NULL`, ms(tx.Now), id)
	return err
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// PracticeAccuracy sums a candidate's practice answers per domain.
func (db *DB) PracticeAccuracy(ctx context.Context, userID int64, track string) (map[string]model.DomainAccuracy, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT i.domain, count(*), CAST(sum(i.correct) AS BIGINT) FROM practice_items i
		JOIN practice_sessions s ON s.id = i.session_id
		WHERE s.user_id = ? AND s.track_id = ? AND i.answered_at IS NOT NULL GROUP BY i.domain`, userID, track)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]model.DomainAccuracy{}
	for rows.Next() {
		var d string
		var a model.DomainAccuracy
		if err := rows.Scan(&d, &a.Answered, &a.Correct); err != nil {
			return nil, err
		}
		out[d] = a
	}
	return out, rows.Err()
}

// RecentPractice lists a candidate's latest practice sessions, newest first.
func (db *DB) RecentPractice(ctx context.Context, userID int64, track string, limit int) ([]model.PracticeSummary, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT s.id, s.kind, s.domain, s.created_at, s.finished_at,
		count(i.position), count(i.answered_at), CAST(coalesce(sum(i.correct), 0) AS BIGINT)
		FROM practice_sessions s LEFT JOIN practice_items i ON i.session_id = s.id
		WHERE s.user_id = ? AND s.track_id = ? GROUP BY s.id ORDER BY s.created_at DESC LIMIT ?`, userID, track, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []model.PracticeSummary
	for rows.Next() {
		var p model.PracticeSummary
		var created int64
		var finished sql.NullInt64
		if err := rows.Scan(&p.ID, &p.Kind, &p.Domain, &created, &finished, &p.Total, &p.Answered, &p.Correct); err != nil {
			return nil, err
		}
		p.CreatedAt, p.FinishedAt = fromMS(created), optTime(finished)
		out = append(out, p)
	}
	return out, rows.Err()
}
