package admin

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"mxcert/internal/attempt"
	"mxcert/internal/certificate"
	"mxcert/internal/clocktest"
	"mxcert/internal/content"
	"mxcert/internal/model"
	"mxcert/internal/store"
	"mxcert/internal/storetest"
)

// env is the console's service over the example track and a real SQLite
// database in a temporary directory, with a clock the test sets.
type env struct {
	svc      *Service
	db       *store.DB
	clock    *clocktest.Fake
	track    *content.Track
	attempts *attempt.Service
	certs    *certificate.Service
}

func mexico(t testing.TB) *time.Location {
	t.Helper()
	zone, err := time.LoadLocation("America/Mexico_City")
	if err != nil {
		t.Fatal(err)
	}
	return zone
}

func newEnv(t *testing.T) *env {
	t.Helper()
	cat, report, err := content.LoadDir("../content/testdata/content", content.Options{})
	if err != nil || report.HasErrors() {
		t.Fatal(err, report.Errors())
	}
	c := clocktest.New()
	db := storetest.Open(t, store.WithClock(c.Now))
	keyDir := t.TempDir()
	key, err := certificate.LoadOrCreateKey(keyDir+"/signing.key", false)
	if err != nil {
		t.Fatal(err)
	}
	zone := mexico(t)
	catalog := func() *content.Catalog { return cat }
	certs := certificate.NewService(db, key, keyDir, "https://certificacion.example", catalog, c.Now, zone)
	attempts := attempt.New(db, c.Now, catalog, certs, slog.New(slog.NewTextHandler(io.Discard, nil)))
	return &env{svc: New(db, catalog, attempts, c.Now, zone), db: db, clock: c, track: cat.Track("ejemplo"), attempts: attempts, certs: certs}
}

// candidate registers a candidate now.
func (e *env) candidate(t *testing.T, name, email, state string) *model.User {
	t.Helper()
	u := &model.User{Email: email, EmailNorm: strings.ToLower(email), Name: name, State: state, PasswordHash: "x", EmailVerifiedAt: &time.Time{}} // a confirmed address, stamped when stored
	if err := e.db.Transact(context.Background(), func(tx *store.Tx) error { return tx.CreateUser(u) }); err != nil {
		t.Fatal(err)
	}
	return u
}

// exam has u take the example exam now, answering every question right
// (pass) or wrong, and hand it in.
func (e *env) exam(t *testing.T, u *model.User, pass bool) *model.Attempt {
	t.Helper()
	ctx := context.Background()
	a, err := e.attempts.Start(ctx, u, e.track, content.Versions{Content: "v1"}, u.Name)
	if err != nil {
		t.Fatal(err)
	}
	for i, it := range a.Items {
		answer := it.Item.Key()
		if !pass {
			answer = nil
			for j := range it.Item.Options {
				if !slices.Contains(it.Item.Key(), j) {
					answer = []int{j}
					break
				}
			}
		}
		if _, err := e.attempts.Save(ctx, u.ID, attempt.Answer{AttemptID: a.ID, Position: i, QuestionID: a.Items[i].Item.QuestionID, Options: answer, Known: a.Seq}); err != nil {
			t.Fatal(err)
		}
	}
	if a, err = e.attempts.Finalize(ctx, u.ID, a.ID, "submitted"); err != nil {
		t.Fatal(err)
	}
	if a.Status != map[bool]model.AttemptStatus{true: model.AttemptPassed, false: model.AttemptFailed}[pass] {
		t.Fatalf("attempt of %s ended %s", u.Name, a.Status)
	}
	return a
}

// mustAttempts lists u's attempts, newest first.
func (e *env) mustAttempts(t *testing.T, u *model.User) []*model.Attempt {
	t.Helper()
	as, err := e.db.UserAttempts(context.Background(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return as
}
