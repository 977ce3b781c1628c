package attempt

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"mxcert/internal/clocktest"
	"mxcert/internal/content"
	"mxcert/internal/mail"
	"mxcert/internal/model"
	"mxcert/internal/store"
	"mxcert/internal/storetest"
)

// countingIssuer records issuances, inside the finalisation transaction.
// With fail set, issuing fails (and so does the finalisation).
type countingIssuer struct {
	n    atomic.Int32
	fail error
}

func (i *countingIssuer) Issue(tx *store.Tx, a *model.Attempt) (*model.Certificate, error) {
	if i.fail != nil {
		return nil, i.fail
	}
	i.n.Add(1)
	return &model.Certificate{ID: "cert-" + a.ID, Code: "T-" + a.ID, TrackTitle: a.TrackTitle}, tx.Audit(0, "test.issue", a.ID, nil)
}

func (i *countingIssuer) VerifyURL(code string) string {
	return "https://certificacion.example/verificar/" + code
}

type env struct {
	svc    *Service
	db     *store.DB
	clock  *clocktest.Fake
	track  *content.Track
	user   *model.User
	issuer *countingIssuer
}

func newEnv(t *testing.T, contentDir, track string) *env {
	t.Helper()
	cat, report, err := content.LoadDir(contentDir, content.Options{})
	if err != nil || report.HasErrors() {
		t.Fatal(err, report.Errors())
	}
	c := clocktest.New()
	db := storetest.Open(t, store.WithClock(c.Now))
	u := &model.User{Email: "ana@ejemplo.mx", EmailNorm: "ana@ejemplo.mx", Name: "Ana Núñez", PasswordHash: "x", EmailVerifiedAt: &time.Time{}} // a confirmed address, stamped when stored
	if err := db.Transact(context.Background(), func(tx *store.Tx) error { return tx.CreateUser(u) }); err != nil {
		t.Fatal(err)
	}
	iss := &countingIssuer{}
	svc := New(db, c.Now, func() *content.Catalog { return cat }, iss, slog.New(slog.NewTextHandler(io.Discard, nil)))
	svc.NotifyWith(mail.NewComposer(mail.Templates, "https://certificacion.example"))
	return &env{svc: svc, db: db, clock: c, track: cat.Track(track), user: u, issuer: iss}
}

func (e *env) start(t *testing.T) *model.Attempt {
	t.Helper()
	a, err := e.svc.Start(context.Background(), e.user, e.track, content.Versions{Content: "v1"}, e.user.Name)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestTwoConcurrentSubmitsGiveOneResult(t *testing.T) {
	e := newEnv(t, "../../content", "soporte-basico")
	a := e.start(t)
	for i, it := range a.Items { // answer everything right: a pass
		if _, err := e.svc.Save(context.Background(), e.user.ID, answerTo(a, i, it.Item.Key(), false, a.Seq)); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	results := make([]*model.Attempt, 8)
	errs := make([]error, 8)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = e.svc.Finalize(context.Background(), e.user.ID, a.ID, "submitted")
		}()
	}
	wg.Wait()
	for i := range results {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if results[i].Status != model.AttemptPassed || results[i].Score != 40 || !results[i].FinishedAt.Equal(*results[0].FinishedAt) {
			t.Errorf("submit %d: %s %d %v", i, results[i].Status, results[i].Score, results[i].FinishedAt)
		}
	}
	if n := e.issuer.n.Load(); n != 1 {
		t.Errorf("certificate issued %d times, want exactly 1", n)
	}
	if ms := e.mailTo(t, e.user.Email); len(ms) != 1 {
		t.Errorf("%d messages queued for one pass, want exactly 1", len(ms))
	}
}

