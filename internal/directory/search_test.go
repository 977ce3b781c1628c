package directory_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"mxcert/internal/directory"
	"mxcert/internal/fail"
	"mxcert/internal/model"
)

// listingIn publishes a listing for a new certified person in the given
// state and municipalities, offering services.
func (e *env) listingIn(t *testing.T, name, state string, municipios, services []string, description string) *model.Listing {
	t.Helper()
	u, _ := e.certified(t, name)
	in := input()
	in.BusinessName, in.State, in.Municipios, in.Services, in.Description = "", state, municipios, services, description
	return e.publish(t, u, in)
}

func TestSearchFiltersAndAccents(t *testing.T) {
	e := newEnv(t)
	e.listingIn(t, "Ana Oaxaqueña", "20", []string{"20067"}, []string{"instalacion"}, "Todo Oaxaca de Juárez.")
	e.listingIn(t, "Beto Valles", "20", []string{"20068", "20390"}, []string{"redes"}, "Atiendo también la capital, Oaxaca de Juárez.")
	e.listingIn(t, "Carla Neza", "15", []string{"15058"}, []string{"instalacion", "redes"}, "Soporte en Ciudad Nezahualcóyotl.")
	e.listingIn(t, "Dora Juárez", "19", []string{"19039"}, []string{"impresoras"}, "Impresoras en Monterrey.")

	tests := []struct {
		name    string
		q       directory.Query
		want    []string // in order when ordered is set
		ordered bool
	}{
		{"state by slug", directory.Query{State: "oaxaca"}, []string{"Ana Oaxaqueña", "Beto Valles"}, false},
		{"state by key", directory.Query{State: "20"}, []string{"Ana Oaxaqueña", "Beto Valles"}, false},
		{"municipality", directory.Query{State: "oaxaca", Municipio: "oaxaca-de-juarez"}, []string{"Ana Oaxaqueña"}, false},
		{"service", directory.Query{Service: "redes"}, []string{"Beto Valles", "Carla Neza"}, false},
		{"state and service", directory.Query{State: "estado-de-mexico", Service: "instalacion"}, []string{"Carla Neza"}, false},
		{"nothing in that state", directory.Query{State: "yucatan"}, nil, false},
		{"folded text", directory.Query{Text: "nezahualcoyotl"}, []string{"Carla Neza"}, false},
		{"accented text", directory.Query{Text: "Nezahualcóyotl"}, []string{"Carla Neza"}, false},
		// The exact municipality ranks first; «juárez» in another name or
		// place ranks after it; «de» counts for nothing.
		{"exact municipality first", directory.Query{Text: "oaxaca de juarez"}, []string{"Ana Oaxaqueña", "Beto Valles", "Dora Juárez"}, true},
		{"same in capitals with accents", directory.Query{Text: "OAXACA DE JUÁREZ"}, []string{"Ana Oaxaqueña", "Beto Valles", "Dora Juárez"}, true},
		{"name", directory.Query{Text: "dora"}, []string{"Dora Juárez"}, false},
		{"no match", directory.Query{Text: "plomería"}, nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := names(e.search(t, tc.q))
			if !tc.ordered {
				slices.Sort(got)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestBadFilters(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		q    directory.Query
		want error
	}{
		{directory.Query{State: "atlantida"}, directory.ErrUnknownState},
		{directory.Query{Municipio: "oaxaca-de-juarez"}, directory.ErrMunicipioNoState},
		{directory.Query{State: "jalisco", Municipio: "oaxaca-de-juarez"}, directory.ErrUnknownMunicipio},
		{directory.Query{Service: "plomeria"}, directory.ErrUnknownService},
		{directory.Query{Text: string(make([]byte, directory.QueryMax+1))}, directory.ErrQueryTooLong},
		{directory.Query{Page: directory.PageMax + 1}, directory.ErrBadPage},
		{directory.Query{Page: -1}, directory.ErrBadPage},
	} {
		_, err := e.dir.Search(t.Context(), tc.q)
		if !errors.Is(err, tc.want) || !errors.Is(err, fail.ErrInvalid) {
			t.Errorf("%+v: %v, want %v", tc.q, err, tc.want)
		}
	}
}

// The order of equals is a rotation of the day in Mexico City: the same
// all day, another the next day, and pages never repeat or skip anyone.
func TestRotationIsStableWithinADayAndChangesAcrossDays(t *testing.T) {
	e := newEnv(t)
	const n = 25 // two pages
	for i := range n {
		e.listingIn(t, fmt.Sprintf("Persona %c%c", 'A'+i/5, 'a'+i%5), "20", []string{"20067"}, []string{"instalacion"}, "")
	}
	zone := e.Zone
	order := func(at time.Time) []int64 {
		t.Helper()
		e.clock.Set(at)
		var ids []int64
		for page := 1; ; page++ {
			r := e.search(t, directory.Query{State: "oaxaca", Page: page})
			if r.Total != n || r.Pages != 2 {
				t.Fatalf("total %d pages %d", r.Total, r.Pages)
			}
			for _, l := range r.Listings {
				ids = append(ids, l.ID)
			}
			if page == r.Pages {
				return ids
			}
		}
	}
	morning := order(time.Date(2026, 3, 10, 0, 5, 0, 0, zone))
	night := order(time.Date(2026, 3, 10, 23, 55, 0, 0, zone))
	next := order(time.Date(2026, 3, 11, 0, 5, 0, 0, zone))
	if !slices.Equal(morning, night) {
		t.Errorf("the order changed within a day:\n%v\n%v", morning, night)
	}
	if slices.Equal(morning, next) {
		t.Errorf("the order did not change the next day: %v", next)
	}
	sorted := slices.Sorted(slices.Values(next))
	if len(slices.Compact(sorted)) != n {
		t.Errorf("pages repeat or skip listings: %v", next)
	}
	// The day is Mexico City's: 23:55 there is already the next day in UTC.
	if directory.RotationSeed(time.Date(2026, 3, 10, 23, 55, 0, 0, zone), zone) != directory.RotationSeed(time.Date(2026, 3, 10, 0, 5, 0, 0, zone), zone) {
		t.Error("the seed follows UTC days, not Mexico City's")
	}
	// Over a month, the first place goes round instead of staying put.
	first := map[int64]bool{}
	for d := range 30 {
		e.clock.Set(time.Date(2026, 4, 1, 12, 0, 0, 0, zone).Add(time.Duration(d) * day))
		first[e.search(t, directory.Query{}).Listings[0].ID] = true
	}
	if len(first) < 10 {
		t.Errorf("only %d different listings led the list in 30 days", len(first))
	}
}
