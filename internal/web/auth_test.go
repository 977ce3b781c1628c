package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"mxcert/internal/account"
	"mxcert/internal/clocktest"
)

const goodPassword = "jardín de cactus azules"

func TestRegisterSignOutSignIn(t *testing.T) {
	env := newEnv(t)
	c := env.client(t)
	wantBody(t, c.get("/registro"), `<label for="name">Nombre completo</label>`, `<option>Ciudad de México</option>`, `<option>Yucatán</option>`)

	// Registering does not sign in (a registration of an address that has
	// an account must look the same): it says to check the mailbox, whose
	// link confirms the address, and then the person signs in.
	rec := c.post("/registro", url.Values{"name": {"  José   Ñúñez Peña "}, "email": {"Jose.Nunez@Ejemplo.MX"}, "password": {goodPassword}, "state": {"Nuevo León"}})
	wantStatus(t, rec, http.StatusSeeOther)
	if loc := rec.Header().Get("Location"); loc != "/registro/enviado" {
		t.Errorf("after registering, redirect to %q", loc)
	}
	wantBody(t, c.get("/registro/enviado"), "Revisa tu correo", "Te enviamos un mensaje a la dirección que escribiste.")
	if _, ok := c.cookies[sessionCookie]; ok {
		t.Error("registering signed in")
	}
	rec = c.followLink(env.link(t, "Jose.Nunez@Ejemplo.MX", "/correo/verificar"), http.StatusSeeOther)
	if loc := rec.Header().Get("Location"); loc != "/entrar" {
		t.Errorf("after confirming signed out, redirect to %q", loc)
	}
	wantBody(t, c.get("/entrar"), "Tu correo quedó confirmado. Entra con tu correo y tu contraseña.")
	wantStatus(t, c.login("jose.nunez@ejemplo.mx", goodPassword), http.StatusSeeOther)
	wantBody(t, c.get("/"), "Entraste a tu cuenta.")

	acct := c.get("/cuenta")
	wantStatus(t, acct, http.StatusOK)
	wantBody(t, acct, "José Ñúñez Peña", "Jose.Nunez@Ejemplo.MX", "Nuevo León", "28 de noviembre de 2026")
	if acct.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("account page Cache-Control = %q", acct.Header().Get("Cache-Control"))
	}

	wantStatus(t, c.post("/salir", nil), http.StatusSeeOther)
	if _, ok := c.cookies[sessionCookie]; ok {
		t.Error("session cookie kept after signing out")
	}
	rec = c.get("/cuenta")
	wantStatus(t, rec, http.StatusSeeOther)
	if loc := rec.Header().Get("Location"); loc != "/entrar?siguiente=%2Fcuenta" {
		t.Errorf("signed-out /cuenta redirects to %q", loc)
	}

	rec = c.login("JOSE.nunez@ejemplo.mx", goodPassword) // any letter case
	wantStatus(t, rec, http.StatusSeeOther)
	wantStatus(t, c.get("/cuenta"), http.StatusOK)
}

func TestSignOutEndsTheSessionServerSide(t *testing.T) {
	env := newEnv(t)
	c := env.client(t)
	c.register("Ana López", "ana@ejemplo.mx", goodPassword)
	stolen := *c.cookies[sessionCookie]
	wantStatus(t, c.post("/salir", nil), http.StatusSeeOther)

	thief := env.client(t)
	thief.cookies[sessionCookie] = &stolen
	wantStatus(t, thief.get("/cuenta"), http.StatusSeeOther)
}

func TestLoginRenewsTheToken(t *testing.T) {
	env := newEnv(t)
	c := env.client(t)
	c.register("Ana López", "ana@ejemplo.mx", goodPassword)
	before := c.cookies[sessionCookie].Value
	wantStatus(t, c.login("ana@ejemplo.mx", goodPassword), http.StatusSeeOther)
	after := c.cookies[sessionCookie].Value
	if before == after {
		t.Fatal("session token not renewed at sign-in")
	}
	old := env.client(t)
	old.cookies[sessionCookie] = &http.Cookie{Name: sessionCookie, Value: before}
	wantStatus(t, old.get("/cuenta"), http.StatusSeeOther)
}

