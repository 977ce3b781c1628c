package admin

import (
	"context"
	"slices"
	"strconv"
	"testing"
	"time"
)

func TestNameKey(t *testing.T) {
	for _, tc := range []struct{ name, a, b string }{
		{"accents", "José Núñez Peña", "Jose Nunez Pena"},
		{"case", "ANA LÓPEZ", "ana lópez"},
		{"spaces", "  Ana   López ", "Ana López"},
		{"decomposed accent", "Jose\u0301 Pe\u0303na", "José Peña"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if NameKey(tc.a) != NameKey(tc.b) {
				t.Errorf("NameKey(%q) = %q, NameKey(%q) = %q", tc.a, NameKey(tc.a), tc.b, NameKey(tc.b))
			}
		})
	}
	if NameKey("Ana López") == NameKey("Ana Lopes") {
		t.Error("two names meet")
	}
}

func TestEmailKey(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"case", "Ana@Ejemplo.MX", "ana@ejemplo.mx"},
		{"tag", "ana+cert@ejemplo.mx", "ana@ejemplo.mx"},
		{"dots elsewhere stay", "ana.lopez@ejemplo.mx", "ana.lopez@ejemplo.mx"},
		{"gmail dots", "ana.lo.pez@gmail.com", "analopez@gmail.com"},
		{"googlemail", "Ana.Lopez+mxos@googlemail.com", "analopez@gmail.com"},
		{"leading plus is the name", "+ana@ejemplo.mx", "+ana@ejemplo.mx"},
		{"no at sign", "nadie", "nadie"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := EmailKey(tc.in); got != tc.want {
				t.Errorf("EmailKey(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestDuplicatesFindsOnePersonNotNamesakes(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	jose := e.candidate(t, "José Núñez", "jose@ejemplo.mx", "Oaxaca")
	e.clock.Advance(time.Hour)
	jose2 := e.candidate(t, "jose  NUNEZ", "jnunez@otro.mx", "Oaxaca")
	e.candidate(t, "José Núñez", "jose.nunez@ejemplo.mx", "Jalisco") // a namesake in another state
	e.candidate(t, "Pedro Ruiz", "pedro@ejemplo.mx", "")
	e.candidate(t, "Pedro Ruiz", "pruiz@ejemplo.mx", "") // no state: a name alone is not enough
	e.candidate(t, "María Gómez", "maria@ejemplo.mx", "Oaxaca")
	e.clock.Advance(time.Hour)
	ana := e.candidate(t, "Ana López", "ana.lopez@gmail.com", "Puebla")
	ana2 := e.candidate(t, "Ana Lopez Ortiz", "AnaLopez+mxos@googlemail.com", "Sonora")
	luis := e.candidate(t, "Luis Pérez", "luis@ejemplo.mx", "Yucatán")
	luis2 := e.candidate(t, "L. Pérez", "luis+examen@ejemplo.mx", "Campeche")
	e.exam(t, jose2, false)

	d, err := e.svc.Duplicates(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	var got [][]int64
	for _, g := range d.Groups {
		var ids []int64
		for _, a := range g.Accounts {
			ids = append(ids, a.ID)
		}
		got = append(got, ids)
	}
	// Newest group first; accounts oldest first.
	want := [][]int64{{luis.ID, luis2.ID}, {ana.ID, ana2.ID}, {jose.ID, jose2.ID}}
	if !slices.EqualFunc(got, want, slices.Equal) || d.Total != 3 || d.Pages != 1 {
		t.Fatalf("groups %v (total %d), want %v", got, d.Total, want)
	}
	if g := d.Groups[2]; !g.SameName || g.SameEmail {
		t.Errorf("name group reasons: %+v", g)
	}
	if g := d.Groups[1]; g.SameName || !g.SameEmail {
		t.Errorf("e-mail group reasons: %+v", g)
	}
	if a := d.Groups[2].Accounts[1].Activity; a.Failed != 1 || a.Passed != 0 || a.InProgress != 0 {
		t.Errorf("activity of the account that failed: %+v", a)
	}

	// Once joined, a group is no longer a possible duplicate.
	if _, err := e.svc.Merge(ctx, 0, jose.ID, jose2.ID); err != nil {
		t.Fatal(err)
	}
	if d, err = e.svc.Duplicates(ctx, 1); err != nil || d.Total != 2 {
		t.Errorf("after the merge: %d groups, %v", d.Total, err)
	}
}

func TestDuplicatesPages(t *testing.T) {
	e := newEnv(t)
	for i := range duplicatesPage + 3 {
		name := "Persona " + string(rune('A'+i%26)) + string(rune('a'+i/26))
		e.candidate(t, name, "p"+strconv.Itoa(i)+"@ejemplo.mx", "Oaxaca")
		e.candidate(t, name, "q"+strconv.Itoa(i)+"@ejemplo.mx", "Oaxaca")
	}
	d, err := e.svc.Duplicates(context.Background(), 2)
	if err != nil {
		t.Fatal(err)
	}
	if d.Total != duplicatesPage+3 || d.Pages != 2 || d.Page != 2 || len(d.Groups) != 3 {
		t.Errorf("page 2: total %d, pages %d, page %d, %d groups", d.Total, d.Pages, d.Page, len(d.Groups))
	}
	if d, _ = e.svc.Duplicates(context.Background(), 99); d.Page != 2 {
		t.Errorf("a page past the end shows page %d", d.Page)
	}
}
