package exam

import (
	"time"

	"mxcert/internal/fail"
)

// Why an answer to a running exam is refused. The web layer turns each
// into what the candidate sees; none of them changes a saved answer.
var (
	// ErrClosed is an answer to an attempt that was already handed in.
	ErrClosed = fail.New(fail.ErrConflict, "the attempt is finished")
	// ErrDeadline is an answer that arrived after the attempt's deadline.
	ErrDeadline = fail.New(fail.ErrConflict, "the attempt's time is up")
	// ErrWrongQuestion is an answer whose page named another question than
	// the one served at its position: a form the browser restored from its
	// history onto another question's page, or a hand-made request.
	ErrWrongQuestion = fail.New(fail.ErrConflict, "the answer names another question than the one at its position")
	// ErrStale is a change sent from a page older than the item's last
	// change (another tab, the Back button): a newer answer stays.
	ErrStale = fail.New(fail.ErrConflict, "the question changed after the page was shown")
)

// SaveTarget is what the admission rules need to know of the attempt and
// of the item at the position the answer names, as stored.
type SaveTarget struct {
	Open       bool      // the attempt is in progress
	Deadline   time.Time // the attempt's deadline
	QuestionID string    // the stable id of the question served at the position
	ItemSeq    int64     // the attempt sequence of the item's last change
}

// SaveRequest is what the candidate's page sent with an answer.
type SaveRequest struct {
	QuestionID string // the question the page showed
	Known      int64  // the attempt sequence the page was built at
}

// AdmitSave decides whether an answer may be saved, at now. The order
// matters: a closed or late attempt is reported as such whatever the page
// sent, and a page for another question is refused before its age is
// considered, so the candidate is told the truth about what happened.
func AdmitSave(now time.Time, t SaveTarget, r SaveRequest) error {
	switch {
	case !t.Open:
		return ErrClosed
	case !now.Before(t.Deadline):
		return ErrDeadline
	case r.QuestionID != t.QuestionID:
		return ErrWrongQuestion
	case t.ItemSeq > r.Known:
		return ErrStale
	}
	return nil
}
