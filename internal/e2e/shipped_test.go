package e2e

import "testing"

// TestShippedModulesAreAccessible opens the real curriculum's track page and
// every module on a phone, as a visitor, and checks each for WCAG 2.1 A/AA
// violations in Spanish and English: long lessons, tables and terminal
// output are where a phone layout breaks first.
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
	}
}
