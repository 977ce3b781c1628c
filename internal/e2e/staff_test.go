package e2e

import (
	"testing"

	"github.com/chromedp/chromedp"

	"mxcert/internal/account"
	"mxcert/internal/model"
)

// staffTab creates an administrator with an authenticator enrolled and
// returns a tab of the given size signed in as them, past the second
// factor, as the console's browser tests begin.
func staffTab(t *testing.T, s *suite, name, emailLocal string, width, height int64, mobile bool) *tab {
	t.Helper()
	staff := account.Registration{Name: name, Email: uniqueEmail(emailLocal), Password: "otra frase larga y segura"}
	if _, err := s.app.Accounts().CreateUser(t.Context(), staff, model.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	_, enr, _, err := s.app.Accounts().EnrolNow(t.Context(), staff.Email)
	if err != nil {
		t.Fatal(err)
	}
	b := newTab(t, s, width, height, mobile)
	b.open("/entrar", 200)
	b.do(
		chromedp.SendKeys(chromedp.ID("email"), staff.Email),
		chromedp.SendKeys(chromedp.ID("password"), staff.Password),
	)
	b.follow(`form[action="/entrar"] button[type="submit"]`)
	b.do(chromedp.SendKeys(chromedp.ID("codigo"), totpNow(t, enr.Secret)))
	b.follow(`form[action="/entrar/codigo"] button[type="submit"]`)
	return b
}

// fits fails the test when the page is wider than a screen of width.
func (b *tab) fits(page string, width int) {
	b.t.Helper()
	if w := eval[int](b, `document.documentElement.scrollWidth`); w > width {
		b.t.Errorf("%s is %d px wide on a %d px screen", page, w, width)
	}
}
