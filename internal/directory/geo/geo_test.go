package geo

import (
	"testing"
)

func TestCatalogueCounts(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(c.States) != 32 {
		t.Fatalf("%d states, want 32", len(c.States))
	}
	total := 0
	for _, s := range c.States {
		total += len(s.Municipios)
		if len(s.Municipios) == 0 {
			t.Errorf("%s has no municipalities", s.Name)
		}
	}
	if total != 2478 {
		t.Errorf("%d municipalities, want the 2,478 of the catalogue README.md names", total)
	}
	for _, tc := range []struct {
		slug string
		n    int
	}{{"oaxaca", 570}, {"puebla", 217}, {"veracruz", 212}, {"jalisco", 125}, {"ciudad-de-mexico", 16}, {"estado-de-mexico", 125}} {
		if s := c.State(tc.slug); s == nil || len(s.Municipios) != tc.n {
			t.Errorf("state %s: %v, want %d municipalities", tc.slug, s, tc.n)
		}
	}
}

func TestLookUpsAndSlugs(t *testing.T) {
	c := MustLoad()
	oax := c.State("20")
	if oax == nil || oax != c.State("oaxaca") || oax.Name != "Oaxaca" {
		t.Fatalf("state 20: %+v", oax)
	}
	m := c.Municipio("20067")
	if m == nil || m.Name != "Oaxaca de Juárez" || m.Slug != "oaxaca-de-juarez" || m.State != oax || oax.Municipio("oaxaca-de-juarez") != m {
		t.Fatalf("20067: %+v", m)
	}
	if n := c.Municipio("15058"); n == nil || n.Name != "Nezahualcóyotl" || n.Slug != "nezahualcoyotl" {
		t.Errorf("15058: %+v", n)
	}
	if v := c.State("30"); v.OfficialName != "Veracruz de Ignacio de la Llave" || v.Slug != "veracruz" {
		t.Errorf("Veracruz: %+v", v)
	}
	// Two municipalities of Oaxaca share a name: each keeps a distinct
	// slug and label.
	a, b := c.Municipio("20208"), c.Municipio("20209")
	if a.Name != b.Name || a.Slug == b.Slug || a.Label == b.Label || oax.Municipio(a.Slug) != a {
		t.Errorf("namesakes: %+v %+v", a, b)
	}
	if c.State("atlantida") != nil || c.Municipio("99001") != nil {
		t.Error("unknown places found")
	}
	for _, s := range c.States {
		seen := map[string]bool{}
		for _, m := range s.Municipios {
			if seen[m.Slug] || m.Slug == "" {
				t.Errorf("%s: slug %q repeated or empty", s.Name, m.Slug)
			}
			seen[m.Slug] = true
		}
	}
}

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{
		"Oaxaca de Juárez": "oaxaca-de-juarez", "Gustavo A. Madero": "gustavo-a-madero",
		"  Ñuu Savi ": "nuu-savi", "Álvaro Obregón": "alvaro-obregon",
	} {
		if got := Slug(in); got != want {
			t.Errorf("Slug(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseRefusesBadData(t *testing.T) {
	ent := []byte("cve_ent,nom_ent,nombre,abreviatura,slug\n01,Uno,Uno,U.,uno\n")
	for name, mun := range map[string]string{
		"unknown state":  "cve_ent,cve_mun,nom_mun\n02,001,Dos\n",
		"repeated key":   "cve_ent,cve_mun,nom_mun\n01,001,A\n01,001,B\n",
		"bad key":        "cve_ent,cve_mun,nom_mun\n01,1,A\n",
		"missing column": "cve_ent,cve_mun,nom_mun\n01,001\n",
	} {
		if _, err := parse(ent, []byte(mun)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
