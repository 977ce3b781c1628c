package e2e

import (
	"fmt"
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
	// The report lists the groups of the whole database, newest first:
	// this test's group is the one that holds both of its accounts.
	group := ".duplicate-group"
	for _, email := range []string{uniqueEmail("ximena.duplicada"), uniqueEmail("ximena.duplicada")} {
		r := account.Registration{Name: "Ximena Quintanilla Villaseñor", Email: email, Password: "una frase larga y segura", State: "Zacatecas"}
		u, err := s.app.Accounts().Register(t.Context(), r)
		if err != nil {
			t.Fatal(err)
		}
		group += fmt.Sprintf(`:has(a[href="/admin/candidatos/%d"])`, u.ID)
	}
	b := staffTab(t, s, "Jimena Admin Ochoa", "jimena", phoneWidth, phoneHeight, true)

	b.open("/admin/duplicados", 200)
	b.wantText("main", "Posibles duplicados")
	b.wantText(b.find("the group of the two accounts", group), "Ximena Quintanilla Villaseñor", "mismo nombre y estado")
	b.fits("the duplicates report", phoneWidth)
	b.audit("consola: posibles duplicados")
	b.screenshot("18-duplicados", "")
	b.do(chromedp.EmulateViewport(laptopWidth, laptopHeight))
	b.reload()
	b.fits("the duplicates report", laptopWidth)
	if n := eval[int](b, `new Set([...document.querySelectorAll('`+group+` .duplicate-accounts > li')].slice(0, 2).map(li => li.getBoundingClientRect().top)).size`); n != 1 {
		t.Errorf("on a laptop a group's accounts are not side by side (%d rows)", n)
	}
	b.screenshot("19-duplicados-laptop", "")

	b.do(chromedp.EmulateViewport(phoneWidth, phoneHeight, chromedp.EmulateMobile, chromedp.EmulateScale(2)))
	b.follow(group + ` .merge-choice button[type="submit"]`)
	b.wantText("h1", "Unir dos cuentas de una persona")
	b.fits("the merge confirmation", phoneWidth)
	b.audit("consola: unir cuentas")
	b.screenshot("20-unir-cuentas", "")
}
