package store

import (
	"context"
	"fmt"
	"sync"
	"time"

	"mxcert/internal/fail"
	"mxcert/internal/model"
)

// Group commit for answers. Every autosave must be durable before it is
// acknowledged (synchronous=FULL: an fsync per commit), and SQLite has one
// writer. Instead of one transaction per answer, a single goroutine takes
// every answer waiting when the writer is free and saves them all in one
// transaction, each inside its own savepoint (so a stale or late answer
// fails alone), then acknowledges each once the commit — and its fsync —
// is done. Under load many answers share one fsync; when idle an answer
// waits for nobody.
//
// Sessions' activity (TouchSession) goes through the same queue: every
// signed-in request records it at most once a minute per session, so with
// N candidates active these are up to N/60 writes a second — 1,700 at
// 100,000 candidates. Each in a transaction of its own, they took the
// writer from the answers; in the answers' commit they cost no fsync.

// maxBatch bounds one transaction, so a storm does not make one commit
// slow for everybody in it.
const maxBatch = 128

type saveRequest struct {
	ctx    context.Context
	change AnswerChange
	touch  *sessionTouch // when set, this request is a session's activity, not an answer
	soon   bool          // a touch nobody waits for: forget it as pending once done
	done   chan saveResult
}

// sessionTouch is a session's latest activity.
type sessionTouch struct {
	tokenHash []byte
	at        time.Time
}

type saveResult struct {
	res model.SaveResult
	err error
}

// ErrClosedDB is an answer sent after the database was closed.
var ErrClosedDB = fail.New(fail.ErrUnavailable, "database closed")

// SaveAnswerDurably saves one answer like Tx.SaveAnswer, in a transaction
// shared with other answers arriving at the same time. It returns only
// after the commit is on disk.
func (db *DB) SaveAnswerDurably(ctx context.Context, ch AnswerChange) (model.SaveResult, error) {
	r := db.commitShared(ctx, saveRequest{ctx: ctx, change: ch, done: make(chan saveResult, 1)})
	return r.res, r.err
}

// TouchSession records activity on a session (for the idle timeout), in a
// transaction shared with the answers and other sessions' activity of the
// moment. It returns after the commit. A later time already recorded is
// kept.
func (db *DB) TouchSession(ctx context.Context, tokenHash []byte, at time.Time) error {
	return db.commitShared(ctx, saveRequest{ctx: ctx, touch: &sessionTouch{tokenHash, at}, done: make(chan saveResult, 1)}).err
}

// TouchSessionSoon is TouchSession without waiting for the commit: the
// request that touched goes on, and its own writes (an answer) share the
// same commit. Until it is committed this process reads the session with
// the new time (SessionUser, UserSessions), so what it decides does not
// depend on when the commit happens. If the process dies first the
// activity is lost, which can only end a session sooner. With too many
// touches waiting it waits for the commit, like TouchSession.
func (db *DB) TouchSessionSoon(ctx context.Context, tokenHash []byte, at time.Time) error {
	if !db.touches.add(tokenHash, at) {
		return db.TouchSession(ctx, tokenHash, at)
	}
	req := saveRequest{ctx: context.Background(), touch: &sessionTouch{tokenHash, at}, soon: true, done: make(chan saveResult, 1)}
	select {
	case db.saves <- req:
		return nil
	case <-db.closed:
		db.touches.done(tokenHash, at)
		return ErrClosedDB
	case <-ctx.Done():
		db.touches.done(tokenHash, at)
		return ctx.Err()
	}
}

// pendingTouches are the sessions' activity queued by TouchSessionSoon and
// not yet committed, by token hash.
type pendingTouches struct {
	mu sync.Mutex
	at map[string]time.Time
}

// maxPendingTouches bounds the map; past it TouchSessionSoon waits.
const maxPendingTouches = 10_000

