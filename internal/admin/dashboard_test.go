package admin

import (
	"context"
	"testing"
	"time"

	"mxcert/internal/model"
)

func TestWeeklyBuckets(t *testing.T) {
	madrid, err := time.LoadLocation("Europe/Madrid")
	if err != nil {
		t.Fatal(err)
	}
	mx := mexico(t)
	wednesday := time.Date(2026, 11, 25, 12, 0, 0, 0, mx)
	for _, tc := range []struct {
		name string
		now  time.Time
		zone *time.Location
		at   time.Time
		want string // the Monday of the week counting the event; "" for none
	}{
		{"Sunday night is last week, though Monday in UTC", wednesday, mx, time.Date(2026, 11, 22, 23, 59, 0, 0, mx), "2026-11-16"},
		{"Monday at midnight starts the week", wednesday, mx, time.Date(2026, 11, 23, 0, 0, 0, 0, mx), "2026-11-23"},
		{"now", wednesday, mx, wednesday, "2026-11-23"},
		{"the first week's first instant", wednesday, mx, time.Date(2026, 9, 7, 0, 0, 0, 0, mx), "2026-09-07"},
		{"before the first week", wednesday, mx, time.Date(2026, 9, 6, 23, 59, 59, 0, mx), ""},
		{"after the current week", wednesday, mx, time.Date(2026, 11, 30, 0, 0, 0, 0, mx), ""},
		{"end of a week that gained an hour", time.Date(2026, 11, 4, 12, 0, 0, 0, madrid), madrid, time.Date(2026, 10, 25, 23, 30, 0, 0, madrid), "2026-10-19"},
		{"start of the week after one that lost an hour", time.Date(2026, 4, 8, 12, 0, 0, 0, madrid), madrid, time.Date(2026, 3, 30, 0, 30, 0, 0, madrid), "2026-03-30"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			weeks := tally(emptyWeeks(tc.now, tc.zone), []model.Event{{At: tc.at.UTC(), Kind: "registered"}})
			if len(weeks) != chartWeeks {
				t.Fatalf("%d weeks, want %d", len(weeks), chartWeeks)
			}
			got := ""
			for i, w := range weeks {
				if start := w.Start.In(tc.zone); start.Weekday() != time.Monday || start.Hour() != 0 {
					t.Errorf("week %d starts %v, not on a Monday at midnight", i, start)
				}
				if w.Registered > 0 {
					got = w.Start.In(tc.zone).Format(time.DateOnly)
				}
			}
			if got != tc.want {
				t.Errorf("counted in the week of %q, want %q", got, tc.want)
			}
			if last := weeks[chartWeeks-1].Start; tc.now.Before(last) || !tc.now.Before(last.AddDate(0, 0, 7)) {
				t.Errorf("the last week starts %v and does not hold now (%v)", last, tc.now)
			}
		})
	}
}

func TestDashboard(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	mx := mexico(t)
	at := func(month time.Month, day, hour, minute int) {
		e.clock.Set(time.Date(2026, month, day, hour, minute, 0, 0, mx))
	}

	at(9, 6, 23, 59) // before the twelve weeks
	e.candidate(t, "Antes", "antes@ejemplo.mx", "Oaxaca")
	at(9, 7, 0, 0) // the first week's first minute
	first := e.candidate(t, "Primera", "primera@ejemplo.mx", "Oaxaca")
	e.exam(t, first, true)
	at(11, 22, 23, 59) // a Sunday night, Monday already in UTC
	sunday := e.candidate(t, "Domingo", "domingo@ejemplo.mx", "Jalisco")
	a := e.exam(t, sunday, true)
	at(11, 23, 0, 0) // Monday: the current week
	monday := e.candidate(t, "Lunes", "lunes@ejemplo.mx", "Jalisco")
	e.exam(t, monday, false)
	e.candidate(t, "Sin estado", "sin@ejemplo.mx", "")
	at(11, 25, 11, 0)
	cert, err := e.certs.ByAttempt(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.certs.Revoke(ctx, 0, cert.ID, "prueba"); err != nil {
		t.Fatal(err)
	}
	at(11, 25, 12, 0)

	d, err := e.svc.Dashboard(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if d.Totals.Candidates != 5 || d.Totals.AttemptsPassed != 2 || d.Totals.AttemptsFailed != 1 || d.Totals.CertsValid != 1 || d.Totals.CertsRevoked != 1 {
		t.Errorf("totals = %+v", d.Totals)
	}
	if d.PassRate != 66 {
		t.Errorf("pass rate = %d, want 66 (two of three, rounded down)", d.PassRate)
	}
	want := map[int]Week{
		0:  {Registered: 1, Passed: 1, Issued: 1},
		10: {Registered: 1, Passed: 1, Issued: 1},
		11: {Registered: 2, Failed: 1, Revoked: 1},
	}
	for i, w := range d.Weeks {
		w.Start = time.Time{}
		if w != want[i] {
			t.Errorf("week %d (%s) = %+v, want %+v", i, d.Weeks[i].Start.In(mx).Format(time.DateOnly), w, want[i])
		}
	}
	if got := d.Weeks[11].Start; !got.Equal(time.Date(2026, 11, 23, 0, 0, 0, 0, mx)) {
		t.Errorf("current week starts %v", got)
	}
	wantStates := []StateFigures{{"Jalisco", 2, 0}, {"Oaxaca", 2, 1}, {"", 1, 0}}
	if len(d.States) != len(wantStates) {
		t.Fatalf("states = %+v", d.States)
	}
	for i := range wantStates {
		if d.States[i] != wantStates[i] {
			t.Errorf("state %d = %+v, want %+v", i, d.States[i], wantStates[i])
		}
	}
}

// The pass rate per attempt counts every try; the rate per person counts
// each person who finished an exam once, as passed if any try passed.
func TestPassRatePerAttemptAndPerPerson(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	ana := e.candidate(t, "Ana", "ana@ejemplo.mx", "Oaxaca")
	e.exam(t, ana, false)
	e.clock.Set(e.clock.Now().Add(25 * time.Hour)) // past the cool-down
	e.exam(t, ana, true)
	beto := e.candidate(t, "Beto", "beto@ejemplo.mx", "Oaxaca")
	e.exam(t, beto, true)
	d, err := e.svc.Dashboard(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if d.PassRate != 66 || d.PeopleFinished != 2 || d.PeoplePassed != 2 || d.PeopleRate != 100 {
		t.Errorf("per attempt %d %%, per person %d of %d = %d %%; want 66 %% and 2 of 2 = 100 %%", d.PassRate, d.PeoplePassed, d.PeopleFinished, d.PeopleRate)
	}
}
