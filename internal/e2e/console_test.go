package e2e

import (
	"testing"

	"github.com/chromedp/chromedp"

	"mxcert/internal/account"
)

// TestConsoleSearchAndDashboard finds a person by typing her name
// without accents, narrows the list by state, and reads the dashboard,
// on a phone and on a laptop: nothing wider than the screen, state names
// whole, and every page passes axe. The number of accounts found counts
// the whole database, so the test runs its own server.
func TestConsoleSearchAndDashboard(t *testing.T) {
	s := requireEnv(t)
	t.Parallel()
	s = s.with(ownApp(t, nil))
	for _, p := range []struct{ name, state string }{
		{"José Ñúñez Zamarripa", "Baja California Sur"},
		{"María Ramírez Zamarripa", "Nuevo León"},
		{"Pedro Ávila Zamarripa", "San Luis Potosí"},
		{"Lucía Güemes Zamarripa", "Baja California Sur"},
	} {
		r := account.Registration{Name: p.name, Email: uniqueEmail("zamarripa"), Password: "una frase larga y segura", State: p.state}
		if _, err := s.app.Accounts().Register(t.Context(), r); err != nil {
			t.Fatal(err)
		}
	}
	b := staffTab(t, s, "Elena Admin Robles", "elena", phoneWidth, phoneHeight, true)

	// Typed the way people type on a phone: no accents, no capitals.
	b.open("/admin/candidatos", 200)
	b.do(chromedp.SendKeys(chromedp.ID("q"), "nunez zamarripa"))
	b.follow(`.people-search .copy-row button[type="submit"]`)
	b.wantText("main", "José Ñúñez Zamarripa", "1 cuenta encontrada")
	b.fits("the search results", phoneWidth)
	b.audit("consola: búsqueda de candidatos")
	b.screenshot("consola-busqueda-telefono", "")

	b.open("/admin/candidatos?q=zamarripa&orden=nombre", 200)
	b.wantText("main", "Lucía Güemes Zamarripa", "María Ramírez Zamarripa", "Pedro Ávila Zamarripa", "4 cuentas encontradas")
	b.fits("the list sorted by name", phoneWidth)

	b.open("/admin", 200)
	b.wantText(".hbars", "Baja California Sur", "San Luis Potosí")
	b.wantText("main", "aprobación por intento", "aprobación por persona")
	b.fits("the dashboard", phoneWidth)
	b.audit("consola: tablero")
	b.screenshot("consola-tablero-telefono", ".hbars")

	b.do(chromedp.EmulateViewport(laptopWidth, laptopHeight))
	b.open("/admin/candidatos?q=zamarripa&orden=nombre", 200)
	b.fits("the search results", laptopWidth)
	b.audit("consola: búsqueda de candidatos (laptop)")
	b.screenshot("consola-busqueda", "")
	b.open("/admin", 200)
	b.fits("the dashboard", laptopWidth)
	b.audit("consola: tablero (laptop)")
	b.screenshot("consola-tablero", "")
}