func TestRegistrationValidation(t *testing.T) {
	env := newEnv(t)
	env.client(t).register("Ana López", "ana@ejemplo.mx", goodPassword)
	tests := []struct {
		name   string
		form   url.Values
		status int
		want   string
	}{
		{"short password", url.Values{"name": {"Luis Pérez"}, "email": {"luis@ejemplo.mx"}, "password": {"corta123"}, "state": {"Oaxaca"}}, 422, "al menos 10 caracteres"},
		{"long password", url.Values{"name": {"Luis Pérez"}, "email": {"luis@ejemplo.mx"}, "password": {strings.Repeat("x", 129)}, "state": {"Oaxaca"}}, 422, "como máximo 128"},
		{"common password", url.Values{"name": {"Luis Pérez"}, "email": {"luis@ejemplo.mx"}, "password": {"Contraseña123"}, "state": {"Oaxaca"}}, 422, "de las más usadas"},
		{"password is the e-mail", url.Values{"name": {"Luis Pérez"}, "email": {"luis.perez@ejemplo.mx"}, "password": {"luis.perez@ejemplo.mx"}, "state": {"Oaxaca"}}, 422, "no debe ser tu nombre ni tu correo"},
		{"bad e-mail", url.Values{"name": {"Luis Pérez"}, "email": {"luis@"}, "password": {goodPassword}, "state": {"Oaxaca"}}, 422, "correo electrónico válido"},
		{"state not in the list", url.Values{"name": {"Luis Pérez"}, "email": {"luis@ejemplo.mx"}, "password": {goodPassword}, "state": {"Texas"}}, 422, "Elige tu estado de la lista"},
		{"name too short", url.Values{"name": {" L "}, "email": {"luis@ejemplo.mx"}, "password": {goodPassword}, "state": {"Oaxaca"}}, 422, "de 2 a 120 caracteres"},
		{"name too long", url.Values{"name": {strings.Repeat("Ñ", 121)}, "email": {"luis@ejemplo.mx"}, "password": {goodPassword}, "state": {"Oaxaca"}}, 422, "de 2 a 120 caracteres"},
		{"markup in the name", url.Values{"name": {"<script>alert(1)</script>"}, "email": {"luis@ejemplo.mx"}, "password": {goodPassword}, "state": {"Oaxaca"}}, 422, "solo puede tener letras"},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := env.client(t)
			c.ip = fmt.Sprintf("203.0.113.%d", i+1) // stay under the per-IP registration limit
			rec := c.post("/registro", tc.form)
			wantStatus(t, rec, tc.status)
			wantBody(t, rec, tc.want, `role="alert"`, `aria-invalid="true"`)
			if strings.Contains(rec.Body.String(), "<script>alert") {
				t.Error("markup echoed unescaped")
			}
			if pw := tc.form.Get("password"); len(pw) > 3 && pw != tc.form.Get("email") && strings.Contains(rec.Body.String(), `value="`+pw) {
				t.Error("password echoed back into the form")
			}
		})
	}
}

func TestFailedLoginDoesNotRevealTheAccount(t *testing.T) {
	env := newEnv(t)
	env.client(t).register("Ana López", "ana@ejemplo.mx", goodPassword)
	wrong := env.client(t).login("ana@ejemplo.mx", "no es la contraseña")
	unknown := env.client(t).login("nadie@ejemplo.mx", "no es la contraseña")
	wantStatus(t, wrong, http.StatusUnauthorized)
	wantStatus(t, unknown, http.StatusUnauthorized)
	wantBody(t, wrong, "El correo o la contraseña no son correctos")
	if strings.ReplaceAll(wrong.Body.String(), "ana@", "x@") != strings.ReplaceAll(unknown.Body.String(), "nadie@", "x@") {
		t.Error("wrong password and unknown account give different pages")
	}
}

