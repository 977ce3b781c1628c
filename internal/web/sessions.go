package web

import (
	"errors"
	"slices"
	"time"

	"github.com/gin-gonic/gin"

	"mxcert/internal/account"
)

// sessionRow is one open session on the account page.
type sessionRow struct {
	ID         string
	Device     string // "Chrome en Android"
	IP         string
	CreatedAt  time.Time
	LastSeenAt time.Time
	Current    bool
}

// sessionRows lists the signed-in person's open sessions, the one making
// the request marked.
func (s *Server) sessionRows(c *gin.Context, b base) ([]sessionRow, error) {
	var current string
	if ck, err := c.Request.Cookie(sessionCookie); err == nil {
		current = ck.Value
	}
	open, err := s.accounts.Sessions(c.Request.Context(), currentUser(c).ID, current)
	if err != nil {
		return nil, err
	}
	rows := make([]sessionRow, len(open))
	for i, o := range open {
		rows[i] = sessionRow{ID: o.ID, Device: deviceName(b, o.Device), IP: o.IP, CreatedAt: o.CreatedAt, LastSeenAt: o.LastSeenAt, Current: o.Current}
	}
	// This device first, then the others by their last activity.
	slices.SortStableFunc(rows, func(a, b sessionRow) int {
		switch {
		case a.Current == b.Current:
			return 0
		case a.Current:
			return -1
		}
		return 1
	})
	return rows, nil
}

// deviceName says what a session's browser is, in the page's language.
func deviceName(b base, d account.Device) string {
	browser, system := d.Browser, d.System
	if browser == "" {
		browser = b.T("account.browser_unknown")
	}
	if system == "" {
		system = b.T("account.system_unknown")
	}
	return b.T("account.device", "Browser", browser, "System", system)
}

// endSession ends one of the person's sessions, named by its id. Ending
// the one in use is signing out.
func (s *Server) endSession(c *gin.Context) error {
	if err := parseForm(c); err != nil {
		return err
	}
	ctx := c.Request.Context()
	if err := s.accounts.EndSession(ctx, currentUser(c).ID, c.Request.PostForm.Get("sesion"), c.ClientIP()); err != nil {
		return err
	}
	if ck, err := c.Request.Cookie(sessionCookie); err == nil {
		_, err := s.accounts.Resolve(ctx, ck.Value)
		if errors.Is(err, account.ErrNoSession) {
			s.setCookie(c, sessionCookie, "", -1)
			s.setFlash(c, "flash.signed_out")
			return redirect(c, "/")
		}
		if err != nil {
			return err
		}
	}
	s.setFlash(c, "flash.session_ended")
	return redirect(c, "/cuenta#sesiones")
}

// endOtherSessions ends every session of the person but the one in use.
func (s *Server) endOtherSessions(c *gin.Context) error {
	ck, err := c.Request.Cookie(sessionCookie)
	if err != nil {
		return errForbidden
	}
	if _, err := s.accounts.EndOtherSessions(c.Request.Context(), currentUser(c).ID, ck.Value, c.ClientIP()); err != nil {
		return err
	}
	s.setFlash(c, "flash.sessions_ended")
	return redirect(c, "/cuenta#sesiones")
}
