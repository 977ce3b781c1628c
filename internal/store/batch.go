package store

import (
	"context"
	"fmt"

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

// maxBatch bounds one transaction, so a storm does not make one commit
// slow for everybody in it.
const maxBatch = 128

type saveRequest struct {
	ctx    context.Context
	change AnswerChange
	done   chan saveResult
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
	req := saveRequest{ctx: ctx, change: ch, done: make(chan saveResult, 1)}
	select {
	case db.saves <- req:
	case <-db.closed:
		return model.SaveResult{}, ErrClosedDB
	case <-ctx.Done():
		return model.SaveResult{}, ctx.Err()
	}
	// Once queued, the answer is saved or refused whatever the caller does;
	// wait for the verdict so that a 2xx always means "on disk".
	select {
	case r := <-req.done:
		return r.res, r.err
	case <-db.saverDone:
		// The saver has stopped: its last batch, if it held this answer,
		// has already sent the verdict.
		select {
		case r := <-req.done:
			return r.res, r.err
		default:
			return model.SaveResult{}, ErrClosedDB
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
			res, err := tx.SaveAnswer(r.change)
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
			results[i] = saveResult{err: fmt.Errorf("save answer: %w", err)}
		}
		r.done <- results[i]
	}
}

// drainSaves refuses the answers still queued when the database closes.
func (db *DB) drainSaves() {
	for {
		select {
		case r := <-db.saves:
			r.done <- saveResult{err: ErrClosedDB}
		default:
			return
		}
	}
}
