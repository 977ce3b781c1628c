package admin

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"mxcert/internal/store"
	"mxcert/internal/study"
)

func TestSearch(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	jose := e.candidate(t, "José Núñez", "jose@ejemplo.mx", "Oaxaca")
	e.clock.Set(e.clock.Now().Add(time.Minute))
	e.candidate(t, "Ana López", "ana_lopez@ejemplo.mx", "Jalisco")
	e.clock.Set(e.clock.Now().Add(time.Minute))
	e.candidate(t, "Luis 100% Pérez", "luis@otro.mx", "")
	e.exam(t, jose, true)
	cert, err := e.certs.ByAttempt(ctx, e.mustAttempts(t, jose)[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		q    string
		want []string // e-mails, newest account first
	}{
		{"part of a name, any case", "  núñez ", []string{"jose@ejemplo.mx"}},
		{"part of an e-mail", "EJEMPLO.MX", []string{"ana_lopez@ejemplo.mx", "jose@ejemplo.mx"}},
		{"a code as printed", cert.Code, []string{"jose@ejemplo.mx"}},
		{"a code as read over the phone", strings.ToLower(strings.ReplaceAll(cert.Code, "-", "")), []string{"jose@ejemplo.mx"}},
		{"an underscore is a character, not a wildcard", "a_l", []string{"ana_lopez@ejemplo.mx"}},
		{"a percent sign is a character, not a wildcard", "%", []string{"luis@otro.mx"}},
		{"nobody", "nadie", nil},
		{"empty lists everyone, newest first", "", []string{"luis@otro.mx", "ana_lopez@ejemplo.mx", "jose@ejemplo.mx"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := e.svc.Search(ctx, tc.q)
			if err != nil {
				t.Fatal(err)
			}
			var emails []string
			for _, u := range got {
				emails = append(emails, u.Email)
			}
			if strings.Join(emails, " ") != strings.Join(tc.want, " ") {
				t.Errorf("Search(%q) = %v, want %v", tc.q, emails, tc.want)
			}
		})
	}
	got, err := e.svc.Search(ctx, "jose")
	if err != nil || len(got) != 1 || got[0].Attempts != 1 || got[0].Passed != 1 {
		t.Errorf("attempt counts in the search: %+v, %v", got, err)
	}
}

func TestCandidate(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	u := e.candidate(t, "Ana López", "ana@ejemplo.mx", "Oaxaca")
	if _, err := study.New(e.db, e.clock.Now).StartQuiz(ctx, u.ID, e.track, "v1", "arranque"); err != nil {
		t.Fatal(err)
	}
	failed := e.exam(t, u, false)
	e.clock.Set(e.clock.Now().Add(25 * time.Hour)) // past the cool-down
	passed := e.exam(t, u, true)

	c, err := e.svc.Candidate(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if c.User.Email != "ana@ejemplo.mx" {
		t.Errorf("user = %+v", c.User)
	}
	if len(c.Attempts) != 2 || c.Attempts[0].ID != passed.ID || c.Attempts[1].ID != failed.ID {
		t.Fatalf("attempts = %+v", c.Attempts)
	}
	for _, tc := range []struct {
		name    string
		rec     AttemptRecord
		correct int
	}{
		{"passed", c.Attempts[0], 1},
		{"failed", c.Attempts[1], 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.rec.Result.Total != 2 || tc.rec.Result.Correct != 2*tc.correct {
				t.Errorf("result = %+v", tc.rec.Result)
			}
			if len(tc.rec.Domains) != 2 {
				t.Fatalf("domains = %+v", tc.rec.Domains)
			}
			for i, want := range []string{"El arranque del equipo", "Primeros pasos en la terminal"} {
				d := tc.rec.Domains[i]
				if d.Title != want || d.Module == nil || d.Total != 1 || d.Correct != tc.correct {
					t.Errorf("domain %d = %+v, want title %q", i, d, want)
				}
			}
		})
	}
	if len(c.Certificates) != 1 || c.Certificates[0].AttemptID != passed.ID {
		t.Errorf("certificates = %+v", c.Certificates)
	}
	if len(c.Practice) != 1 || c.Practice[0].Domain != "arranque" {
		t.Errorf("practice = %+v", c.Practice)
	}

	if _, err := e.svc.Candidate(ctx, u.ID+100); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("an unknown candidate: %v, want ErrNotFound", err)
	}
	if a, err := e.svc.Attempt(ctx, failed.ID); err != nil || a.UserID != u.ID {
		t.Errorf("Attempt(%s) = %+v, %v", failed.ID, a, err)
	}
}