func TestFiftyConcurrentAutosavesKeepTheLatest(t *testing.T) {
	e := newEnv(t, "../../content", "soporte-basico")
	a := e.start(t)
	type ack struct {
		pos    int
		answer []int
		seq    int64
	}
	var mu sync.Mutex
	var acks []ack
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pos := i % 10 // five saves per question, racing
			answer := []int{i % len(a.Items[pos].Item.Options)}
			if a.Items[pos].Item.Multiple() {
				answer = a.Items[pos].Item.Key()
			}
			// Each save carries the sequence its page was built at; the
			// last save seen for this question is as good as it gets.
			res, err := e.svc.Save(context.Background(), e.user.ID, answerTo(a, pos, answer, false, a.Seq+int64(i)))
			switch {
			case errors.Is(err, store.ErrStale):
				return // refused, not acknowledged: the client is told so
			case err != nil:
				t.Error(err)
				return
			}
			mu.Lock()
			acks = append(acks, ack{pos, answer, res.Seq})
			mu.Unlock()
		}()
	}
	wg.Wait()
	got, err := e.db.Attempt(context.Background(), a.ID, e.user.ID)
	if err != nil {
		t.Fatal(err)
	}
	latest := map[int]ack{}
	for _, k := range acks {
		if k.seq > latest[k.pos].seq {
			latest[k.pos] = k
		}
	}
	if len(latest) != 10 {
		t.Fatalf("acknowledged saves for %d questions, want 10", len(latest))
	}
	for pos, k := range latest {
		if fmtInts(got.Items[pos].Answer) != fmtInts(k.answer) {
			t.Errorf("question %d: stored %v, latest acknowledged %v (seq %d)", pos, got.Items[pos].Answer, k.answer, k.seq)
		}
	}
	if got.Seq != int64(len(acks)) {
		t.Errorf("attempt seq %d after %d accepted saves", got.Seq, len(acks))
	}
}

func fmtInts(v []int) string {
	out := ""
	for _, n := range v {
		out += string(rune('0' + n))
	}
	return out
}

func TestStaleSaveNeverOverwrites(t *testing.T) {
	e := newEnv(t, "../content/testdata/content", "ejemplo")
	a := e.start(t)
	ctx := context.Background()
	pageSeq := a.Seq // two tabs open the same question
	res, err := e.svc.Save(ctx, e.user.ID, answerTo(a, 0, []int{0}, false, pageSeq))
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.Save(ctx, e.user.ID, answerTo(a, 0, []int{1}, false, pageSeq)) // the older tab
	if !errors.Is(err, store.ErrStale) {
		t.Fatalf("stale save: %v, want ErrStale", err)
	}
	got, _ := e.db.Attempt(ctx, a.ID, e.user.ID)
	if fmtInts(got.Items[0].Answer) != "0" {
		t.Errorf("answer = %v, want the newer [0]", got.Items[0].Answer)
	}
	// A page built after the save may change it; another question is not
	// affected by the first one's sequence.
	if _, err := e.svc.Save(ctx, e.user.ID, answerTo(a, 0, []int{1}, false, res.Seq)); err != nil {
		t.Errorf("save from a fresh page: %v", err)
	}
	if _, err := e.svc.Save(ctx, e.user.ID, answerTo(a, 1, []int{0}, true, pageSeq)); err != nil {
		t.Errorf("save of another question from the old page: %v", err)
	}
	// A flag change without an answer keeps the answer.
	got, _ = e.db.Attempt(ctx, a.ID, e.user.ID)
	if _, err := e.svc.Save(ctx, e.user.ID, answerTo(a, 1, nil, false, got.Seq)); err != nil {
		t.Fatal(err)
	}
	got, _ = e.db.Attempt(ctx, a.ID, e.user.ID)
	if got.Items[1].Flagged || fmtInts(got.Items[1].Answer) != "0" {
		t.Errorf("item after unflagging: %+v", got.Items[1])
	}
}

func TestDeadlineSweepAndRetake(t *testing.T) {
	e := newEnv(t, "../content/testdata/content", "ejemplo")
	ctx := context.Background()
	a := e.start(t)
	if !a.Deadline.Equal(e.clock.Now().Add(10 * time.Minute)) {
		t.Errorf("deadline %v, want start + 10 min", a.Deadline)
	}
	// One wrong answer saved in time; the other question never answered.
	wrong := (a.Items[0].Item.Key()[0] + 1) % len(a.Items[0].Item.Options)
	if _, err := e.svc.Save(ctx, e.user.ID, answerTo(a, 0, []int{wrong}, false, a.Seq)); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(10 * time.Minute)
	if n, err := e.svc.Sweep(ctx); err != nil || n != 1 {
		t.Fatalf("sweep finalised %d, %v", n, err)
	}
	if _, err := e.svc.Save(ctx, e.user.ID, answerTo(a, 1, a.Items[1].Item.Key(), false, a.Seq+1)); !errors.Is(err, store.ErrClosed) {
		t.Fatalf("save after the sweep: %v, want ErrClosed", err)
	}
	got, _ := e.db.Attempt(ctx, a.ID, e.user.ID)
	if got.Status != model.AttemptFailed || got.FinishReason != "expired" || got.Score != 0 || fmtInts(got.Items[0].Answer) != fmtInts([]int{wrong}) {
		t.Errorf("swept attempt: %+v", got)
	}
	if n, _ := e.svc.Sweep(ctx); n != 0 {
		t.Errorf("second sweep finalised %d", n)
	}

	// Cool-down: 24 h from when it finished.
	el, _ := e.svc.Eligibility(ctx, e.user.ID, e.track)
	if el.Kind != "cooldown" || !el.Until.Equal(got.FinishedAt.Add(24*time.Hour)) {
		t.Errorf("eligibility after a fail: %+v", el)
	}
	if _, err := e.svc.Start(ctx, e.user, e.track, content.Versions{Content: "v1"}, e.user.Name); !errors.Is(err, ErrCoolingOff) {
		t.Errorf("start during cool-down: %v", err)
	}
	e.clock.Advance(24 * time.Hour)
	b := e.start(t)
	if b.ID == a.ID {
		t.Fatal("retake reused the failed attempt")
	}
	for i, it := range b.Items {
		if _, err := e.svc.Save(ctx, e.user.ID, answerTo(b, i, it.Item.Key(), false, int64(i))); err != nil {
			t.Fatal(err)
		}
	}
	if fin, err := e.svc.Finalize(ctx, e.user.ID, b.ID, "submitted"); err != nil || fin.Status != model.AttemptPassed {
		t.Fatalf("retake: %+v %v", fin, err)
	}
	if _, err := e.svc.Start(ctx, e.user, e.track, content.Versions{Content: "v1"}, e.user.Name); !errors.Is(err, ErrCertified) {
		t.Errorf("start after passing: %v", err)
	}
}

