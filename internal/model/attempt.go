package model

import (
	"time"

	"mxcert/internal/exam"
)

// AttemptStatus is where an exam attempt is: running, or finished with a
// pass or a fail.
type AttemptStatus string

const (
	AttemptInProgress AttemptStatus = "in_progress"
	AttemptPassed     AttemptStatus = "passed"
	AttemptFailed     AttemptStatus = "failed"
)

// FinishReason is why an attempt ended.
type FinishReason string

const (
	FinishSubmitted FinishReason = "submitted" // the candidate handed it in
	FinishExpired   FinishReason = "expired"   // the time ran out
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
	BankVersion    string
	Seed           uint64
	HolderName     string
	StartedAt      time.Time
	Deadline       time.Time
	ExtraMinutes   int
	PassPercent    int
	Total          int
	Seq            int64
	Status         AttemptStatus
	FinishedAt     *time.Time
	FinishReason   FinishReason // empty while in progress
	Score          int
	Percent        int
	CooldownWaived bool          // the foundation lifted the retake wait after this fail
	Items          []AttemptItem // loaded with one attempt, not with lists
}

// Open reports whether the attempt is still in progress.
func (a *Attempt) Open() bool { return a.Status == AttemptInProgress }

// Passed reports whether the attempt ended with a pass.
func (a *Attempt) Passed() bool { return a.Status == AttemptPassed }

// Failed reports whether the attempt ended with a fail.
func (a *Attempt) Failed() bool { return a.Status == AttemptFailed }

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
