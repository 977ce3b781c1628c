package web

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"mxcert/internal/account"
)

type forgotView struct {
	base
	Form formView
}

// forgotForm asks for the address to send a reset link to.
func (s *Server) forgotForm(c *gin.Context) error {
	return s.page(c, http.StatusOK, "forgot", forgotView{base: s.base(c, "forgot.title"), Form: newForm()})
}

// forgot sends a reset link if the address has an account, and answers
// with the same page either way. An address asked for too often is
// quietly not sent another, with the same page again.
func (s *Server) forgot(c *gin.Context) error {
	if err := parseForm(c); err != nil {
		return err
	}
	if err := s.limit(c, s.limits.resetIP, c.ClientIP()); err != nil {
		return err
	}
	form := newForm()
	form.Values["email"] = postValue(c, "email")
	var err error
	if ok, _ := s.limits.resetEmail.allow(account.NormalizeEmail(form.Values["email"])); ok {
		err = s.accounts.RequestPasswordReset(c.Request.Context(), form.Values["email"], s.tr.pickLanguage(c.Request), c.ClientIP())
	}
	if fieldErrors(err, form) {
		b := s.base(c, "forgot.title")
		b.report(form, "email")
		return s.page(c, http.StatusUnprocessableEntity, "forgot", forgotView{base: b, Form: form})
	}
	if err != nil {
		return err
	}
	return s.page(c, http.StatusOK, "forgot_sent", s.base(c, "forgot.sent_title"))
}

type resetView struct {
	base
	Token string
	Form  formView
}

// resetForm is the page of a reset link: the form for the new password.
func (s *Server) resetForm(c *gin.Context) error {
	c.Header("Referrer-Policy", "no-referrer") // the token is in this page's address
	c.Header("Cache-Control", "no-store")
	token := c.Query("t")
	if err := s.accounts.CheckResetLink(c.Request.Context(), token); err != nil {
		return s.linkProblem(c, err, true)
	}
	return s.page(c, http.StatusOK, "reset", resetView{base: s.base(c, "reset.title"), Token: token, Form: newForm()})
}

// reset sets the new password; every session of the account ends, this
// browser's too, and the person signs in with the new password.
func (s *Server) reset(c *gin.Context) error {
	if err := parseForm(c); err != nil {
		return err
	}
	c.Header("Cache-Control", "no-store")
	if err := s.limit(c, s.limits.resetIP, c.ClientIP()); err != nil {
		return err
	}
	token := c.Request.PostForm.Get("t")
	form := newForm()
	err := s.accounts.ResetPassword(c.Request.Context(), token, c.Request.PostForm.Get("password"), s.tr.pickLanguage(c.Request), c.ClientIP())
	var ve *account.ValidationError
	if errors.As(err, &ve) {
		fieldErrors(err, form)
		b := s.base(c, "reset.title")
		b.report(form, "password")
		return s.page(c, http.StatusUnprocessableEntity, "reset", resetView{base: b, Token: token, Form: form})
	}
	if err != nil {
		return s.linkProblem(c, err, true)
	}
	s.setCookie(c, sessionCookie, "", -1)
	s.setFlash(c, "flash.password_reset")
	return redirect(c, "/entrar")
}
