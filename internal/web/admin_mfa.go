package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"mxcert/internal/account"
	"mxcert/internal/model"
)

const checksKey = "session_checks"

// requireSecondFactor opens the console only to a session that passed the
// second factor. An administrator's session without it (one from before
// second factors) ends, and the administrator signs in again with both.
// It runs after requireAdmin, so anyone else has had their 404 already.
func (s *Server) requireSecondFactor(c *gin.Context) {
	token := cookieValue(c, sessionCookie)
	checks, err := s.accounts.SessionChecks(c.Request.Context(), token)
	if err != nil && !errors.Is(err, account.ErrNoSession) {
		s.renderError(c, err)
		return
	}
	if err != nil || checks.SecondFactorAt.IsZero() {
		if err := s.accounts.SignOut(c.Request.Context(), token, c.ClientIP()); err != nil {
			s.renderError(c, err)
			return
		}
		s.setCookie(c, sessionCookie, "", -1)
		s.setFlash(c, "mfa.flash_sign_in_again")
		c.Redirect(http.StatusSeeOther, withNext("/entrar", c.Request.URL.RequestURI()))
		c.Abort()
		return
	}
	c.Set(checksKey, checks)
	c.Next()
}

// requireRecentCheck guards the console's sensitive actions (revoke,
// reinstate, correct a name, reload the content, change the second
// factor): if the password or a code was last typed more than
// account.RecheckWithin ago, the administrator confirms first on
// /admin/confirmar and comes back to the action's page. A POST is never
// carried out on a stale check; the form is shown again after it.
func (s *Server) requireRecentCheck(c *gin.Context) {
	if checks, ok := c.Get(checksKey); ok && s.accounts.RecentlyChecked(checks.(model.SessionChecks)) {
		c.Next()
		return
	}
	c.Redirect(http.StatusSeeOther, "/admin/confirmar?siguiente="+url.QueryEscape(c.Request.URL.RequestURI()))
	c.Abort()
}

// adminBack is where a re-check goes back to: a page of the console.
func adminBack(p string) string {
	p = localPath(p)
	if p != "/admin" && !strings.HasPrefix(p, "/admin/") {
		return "/admin"
	}
	return p
}

type recheckView struct {
	base
	Next  string
	Field string // the form the error is about: "codigo" or "contrasena"
	Error string
	Wait  int
}

// adminRecheck: the administrator types the password or a code again
// before a sensitive action, then goes back to it.
func (s *Server) adminRecheck(c *gin.Context) error {
	c.Header("Cache-Control", "no-store")
	v := recheckView{base: s.base(c, "mfa.recheck_title"), Next: adminBack(c.Query("siguiente"))}
	if c.Request.Method == http.MethodGet {
		return s.page(c, http.StatusOK, "admin_recheck", v)
	}
	if err := parseForm(c); err != nil {
		return err
	}
	v.Next = adminBack(c.Request.PostForm.Get("siguiente"))
	ctx, token, u := c.Request.Context(), cookieValue(c, sessionCookie), currentUser(c)
	var err error
	switch v.Field = c.Request.PostForm.Get("metodo"); v.Field {
	case "codigo":
		err = s.accounts.RecheckCode(ctx, token, u.ID, c.Request.PostForm.Get("codigo"), c.ClientIP())
	case "contrasena":
		err = s.accounts.RecheckPassword(ctx, token, u.ID, c.Request.PostForm.Get("password"), c.ClientIP())
	default:
		return errBadRequest
	}
	if status, refused := s.codeRefused(c, err, &v.Error, &v.Wait); refused {
		input := "codigo"
		if v.Field == "contrasena" {
			input = "password"
		}
		v.fail(input, v.Error, "Count", v.Wait)
		return s.page(c, status, "admin_recheck", v)
	}
	if err != nil {
		return err
	}
	s.setFlash(c, "mfa.flash_rechecked")
	return redirect(c, v.Next)
}

type securityView struct {
	base
	Factor model.SecondFactor
}

// adminSecurity shows the administrator's second factor and the ways to
// change it.
func (s *Server) adminSecurity(c *gin.Context) error {
	sf, err := s.accounts.SecondFactor(c.Request.Context(), currentUser(c).ID)
	if err != nil {
		return err
	}
	return s.page(c, http.StatusOK, "admin_security", securityView{base: s.base(c, "mfa.security_title"), Factor: sf})
}

// adminReplaceAuthenticator: GET shows a new authenticator to scan, POST
// takes a code from it and replaces the old one (which works until then),
// with new recovery codes.
func (s *Server) adminReplaceAuthenticator(c *gin.Context) error {
	c.Header("Cache-Control", "no-store")
	u := currentUser(c)
	status := http.StatusOK
	var msg string
	var wait int
	if c.Request.Method == http.MethodPost {
		if err := parseForm(c); err != nil {
			return err
		}
		codes, err := s.accounts.ConfirmEnrolment(c.Request.Context(), u.ID, c.Request.PostForm.Get("codigo"), c.ClientIP())
		var refused bool
		status, refused = s.codeRefused(c, err, &msg, &wait)
		switch {
		case refused:
		case errors.Is(err, account.ErrNoEnrolment):
			status, msg = http.StatusConflict, "mfa.enrol_replaced"
		case err != nil:
			return err
		default:
			return s.recoveryCodesPage(c, codes, "/admin/seguridad", true)
		}
	}
	enr, err := s.accounts.StartEnrolment(c.Request.Context(), u.ID)
	if err != nil {
		return err
	}
	v, err := s.enrolView(c, "mfa.replace_title", u, enr)
	if err != nil {
		return err
	}
	v.Console, v.Error, v.Wait = true, msg, wait
	if msg != "" {
		v.fail("codigo", msg, "Count", wait)
	}
	return s.page(c, status, "mfa_enrol", v)
}

// adminNewRecoveryCodes: GET asks, POST replaces the recovery codes and
// shows the new ones once.
func (s *Server) adminNewRecoveryCodes(c *gin.Context) error {
	v := adminConfirmView{base: s.base(c, "mfa.new_codes_title"), Action: c.Request.URL.Path, Back: "/admin/seguridad", Submit: "mfa.new_codes_submit"}
	v.Heading, v.Lead = v.T("mfa.new_codes_title"), v.T("mfa.new_codes_lead")
	if c.Request.Method == http.MethodGet {
		return s.confirmPage(c, http.StatusOK, v)
	}
	if err := parseForm(c); err != nil {
		return err
	}
	codes, err := s.accounts.NewRecoveryCodes(c.Request.Context(), currentUser(c).ID, c.ClientIP())
	if err != nil {
		return err
	}
	return s.recoveryCodesPage(c, codes, "/admin/seguridad", true)
}
