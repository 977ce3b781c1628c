package web

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"mxcert/internal/account"
)

type registerView struct {
	base
	Form   formView
	States []string
}

func (s *Server) registerForm(c *gin.Context) error {
	if currentUser(c) != nil {
		return redirect(c, "/cuenta")
	}
	return s.page(c, http.StatusOK, "register", registerView{base: s.base(c, "register.title"), Form: newForm(), States: account.States})
}

func (s *Server) register(c *gin.Context) error {
	if err := parseForm(c); err != nil {
		return err
	}
	if err := s.limit(c, s.limits.registerIP, c.ClientIP()); err != nil {
		return err
	}
	form := newForm()
	for _, k := range []string{"name", "email", "state"} {
		form.Values[k] = postValue(c, k)
	}
	_, err := s.accounts.Register(c.Request.Context(), account.Registration{
		Name: form.Values["name"], Email: form.Values["email"], State: form.Values["state"],
		Password: c.Request.PostForm.Get("password"), Lang: s.tr.pickLanguage(c.Request),
	})
	if fieldErrors(err, form) {
		b := s.base(c, "register.title")
		b.report(form, "name", "email", "password", "state")
		return s.page(c, http.StatusUnprocessableEntity, "register", registerView{base: b, Form: form, States: account.States})
	}
	// An address that has an account is answered exactly like a new one
	// (its owner gets «ya tienes una cuenta»): the page does not sign in,
	// so that neither it nor its cookies tell the two apart.
	if err != nil && !errors.Is(err, account.ErrAlreadyRegistered) {
		return err
	}
	return redirect(c, "/registro/enviado")
}

// registerSent is where every registration ends: check your mailbox. It
// is a page of its own (the form redirects to it) so that reloading it
// does not send the form again.
func (s *Server) registerSent(c *gin.Context) error {
	return s.page(c, http.StatusOK, "register_sent", s.base(c, "register.sent_title"))
}

type loginView struct {
	base
	Form formView
	Next string
}

func (s *Server) loginForm(c *gin.Context) error {
	next := localPath(c.Query("siguiente"))
	if currentUser(c) != nil {
		return redirect(c, next)
	}
	return s.page(c, http.StatusOK, "login", loginView{base: s.base(c, "login.title"), Form: newForm(), Next: next})
}

func (s *Server) login(c *gin.Context) error {
	if err := parseForm(c); err != nil {
		return err
	}
	form := newForm()
	form.Values["email"] = postValue(c, "email")
	next := localPath(c.Request.PostForm.Get("siguiente"))
	if err := s.limit(c, s.limits.loginIP, c.ClientIP()); err != nil {
		return err
	}
	u, err := s.accounts.Authenticate(c.Request.Context(), form.Values["email"], c.Request.PostForm.Get("password"), c.ClientIP())
	var locked *account.LockedOutError
	if errors.As(err, &locked) {
		return tooMany(c, locked.RetryAfter)
	}
	if errors.Is(err, account.ErrBadCredentials) {
		form.Errors["password"] = "login.failed"
		return s.loginAgain(c, http.StatusUnauthorized, form, next)
	}
	if errors.Is(err, account.ErrMerged) {
		form.Errors["password"] = "login.merged"
		return s.loginAgain(c, http.StatusForbidden, form, next)
	}
	if err != nil {
		return err
	}
	if u.IsAdmin() {
		return s.beginSecondFactor(c, u, next) // the password alone never opens an administrator's session
	}
	if err := s.signIn(c, u.ID); err != nil {
		return err
	}
	if u.EmailVerified() {
		s.setFlash(c, "flash.signed_in")
	} else {
		s.setFlash(c, "flash.signed_in_unverified")
	}
	return redirect(c, next)
}

// loginAgain shows the sign-in form again with its problem.
func (s *Server) loginAgain(c *gin.Context, status int, form formView, next string) error {
	b := s.base(c, "login.title")
	b.report(form, "password")
	return s.page(c, status, "login", loginView{base: b, Form: form, Next: next})
}

// signIn starts a new session, replacing this browser's previous one.
func (s *Server) signIn(c *gin.Context, userID int64) error {
	var previous string
	if ck, err := c.Request.Cookie(sessionCookie); err == nil {
		previous = ck.Value
	}
	token, err := s.accounts.StartSession(c.Request.Context(), userID, previous, c.Request.UserAgent(), c.ClientIP())
	if err != nil {
		return err
	}
	s.setSessionCookie(c, token)
	return nil
}

// setSessionCookie gives the browser its session token.
func (s *Server) setSessionCookie(c *gin.Context, token string) {
	s.setCookie(c, sessionCookie, token, int(account.AbsoluteTimeout/time.Second))
}

func (s *Server) logout(c *gin.Context) error {
	if ck, err := c.Request.Cookie(sessionCookie); err == nil {
		if err := s.accounts.SignOut(c.Request.Context(), ck.Value, c.ClientIP()); err != nil {
			return err
		}
	}
	s.setCookie(c, sessionCookie, "", -1)
	s.setFlash(c, "flash.signed_out")
	return redirect(c, "/")
}

// limit takes a token from l for key, or answers 429 with Retry-After.
func (s *Server) limit(c *gin.Context, l *limiter, key string) error {
	ok, wait := l.allow(key)
	if ok {
		return nil
	}
	return tooMany(c, wait)
}

// tooMany answers 429, saying in Retry-After when to come back.
func tooMany(c *gin.Context, wait time.Duration) error {
	c.Header("Retry-After", strconv.Itoa(int(wait.Round(time.Second)/time.Second)+1))
	return errTooMany
}
