package admin

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"mxcert/internal/content"
	"mxcert/internal/model"
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

// Search understands Spanish names: accents and letter case never decide,
// every word must match something, and part of a certificate code is
// enough.
func TestFindSpanishNames(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	jose := e.candidate(t, "José Ñúñez", "jnunez@ejemplo.mx", "Ciudad de México")
	e.candidate(t, "María Ramírez", "maria@ejemplo.mx", "Nuevo León")
	e.candidate(t, "Pedro Ávila", "pedro@ejemplo.mx", "Yucatán")
	e.candidate(t, "Nuria Nieto", "nuria@ejemplo.mx", "Yucatán")
	e.exam(t, jose, true)
	cert, err := e.certs.ByAttempt(ctx, e.mustAttempts(t, jose)[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	group := strings.Split(cert.Code, "-")[1] // "7K4Q" of "SB-7K4Q-9XTP-M2HW"
	for _, tc := range []struct {
		name, q string
		want    []string // names, A to Z
	}{
		{"ramirez finds Ramírez", "ramirez", []string{"María Ramírez"}},
		{"nunez finds Ñúñez", "nunez", []string{"José Ñúñez"}},
		{"avila finds Ávila", "avila", []string{"Pedro Ávila"}},
		{"capitals without accents", "AVILA", []string{"Pedro Ávila"}},
		{"the exact name with its accents", "Ñúñez", []string{"José Ñúñez"}},
		{"accents typed where the name has none", "Núría", []string{"Nuria Nieto"}},
		{"two words, both must match", "jose nunez", []string{"José Ñúñez"}},
		{"two words in any order", "ñúñez JOSÉ", []string{"José Ñúñez"}},
		{"two words, one matches nobody", "jose ramirez", nil},
		{"a word of the state", "yucatan", []string{"Nuria Nieto", "Pedro Ávila"}},
		{"a state with its accent, and a name", "León maría", []string{"María Ramírez"}},
		{"part of a code", group, []string{"José Ñúñez"}},
		{"part of a code, lower case with its prefix", strings.ToLower(strings.Join(strings.Split(cert.Code, "-")[:2], "-")), []string{"José Ñúñez"}},
		{"the whole code", cert.Code, []string{"José Ñúñez"}},
		{"part of a code and a name", group + " jose", []string{"José Ñúñez"}},
		{"part of a code and another name", group + " pedro", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := e.svc.Find(ctx, SearchQuery{Text: tc.q, Sort: model.SortName})
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, u := range p.Results {
				names = append(names, u.Name)
			}
			if strings.Join(names, "|") != strings.Join(tc.want, "|") || p.Total != len(tc.want) {
				t.Errorf("Find(%q) = %q (total %d), want %q", tc.q, names, p.Total, tc.want)
			}
		})
	}
}

// A changed name is found by its new spelling and no longer by the old
// one, however it was changed.
func TestFindAfterNameChange(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	u := e.candidate(t, "Jose Nunez", "j@ejemplo.mx", "Oaxaca")
	if err := e.db.Transact(ctx, func(tx *store.Tx) error { return tx.SetName(u.ID, "Josefina Ávila") }); err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string]int{"nunez": 0, "avila": 1, "josefina": 1} {
		if p, err := e.svc.Find(ctx, SearchQuery{Text: q}); err != nil || p.Total != want {
			t.Errorf("Find(%q) after the change: %+v, %v; want %d", q, p, err, want)
		}
	}
}

// The list filters by situation, state and registration date, sorts and
// pages.
func TestFindFiltersSortsPages(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	start := e.clock.Now()
	passed := e.candidate(t, "Beatriz Zúñiga", "b@ejemplo.mx", "Oaxaca")
	e.exam(t, passed, true)
	e.clock.Set(start.Add(48 * time.Hour))
	failed := e.candidate(t, "Álvaro Ruiz", "a@ejemplo.mx", "Jalisco")
	e.exam(t, failed, false)
	e.clock.Set(start.Add(96 * time.Hour))
	running := e.candidate(t, "Carla Díaz", "c@ejemplo.mx", "Oaxaca")
	if _, err := e.attempts.Start(ctx, running, e.track, content.Versions{Content: "v1"}, running.Name); err != nil {
		t.Fatal(err)
	}
	names := func(q SearchQuery) string {
		t.Helper()
		p, err := e.svc.Find(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, u := range p.Results {
			out = append(out, u.Name)
		}
		return strings.Join(out, "|")
	}
	day := func(d time.Duration) time.Time { return start.Add(d).In(e.svc.zone) }
	for _, tc := range []struct {
		name string
		q    SearchQuery
		want string
	}{
		{"newest first by default", SearchQuery{}, "Carla Díaz|Álvaro Ruiz|Beatriz Zúñiga"},
		{"oldest first", SearchQuery{Sort: model.SortOldest}, "Beatriz Zúñiga|Álvaro Ruiz|Carla Díaz"},
		{"by name, the accent of Álvaro ignored", SearchQuery{Sort: model.SortName}, "Álvaro Ruiz|Beatriz Zúñiga|Carla Díaz"},
		{"by state, then name", SearchQuery{Sort: model.SortState}, "Álvaro Ruiz|Beatriz Zúñiga|Carla Díaz"},
		{"in progress", SearchQuery{Situation: model.SituationInProgress}, "Carla Díaz"},
		{"failed", SearchQuery{Situation: model.SituationFailed}, "Álvaro Ruiz"},
		{"passed", SearchQuery{Situation: model.SituationPassed}, "Beatriz Zúñiga"},
		{"certified", SearchQuery{Situation: model.SituationCertified}, "Beatriz Zúñiga"},
		{"revoked: nobody", SearchQuery{Situation: model.SituationRevoked}, ""},
		{"open candidate accounts", SearchQuery{Situation: model.SituationOpen, Sort: model.SortName}, "Álvaro Ruiz|Beatriz Zúñiga|Carla Díaz"},
		{"one state", SearchQuery{State: "Oaxaca", Sort: model.SortName}, "Beatriz Zúñiga|Carla Díaz"},
		{"registered from a day on, that day included", SearchQuery{From: day(48 * time.Hour)}, "Carla Díaz|Álvaro Ruiz"},
		{"registered up to a day, that day included", SearchQuery{To: day(48 * time.Hour)}, "Álvaro Ruiz|Beatriz Zúñiga"},
		{"a state and a situation", SearchQuery{State: "Oaxaca", Situation: model.SituationCertified}, "Beatriz Zúñiga"},
		{"text and a filter", SearchQuery{Text: "zuniga", Situation: model.SituationFailed}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := names(tc.q); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}

	// 60 accounts in all: three pages of 25, and a page past the end
	// shows the last.
	for i := range 57 {
		e.candidate(t, fmt.Sprintf("Persona %02d", i), fmt.Sprintf("p%02d@ejemplo.mx", i), "Sonora")
	}
	p, err := e.svc.Find(ctx, SearchQuery{Page: 2, Sort: model.SortName})
	if err != nil {
		t.Fatal(err)
	}
	if p.Total != 60 || p.Pages != 3 || p.Page != 2 || len(p.Results) != 25 || p.Results[0].Name != "Persona 22" {
		t.Errorf("page 2: total %d, pages %d, page %d, %d rows, first %q", p.Total, p.Pages, p.Page, len(p.Results), p.Results[0].Name)
	}
	if p, err = e.svc.Find(ctx, SearchQuery{Page: 9}); err != nil || p.Page != 3 || len(p.Results) != 10 {
		t.Errorf("page 9: %+v, %v", p, err)
	}
}
