package directory_test

import (
	"context"
	"fmt"
	"testing"
	"time"
	_ "time/tzdata"

	"mxcert/internal/account"
	"mxcert/internal/attempt"
	"mxcert/internal/clocktest"
	"mxcert/internal/directory"
	"mxcert/internal/model"
	"mxcert/internal/pgtest"
	"mxcert/internal/services"
)

// env is every service over the example content (with the directory's
// lists) and a real SQLite database, with a clock the test moves.
type env struct {
	*services.Set
	clock *clocktest.Fake
	dir   *directory.Service
	admin *model.User
	n     int
}

func newEnv(t *testing.T) *env {
	t.Helper()
	clock := clocktest.New()
	set, err := services.Open(context.Background(), services.Config{
		DataDir: t.TempDir(), Database: pgtest.Database(t), ContentDir: "../content/testdata/content", BaseURL: "https://certificacion.example",
		Now: clock.Now, HashParams: account.HashParams{Memory: 64, Time: 1, Threads: 1},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := set.Close(); err != nil {
			t.Error(err)
		}
	})
	e := &env{Set: set, clock: clock, dir: set.Directory}
	e.admin, err = set.Accounts.CreateUser(context.Background(), account.Registration{Name: "Administradora Uno", Email: "admin@ejemplo.mx", Password: "jardín de cactus azules"}, model.RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// person registers someone, without a certificate.
func (e *env) person(t *testing.T, name string) *model.User {
	t.Helper()
	e.n++
	u, err := e.Accounts.CreateUser(context.Background(), account.Registration{Name: name, Email: fmt.Sprintf("p%d@ejemplo.mx", e.n), Password: "jardín de cactus azules"}, model.RoleCandidate)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// certified registers someone who then passes the example exam and
// holds its certificate.
func (e *env) certified(t *testing.T, name string) (*model.User, *model.Certificate) {
	t.Helper()
	ctx := context.Background()
	u := e.person(t, name)
	track := e.Catalog().Track("ejemplo")
	a, err := e.Attempts.Start(ctx, u, track, e.Catalog().Versions(), u.Name)
	if err != nil {
		t.Fatal(err)
	}
	for i, it := range a.Items {
		if _, err := e.Attempts.Save(ctx, u.ID, attempt.Answer{AttemptID: a.ID, Position: i, QuestionID: it.Item.QuestionID, Options: it.Item.Key(), Known: a.Seq}); err != nil {
			t.Fatal(err)
		}
	}
	if a, err = e.Attempts.Finalize(ctx, u.ID, a.ID, "submitted"); err != nil || a.Status != model.AttemptPassed {
		t.Fatalf("exam of %s: %v %v", name, a, err)
	}
	c, err := e.Certificates.ByAttempt(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	return u, c
}

// input is a complete listing in Oaxaca de Juárez.
func input() directory.Input {
	return directory.Input{
		Consent: true, BusinessName: "Cómputo Juárez", State: "20", Municipios: []string{"20067"},
		Services: []string{"instalacion", "redes"}, Modes: []string{"domicilio"}, Languages: []string{"es", "zap"},
		Description: "Instalo MxOS y configuro redes en casas y oficinas.",
		WhatsApp:    model.Contact{Value: "951 123 4567", Show: true},
		Phone:       model.Contact{Value: "9517654321"},
		Email:       model.Contact{Value: "privado@ejemplo.mx"},
	}
}

// publish saves in for u and publishes it.
func (e *env) publish(t *testing.T, u *model.User, in directory.Input) *model.Listing {
	t.Helper()
	l, err := e.dir.Save(context.Background(), u.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.dir.SetPublished(context.Background(), u.ID, true); err != nil {
		t.Fatal(err)
	}
	return l
}

func (e *env) search(t *testing.T, q directory.Query) *directory.Results {
	t.Helper()
	r, err := e.dir.Search(context.Background(), q)
	if err != nil {
		t.Fatalf("search %+v: %v", q, err)
	}
	return r
}

func names(r *directory.Results) []string {
	var out []string
	for _, l := range r.Listings {
		out = append(out, l.HolderName)
	}
	return out
}

var day = 24 * time.Hour
