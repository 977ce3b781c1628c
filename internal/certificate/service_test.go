package certificate

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"mxcert/internal/attempt"
	"mxcert/internal/content"
	"mxcert/internal/mail"
	"mxcert/internal/model"
	"mxcert/internal/store"
	"mxcert/internal/storetest"
)

// passedCandidate passes the example track's exam for a new candidate on a
// real database, so the service issues a certificate the way it does in
// production.
func passedCandidate(t *testing.T) (*Service, *model.User, *model.Attempt, *time.Time) {
	t.Helper()
	ctx := context.Background()
	cat, report, err := content.LoadDir("../content/testdata/content", content.Options{})
	if err != nil || report.HasErrors() {
		t.Fatal(err, report.Errors())
	}
	now := time.Date(2026, 11, 28, 18, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	db := storetest.Open(t, store.WithClock(clock))
	key, dir := testKey(t)
	catalog := func() *content.Catalog { return cat }
	certs := NewService(db, key, dir, "https://certificacion.example", catalog, clock, time.UTC)
	attempts := attempt.New(db, clock, catalog, certs, slog.New(slog.NewTextHandler(io.Discard, nil)))
	composer := mail.NewComposer(mail.Templates, "https://certificacion.example").WithContact("certificacion@mxos.example")
	certs.NotifyWith(composer)
	attempts.NotifyWith(composer)
	u := &model.User{Email: "jose@ejemplo.mx", EmailNorm: "jose@ejemplo.mx", Name: "Jose Nunez", PasswordHash: "x", EmailVerifiedAt: &time.Time{}} // a confirmed address, stamped when stored
	if err := db.Transact(ctx, func(tx *store.Tx) error { return tx.CreateUser(u) }); err != nil {
		t.Fatal(err)
	}
	a, err := attempts.Start(ctx, u, cat.Track("ejemplo"), content.Versions{Content: "v1"}, u.Name)
	if err != nil {
		t.Fatal(err)
	}
	for i, it := range a.Items {
		if _, err := attempts.Save(ctx, u.ID, attempt.Answer{AttemptID: a.ID, Position: i, QuestionID: it.Item.QuestionID, Options: it.Item.Key(), Known: a.Seq}); err != nil {
			t.Fatal(err)
		}
	}
	if a, err = attempts.Finalize(ctx, u.ID, a.ID, "submitted"); err != nil || a.Status != model.AttemptPassed {
		t.Fatalf("finalize: %v %v", a, err)
	}
	return certs, u, a, &now
}

func TestLookUps(t *testing.T) {
	ctx := context.Background()
	certs, u, a, now := passedCandidate(t)
	first, err := certs.ByAttempt(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := certs.ByID(ctx, first.ID); err != nil || got.Code != first.Code {
		t.Fatalf("ByID(%s) = %v, %v", first.ID, got, err)
	}
	if _, err := certs.Replacement(ctx, first); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Replacement of a certificate never replaced: %v, want ErrNotFound", err)
	}

	*now = now.Add(time.Hour)
	reissued, err := certs.CorrectName(ctx, 0, u.ID, "José Núñez")
	if err != nil || len(reissued) != 1 {
		t.Fatalf("CorrectName: %v %v", reissued, err)
	}
	old, err := certs.ByID(ctx, first.ID)
	if err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name string
		get  func() (*model.Certificate, error)
		want string // certificate id; "" for not found
	}{
		{"by id, superseded", func() (*model.Certificate, error) { return certs.ByID(ctx, first.ID) }, first.ID},
		{"by id, unknown", func() (*model.Certificate, error) { return certs.ByID(ctx, "no-such-id") }, ""},
		{"by attempt gives the re-issued one", func() (*model.Certificate, error) { return certs.ByAttempt(ctx, a.ID) }, reissued[0].ID},
		{"by attempt, none earned", func() (*model.Certificate, error) { return certs.ByAttempt(ctx, "no-such-attempt") }, ""},
		{"replacement of the superseded one", func() (*model.Certificate, error) { return certs.Replacement(ctx, old) }, reissued[0].ID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.get()
			if tc.want == "" {
				if !errors.Is(err, store.ErrNotFound) {
					t.Errorf("got %v, %v; want ErrNotFound", got, err)
				}
				return
			}
			if err != nil || got.ID != tc.want {
				t.Errorf("got %v, %v; want certificate %s", got, err, tc.want)
			}
		})
	}

	t.Run("a user's certificates, newest first", func(t *testing.T) {
		list, err := certs.OfUser(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 || list[0].ID != reissued[0].ID || list[1].ID != first.ID {
			t.Errorf("OfUser = %v", list)
		}
		if none, err := certs.OfUser(ctx, u.ID+1); err != nil || len(none) != 0 {
			t.Errorf("OfUser of someone without certificates = %v, %v", none, err)
		}
	})
}
