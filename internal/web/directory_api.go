package web

import (
	"encoding/xml"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"mxcert/internal/content"
	"mxcert/internal/directory"
)

// The directory's JSON API, GET /api/v1/directorio: the same filters as
// the search page (estado, municipio, servicio, q, pagina) and the same
// order, read-only. Its CORS policy is deliberate: the data is public and
// meant to be shown on other sites (the official MxOS website), so any
// origin may read it (Access-Control-Allow-Origin: *); no credentials are
// allowed or needed, and nothing in it depends on who asks. Only what a
// listing's page shows is in it: hidden, unpublished or uncertified
// listings never are, nor a contact the person chose not to show.

type directoryJSON struct {
	Total    int           `json:"total"` // at most 1,000 …
	More     bool          `json:"more"`  // … and true when the search finds more
	Page     int           `json:"page"`
	Pages    int           `json:"pages"`
	PageSize int           `json:"page_size"`
	Listings []listingJSON `json:"listings"`
}

type listingJSON struct {
	ID           int64         `json:"id"`
	URL          string        `json:"url"`
	Name         string        `json:"name"`
	BusinessName string        `json:"business_name,omitempty"`
	State        placeJSON     `json:"state"`
	Municipios   []placeJSON   `json:"municipios"`
	Services     []termJSON    `json:"services"`
	Modes        []termJSON    `json:"modes"`
	Languages    []termJSON    `json:"languages"`
	Description  string        `json:"description,omitempty"`
	Contact      contactJSON   `json:"contact"`
	Certificate  credentialRef `json:"certificate"`
	// Partner is the level of the foundation's partner programme the
	// listing holds, as the foundation names it; absent for none.
	Partner   string `json:"partner,omitempty"`
	UpdatedAt string `json:"updated_at"`
}

// termJSON is a service, mode or language: its stable id and its name
// in the language the client asks for (Accept-Language; Spanish by
// default).
type termJSON struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type placeJSON struct {
	Key  string `json:"inegi"`
	Name string `json:"name"`
	Slug string `json:"slug"`
}

type contactJSON struct {
	WhatsApp string `json:"whatsapp,omitempty"` // https://wa.me/52…
	Phone    string `json:"phone,omitempty"`    // +52 and ten digits
	Email    string `json:"email,omitempty"`
	Website  string `json:"website,omitempty"`
}

type credentialRef struct {
	Status    string `json:"status"` // always "valid": other listings are not listed
	Code      string `json:"code"`
	Title     string `json:"title"`
	VerifyURL string `json:"verify_url"`
}

// apiCORS is the API's cross-origin policy (see above).
func apiCORS(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Allow-Methods", "GET, OPTIONS")
	h.Set("Access-Control-Max-Age", "86400")
	h.Add("Vary", "Accept-Language")
}

// apiDirectoryPreflight answers a browser's CORS preflight.
func (s *Server) apiDirectoryPreflight(c *gin.Context) {
	apiCORS(c)
	c.Status(http.StatusNoContent)
}

