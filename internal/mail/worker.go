package mail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"mxcert/internal/model"
	"mxcert/internal/store"
)

// Retry schedule: the first retry a minute after a failure, then twice as
// long each time up to an hour; a message still failing GiveUpAfter after
// it was queued is given up on (kept in the table, logged as an error).
const (
	FirstRetry  = time.Minute
	MaxRetry    = time.Hour
	GiveUpAfter = 48 * time.Hour
)

const (
	batch    = 20              // messages claimed at a time
	parallel = 4               // sent at once
	poll     = 3 * time.Second // how often Run looks for due messages unnudged
)

// Worker sends the queued messages that are due and records each outcome.
type Worker struct {
	db     *store.DB
	sender *Sender
	now    func() time.Time
	log    *slog.Logger
	nudge  chan struct{}
}

// NewWorker returns a worker over the queue in db.
func NewWorker(db *store.DB, sender *Sender, now func() time.Time, log *slog.Logger) *Worker {
	return &Worker{db: db, sender: sender, now: now, log: log, nudge: make(chan struct{}, 1)}
}

// Sender is how the worker delivers.
func (w *Worker) Sender() *Sender { return w.sender }

// Nudge tells the worker that a message was just queued (after the
// commit), so it sends now rather than at its next poll. It never blocks.
func (w *Worker) Nudge() {
	select {
	case w.nudge <- struct{}{}:
	default:
	}
}

// Run sends due messages until ctx ends: at once, when nudged, and every
// few seconds. It returns when the sends in flight have stopped, so the
// database can be closed after it.
func (w *Worker) Run(ctx context.Context) {
	w.log.Info("mail delivery", slog.String("to", w.sender.String()))
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		n, err := w.DeliverDue(ctx)
		if err != nil && ctx.Err() == nil {
			w.log.Error("mail delivery", slog.Any("err", err))
		}
		if n == batch {
			continue // there may be more
		}
		select {
		case <-ctx.Done():
			return
		case <-w.nudge:
		case <-t.C:
		}
	}
}

// DeliverDue makes one pass: it claims the messages due now and tries
// each once, a few at a time, and returns how many it tried.
func (w *Worker) DeliverDue(ctx context.Context) (int, error) {
	due, err := w.db.ClaimDueMail(ctx, w.now(), batch)
	if err != nil {
		return 0, err
	}
	var (
		wg   sync.WaitGroup
		sem  = make(chan struct{}, parallel)
		mu   sync.Mutex
		errs []error
	)
	for _, m := range due {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			defer w.db.ReleaseMail(m.ID)
			if err := w.deliver(ctx, m); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return len(due), errors.Join(errs...)
}

// deliver tries m once and records the outcome. The error is one the
// queue could not record; a failed send is recorded, not returned.
func (w *Worker) deliver(ctx context.Context, m *model.Mail) error {
	sendErr := w.sender.Send(ctx, m)
	if sendErr != nil && ctx.Err() != nil {
		return nil // stopping: not an attempt; the message stays due for the next start
	}
	// The outcome is recorded even while stopping: a message the server
	// took must be marked sent.
	rec := context.WithoutCancel(ctx)
	if sendErr == nil {
		err := w.db.Transact(rec, func(tx *store.Tx) error { return tx.MarkMailSent(m.ID) })
		if err != nil {
			// Sent but not marked: it will go again, a duplicate with the
			// same Message-ID, which is allowed; a loss would not be.
			return fmt.Errorf("mark mail %d sent: %w", m.ID, err)
		}
		w.log.Info("mail sent", slog.Int64("id", m.ID), slog.String("message_id", m.MessageID), slog.Int("attempt", m.Attempts+1))
		return nil
	}
	now := w.now()
	if now.Sub(m.CreatedAt) >= GiveUpAfter {
		if err := w.db.Transact(rec, func(tx *store.Tx) error { return tx.GiveUpMail(m.ID, sendErr.Error()) }); err != nil {
			return fmt.Errorf("give up mail %d: %w", m.ID, err)
		}
		w.log.Error("mail given up after retrying", slog.Int64("id", m.ID), slog.String("message_id", m.MessageID),
			slog.String("to", m.To), slog.Int("attempts", m.Attempts+1), slog.Any("err", sendErr))
		return nil
	}
	next := now.Add(RetryDelay(m.Attempts + 1))
	if err := w.db.Transact(rec, func(tx *store.Tx) error { return tx.RescheduleMail(m.ID, sendErr.Error(), next) }); err != nil {
		return fmt.Errorf("reschedule mail %d: %w", m.ID, err)
	}
	w.log.Warn("mail not sent; will retry", slog.Int64("id", m.ID), slog.Int("attempt", m.Attempts+1),
		slog.Time("next_try", next), slog.Any("err", sendErr))
	return nil
}

// RetryDelay is the wait after the given number of failed attempts:
// FirstRetry, doubling, at most MaxRetry.
func RetryDelay(failures int) time.Duration {
	d := FirstRetry
	for i := 1; i < failures && d < MaxRetry; i++ {
		d *= 2
	}
	return min(d, MaxRetry)
}
