package admin

import (
	"context"
	"strings"
	"unicode/utf8"

	"mxcert/internal/exam"
	"mxcert/internal/fail"
	"mxcert/internal/model"
	"mxcert/internal/store"
)

// AttemptReview is what the console shows of one attempt to settle a
// dispute: the candidate, the attempt's versions and times, and each
// question as served with the answer given, the key, when the answer was
// saved and the review flag.
type AttemptReview struct {
	Attempt   *model.Attempt
	Candidate *model.User
	Result    exam.Result // scored as the candidate saw it (finished attempts)
	Answered  int
	Flagged   int
}

// ReviewAttempt loads an attempt with its answers and key for a staff
// member, and records in the audit log that they looked: the answers and
// the key are the candidate's and the foundation's to keep private.
func (s *Service) ReviewAttempt(ctx context.Context, actorID int64, id string) (*AttemptReview, error) {
	var r AttemptReview
	err := s.db.Transact(ctx, func(tx *store.Tx) error {
		a, err := tx.Attempt(id, 0)
		if err != nil {
			return err
		}
		if r.Candidate, err = tx.UserByID(a.UserID); err != nil {
			return err
		}
		r.Attempt = a
		return tx.Audit(actorID, model.ActionAttemptView, a.ID, map[string]any{"candidate": a.UserID})
	})
	if err != nil {
		return nil, err
	}
	r.Answered = r.Attempt.Answered()
	for _, it := range r.Attempt.Items {
		if it.Flagged {
			r.Flagged++
		}
	}
	if !r.Attempt.Open() && !r.Attempt.Cancelled() {
		r.Result = s.attempts.Result(r.Attempt)
	}
	return &r, nil
}

// MaxNote is the longest note on a candidate, in characters.
const MaxNote = 2000

// ErrNote is an empty or too long note.
var ErrNote = fail.New(fail.ErrInvalid, "a note needs between 1 and 2000 characters")

// AddNote stores a staff member's note on a candidate, audited.
func (s *Service) AddNote(ctx context.Context, actorID, userID int64, text string) error {
	text = strings.TrimSpace(text)
	if text == "" || utf8.RuneCountInString(text) > MaxNote {
		return ErrNote
	}
	return s.db.Transact(ctx, func(tx *store.Tx) error {
		u, err := tx.UserByID(userID)
		if err != nil {
			return err
		}
		n := &model.CandidateNote{UserID: userID, AuthorID: actorID, Text: text}
		if err := tx.AddNote(n); err != nil {
			return err
		}
		return tx.Audit(actorID, model.ActionCandidateNote, u.EmailNorm, map[string]any{"candidate": userID, "note": n.ID, "length": utf8.RuneCountInString(text)})
	})
}
