package web

import (
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"mxcert/internal/account"
	"mxcert/internal/model"
)

// pendingCookie holds the token of a sign-in whose password was right and
// that waits for its second factor. It is not a session: only the code
// pages read it.
const pendingCookie = "mx_pending"

// beginSecondFactor is the rest of an administrator's sign-in once the
// password is right: a pending sign-in, and the page that asks for a code
// (or, the first time, sets up the authenticator).
func (s *Server) beginSecondFactor(c *gin.Context, u *model.User, next string) error {
	token, err := s.accounts.BeginSecondFactor(c.Request.Context(), u, c.ClientIP())
	if err != nil {
		return err
	}
	s.setCookie(c, pendingCookie, token, int(account.ChallengeTTL/time.Second))
	return redirect(c, withNext("/entrar/codigo", next))
}

// withNext is path with the page to go back to after signing in.
func withNext(path, next string) string {
	if next == "/" || next == "" {
		return path
	}
	return path + "?siguiente=" + url.QueryEscape(next)
}

func cookieValue(c *gin.Context, name string) string {
	if ck, err := c.Request.Cookie(name); err == nil {
		return ck.Value
	}
	return ""
}

// pending is the sign-in this browser has waiting for its second factor.
// When there is none (expired, or never), the person is sent back to the
// password and ok is false.
func (s *Server) pending(c *gin.Context, next string) (*account.Pending, bool, error) {
	// These pages show a secret or ask for one: never kept by a cache.
	c.Header("Cache-Control", "no-store")
	p, err := s.accounts.PendingSignIn(c.Request.Context(), cookieValue(c, pendingCookie))
	if errors.Is(err, account.ErrNoChallenge) {
		s.setCookie(c, pendingCookie, "", -1)
		s.setFlash(c, "mfa.flash_expired")
		return nil, false, redirect(c, withNext("/entrar", next))
	}
	if err != nil {
		return nil, false, err
	}
	return p, true, nil
}

type codeView struct {
	base
	Email    string
	Next     string
	Recovery bool   // a recovery code instead of the app's
	Error    string // message id
	Wait     int    // minutes to wait, with Error "mfa.wait"
}

// codePage asks for the authenticator's code (or, at
// /entrar/recuperacion, a recovery code) and finishes the sign-in.
func (s *Server) codePage(c *gin.Context) error {
	recovery := strings.HasSuffix(c.Request.URL.Path, "/recuperacion")
	next := localPath(c.Query("siguiente"))
	if c.Request.Method == http.MethodPost {
		if err := parseForm(c); err != nil {
			return err
		}
		next = localPath(c.Request.PostForm.Get("siguiente"))
	}
	if currentUser(c) != nil {
		return redirect(c, next)
	}
	p, ok, err := s.pending(c, next)
	if !ok {
		return err
	}
	if !p.Enrolled {
		return redirect(c, withNext("/entrar/activar", next))
	}
	titleID := "mfa.code_title"
	if recovery {
		titleID = "mfa.recovery_title"
	}
	v := codeView{base: s.plainBase(c, titleID), Email: p.User.Email, Next: next, Recovery: recovery}
	if c.Request.Method == http.MethodGet {
		return s.page(c, http.StatusOK, "login_code", v)
	}
	kind := account.TOTPCode
	if recovery {
		kind = account.RecoveryCode
	}
	in, err := s.accounts.FinishSignIn(c.Request.Context(), cookieValue(c, pendingCookie), c.Request.PostForm.Get("codigo"), kind,
		cookieValue(c, sessionCookie), c.Request.UserAgent(), c.ClientIP())
	if status, ok := s.codeRefused(c, err, &v.Error, &v.Wait); ok {
		if recovery && v.Error == "mfa.code_wrong" {
			v.Error = "mfa.recovery_wrong"
		}
		v.fail("codigo", v.Error, "Count", v.Wait)
		return s.page(c, status, "login_code", v)
	}
	if err != nil {
		return s.pendingGone(c, err, next)
	}
	s.signedInWithSecondFactor(c, in)
	if recovery {
		s.setFlash(c, "mfa.flash_recovery_used")
	} else {
		s.setFlash(c, "flash.signed_in")
	}
	return redirect(c, next)
}

// codeRefused turns a refused code into a message id (and the minutes to
// wait) and a status; ok is false for any other error.
func (s *Server) codeRefused(c *gin.Context, err error, msg *string, wait *int) (int, bool) {
	var we *account.WaitError
	switch {
	case errors.As(err, &we):
		*msg, *wait = "mfa.wait", int((we.Wait+time.Minute-1)/time.Minute)
		c.Header("Retry-After", strconv.Itoa(int(we.Wait.Round(time.Second)/time.Second)+1))
		return http.StatusTooManyRequests, true
	case errors.Is(err, account.ErrCodeUsed):
		*msg = "mfa.code_used"
	case errors.Is(err, account.ErrWrongCode):
		*msg = "mfa.code_wrong"
	case errors.Is(err, account.ErrWrongPassword):
		*msg = "mfa.password_wrong"
	default:
		return 0, false
	}
	return http.StatusUnauthorized, true
}

