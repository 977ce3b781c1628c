package web

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"mxcert/internal/content"
	"mxcert/static"
	"mxcert/templates"
)

// newTestServer builds the real router over the example track.
func newTestServer(t *testing.T) *Server {
	t.Helper()
	cat, report, err := content.LoadDir("../content/testdata/content", content.Options{LinkURL: ContentLinkURL})
	if err != nil || report.HasErrors() {
		t.Fatalf("load fixture: %v %v", err, report.Errors())
	}
	s, err := New(Config{BaseURL: "http://example.test"}, Deps{
		Logger:    slog.New(slog.NewTextHandler(io.Discard, nil)),
		Catalog:   func() *content.Catalog { return cat },
		Templates: templates.FS,
		Static:    static.FS,
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func get(t *testing.T, s *Server, method, target string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest(method, target, nil))
	return rec
}

func TestHomeListsTracks(t *testing.T) {
	s := newTestServer(t)
	rec := get(t, s, "GET", "/")
	if rec.Code != http.StatusOK {
		t.Fatalf("GET / = %d", rec.Code)
	}
	body := rec.Body.String()
	for _, want := range []string{
		`<html lang="es-MX">`,
		"Certificación de Ejemplo",
		"<p>Una certificación <strong>de ejemplo</strong> para mostrar el formato del contenido.</p>",
		"<strong>2</strong> preguntas",
		"<strong>10</strong> minutos",
		"<strong>50 %</strong>",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("home page lacks %q", want)
		}
	}
	if strings.Contains(body, "<script>") || strings.Contains(body, "style=") {
		t.Error("home page has inline script or style")
	}
}

func TestHealthz(t *testing.T) {
	rec := get(t, newTestServer(t), "GET", "/healthz")
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"status":"ok"`) || !strings.Contains(rec.Body.String(), `"content_version":"`) {
		t.Errorf("healthz = %d %s", rec.Code, rec.Body)
	}
}

func TestErrorPagesAreSpanishAndClean(t *testing.T) {
	s := newTestServer(t)
	tests := []struct {
		name, method, target string
		status               int
		text                 string
	}{
		{"unknown page", "GET", "/no-existe", 404, "Página no encontrada"},
		{"wrong method", "POST", "/", 405, "Acción no permitida"},
		{"traversal in static", "GET", "/static/x/../../go.mod", 404, ""},
		{"static source file", "GET", "/static/x/static.go", 404, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := get(t, s, tc.method, tc.target)
			if rec.Code != tc.status {
				t.Fatalf("%s %s = %d, want %d", tc.method, tc.target, rec.Code, tc.status)
			}
			if !strings.Contains(rec.Body.String(), tc.text) {
				t.Errorf("body lacks %q", tc.text)
			}
			if strings.Contains(rec.Body.String(), "goroutine") || strings.Contains(rec.Body.String(), ".go:") {
				t.Error("error page leaks internals")
			}
		})
	}
}

func TestStaticAssetsAreHashedAndCached(t *testing.T) {
	s := newTestServer(t)
	home := get(t, s, "GET", "/").Body.String()
	m := regexp.MustCompile(`href="(/static/([0-9a-f]{10})/css/site\.css)"`).FindStringSubmatch(home)
	if m == nil {
		t.Fatal("stylesheet link with content hash not found")
	}
	rec := get(t, s, "GET", m[1])
	if rec.Code != 200 || !strings.Contains(rec.Header().Get("Cache-Control"), "immutable") || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/css") {
		t.Errorf("hashed asset: %d %q %q", rec.Code, rec.Header().Get("Cache-Control"), rec.Header().Get("Content-Type"))
	}
	old := get(t, s, "GET", "/static/0000000000/css/site.css")
	if old.Code != 200 || strings.Contains(old.Header().Get("Cache-Control"), "immutable") {
		t.Errorf("stale hash should be served briefly cached: %d %q", old.Code, old.Header().Get("Cache-Control"))
	}
}

func TestSecurityHeadersEverywhere(t *testing.T) {
	s := newTestServer(t)
	for _, target := range []string{"/", "/healthz", "/no-existe", "/static/x/css/site.css"} {
		rec := get(t, s, "GET", target)
		h := rec.Header()
		csp := h.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %q", target, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s: CSP allows inline code", target)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") == "" || h.Get("Cross-Origin-Opener-Policy") != "same-origin" {
			t.Errorf("%s: headers %v", target, h)
		}
	}
}

func TestContentLinkURL(t *testing.T) {
	tests := map[string]string{
		"images/orden arranque.png": "/certificaciones/t/archivos/images/orden%20arranque.png",
		"modules/02-terminal.md":    "/certificaciones/t/modulos/terminal",
		"certification.md":          "/certificaciones/t",
	}
	for rel, want := range tests {
		if got := ContentLinkURL("t", rel); got != want {
			t.Errorf("ContentLinkURL(%q) = %q, want %q", rel, got, want)
		}
	}
}
