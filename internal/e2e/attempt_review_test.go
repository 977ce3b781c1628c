package e2e

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestAttemptReviewReadable starts an exam as a candidate, answers one
// question, and opens as staff the attempt's review page, the pages that
// confirm extending and cancelling it, and the candidate's record, on a
// laptop and on a phone: nothing wider than the screen, and every page
// passes axe.
func TestAttemptReviewReadable(t *testing.T) {
	s := requireEnv(t)
	t.Parallel()
	cand := newTab(t, s, phoneWidth, phoneHeight, true)
	id := startAsNewCandidate(cand, "Guadalupe Ñúñez Villaseñor", "guadalupe", trackID)
	att, err := s.app.DB().Attempt(t.Context(), id, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range att.Items[0].Item.Key() {
		cand.do(chromedp.Click(chromedp.ID(fmt.Sprintf("opcion-%d", k))))
	}
	waitSaved(cand)

	b := staffTab(t, s, "Marisol Admin Treviño", "marisol", laptopWidth, laptopHeight, false)

	review := "/admin/intentos/" + id
	pages := []struct{ path, name, text string }{
		{review, "consola: revisar un examen", "Pregunta por pregunta"},
		{review + "/prorrogar", "consola: dar más tiempo", "Minutos que se suman"},
		{review + "/cancelar", "consola: cancelar un examen", "Motivo"},
		{"/admin/candidatos/" + fmt.Sprint(att.UserID), "consola: candidato con examen en curso", "Notas de la Fundación"},
	}
	for _, size := range []struct {
		width, height int64
		mobile        bool
	}{{laptopWidth, laptopHeight, false}, {phoneWidth, phoneHeight, true}} {
		if size.mobile {
			b.do(chromedp.EmulateViewport(size.width, size.height, chromedp.EmulateMobile, chromedp.EmulateScale(2)))
		} else {
			b.do(chromedp.EmulateViewport(size.width, size.height))
		}
		for _, p := range pages {
			b.open(p.path, 200)
			b.wantText("main", p.text)
			b.fits(p.name, int(size.width))
			b.audit(fmt.Sprintf("%s (%d px)", p.name, size.width))
		}
		b.open(review, 200)
		b.wantText("main", "Guadalupe Ñúñez Villaseñor", "le quedan", "1 de 2", "clave", "eligió")
		b.screenshot(fmt.Sprintf("21-consola-intento-%d", size.width), "")
	}
}
