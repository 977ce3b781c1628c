package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
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
	ids, err := tx.servedItems(a.Items)
	if err != nil {
		return fmt.Errorf("store served questions of %s: %w", a.ID, err)
	}
	// One statement for every item: on PostgreSQL each statement is a
	// round trip to the server, made while holding the write lock.
	args := make([]any, 0, 5*len(a.Items))
	for i, it := range a.Items {
		args = append(args, a.ID, i, it.Item.QuestionID, it.Item.Domain, ids[i])
	}
	if len(a.Items) > 0 {
		q := `INSERT INTO attempt_items (attempt_id, position, question_id, domain, served_id) VALUES ` + rowsOf(5, len(a.Items))
		if _, err := tx.tx.ExecContext(tx.ctx, q, args...); err != nil {
			return fmt.Errorf("store served questions of %s: %w", a.ID, err)
		}
	}
	return nil
}

// rowsOf is the VALUES list of n rows of cols bound parameters each.
func rowsOf(cols, n int) string {
	row := "(?" + strings.Repeat(", ?", cols-1) + ")"
	return row + strings.Repeat(", "+row, n-1)
}

// servedItems returns, for each item, the id of its stored copy as served
// (the same question in the same option order is the same bytes), storing
// the copies not yet stored. Served items are never changed nor deleted,
// so the ids of committed ones are remembered: an exam start usually reads
// none of its 40. The others are looked up in one query and the new ones
// stored in one statement.
func (tx *Tx) servedItems(items []model.AttemptItem) ([]int64, error) {
	ids := make([]int64, len(items))
	type served struct {
		sum  [32]byte
		data string
		at   []int // positions with these bytes
	}
	missing := map[string]*served{} // by hex hash
	var order []string
	for i, it := range items {
		data, err := json.Marshal(it.Item)
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(data)
		if id, ok := tx.db.served.get(sum); ok {
			ids[i] = id
			continue
		}
		hash := hex.EncodeToString(sum[:])
		if m, ok := missing[hash]; ok {
			m.at = append(m.at, i)
			continue
		}
		missing[hash] = &served{sum: sum, data: string(data), at: []int{i}}
		order = append(order, hash)
	}
	if len(order) == 0 {
		return ids, nil
	}
	found := func(hash string, id int64) {
		m := missing[hash]
		if m == nil {
			return
		}
		for _, i := range m.at {
			ids[i] = id
		}
		sum := m.sum
		tx.afterCommit(func() { tx.db.served.put(sum, id) })
		delete(missing, hash)
	}
	args := make([]any, len(order))
	for i, h := range order {
		args[i] = h
	}
	if err := tx.scanIDs(`SELECT id, hash FROM served_items WHERE hash IN (?`+strings.Repeat(", ?", len(order)-1)+`)`, args, found); err != nil {
		return nil, err
	}
	args = args[:0]
	for _, h := range order {
		if m, ok := missing[h]; ok {
			args = append(args, h, m.data)
		}
	}
	if len(args) == 0 {
		return ids, nil
	}
	if err := tx.scanIDs(`INSERT INTO served_items (hash, item) VALUES `+rowsOf(2, len(args)/2)+` RETURNING id, hash`, args, found); err != nil {
		return nil, err
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%d served items neither found nor stored", len(missing))
	}
	return ids, nil
}

// scanIDs runs a query returning (id, hash) rows and passes each to f.
func (tx *Tx) scanIDs(query string, args []any, f func(hash string, id int64)) error {
	rows, err := tx.tx.QueryContext(tx.ctx, query, args...)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id int64
		var hash string
		if err := rows.Scan(&id, &hash); err != nil {
			return errors.Join(err, rows.Close())
		}
		f(hash, id)
	}
	return errors.Join(rows.Err(), rows.Close())
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
	var itemSeq sql.NullInt64
	var questionID, current, item sql.NullString
	var flagged sql.NullBool
	var answered int
	// The attempt, the item at that position and its served copy, and how
	// many items have an answer, in one query: on PostgreSQL each
	// statement is a round trip to the server, made while holding the
	// write lock.
	err := tx.tx.QueryRowContext(tx.ctx, `SELECT a.status, a.deadline, a.seq, i.seq, i.question_id, i.answer, i.flagged, s.item,
			(SELECT count(*) FROM attempt_items n WHERE n.attempt_id = a.id AND n.answer IS NOT NULL)
		FROM attempts a LEFT JOIN attempt_items i ON i.attempt_id = a.id AND i.position = ? LEFT JOIN served_items s ON s.id = i.served_id
		WHERE a.id = ? AND a.user_id = ?`, ch.Position, ch.AttemptID, ch.UserID).Scan(&status, &deadline, &res.Seq, &itemSeq, &questionID, &current, &flagged, &item, &answered)
	if err != nil {
		return res, notFound(err, "attempt "+ch.AttemptID)
	}
	target := exam.SaveTarget{Open: status == model.AttemptInProgress, Deadline: fromMS(deadline)}
	if !itemSeq.Valid {
		if target.Open {
			return res, fmt.Errorf("attempt %s item %d: %w", ch.AttemptID, ch.Position, ErrNoSuchItem)
		}
		// A closed attempt says so whatever position was asked for.
	}
	target.ItemSeq, target.QuestionID, res.Flagged = itemSeq.Int64, questionID.String, flagged.Bool
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
		var it exam.Item
		if err := json.Unmarshal([]byte(item.String), &it); err != nil {
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
		if !current.Valid {
			answered++ // an answer is never taken back: the item joins the answered ones
		}
	} else if _, err := tx.tx.ExecContext(tx.ctx, `UPDATE attempt_items SET flagged = ?, seq = ? WHERE attempt_id = ? AND position = ?`,
		boolInt(ch.Flagged), res.Seq, ch.AttemptID, ch.Position); err != nil {
		return res, err
	}
	res.Flagged = ch.Flagged
	res.Answered = answered
	return res, nil
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
	if err := tx.markCorrect(a.ID, correct); err != nil {
		return fmt.Errorf("finish attempt %s: %w", a.ID, err)
	}
	now := tx.Now
	a.Status, a.FinishedAt, a.FinishReason, a.Score, a.Percent = status, &now, reason, score, percent
	return nil
}

// markCorrect stores whether the item at each position of correct was
// answered right, in one statement (one round trip on PostgreSQL, made
// while holding the write lock, rather than one per item).
func (tx *Tx) markCorrect(attemptID string, correct []bool) error {
	if len(correct) == 0 {
		return nil
	}
	var right []any
	for i, c := range correct {
		if c {
			right = append(right, i)
		}
	}
	set := "0"
	if len(right) > 0 {
		set = "CASE WHEN position IN (?" + strings.Repeat(", ?", len(right)-1) + ") THEN 1 ELSE 0 END"
	}
	_, err := tx.tx.ExecContext(tx.ctx, `UPDATE attempt_items SET correct = `+set+` WHERE attempt_id = ? AND position < ?`,
		append(right, attemptID, len(correct))...)
	return err
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
