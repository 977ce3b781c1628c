package e2e

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestShippedModulesAreAccessible opens the real curriculum's track page and
// every module on a phone, as a visitor, and checks each for WCAG 2.1 A/AA
// violations: long lessons, tables, terminal output and figures are where
// a phone layout breaks first. Every figure must load, as the image type
// the browser can draw, and fit the screen.
func TestShippedModulesAreAccessible(t *testing.T) {
	s := requireEnv(t)
	t.Parallel()
	b := newTab(t, s, 360, 740, true)
	b.open("/certificaciones/"+shippedTrackID, 200)
	b.audit("shipped track page")
	track := s.app.Catalog().Track(shippedTrackID)
	if track == nil || len(track.Modules) == 0 {
		t.Fatal("the shipped track is not loaded")
	}
	for _, m := range track.Modules {
		b.open("/certificaciones/"+shippedTrackID+"/modulos/"+m.Slug, 200)
		b.audit("module " + m.Slug)
		// Nothing may be wider than the screen: a page that scrolls
		// sideways on a phone is hard to read.
		if w := eval[int](b, `document.documentElement.scrollWidth`); w > 360 {
			t.Errorf("module %s is %d px wide on a 360 px screen", m.Slug, w)
		}
		if n := eval[int](b, `document.querySelectorAll(".prose figure img").length`); n == 0 {
			t.Errorf("module %s shows no figure", m.Slug)
		}
		// Figures load lazily: bring each into view, then wait until the
		// browser has drawn all of them.
		b.do(chromedp.Evaluate[chromedp.Void](`document.querySelectorAll(".prose figure img").forEach(i => { i.loading = "eager"; i.scrollIntoView(); })`))
		b.waitFor("the figures of "+m.Slug+" to load", `[...document.querySelectorAll(".prose figure img")].every(i => i.complete)`, 10*time.Second)
		if bad := eval[[]string](b, `[...document.querySelectorAll(".prose figure img")].filter(i => i.naturalWidth === 0 || i.getBoundingClientRect().width > 360 || !i.alt).map(i => i.src)`); len(bad) > 0 {
			t.Errorf("module %s: figures broken, without alt text or wider than the screen: %v", m.Slug, bad)
		}
		if m.Slug == "redes" {
			b.do(chromedp.Evaluate[chromedp.Void](`document.querySelector(".prose figure").scrollIntoView({block: "start"})`))
			b.screenshot("modulo-con-figura-telefono", ".prose figure")
		}
	}
	for _, p := range track.Pages {
		b.open("/certificaciones/"+shippedTrackID+"/paginas/"+p.Slug, 200)
		b.audit("reference page " + p.Slug)
		if w := eval[int](b, `document.documentElement.scrollWidth`); w > 360 {
			t.Errorf("page %s is %d px wide on a 360 px screen", p.Slug, w)
		}
	}
}