func TestPasswordChangeEndsOtherSessions(t *testing.T) {
	env := newEnv(t)
	phone := env.client(t)
	phone.register("Ana López", "ana@ejemplo.mx", goodPassword)
	laptop := env.client(t)
	wantStatus(t, laptop.login("ana@ejemplo.mx", goodPassword), http.StatusSeeOther)
	wantStatus(t, laptop.get("/cuenta"), http.StatusOK)

	rec := phone.post("/cuenta/contrasena", url.Values{"current": {"equivocada123"}, "new": {"otra frase muy segura"}})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	wantBody(t, rec, "La contraseña actual no es correcta")

	rec = phone.post("/cuenta/contrasena", url.Values{"current": {goodPassword}, "new": {"otra frase muy segura"}})
	wantStatus(t, rec, http.StatusSeeOther)
	wantBody(t, phone.get("/cuenta"), "Tu contraseña cambió")
	wantStatus(t, laptop.get("/cuenta"), http.StatusSeeOther)

	wantStatus(t, env.client(t).login("ana@ejemplo.mx", goodPassword), http.StatusUnauthorized)
	wantStatus(t, env.client(t).login("ana@ejemplo.mx", "otra frase muy segura"), http.StatusSeeOther)
}

func TestSessionTimeouts(t *testing.T) {
	env := newEnv(t)
	c := env.client(t)
	c.register("Ana López", "ana@ejemplo.mx", goodPassword)

	// Activity keeps the session alive past the idle timeout...
	for range 4 {
		env.clock.Advance(account.IdleTimeout - 10*time.Minute)
		wantStatus(t, c.get("/cuenta"), http.StatusOK)
	}
	// ...but not past the idle timeout without activity,
	env.clock.Advance(account.IdleTimeout + time.Minute)
	wantStatus(t, c.get("/cuenta"), http.StatusSeeOther)

	// nor past the absolute timeout with activity.
	c = env.client(t)
	wantStatus(t, c.login("ana@ejemplo.mx", goodPassword), http.StatusSeeOther)
	for elapsed := time.Duration(0); elapsed < account.AbsoluteTimeout-time.Hour; elapsed += time.Hour {
		env.clock.Advance(time.Hour)
		if rec := c.get("/cuenta"); rec.Code != http.StatusOK {
			t.Fatalf("active session ended after %v", elapsed+time.Hour)
		}
	}
	wantStatus(t, c.get("/cuenta"), http.StatusOK)
	env.clock.Advance(2 * time.Hour)
	wantStatus(t, c.get("/cuenta"), http.StatusSeeOther)
}

func TestCookieFlags(t *testing.T) {
	for _, tc := range []struct {
		name    string
		baseURL string
		secure  bool
	}{
		{"plain HTTP", "http://127.0.0.1:8080", false},
		{"HTTPS", "https://certificacion.mxos.mx", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := newEnv(t, func(c *Config) { c.BaseURL = tc.baseURL })
			c := env.client(t)
			wantStatus(t, c.post("/registro", url.Values{"name": {"Ana López"}, "email": {"ana@ejemplo.mx"}, "password": {goodPassword}, "state": {"Oaxaca"}}), http.StatusSeeOther)
			rec := c.login("ana@ejemplo.mx", goodPassword) // registering does not sign in; signing in sets the cookie
			var sess *http.Cookie
			for _, ck := range rec.Result().Cookies() {
				if ck.Name == sessionCookie {
					sess = ck
				}
			}
			if sess == nil {
				t.Fatal("no session cookie")
			}
			if !sess.HttpOnly || sess.SameSite != http.SameSiteLaxMode || sess.Path != "/" || sess.Secure != tc.secure || sess.MaxAge != int(account.AbsoluteTimeout/time.Second) {
				t.Errorf("%s: cookie = %+v", tc.baseURL, sess)
			}
			if len(sess.Value) < 40 {
				t.Errorf("session token too short: %d chars", len(sess.Value))
			}
		})
	}
}

