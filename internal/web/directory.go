package web

import (
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"mxcert/internal/content"
	"mxcert/internal/directory"
	"mxcert/internal/directory/geo"
	"mxcert/internal/model"
)

// The public directory of certified technicians: /directorio (search),
// /directorio/{estado} (a state's page, the same search within it) and
// /directorio/{estado}/{nombre-id} (a listing). No account needed; every
// listing shown has a certificate valid at this moment.

type directorySearchView struct {
	base
	Results    *directory.Results
	States     []*geo.State
	WithListed []directory.StateCount // states that have listings, for the links
	Municipios []*geo.Municipio       // of the chosen state, for its filter
	// MunicipioOptions are the <option>s of Municipios, the chosen one
	// marked (municipioOptions).
	MunicipioOptions template.HTML
	Services         []content.Term
	Cards            []listingCard
	PrevURL          string
	NextURL          string
	StatePage        *geo.State
	// Values are the filters as typed, to fill the form again.
	State, Municipio, Service, Text string
}

// listingCard is a listing as results and its page show it.
type listingCard struct {
	URL        string
	Name       string // business name, or the holder's
	Holder     string // shown under a business name
	Places     string // "Oaxaca de Juárez, Santa Lucía del Camino · Oaxaca"
	Services   []string
	Modes      []string
	Languages  []string
	VerifyURL  string
	WhatsApp   string // https://wa.me/52…
	Phone      string // as shown: 951 123 4567
	PhoneURL   string // tel:+52…
	Email      string
	Website    string
	TrackTitle string
	Partner    string // the partner programme's level, "" for none
}

func (s *Server) directorySearch(c *gin.Context) error {
	return s.renderDirectory(c, c.Query("estado"), nil)
}

// directoryState is a state's page: its listings, filtered like the
// search. A state that does not exist is a 404.
func (s *Server) directoryState(c *gin.Context) error {
	st := s.directory.Geo().State(c.Param("estado"))
	if st == nil || st.Slug != c.Param("estado") {
		return errNotFound
	}
	return s.renderDirectory(c, st.Slug, st)
}

func (s *Server) renderDirectory(c *gin.Context, state string, statePage *geo.State) error {
	if err := s.limit(c, s.limits.directoryIP, c.ClientIP()); err != nil {
		return err
	}
	b := s.base(c, "directory.title")
	if statePage != nil {
		b = s.base(c, "directory.state_title", "State", statePage.Name)
	}
	v := directorySearchView{base: b, StatePage: statePage, States: s.directory.Geo().States, Services: s.directory.Lists().Services,
		State: state, Municipio: c.Query("municipio"), Service: c.Query("servicio"), Text: c.Query("q")}
	q := directory.Query{State: state, Municipio: v.Municipio, Service: v.Service, Text: v.Text}
	status := http.StatusOK
	page, perr := pageNumber(c.Query("pagina"))
	q.Page = page
	var err error
	if perr == nil {
		v.Results, err = s.directory.Search(c.Request.Context(), q)
	} else {
		err = perr
	}
	if err != nil {
		msg, ok := filterMessage(err)
		if !ok {
			return err
		}
		v.fail("", msg)
		status = http.StatusBadRequest
	}
	if st := s.directory.Geo().State(state); st != nil {
		v.Municipios = st.Municipios
		if v.MunicipioOptions, err = s.municipioOptions(st, v.Municipio); err != nil {
			return err
		}
	}
	if v.WithListed, err = s.directory.States(c.Request.Context()); err != nil {
		return err
	}
	if v.Results != nil {
		for _, l := range v.Results.Listings {
			v.Cards = append(v.Cards, s.card(v.Lang, l))
		}
		v.PrevURL, v.NextURL = pageLinks(c, v.Results)
	}
	c.Header("Cache-Control", "no-store")
	return s.page(c, status, "directory_search", v)
}

