package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"mxcert/internal/account"
)

// linkProblemView explains why a link from an e-mail cannot be used, and
// what to do instead.
type linkProblemView struct {
	base
	Message string // message id
	Next    string // where to get a new link
	NextID  string // message id of that way
}

// linkProblem answers a link that cannot be used with a clear page (4xx);
// other errors go on to the error page. forReset says which kind of link
// it was, to point to the way of getting a new one.
func (s *Server) linkProblem(c *gin.Context, err error, forReset bool) error {
	var status int
	var msg string
	switch {
	case errors.Is(err, account.ErrLinkUnknown):
		status, msg = http.StatusNotFound, "link.unknown"
	case errors.Is(err, account.ErrLinkExpired):
		status, msg = http.StatusGone, "link.expired"
	case errors.Is(err, account.ErrLinkUsed):
		status, msg = http.StatusGone, "link.used"
	case errors.Is(err, account.ErrEmailTakenMeanwhile):
		status, msg = http.StatusConflict, "link.email_taken"
	default:
		return err
	}
	v := linkProblemView{base: s.base(c, "link.title"), Message: msg, Next: "/cuenta", NextID: "link.next_verify"}
	if forReset {
		v.Next, v.NextID = "/contrasena/olvide", "link.next_reset"
	}
	c.Header("Cache-Control", "no-store")
	return s.page(c, status, "link_problem", v)
}

// verifyEmail follows the link of a confirmation e-mail: for a new
// account or for a new address.
func (s *Server) verifyEmail(c *gin.Context) error {
	c.Header("Referrer-Policy", "no-referrer") // the token is in this page's address
	u, err := s.accounts.VerifyEmail(c.Request.Context(), c.Query("t"), s.tr.pickLanguage(c.Request), c.ClientIP())
	if err != nil {
		return s.linkProblem(c, err, false)
	}
	if me := currentUser(c); me != nil && me.ID == u.ID {
		s.setFlash(c, "flash.email_verified")
		return redirect(c, "/cuenta")
	}
	s.setFlash(c, "flash.email_verified_sign_in")
	return redirect(c, "/entrar")
}

// resendVerification sends a new confirmation link to the signed-in
// account's address. The answer is the same whether or not one was sent
// (an address confirmed already gets nothing).
func (s *Server) resendVerification(c *gin.Context) error {
	if err := parseForm(c); err != nil {
		return err
	}
	u := currentUser(c)
	if err := s.limit(c, s.limits.verifyIP, c.ClientIP()); err != nil {
		return err
	}
	if err := s.limit(c, s.limits.verifyUser, strconv.FormatInt(u.ID, 10)); err != nil {
		return err
	}
	if err := s.accounts.ResendVerification(c.Request.Context(), u.ID, s.tr.pickLanguage(c.Request), c.ClientIP()); err != nil {
		return err
	}
	s.setFlash(c, "flash.verify_sent")
	next := localPath(c.Request.PostForm.Get("siguiente"))
	if next == "/" {
		next = "/cuenta"
	}
	return redirect(c, next)
}

// changeEmail sends a link to a new address, after the current password;
// the address changes when the link is followed.
func (s *Server) changeEmail(c *gin.Context) error {
	if err := parseForm(c); err != nil {
		return err
	}
	u := currentUser(c)
	if err := s.limit(c, s.limits.passwordIP, c.ClientIP()); err != nil {
		return err
	}
	if err := s.limit(c, s.limits.passwordUser, strconv.FormatInt(u.ID, 10)); err != nil {
		return err
	}
	form := newForm()
	form.Values["email"] = postValue(c, "email")
	err := s.accounts.RequestEmailChange(c.Request.Context(), u.ID, c.Request.PostForm.Get("current"), form.Values["email"], s.tr.pickLanguage(c.Request), c.ClientIP())
	if fieldErrors(err, form) {
		return s.renderAccount(c, http.StatusUnprocessableEntity, accountForms{email: form})
	}
	if err != nil {
		return err
	}
	s.setFlash(c, "flash.email_change_sent")
	return redirect(c, "/cuenta")
}
