package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"mxcert/internal/model"
)

// A new account studies and practises at once; the exam waits for the
// address to be confirmed, and the link in the queued message confirms it.
func TestVerificationThenExam(t *testing.T) {
	env := newEnv(t)
	c := env.client(t)
	c.registerUnverified("Ana López", "ana@ejemplo.mx", goodPassword)

	wantStatus(t, c.get("/certificaciones/ejemplo/modulos/arranque"), http.StatusOK)
	wantStatus(t, c.post("/certificaciones/ejemplo/practica", url.Values{"tema": {"arranque"}}), http.StatusSeeOther)

	acct := c.get("/cuenta")
	wantBody(t, acct, "sin confirmar", `action="/correo/reenviar"`, "Reenviar correo")
	start := c.get("/certificaciones/ejemplo/examen")
	wantStatus(t, start, http.StatusOK)
	wantBody(t, start, "Confirma tu correo para presentar el examen", "Reenviar correo", `name="siguiente" value="/certificaciones/ejemplo/examen"`)
	if strings.Contains(start.Body.String(), `name="confirmo"`) {
		t.Error("the start form is offered before the address is confirmed")
	}
	refused := c.post("/certificaciones/ejemplo/examen", url.Values{"confirmo": {"1"}, "nombre": {"Ana López"}})
	wantStatus(t, refused, http.StatusForbidden)
	wantBody(t, refused, "Confirma tu correo para presentar el examen")

	mails := env.mailTo(t, "ana@ejemplo.mx")
	if len(mails) != 1 || !strings.Contains(mails[0].Text, "http://example.test/correo/verificar?t=") {
		t.Fatalf("queued: %+v", mails)
	}
	rec := c.followLink(linkIn(t, mails[0].Text, "/correo/verificar"), http.StatusSeeOther)
	if loc := rec.Header().Get("Location"); loc != "/cuenta" {
		t.Errorf("signed in, the link goes to %q", loc)
	}
	acct = c.get("/cuenta")
	wantBody(t, acct, "Tu correo quedó confirmado.")
	if strings.Contains(acct.Body.String(), "sin confirmar") {
		t.Error("still shown as unconfirmed")
	}
	a := startExam(t, env, c, "ejemplo")
	if a.Status != model.AttemptInProgress {
		t.Errorf("attempt %s", a.Status)
	}

	// The link works once.
	again := c.get(linkIn(t, mails[0].Text, "/correo/verificar"))
	wantStatus(t, again, http.StatusGone)
	wantBody(t, again, "Este enlace ya se usó")
}

func TestVerificationLinkRefusals(t *testing.T) {
	env := newEnv(t)
	c := env.client(t)
	c.registerUnverified("Ana López", "ana@ejemplo.mx", goodPassword)
	link := env.link(t, "ana@ejemplo.mx", "/correo/verificar")
	for _, target := range []string{"/correo/verificar", "/correo/verificar?t=", "/correo/verificar?t=no-existe", "/correo/verificar?t=" + strings.Repeat("x", 5000)} {
		rec := env.client(t).get(target)
		wantStatus(t, rec, http.StatusNotFound)
		wantBody(t, rec, "No reconocemos este enlace")
	}
	env.clock.Advance(48 * time.Hour)
	rec := env.client(t).get(link)
	wantStatus(t, rec, http.StatusGone)
	wantBody(t, rec, "Este enlace venció", `href="/cuenta"`)
	if rec.Header().Get("Referrer-Policy") != "no-referrer" {
		t.Errorf("Referrer-Policy %q on a page with a token in its address", rec.Header().Get("Referrer-Policy"))
	}
}