func TestStartResumesAndChecksTheName(t *testing.T) {
	e := newEnv(t, "../content/testdata/content", "ejemplo")
	ctx := context.Background()
	if _, err := e.svc.Start(ctx, e.user, e.track, content.Versions{Content: "v1"}, "Ana Nunez"); !errors.Is(err, ErrNameChanged) {
		t.Errorf("start with another name: %v", err)
	}
	a := e.start(t)
	if a.HolderName != "Ana Núñez" {
		t.Errorf("holder name %q", a.HolderName)
	}
	again := e.start(t)
	if again.ID != a.ID {
		t.Error("starting again did not resume the attempt in progress")
	}
	// Concurrent starts still make one attempt.
	var wg sync.WaitGroup
	for range 5 {
		wg.Add(1)
		go func() { defer wg.Done(); e.start(t) }()
	}
	wg.Wait()
	as, _ := e.db.Attempts(ctx, e.user.ID, e.track.ID)
	if len(as) != 1 {
		t.Errorf("%d attempts, want 1", len(as))
	}
}

func TestAccommodationExtendsTheDeadline(t *testing.T) {
	e := newEnv(t, "../content/testdata/content", "ejemplo")
	ctx := context.Background()
	if err := e.db.Transact(ctx, func(tx *store.Tx) error { return tx.SetExtraMinutes(e.user.ID, 30) }); err != nil {
		t.Fatal(err)
	}
	a := e.start(t)
	if want := e.clock.Now().Add(40 * time.Minute); !a.Deadline.Equal(want) || a.ExtraMinutes != 30 {
		t.Errorf("deadline %v (extra %d), want %v", a.Deadline, a.ExtraMinutes, want)
	}
	e.clock.Advance(35 * time.Minute) // past the normal 10 minutes, within the accommodation
	if _, err := e.svc.Save(ctx, e.user.ID, answerTo(a, 0, a.Items[0].Item.Key(), false, a.Seq)); err != nil {
		t.Errorf("save within the accommodation: %v", err)
	}
}

func TestBadAnswersRefused(t *testing.T) {
	e := newEnv(t, "../content/testdata/content", "ejemplo")
	ctx := context.Background()
	a := e.start(t)
	single := 0
	for i, it := range a.Items {
		if !it.Item.Multiple() {
			single = i
		}
	}
	for _, tc := range []struct {
		name   string
		pos    int
		answer []int
	}{
		{"two options for a single answer", single, []int{0, 1}},
		{"an option past the end", single, []int{9}},
		{"a negative option", single, []int{-1}},
		{"a question the exam does not have", 5, []int{0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := e.svc.Save(ctx, e.user.ID, answerTo(a, tc.pos, tc.answer, false, a.Seq)); !errors.Is(err, ErrBadAnswer) {
				t.Errorf("Save(%d, %v) = %v, want ErrBadAnswer", tc.pos, tc.answer, err)
			}
		})
	}
	other := &model.User{Email: "luis@ejemplo.mx", EmailNorm: "luis@ejemplo.mx", Name: "Luis", PasswordHash: "x", EmailVerifiedAt: &time.Time{}} // a confirmed address, stamped when stored
	e.db.Transact(ctx, func(tx *store.Tx) error { return tx.CreateUser(other) })
	if _, err := e.svc.Save(ctx, other.ID, answerTo(a, 0, []int{0}, false, a.Seq)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("another candidate's save: %v", err)
	}
	if _, err := e.svc.Finalize(ctx, other.ID, a.ID, "submitted"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("another candidate's submit: %v", err)
	}
}