func TestCrossSitePostIsRefused(t *testing.T) {
	env := newEnv(t)
	form := url.Values{"email": {"ana@ejemplo.mx"}, "password": {goodPassword}}
	for _, tc := range []struct {
		name   string
		header map[string]string
		status int
	}{
		{"cross-site fetch metadata", map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
		{"foreign origin", map[string]string{"Origin": "https://evil.example"}, http.StatusForbidden},
		{"same origin", map[string]string{"Sec-Fetch-Site": "same-origin"}, http.StatusUnauthorized},
		{"no browser headers", nil, http.StatusUnauthorized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := env.client(t)
			for k, v := range tc.header {
				c.header.Set(k, v)
			}
			rec := c.post("/entrar", form)
			wantStatus(t, rec, tc.status)
			if tc.status == http.StatusForbidden {
				wantBody(t, rec, "Acción no permitida")
				if rec.Header().Get("Content-Security-Policy") == "" {
					t.Error("403 page lacks security headers")
				}
			}
		})
	}
}

// Failed sign-ins count per account and address: five wrong passwords
// make the address that typed them wait, with a wait that grows, and the
// owner still signs in from anywhere else.
func TestOwnerGetsInAfterAnAttackersFailures(t *testing.T) {
	env := newEnv(t)
	env.client(t).register("Ana López", "ana@ejemplo.mx", goodPassword)
	attacker := env.client(t)
	attacker.ip = "198.51.100.66"
	for i := range 5 {
		wantStatus(t, attacker.login("ana@ejemplo.mx", "intento equivocado "+string(rune('a'+i))), http.StatusUnauthorized)
	}
	// The attacker's address now waits, even with the right password...
	rec := attacker.login("ana@ejemplo.mx", goodPassword)
	wantStatus(t, rec, http.StatusTooManyRequests)
	wantBody(t, rec, "Demasiados intentos")
	if got := rec.Header().Get("Retry-After"); got != "61" {
		t.Errorf("Retry-After = %q, want 61 (a minute)", got)
	}
	// ...and the owner, from her own address, does not.
	owner := env.client(t)
	wantStatus(t, owner.login("ana@ejemplo.mx", goodPassword), http.StatusSeeOther)
	wantStatus(t, owner.get("/cuenta"), http.StatusOK)

	// After the wait, one more wrong password doubles it.
	env.clock.Advance(time.Minute)
	wantStatus(t, attacker.login("ana@ejemplo.mx", "otro intento"), http.StatusUnauthorized)
	env.clock.Advance(time.Minute + 30*time.Second)
	rec = attacker.login("ana@ejemplo.mx", goodPassword)
	wantStatus(t, rec, http.StatusTooManyRequests)
	if got := rec.Header().Get("Retry-After"); got != "31" {
		t.Errorf("Retry-After = %q, want 31 (half a minute left of two)", got)
	}
	env.clock.Advance(30 * time.Second)
	wantStatus(t, attacker.login("ana@ejemplo.mx", goodPassword), http.StatusSeeOther)
}

// One address may try only so many sign-ins, whatever the accounts.
func TestLoginRateLimitPerIP(t *testing.T) {
	env := newEnv(t)
	c := env.client(t)
	for i := range 20 {
		wantStatus(t, c.login(fmt.Sprintf("p%d@ejemplo.mx", i), "no es la contraseña"), http.StatusUnauthorized)
	}
	rec := c.login("otra@ejemplo.mx", "no es la contraseña")
	wantStatus(t, rec, http.StatusTooManyRequests)
	if rec.Header().Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	env.clock.Advance(6 * time.Second)
	wantStatus(t, c.login("otra@ejemplo.mx", "no es la contraseña"), http.StatusUnauthorized)
}

// An e-mail longer than any account's is a failed sign-in that costs
// nothing: no hash, no place in a table.
func TestLoginWithAnOversizedEmail(t *testing.T) {
	env := newEnv(t)
	c := env.client(t)
	rec := c.login(strings.Repeat("a", 60<<10-100)+"@ejemplo.mx", "no es la contraseña")
	wantStatus(t, rec, http.StatusUnauthorized)
	wantBody(t, rec, "El correo o la contraseña no son correctos")
}

