package directory

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"mxcert/internal/directory/geo"
	"mxcert/internal/fail"
	"mxcert/internal/fold"
	"mxcert/internal/model"
	"mxcert/internal/store"
)

// PageSize is how many listings a page of results shows.
const PageSize = 20

// Limits of a search.
const (
	QueryMax = 100 // characters of free text
	WordsMax = 8   // words of it that count
	// PageMax: deeper pages are refused. A search counts and serves
	// its first store.CountCap listings (then says «más de 1,000»):
	// nobody reads further, crawlers would.
	PageMax = store.CountCap / PageSize
)

// Query is a search of the directory as a visitor asks it. Every field
// is optional.
type Query struct {
	State     string // slug (or INEGI key) of the entidad
	Municipio string // slug of a municipality of State
	Service   string // service id
	Text      string // free text: name, business, places, description
	Page      int    // from 1; 0 means 1
}

// Bad filters: errors of the kind fail.ErrInvalid, each with its own
// message for the visitor.
var (
	ErrUnknownState     = fail.New(fail.ErrInvalid, "unknown state")
	ErrUnknownMunicipio = fail.New(fail.ErrInvalid, "unknown municipality for that state")
	ErrMunicipioNoState = fail.New(fail.ErrInvalid, "a municipality needs its state")
	ErrUnknownService   = fail.New(fail.ErrInvalid, "unknown service")
	ErrQueryTooLong     = fail.New(fail.ErrInvalid, "search text too long")
	ErrBadPage          = fail.New(fail.ErrInvalid, "page out of range")
)

// Results is one page of a search.
type Results struct {
	Listings []*model.PublicListing
	// Total is how many listings the search finds, up to
	// store.CountCap; More says it finds more than that.
	Total     int
	More      bool
	Page      int
	Pages     int
	State     *geo.State
	Municipio *geo.Municipio
	Service   string
	Text      string
}

// Search runs a search of the visible listings. The order is relevance
// first — a listing serving a municipality whose name is exactly the text
// typed, then the number of words of the text it contains — and then
// the rotation of the day in America/Mexico_City (RotationSeed), so that
// nobody holds the top of the list forever; ties end by id.
func (s *Service) Search(ctx context.Context, q Query) (*Results, error) {
	now := s.now()
	r := &Results{Page: max(q.Page, 1), Service: q.Service, Text: strings.TrimSpace(q.Text)}
	if q.Page < 0 || q.Page > PageMax {
		return nil, ErrBadPage
	}
	if utf8.RuneCountInString(r.Text) > QueryMax {
		return nil, ErrQueryTooLong
	}
	search := store.ListingSearch{Now: now, Seed: RotationSeed(now, s.zone), Limit: PageSize, Offset: (r.Page - 1) * PageSize}
	if q.State != "" {
		if r.State = s.geo.State(q.State); r.State == nil {
			return nil, ErrUnknownState
		}
		search.State = r.State.Key
	}
	if q.Municipio != "" {
		if r.State == nil {
			return nil, ErrMunicipioNoState
		}
		if r.Municipio = r.State.Municipio(q.Municipio); r.Municipio == nil {
			return nil, ErrUnknownMunicipio
		}
		search.Municipio = r.Municipio.Key
	}
	if q.Service != "" {
		if s.Lists().Service(q.Service) == nil {
			return nil, ErrUnknownService
		}
		search.Service = q.Service
	}
	search.Words = searchWords(r.Text)
	search.Exact = s.exactMunicipios(r.Text, r.State)
	listings, total, err := s.db.SearchListings(ctx, search)
	if err != nil {
		return nil, err
	}
	r.Listings, r.Total = listings, total
	if total > store.CountCap {
		r.Total, r.More = store.CountCap, true
	}
	r.Pages = (r.Total + PageSize - 1) / PageSize
	if err := s.noteMiss(ctx, search, r); err != nil {
		return nil, err
	}
	return r, nil
}

// stopwords are words too common in names of places and businesses to
// tell listings apart; a text made only of them is searched as it is.
var stopwords = map[string]bool{"a": true, "al": true, "con": true, "de": true, "del": true, "e": true, "el": true, "en": true,
	"la": true, "las": true, "lo": true, "los": true, "o": true, "para": true, "por": true, "u": true, "y": true}

// searchWords are the folded words of the text that count.
func searchWords(text string) []string {
	all := fold.Words(text)
	var out []string
	for _, w := range all {
		if !stopwords[w] && !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	if len(out) == 0 {
		out = all
	}
	if len(out) > WordsMax {
		out = out[:WordsMax]
	}
	return out
}

// exactMunicipios are the municipalities (of state, or of any state when
// nil) whose folded name is the folded text.
func (s *Service) exactMunicipios(text string, state *geo.State) []string {
	want := strings.Join(fold.Words(text), " ")
	if want == "" {
		return nil
	}
	states := s.geo.States
	if state != nil {
		states = []*geo.State{state}
	}
	var out []string
	for _, st := range states {
		for _, m := range st.Municipios {
			if m.Folded == want {
				out = append(out, m.Key)
			}
		}
	}
	return out
}

// RotationSeed is the seed of the daily rotation for the day that t falls
// on in zone: the same all day long, another the next day. It is where
// the day's order starts in the circle of the listings' rotation keys
// (store.RotationKey): the day's number through the same multiplicative
// hash, so that consecutive days start far apart and a month's starts
// spread evenly round the circle.
func RotationSeed(t time.Time, zone *time.Location) int64 {
	y, m, d := t.In(zone).Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
	return store.RotationKey(day^0x5EED, 0) // 32 bits
}

// Listing is the visible listing with that id, or a not-found error.
func (s *Service) Listing(ctx context.Context, id int64) (*model.PublicListing, error) {
	p, err := s.db.PublicListing(ctx, id, s.now())
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNoListing
	}
	return p, err
}

// Visible lists every visible listing (for the site map and the state
// pages), by state and id.
func (s *Service) Visible(ctx context.Context) ([]model.ListingRef, error) {
	return s.db.VisibleListings(ctx, s.now())
}

// StateCount is a state and how many visible listings it has.
type StateCount struct {
	State *geo.State
	Count int
}

// States lists the states that have visible listings, in catalogue order,
// with how many each has.
func (s *Service) States(ctx context.Context) ([]StateCount, error) {
	counts, err := s.db.VisibleByState(ctx, s.now())
	if err != nil {
		return nil, err
	}
	var out []StateCount
	for _, st := range s.geo.States {
		if n := counts[st.Key]; n > 0 {
			out = append(out, StateCount{State: st, Count: n})
		}
	}
	return out, nil
}
