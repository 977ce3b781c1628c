package web

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"mxcert/internal/store"
)

// base is what every page's layout needs. Templates call its methods:
// {{.T "key"}} translates, {{.Date .When}} writes a date in the page's
// language and time zone.
type base struct {
	Title string // already translated
	Lang  string
	User  *store.User
	Flash string // message id of a one-time notice
	Path  string // the current path, for the language switch to come back to
	tr    *translator
	zone  *time.Location
}

// T translates a message id; kv are template key/value pairs.
func (b base) T(id string, kv ...any) string { return b.tr.t(b.Lang, id, kv...) }

// Date writes a date in the page's language and the candidate's time zone.
func (b base) Date(t time.Time) string { return formatDate(b.Lang, t.In(b.zone)) }

// DateTime writes a date and time of day.
func (b base) DateTime(t time.Time) string { return formatDateTime(b.Lang, t.In(b.zone)) }

// Number groups thousands.
func (b base) Number(n int) string { return formatNumber(n) }

// IsEnglish reports whether the page is in English.
func (b base) IsEnglish() bool { return b.Lang == langEN }

// base builds the layout data of a request; titleID is a message id.
func (s *Server) base(c *gin.Context, titleID string, kv ...any) base {
	lang := s.tr.pickLanguage(c.Request)
	b := base{Lang: lang, User: currentUser(c), Path: c.Request.URL.Path, tr: s.tr, zone: s.zone}
	b.Title = s.tr.t(lang, titleID, kv...)
	b.Flash = s.takeFlash(c)
	return b
}

// page renders a page template with a status.
func (s *Server) page(c *gin.Context, status int, name string, data any) error {
	body, err := s.views.render(name, data)
	if err != nil {
		return err
	}
	c.Data(status, "text/html; charset=utf-8", body)
	return nil
}

// redirect answers a form post with 303 See Other, so reloading the next
// page never posts again.
func redirect(c *gin.Context, to string) error {
	c.Redirect(http.StatusSeeOther, to)
	return nil
}

// flashCookie carries a one-time notice (a message id) to the next page.
const flashCookie = "mx_flash"

// flashes are the notices a page may show; anything else in the cookie is
// ignored, so the cookie cannot inject text.
var flashes = map[string]bool{
	"flash.welcome": true, "flash.signed_in": true, "flash.signed_out": true,
	"flash.password_changed": true, "flash.name_changed": true,
	"flash.admin_done": true, "flash.content_reloaded": true,
}

func (s *Server) setFlash(c *gin.Context, id string) {
	s.setCookie(c, flashCookie, id, 60)
}

func (s *Server) takeFlash(c *gin.Context) string {
	ck, err := c.Request.Cookie(flashCookie)
	if err != nil {
		return ""
	}
	s.setCookie(c, flashCookie, "", -1)
	if flashes[ck.Value] {
		return ck.Value
	}
	return ""
}

// setCookie sets a cookie the way every cookie of the site is set:
// HttpOnly, SameSite=Lax, Secure when the site is served over HTTPS.
// maxAge is in seconds; negative deletes the cookie.
func (s *Server) setCookie(c *gin.Context, name, value string, maxAge int) {
	// #nosec G124 -- HttpOnly and SameSite always; Secure whenever the site is served over HTTPS (not on a plain-HTTP development server)
	http.SetCookie(c.Writer, &http.Cookie{
		Name: name, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode,
	})
}
