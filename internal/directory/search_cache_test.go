package directory_test

import (
	"context"
	"slices"
	"testing"

	"mxcert/internal/directory"
)

// Searches asked again find what searching afresh would: a listing
// revoked, hidden, unpublished or edited out of a search is never served
// again, even to a search asked just before, and an edit that makes a
// listing match is seen by the next search.
func TestRepeatedSearchesFollowEveryChange(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	ua, _ := e.certified(t, "Ana Ramos")
	first := input()
	first.BusinessName, first.Services, first.Description = "", []string{"instalacion"}, "Impresoras y redes."
	e.publish(t, ua, first)
	e.listingIn(t, "Beto Ramos", "20", []string{"20067"}, []string{"instalacion"}, "Impresoras.")
	uc, cc := e.certified(t, "Carla Ramos")
	in := input()
	in.BusinessName, in.Description = "", "Impresoras en Oaxaca."
	e.publish(t, uc, in)

	searches := map[string]directory.Query{
		"all":     {},
		"state":   {State: "oaxaca"},
		"place":   {State: "oaxaca", Municipio: "oaxaca-de-juarez"},
		"service": {Service: "instalacion"},
		"word":    {Text: "impresoras"},
		"words":   {Text: "impresoras ramos"},
		"name":    {Text: "ramos"},
		"exact":   {Text: "oaxaca de juarez"},
	}
	expect := func(step string, want map[string][]string) {
		t.Helper()
		for range 2 { // the second time from what the first found
			for name, q := range searches {
				r := e.search(t, q)
				got := names(r)
				slices.Sort(got)
				if !slices.Equal(got, want[name]) || r.Total != len(want[name]) {
					t.Errorf("%s, %s: got %q (total %d), want %q", step, name, got, r.Total, want[name])
				}
			}
		}
	}
	all := []string{"Ana Ramos", "Beto Ramos", "Carla Ramos"}
	expect("at first", map[string][]string{"all": all, "state": all, "place": all, "service": all, "word": all, "words": all, "name": all, "exact": all})

	// Ana's edit takes her out of the word, the service and the place
	// searches, and into another.
	edit := input()
	edit.BusinessName, edit.Municipios, edit.Services, edit.Description = "", []string{"20068"}, []string{"redes"}, "Cámaras de seguridad."
	e.publish(t, ua, edit)
	searches["camaras"] = directory.Query{Text: "camaras"}
	bc := []string{"Beto Ramos", "Carla Ramos"}
	expect("after the edit", map[string][]string{"all": all, "state": all, "place": bc, "service": bc, "word": bc, "words": all, "name": all, "exact": all, // the state's name is in every listing's text
		"camaras": {"Ana Ramos"}})

	// Carla's certificate is revoked; Beto's listing is hidden; Ana
	// unpublishes hers.
	if _, err := e.Certificates.Revoke(ctx, e.admin.ID, cc.ID, "Suplantación comprobada"); err != nil {
		t.Fatal(err)
	}
	b := []string{"Beto Ramos"}
	expect("after the revocation", map[string][]string{"all": {"Ana Ramos", "Beto Ramos"}, "state": {"Ana Ramos", "Beto Ramos"}, "place": b, "service": b, "word": b,
		"words": {"Ana Ramos", "Beto Ramos"}, "name": {"Ana Ramos", "Beto Ramos"}, "exact": {"Ana Ramos", "Beto Ramos"}, "camaras": {"Ana Ramos"}})
	beto := e.search(t, directory.Query{Text: "beto"}).Listings[0]
	if err := e.dir.Hide(ctx, e.admin.ID, beto.ID, "Datos de contacto falsos"); err != nil {
		t.Fatal(err)
	}
	an := []string{"Ana Ramos"}
	expect("after hiding", map[string][]string{"all": an, "state": an, "words": an, "name": an, "exact": an, "camaras": an})
	if err := e.dir.SetPublished(ctx, ua.ID, false); err != nil {
		t.Fatal(err)
	}
	expect("after unpublishing", map[string][]string{})
}
