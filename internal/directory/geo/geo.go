// Package geo is Mexico's 32 entidades and their municipalities, from
// INEGI's catalogue of geostatistical areas (AGEEML), shipped with the
// binary: README.md in this folder names the source and its date. It
// gives each place a stable name for URLs (a slug) and looks places up by
// INEGI key or by slug.
package geo

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"mxcert/internal/fold"
)

//go:embed entidades.csv
var entidadesCSV []byte

//go:embed municipios.csv
var municipiosCSV []byte

// State is one of the 32 entidades federativas.
type State struct {
	Key          string // INEGI key, two digits: "20"
	OfficialName string // as INEGI writes it: "Veracruz de Ignacio de la Llave"
	Name         string // as pages show it: "Veracruz"
	Abbrev       string // "Ver."
	Slug         string // in URLs: "veracruz"
	Municipios   []*Municipio
}

// Municipio is a municipality (or a Mexico City alcaldía).
type Municipio struct {
	Key   string // INEGI key, state and municipality: "20067"
	State *State
	Name  string // official name: "Oaxaca de Juárez"
	// Label is Name, with the INEGI key when another municipality of the
	// state has the same name (Oaxaca has two «San Juan Mixtepec»).
	Label string
	Slug  string // unique within its state: "oaxaca-de-juarez"
	// Folded is the name without accents, in lower case, words joined by
	// one space: what a search compares a typed name with.
	Folded string
}

// Catalogue is every state and municipality.
type Catalogue struct {
	States []*State // by INEGI key
	byKey  map[string]*Municipio
	bySlug map[string]*State
}

var (
	once   sync.Once
	shared *Catalogue
	errCat error
)

// Load returns the shipped catalogue, read once.
func Load() (*Catalogue, error) {
	once.Do(func() { shared, errCat = parse(entidadesCSV, municipiosCSV) })
	return shared, errCat
}

// MustLoad is Load for callers that cannot go on without the catalogue
// (its data is part of the binary and tested).
func MustLoad() *Catalogue {
	c, err := Load()
	if err != nil {
		panic(err)
	}
	return c
}

// State returns the state with the given INEGI key or slug, or nil.
func (c *Catalogue) State(keyOrSlug string) *State {
	if s, ok := c.bySlug[keyOrSlug]; ok {
		return s
	}
	for _, s := range c.States {
		if s.Key == keyOrSlug {
			return s
		}
	}
	return nil
}

// Municipio returns the municipality with the given five-digit INEGI key,
// or nil.
func (c *Catalogue) Municipio(key string) *Municipio { return c.byKey[key] }

// Municipio returns the state's municipality with the given slug, or nil.
func (s *State) Municipio(slug string) *Municipio {
	for _, m := range s.Municipios {
		if m.Slug == slug {
			return m
		}
	}
	return nil
}

var (
	nonSlug = regexp.MustCompile(`[^a-z0-9]+`)
	digits  = regexp.MustCompile(`^[0-9]+$`)
)

// Slug writes a name the way URLs show it: without accents, in lower
// case, words joined by hyphens ("Oaxaca de Juárez" → "oaxaca-de-juarez").
func Slug(name string) string {
	return strings.Trim(nonSlug.ReplaceAllString(fold.Text(name), "-"), "-")
}

func parse(entidades, municipios []byte) (*Catalogue, error) {
	c := &Catalogue{byKey: map[string]*Municipio{}, bySlug: map[string]*State{}}
	states := map[string]*State{}
	rows, err := readCSV("entidades.csv", entidades, 5)
	if err != nil {
		return nil, err
	}
	for i, r := range rows {
		s := &State{Key: r[0], OfficialName: r[1], Name: r[2], Abbrev: r[3], Slug: r[4]}
		if len(s.Key) != 2 || !digits.MatchString(s.Key) || states[s.Key] != nil || c.bySlug[s.Slug] != nil || s.Slug != Slug(s.Slug) || s.Name == "" {
			return nil, fmt.Errorf("geo: entidades.csv line %d: bad or repeated state %q", i+2, r)
		}
		states[s.Key], c.bySlug[s.Slug] = s, s
		c.States = append(c.States, s)
	}
	rows, err = readCSV("municipios.csv", municipios, 3)
	if err != nil {
		return nil, err
	}
	for i, r := range rows {
		s := states[r[0]]
		m := &Municipio{Key: r[0] + r[1], State: s, Name: r[2]}
		if s == nil || len(r[1]) != 3 || !digits.MatchString(r[1]) || c.byKey[m.Key] != nil || m.Name == "" {
			return nil, fmt.Errorf("geo: municipios.csv line %d: bad or repeated municipality %q", i+2, r)
		}
		c.byKey[m.Key] = m
		s.Municipios = append(s.Municipios, m)
	}
	for _, s := range c.States {
		named(s)
	}
	return c, nil
}

// named gives a state's municipalities their labels and slugs; a name
// that two municipalities share gets the municipality's key in both.
func named(s *State) {
	count := map[string]int{}
	for _, m := range s.Municipios {
		count[Slug(m.Name)]++
	}
	for _, m := range s.Municipios {
		m.Label, m.Slug, m.Folded = m.Name, Slug(m.Name), strings.Join(fold.Words(m.Name), " ")
		if count[m.Slug] > 1 {
			m.Label = fmt.Sprintf("%s (%s)", m.Name, m.Key[2:])
			m.Slug += "-" + m.Key[2:]
		}
	}
}

func readCSV(name string, data []byte, columns int) ([][]string, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = columns
	rows, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("geo: %s: %w", name, err)
	}
	if len(rows) < 2 {
		return nil, fmt.Errorf("geo: %s is empty", name)
	}
	return rows[1:], nil // the header
}
