package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"mxcert/internal/model"
)

// Totals counts candidates, attempts and certificates. An account
// closed by a merge is not a candidate: its person is counted once, in
// the account that was kept.
func (db *DB) Totals(ctx context.Context) (model.Totals, error) {
	t := model.Totals{CandidatesByState: map[string]int{}, CertifiedByState: map[string]int{}}
	err := db.read.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM users WHERE role = 'candidate' AND closed_at IS NULL),
		(SELECT count(*) FROM attempts WHERE status = 'in_progress'),
		(SELECT count(*) FROM attempts WHERE status = 'passed'),
		(SELECT count(*) FROM attempts WHERE status = 'failed'),
		(SELECT count(*) FROM certificates WHERE status = 'valid'),
		(SELECT count(*) FROM certificates WHERE status = 'revoked'),
		(SELECT count(*) FROM certificates WHERE status = 'superseded')`).
		Scan(&t.Candidates, &t.AttemptsOpen, &t.AttemptsPassed, &t.AttemptsFailed, &t.CertsValid, &t.CertsRevoked, &t.CertsSuperseded)
	if err != nil {
		return t, fmt.Errorf("totals: %w", err)
	}
	if err := countBy(ctx, db.read, t.CandidatesByState, `SELECT state, count(*) FROM users WHERE role = 'candidate' AND closed_at IS NULL GROUP BY state`); err != nil {
		return t, err
	}
	err = countBy(ctx, db.read, t.CertifiedByState, `SELECT u.state, count(DISTINCT u.id) FROM certificates c JOIN users u ON u.id = c.user_id
		WHERE c.status = 'valid' GROUP BY u.state`)
	return t, err
}

func countBy(ctx context.Context, q querier, out map[string]int, query string, args ...any) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			return err
		}
		out[k] = n
	}
	return rows.Err()
}

// EventsSince lists registrations, finished attempts and certificates
// since a time, for weekly charts.
func (db *DB) EventsSince(ctx context.Context, since time.Time) ([]model.Event, error) {
	rows, err := db.read.QueryContext(ctx, `
		SELECT created_at, 'registered' FROM users WHERE role = 'candidate' AND created_at >= ?1
		UNION ALL SELECT finished_at, status FROM attempts WHERE finished_at >= ?1
		UNION ALL SELECT issued_at, 'issued' FROM certificates WHERE issued_at >= ?1
		UNION ALL SELECT revoked_at, 'revoked' FROM certificates WHERE revoked_at >= ?1`, ms(since))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []model.Event
	for rows.Next() {
		var at int64
		var e model.Event
		if err := rows.Scan(&at, &e.Kind); err != nil {
			return nil, err
		}
		e.At = fromMS(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

func prefixed(prefix, columns string) string {
	parts := strings.Split(columns, ",")
	for i, p := range parts {
		parts[i] = prefix + strings.TrimSpace(p)
	}
	return strings.Join(parts, ", ")
}

// UserAttempts lists every attempt of a candidate, newest first, with items.
func (db *DB) UserAttempts(ctx context.Context, userID int64) ([]*model.Attempt, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id FROM attempts WHERE user_id = ? ORDER BY started_at DESC`, userID)
	if err != nil {
		return nil, err
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, errors.Join(err, rows.Close())
		}
		ids = append(ids, id)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, err
	}
	out := make([]*model.Attempt, 0, len(ids))
	for _, id := range ids {
		a, err := db.Attempt(ctx, id, 0)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// AuditFilter narrows the audit log.
type AuditFilter struct {
	Action   string    // exact action, or a prefix ending in "." ("certificate.")
	Person   string    // part of the actor's name or e-mail, or of the subject
	From     time.Time // entries at or after, when set
	To       time.Time // entries before, when set
	Limit    int
	BeforeID int64 // for paging: entries older than this id
}

// Audit lists audit entries, newest first.
func (db *DB) Audit(ctx context.Context, f AuditFilter) ([]model.AuditEntry, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	var where []string
	var args []any
	if f.Action != "" {
		if strings.HasSuffix(f.Action, ".") {
			where = append(where, "a.action LIKE ? ESCAPE '\\'")
			args = append(args, strings.ReplaceAll(f.Action, "_", `\_`)+"%")
		} else {
			where = append(where, "a.action = ?")
			args = append(args, f.Action)
		}
	}
	if f.Person != "" {
		like := "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(strings.ToLower(f.Person)) + "%"
		where = append(where, `(lower(coalesce(u.full_name, '')) LIKE ? ESCAPE '\' OR coalesce(u.email_norm, '') LIKE ? ESCAPE '\' OR lower(a.subject) LIKE ? ESCAPE '\')`)
		args = append(args, like, like, like)
	}
	if !f.From.IsZero() {
		where = append(where, "a.at >= ?")
		args = append(args, f.From.UnixMilli())
	}
	if !f.To.IsZero() {
		where = append(where, "a.at < ?")
		args = append(args, f.To.UnixMilli())
	}
	if f.BeforeID > 0 {
		where = append(where, "a.id < ?")
		args = append(args, f.BeforeID)
	}
	// The subject of an account's entries is its address: the account
	// whose address it is today is the one the console links to.
	query := `SELECT a.id, a.at, coalesce(a.actor_id, 0), coalesce(u.full_name, ''), a.action, a.subject, a.detail, coalesce(s.id, 0)
		FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id LEFT JOIN users s ON s.email_norm = a.subject`
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ") // #nosec G202 -- constant clauses; every value is a bound parameter
	}
	query += " ORDER BY a.id DESC LIMIT ?"
	args = append(args, f.Limit)
	rows, err := db.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	defer rows.Close()
	var out []model.AuditEntry
	for rows.Next() {
		var e model.AuditEntry
		var at int64
		var detail string
		if err := rows.Scan(&e.ID, &at, &e.ActorID, &e.ActorName, &e.Action, &e.Subject, &detail, &e.SubjectUserID); err != nil {
			return nil, err
		}
		e.At = fromMS(at)
		if err := json.Unmarshal([]byte(detail), &e.Detail); err != nil {
			e.Detail = map[string]any{"raw": detail}
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// AuditActions lists the distinct actions in the log, for the filter.
func (db *DB) AuditActions(ctx context.Context) ([]string, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT DISTINCT action FROM audit_log ORDER BY action`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// ItemResponse is one served exam question of a finished attempt.
type ItemResponse struct {
	AttemptID  string
	QuestionID string
	Options    []string // option HTML in the order served
	Key        []int
	Answer     []int
	Correct    bool
	Score      int // the attempt's total score
}

// ItemResponses streams every served question of the finished attempts of
// a track to fn, attempt by attempt.
func (db *DB) ItemResponses(ctx context.Context, track string, fn func(ItemResponse) error) error {
	rows, err := db.read.QueryContext(ctx, `SELECT i.attempt_id, i.question_id, s.item, i.answer, coalesce(i.correct, 0), a.score
		FROM attempt_items i JOIN attempts a ON a.id = i.attempt_id JOIN served_items s ON s.id = i.served_id
		WHERE a.track_id = ? AND a.status IN ('passed', 'failed') ORDER BY i.attempt_id, i.position`, track)
	if err != nil {
		return fmt.Errorf("item responses: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r ItemResponse
		var item string
		var answer sql.NullString
		if err := rows.Scan(&r.AttemptID, &r.QuestionID, &item, &answer, &r.Correct, &r.Score); err != nil {
			return err
		}
		var served struct {
			Options []struct {
				HTML    string `json:"html"`
				Correct bool   `json:"correct"`
			} `json:"options"`
		}
		if err := json.Unmarshal([]byte(item), &served); err != nil {
			return fmt.Errorf("attempt %s item %s: %w", r.AttemptID, r.QuestionID, err)
		}
		for i, o := range served.Options {
			r.Options = append(r.Options, o.HTML)
			if o.Correct {
				r.Key = append(r.Key, i)
			}
		}
		if answer.Valid {
			if err := json.Unmarshal([]byte(answer.String), &r.Answer); err != nil {
				return fmt.Errorf("attempt %s answer: %w", r.AttemptID, err)
			}
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// ItemExposure is how many attempts a track has had, finished or still in
// progress, and how many of them served each question: what candidates
// have seen, not only what they answered in a finished exam.
type ItemExposure struct {
	Attempts int
	Served   map[string]int // question id → attempts that served it
}

// ItemExposure counts the attempts of a track and those that served each
// question, in one statement so that both come from one snapshot (a share
// never tops 100 %). Every attempt serves questions, so without rows
// there are no attempts.
func (db *DB) ItemExposure(ctx context.Context, track string) (ItemExposure, error) {
	e := ItemExposure{Served: map[string]int{}}
	rows, err := db.read.QueryContext(ctx, `SELECT i.question_id, count(DISTINCT i.attempt_id), (SELECT count(*) FROM attempts WHERE track_id = ?)
		FROM attempt_items i JOIN attempts a ON a.id = i.attempt_id WHERE a.track_id = ? GROUP BY i.question_id`, track, track)
	if err != nil {
		return e, fmt.Errorf("item exposure of %s: %w", track, err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n, &e.Attempts); err != nil {
			return e, err
		}
		e.Served[id] = n
	}
	return e, rows.Err()
}

// ExportAttempt is one row of the attempts export.
type ExportAttempt struct {
	model.Attempt
	Email string
	State string
}

// TrackOutcomes counts the finished attempts of a track that passed and
// that failed.
func (db *DB) TrackOutcomes(ctx context.Context, track string) (passed, failed int, err error) {
	err = db.read.QueryRowContext(ctx, `SELECT count(CASE WHEN status = 'passed' THEN 1 END), count(CASE WHEN status = 'failed' THEN 1 END)
		FROM attempts WHERE track_id = ?`, track).Scan(&passed, &failed)
	if err != nil {
		return 0, 0, fmt.Errorf("outcomes of %s: %w", track, err)
	}
	return passed, failed, nil
}

// PeopleOutcomes counts the people who finished at least one exam and,
// of them, those who passed at least one: the pass rate per person, where
// the attempts' rate counts each try.
func (db *DB) PeopleOutcomes(ctx context.Context) (finished, passed int, err error) {
	err = db.read.QueryRowContext(ctx, `SELECT count(DISTINCT user_id), count(DISTINCT CASE WHEN status = 'passed' THEN user_id END)
		FROM attempts WHERE status IN ('passed', 'failed')`).Scan(&finished, &passed)
	if err != nil {
		return 0, 0, fmt.Errorf("people outcomes: %w", err)
	}
	return finished, passed, nil
}

// RecentScoredItems streams to fn, one attempt at a time, the questions of
// the latest limit finished attempts of a track that had k questions,
// each right or wrong (unanswered is wrong). One query, so the attempts
// and their questions are one snapshot.
func (db *DB) RecentScoredItems(ctx context.Context, track string, k, limit int, fn func(attemptID string, questionIDs []string, right []bool) error) error {
	// CROSS JOIN keeps the attempts outside: their items are then read by
	// primary key, attempt by attempt, instead of through the index on
	// question_id with a lookup per item.
	rows, err := db.read.QueryContext(ctx, `WITH recent AS (
			SELECT id FROM attempts WHERE track_id = ? AND status IN ('passed', 'failed') AND total = ?
			ORDER BY finished_at DESC, id LIMIT ?)
		SELECT r.id, i.question_id, coalesce(i.correct, 0) FROM recent r CROSS JOIN attempt_items i ON i.attempt_id = r.id
		ORDER BY r.id, i.position`, track, k, limit)
	if err != nil {
		return fmt.Errorf("scored items of %s: %w", track, err)
	}
	defer rows.Close()
	var cur string
	var ids []string
	var right []bool
	flush := func() error {
		if cur == "" {
			return nil
		}
		return fn(cur, ids, right)
	}
	for rows.Next() {
		var id, q string
		var ok bool
		if err := rows.Scan(&id, &q, &ok); err != nil {
			return fmt.Errorf("scored items of %s: %w", track, err)
		}
		if id != cur {
			if err := flush(); err != nil {
				return err
			}
			cur, ids, right = id, nil, nil
		}
		ids, right = append(ids, q), append(right, ok)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("scored items of %s: %w", track, err)
	}
	return flush()
}

// ExportAttempts streams every attempt (without items) with the candidate's
// e-mail and state.
func (db *DB) ExportAttempts(ctx context.Context, fn func(ExportAttempt) error) error {
	rows, err := db.read.QueryContext(ctx, `SELECT a.id, a.user_id, a.track_id, a.track_title, a.track_version, a.content_version, a.bank_version, a.seed, a.holder_name,
		a.started_at, a.deadline, a.extra_minutes, a.pass_percent, a.total, a.seq, a.status, a.finished_at, coalesce(a.finish_reason, ''),
		coalesce(a.score, 0), coalesce(a.percent, 0), a.cooldown_waived, u.email, u.state
		FROM attempts a JOIN users u ON u.id = a.user_id ORDER BY a.started_at`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var e ExportAttempt
		var seed, started, deadline int64
		var finished sql.NullInt64
		a := &e.Attempt
		if err := rows.Scan(&a.ID, &a.UserID, &a.TrackID, &a.TrackTitle, &a.TrackVersion, &a.ContentVersion, &a.BankVersion, &seed, &a.HolderName, &started, &deadline,
			&a.ExtraMinutes, &a.PassPercent, &a.Total, &a.Seq, &a.Status, &finished, &a.FinishReason, &a.Score, &a.Percent, &a.CooldownWaived, &e.Email, &e.State); err != nil {
			return err
		}
		a.StartedAt, a.Deadline, a.FinishedAt = fromMS(started), fromMS(deadline), optTime(finished)
		if err := fn(e); err != nil {
			return err
		}
	}
	return rows.Err()
}

// ExportCertificates streams every certificate.
func (db *DB) ExportCertificates(ctx context.Context, fn func(*model.Certificate) error) error {
	rows, err := db.read.QueryContext(ctx, `SELECT `+certColumns+` FROM certificates ORDER BY issued_at`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		c, err := scanCert(rows)
		if err != nil {
			return err
		}
		if err := fn(c); err != nil {
			return err
		}
	}
	return rows.Err()
}
