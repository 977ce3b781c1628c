package web

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"mxcert/internal/pgtest"
)

func newTestServer(t *testing.T) *Server { return newEnv(t).srv }

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
		"<li>2 preguntas</li>",
		"<li>10 minutos</li>",
		"<li>Apruebas con 50 %</li>",
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
	s := newTestServer(t)
	rec := get(t, s, "GET", "/healthz")
	want := `"database":"sqlite"`
	if pgtest.Selected() {
		want = `"database":"postgres"`
	}
	if body := rec.Body.String(); rec.Code != http.StatusOK || !strings.Contains(body, `"status":"ok"`) || !strings.Contains(body, `"content_version":"`) || !strings.Contains(body, want) {
		t.Errorf("healthz = %d %s", rec.Code, body)
	}
	// A database that does not answer takes the replica out of the pool.
	s.database = func(context.Context) (string, error) { return "postgres", errors.New("connection refused") }
	rec = get(t, s, "GET", "/healthz")
	if body := rec.Body.String(); rec.Code != http.StatusServiceUnavailable || !strings.Contains(body, `"status":"unavailable"`) || !strings.Contains(body, `"content_version":"`) {
		t.Errorf("healthz with the database down = %d %s", rec.Code, body)
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
		{"wrong method", "DELETE", "/", 405, "Acción no disponible"},
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

// TestSecurityHeadersEverywhere requests every registered route (and the
// 404 page) as a visitor, a candidate and an administrator, and checks the
// headers every response must carry.
func TestSecurityHeadersEverywhere(t *testing.T) {
	env := newEnv(t)
	visitor := env.client(t)
	candidate := env.client(t)
	candidate.register("Ana López", "ana@ejemplo.mx", goodPassword)
	secret, _ := newAdmin(t, env, "Admin Fundación", "admin@mxos.mx")
	admin := env.client(t)
	admin.loginAdmin("admin@mxos.mx", secret)

	routes := env.srv.engine.Routes()
	if len(routes) < 10 {
		t.Fatalf("only %d routes registered", len(routes))
	}
	for _, r := range append(routes, gin.RouteInfo{Method: "GET", Path: "/no-existe"}) {
		target := strings.NewReplacer(":hash", "x", "*path", "css/site.css").Replace(r.Path)
		if r.Path == "/salir" {
			continue // signing out would end the sessions the loop uses
		}
		for who, c := range map[string]*client{"visitor": visitor, "candidate": candidate, "admin": admin} {
			rec := c.do(r.Method, target, strings.NewReader(""), "application/x-www-form-urlencoded")
			h := rec.Header()
			csp := h.Get("Content-Security-Policy")
			for _, want := range []string{"default-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"} {
				if !strings.Contains(csp, want) {
					t.Errorf("%s %s as %s: CSP %q lacks %q", r.Method, target, who, csp, want)
				}
			}
			if strings.Contains(csp, "unsafe-inline") {
				t.Errorf("%s %s: CSP allows inline code", r.Method, target)
			}
			if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") == "" || h.Get("Cross-Origin-Opener-Policy") != "same-origin" {
				t.Errorf("%s %s as %s: headers %v", r.Method, target, who, h)
			}
			if pp := h.Get("Permissions-Policy"); !strings.Contains(pp, "camera=()") || !strings.Contains(pp, "geolocation=()") {
				t.Errorf("%s %s as %s: Permissions-Policy %q", r.Method, target, who, pp)
			}
			if hsts := h.Get("Strict-Transport-Security"); hsts != "" {
				t.Errorf("%s %s as %s: HSTS %q on a plain-HTTP site", r.Method, target, who, hsts)
			}
			if rec.Code >= 500 {
				t.Errorf("%s %s as %s: status %d", r.Method, target, who, rec.Code)
			}
			if who != "visitor" && strings.HasPrefix(h.Get("Content-Type"), "text/html") && h.Get("Cache-Control") != "no-store" {
				t.Errorf("%s %s as %s: signed-in page cacheable (%q)", r.Method, target, who, h.Get("Cache-Control"))
			}
		}
	}
}

// Strict-Transport-Security is sent exactly when the site is served over
// HTTPS; on plain HTTP it would be ignored or, worse, pin a development
// host name to HTTPS in the browser.
func TestHSTSOnlyOverHTTPS(t *testing.T) {
	for _, tc := range []struct {
		name, base, want string
	}{
		{"https", "https://certificacion.example", "max-age=31536000; includeSubDomains"},
		{"plain http", "http://127.0.0.1:8080", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := newEnv(t, func(cfg *Config) { cfg.BaseURL = tc.base })
			for _, p := range []string{"/", "/verificar", "/no-existe", "/api/v1/certificates/x"} {
				if got := env.client(t).get(p).Header().Get("Strict-Transport-Security"); got != tc.want {
					t.Errorf("GET %s: HSTS %q, want %q", p, got, tc.want)
				}
			}
		})
	}
}

func TestPlainHTTPInPublic(t *testing.T) {
	for base, want := range map[string]bool{
		"https://certificacion.mxos.mx": false,
		"http://127.0.0.1:8080":         false,
		"http://localhost:8080":         false,
		"http://[::1]:8080":             false,
		"http://192.0.2.7":              true,
		"http://certificacion.mxos.mx":  true,
	} {
		if got := plainHTTPInPublic(base); got != want {
			t.Errorf("plainHTTPInPublic(%q) = %v, want %v", base, got, want)
		}
	}
}

func TestTrailingSlash(t *testing.T) {
	c := newEnv(t).client(t)
	for _, tc := range []struct{ name, target, want string }{
		{"a page", "/registro/", "/registro"},
		{"another site", "//evil.example/", "/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := c.get(tc.target)
			if rec.Code != http.StatusMovedPermanently || rec.Header().Get("Location") != tc.want {
				t.Errorf("GET %s = %d → %q, want → %q", tc.target, rec.Code, rec.Header().Get("Location"), tc.want)
			}
		})
	}
}

func TestContentLinkURL(t *testing.T) {
	tests := []struct{ name, rel, want string }{
		{"image with a space", "images/orden arranque.png", "/certificaciones/t/archivos/images/orden%20arranque.png"},
		{"module", "modules/02-terminal.md", "/certificaciones/t/modulos/terminal"},
		{"track", "certification.md", "/certificaciones/t"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := ContentLinkURL("t", tc.rel); got != tc.want {
				t.Errorf("ContentLinkURL(%q) = %q, want %q", tc.rel, got, tc.want)
			}
		})
	}
}

// When the database does not answer, a signed-in person gets «try again»
// (503), not the sign-in page: a candidate in the middle of an exam must
// not be told their session ended.
func TestSessionUnreadableIsUnavailable(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	c.register("Ana López", "ana@ejemplo.mx", "jardín de cactus azules")
	if rec := c.get("/cuenta"); rec.Code != http.StatusOK {
		t.Fatalf("account page while signed in: %d", rec.Code)
	}
	if err := e.svc.DB.Close(); err != nil {
		t.Fatal(err)
	}
	rec := c.get("/cuenta")
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" || !strings.Contains(rec.Body.String(), "<h1") {
		t.Errorf("account page with the database closed: %d %q, want 503 with Retry-After and the error page", rec.Code, rec.Header().Get("Location"))
	}
}