// «Reenviar correo» sends a new link (the old one stops working), a few
// times per account, and answers alike for a confirmed address.
func TestResendVerification(t *testing.T) {
	env := newEnv(t)
	c := env.client(t)
	c.registerUnverified("Ana López", "ana@ejemplo.mx", goodPassword)
	first := env.link(t, "ana@ejemplo.mx", "/correo/verificar")
	for i := range 3 {
		rec := c.post("/correo/reenviar", url.Values{"siguiente": {"/certificaciones/ejemplo/examen"}})
		wantStatus(t, rec, http.StatusSeeOther)
		if loc := rec.Header().Get("Location"); loc != "/certificaciones/ejemplo/examen" {
			t.Errorf("resend %d goes to %q", i, loc)
		}
	}
	if n := len(env.mailTo(t, "ana@ejemplo.mx")); n != 4 {
		t.Errorf("%d messages, want 4", n)
	}
	limited := c.post("/correo/reenviar", nil)
	wantStatus(t, limited, http.StatusTooManyRequests)
	if limited.Header().Get("Retry-After") == "" {
		t.Error("no Retry-After")
	}
	wantStatus(t, c.get(first), http.StatusGone) // replaced by the newer links
	c.followLink(env.link(t, "ana@ejemplo.mx", "/correo/verificar"), http.StatusSeeOther)

	env.clock.Advance(time.Hour)
	rec := c.post("/correo/reenviar", nil)
	wantStatus(t, rec, http.StatusSeeOther)
	wantBody(t, c.get(rec.Header().Get("Location")), "Si tu correo no estaba confirmado, te enviamos un enlace nuevo.")
	if n := len(env.mailTo(t, "ana@ejemplo.mx")); n != 4 {
		t.Errorf("a confirmed address was sent another link: %d messages", n)
	}
	wantStatus(t, env.client(t).post("/correo/reenviar", nil), http.StatusSeeOther) // signed out: to the sign-in page
}

func TestEmailChangeFromAccount(t *testing.T) {
	env := newEnv(t)
	c := env.client(t)
	c.register("Ana López", "ana@ejemplo.mx", goodPassword)
	wantBody(t, c.get("/cuenta"), `action="/cuenta/correo"`, "Cambiar el correo")

	wrong := c.post("/cuenta/correo", url.Values{"email": {"nueva@ejemplo.mx"}, "current": {"no es esta"}})
	wantStatus(t, wrong, http.StatusUnprocessableEntity)
	wantBody(t, wrong, "La contraseña actual no es correcta.", `value="nueva@ejemplo.mx"`)

	rec := c.post("/cuenta/correo", url.Values{"email": {"nueva@ejemplo.mx"}, "current": {goodPassword}})
	wantStatus(t, rec, http.StatusSeeOther)
	wantBody(t, c.get("/cuenta"), "Te enviamos un enlace a la nueva dirección.", "ana@ejemplo.mx")

	c.followLink(env.link(t, "nueva@ejemplo.mx", "/correo/verificar"), http.StatusSeeOther)
	acct := c.get("/cuenta")
	wantBody(t, acct, "nueva@ejemplo.mx")
	if strings.Contains(acct.Body.String(), "sin confirmar") {
		t.Error("the new address is not confirmed")
	}
	old := env.mailTo(t, "ana@ejemplo.mx")
	if last := old[len(old)-1]; !strings.Contains(last.Subject, "cambió") || !strings.Contains(last.Text, "nueva@ejemplo.mx") {
		t.Errorf("the old address was told: %+v", last)
	}
	wantStatus(t, env.client(t).login("ana@ejemplo.mx", goodPassword), http.StatusUnauthorized)
	wantStatus(t, env.client(t).login("nueva@ejemplo.mx", goodPassword), http.StatusSeeOther)
}

