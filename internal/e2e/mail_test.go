package e2e

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"mxcert/internal/app"
	"mxcert/internal/mailtest"
)

// mailApp runs a second server of the application that sends its mail to
// a real SMTP server inside the test, as production does, and returns
// both. The suite's server writes its mail to the outbox folder instead.
func mailApp(t *testing.T) (*app.App, *mailtest.Server) {
	t.Helper()
	smtp := mailtest.Start(t)
	return ownApp(t, func(c *app.Config) { c.SMTPURL = smtp.URL() }), smtp
}

// linkIn is the link to path in the plain-text part of a received message.
func linkIn(t *testing.T, m *mailtest.Message, path string) string {
	t.Helper()
	for _, f := range strings.Fields(m.Text) {
		if u, err := url.Parse(strings.Trim(f, "<>.,;")); err == nil && u.Path == path && u.Query().Get("t") != "" {
			return u.String()
		}
	}
	t.Fatalf("no link to %s in «%s»:\n%s", path, m.Subject, m.Text)
	return ""
}

// waitForMail waits for the next message to addr after the n already seen.
func waitForMail(t *testing.T, smtp *mailtest.Server, n int, addr string) *mailtest.Message {
	t.Helper()
	msgs := smtp.WaitFor(t, n+1)
	m := msgs[n]
	if len(m.EnvelopeTo) != 1 || m.EnvelopeTo[0] != addr {
		t.Fatalf("message «%s» went to %v, want %s", m.Subject, m.EnvelopeTo, addr)
	}
	return m
}

// TestMailedLinksInABrowser walks, in Chromium and through a real SMTP
// server, what a person does with the platform's mail: register, receive
// the confirmation, open its link, sign in and start the exam; then forget
// the password, receive the reset link, choose a new password and sign in
// with it — the old one no longer works.
func TestMailedLinksInABrowser(t *testing.T) {
	s := requireEnv(t)
	t.Parallel()
	a, smtp := mailApp(t)
	site := a.URL()
	email := uniqueEmail("citlali")
	b := newTab(t, s, phoneWidth, phoneHeight, true)
	goTo := func(u string) {
		t.Helper()
		resp := run(b, chromedp.NavigateResponse(u))
		if resp.Status != 200 {
			t.Fatalf("GET %s answered %d", u, resp.Status)
		}
	}

	goTo(site + "/registro")
	b.do(
		chromedp.SendKeys(chromedp.ID("name"), "Citlali Hernández Ruiz"),
		chromedp.SendKeys(chromedp.ID("email"), email),
		chromedp.SendKeys(chromedp.ID("password"), candidate.Password),
		chromedp.SetValue(chromedp.ID("state"), "Puebla"),
	)
	b.follow(`form[action="/registro"] button[type="submit"]`)
	b.wantText("h1", "Revisa tu correo")

	confirm := waitForMail(t, smtp, 0, email)
	if confirm.HTML == "" || !strings.Contains(confirm.HTML, "/correo/verificar?t=") {
		t.Errorf("the confirmation has no HTML part with the link:\n%s", confirm.HTML)
	}
	goTo(linkIn(t, confirm, "/correo/verificar"))
	if p := b.path(); p != "/entrar" {
		t.Fatalf("the confirmation link led to %s, want the sign-in page", p)
	}
	b.wantText(".notice", "Tu correo quedó confirmado")
	// signIn signs in and returns the status of the page it leads to.
	signIn := func(password string) int64 {
		t.Helper()
		goTo(site + "/entrar")
		b.do(
			chromedp.SendKeys(chromedp.ID("email"), email),
			chromedp.SendKeys(chromedp.ID("password"), password),
		)
		resp, err := chromedp.RunResponse(b.ctx, chromedp.Click(chromedp.CSS(`form[action="/entrar"] button[type="submit"]`)))
		if err != nil || resp == nil {
			t.Fatalf("sign in: %v", err)
		}
		return resp.Status
	}
	if status := signIn(candidate.Password); status != 200 {
		t.Fatalf("signing in after confirming: %d", status)
	}
	goTo(site + "/certificaciones/" + trackID + "/examen")
	b.do(chromedp.Click(chromedp.ID("confirmo")))
	b.follow(`form[action$="/examen"] button[type="submit"]`)
	if p := b.path(); !strings.HasPrefix(p, "/examen/") || !strings.HasSuffix(p, "?p=1") {
		t.Fatalf("starting the exam led to %s", p)
	}

	// Forgotten password: a fresh browser, as on another day.
	b = newTab(t, s, phoneWidth, phoneHeight, true)
	goTo(site + "/entrar")
	b.follow(`a[href="/contrasena/olvide"]`)
	b.do(chromedp.SendKeys(chromedp.ID("email"), email))
	b.follow(`form[action="/contrasena/olvide"] button[type="submit"]`)
	reset := waitForMail(t, smtp, 1, email)
	goTo(linkIn(t, reset, "/contrasena/nueva"))
	const newPassword = "otra frase nueva y larga"
	b.do(chromedp.SendKeys(chromedp.ID("password"), newPassword))
	b.follow(`form[action="/contrasena/nueva"] button[type="submit"]`)
	if p := b.path(); p != "/entrar" {
		t.Fatalf("setting the new password led to %s", p)
	}
	changed := waitForMail(t, smtp, 2, email)
	if !strings.Contains(strings.ToLower(changed.Subject), "contraseña") {
		t.Errorf("third message «%s», want the notice that the password changed", changed.Subject)
	}

	if status := signIn(candidate.Password); status != http.StatusUnauthorized {
		t.Fatalf("the old password answered %d, want 401", status)
	}
	if status := signIn(newPassword); status != 200 {
		t.Fatalf("the new password answered %d", status)
	}
	if p := b.path(); p != "/" {
		t.Fatalf("signing in with the new password led to %s", p)
	}
	b.checkConsole("correo en el navegador")
}
