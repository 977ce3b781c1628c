package admin

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"mxcert/internal/exam"
	"mxcert/internal/model"
)

// chartWeeks is how many weeks the dashboard covers, the current one
// included.
const chartWeeks = 12

// Dashboard is the programme in numbers.
type Dashboard struct {
	Totals   model.Totals
	PassRate int // percent of finished attempts that passed, rounded down
	// PassLow and PassHigh bound the pass rate with 95 % confidence
	// (Wilson score interval), as shares.
	PassLow, PassHigh float64
	// PeopleFinished is how many people finished at least one exam, and
	// PeoplePassed how many of them passed at least one; PeopleRate is
	// the second in percent of the first, rounded down: the pass rate per
	// person, where PassRate counts every attempt.
	PeopleFinished, PeoplePassed, PeopleRate int
	Weeks                                    []Week         // oldest first; the last is the current week
	States                                   []StateFigures // most candidates first
	Quality                                  []TrackQuality // each track of the content in use, in its order
}

// Week is what happened in one week, Monday to Sunday in the foundation's
// time zone.
type Week struct {
	Start      time.Time // Monday at midnight
	Registered int
	Passed     int
	Failed     int
	Issued     int
	Revoked    int
}

// StateFigures are the candidates of one state and how many of them hold
// a valid certificate. State is empty for accounts made without one.
type StateFigures struct {
	State      string
	Candidates int
	Certified  int
}

// Dashboard gathers the totals, the last weeks' activity and the figures
// by state.
func (s *Service) Dashboard(ctx context.Context) (*Dashboard, error) {
	totals, err := s.db.Totals(ctx)
	if err != nil {
		return nil, err
	}
	d := &Dashboard{Totals: totals, States: byState(totals)}
	done := totals.AttemptsPassed + totals.AttemptsFailed
	if done > 0 {
		d.PassRate = totals.AttemptsPassed * 100 / done
	}
	d.PassLow, d.PassHigh = exam.Wilson(totals.AttemptsPassed, done, exam.Z95)
	if d.PeopleFinished, d.PeoplePassed, err = s.db.PeopleOutcomes(ctx); err != nil {
		return nil, err
	}
	if d.PeopleFinished > 0 {
		d.PeopleRate = d.PeoplePassed * 100 / d.PeopleFinished
	}
	for _, t := range s.catalog().Tracks {
		q, err := s.Quality(ctx, t)
		if err != nil {
			return nil, err
		}
		d.Quality = append(d.Quality, q)
	}
	weeks := emptyWeeks(s.now(), s.zone)
	events, err := s.db.EventsSince(ctx, weeks[0].Start)
	if err != nil {
		return nil, fmt.Errorf("dashboard events: %w", err)
	}
	d.Weeks = tally(weeks, events)
	return d, nil
}

// emptyWeeks returns the chart's weeks ending with the one that holds now.
func emptyWeeks(now time.Time, zone *time.Location) []Week {
	now = now.In(zone)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, zone)
	monday := today.AddDate(0, 0, -((int(today.Weekday()) + 6) % 7))
	weeks := make([]Week, chartWeeks)
	for i := range weeks {
		// Calendar arithmetic, not multiples of 168 hours: a week across a
		// daylight-saving change is an hour longer or shorter.
		weeks[i].Start = monday.AddDate(0, 0, -7*(chartWeeks-1-i))
	}
	return weeks
}

// tally counts each event in the week it fell in; events outside the
// weeks are left out.
func tally(weeks []Week, events []model.Event) []Week {
	end := weeks[len(weeks)-1].Start.AddDate(0, 0, 7)
	for _, e := range events {
		if e.At.Before(weeks[0].Start) || !e.At.Before(end) {
			continue
		}
		i, found := slices.BinarySearchFunc(weeks, e.At, func(w Week, at time.Time) int { return w.Start.Compare(at) })
		if !found {
			i-- // the week that started before the event
		}
		w := &weeks[i]
		switch e.Kind {
		case model.EventRegistered:
			w.Registered++
		case model.EventPassed:
			w.Passed++
		case model.EventFailed:
			w.Failed++
		case model.EventIssued:
			w.Issued++
		case model.EventRevoked:
			w.Revoked++
		}
	}
	return weeks
}

// byState pairs the candidates of each state with its certified ones.
func byState(t model.Totals) []StateFigures {
	out := make([]StateFigures, 0, len(t.CandidatesByState))
	for st, n := range t.CandidatesByState {
		out = append(out, StateFigures{State: st, Candidates: n, Certified: t.CertifiedByState[st]})
	}
	// The name breaks ties, so the chart does not reshuffle between reloads.
	slices.SortFunc(out, func(a, b StateFigures) int {
		return cmp.Or(cmp.Compare(b.Candidates, a.Candidates), cmp.Compare(a.State, b.State))
	})
	return out
}