// «¿Olvidaste tu contraseña?» answers the same for any address; the link
// works once, for 30 minutes, ends every session and tells the owner.
func TestPasswordResetEndToEnd(t *testing.T) {
	env := newEnv(t)
	ana := env.client(t)
	ana.register("Ana López", "ana@ejemplo.mx", goodPassword)
	other := env.client(t)
	wantStatus(t, other.login("ana@ejemplo.mx", goodPassword), http.StatusSeeOther)

	c := env.client(t)
	c.ip = "198.51.100.9"
	wantBody(t, c.get("/entrar"), `<a href="/contrasena/olvide">¿Olvidaste tu contraseña?</a>`)
	wantBody(t, c.get("/contrasena/olvide"), `action="/contrasena/olvide"`)
	known := c.post("/contrasena/olvide", url.Values{"email": {"ANA@ejemplo.mx"}})
	unknown := c.post("/contrasena/olvide", url.Values{"email": {"nadie@ejemplo.mx"}})
	wantStatus(t, known, http.StatusOK)
	wantStatus(t, unknown, http.StatusOK)
	if known.Body.String() != unknown.Body.String() {
		t.Errorf("the answers differ:\n%s\n---\n%s", known.Body, unknown.Body)
	}
	wantBody(t, known, "Si hay una cuenta con ese correo, te enviamos un enlace")
	if len(env.mailTo(t, "nadie@ejemplo.mx")) != 0 {
		t.Error("mail to an address without an account")
	}
	bad := c.post("/contrasena/olvide", url.Values{"email": {"no es un correo"}})
	wantStatus(t, bad, http.StatusUnprocessableEntity)

	link := env.link(t, "ana@ejemplo.mx", "/contrasena/nueva")
	form := c.get(link)
	wantStatus(t, form, http.StatusOK)
	wantBody(t, form, `action="/contrasena/nueva"`, `autocomplete="new-password"`)
	token := regexp.MustCompile(`name="t" value="([^"]+)"`).FindStringSubmatch(form.Body.String())
	if token == nil {
		t.Fatal("no token in the form")
	}
	weak := c.post("/contrasena/nueva", url.Values{"t": {token[1]}, "password": {"Contraseña123"}})
	wantStatus(t, weak, http.StatusUnprocessableEntity)
	wantBody(t, weak, "de las más usadas")

	done := c.post("/contrasena/nueva", url.Values{"t": {token[1]}, "password": {"una frase nueva y larga"}})
	wantStatus(t, done, http.StatusSeeOther)
	if loc := done.Header().Get("Location"); loc != "/entrar" {
		t.Errorf("after the reset, to %q", loc)
	}
	wantBody(t, c.get("/entrar"), "Tu contraseña cambió y se cerraron todas tus sesiones.")
	wantStatus(t, ana.get("/cuenta"), http.StatusSeeOther)
	wantStatus(t, other.get("/cuenta"), http.StatusSeeOther)
	mails := env.mailTo(t, "ana@ejemplo.mx")
	if last := mails[len(mails)-1]; last.Subject != "Tu contraseña de la Certificación MxOS cambió" {
		t.Errorf("no notice: %+v", last)
	}
	wantStatus(t, c.login("ana@ejemplo.mx", goodPassword), http.StatusUnauthorized)
	wantStatus(t, c.login("ana@ejemplo.mx", "una frase nueva y larga"), http.StatusSeeOther)

	used := env.client(t).get(link)
	wantStatus(t, used, http.StatusGone)
	wantBody(t, used, "Este enlace ya se usó", `href="/contrasena/olvide"`)
	wantStatus(t, env.client(t).post("/contrasena/nueva", url.Values{"t": {token[1]}, "password": {"otra frase nueva y larga"}}), http.StatusGone)

	// 31 minutes later, a link is refused.
	wantStatus(t, c.post("/contrasena/olvide", url.Values{"email": {"ana@ejemplo.mx"}}), http.StatusOK)
	late := env.link(t, "ana@ejemplo.mx", "/contrasena/nueva")
	env.clock.Advance(31 * time.Minute)
	rec := env.client(t).get(late)
	wantStatus(t, rec, http.StatusGone)
	wantBody(t, rec, "Este enlace venció")
}

