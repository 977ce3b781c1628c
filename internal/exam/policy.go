package exam

import "time"

// Past is what the retake rules need to know of an earlier attempt.
type Past struct {
	ID     string
	Open   bool // still in progress
	Passed bool
	Waived bool // the foundation lifted the cool-down this fail started
	// Cancelled is an attempt the foundation cancelled: the candidate did
	// not fail it, so it starts no cool-down.
	Cancelled  bool
	FinishedAt time.Time
}

// EligibilityKind is what a candidate may do on the exam start page.
type EligibilityKind string

const (
	CanStart   EligibilityKind = "start"     // no attempt in the way
	InProgress EligibilityKind = "resume"    // an attempt is running: resume it
	CoolingOff EligibilityKind = "cooldown"  // failed recently: wait until Until
	Certified  EligibilityKind = "certified" // passed: no retake
)

// Eligibility says whether a candidate may start an exam, and if not, why.
type Eligibility struct {
	Kind      EligibilityKind
	AttemptID string    // the running attempt (InProgress) or the pass (Certified)
	Until     time.Time // end of the cool-down
}

// Eligible applies the retake rules to a candidate's attempts at a track: a
// running attempt is resumed, a pass ends the track, and a fail starts a
// cool-down of retakeAfter from when it finished.
func Eligible(past []Past, retakeAfter time.Duration, now time.Time) Eligibility {
	var lastFail time.Time
	for _, p := range past {
		switch {
		case p.Open:
			return Eligibility{Kind: InProgress, AttemptID: p.ID}
		case p.Passed:
			return Eligibility{Kind: Certified, AttemptID: p.ID}
		case p.Cancelled:
			// Stopped by the foundation, not failed: no cool-down.
		case !p.Waived && p.FinishedAt.After(lastFail):
			lastFail = p.FinishedAt
		}
	}
	if !lastFail.IsZero() {
		if until := lastFail.Add(retakeAfter); now.Before(until) {
			return Eligibility{Kind: CoolingOff, Until: until}
		}
	}
	return Eligibility{Kind: CanStart}
}

// Deadline is when an attempt started at start must end: the exam's
// duration plus the candidate's accommodation.
func Deadline(start time.Time, duration, extra time.Duration) time.Time {
	return start.Add(duration + extra)
}
