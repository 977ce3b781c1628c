package attempt

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"mxcert/internal/fail"
	"mxcert/internal/model"
	"mxcert/internal/store"
)

// The bounds of the time the foundation may add to a running exam at once.
const (
	MinExtendMinutes = 1
	MaxExtendMinutes = 120
)

// MaxCancelReason is the longest reason for a cancellation, in characters.
const MaxCancelReason = 500

// Refusals of the foundation's actions on an attempt.
var (
	ErrExtendMinutes = fail.New(fail.ErrInvalid, "the minutes to add are out of range")
	ErrCancelReason  = fail.New(fail.ErrInvalid, "a cancellation needs a reason")
	// ErrNotRunning is an extension or a cancellation of an attempt that
	// has ended, or whose time is already up (the sweeper will score it).
	ErrNotRunning = fail.New(fail.ErrConflict, "the attempt is not running")
)

// Extend adds minutes to a running attempt: its deadline moves, in one
// transaction with the audit entry (before and after). The candidate's
// exam pages read the deadline, so they show the new time at once, and
// the sweeper finalises the attempt only at the new deadline. actorID is
// the staff member.
func (s *Service) Extend(ctx context.Context, actorID int64, id string, minutes int) (*model.Attempt, error) {
	if minutes < MinExtendMinutes || minutes > MaxExtendMinutes {
		return nil, ErrExtendMinutes
	}
	var out *model.Attempt
	err := s.db.Transact(ctx, func(tx *store.Tx) error {
		a, err := tx.Attempt(id, 0)
		if err != nil {
			return err
		}
		if !a.Open() || !tx.Now.Before(a.Deadline) {
			return ErrNotRunning
		}
		before := a.Deadline
		if err := tx.ExtendAttempt(a.ID, minutes); errors.Is(err, store.ErrClosed) {
			return ErrNotRunning
		} else if err != nil {
			return err
		}
		a.Deadline = before.Add(time.Duration(minutes) * time.Minute)
		a.ExtendedMinutes += minutes
		out = a
		return tx.Audit(actorID, model.ActionAttemptExtend, a.ID, map[string]any{
			"candidate": a.UserID, "minutes": minutes,
			"before": before.UTC().Format(time.RFC3339), "after": a.Deadline.UTC().Format(time.RFC3339),
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Cancel ends a running attempt as cancelled by the foundation, with the
// reason the candidate will read on their result page. It is not scored,
// issues no certificate and starts no cool-down: the candidate did not
// fail, the foundation stopped the sitting (exam.Past.Cancelled). An
// attempt whose time is up is scored as usual instead, by the sweeper;
// cancelling it is ErrNotRunning.
func (s *Service) Cancel(ctx context.Context, actorID int64, id, reason string) (*model.Attempt, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > MaxCancelReason {
		return nil, ErrCancelReason
	}
	var out *model.Attempt
	err := s.db.Transact(ctx, func(tx *store.Tx) error {
		a, err := tx.Attempt(id, 0)
		if err != nil {
			return err
		}
		if !a.Open() || !tx.Now.Before(a.Deadline) {
			return ErrNotRunning
		}
		if err := tx.CancelAttempt(a, reason); errors.Is(err, store.ErrClosed) {
			return ErrNotRunning
		} else if err != nil {
			return err
		}
		out = a
		return tx.Audit(actorID, model.ActionAttemptCancel, a.ID, map[string]any{
			"candidate": a.UserID, "reason": reason, "answered": a.Answered(), "total": a.Total,
			"before": string(model.AttemptInProgress), "after": string(model.AttemptCancelled),
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
