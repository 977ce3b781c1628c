package model

import (
	"time"

	"mxcert/internal/exam"
)

// AttemptStatus is where an exam attempt is: running, finished with a pass
// or a fail, or cancelled by the foundation.
type AttemptStatus string

const (
	AttemptInProgress AttemptStatus = "in_progress"
	AttemptPassed     AttemptStatus = "passed"
	AttemptFailed     AttemptStatus = "failed"
	// AttemptCancelled is an attempt the foundation stopped, with a reason:
	// it has no score and no certificate, and it starts no cool-down (the
	// candidate did not fail; the foundation ended the sitting).
	AttemptCancelled AttemptStatus = "cancelled"
)

// FinishReason is why an attempt ended.
type FinishReason string

const (
	FinishSubmitted FinishReason = "submitted" // the candidate handed it in
	FinishExpired   FinishReason = "expired"   // the time ran out
	FinishCancelled FinishReason = "cancelled" // the foundation cancelled it (AttemptCancelled)
)

// Attempt is one sitting of a timed exam.
type Attempt struct {
	ID             string
	UserID         int64
	TrackID        string
	TrackTitle     string
	TrackVersion   string
	ContentVersion string
	// BankVersion is the version of the separate exam bank the questions
	// were drawn from; empty when they came from the content's own pool.
	BankVersion  string
	Seed         uint64
	HolderName   string
	StartedAt    time.Time
	Deadline     time.Time
	ExtraMinutes int
	// ExtendedMinutes is the time the foundation added while the attempt
	// ran; Deadline already includes it.
	ExtendedMinutes int
	PassPercent     int
	Total           int
	Seq             int64
	Status          AttemptStatus
	FinishedAt      *time.Time
	FinishReason    FinishReason // empty while in progress
	Score           int
	Percent         int
	CooldownWaived  bool          // the foundation lifted the retake wait after this fail
	CancelReason    string        // why the foundation cancelled it; empty otherwise
	Items           []AttemptItem // loaded with one attempt, not with lists
}

// Open reports whether the attempt is still in progress.
func (a *Attempt) Open() bool { return a.Status == AttemptInProgress }

// Passed reports whether the attempt ended with a pass.
func (a *Attempt) Passed() bool { return a.Status == AttemptPassed }

// Failed reports whether the attempt ended with a fail.
func (a *Attempt) Failed() bool { return a.Status == AttemptFailed }

// Cancelled reports whether the foundation cancelled the attempt.
func (a *Attempt) Cancelled() bool { return a.Status == AttemptCancelled }

// Answered is how many of the attempt's items have an answer (of an
// attempt loaded with its items).
func (a *Attempt) Answered() int {
	n := 0
	for _, it := range a.Items {
		if it.Answered() {
			n++
		}
	}
	return n
}

// Expired reports whether the attempt ended because its time ran out.
func (a *Attempt) Expired() bool { return a.FinishReason == FinishExpired }

// AttemptItem is one served question with the candidate's answer.
type AttemptItem struct {
	Item       exam.Item
	Answer     []int
	Flagged    bool
	Seq        int64
	AnsweredAt *time.Time
	Correct    *bool // known once finalised
}

// Answered reports whether the item has an answer.
func (it AttemptItem) Answered() bool { return len(it.Answer) > 0 }

// SaveResult is the state of an item after a save.
type SaveResult struct {
	Seq      int64 // the attempt's sequence after the save
	Answer   []int
	Flagged  bool
	Answered int // how many items have an answer
}
