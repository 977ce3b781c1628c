package admin

import (
	"context"
	"fmt"

	"mxcert/internal/content"
	"mxcert/internal/exam"
)

// ReliabilityWindow is how many of a track's latest finished attempts its
// KR-20 and SEM are computed from. Enough for KR-20 to be known to about
// ±0.01; few enough that the dashboard costs the same with a hundred
// thousand attempts as with two thousand; and recent, so the figures
// describe the bank in use more than the banks before it.
const ReliabilityWindow = 2000

// TrackQuality is what a track's scores are worth: how often candidates
// pass, within what margin, and how consistently the exam measures.
type TrackQuality struct {
	Track            *content.Track
	Passed, Finished int
	// PassLow and PassHigh bound the pass rate with 95 % confidence
	// (Wilson score interval).
	PassLow, PassHigh float64
	// Reliability is computed from the latest ReliabilityWindow finished
	// attempts that had the track's current number of questions; attempts
	// of an older blueprint are another exam.
	Reliability exam.Reliability
}

// PassRate is the share of finished attempts that passed (0 with none).
func (q TrackQuality) PassRate() float64 {
	if q.Finished == 0 {
		return 0
	}
	return float64(q.Passed) / float64(q.Finished)
}

// Windowed reports whether the reliability comes from the latest attempts
// only, not from all of them.
func (q TrackQuality) Windowed() bool { return q.Reliability.Attempts >= ReliabilityWindow }

// Quality computes a track's pass rate with its interval and the exam's
// reliability.
func (s *Service) Quality(ctx context.Context, t *content.Track) (TrackQuality, error) {
	q := TrackQuality{Track: t}
	passed, failed, err := s.db.TrackOutcomes(ctx, t.ID)
	if err != nil {
		return q, err
	}
	q.Passed, q.Finished = passed, passed+failed
	q.PassLow, q.PassHigh = exam.Wilson(q.Passed, q.Finished, exam.Z95)
	sit := exam.Sittings{Items: t.Rules.Questions}
	err = s.db.RecentScoredItems(ctx, t.ID, t.Rules.Questions, ReliabilityWindow, func(id string, questions []string, right []bool) error {
		if err := sit.Add(questions, right); err != nil {
			return fmt.Errorf("attempt %s: %w", id, err)
		}
		return nil
	})
	if err != nil {
		return q, fmt.Errorf("reliability of %s: %w", t.ID, err)
	}
	q.Reliability = exam.ReliabilityOf(sit)
	return q, nil
}
