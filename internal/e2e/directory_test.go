package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"mxcert/internal/account"
	"mxcert/internal/model"
)

// signInAsNew creates a candidate from Oaxaca and signs in.
func signInAsNew(b *tab, name, emailLocal string) {
	b.t.Helper()
	reg := account.Registration{Name: name, Email: uniqueEmail(emailLocal), Password: "mi frase larga y segura", State: "Oaxaca"}
	if _, err := b.s.app.Accounts().CreateUser(b.t.Context(), reg, model.RoleCandidate); err != nil {
		b.t.Fatal(err)
	}
	b.open("/entrar", 200)
	b.do(
		chromedp.SendKeys(chromedp.ID("email"), reg.Email),
		chromedp.SendKeys(chromedp.ID("password"), reg.Password),
	)
	b.follow(`form[action="/entrar"] button[type="submit"]`)
}

// TestDirectoryOnAPhone: a candidate passes the exam and publishes a
// listing from their account; an anonymous visitor on a 360-px phone
// finds it by state and service in two taps, sees the certificate is
// valid, and the WhatsApp button opens a chat with the right number.
// Every page passes axe and fits the screen.
func TestDirectoryOnAPhone(t *testing.T) {
	s := requireEnv(t)
	t.Parallel()
	b := newTab(t, s, phoneWidth, phoneHeight, true)
	signInAsNew(b, "Citlali Hernández Ñuñez", "citlali")
	takeExam(b)

	b.open("/cuenta", 200)
	b.follow(`a[href="/cuenta/directorio"]`)
	b.wantText("h1", "Tu anuncio en el directorio")
	b.audit("formulario del anuncio")
	b.fits("formulario del anuncio", phoneWidth)
	// Saving without consent shows the error summary.
	b.followTo(`button[value="guardar"]`, 422)
	b.wantErrorSummary("anuncio sin consentimiento", "#municipios", "#services", "#modes", "#whatsapp", "#consent")
	b.do(chromedp.SetValue(chromedp.ID("state"), "20"))
	b.follow(`button[value="estado"]`)
	b.screenshot("directorio-formulario", "")
	b.do(
		chromedp.SendKeys(chromedp.ID("business_name"), "Soporte Citlali"),
		chromedp.SetValue(chromedp.ID("municipios"), "20067"),
		chromedp.Click(chromedp.ID("services")),
		chromedp.Click(chromedp.ID("modes")),
		chromedp.SendKeys(chromedp.ID("description"), "Instalo MxOS en casas y negocios del centro."),
		chromedp.SendKeys(chromedp.ID("whatsapp"), "951 555 1234"),
		chromedp.Click(chromedp.ID("show_whatsapp")),
		chromedp.SendKeys(chromedp.ID("email"), "citlali@ejemplo.mx"),
		chromedp.Click(chromedp.ID("consent")),
	)
	b.follow(`button[value="guardar"]`)
	b.wantText(".notice", "Guardamos tu anuncio")
	b.follow(`form[action="/cuenta/directorio/publicar"] button`)
	b.wantText(".notice", "Publicamos tu anuncio")
	// The listing's address, from «Ver mi anuncio». Other tests publish
	// listings in Oaxaca on the same server at the same time, so the
	// visitor looks for this card among the results, not at the first one.
	mine := eval[string](b, `document.querySelector('.done a[href^="/directorio/"]')?.getAttribute('href') ?? ''`)
	if !strings.HasPrefix(mine, "/directorio/oaxaca/") {
		t.Fatalf("after publishing, «Ver mi anuncio» leads to %q, want the listing's page under /directorio/oaxaca/", mine)
	}
	card := `.listing-card:has(h3 a[href="` + mine + `"])`

	v := newTab(t, s, phoneWidth, phoneHeight, true)
	v.open("/directorio", 200)
	v.audit("directorio")
	v.fits("directorio", phoneWidth)
	v.follow(`.state-list a[href="/directorio/oaxaca"]`)                 // tap 1: the state
	v.follow(`.chips a[href="/directorio/oaxaca?servicio=instalacion"]`) // tap 2: the service
	v.wantText(v.find("the card of the listing "+mine, card), "Soporte Citlali", "Certificación vigente")
	v.audit("resultados por estado y servicio")
	v.fits("resultados por estado y servicio", phoneWidth)
	v.screenshot("directorio-resultados", "")
	if href := eval[string](v, `document.querySelector('`+card+` a.button').getAttribute('href')`); href != "https://wa.me/529515551234" {
		t.Errorf("WhatsApp link in the results: %q", href)
	}
	v.follow(card + ` h3 a`)
	if p := v.path(); p != mine {
		t.Errorf("the card led to %s, want %s", p, mine)
	}
	v.wantText("h1", "Soporte Citlali")
	v.wantText(".listing-valid", "Certificación vigente")
	if href := eval[string](v, `document.querySelector('.contact-list a[href^="https://wa.me/"]').getAttribute('href')`); href != "https://wa.me/529515551234" {
		t.Errorf("WhatsApp link on the listing: %q", href)
	}
	if strings.Contains(eval[string](v, `document.documentElement.outerHTML`), "citlali@ejemplo.mx") {
		t.Error("an e-mail the person did not choose to show is in the page")
	}
	v.audit("anuncio del directorio")
	v.fits("anuncio del directorio", phoneWidth)
	v.screenshot("directorio-anuncio", "")

	// The same pages on a laptop, for the documentation.
	l := newTab(t, s, laptopWidth, laptopHeight, false)
	l.open("/directorio/oaxaca?servicio=instalacion", 200)
	l.fits("resultados en una laptop", laptopWidth)
	l.screenshot("directorio-resultados-laptop", "")
	l.open(mine, 200)
	l.fits("anuncio en una laptop", laptopWidth)
	l.screenshot("directorio-anuncio-laptop", "")
}
