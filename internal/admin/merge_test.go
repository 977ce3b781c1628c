package admin

import (
	"context"
	"errors"
	"testing"
	"time"

	"mxcert/internal/attempt"
	"mxcert/internal/content"
	"mxcert/internal/exam"
	"mxcert/internal/model"
	"mxcert/internal/store"
)

func (e *env) practise(t *testing.T, u *model.User, id string) {
	t.Helper()
	err := e.db.Transact(context.Background(), func(tx *store.Tx) error {
		return tx.CreatePractice(&model.PracticeSession{ID: id, UserID: u.ID, TrackID: "ejemplo", Kind: model.PracticeQuiz, ContentVersion: "v1"})
	})
	if err != nil {
		t.Fatal(err)
	}
}

func (e *env) study(t *testing.T, u *model.User, module string) {
	t.Helper()
	if err := e.db.Transact(context.Background(), func(tx *store.Tx) error { return tx.MarkStudied(u.ID, "ejemplo", module) }); err != nil {
		t.Fatal(err)
	}
}

func (e *env) mustUser(t *testing.T, id int64) *model.User {
	t.Helper()
	u, err := e.db.UserByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestMergeMovesEverythingAndIsAudited(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	keep := e.candidate(t, "Ana López", "ana@ejemplo.mx", "Puebla")
	closed := e.candidate(t, "Ana Lopez", "ana+2@ejemplo.mx", "Puebla")
	e.study(t, closed, "01-arranque") // studied first on the account that closes
	e.clock.Advance(time.Hour)
	e.study(t, keep, "01-arranque")
	e.study(t, closed, "02-otro")
	e.practise(t, closed, "p1")
	e.practise(t, keep, "p2")
	failed := e.exam(t, keep, false)
	e.clock.Advance(25 * time.Hour)
	passed := e.exam(t, closed, true)
	cert, err := e.db.CertificateByAttempt(ctx, passed.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.db.Transact(ctx, func(tx *store.Tx) error { return tx.SetExtraMinutes(closed.ID, 30) }); err != nil {
		t.Fatal(err)
	}
	if err := e.db.Transact(ctx, func(tx *store.Tx) error {
		return tx.CreateSession(&model.Session{ID: "s1", TokenHash: []byte("token-of-the-closed-account"), UserID: closed.ID})
	}); err != nil {
		t.Fatal(err)
	}

	e.clock.Advance(time.Minute)
	moves, err := e.svc.Merge(ctx, 0, keep.ID, closed.ID)
	if err != nil {
		t.Fatal(err)
	}
	if moves != (model.MergeMoves{Attempts: 1, Practice: 1, Progress: 2, Certificates: 1, SessionsEnded: 1}) {
		t.Errorf("moves %+v", moves)
	}

	as := e.mustAttempts(t, keep)
	if len(as) != 2 || as[0].ID != passed.ID || as[1].ID != failed.ID {
		t.Errorf("kept account's attempts: %v", as)
	}
	if len(e.mustAttempts(t, closed)) != 0 {
		t.Error("the closed account kept attempts")
	}
	if c, _ := e.db.CertificateByID(ctx, cert.ID); c.UserID != keep.ID || c.Status != model.CertValid || c.HolderName != "Ana Lopez" {
		t.Errorf("certificate after the merge: %+v", c)
	}
	studied, err := e.db.StudiedModules(ctx, keep.ID, "ejemplo")
	if err != nil || len(studied) != 2 || !studied["01-arranque"].Equal(keep.CreatedAt) {
		t.Errorf("kept account's modules %v (want the earlier date %v), %v", studied, keep.CreatedAt, err)
	}
	if left, _ := e.db.StudiedModules(ctx, closed.ID, "ejemplo"); len(left) != 0 {
		t.Errorf("the closed account kept modules %v", left)
	}
	if n, _ := e.db.RecentPractice(ctx, keep.ID, "ejemplo", 10); len(n) != 2 {
		t.Errorf("kept account's practice: %d sessions", len(n))
	}
	if n, _ := e.db.CountUserSessions(ctx, closed.ID); n != 0 {
		t.Errorf("the closed account has %d sessions", n)
	}
	if _, _, err := e.db.SessionUser(ctx, []byte("token-of-the-closed-account")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the closed account's session: %v", err)
	}
	c := e.mustUser(t, closed.ID)
	if !c.Closed() || !c.ClosedAt.Equal(e.clock.Now()) || c.MergedInto != keep.ID {
		t.Errorf("closed account: %+v", c)
	}
	if k := e.mustUser(t, keep.ID); k.Closed() || k.ExtraMinutes != 30 {
		t.Errorf("kept account: %+v", k)
	}

	page, err := e.svc.Audit(ctx, AuditQuery{Action: string(model.ActionUserMerge)})
	if err != nil || len(page.Entries) != 1 {
		t.Fatalf("audit: %v, %v", page, err)
	}
	entry := page.Entries[0]
	before, after := entry.Detail["before"].(map[string]any), entry.Detail["after"].(map[string]any)
	if entry.Subject != "ana+2@ejemplo.mx" || entry.Detail["kept"].(map[string]any)["id"] != float64(keep.ID) ||
		before["closed"].(map[string]any)["passed"] != 1.0 || before["kept"].(map[string]any)["failed"] != 1.0 ||
		after["kept"].(map[string]any)["passed"] != 1.0 || after["closed"].(map[string]any)["passed"] != 0.0 ||
		after["merged_into"] != float64(keep.ID) || before["closed_at"] != nil || after["kept_extra_minutes"] != 30.0 ||
		entry.Detail["moved"].(map[string]any)["certificates"] != 1.0 {
		t.Errorf("audit entry %+v", entry)
	}

	// Once closed, an account is not joined again, nor into.
	other := e.candidate(t, "Ana L.", "ana3@ejemplo.mx", "Puebla")
	for _, pair := range [][2]int64{{keep.ID, closed.ID}, {closed.ID, other.ID}} {
		if _, err := e.svc.Merge(ctx, 0, pair[0], pair[1]); !errors.Is(err, ErrMergeClosed) {
			t.Errorf("merge %v: %v", pair, err)
		}
	}
	// A third account joined later points at the live one, never at a
	// closed one.
	if _, err := e.svc.Merge(ctx, 0, other.ID, keep.ID); err != nil {
		t.Fatal(err)
	}
	if c := e.mustUser(t, closed.ID); c.MergedInto != other.ID {
		t.Errorf("the first closed account points at %d, want %d", c.MergedInto, other.ID)
	}
}

// After a merge the exam rules are the person's: a fail on the closed
// account an hour ago starts the cool-down on the kept one, and a pass on
// either ends the retakes.
func TestCooldownAppliesAfterMerge(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := e.candidate(t, "Luis Pérez", "luis@ejemplo.mx", "Yucatán")
	b := e.candidate(t, "Luis Perez", "luis.perez@ejemplo.mx", "Yucatán")
	e.exam(t, b, false)
	e.clock.Advance(time.Hour)
	if el, err := e.attempts.Eligibility(ctx, a.ID, e.track); err != nil || el.Kind != exam.CanStart {
		t.Fatalf("before the merge A may start: %+v, %v", el, err)
	}
	if _, err := e.svc.Merge(ctx, 0, a.ID, b.ID); err != nil {
		t.Fatal(err)
	}
	el, err := e.attempts.Eligibility(ctx, a.ID, e.track)
	if err != nil || el.Kind != exam.CoolingOff {
		t.Fatalf("after the merge: %+v, %v", el, err)
	}
	if _, err := e.attempts.Start(ctx, e.mustUser(t, a.ID), e.track, content.Versions{Content: "v1"}, a.Name); !errors.Is(err, attempt.ErrCoolingOff) {
		t.Fatalf("start during the cool-down: %v", err)
	}
	e.clock.Advance(e.track.Rules.RetakeAfter)
	e.exam(t, a, true)

	c := e.candidate(t, "Luis Pérez", "luis+3@ejemplo.mx", "Yucatán")
	if _, err := e.svc.Merge(ctx, 0, c.ID, a.ID); err != nil {
		t.Fatal(err)
	}
	if el, err := e.attempts.Eligibility(ctx, c.ID, e.track); err != nil || el.Kind != exam.Certified {
		t.Errorf("a pass on a joined account: %+v, %v", el, err)
	}
}

func TestMergeRefusals(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	start := func(u *model.User) *model.Attempt {
		t.Helper()
		a, err := e.attempts.Start(ctx, u, e.track, content.Versions{Content: "v1"}, u.Name)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	open1 := e.candidate(t, "Eva Ruiz", "eva@ejemplo.mx", "Sonora")
	open2 := e.candidate(t, "Eva Ruiz", "eva+2@ejemplo.mx", "Sonora")
	start(open1)
	start(open2)
	cert1 := e.candidate(t, "Raúl Díaz", "raul@ejemplo.mx", "Sonora")
	cert2 := e.candidate(t, "Raul Diaz", "raul+2@ejemplo.mx", "Sonora")
	e.exam(t, cert1, true)
	e.exam(t, cert2, true)
	holder := e.candidate(t, "Inés Mora", "ines@ejemplo.mx", "Sonora")
	taker := e.candidate(t, "Ines Mora", "ines+2@ejemplo.mx", "Sonora")
	e.exam(t, holder, true)
	start(taker)
	adminUser := &model.User{Email: "admin@mxos.mx", EmailNorm: "admin@mxos.mx", Name: "Admin", PasswordHash: "x", Role: model.RoleAdmin}
	if err := e.db.Transact(ctx, func(tx *store.Tx) error { return tx.CreateUser(adminUser) }); err != nil {
		t.Fatal(err)
	}

	attemptsBefore := map[int64]int{}
	for _, u := range []*model.User{open1, open2, cert1, cert2, holder, taker, adminUser} {
		attemptsBefore[u.ID] = len(e.mustAttempts(t, u))
	}
	for _, tc := range []struct {
		name        string
		keep, close int64
		want        error
	}{
		{"both in progress", open1.ID, open2.ID, ErrMergeBothOpen},
		{"two valid certificates", cert1.ID, cert2.ID, ErrMergeTwoValid},
		{"two valid certificates, the other way", cert2.ID, cert1.ID, ErrMergeTwoValid},
		{"an exam in progress of a certificate held", holder.ID, taker.ID, ErrMergeOpenValid},
		{"a certificate held and an exam in progress", taker.ID, holder.ID, ErrMergeOpenValid},
		{"itself", open1.ID, open1.ID, ErrMergeSelf},
		{"an administrator", adminUser.ID, open1.ID, ErrMergeAdmin},
		{"nobody", open1.ID, 9999, store.ErrNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := e.svc.Merge(ctx, 0, tc.keep, tc.close); !errors.Is(err, tc.want) {
				t.Fatalf("merge: %v, want %v", err, tc.want)
			}
			for _, id := range []int64{tc.keep, tc.close} {
				if u, err := e.db.UserByID(ctx, id); err == nil && (u.Closed() || len(e.mustAttempts(t, u)) != attemptsBefore[id]) {
					t.Errorf("a refused merge changed account %d: %+v", id, u)
				}
			}
		})
	}
	plan, err := e.svc.PlanMerge(ctx, cert1.ID, cert2.ID)
	if err != nil || !errors.Is(plan.Refusal, ErrMergeTwoValid) || plan.KeepActivity.ValidCertificates != 1 {
		t.Errorf("plan: %+v, %v", plan, err)
	}

	// An exam whose time ran out is not in progress: it is scored, and
	// the merge goes ahead.
	e.clock.Advance(2 * time.Hour)
	if _, err := e.svc.Merge(ctx, 0, open1.ID, open2.ID); err != nil {
		t.Fatalf("after the deadlines: %v", err)
	}
	for _, a := range e.mustAttempts(t, open1) {
		if a.Open() {
			t.Errorf("attempt %s still open", a.ID)
		}
	}
}

func (e *env) listing(t *testing.T, u *model.User, business string) int64 {
	t.Helper()
	l := &model.Listing{UserID: u.ID, ConsentAt: e.clock.Now(), NoticeVersion: "1", BusinessName: business, State: "21",
		Municipios: []string{"21114"}, Services: []string{"instalacion"}, Modes: []string{"domicilio"}, Languages: []string{"es"}}
	if err := e.db.Transact(context.Background(), func(tx *store.Tx) error { return tx.SaveListing(l, business) }); err != nil {
		t.Fatal(err)
	}
	return l.ID
}

// A directory listing follows its person into the kept account; when both
// accounts have one, the kept account's stays and the other is deleted
// with its data, never left orphaned on a closed account.
func TestMergeMovesTheDirectoryListing(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	keep := e.candidate(t, "Ana López", "ana@ejemplo.mx", "Puebla")
	closed := e.candidate(t, "Ana Lopez", "ana+2@ejemplo.mx", "Puebla")
	moved := e.listing(t, closed, "Soporte Ana")
	if _, err := e.svc.Merge(ctx, 0, keep.ID, closed.ID); err != nil {
		t.Fatal(err)
	}
	if l, err := e.db.ListingByUser(ctx, keep.ID); err != nil || l.ID != moved || l.BusinessName != "Soporte Ana" {
		t.Fatalf("kept account's listing = %+v, %v; want listing %d moved", l, err, moved)
	}
	if _, err := e.db.ListingByUser(ctx, closed.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("closed account still has a listing: %v", err)
	}

	// Both accounts with a listing: the kept one's stays.
	other := e.candidate(t, "Ana López Ruiz", "ana+3@ejemplo.mx", "Puebla")
	dropped := e.listing(t, other, "Otro negocio")
	if rows, err := e.db.ListingRows(ctx, dropped); err != nil || rows["directory_listing_terms"] == 0 || rows["directory_listing_places"] == 0 {
		t.Fatalf("listing %d before the merge: %v, %v", dropped, rows, err)
	}
	if _, err := e.svc.Merge(ctx, 0, keep.ID, other.ID); err != nil {
		t.Fatal(err)
	}
	if l, err := e.db.ListingByUser(ctx, keep.ID); err != nil || l.ID != moved {
		t.Errorf("kept account's listing = %+v, %v; want %d unchanged", l, err, moved)
	}
	if rows, err := e.db.ListingRows(ctx, dropped); err != nil || rows["directory_listings"] != 0 || rows["directory_listing_terms"] != 0 || rows["directory_listing_places"] != 0 {
		t.Errorf("the closed account's listing left rows: %v, %v", rows, err)
	}
}
