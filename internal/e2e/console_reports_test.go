package e2e

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// TestConsoleReportsReadable opens the item analysis and the audit log on
// a phone and on a laptop: every page passes axe, nothing is wider than
// the screen, on a laptop the analysis's table fits its box (no column cut
// off) and each entry's date and time stay on one line.
func TestConsoleReportsReadable(t *testing.T) {
	s := requireEnv(t)
	t.Parallel()
	b := staffTab(t, s, "Rocío Editora Salgado", "rocio", phoneWidth, phoneHeight, true)

	for _, p := range []struct{ path, name, heading, shot string }{
		{"/admin/preguntas", "consola: análisis de preguntas", "Análisis de preguntas del examen", "21-preguntas"},
		{"/admin/bitacora", "consola: bitácora", "Bitácora de acciones", "23-bitacora"},
	} {
		b.do(chromedp.EmulateViewport(phoneWidth, phoneHeight, chromedp.EmulateMobile, chromedp.EmulateScale(2)))
		b.open(p.path, 200)
		b.wantText("h1", p.heading)
		b.fits(p.name, phoneWidth)
		b.audit(p.name)
		b.screenshot(p.shot, "")
		b.do(chromedp.EmulateViewport(laptopWidth, laptopHeight))
		b.reload()
		b.fits(p.name, laptopWidth)
		b.audit(p.name + " (laptop)")
		b.screenshot(p.shot+"-laptop", "")
	}

	// On a laptop the audit log's dates are on one line each.
	if n := eval[int](b, `[...document.querySelectorAll("table.audit tbody td:first-child")].filter(td => {
			const r = document.createRange(); r.selectNodeContents(td);
			return new Set([...r.getClientRects()].map(x => Math.round(x.top))).size > 1;
		}).length`); n != 0 {
		t.Errorf("%d dates of the audit log wrap", n)
	}
	if n := eval[int](b, `document.querySelectorAll("table.audit tbody td:first-child").length`); n == 0 {
		t.Error("the audit log shows no entries")
	}
	// The analysis's table fits its box: no column is cut off.
	b.open("/admin/preguntas", 200)
	if over := eval[int](b, `(() => { const d = document.querySelector(".table-scroll"); return d.scrollWidth - d.clientWidth; })()`); over > 0 {
		t.Errorf("on a laptop the item analysis's table is %d px wider than its box", over)
	}
	if n := eval[int](b, `document.querySelectorAll("table.items .option-html code").length`); n == 0 {
		t.Error("no option's code is rendered as code")
	}
}
