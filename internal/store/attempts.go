package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"mxcert/internal/exam"
	"mxcert/internal/fail"
	"mxcert/internal/model"
)

// Refusals of an answer; the rules that choose them are exam.AdmitSave.
var (
	ErrStale         = exam.ErrStale
	ErrDeadline      = exam.ErrDeadline
	ErrWrongQuestion = exam.ErrWrongQuestion
)

// ErrNoSuchItem is an answer to a question the attempt does not have.
var ErrNoSuchItem = fail.New(fail.ErrInvalid, "no such question in the attempt")

// CreateAttempt stores a new attempt and its items. A second open attempt
// of the same candidate and track is ErrConflict.
func (tx *Tx) CreateAttempt(a *model.Attempt) error {
	a.StartedAt, a.Status, a.Total = tx.Now, model.AttemptInProgress, len(a.Items)
	err := tx.mayConflict(func() error {
		_, err := tx.tx.ExecContext(tx.ctx, `INSERT INTO attempts (id, user_id, track_id, track_title, track_version, content_version, bank_version, seed, holder_name,
			started_at, deadline, extra_minutes, pass_percent, total) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			a.ID, a.UserID, a.TrackID, a.TrackTitle, a.TrackVersion, a.ContentVersion, a.BankVersion, int64(a.Seed), a.HolderName, // #nosec G115 -- seed bits stored as they are
			ms(a.StartedAt), ms(a.Deadline), a.ExtraMinutes, a.PassPercent, a.Total)
		return err
	})
	if isUnique(err) {
		return fmt.Errorf("create attempt: %w", ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("create attempt: %w", err)
	}
	find, err := tx.tx.PrepareContext(tx.ctx, `SELECT id FROM served_items WHERE hash = ?`)
	if err != nil {
		return err
	}
	defer find.Close()
	insert, err := tx.tx.PrepareContext(tx.ctx, `INSERT INTO attempt_items (attempt_id, position, question_id, domain, served_id) VALUES (?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer insert.Close()
	for i, it := range a.Items {
		id, err := tx.servedItem(find, it.Item)
		if err != nil {
			return fmt.Errorf("store served question %d of %s: %w", i, a.ID, err)
		}
		if _, err := insert.ExecContext(tx.ctx, a.ID, i, it.Item.QuestionID, it.Item.Domain, id); err != nil {
			return fmt.Errorf("store served question %d of %s: %w", i, a.ID, err)
		}
	}
	return nil
}

// servedItem is the id of the stored copy of a question as served (the
// same question in the same option order is the same bytes), stored now if
// it is the first time. find is the prepared look-up by the hash of the
// item's JSON. Served items are never changed nor deleted, so the id of a
// committed one is remembered: an exam start reads none of its 40.
func (tx *Tx) servedItem(find *sql.Stmt, it exam.Item) (int64, error) {
	data, err := json.Marshal(it)
	if err != nil {
		return 0, err
	}
	sum := sha256.Sum256(data)
	if id, ok := tx.db.served.get(sum); ok {
		return id, nil
	}
	hash := hex.EncodeToString(sum[:])
	var id int64
	err = find.QueryRowContext(tx.ctx, hash).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		err = tx.tx.QueryRowContext(tx.ctx, `INSERT INTO served_items (hash, item) VALUES (?, ?) RETURNING id`, hash, string(data)).Scan(&id)
	}
	if err != nil {
		return 0, err
	}
	tx.afterCommit(func() { tx.db.served.put(sum, id) })
	return id, nil
}

// servedCache remembers the ids of committed served items by the SHA-256
// of their JSON. It holds at most maxServedCache (a few MB); when full it
// starts over, which costs one indexed look-up per item until it fills.
type servedCache struct {
	mu  sync.RWMutex
	ids map[[32]byte]int64
}

const maxServedCache = 50_000

func (c *servedCache) get(sum [32]byte) (int64, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	id, ok := c.ids[sum]
	return id, ok
}

func (c *servedCache) put(sum [32]byte, id int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ids == nil || len(c.ids) >= maxServedCache {
		c.ids = make(map[[32]byte]int64)
	}
	c.ids[sum] = id
}

// decodeServed reads a served question and its answer (NULL: none) as
// stored for an attempt or a practice session.
func decodeServed(owner, item string, answer sql.NullString) (exam.Item, []int, error) {
	var it exam.Item
	var a []int
	if err := json.Unmarshal([]byte(item), &it); err != nil {
		return it, nil, fmt.Errorf("%s item: %w", owner, err)
	}
	if answer.Valid {
		if err := json.Unmarshal([]byte(answer.String), &a); err != nil {
			return it, nil, fmt.Errorf("%s answer: %w", owner, err)
		}
	}
	return it, a, nil
}

// insertServed stores the questions of an attempt or a practice session as
// they were served, in order. insert is one of the two constant statements.
func (tx *Tx) insertServed(insert, owner string, items []exam.Item) error {
	for i, it := range items {
		data, err := json.Marshal(it)
		if err != nil {
			return err
		}
		if _, err := tx.tx.ExecContext(tx.ctx, insert, owner, i, it.QuestionID, it.Domain, string(data)); err != nil {
			return fmt.Errorf("store served question %d of %s: %w", i, owner, err)
		}
	}
	return nil
}

const attemptColumns = `id, user_id, track_id, track_title, track_version, content_version, bank_version, seed, holder_name, started_at, deadline,
	extra_minutes, pass_percent, total, seq, status, finished_at, coalesce(finish_reason, ''), coalesce(score, 0), coalesce(percent, 0), cooldown_waived,
	extended_minutes, coalesce(cancel_reason, '')`

func scanAttempt(row interface{ Scan(...any) error }) (*model.Attempt, error) {
	var a model.Attempt
	var seed, started, deadline int64
	var finished sql.NullInt64
	err := row.Scan(&a.ID, &a.UserID, &a.TrackID, &a.TrackTitle, &a.TrackVersion, &a.ContentVersion, &a.BankVersion, &seed, &a.HolderName, &started, &deadline,
		&a.ExtraMinutes, &a.PassPercent, &a.Total, &a.Seq, &a.Status, &finished, &a.FinishReason, &a.Score, &a.Percent, &a.CooldownWaived,
		&a.ExtendedMinutes, &a.CancelReason)
	if err != nil {
		return nil, err
	}
	a.Seed, a.StartedAt, a.Deadline, a.FinishedAt = uint64(seed), fromMS(started), fromMS(deadline), optTime(finished) // #nosec G115 -- seed bits
	return &a, nil
}

// Attempt loads an attempt with its items. userID 0 loads any candidate's
// (for the system); otherwise another candidate's attempt is ErrNotFound.
func (db *DB) Attempt(ctx context.Context, id string, userID int64) (*model.Attempt, error) {
	return attempt(ctx, db.read, id, userID)
}

// Attempt loads an attempt with its items inside the transaction.
func (tx *Tx) Attempt(id string, userID int64) (*model.Attempt, error) {
	return attempt(tx.ctx, tx.tx, id, userID)
}

func attempt(ctx context.Context, q querier, id string, userID int64) (*model.Attempt, error) {
	a, err := scanAttempt(q.QueryRowContext(ctx, `SELECT `+attemptColumns+` FROM attempts WHERE id = ? AND (? = 0 OR user_id = ?)`, id, userID, userID))
	if err != nil {
		return nil, notFound(err, "attempt "+id)
	}
	rows, err := q.QueryContext(ctx, `SELECT s.item, i.answer, i.flagged, i.seq, i.answered_at, i.correct
		FROM attempt_items i JOIN served_items s ON s.id = i.served_id WHERE i.attempt_id = ? ORDER BY i.position`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var it model.AttemptItem
		var item string
		var answer sql.NullString
		var answered, correct sql.NullInt64
		if err := rows.Scan(&item, &answer, &it.Flagged, &it.Seq, &answered, &correct); err != nil {
			return nil, err
		}
		if it.Item, it.Answer, err = decodeServed("attempt "+id, item, answer); err != nil {
			return nil, err
		}
		it.AnsweredAt = optTime(answered)
		if correct.Valid {
			c := correct.Int64 == 1
			it.Correct = &c
		}
		a.Items = append(a.Items, it)
	}
	return a, rows.Err()
}

// Attempts lists a candidate's attempts at a track, oldest first, without
// items.
func (db *DB) Attempts(ctx context.Context, userID int64, track string) ([]*model.Attempt, error) {
	return attempts(ctx, db.read, userID, track)
}

// Attempts lists a candidate's attempts inside the transaction.
func (tx *Tx) Attempts(userID int64, track string) ([]*model.Attempt, error) {
	return attempts(tx.ctx, tx.tx, userID, track)
}

func attempts(ctx context.Context, q querier, userID int64, track string) ([]*model.Attempt, error) {
	return queryAttempts(ctx, q, `WHERE user_id = ? AND track_id = ? ORDER BY started_at, id`, userID, track)
}

// queryAttempts lists attempts, without items, by a constant condition.
func queryAttempts(ctx context.Context, q querier, where string, args ...any) ([]*model.Attempt, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+attemptColumns+` FROM attempts `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*model.Attempt
	for rows.Next() {
		a, err := scanAttempt(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Served is what a candidate was served in a track: each question of
// their attempts, with when it was last served (its attempt's start).
// A retake is drawn away from it.
func (tx *Tx) Served(userID int64, track string) (exam.Seen, error) {
	rows, err := tx.tx.QueryContext(tx.ctx, `SELECT i.question_id, max(a.started_at) FROM attempts a JOIN attempt_items i ON i.attempt_id = a.id
		WHERE a.user_id = ? AND a.track_id = ? GROUP BY i.question_id`, userID, track)
	if err != nil {
		return nil, fmt.Errorf("questions served to %d in %s: %w", userID, track, err)
	}
	defer rows.Close()
	seen := exam.Seen{}
	for rows.Next() {
		var id string
		var at int64
		if err := rows.Scan(&id, &at); err != nil {
			return nil, err
		}
		seen[id] = fromMS(at)
	}
	return seen, rows.Err()
}

// OpenAttempts lists a candidate's attempts in progress in any track,
// without items, soonest deadline first. It is on every page a signed-in
// candidate sees (the way back to a running exam), so it reads one index.
func (db *DB) OpenAttempts(ctx context.Context, userID int64) ([]*model.Attempt, error) {
	return queryAttempts(ctx, db.read, `WHERE user_id = ? AND status = 'in_progress' ORDER BY deadline`, userID)
}

// AnswerChange is one save of an exam item: the answer (nil keeps the
// current one) and the review flag, with what the candidate's page knew.
type AnswerChange struct {
	AttemptID  string
	UserID     int64
	Position   int    // 0-based position of the item in the attempt
	QuestionID string // the question the page showed at that position
	Answer     []int  // chosen options; nil keeps the saved answer
	Flagged    bool
	Known      int64 // the attempt sequence the page was built at
	// Check, when the answer is not nil, validates it against the served
	// item and returns it normalised.
	Check func(exam.Item, []int) ([]int, error)
}

// SaveAnswer records an answer and the review flag of one item, if
// exam.AdmitSave admits it: the attempt is open and in time, the page named
// the question served at that position, and the item did not change after
// the page was built (an old tab never overwrites a newer answer). A
// refused change writes nothing; with ErrStale the result carries the
// item's current state.
func (tx *Tx) SaveAnswer(ch AnswerChange) (model.SaveResult, error) {
	var res model.SaveResult
	var status model.AttemptStatus
	var deadline int64
	err := tx.tx.QueryRowContext(tx.ctx, `SELECT status, deadline, seq FROM attempts WHERE id = ? AND user_id = ?`, ch.AttemptID, ch.UserID).Scan(&status, &deadline, &res.Seq)
	if err != nil {
		return res, notFound(err, "attempt "+ch.AttemptID)
	}
	target := exam.SaveTarget{Open: status == model.AttemptInProgress, Deadline: fromMS(deadline)}
	var current sql.NullString
	var servedID int64
	err = tx.tx.QueryRowContext(tx.ctx, `SELECT seq, question_id, answer, flagged, served_id FROM attempt_items WHERE attempt_id = ? AND position = ?`,
		ch.AttemptID, ch.Position).Scan(&target.ItemSeq, &target.QuestionID, &current, &res.Flagged, &servedID)
	switch {
	case errors.Is(err, sql.ErrNoRows) && target.Open:
		return res, fmt.Errorf("attempt %s item %d: %w", ch.AttemptID, ch.Position, ErrNoSuchItem)
	case errors.Is(err, sql.ErrNoRows):
		// A closed attempt says so whatever position was asked for.
	case err != nil:
		return res, err
	}
	if current.Valid {
		if err := json.Unmarshal([]byte(current.String), &res.Answer); err != nil {
			return res, err
		}
	}
	if err := exam.AdmitSave(tx.Now, target, exam.SaveRequest{QuestionID: ch.QuestionID, Known: ch.Known}); err != nil {
		return res, err
	}
	answer := ch.Answer
	if answer != nil && ch.Check != nil {
		var item string
		if err := tx.tx.QueryRowContext(tx.ctx, `SELECT item FROM served_items WHERE id = ?`, servedID).Scan(&item); err != nil {
			return res, fmt.Errorf("attempt %s item %d: %w", ch.AttemptID, ch.Position, err)
		}
		var it exam.Item
		if err := json.Unmarshal([]byte(item), &it); err != nil {
			return res, fmt.Errorf("attempt %s item %d: %w", ch.AttemptID, ch.Position, err)
		}
		if answer, err = ch.Check(it, answer); err != nil {
			return res, err
		}
	}
	res.Seq++
	if _, err := tx.tx.ExecContext(tx.ctx, `UPDATE attempts SET seq = ? WHERE id = ?`, res.Seq, ch.AttemptID); err != nil {
		return res, err
	}
	if answer != nil {
		data, err := json.Marshal(answer)
		if err != nil {
			return res, err
		}
		_, err = tx.tx.ExecContext(tx.ctx, `UPDATE attempt_items SET answer = ?, answered_at = ?, flagged = ?, seq = ? WHERE attempt_id = ? AND position = ?`,
			string(data), ms(tx.Now), boolInt(ch.Flagged), res.Seq, ch.AttemptID, ch.Position)
		if err != nil {
			return res, err
		}
		res.Answer = answer
	} else if _, err := tx.tx.ExecContext(tx.ctx, `UPDATE attempt_items SET flagged = ?, seq = ? WHERE attempt_id = ? AND position = ?`,
		boolInt(ch.Flagged), res.Seq, ch.AttemptID, ch.Position); err != nil {
		return res, err
	}
	res.Flagged = ch.Flagged
	err = tx.tx.QueryRowContext(tx.ctx, `SELECT count(*) FROM attempt_items WHERE attempt_id = ? AND answer IS NOT NULL`, ch.AttemptID).Scan(&res.Answered)
	return res, err
}

// FinishAttempt stores the result of an attempt and the correctness of each
// item. It changes nothing (and returns ErrClosed) if the attempt was
// already finished.
func (tx *Tx) FinishAttempt(a *model.Attempt, reason model.FinishReason, correct []bool, score, percent int, passed bool) error {
	status := model.AttemptFailed
	if passed {
		status = model.AttemptPassed
	}
	res, err := tx.tx.ExecContext(tx.ctx, `UPDATE attempts SET status = ?, finished_at = ?, finish_reason = ?, score = ?, percent = ?
		WHERE id = ? AND status = 'in_progress'`, status, ms(tx.Now), reason, score, percent, a.ID)
	if err != nil {
		return fmt.Errorf("finish attempt %s: %w", a.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		if err != nil {
			return err
		}
		return ErrClosed
	}
	for i, c := range correct {
		if _, err := tx.tx.ExecContext(tx.ctx, `UPDATE attempt_items SET correct = ? WHERE attempt_id = ? AND position = ?`, boolInt(c), a.ID, i); err != nil {
			return err
		}
	}
	now := tx.Now
	a.Status, a.FinishedAt, a.FinishReason, a.Score, a.Percent = status, &now, reason, score, percent
	return nil
}

// ExpiredAttempts lists attempts still open after their deadline.
func (db *DB) ExpiredAttempts(ctx context.Context, now time.Time, limit int) ([]string, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id FROM attempts WHERE status = 'in_progress' AND deadline <= ? ORDER BY deadline LIMIT ?`, ms(now), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// SetExtraMinutes sets a candidate's accommodation (extra exam time).
func (tx *Tx) SetExtraMinutes(userID int64, minutes int) error {
	return tx.execOne(`UPDATE users SET extra_minutes = ? WHERE id = ?`, minutes, userID)
}

// SetName changes an account's legal name.
func (tx *Tx) SetName(userID int64, name string) error {
	return tx.execOne(`UPDATE users SET full_name = ? WHERE id = ?`, name, userID)
}

// HasPassed reports whether a candidate passed any exam.
func (tx *Tx) HasPassed(userID int64) (bool, error) {
	var n int
	err := tx.tx.QueryRowContext(tx.ctx, `SELECT count(*) FROM attempts WHERE user_id = ? AND status = 'passed'`, userID).Scan(&n)
	return n > 0, err
}

// WaiveCooldown lifts the retake wait that a failed attempt started.
func (tx *Tx) WaiveCooldown(attemptID string) error {
	return tx.execOne(`UPDATE attempts SET cooldown_waived = 1 WHERE id = ? AND status = 'failed'`, attemptID)
}

// ExtendAttempt moves the deadline of a running attempt by minutes and
// counts them in extended_minutes. An attempt no longer in progress is
// ErrClosed.
func (tx *Tx) ExtendAttempt(id string, minutes int) error {
	res, err := tx.tx.ExecContext(tx.ctx, `UPDATE attempts SET deadline = deadline + ?, extended_minutes = extended_minutes + ?
		WHERE id = ? AND status = 'in_progress'`, int64(minutes)*int64(time.Minute/time.Millisecond), minutes, id)
	if err != nil {
		return fmt.Errorf("extend attempt %s: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		if err != nil {
			return err
		}
		return ErrClosed
	}
	return nil
}

// CancelAttempt ends a running attempt as cancelled, with the reason the
// candidate will read; it is not scored. An attempt no longer in progress
// is ErrClosed.
func (tx *Tx) CancelAttempt(a *model.Attempt, reason string) error {
	res, err := tx.tx.ExecContext(tx.ctx, `UPDATE attempts SET status = 'cancelled', finished_at = ?, finish_reason = 'cancelled', cancel_reason = ?
		WHERE id = ? AND status = 'in_progress'`, ms(tx.Now), reason, a.ID)
	if err != nil {
		return fmt.Errorf("cancel attempt %s: %w", a.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		if err != nil {
			return err
		}
		return ErrClosed
	}
	now := tx.Now
	a.Status, a.FinishedAt, a.FinishReason, a.CancelReason = model.AttemptCancelled, &now, model.FinishCancelled, reason
	return nil
}