// Registering an address that has an account answers exactly like a new
// registration (status, page, cookies), makes nothing, and tells the
// address's owner.
func TestRegistrationIsNeutral(t *testing.T) {
	env := newEnv(t)
	env.client(t).register("Ana López", "ana@ejemplo.mx", goodPassword)
	before := len(env.mailTo(t, "ana@ejemplo.mx"))

	// The answer to the form and the page it leads to, with the typed
	// address (the one per-request value) replaced by a placeholder.
	post := func(ip, email string) (*http.Response, string, string) {
		c := env.client(t)
		c.ip = ip
		rec := c.post("/registro", url.Values{"name": {"Otra Persona"}, "email": {email}, "password": {"otra frase larga y segura"}, "state": {"Sonora"}})
		next := c.get(rec.Header().Get("Location"))
		wantStatus(t, next, http.StatusOK)
		return rec.Result(), strings.ReplaceAll(rec.Body.String(), email, "CORREO"), strings.ReplaceAll(next.Body.String(), email, "CORREO")
	}
	newResp, newBody, newPage := post("203.0.113.1", "luis@ejemplo.mx")
	oldResp, oldBody, oldPage := post("203.0.113.2", "ana@ejemplo.mx")
	if newResp.StatusCode != http.StatusSeeOther || newResp.StatusCode != oldResp.StatusCode {
		t.Errorf("status: new %d, existing %d", newResp.StatusCode, oldResp.StatusCode)
	}
	if a, b := newResp.Header.Get("Location"), oldResp.Header.Get("Location"); a != "/registro/enviado" || a != b {
		t.Errorf("Location: new %q, existing %q", a, b)
	}
	if newBody != oldBody {
		t.Errorf("the answers differ:\n%s\n---\n%s", newBody, oldBody)
	}
	if newPage != oldPage {
		t.Errorf("the pages differ:\n%s\n---\n%s", newPage, oldPage)
	}
	if !strings.Contains(newPage, "Revisa tu correo") {
		t.Errorf("the page: %s", newPage)
	}
	cookieNames := func(r *http.Response) (names []string) {
		for _, ck := range r.Cookies() {
			names = append(names, ck.Name)
		}
		return names
	}
	if a, b := cookieNames(newResp), cookieNames(oldResp); strings.Join(a, ",") != strings.Join(b, ",") {
		t.Errorf("cookies: new %v, existing %v", a, b)
	}
	if n, err := env.svc.DB.CountUsers(context.Background(), model.RoleCandidate); err != nil || n != 2 {
		t.Errorf("%d candidates, %v", n, err)
	}
	mails := env.mailTo(t, "ana@ejemplo.mx")
	if len(mails) != before+1 || mails[len(mails)-1].Subject != "Ya tienes una cuenta en la Certificación MxOS" {
		t.Fatalf("to the owner: %+v", mails[before:])
	}
	linkIn(t, mails[len(mails)-1].Text, "/entrar")
	linkIn(t, mails[len(mails)-1].Text, "/contrasena/olvide")
	// The person who typed it cannot sign in with the password they chose.
	wantStatus(t, env.client(t).login("ana@ejemplo.mx", "otra frase larga y segura"), http.StatusUnauthorized)
}

// The console sends a reset link: a confirmation page, then the message,
// in the audit log.
func TestAdminSendsAResetLink(t *testing.T) {
	env := newEnv(t)
	admin := adminClient(t, env)
	cand := env.client(t)
	cand.register("Ana López", "ana@ejemplo.mx", goodPassword)
	u, err := env.svc.DB.UserByEmail(context.Background(), "ana@ejemplo.mx")
	if err != nil {
		t.Fatal(err)
	}
	base := "/admin/candidatos/" + itoa(u.ID)
	wantBody(t, admin.get(base), `href="`+base+`/restablecer-contrasena"`)
	wantBody(t, admin.get(base+"/restablecer-contrasena"), "Enviar a Ana López un enlace para elegir contraseña nueva", "ana@ejemplo.mx")
	before := len(env.mailTo(t, "ana@ejemplo.mx"))
	wantStatus(t, admin.post(base+"/restablecer-contrasena", nil), http.StatusSeeOther)
	mails := env.mailTo(t, "ana@ejemplo.mx")
	if len(mails) != before+1 {
		t.Fatalf("%d messages", len(mails)-before)
	}
	linkIn(t, mails[len(mails)-1].Text, "/contrasena/nueva")
	if e, ok := auditActions(t, env)[model.ActionPasswordResetIssue]; !ok || e.Subject != "ana@ejemplo.mx" || e.ActorID == 0 || e.Detail["delivered"] != "mail" {
		t.Errorf("audit = %+v", e)
	}
	// After ten minutes the console asks for the password or a code again.
	env.clock.Advance(11 * time.Minute)
	if rec := admin.post(base+"/restablecer-contrasena", nil); rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/admin/confirmar") {
		t.Errorf("without a recent check: %d %s", rec.Code, rec.Header().Get("Location"))
	}
}
