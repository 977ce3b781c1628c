package web

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"mxcert/internal/model"
)

// base is what every page's layout needs. Templates call its methods:
// {{.T "key"}} translates, {{.Date .When}} writes a date in the page's
// language and time zone.
type base struct {
	Title string // already translated
	Lang  string
	User  *model.User
	Flash string // message id of a one-time notice
	// flashArgs are the values of a notice that says what changed.
	flashArgs []any
	Path      string // the current path, for the language switch to come back to
	// Banner is the candidate's exam in progress, shown as a banner with
	// the way back to it on every page but the exam's own.
	Banner *examRef
	// InExam is set on the exam's own pages: the header keeps the brand
	// and a plain way out, and leaves out the site menu.
	InExam *examRef
	// Problems are the errors of a form shown again: the layout lists
	// them first in the page and starts the title with «Error:».
	Problems []problem
	tr       *translator
	zone     *time.Location
}

// T translates a message id; kv are template key/value pairs.
func (b base) T(id string, kv ...any) string { return b.tr.t(b.Lang, id, kv...) }

// FlashText is the one-time notice, in the page's language.
func (b base) FlashText() string { return b.tr.t(b.Lang, b.Flash, b.flashArgs...) }

// Date writes a date in the page's language and the candidate's time zone.
func (b base) Date(t time.Time) string { return formatDate(b.Lang, t.In(b.zone)) }

// DateTime writes a date and time of day.
func (b base) DateTime(t time.Time) string { return formatDateTime(b.Lang, t.In(b.zone)) }

// Number groups thousands.
func (b base) Number(n int) string { return formatNumber(n) }

// IsEnglish reports whether the page is in English.
func (b base) IsEnglish() bool { return b.Lang == langEN }

// examRef is a running exam as the layout mentions it.
type examRef struct {
	ID      string
	Minutes int // whole minutes left, rounded up: "quedan 1 min" until the end
}

func (s *Server) examRef(id string, deadline time.Time) *examRef {
	left := max(deadline.Sub(s.now()), 0)
	return &examRef{ID: id, Minutes: int((left + time.Minute - 1) / time.Minute)}
}

// base builds the layout data of a request; titleID is a message id.
func (s *Server) base(c *gin.Context, titleID string, kv ...any) base {
	b := s.plainBase(c, titleID, kv...)
	if b.User != nil {
		// The banner is a way back, not the page: if it cannot be looked
		// up the page is still shown, and the log says why.
		a, ok, err := s.attempts.Running(c.Request.Context(), b.User.ID)
		if err != nil {
			s.log.Warn("running exam for the banner", slog.Int64("user", b.User.ID), slog.Any("err", err))
		} else if ok {
			b.Banner = s.examRef(a.ID, a.Deadline)
		}
	}
	return b
}

// examBase is the layout data of the exam's own pages: the reduced header
// of attempt id, and no banner pointing to the page the candidate is on.
func (s *Server) examBase(c *gin.Context, id string, deadline time.Time, titleID string, kv ...any) base {
	b := s.plainBase(c, titleID, kv...)
	b.InExam = s.examRef(id, deadline)
	return b
}

func (s *Server) plainBase(c *gin.Context, titleID string, kv ...any) base {
	lang := s.tr.pickLanguage(c.Request)
	b := base{Lang: lang, User: currentUser(c), Path: c.Request.URL.Path, tr: s.tr, zone: s.zone}
	b.Title = s.tr.t(lang, titleID, kv...)
	b.Flash, b.flashArgs = s.takeFlash(c)
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
	"flash.session_ended": true, "flash.sessions_ended": true,
	"flash.admin_done": true, "flash.content_reloaded": true,
	"flash.signed_in_unverified": true, "flash.email_verified": true, "flash.email_verified_sign_in": true,
	"flash.verify_sent": true, "flash.email_change_sent": true, "flash.password_reset": true, "flash.reset_sent": true,
	"mfa.flash_expired": true, "mfa.flash_recovery_used": true, "mfa.flash_rechecked": true, "mfa.flash_sign_in_again": true,
	"flash.attempt_extended": true, "flash.attempt_cancelled": true, "flash.note_added": true,
	"flash.listing_saved": true, "flash.listing_published": true, "flash.listing_unpublished": true, "flash.listing_deleted": true,
}

func (s *Server) setFlash(c *gin.Context, id string) {
	s.setCookie(c, flashCookie, id, 60)
}

func (s *Server) takeFlash(c *gin.Context) (string, []any) {
	ck, err := c.Request.Cookie(flashCookie)
	if err != nil {
		return "", nil
	}
	s.setCookie(c, flashCookie, "", -1)
	if flashes[ck.Value] || moderationNotices[ck.Value] {
		return ck.Value, nil
	}
	if id, kv, ok := s.signedFlash(ck.Value); ok {
		return id, kv
	}
	return "", nil
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
