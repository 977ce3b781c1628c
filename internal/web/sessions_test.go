package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

const (
	androidChrome = "Mozilla/5.0 (Linux; Android 14; SM-A145M) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36"
	linuxFirefox  = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
	windowsEdge   = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0"
)

var sessionIDField = regexp.MustCompile(`name="sesion" value="([0-9a-f]{32})"`)

// sessionOn finds, on the account page, the id of the session listed with
// text (its device), failing if there is none.
func sessionOn(t *testing.T, page, text string) string {
	t.Helper()
	for _, item := range strings.Split(page, `<li class="card">`)[1:] {
		if strings.Contains(item, text) {
			if m := sessionIDField.FindStringSubmatch(item); m != nil {
				return m[1]
			}
		}
	}
	t.Fatalf("no session with %q on the account page", text)
	return ""
}

// The account page lists the person's open sessions with the device, the
// address and the last activity, and ends any of them, or all the others.
func TestSessionsAreListedAndEnded(t *testing.T) {
	env := newEnv(t)
	phone := env.client(t)
	phone.header.Set("User-Agent", androidChrome)
	phone.ip = "192.0.2.10"
	phone.register("Ana López", "ana@ejemplo.mx", goodPassword)
	laptop := env.client(t)
	laptop.header.Set("User-Agent", linuxFirefox)
	laptop.ip = "198.51.100.20"
	wantStatus(t, laptop.login("ana@ejemplo.mx", goodPassword), http.StatusSeeOther)

	page := laptop.get("/cuenta")
	wantStatus(t, page, http.StatusOK)
	wantBody(t, page, "Sesiones abiertas", "Chrome en Android", "dirección 192.0.2.10", "Firefox en Linux", "dirección 198.51.100.20",
		"Última actividad: 28 de noviembre de 2026", "Cerrar todas las demás sesiones")
	if n := strings.Count(page.Body.String(), "Este equipo"); n != 1 {
		t.Errorf(`"Este equipo" %d times, want once`, n)
	}
	if items := strings.Split(page.Body.String(), `<li class="card">`); len(items) != 3 || !strings.Contains(items[1], "Firefox en Linux</strong> <span class=\"tag\">Este equipo") {
		t.Error("the laptop's session is not listed first, as this device")
	}
	phoneID := sessionOn(t, page.Body.String(), "Chrome en Android")

	// Nobody else can end it.
	luis := env.client(t)
	luis.ip = "203.0.113.9"
	luis.register("Luis Pérez", "luis@ejemplo.mx", goodPassword)
	wantStatus(t, luis.post("/cuenta/sesiones/cerrar", url.Values{"sesion": {phoneID}}), http.StatusNotFound)
	wantStatus(t, phone.get("/cuenta"), http.StatusOK)

	// Ana ends it from the laptop.
	rec := laptop.post("/cuenta/sesiones/cerrar", url.Values{"sesion": {phoneID}})
	wantStatus(t, rec, http.StatusSeeOther)
	if loc := rec.Header().Get("Location"); loc != "/cuenta#sesiones" {
		t.Errorf("redirect to %q", loc)
	}
	wantBody(t, laptop.get("/cuenta"), "Cerraste la sesión en ese equipo")
	wantStatus(t, phone.get("/cuenta"), http.StatusSeeOther)
	wantStatus(t, laptop.post("/cuenta/sesiones/cerrar", url.Values{"sesion": {phoneID}}), http.StatusNotFound)

	// All the others at once.
	cafe := env.client(t)
	cafe.header.Set("User-Agent", windowsEdge)
	cafe.ip = "203.0.113.5"
	wantStatus(t, cafe.login("ana@ejemplo.mx", goodPassword), http.StatusSeeOther)
	phone.cookies = map[string]*http.Cookie{}
	wantStatus(t, phone.login("ana@ejemplo.mx", goodPassword), http.StatusSeeOther)
	wantBody(t, laptop.get("/cuenta"), "Edge en Windows", "Chrome en Android")
	wantStatus(t, laptop.post("/cuenta/sesiones/cerrar-las-demas", nil), http.StatusSeeOther)
	wantStatus(t, cafe.get("/cuenta"), http.StatusSeeOther)
	wantStatus(t, phone.get("/cuenta"), http.StatusSeeOther)
	page = laptop.get("/cuenta")
	wantBody(t, page, "Cerraste tus sesiones en todos los demás equipos", "Firefox en Linux")
	if strings.Contains(page.Body.String(), "Edge en Windows") || strings.Contains(page.Body.String(), "Cerrar todas las demás sesiones") {
		t.Error("the ended sessions are still listed")
	}

	// Ending the one in use is signing out.
	rec = laptop.post("/cuenta/sesiones/cerrar", url.Values{"sesion": {sessionOn(t, page.Body.String(), "Firefox en Linux")}})
	wantStatus(t, rec, http.StatusSeeOther)
	if loc := rec.Header().Get("Location"); loc != "/" {
		t.Errorf("after ending this device's session, redirect to %q", loc)
	}
	if _, ok := laptop.cookies[sessionCookie]; ok {
		t.Error("the session cookie was kept")
	}
	wantStatus(t, laptop.get("/cuenta"), http.StatusSeeOther)
}

// A password change gives the session that made it a new token: a copy
// of the old cookie no longer signs in.
func TestPasswordChangeRotatesTheToken(t *testing.T) {
	env := newEnv(t)
	c := env.client(t)
	c.register("Ana López", "ana@ejemplo.mx", goodPassword)
	before := c.cookies[sessionCookie].Value
	wantStatus(t, c.post("/cuenta/contrasena", url.Values{"current": {goodPassword}, "new": {"otra frase muy segura"}}), http.StatusSeeOther)
	after := c.cookies[sessionCookie].Value
	if after == before {
		t.Fatal("the session token was not replaced")
	}
	wantBody(t, c.get("/cuenta"), "Tu contraseña cambió")
	copyOfOld := env.client(t)
	copyOfOld.cookies[sessionCookie] = &http.Cookie{Name: sessionCookie, Value: before}
	wantStatus(t, copyOfOld.get("/cuenta"), http.StatusSeeOther)
}
