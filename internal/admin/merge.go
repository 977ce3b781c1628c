package admin

import (
	"context"
	"fmt"
	"slices"

	"mxcert/internal/fail"
	"mxcert/internal/model"
	"mxcert/internal/store"
)

// Why a merge is refused. Each is a conflict the console explains; the
// foundation resolves it first (waits for the exam to end, revokes one
// certificate) and tries again.
var (
	ErrMergeSelf      = fail.New(fail.ErrInvalid, "an account cannot be joined with itself")
	ErrMergeClosed    = fail.New(fail.ErrConflict, "one of the accounts is already closed")
	ErrMergeAdmin     = fail.New(fail.ErrConflict, "only candidates' accounts are joined")
	ErrMergeBothOpen  = fail.New(fail.ErrConflict, "both accounts have an exam in progress")
	ErrMergeTwoValid  = fail.New(fail.ErrConflict, "both accounts hold a valid certificate of one certification")
	ErrMergeOpenValid = fail.New(fail.ErrConflict, "one account is taking an exam the other already holds a valid certificate of")
)

// MergePlan is what a merge would do: the account kept, the one closed,
// and what each holds now. Refusal, when not nil, is why it cannot be
// done as things stand.
type MergePlan struct {
	Keep, Close   *model.User
	KeepActivity  model.Activity
	CloseActivity model.Activity
	Refusal       error
}

// PlanMerge reads the two accounts for the confirmation page. An attempt
// past its deadline is finalised first, as the candidate's next page
// would, so that only exams still running count as in progress.
func (s *Service) PlanMerge(ctx context.Context, keepID, closeID int64) (*MergePlan, error) {
	if err := s.finishExpired(ctx, keepID, closeID); err != nil {
		return nil, err
	}
	p := &MergePlan{}
	err := s.db.Transact(ctx, func(tx *store.Tx) error {
		var err error
		p.Keep, p.Close, p.Refusal, err = checkMerge(tx, keepID, closeID)
		if err != nil {
			return err
		}
		act, err := tx.Activity(keepID, closeID)
		p.KeepActivity, p.CloseActivity = act[keepID], act[closeID]
		return err
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// Merge joins account closeID into keepID for the same person: attempts,
// practice, module progress and certificates move to keepID; closeID's
// sessions end and it is closed, so it no longer signs in. The larger of
// the two accommodations stays. From then on the exam rules read the
// person's attempts together: a failure on either account starts the
// cool-down, a pass on either ends the retakes. actorID is the
// administrator; the audit entry has both accounts' activity before and
// after.
func (s *Service) Merge(ctx context.Context, actorID, keepID, closeID int64) (model.MergeMoves, error) {
	if err := s.finishExpired(ctx, keepID, closeID); err != nil {
		return model.MergeMoves{}, err
	}
	var moves model.MergeMoves
	err := s.db.Transact(ctx, func(tx *store.Tx) error {
		keep, closed, refusal, err := checkMerge(tx, keepID, closeID)
		if err != nil {
			return err
		}
		if refusal != nil {
			return refusal
		}
		before, err := tx.Activity(keepID, closeID)
		if err != nil {
			return err
		}
		if moves, err = tx.MergeAccounts(closeID, keepID); err != nil {
			return err
		}
		extra := max(keep.ExtraMinutes, closed.ExtraMinutes)
		if extra != keep.ExtraMinutes {
			if err := tx.SetExtraMinutes(keepID, extra); err != nil {
				return err
			}
		}
		after, err := tx.Activity(keepID, closeID)
		if err != nil {
			return err
		}
		return tx.Audit(actorID, model.ActionUserMerge, closed.EmailNorm, map[string]any{
			"kept":   map[string]any{"id": keep.ID, "email": keep.EmailNorm, "name": keep.Name},
			"closed": map[string]any{"id": closed.ID, "email": closed.EmailNorm, "name": closed.Name},
			"before": map[string]any{"kept": before[keepID], "closed": before[closeID], "closed_at": nil, "kept_extra_minutes": keep.ExtraMinutes},
			"after":  map[string]any{"kept": after[keepID], "closed": after[closeID], "closed_at": tx.Now, "merged_into": keepID, "kept_extra_minutes": extra},
			"moved":  moves,
		})
	})
	if err != nil {
		return model.MergeMoves{}, fmt.Errorf("merge account %d into %d: %w", closeID, keepID, err)
	}
	return moves, nil
}

// finishExpired finalises the attempts of the accounts that are past
// their deadline but not yet scored.
func (s *Service) finishExpired(ctx context.Context, ids ...int64) error {
	for _, id := range ids {
		open, err := s.db.OpenAttempts(ctx, id)
		if err != nil {
			return err
		}
		for _, a := range open {
			if s.now().Before(a.Deadline) {
				continue
			}
			if _, err := s.attempts.Finalize(ctx, 0, a.ID, model.FinishExpired); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkMerge loads both accounts and says whether joining them breaks a
// rule of the person's record. err is a failure to read or an account
// that cannot be joined at all; refusal is a state the foundation can
// change.
func checkMerge(tx *store.Tx, keepID, closeID int64) (keep, closed *model.User, refusal, err error) {
	if keepID == closeID {
		return nil, nil, nil, ErrMergeSelf
	}
	if keep, err = tx.UserByID(keepID); err != nil {
		return nil, nil, nil, err
	}
	if closed, err = tx.UserByID(closeID); err != nil {
		return nil, nil, nil, err
	}
	if keep.IsAdmin() || closed.IsAdmin() {
		return nil, nil, nil, ErrMergeAdmin
	}
	if keep.Closed() || closed.Closed() {
		return nil, nil, nil, ErrMergeClosed
	}
	var tracks [4][]string
	for i, q := range []func(int64) ([]string, error){tx.OpenAttemptTracks, tx.OpenAttemptTracks, tx.ValidCertificateTracks, tx.ValidCertificateTracks} {
		if tracks[i], err = q([]int64{keepID, closeID}[i%2]); err != nil {
			return nil, nil, nil, err
		}
	}
	return keep, closed, mergeRefusal(tracks[0], tracks[1], tracks[2], tracks[3]), nil
}

// mergeRefusal is why two accounts' records cannot become one, from the
// certifications each has an exam in progress in and holds a valid
// certificate of; nil when they can.
func mergeRefusal(keepOpen, closeOpen, keepValid, closeValid []string) error {
	switch {
	case len(keepOpen) > 0 && len(closeOpen) > 0:
		return ErrMergeBothOpen
	case overlap(keepValid, closeValid):
		return ErrMergeTwoValid
	case overlap(keepOpen, closeValid) || overlap(closeOpen, keepValid):
		// A pass would issue a second valid certificate of the track.
		return ErrMergeOpenValid
	}
	return nil
}

func overlap(a, b []string) bool {
	return slices.ContainsFunc(a, func(s string) bool { return slices.Contains(b, s) })
}
