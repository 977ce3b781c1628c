package study

import (
	"context"
	"testing"
	"time"

	"mxcert/internal/clocktest"
	"mxcert/internal/content"
	"mxcert/internal/model"
	"mxcert/internal/store"
	"mxcert/internal/storetest"
)

type practiceEnv struct {
	svc   *Service
	db    *store.DB
	clock *clocktest.Fake
	track *content.Track
	user  *model.User
}

func newPracticeEnv(t *testing.T) *practiceEnv {
	t.Helper()
	cat, report, err := content.LoadDir("../../content", content.Options{})
	if err != nil || report.HasErrors() {
		t.Fatal(err, report.Errors())
	}
	clock := clocktest.New()
	db := storetest.Open(t, store.WithClock(clock.Now))
	u := &model.User{Email: "ana@ejemplo.mx", EmailNorm: "ana@ejemplo.mx", Name: "Ana López", PasswordHash: "x", EmailVerifiedAt: &time.Time{}} // a confirmed address, stamped when stored
	if err := db.Transact(context.Background(), func(tx *store.Tx) error { return tx.CreateUser(u) }); err != nil {
		t.Fatal(err)
	}
	return &practiceEnv{svc: New(db, clock.Now), db: db, clock: clock, track: cat.Track("soporte-basico"), user: u}
}

// open counts the candidate's unfinished practice sessions.
func (e *practiceEnv) open(t *testing.T) []store.OpenPractice {
	t.Helper()
	var open []store.OpenPractice
	err := e.db.Transact(context.Background(), func(tx *store.Tx) (err error) {
		open, err = tx.OpenPractices(e.user.ID, e.track.ID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return open
}

// Starting a practice of a kind already open resumes it: a hundred clicks
// on «Practicar» make one session, not a hundred.
func TestPracticeOfAnOpenKindIsResumed(t *testing.T) {
	e := newPracticeEnv(t)
	ctx := context.Background()
	domains := e.track.Domains()
	first, err := e.svc.StartQuiz(ctx, e.user.ID, e.track, "v1", domains[0])
	if err != nil {
		t.Fatal(err)
	}
	for range 100 {
		again, err := e.svc.StartQuiz(ctx, e.user.ID, e.track, "v1", domains[0])
		if err != nil {
			t.Fatal(err)
		}
		if again.ID != first.ID || len(again.Items) != len(first.Items) {
			t.Fatalf("a second start of the same quiz made %s, want %s resumed", again.ID, first.ID)
		}
	}
	timed, err := e.svc.StartSimulacro(ctx, e.user.ID, e.track, "v1", true)
	if err != nil {
		t.Fatal(err)
	}
	untimed, err := e.svc.StartSimulacro(ctx, e.user.ID, e.track, "v1", false)
	if err != nil {
		t.Fatal(err)
	}
	if timed.ID == untimed.ID {
		t.Error("a timed and an untimed simulacro are different kinds")
	}
	if again, err := e.svc.StartSimulacro(ctx, e.user.ID, e.track, "v1", true); err != nil || again.ID != timed.ID {
		t.Errorf("the timed simulacro was not resumed: %v, %v", again, err)
	}
	if n := len(e.open(t)); n != 3 {
		t.Errorf("%d open sessions, want 3", n)
	}

	// A finished quiz is not resumed: the next start is a new one.
	if err := e.svc.Finish(ctx, e.user.ID, first.ID); err != nil {
		t.Fatal(err)
	}
	if next, err := e.svc.StartQuiz(ctx, e.user.ID, e.track, "v1", domains[0]); err != nil || next.ID == first.ID {
		t.Errorf("after finishing, a start resumed the finished quiz: %v", err)
	}
	// A timed simulacro past its deadline is not resumed either.
	e.clock.Advance(e.track.Rules.Duration)
	if next, err := e.svc.StartSimulacro(ctx, e.user.ID, e.track, "v1", true); err != nil || next.ID == timed.ID {
		t.Errorf("a simulacro whose time ran out was resumed: %v", err)
	}
}

// A candidate has at most MaxOpenPractices open sessions: starting another
// kind finishes the oldest, and keeps its answers.
func TestOpenPracticesAreCapped(t *testing.T) {
	e := newPracticeEnv(t)
	ctx := context.Background()
	domains := e.track.Domains()
	if len(domains) <= MaxOpenPractices+1 {
		t.Fatalf("the shipped track has %d domains; the test needs more than %d", len(domains), MaxOpenPractices+1)
	}
	var ids []string
	for i, d := range domains[:MaxOpenPractices+2] {
		p, err := e.svc.StartQuiz(ctx, e.user.ID, e.track, "v1", d)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			if _, err := e.svc.Answer(ctx, e.user.ID, p.ID, 0, p.Items[0].Item.Key()[:1]); err != nil {
				t.Fatal(err)
			}
		}
		ids = append(ids, p.ID)
		e.clock.Advance(time.Minute)
	}
	open := e.open(t)
	if len(open) != MaxOpenPractices {
		t.Fatalf("%d open sessions, want %d", len(open), MaxOpenPractices)
	}
	if open[0].ID != ids[2] || open[len(open)-1].ID != ids[len(ids)-1] {
		t.Errorf("open sessions %v: the two oldest should have been finished", open)
	}
	oldest, err := e.db.Practice(ctx, ids[0], e.user.ID)
	if err != nil {
		t.Fatal(err)
	}
	if oldest.FinishedAt == nil || !oldest.Items[0].Answered() {
		t.Errorf("the oldest session: finished %v, answer kept %v", oldest.FinishedAt, oldest.Items[0].Answered())
	}
}

// Sessions nobody came back to are purged after AbandonedAfter; a
// finished one, or one answered lately, stays.
func TestAbandonedPracticeIsPurged(t *testing.T) {
	e := newPracticeEnv(t)
	ctx := context.Background()
	domains := e.track.Domains()
	start := func(d string) *model.PracticeSession {
		p, err := e.svc.StartQuiz(ctx, e.user.ID, e.track, "v1", d)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	abandoned, finished, busy := start(domains[0]), start(domains[1]), start(domains[2])
	if err := e.svc.Finish(ctx, e.user.ID, finished.ID); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(AbandonedAfter - time.Hour)
	if _, err := e.svc.Answer(ctx, e.user.ID, busy.ID, 0, busy.Items[0].Item.Key()[:1]); err != nil {
		t.Fatal(err)
	}
	if n, err := e.svc.Purge(ctx); err != nil || n != 0 {
		t.Fatalf("purge before AbandonedAfter removed %d (%v)", n, err)
	}
	e.clock.Advance(2 * time.Hour)
	if n, err := e.svc.Purge(ctx); err != nil || n != 1 {
		t.Fatalf("purge removed %d sessions (%v), want 1", n, err)
	}
	if _, err := e.db.Practice(ctx, abandoned.ID, e.user.ID); err == nil {
		t.Error("the abandoned session is still there")
	}
	for _, keep := range []string{finished.ID, busy.ID} {
		if _, err := e.db.Practice(ctx, keep, e.user.ID); err != nil {
			t.Errorf("session %s was purged: %v", keep, err)
		}
	}
}