// municipioOptions are the <option>s of the state's municipalities, with
// the one whose slug is chosen marked selected. Some states have hundreds:
// their options are rendered by the template municipio-options once per
// state (on every page in development, where templates are read again)
// and kept; a page only marks the chosen one.
func (s *Server) municipioOptions(st *geo.State, chosen string) (template.HTML, error) {
	var html string
	if kept, ok := s.municipioHTML.Load(st.Key); ok && !s.cfg.Dev {
		html = kept.(string)
	} else {
		var err error
		if html, err = s.views.part("directory_search", "municipio-options", st.Municipios); err != nil {
			return "", err
		}
		s.municipioHTML.Store(st.Key, html)
	}
	// Slugs are lower-case letters, digits and hyphens, written as they
	// are; only a slug of the state is looked for.
	if m := st.Municipio(chosen); m != nil && m.Slug == chosen {
		open := `<option value="` + chosen + `">`
		html = strings.Replace(html, open, open[:len(open)-1]+` selected>`, 1)
	}
	// #nosec G203 -- rendered by html/template (municipio-options), plus a constant attribute
	return template.HTML(html), nil
}

// pageNumber reads ?pagina=: empty is the first page.
func pageNumber(s string) (int, error) {
	if s == "" {
		return 1, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, directory.ErrBadPage
	}
	return n, nil
}

// filterMessage is the visitor's message for a bad filter.
func filterMessage(err error) (string, bool) {
	for e, msg := range map[error]string{
		directory.ErrUnknownState:     "directory.bad_state",
		directory.ErrUnknownMunicipio: "directory.bad_municipio",
		directory.ErrMunicipioNoState: "directory.municipio_no_state",
		directory.ErrUnknownService:   "directory.bad_service",
		directory.ErrQueryTooLong:     "directory.query_too_long",
		directory.ErrBadPage:          "directory.bad_page",
	} {
		if errors.Is(err, e) {
			return msg, true
		}
	}
	return "", false
}

// pageLinks are the previous and next pages of the same search.
func pageLinks(c *gin.Context, r *directory.Results) (prev, next string) {
	link := func(page int) string {
		q := c.Request.URL.Query()
		q.Del("pagina")
		if page > 1 {
			q.Set("pagina", strconv.Itoa(page))
		}
		u := url.URL{Path: c.Request.URL.Path, RawQuery: q.Encode()}
		return u.String()
	}
	if r.Page > 1 {
		prev = link(r.Page - 1)
	}
	if r.Page < r.Pages {
		next = link(r.Page + 1)
	}
	return prev, next
}

func (s *Server) card(lang string, l *model.PublicListing) listingCard {
	lists, g := s.directory.Lists(), s.directory.Geo()
	c := listingCard{URL: s.directory.ListingPath(l.ID, l.State, l.HolderName, l.BusinessName), Name: l.HolderName,
		VerifyURL: "/verificar/" + url.PathEscape(l.Certificate.Code), Email: l.Email, Website: l.Website, TrackTitle: l.Certificate.TrackTitle, Partner: l.PartnerLevel}
	if l.BusinessName != "" {
		c.Name, c.Holder = l.BusinessName, l.HolderName
	}
	var places []string
	for _, key := range l.Municipios {
		if m := g.Municipio(key); m != nil {
			places = append(places, m.Label)
		}
	}
	if st := g.State(l.State); st != nil {
		c.Places = strings.Join(places, ", ") + " · " + st.Name
	}
	for _, id := range l.Services {
		if t := lists.Service(id); t != nil {
			c.Services = append(c.Services, t.Name.In(lang))
		}
	}
	for _, id := range l.Modes {
		if t := lists.Mode(id); t != nil {
			c.Modes = append(c.Modes, t.Name.In(lang))
		}
	}
	for _, id := range l.Languages {
		if t := lists.Language(id); t != nil {
			c.Languages = append(c.Languages, t.Name.In(lang))
		}
	}
	if l.WhatsApp != "" {
		c.WhatsApp = "https://wa.me/52" + l.WhatsApp
	}
	if l.Phone != "" {
		c.Phone = l.Phone[:3] + " " + l.Phone[3:6] + " " + l.Phone[6:]
		c.PhoneURL = "tel:+52" + l.Phone
	}
	return c
}

