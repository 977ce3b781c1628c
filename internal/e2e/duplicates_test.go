package e2e

import (
	"testing"

	"github.com/chromedp/chromedp"

	"mxcert/internal/account"
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
	b := staffTab(t, s, "Jimena Admin Ochoa", "jimena", phoneWidth, phoneHeight, true)

	b.open("/admin/duplicados", 200)
	b.wantText("main", "Posibles duplicados", "Ximena Quintanilla Villaseñor", "mismo nombre y estado")
	b.fits("the duplicates report", phoneWidth)
	b.audit("consola: posibles duplicados")
	b.screenshot("18-duplicados", "")
	b.do(chromedp.EmulateViewport(laptopWidth, laptopHeight))
	b.reload()
	b.fits("the duplicates report", laptopWidth)
	if n := eval[int](b, `new Set([...document.querySelectorAll(".duplicate-accounts > li")].slice(0, 2).map(li => li.getBoundingClientRect().top)).size`); n != 1 {
		t.Errorf("on a laptop a group's accounts are not side by side (%d rows)", n)
	}
	b.screenshot("19-duplicados-laptop", "")

	b.do(chromedp.EmulateViewport(phoneWidth, phoneHeight, chromedp.EmulateMobile, chromedp.EmulateScale(2)))
	b.follow(`.merge-choice button[type="submit"]`)
	b.wantText("h1", "Unir dos cuentas de una persona")
	b.fits("the merge confirmation", phoneWidth)
	b.audit("consola: unir cuentas")
	b.screenshot("20-unir-cuentas", "")
}
