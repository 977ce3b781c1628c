package web

import (
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// An SVG figure is served as an image that can run nothing and load
// nothing, even when opened on its own.
func TestSVGFiguresAreServedInert(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "content")
	if err := os.CopyFS(dir, os.DirFS("../content/testdata/content")); err != nil {
		t.Fatal(err)
	}
	svg := `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 200" width="400" height="200"><title>Prueba</title><text x="10" y="40" font-family="sans-serif" font-size="16">Hola</text></svg>`
	if err := os.WriteFile(filepath.Join(dir, "ejemplo", "images", "figura.svg"), []byte(svg), 0o600); err != nil {
		t.Fatal(err)
	}
	env := newEnv(t, func(cfg *Config) { cfg.ContentDir = dir })
	rec := env.client(t).get("/certificaciones/ejemplo/archivos/images/figura.svg")
	wantStatus(t, rec, http.StatusOK)
	if ct := rec.Header().Get("Content-Type"); ct != "image/svg+xml" {
		t.Errorf("Content-Type = %q", ct)
	}
	csp := rec.Header().Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "sandbox"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if rec.Body.String() != svg {
		t.Errorf("body = %q", rec.Body.String())
	}
}

var imgRe = regexp.MustCompile(`<img src="([^"]+)" alt="([^"]*)"`)

// Every image of the shipped modules and reference pages has alternative
// text and is served, and the technical sheet is reachable from the track.
func TestShippedFiguresAreServed(t *testing.T) {
	env := newEnv(t, withShippedContent)
	c := env.client(t)
	tr := env.catalog.Track("soporte-basico")
	track := c.get("/certificaciones/soporte-basico")
	wantStatus(t, track, http.StatusOK)
	if !strings.Contains(track.Body.String(), `href="/certificaciones/soporte-basico/paginas/ficha-tecnica"`) {
		t.Error("the track page does not link the technical sheet")
	}
	sheet := c.get("/certificaciones/soporte-basico/paginas/ficha-tecnica")
	wantStatus(t, sheet, http.StatusOK)
	if !strings.Contains(sheet.Body.String(), "<h1>Ficha técnica de MxOS</h1>") {
		t.Error("the technical sheet page has no heading")
	}
	wantStatus(t, c.get("/certificaciones/soporte-basico/paginas/no-existe"), http.StatusNotFound)

	served := map[string]bool{}
	for _, m := range tr.Modules {
		page := c.get("/certificaciones/soporte-basico/modulos/" + m.Slug)
		wantStatus(t, page, http.StatusOK)
		for _, img := range imgRe.FindAllStringSubmatch(page.Body.String(), -1) {
			src, alt := img[1], img[2]
			if !strings.HasPrefix(src, "/certificaciones/soporte-basico/archivos/images/") {
				continue // the site's own images: the logo is decorative
			}
			if len(strings.Fields(alt)) < 4 {
				t.Errorf("%s: image %s has no alternative text that says what it shows (%q)", m.File, src, alt)
			}
			if served[src] {
				continue
			}
			served[src] = true
			rec := c.get(src)
			wantStatus(t, rec, http.StatusOK)
			if !strings.HasPrefix(rec.Header().Get("Content-Type"), "image/") {
				t.Errorf("%s served as %q", src, rec.Header().Get("Content-Type"))
			}
		}
	}
	if len(served) < 15 {
		t.Errorf("%d figures served across the modules, want at least 15", len(served))
	}
}
