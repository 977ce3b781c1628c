package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"mxcert/internal/account"
	"mxcert/internal/model"
)

// TestAdminSetsUpSecondFactor walks an administrator's first sign-in on a
// phone: the password, the set-up of the authenticator (read from the
// page as a person types it into the app), the recovery codes, the
// console's security page and its re-check page; then a sign-in in
// another browser with a recovery code. Every page is checked with axe.
func TestAdminSetsUpSecondFactor(t *testing.T) {
	s := requireEnv(t)
	t.Parallel()
	admin := account.Registration{Name: "Itzel Admin Hernández", Email: uniqueEmail("itzel"), Password: "otra frase larga y segura"}
	if _, err := s.app.Accounts().CreateUser(t.Context(), admin, model.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	signInWithPassword := func(b *tab) {
		t.Helper()
		b.open("/entrar", 200)
		b.do(
			chromedp.SendKeys(chromedp.ID("email"), admin.Email),
			chromedp.SendKeys(chromedp.ID("password"), admin.Password),
		)
		b.follow(`form[action="/entrar"] button[type="submit"]`)
	}

	b := newTab(t, s, phoneWidth, phoneHeight, true)
	signInWithPassword(b)
	if p := b.path(); p != "/entrar/activar" {
		t.Fatalf("an administrator without an authenticator is at %s after the password, want /entrar/activar", p)
	}
	b.wantText("h1", "Activa la verificación en dos pasos")
	if n := eval[int](b, `document.querySelectorAll("svg.qr path").length`); n != 1 {
		t.Errorf("%d QR codes on the page", n)
	}
	b.audit("activar la verificación en dos pasos")
	b.screenshot("13-activar-verificacion", "")
	secret := strings.ReplaceAll(b.text("#clave"), " ", "")
	b.do(chromedp.SendKeys(chromedp.ID("codigo"), totpNow(t, secret)))
	b.follow(`form[action="/entrar/activar"] button[type="submit"]`)
	b.wantText("h1", "Guarda tus códigos de recuperación")
	codes := strings.Fields(b.text(".recovery-codes"))
	if len(codes) != account.RecoveryCodeCount {
		t.Fatalf("%d recovery codes on the page: %q", len(codes), codes)
	}
	b.auditAs("códigos de recuperación", "es-MX") // the answer to a POST: a reload would post again
	b.screenshot("14-codigos-de-recuperacion", "")
	b.follow(`main a.button`)
	b.open("/admin/seguridad", 200)
	b.wantText("main", "Activa desde el", "Te quedan 10 códigos de recuperación")
	b.audit("consola: seguridad")
	b.screenshot("15-seguridad", "")
	b.open("/admin/confirmar?siguiente=%2Fadmin%2Fseguridad", 200)
	b.audit("consola: confirmar que eres tú")
	b.screenshot("16-confirmar", "")

	other := newTab(t, s, phoneWidth, phoneHeight, true)
	signInWithPassword(other)
	if p := other.path(); p != "/entrar/codigo" {
		t.Fatalf("an administrator with an authenticator is at %s after the password, want /entrar/codigo", p)
	}
	other.screenshot("17-codigo", "")
	other.follow(`a[href^="/entrar/recuperacion"]`)
	other.audit("código de recuperación")
	other.do(chromedp.SendKeys(chromedp.ID("codigo"), codes[0]))
	other.follow(`form[action="/entrar/recuperacion"] button[type="submit"]`)
	other.wantText(".notice", "código de recuperación")
	other.open("/admin", 200)
}
