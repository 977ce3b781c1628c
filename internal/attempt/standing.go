package attempt

import (
	"context"
	"errors"
	"fmt"
	"time"

	"mxcert/internal/content"
	"mxcert/internal/exam"
	"mxcert/internal/model"
	"mxcert/internal/store"
)

// Stage is where a candidate stands in a track. The home, track and
// exam-start pages say the right thing, and link to the right place, for
// each one.
type Stage string

const (
	StageNew        Stage = "new"         // has not studied or practised anything yet
	StageStudying   Stage = "studying"    // has studied or practised; no exam in the way
	StageInProgress Stage = "in_progress" // an exam is running: go back to it
	StageCoolingOff Stage = "cooling_off" // failed recently: may retake from Until
	StageCertified  Stage = "certified"   // passed, and the certificate is valid
	StageRevoked    Stage = "revoked"     // passed, but the foundation revoked the certificate
	StageExpired    Stage = "expired"     // passed, and the certificate has expired
)

// Standing is a candidate's stage in a track with what the pages need to
// say about it.
type Standing struct {
	Stage   Stage
	Running *model.Attempt // StageInProgress: the attempt, without items
	Until   time.Time      // StageCoolingOff: when a new attempt may start
	// Passed is the passing attempt (certified, revoked, expired).
	Passed string
	// Certificate is the current certificate of the passing attempt
	// (certified, revoked, expired); nil if, unusually, none was found.
	Certificate *model.Certificate
}

// Remaining is the time left in the running attempt.
func (st Standing) Remaining(now time.Time) time.Duration {
	if st.Running == nil {
		return 0
	}
	return max(st.Running.Deadline.Sub(now), 0)
}

// Standing tells where a candidate stands in a track. began says whether
// they studied a module or practised (the study service knows). An attempt
// whose time is up is finalised first, so the answer is never "in
// progress" for an exam that is over.
func (s *Service) Standing(ctx context.Context, userID int64, t *content.Track, began bool) (Standing, error) {
	el, err := s.Eligibility(ctx, userID, t)
	if err != nil {
		return Standing{}, err
	}
	switch el.Kind {
	case exam.InProgress:
		a, err := s.db.Attempt(ctx, el.AttemptID, userID)
		if err != nil {
			return Standing{}, fmt.Errorf("standing of candidate %d: %w", userID, err)
		}
		a.Items = nil
		return Standing{Stage: StageInProgress, Running: a}, nil
	case exam.CoolingOff:
		return Standing{Stage: StageCoolingOff, Until: el.Until}, nil
	case exam.Certified:
		st := Standing{Stage: StageCertified, Passed: el.AttemptID}
		c, err := s.db.CertificateByAttempt(ctx, el.AttemptID)
		if errors.Is(err, store.ErrNotFound) {
			// A pass whose certificate is missing is still a pass: the
			// page says "certified" and the log shows the gap.
			s.log.Warn("passed attempt without a certificate", "attempt", el.AttemptID)
			return st, nil
		}
		if err != nil {
			return Standing{}, fmt.Errorf("standing of candidate %d: %w", userID, err)
		}
		st.Certificate = c
		switch {
		case c.Revoked():
			st.Stage = StageRevoked
		case c.ExpiresAt != nil && !s.now().Before(*c.ExpiresAt):
			st.Stage = StageExpired
		}
		return st, nil
	}
	if began {
		return Standing{Stage: StageStudying}, nil
	}
	return Standing{Stage: StageNew}, nil
}

// Running finds the candidate's exam in progress in any track, without
// items; ok is false when there is none. An attempt whose time is up does
// not count: it is finalised the next time it is opened, or by the sweeper.
func (s *Service) Running(ctx context.Context, userID int64) (a *model.Attempt, ok bool, err error) {
	as, err := s.db.OpenAttempts(ctx, userID)
	if err != nil {
		return nil, false, fmt.Errorf("running exams of candidate %d: %w", userID, err)
	}
	now := s.now()
	for _, a := range as {
		if now.Before(a.Deadline) {
			return a, true, nil
		}
	}
	return nil, false, nil
}

// Templates ask these instead of comparing stage names.

// IsNew reports whether the candidate has not begun the track.
func (st Standing) IsNew() bool { return st.Stage == StageNew }

// Studying reports whether the candidate is studying, with no exam in the way.
func (st Standing) Studying() bool { return st.Stage == StageStudying }

// InProgress reports whether an exam is running.
func (st Standing) InProgress() bool { return st.Stage == StageInProgress }

// CoolingOff reports whether the candidate must wait before a retake.
func (st Standing) CoolingOff() bool { return st.Stage == StageCoolingOff }

// Certified reports whether the candidate holds a valid certificate.
func (st Standing) Certified() bool { return st.Stage == StageCertified }

// Revoked reports whether the candidate's certificate was revoked.
func (st Standing) Revoked() bool { return st.Stage == StageRevoked }

// Expired reports whether the candidate's certificate has expired.
func (st Standing) Expired() bool { return st.Stage == StageExpired }

// MayStart reports whether the candidate may start an exam now.
func (st Standing) MayStart() bool { return st.Stage == StageNew || st.Stage == StageStudying }
