package admin

import (
	"context"
	"fmt"
	"math"
	"slices"
	"testing"

	"mxcert/internal/attempt"
	"mxcert/internal/content"
	"mxcert/internal/exam"
	"mxcert/internal/model"
)

// answerAs has u take the example exam, answering question i right when
// right[i], and returns the finished attempt (nil finish: left running).
func (e *env) answerAs(t *testing.T, u *model.User, right []bool, finish bool) *model.Attempt {
	t.Helper()
	ctx := context.Background()
	a, err := e.attempts.Start(ctx, u, e.track, content.Versions{Content: "v1"}, u.Name)
	if err != nil {
		t.Fatal(err)
	}
	for i, it := range a.Items {
		answer := it.Item.Key()
		if !right[i] {
			for j := range it.Item.Options {
				if !slices.Contains(it.Item.Key(), j) {
					answer = []int{j}
					break
				}
			}
		}
		if _, err := e.attempts.Save(ctx, u.ID, attempt.Answer{AttemptID: a.ID, Position: i, QuestionID: it.Item.QuestionID, Options: answer, Known: a.Seq}); err != nil {
			t.Fatal(err)
		}
	}
	if !finish {
		return a
	}
	if a, err = e.attempts.Finalize(ctx, u.ID, a.ID, "submitted"); err != nil {
		t.Fatal(err)
	}
	return a
}

// Quality reads the finished attempts of the track, not the one in
// progress, and computes from them what exam.ReliabilityOf computes from
// the same answers.
func TestQuality(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	patterns := [][]bool{{true, true}, {true, false}, {false, true}, {false, false}, {true, true}, {true, true}}
	var want exam.Sittings
	passed := 0
	for i := range 29 {
		u := e.candidate(t, fmt.Sprintf("Candidata %d", i), fmt.Sprintf("c%d@ejemplo.mx", i), "Oaxaca")
		right := patterns[i%len(patterns)]
		a := e.answerAs(t, u, right, true)
		var ids []string
		for _, it := range a.Items {
			ids = append(ids, it.Item.QuestionID)
		}
		if err := want.Add(ids, right); err != nil {
			t.Fatal(err)
		}
		if a.Passed() {
			passed++
		}
	}
	running := e.candidate(t, "En curso", "curso@ejemplo.mx", "Oaxaca")
	e.answerAs(t, running, []bool{true, true}, false)

	q, err := e.svc.Quality(ctx, e.track)
	if err != nil {
		t.Fatal(err)
	}
	if q.Finished != 29 || q.Passed != passed || q.PassRate() != float64(passed)/29 {
		t.Errorf("finished %d, passed %d; want 29, %d", q.Finished, q.Passed, passed)
	}
	if lo, hi := exam.Wilson(passed, 29, exam.Z95); q.PassLow != lo || q.PassHigh != hi {
		t.Errorf("pass interval [%v, %v], want [%v, %v]", q.PassLow, q.PassHigh, lo, hi)
	}
	r, wantR := q.Reliability, exam.ReliabilityOf(want)
	if r.Attempts != 29 || r.Items != 2 || math.Abs(r.KR20-wantR.KR20) > 1e-12 || math.Abs(r.SEM-wantR.SEM) > 1e-12 || math.IsNaN(r.KR20) {
		t.Errorf("reliability %+v, want %+v", r, wantR)
	}
	if r.Enough() || q.Windowed() {
		t.Errorf("29 attempts: enough %v, windowed %v", r.Enough(), q.Windowed())
	}

	u := e.candidate(t, "Trigésima", "c30@ejemplo.mx", "Oaxaca")
	e.answerAs(t, u, []bool{true, false}, true)
	if q, err = e.svc.Quality(ctx, e.track); err != nil || !q.Reliability.Enough() {
		t.Errorf("30 attempts: enough %v, %v", q.Reliability.Enough(), err)
	}

	d, err := e.svc.Dashboard(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Quality) != 1 || d.Quality[0].Track != e.track || d.Quality[0].Reliability != q.Reliability {
		t.Errorf("dashboard quality = %+v", d.Quality)
	}
	if lo, hi := exam.Wilson(d.Totals.AttemptsPassed, d.Totals.AttemptsPassed+d.Totals.AttemptsFailed, exam.Z95); d.PassLow != lo || d.PassHigh != hi {
		t.Errorf("dashboard pass interval [%v, %v], want [%v, %v]", d.PassLow, d.PassHigh, lo, hi)
	}
}
