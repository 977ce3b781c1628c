package e2e

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"

	"mxcert/internal/account"
	"mxcert/internal/model"
)

// TestEveryConsolePageOnAPhoneAndALaptop opens the console's pages that
// other browser tests do not already check at both sizes — the dashboard,
// the candidate list and record, the confirmations, the security page,
// the content reload and the duplicates report — on a 360 px phone and a
// 1280 px laptop: axe finds nothing in either language, and no page is
// wider than the screen.
func TestEveryConsolePageOnAPhoneAndALaptop(t *testing.T) {
	s := requireEnv(t)
	t.Parallel()
	person := account.Registration{Name: "Tonatiuh Cano Ávila", Email: uniqueEmail("tona"), Password: "una frase larga y segura", State: "Puebla"}
	cand, err := s.app.Accounts().CreateUser(t.Context(), person, model.RoleCandidate)
	if err != nil {
		t.Fatal(err)
	}
	b := staffTab(t, s, "Ximena Consola Ortiz", "ximena", phoneWidth, phoneHeight, true)

	id := fmt.Sprint(cand.ID)
	for _, p := range []struct{ path, name string }{
		{"/admin", "consola: tablero"},
		{"/admin/candidatos?q=avila", "consola: candidatos"},
		{"/admin/candidatos/" + id, "consola: expediente"},
		{"/admin/candidatos/" + id + "/tiempo-adicional", "consola: tiempo adicional"},
		{"/admin/candidatos/" + id + "/nombre", "consola: corregir nombre"},
		{"/admin/candidatos/" + id + "/restablecer-contrasena", "consola: enlace de contraseña"},
		{"/admin/seguridad", "consola: seguridad"},
		{"/admin/contenido/recargar", "consola: recargar contenido"},
		{"/admin/duplicados", "consola: posibles duplicados"},
		{"/admin/directorio", "consola: moderación del directorio"},
		{"/admin/directorio/niveles", "consola: niveles de socios"},
	} {
		for _, size := range []struct {
			width, height int64
			mobile        bool
			label         string
		}{{phoneWidth, phoneHeight, true, "teléfono"}, {laptopWidth, laptopHeight, false, "laptop"}} {
			if size.mobile {
				b.do(chromedp.EmulateViewport(size.width, size.height, chromedp.EmulateMobile, chromedp.EmulateScale(2)))
			} else {
				b.do(chromedp.EmulateViewport(size.width, size.height))
			}
			b.open(p.path, 200)
			if w := eval[int](b, `document.documentElement.scrollWidth`); int64(w) > size.width {
				t.Errorf("%s is %d px wide on a %d px screen", p.path, w, size.width)
			}
			b.audit(p.name + " (" + size.label + ")")
		}
	}
}