func (p *pendingTouches) add(tokenHash []byte, at time.Time) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.at == nil {
		p.at = map[string]time.Time{}
	}
	k := string(tokenHash)
	if prev, ok := p.at[k]; ok {
		if at.After(prev) {
			p.at[k] = at
		}
		return true
	}
	if len(p.at) >= maxPendingTouches {
		return false
	}
	p.at[k] = at
	return true
}

// done forgets a touch once it is committed (or refused), unless a later
// one of the same session is waiting.
func (p *pendingTouches) done(tokenHash []byte, at time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if prev, ok := p.at[string(tokenHash)]; ok && !prev.After(at) {
		delete(p.at, string(tokenHash))
	}
}

// pending is the session's touch waiting for its commit (zero if none).
// A reader takes it before it reads the session from the database: the
// commit may land in between, and then the database has it.
func (p *pendingTouches) pending(tokenHash []byte) time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.at[string(tokenHash)]
}

// holding runs fn with the pending touches held still: a commit cannot
// forget one while fn reads the database (for reads that cannot know the
// sessions before they read them; fn is quick).
func (p *pendingTouches) holding(fn func(pending func(tokenHash []byte) time.Time) error) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return fn(func(tokenHash []byte) time.Time { return p.at[string(tokenHash)] })
}

// laterOf is the later of two times.
func laterOf(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// commitShared queues req for the group commit and waits for its verdict.
func (db *DB) commitShared(ctx context.Context, req saveRequest) saveResult {
	select {
	case db.saves <- req:
	case <-db.closed:
		return saveResult{err: ErrClosedDB}
	case <-ctx.Done():
		return saveResult{err: ctx.Err()}
	}
	// Once queued, the answer is saved or refused whatever the caller does;
	// wait for the verdict so that a 2xx always means "on disk".
	select {
	case r := <-req.done:
		return r
	case <-db.saverDone:
		// The saver has stopped: its last batch, if it held this answer,
		// has already sent the verdict.
		select {
		case r := <-req.done:
			return r
		default:
			return saveResult{err: ErrClosedDB}
		}
	}
}

// saver is the goroutine that commits answers in groups.
func (db *DB) saver() {
	defer close(db.saverDone)
	for {
		var first saveRequest
		select {
		case first = <-db.saves:
		case <-db.closed:
			return
		}
		batch := []saveRequest{first}
	drain:
		for len(batch) < maxBatch {
			select {
			case r := <-db.saves:
				batch = append(batch, r)
			default:
				break drain
			}
		}
		db.commitBatch(batch)
	}
}

func (db *DB) commitBatch(batch []saveRequest) {
	results := make([]saveResult, len(batch))
	err := db.Transact(context.Background(), func(tx *Tx) error {
		for i, r := range batch {
			if _, err := tx.tx.ExecContext(tx.ctx, "SAVEPOINT answer"); err != nil {
				return err
			}
			var res model.SaveResult
			var err error
			if r.touch != nil {
				err = tx.touchSession(r.touch.tokenHash, r.touch.at)
			} else {
				res, err = tx.SaveAnswer(r.change)
			}
			results[i] = saveResult{res, err}
			end := "RELEASE answer"
			if err != nil {
				end = "ROLLBACK TO answer; RELEASE answer"
			}
			if _, err := tx.tx.ExecContext(tx.ctx, end); err != nil {
				return err
			}
		}
		return nil
	})
	for i, r := range batch {
		if err != nil {
			results[i] = saveResult{err: fmt.Errorf("group commit: %w", err)}
		}
		if r.soon {
			db.touches.done(r.touch.tokenHash, r.touch.at)
		}
		r.done <- results[i]
	}
}

// drainSaves refuses the answers still queued when the database closes.
func (db *DB) drainSaves() {
	for {
		select {
		case r := <-db.saves:
			if r.soon {
				db.touches.done(r.touch.tokenHash, r.touch.at)
			}
			r.done <- saveResult{err: ErrClosedDB}
		default:
			return
		}
	}
}