func (s *Server) apiDirectory(c *gin.Context) {
	apiCORS(c)
	c.Header("Cache-Control", "no-store")
	if ok, wait := s.limits.directoryIP.allow(c.ClientIP()); !ok {
		c.Header("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
		s.renderAPIError(c, errTooMany, "")
		return
	}
	page, err := pageNumber(c.Query("pagina"))
	var r *directory.Results
	if err == nil {
		r, err = s.directory.Search(c.Request.Context(), directory.Query{State: c.Query("estado"), Municipio: c.Query("municipio"),
			Service: c.Query("servicio"), Text: c.Query("q"), Page: page})
	}
	if err != nil {
		msg, _ := filterMessage(err)
		s.renderAPIError(c, err, msg)
		return
	}
	out := directoryJSON{Total: r.Total, More: r.More, Page: r.Page, Pages: r.Pages, PageSize: directory.PageSize, Listings: []listingJSON{}}
	g, lists, lang := s.directory.Geo(), s.directory.Lists(), s.tr.pickLanguage(c.Request)
	terms := func(ids []string, find func(string) *content.Term) []termJSON {
		out := []termJSON{}
		for _, id := range ids {
			if t := find(id); t != nil {
				out = append(out, termJSON{ID: id, Name: t.Name.In(lang)})
			}
		}
		return out
	}
	for _, l := range r.Listings {
		card := s.card(lang, l)
		j := listingJSON{ID: l.ID, URL: s.absolute(card.URL), Name: l.HolderName, BusinessName: l.BusinessName, Partner: l.PartnerLevel,
			Services: terms(l.Services, lists.Service), Modes: terms(l.Modes, lists.Mode), Languages: terms(l.Languages, lists.Language), Description: l.Description,
			Contact:     contactJSON{WhatsApp: card.WhatsApp, Email: l.Email, Website: l.Website},
			Certificate: credentialRef{Status: "valid", Code: l.Certificate.Code, Title: l.Certificate.TrackTitle, VerifyURL: s.absolute(card.VerifyURL)},
			UpdatedAt:   l.UpdatedAt.UTC().Format("2006-01-02T15:04:05Z"), Municipios: []placeJSON{}}
		if l.Phone != "" {
			j.Contact.Phone = "+52" + l.Phone
		}
		if st := g.State(l.State); st != nil {
			j.State = placeJSON{Key: st.Key, Name: st.Name, Slug: st.Slug}
		}
		for _, key := range l.Municipios {
			if m := g.Municipio(key); m != nil {
				j.Municipios = append(j.Municipios, placeJSON{Key: m.Key, Name: m.Name, Slug: m.Slug})
			}
		}
		out.Listings = append(out.Listings, j)
	}
	c.JSON(http.StatusOK, out)
}

// The site map: the home page, the verification form, the directory and
// its state and listing pages, and each track's page and modules.
type sitemapURLSet struct {
	XMLName xml.Name     `xml:"urlset"`
	NS      string       `xml:"xmlns,attr"`
	URLs    []sitemapURL `xml:"url"`
}

type sitemapURL struct {
	Loc     string `xml:"loc"`
	LastMod string `xml:"lastmod,omitempty"`
}

// sitemapMax is the most URLs one sitemap file may list (sitemaps.org).
const sitemapMax = 50000

func (s *Server) sitemap(c *gin.Context) {
	set := sitemapURLSet{NS: "http://www.sitemaps.org/schemas/sitemap/0.9"}
	add := func(path, lastmod string) {
		if len(set.URLs) < sitemapMax {
			set.URLs = append(set.URLs, sitemapURL{Loc: s.absolute(path), LastMod: lastmod})
		}
	}
	add("/", "")
	add("/verificar", "")
	add(directory.PathPrefix, "")
	add("/aviso-de-privacidad", "")
	for _, t := range s.cat().Tracks {
		add("/certificaciones/"+t.ID, "")
		for _, m := range t.Modules {
			add("/certificaciones/"+t.ID+"/modulos/"+m.Slug, "")
		}
	}
	states, err := s.directory.States(c.Request.Context())
	if err != nil {
		s.renderError(c, err)
		return
	}
	for _, st := range states {
		add(directory.StatePath(st.State), "")
	}
	listings, err := s.directory.Visible(c.Request.Context())
	if err != nil {
		s.renderError(c, err)
		return
	}
	for _, l := range listings {
		add(s.directory.ListingPath(l.ID, l.State, l.HolderName, l.BusinessName), l.UpdatedAt.UTC().Format("2006-01-02"))
	}
	body, err := xml.Marshal(set)
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.Header("Cache-Control", "public, max-age=3600")
	c.Data(http.StatusOK, "application/xml; charset=utf-8", append([]byte(xml.Header), body...))
}

type privacyView struct {
	base
	Contact string
	Notice  string
}

// privacyNotice is the directory's aviso de privacidad.
func (s *Server) privacyNotice(c *gin.Context) error {
	return s.page(c, http.StatusOK, "privacy", privacyView{base: s.base(c, "privacy.title"), Contact: s.cfg.ContactEmail, Notice: directory.NoticeVersion})
}