// pendingGone handles a pending sign-in that ended between the page and
// the code (expired, or finished in another tab): back to the password.
func (s *Server) pendingGone(c *gin.Context, err error, next string) error {
	if errors.Is(err, account.ErrNoChallenge) {
		s.setCookie(c, pendingCookie, "", -1)
		s.setFlash(c, "mfa.flash_expired")
		return redirect(c, withNext("/entrar", next))
	}
	return err
}

// signedInWithSecondFactor puts the new session in its cookie and the
// pending sign-in out of its own.
func (s *Server) signedInWithSecondFactor(c *gin.Context, in *account.SignIn) {
	s.setCookie(c, sessionCookie, in.Token, int(account.AbsoluteTimeout/time.Second))
	s.setCookie(c, pendingCookie, "", -1)
	c.Set(userKey, in.User)
}

type enrolView struct {
	base
	Email   string
	Next    string
	Action  string // the form's URL
	Console bool   // replacing the authenticator from the console
	QR      qrImage
	Secret  string       // grouped in fours, for typing
	URI     template.URL // opens the authenticator app on this phone
	Error   string
	Wait    int
}

func (s *Server) enrolView(c *gin.Context, titleID string, u *model.User, enr *account.Enrolment) (enrolView, error) {
	qr, err := newQR(enr.URI)
	if err != nil {
		return enrolView{}, err
	}
	v := enrolView{base: s.plainBase(c, titleID), Email: u.Email, Action: c.Request.URL.Path, QR: qr, Secret: groupsOf4(enr.Secret),
		// #nosec G203 -- the otp library builds this otpauth: URI from our issuer, the account's e-mail (escaped) and the secret; html/template would blank any scheme but http(s) and mailto
		URI: template.URL(enr.URI)}
	return v, nil
}

func groupsOf4(s string) string {
	var b strings.Builder
	for i, r := range s {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// enrolPage sets up the first authenticator of an administrator who has
// none, during sign-in: the QR code and the secret, then a code from the
// app, which opens the session and shows the recovery codes once.
func (s *Server) enrolPage(c *gin.Context) error {
	next := localPath(c.Query("siguiente"))
	if c.Request.Method == http.MethodPost {
		if err := parseForm(c); err != nil {
			return err
		}
		next = localPath(c.Request.PostForm.Get("siguiente"))
	}
	if currentUser(c) != nil {
		return redirect(c, next)
	}
	p, ok, err := s.pending(c, next)
	if !ok {
		return err
	}
	if p.Enrolled {
		return redirect(c, withNext("/entrar/codigo", next))
	}
	status := http.StatusOK
	var msg string
	var wait int
	if c.Request.Method == http.MethodPost {
		in, err := s.accounts.FinishEnrolment(c.Request.Context(), cookieValue(c, pendingCookie), c.Request.PostForm.Get("codigo"),
			cookieValue(c, sessionCookie), c.Request.UserAgent(), c.ClientIP())
		var refused bool
		status, refused = s.codeRefused(c, err, &msg, &wait)
		switch {
		case refused:
		case errors.Is(err, account.ErrNoEnrolment):
			status, msg = http.StatusConflict, "mfa.enrol_replaced"
		case errors.Is(err, account.ErrEnrolled): // enrolled meanwhile, from the command line
			return redirect(c, withNext("/entrar/codigo", next))
		case err != nil:
			return s.pendingGone(c, err, next)
		default:
			s.signedInWithSecondFactor(c, in)
			return s.recoveryCodesPage(c, in.RecoveryCodes, next, false)
		}
	}
	enr, err := s.accounts.StartSignInEnrolment(c.Request.Context(), cookieValue(c, pendingCookie))
	if err != nil {
		return s.pendingGone(c, err, next)
	}
	v, err := s.enrolView(c, "mfa.enrol_title", p.User, enr)
	if err != nil {
		return err
	}
	v.Next, v.Error, v.Wait = next, msg, wait
	if msg != "" {
		v.fail("codigo", msg, "Count", wait)
	}
	return s.page(c, status, "mfa_enrol", v)
}

type codesView struct {
	base
	Codes   []string
	Next    string
	Console bool
}

// recoveryCodesPage shows new recovery codes, the only time they are
// shown: the answer to the POST that made them, never stored in clear.
func (s *Server) recoveryCodesPage(c *gin.Context, codes []string, next string, console bool) error {
	c.Header("Cache-Control", "no-store")
	return s.page(c, http.StatusOK, "mfa_codes", codesView{base: s.plainBase(c, "mfa.codes_title"), Codes: codes, Next: next, Console: console})
}