type directoryListingView struct {
	base
	Card        listingCard
	Listing     *model.PublicListing
	State       *geo.State
	Description string
	JSONLD      any
	Canonical   string      // the page's absolute address
	Stories     []storyCard // approved success stories
	ReportURL   string
}

// directoryListing is a listing's page. The id at the end of the address
// finds it; an address whose state or name part is not the current one
// (a corrected name, a move) is sent on to the right one.
func (s *Server) directoryListing(c *gin.Context) error {
	if err := s.limit(c, s.limits.directoryIP, c.ClientIP()); err != nil {
		return err
	}
	id, ok := directory.ListingID(c.Param("slug"))
	if !ok {
		return errNotFound
	}
	l, err := s.directory.Listing(c.Request.Context(), id)
	if err != nil {
		return err
	}
	path := s.directory.ListingPath(l.ID, l.State, l.HolderName, l.BusinessName)
	if path != c.Request.URL.Path {
		c.Redirect(http.StatusMovedPermanently, path)
		return nil
	}
	b := s.base(c, "directory.listing_title", "Name", l.HolderName)
	if l.BusinessName != "" {
		b = s.base(c, "directory.listing_title", "Name", l.BusinessName)
	}
	v := directoryListingView{base: b, Listing: l, Card: s.card(b.Lang, l), State: s.directory.Geo().State(l.State), Description: l.Description}
	v.JSONLD, v.Canonical = s.listingJSONLD(l, v.Card), s.absolute(path)
	if v.Stories, err = s.listingStories(c, b, l); err != nil {
		return err
	}
	v.ReportURL = path + "/reportar"
	c.Header("Cache-Control", "no-store")
	return s.page(c, http.StatusOK, "directory_listing", v)
}

// absolute makes a site path an absolute URL when the base URL is known.
func (s *Server) absolute(path string) string {
	return strings.TrimRight(s.cfg.BaseURL, "/") + path
}

// listingJSONLD is the listing as schema.org data: a ProfessionalService
// with the places it serves and the certificate as its credential. It is
// written into a <script type="application/ld+json"> element, a data
// block the browser never runs: the CSP's script-src does not apply to
// it, so the policy stays as strict as it is. html/template escapes it as
// JSON (no "</script>" can end it early).
func (s *Server) listingJSONLD(l *model.PublicListing, card listingCard) map[string]any {
	g := s.directory.Geo()
	var areas []map[string]any
	for _, key := range l.Municipios {
		if m := g.Municipio(key); m != nil {
			areas = append(areas, map[string]any{"@type": "AdministrativeArea", "name": m.Name + ", " + m.State.OfficialName})
		}
	}
	data := map[string]any{
		"@context":   "https://schema.org",
		"@type":      "ProfessionalService",
		"name":       card.Name,
		"url":        s.absolute(card.URL),
		"areaServed": areas,
		"employee":   map[string]any{"@type": "Person", "name": l.HolderName},
		"hasCredential": map[string]any{
			"@type":              "EducationalOccupationalCredential",
			"name":               l.Certificate.TrackTitle,
			"credentialCategory": "certificate",
			"url":                s.absolute(card.VerifyURL),
			"recognizedBy":       map[string]any{"@type": "Organization", "name": "Fundación MxOS"},
		},
	}
	if l.Description != "" {
		data["description"] = l.Description
	}
	if card.Services != nil {
		data["knowsAbout"] = card.Services
	}
	if l.Phone != "" {
		data["telephone"] = "+52" + l.Phone
	}
	if l.Email != "" {
		data["email"] = l.Email
	}
	if l.Website != "" {
		data["sameAs"] = l.Website
	}
	return data
}