func TestRegistrationRateLimitPerIP(t *testing.T) {
	env := newEnv(t)
	c := env.client(t)
	for i := range 10 {
		c.cookies = map[string]*http.Cookie{}
		c.register("Persona Prueba", "p"+string(rune('a'+i))+"@ejemplo.mx", goodPassword)
	}
	rec := c.post("/registro", url.Values{"name": {"Persona Prueba"}, "email": {"px@ejemplo.mx"}, "password": {goodPassword}, "state": {"Oaxaca"}})
	wantStatus(t, rec, http.StatusTooManyRequests)
	env.clock.Advance(3 * time.Minute)
	c.cookies = map[string]*http.Cookie{}
	c.register("Persona Prueba", "px@ejemplo.mx", goodPassword)
}

func TestAdminGuard(t *testing.T) {
	env := newEnv(t)
	visitor := env.client(t)
	candidate := env.client(t)
	candidate.register("Ana López", "ana@ejemplo.mx", goodPassword)
	secret, _ := newAdmin(t, env, "Admin Fundación", "admin@mxos.mx")
	admin := env.client(t)
	admin.loginAdmin("admin@mxos.mx", secret)

	for _, target := range []string{"/admin", "/admin/", "/admin/no-existe"} {
		wantStatus(t, visitor.get(target), http.StatusNotFound)
		wantStatus(t, candidate.get(target), http.StatusNotFound)
	}
	rec := admin.get("/admin")
	wantStatus(t, rec, http.StatusOK)
	wantBody(t, rec, "Consola de la Fundación", "candidatos con cuenta abierta")
	if strings.Contains(candidate.get("/").Body.String(), `href="/admin"`) {
		t.Error("candidate sees the admin link")
	}
}

func TestLanguageSwitch(t *testing.T) {
	env := newEnv(t)
	c := env.client(t)
	wantBody(t, c.get("/"), `<html lang="es-MX">`, "Certifícate en soporte de MxOS", "View in English")

	rec := c.post("/idioma", url.Values{"lang": {"en"}, "siguiente": {"/registro"}})
	wantStatus(t, rec, http.StatusSeeOther)
	if rec.Header().Get("Location") != "/registro" {
		t.Errorf("back to %q", rec.Header().Get("Location"))
	}
	wantBody(t, c.get("/registro"), `<html lang="en">`, "Create your account", "Ver en español")
	wantBody(t, c.get("/no-existe"), "Page not found")

	wantStatus(t, c.post("/idioma", url.Values{"lang": {"fr"}}), http.StatusBadRequest)
	rec = c.post("/idioma", url.Values{"lang": {"es"}, "siguiente": {"https://evil.example/"}})
	if rec.Header().Get("Location") != "/" {
		t.Errorf("open redirect to %q", rec.Header().Get("Location"))
	}

	browser := env.client(t)
	browser.header.Set("Accept-Language", "en-US,en;q=0.9")
	wantBody(t, browser.get("/"), "Get certified in MxOS support")
	browser.header.Set("Accept-Language", "fr-FR,fr;q=0.9")
	wantBody(t, browser.get("/"), "Certifícate en soporte de MxOS")
}

func TestBadBodies(t *testing.T) {
	env := newEnv(t)
	c := env.client(t)
	huge := "email=" + strings.Repeat("a", maxBody+10)
	wantStatus(t, c.do("POST", "/entrar", strings.NewReader(huge), "application/x-www-form-urlencoded"), http.StatusRequestEntityTooLarge)
	wantStatus(t, c.do("POST", "/entrar", strings.NewReader("email=%ff%fe&password=x"), "application/x-www-form-urlencoded"), http.StatusBadRequest)
	wantStatus(t, c.do("POST", "/entrar", strings.NewReader("%zz"), "application/x-www-form-urlencoded"), http.StatusBadRequest)
}