// answerTo is the answer a candidate's page for position pos sends: it
// names the question served there.
func answerTo(a *model.Attempt, pos int, options []int, flagged bool, known int64) Answer {
	ans := Answer{AttemptID: a.ID, Position: pos, Options: options, Flagged: flagged, Known: known}
	if pos >= 0 && pos < len(a.Items) {
		ans.QuestionID = a.Items[pos].Item.QuestionID
	}
	return ans
}

// Each retake serves what the candidate has not seen: the example bank
// holds three questions a domain and the exam draws one of each, so three
// attempts share nothing, and the fourth, with everything seen, serves
// again what was seen longest ago, the first attempt's.
func TestRetakesServeUnseenQuestions(t *testing.T) {
	e := newEnv(t, "../content/testdata/content", "ejemplo")
	ctx := context.Background()
	var attempts [][]string
	seen := map[string]bool{}
	for n := range 4 {
		a := e.start(t)
		var ids []string
		for _, it := range a.Items {
			ids = append(ids, it.Item.QuestionID)
		}
		slices.Sort(ids)
		if n < 3 {
			for _, id := range ids {
				if seen[id] {
					t.Fatalf("attempt %d serves %s again: %v", n+1, id, attempts)
				}
				seen[id] = true
			}
		} else if !slices.Equal(ids, attempts[0]) {
			t.Errorf("fourth attempt serves %v; want the first's, seen longest ago, %v", ids, attempts[0])
		}
		attempts = append(attempts, ids)
		if fin, err := e.svc.Finalize(ctx, e.user.ID, a.ID, model.FinishSubmitted); err != nil || fin.Passed() {
			t.Fatalf("finalize attempt %d: %+v, %v; want a fail", n+1, fin, err)
		}
		e.clock.Advance(24 * time.Hour) // past the cool-down
	}
}

// An account whose address is not confirmed cannot start an exam, even if
// the caller's copy of the account says otherwise: the rule is checked on
// the stored account.
func TestStartNeedsAConfirmedAddress(t *testing.T) {
	e := newEnv(t, "../content/testdata/content", "ejemplo")
	ctx := context.Background()
	u := &model.User{Email: "luis@ejemplo.mx", EmailNorm: "luis@ejemplo.mx", Name: "Luis Pérez", PasswordHash: "x"}
	if err := e.db.Transact(ctx, func(tx *store.Tx) error { return tx.CreateUser(u) }); err != nil {
		t.Fatal(err)
	}
	stale := *u
	stale.EmailVerifiedAt = &time.Time{}
	if _, err := e.svc.Start(ctx, &stale, e.track, content.Versions{Content: "v1"}, u.Name); !errors.Is(err, ErrUnverified) {
		t.Fatalf("start unconfirmed: %v, want ErrUnverified", err)
	}
	if err := e.db.Transact(ctx, func(tx *store.Tx) error { return tx.SetEmailVerified(u.ID) }); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Start(ctx, u, e.track, content.Versions{Content: "v1"}, u.Name); err != nil {
		t.Fatalf("start once confirmed: %v", err)
	}
}

// Each save says how many items have an answer: a new answer counts once,
// a changed answer or a flag alone does not count again.
func TestSaveCountsTheAnsweredItems(t *testing.T) {
	e := newEnv(t, "../content/testdata/content", "ejemplo")
	a := e.start(t)
	ctx := context.Background()
	seq := a.Seq
	for i, step := range []struct {
		pos     int
		options []int
		flag    bool
		want    int
	}{
		{0, []int{0}, false, 1},
		{0, []int{1}, false, 1}, // changed
		{1, nil, true, 1},       // flagged, not answered
		{1, []int{0}, true, 2},
		{1, nil, false, 2}, // unflagged: the answer stays
	} {
		res, err := e.svc.Save(ctx, e.user.ID, answerTo(a, step.pos, step.options, step.flag, seq))
		if err != nil {
			t.Fatalf("save %d: %v", i, err)
		}
		if res.Answered != step.want || res.Seq != seq+1 {
			t.Fatalf("save %d: answered %d, seq %d; want %d, %d", i, res.Answered, res.Seq, step.want, seq+1)
		}
		seq = res.Seq
	}
	got, err := e.db.Attempt(ctx, a.ID, e.user.ID)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, it := range got.Items {
		if it.Answered() {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d items stored answered, want 2", n)
	}
}
