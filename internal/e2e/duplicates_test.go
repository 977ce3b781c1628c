package e2e

import (
	"testing"

	"github.com/chromedp/chromedp"

	"mxcert/internal/account"
	"mxcert/internal/model"
)

// TestDuplicatesReadable opens the possible duplicates report and a
// merge's confirmation on a phone and on a laptop: nothing wider than the
// screen, and every page passes axe.
func TestDuplicatesReadable(t *testing.T) {
	s := requireEnv(t)
	t.Parallel()
	for _, email := range []string{uniqueEmail("ximena.duplicada"), uniqueEmail("ximena.duplicada")} {
		r := account.Registration{Name: "Ximena Quintanilla Villaseñor", Email: email, Password: "una frase larga y segura", State: "Zacatecas"}
		if _, err := s.app.Accounts().Register(t.Context(), r); err != nil {
			t.Fatal(err)
		}
	}
	admin := account.Registration{Name: "Jimena Admin Ochoa", Email: uniqueEmail("jimena"), Password: "otra frase larga y segura"}
	if _, err := s.app.Accounts().CreateUser(t.Context(), admin, model.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	_, enr, _, err := s.app.Accounts().EnrolNow(t.Context(), admin.Email)
	if err != nil {
		t.Fatal(err)
	}
	b := newTab(t, s, phoneWidth, phoneHeight, true)
	b.open("/entrar", 200)
	b.do(
		chromedp.SendKeys(chromedp.ID("email"), admin.Email),
		chromedp.SendKeys(chromedp.ID("password"), admin.Password),
	)
	b.follow(`form[action="/entrar"] button[type="submit"]`)
	b.do(chromedp.SendKeys(chromedp.ID("codigo"), totpNow(t, enr.Secret)))
	b.follow(`form[action="/entrar/codigo"] button[type="submit"]`)

	fits := func(page string, width int) {
		t.Helper()
		if w := eval[int](b, `document.documentElement.scrollWidth`); w > width {
			t.Errorf("%s is %d px wide on a %d px screen", page, w, width)
		}
	}
	b.open("/admin/duplicados", 200)
	b.wantText("main", "Posibles duplicados", "Ximena Quintanilla Villaseñor", "mismo nombre y estado")
	fits("the duplicates report", phoneWidth)
	b.audit("consola: posibles duplicados")
	b.screenshot("18-duplicados", "")
	b.do(chromedp.EmulateViewport(laptopWidth, laptopHeight))
	b.reload()
	fits("the duplicates report", laptopWidth)
	if n := eval[int](b, `new Set([...document.querySelectorAll(".duplicate-accounts > li")].slice(0, 2).map(li => li.getBoundingClientRect().top)).size`); n != 1 {
		t.Errorf("on a laptop a group's accounts are not side by side (%d rows)", n)
	}
	b.screenshot("19-duplicados-laptop", "")

	b.do(chromedp.EmulateViewport(phoneWidth, phoneHeight, chromedp.EmulateMobile, chromedp.EmulateScale(2)))
	b.follow(`.merge-choice button[type="submit"]`)
	b.wantText("h1", "Unir dos cuentas de una persona")
	fits("the merge confirmation", phoneWidth)
	b.audit("consola: unir cuentas")
	b.screenshot("20-unir-cuentas", "")
}
