package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"mxcert/internal/account"
	"mxcert/internal/model"
)

type accountView struct {
	base
	Form         formView // password change
	NameForm     formView
	EmailForm    formView // address change
	Certificates []*model.Certificate
	Sessions     []sessionRow
	Contact      string // the foundation's e-mail, when configured
	// CanList: a certificate valid now lets the person appear in the
	// directory; HasListing: they have a listing.
	CanList    bool
	HasListing bool
}

func (s *Server) accountPage(c *gin.Context) error {
	return s.renderAccount(c, http.StatusOK, accountForms{})
}

// accountForms are the account page's forms as sent back; a zero one is
// empty.
type accountForms struct {
	password, name, email formView
}

func orNewForm(f formView) formView {
	if f.Values == nil {
		return newForm()
	}
	return f
}

func (s *Server) renderAccount(c *gin.Context, status int, forms accountForms) error {
	v := accountView{base: s.base(c, "account.title"), Form: orNewForm(forms.password), NameForm: orNewForm(forms.name), EmailForm: orNewForm(forms.email), Contact: s.cfg.ContactEmail}
	v.report(v.NameForm, "name")
	v.report(v.EmailForm, "email#new-email", "current#email-current")
	v.report(v.Form, "current", "new")
	var err error
	if v.Certificates, err = s.certs.OfUser(c.Request.Context(), currentUser(c).ID); err != nil {
		return err
	}
	if v.Sessions, err = s.sessionRows(c, v.base); err != nil {
		return err
	}
	if v.CanList, v.HasListing, err = s.directoryStanding(c); err != nil {
		return err
	}
	return s.page(c, status, "account", v)
}

// changeName lets candidates correct their legal name until they hold a
// certificate.
func (s *Server) changeName(c *gin.Context) error {
	if err := parseForm(c); err != nil {
		return err
	}
	nameForm := newForm()
	nameForm.Values["name"] = postValue(c, "name")
	err := s.accounts.ChangeName(c.Request.Context(), currentUser(c).ID, nameForm.Values["name"])
	if errors.Is(err, account.ErrNameLocked) {
		nameForm.Errors["name"] = "account.name_locked"
	} else if err != nil && !fieldErrors(err, nameForm) {
		return err
	}
	if nameForm.HasErrors() {
		return s.renderAccount(c, http.StatusUnprocessableEntity, accountForms{name: nameForm})
	}
	s.setFlash(c, "flash.name_changed")
	return redirect(c, "/cuenta")
}

func (s *Server) changePassword(c *gin.Context) error {
	if err := parseForm(c); err != nil {
		return err
	}
	ck, err := c.Request.Cookie(sessionCookie)
	if err != nil {
		return errForbidden
	}
	user := currentUser(c)
	if err := s.limit(c, s.limits.passwordIP, c.ClientIP()); err != nil {
		return err
	}
	if err := s.limit(c, s.limits.passwordUser, strconv.FormatInt(user.ID, 10)); err != nil {
		return err
	}
	form := newForm()
	token, err := s.accounts.ChangePassword(c.Request.Context(), user.ID, c.Request.PostForm.Get("current"), c.Request.PostForm.Get("new"), ck.Value, c.ClientIP())
	if fieldErrors(err, form) {
		return s.renderAccount(c, http.StatusUnprocessableEntity, accountForms{password: form})
	}
	if err != nil {
		return err
	}
	s.setSessionCookie(c, token)
	s.setFlash(c, "flash.password_changed")
	return redirect(c, "/cuenta")
}

// setLanguage remembers the visitor's language for a year and goes back to
// the page they were on. A signed-in person's e-mails follow it too.
func (s *Server) setLanguage(c *gin.Context) error {
	if err := parseForm(c); err != nil {
		return err
	}
	lang := c.Request.PostForm.Get("lang")
	if lang != "es" && lang != "en" {
		return errBadRequest
	}
	s.setCookie(c, langCookie, lang, 365*24*3600)
	if u := currentUser(c); u != nil && u.Lang != lang {
		if err := s.accounts.SetLanguage(c.Request.Context(), u.ID, lang); err != nil {
			return err
		}
	}
	return redirect(c, localPath(c.Request.PostForm.Get("siguiente")))
}