func TestNextAfterLoginStaysOnSite(t *testing.T) {
	env := newEnv(t)
	env.client(t).register("Ana López", "ana@ejemplo.mx", goodPassword)
	for _, tc := range []struct{ name, next, want string }{
		{"a page of the site", "/cuenta", "/cuenta"},
		{"protocol-relative", "//evil.example", "/"},
		{"absolute", "https://evil.example", "/"},
		{"backslash", "/\\evil.example", "/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := env.client(t).post("/entrar", url.Values{"email": {"ana@ejemplo.mx"}, "password": {goodPassword}, "siguiente": {tc.next}})
			if got := rec.Header().Get("Location"); got != tc.want {
				t.Errorf("siguiente=%q redirects to %q, want %q", tc.next, got, tc.want)
			}
		})
	}
}

// A flood of distinct addresses keeps the table bounded without scanning
// it on every request.
func TestLimiterStaysBoundedUnderAFlood(t *testing.T) {
	clock := clocktest.New()
	l := newLimiter(time.Second, 30, clock.Now)
	for i := range maxKeys + 5000 {
		if ok, _ := l.allow(fmt.Sprint("2001:db8::", i)); !ok {
			t.Fatalf("a new address was limited at %d", i)
		}
	}
	if n := len(l.buckets); n >= maxKeys {
		t.Errorf("%d buckets, want fewer than %d", n, maxKeys)
	}
	// A known address keeps being limited while it is in the table.
	for range 30 {
		l.allow("198.51.100.1")
	}
	if ok, _ := l.allow("198.51.100.1"); ok {
		t.Error("the 31st request in a burst of 30 passed")
	}
}

// The current-password check is limited per account: a stolen session
// cannot be used to guess the password at the server's pace, and a burst
// of posts never reaches the slow hash.
func TestPasswordChangeIsLimitedPerAccount(t *testing.T) {
	env := newEnv(t)
	c := env.client(t)
	c.register("Ana López", "ana@ejemplo.mx", goodPassword)
	for i := range 5 {
		c.ip = fmt.Sprintf("203.0.113.%d", i+1) // another address each time: the account's limit is the one that trips
		wantStatus(t, c.post("/cuenta/contrasena", url.Values{"current": {fmt.Sprintf("equivocada %d", i)}, "new": {"otra frase muy segura"}}), http.StatusUnprocessableEntity)
	}
	rec := c.post("/cuenta/contrasena", url.Values{"current": {goodPassword}, "new": {"otra frase muy segura"}})
	wantStatus(t, rec, http.StatusTooManyRequests)
	if rec.Header().Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	// Another account is not affected.
	other := env.client(t)
	other.ip = "198.51.100.7"
	other.register("Luis Pérez", "luis@ejemplo.mx", goodPassword)
	wantStatus(t, other.post("/cuenta/contrasena", url.Values{"current": {goodPassword}, "new": {"otra frase muy segura"}}), http.StatusSeeOther)

	env.clock.Advance(time.Minute)
	wantStatus(t, c.post("/cuenta/contrasena", url.Values{"current": {goodPassword}, "new": {"otra frase muy segura"}}), http.StatusSeeOther)
}

// And per address, across the accounts signed in from it.
func TestPasswordChangeIsLimitedPerAddress(t *testing.T) {
	env := newEnv(t)
	var clients []*client
	for i := range 11 {
		c := env.client(t)
		c.ip = fmt.Sprintf("203.0.113.%d", i+1) // registration has its own per-address limit
		c.register("Persona Prueba", fmt.Sprintf("p%d@ejemplo.mx", i), goodPassword)
		c.ip = "192.0.2.200"
		clients = append(clients, c)
	}
	for _, c := range clients[:10] {
		wantStatus(t, c.post("/cuenta/contrasena", url.Values{"current": {"equivocada 1"}, "new": {"otra frase muy segura"}}), http.StatusUnprocessableEntity)
	}
	wantStatus(t, clients[10].post("/cuenta/contrasena", url.Values{"current": {goodPassword}, "new": {"otra frase muy segura"}}), http.StatusTooManyRequests)
	env.clock.Advance(30 * time.Second)
	wantStatus(t, clients[10].post("/cuenta/contrasena", url.Values{"current": {goodPassword}, "new": {"otra frase muy segura"}}), http.StatusSeeOther)
}
