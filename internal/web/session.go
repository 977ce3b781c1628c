package web

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"mxcert/internal/account"
	"mxcert/internal/fail"
	"mxcert/internal/model"
)

// sessionCookie holds the random session token; the database keeps only
// its hash.
const sessionCookie = "mx_session"

const userKey = "user"

// loadUser resolves the session cookie into the signed-in account. Pages
// for a signed-in person are never cached by the browser or a proxy.
// errSessionUnreadable is a session cookie whose session the database
// could not be asked about: try again later (503).
var errSessionUnreadable = fail.New(fail.ErrUnavailable, "the session could not be read")

func (s *Server) loadUser(c *gin.Context) {
	ck, err := c.Request.Cookie(sessionCookie)
	if err == nil && ck.Value != "" {
		u, err := s.accounts.Resolve(c.Request.Context(), ck.Value)
		switch {
		case err == nil:
			c.Set(userKey, u)
			c.Header("Cache-Control", "no-store")
		case errors.Is(err, account.ErrNoSession):
			s.setCookie(c, sessionCookie, "", -1)
		case c.Request.Context().Err() != nil:
			// The visitor left before the session was read: nobody to answer.
			c.Abort()
			return
		default:
			// The database did not answer. Treating the visitor as signed
			// out would send a candidate in the middle of an exam to the
			// sign-in page; the page says to try again instead.
			s.renderError(c, fmt.Errorf("%w: %w", errSessionUnreadable, err))
			return
		}
	}
	c.Next()
}

func currentUser(c *gin.Context) *model.User {
	if v, ok := c.Get(userKey); ok {
		return v.(*model.User)
	}
	return nil
}

// requireUser sends a visitor to the sign-in page, coming back afterwards.
func (s *Server) requireUser(c *gin.Context) {
	if currentUser(c) == nil {
		c.Redirect(303, "/entrar?siguiente="+url.QueryEscape(c.Request.URL.RequestURI()))
		c.Abort()
		return
	}
	c.Next()
}

// requireAdmin hides the admin area: anyone but an administrator gets the
// same 404 as for a page that does not exist.
func (s *Server) requireAdmin(c *gin.Context) {
	if !currentUser(c).IsAdmin() {
		s.renderError(c, errNotFound)
		return
	}
	c.Next()
}

// localPath accepts only a path on this site as a place to go back to, so
// the sign-in page cannot be used to send people elsewhere.
func localPath(p string) string {
	if p == "" || !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") || strings.ContainsAny(p, "\r\n") {
		return "/"
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return "/"
	}
	return p
}
