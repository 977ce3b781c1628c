package e2e

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/pquerna/otp/totp"

	"mxcert/internal/account"
	"mxcert/internal/certificate"
	"mxcert/internal/model"
)

// candidate is who walks the journey; the accents in the name must survive
// every page and the PDF. The e-mail gets a number (see uniqueEmail).
var candidate = account.Registration{
	Name:     "Guadalupe Ñúñez Peña",
	Password: "una frase larga y segura",
	State:    "Oaxaca",
}

// accounts counts the accounts the tests create, so that every run of a
// test (go test -count=N shares one server) registers new e-mails.
var accounts atomic.Int64

func uniqueEmail(local string) string {
	return fmt.Sprintf("%s%d@ejemplo.mx", local, accounts.Add(1))
}

// TestJourney walks the whole candidate journey on a phone-sized screen:
// register, study a module, practise, take the exam (keyboard only for the
// first question, autosave, reload), pass, download the certificate, have
// an employer verify it, an administrator revoke it and the employer see
// it revoked. Every page is checked with axe in Spanish and in English.
func TestJourney(t *testing.T) {
	s := requireEnv(t)
	t.Parallel()
	started := time.Now()
	b := newTab(t, s, phoneWidth, phoneHeight, true)

	homeAndLanguage(b)
	email := uniqueEmail("lupita")
	register(b, email)
	user, err := s.app.DB().UserByEmail(t.Context(), account.NormalizeEmail(email))
	if err != nil {
		t.Fatal(err)
	}
	study(b, user)
	practise(b, user)
	attemptID := takeExam(b)
	certID, verifyURL := certificatePage(b, user, attemptID)

	employer := newTab(t, s, phoneWidth, phoneHeight, true)
	verifyAsEmployer(employer, verifyURL)
	revokeAsAdmin(t, s, certID)

	employer.open(strings.TrimPrefix(verifyURL, s.app.URL()), 200)
	employer.wantText(".cert-status", "Certificado revocado", "Datos de identidad equivocados")
	employer.audit("verificación de un certificado revocado")
	employer.screenshot("08-verificacion-revocado", "")
	b.reload()
	b.wantText(".cert-status", "Certificado revocado")
	// The candidate's own pages say what happened, and never congratulate.
	b.open("/certificaciones/"+trackID, 200)
	b.wantText(".standing", "revocó tu certificado", "Datos de identidad equivocados", "escribe a la Fundación MxOS")
	if strings.Contains(b.text("main"), "Felicidades") {
		t.Error("the track page congratulates a candidate whose certificate was revoked")
	}
	b.audit("certificación con el certificado revocado")
	b.screenshot("12-revocado", ".progress-card")
	t.Logf("journey took %s", time.Since(started).Round(time.Millisecond))
}

// homeAndLanguage opens the home page as a visitor and uses the footer's
// language switch both ways.
func homeAndLanguage(b *tab) {
	b.t.Helper()
	b.open("/", 200)
	if lang := eval[string](b, `document.documentElement.lang`); lang != "es-MX" {
		b.t.Fatalf("a browser asking for es-MX got lang=%q", lang)
	}
	b.follow(`.lang-switch button[value="en"]`)
	if lang := eval[string](b, `document.documentElement.lang`); lang != "en" {
		b.t.Fatalf("after «View in English», lang=%q", lang)
	}
	b.follow(`.lang-switch button[value="es"]`)
	b.wantText("h1", "Certifícate")
	b.audit("inicio")
	b.screenshot("01-inicio", "")
}

func register(b *tab, email string) {
	b.t.Helper()
	b.follow(`.hero a[href="/registro"]`)
	b.audit("registro")
	b.followTo(`form[action="/registro"] button[type="submit"]`, 422) // nothing filled in
	b.wantErrorSummary("registro con errores", "#name", "#email", "#password", "#state")
	b.do(
		chromedp.SendKeys(chromedp.ID("name"), candidate.Name),
		chromedp.SendKeys(chromedp.ID("email"), email),
		chromedp.SendKeys(chromedp.ID("password"), candidate.Password),
		chromedp.SetValue(chromedp.ID("state"), candidate.State),
	)
	b.follow(`form[action="/registro"] button[type="submit"]`)
	if p := b.path(); p != "/registro/enviado" {
		b.t.Fatalf("after registering the candidate is at %s, want /registro/enviado", p)
	}
	b.wantText("h1", "Revisa tu correo")
	b.audit("registro enviado")
	// The confirmation message, read from the queue as from a mailbox.
	mails, err := b.s.app.DB().MailTo(b.t.Context(), email)
	if err != nil || len(mails) != 1 {
		b.t.Fatalf("mail queued for %s: %d, %v", email, len(mails), err)
	}
	link := ""
	for _, f := range strings.Fields(mails[0].Text) {
		if u, err := url.Parse(f); err == nil && u.Path == "/correo/verificar" {
			link = u.RequestURI()
		}
	}
	if link == "" {
		b.t.Fatalf("no confirmation link in %q", mails[0].Text)
	}
	b.open(link, 200)
	if p := b.path(); p != "/entrar" {
		b.t.Fatalf("after the confirmation link the candidate is at %s, want /entrar", p)
	}
	b.wantText(".notice", "Tu correo quedó confirmado")
	b.do(
		chromedp.SendKeys(chromedp.ID("email"), email),
		chromedp.SendKeys(chromedp.ID("password"), candidate.Password),
	)
	b.follow(`form[action="/entrar"] button[type="submit"]`)
	if p := b.path(); p != "/" {
		b.t.Fatalf("after signing in the candidate is at %s, want /", p)
	}
	b.wantText(".notice", "Entraste a tu cuenta")
}

// study opens the track and its first module and marks it studied.
func study(b *tab, user *model.User) {
	b.t.Helper()
	b.follow(`h3 a[href="/certificaciones/` + trackID + `"]`)
	b.audit("certificación")
	b.follow(`.module-list a`)
	b.audit("módulo")
	b.screenshot("02-modulo", "")
	b.follow(`form[action$="/estudiado"] button`)
	b.wantText(".module-actions .done", "Marcaste este módulo como estudiado")
	studied, err := b.s.app.DB().StudiedModules(b.t.Context(), user.ID, trackID)
	if err != nil {
		b.t.Fatal(err)
	}
	if len(studied) != 1 {
		b.t.Errorf("studied modules in the database: %v, want one", studied)
	}
	b.audit("módulo estudiado")
}

// practise takes the module's domain quiz, answers it right and reads the
// feedback.
func practise(b *tab, user *model.User) {
	b.t.Helper()
	b.follow(`.module-actions form[action$="/practica"] button`)
	id := strings.TrimPrefix(strings.SplitN(b.path(), "?", 2)[0], "/practica/")
	b.audit("pregunta de práctica")
	p, err := b.s.app.DB().Practice(b.t.Context(), id, user.ID)
	if err != nil {
		b.t.Fatalf("practice session %q: %v", id, err)
	}
	for _, k := range p.Items[0].Item.Key() {
		b.do(chromedp.Click(chromedp.ID(fmt.Sprintf("opcion-%d", k))))
	}
	b.follow(`.answer-form button[type="submit"]`)
	b.wantText(".review .verdict", "¡Correcto!")
	b.wantText(".review .explanation", "firmware")
	b.audit("práctica con su explicación")
	b.screenshot("03-practica", ".question")
	b.follow(`.question .actions a.button`)
	b.wantText(".score-value", "1 de 1 correctas")
	b.audit("resultado de la práctica")
}

// takeExam starts the exam, answers every question right (the first with
// the keyboard only), reloads mid-exam, hands it in from the review page
// and returns the attempt's id.
func takeExam(b *tab) string {
	b.t.Helper()
	b.open("/certificaciones/"+trackID+"/examen", 200)
	b.audit("inicio del examen")
	b.do(chromedp.Click(chromedp.ID("confirmo")))
	b.follow(`form[action$="/examen"] button[type="submit"]`)
	id := attemptOf(b.path())
	att, err := b.s.app.DB().Attempt(b.t.Context(), id, 0)
	if err != nil {
		b.t.Fatalf("attempt %q: %v", id, err)
	}
	if len(att.Items) != 2 {
		b.t.Fatalf("the exam has %d questions, want 2", len(att.Items))
	}
	b.audit("pregunta del examen")
	b.screenshot("04-examen", "#barra-examen")

	// Question 1, without the mouse.
	answerWithKeyboard(b, att.Items[0])
	waitSaved(b)
	wantSaved(b, id, 0, att.Items[0].Item.Key())
	b.tabTo("the «Guardar y seguir» button", `document.activeElement.matches('button[name="ir"][value="2"]')`)
	b.pressAndLoad(kb.Enter)
	if p := b.path(); p != "/examen/"+id+"?p=2" {
		b.t.Fatalf("Enter on «Guardar y seguir» led to %s", p)
	}

	// Question 2, with the mouse: the answer saves without a page load.
	key := att.Items[1].Item.Key()
	for _, k := range key {
		b.do(chromedp.Click(chromedp.ID(fmt.Sprintf("opcion-%d", k))))
	}
	waitSaved(b)
	wantSaved(b, id, 1, key)
	b.reload()
	wantChecked(b, key)
	b.wantText("#respondidas", "2 de 2")
	b.follow(`.qgrid a[href$="?p=1"]`)
	wantChecked(b, att.Items[0].Item.Key())
	b.follow(`.qgrid a[href$="?p=2"]`)

	b.follow(`button[name="ir"][value="entregar"]`)
	b.wantText("main", "Respondiste todas las preguntas.")
	b.audit("revisión antes de entregar")
	handIn := `form[action$="/entregar"] button[type="submit"]`
	b.wantText(handIn, "Entregar ahora")
	b.follow(handIn)
	if p := b.path(); p != "/examen/"+id+"/resultado" {
		b.t.Fatalf("«Entregar ahora» led to %s", p)
	}
	b.wantText("h1", "¡Aprobaste!")
	b.wantText(".score-value", "2 de 2 correctas")
	b.audit("resultado del examen")
	b.screenshot("05-resultado", "")
	return id
}

// answerWithKeyboard answers an exam item with Tab, Space and the arrow
// keys only, as a person who cannot use a mouse does.
func answerWithKeyboard(b *tab, it model.AttemptItem) {
	b.t.Helper()
	key := it.Item.Key()
	b.tabTo("the first option", `document.activeElement.id === "opcion-0"`)
	if !it.Item.Multiple() {
		// A radio group is one Tab stop: Space picks the focused option and
		// the arrow keys move the choice.
		b.do(chromedp.KeyEvent(" "))
		for range key[0] {
			b.do(chromedp.KeyEvent(kb.ArrowDown))
		}
		b.t.Logf("keyboard: one answer, Space and %d × ArrowDown", key[0])
	} else {
		// Each checkbox is a Tab stop; Space ticks it.
		for i := range it.Item.Options {
			if i > 0 {
				b.do(chromedp.KeyEvent(kb.Tab))
			}
			if focused := eval[string](b, `document.activeElement.id`); focused != fmt.Sprintf("opcion-%d", i) {
				b.t.Fatalf("Tab from option %d reached %q", i, focused)
			}
			if slices.Contains(key, i) {
				b.do(chromedp.KeyEvent(" "))
			}
		}
		b.t.Logf("keyboard: several answers, Tab and Space on options %v", key)
	}
	wantChecked(b, key)
}

// tabTo presses Tab until the condition on the focused element holds.
func (b *tab) tabTo(what, cond string) {
	b.t.Helper()
	for range 40 {
		b.do(chromedp.KeyEvent(kb.Tab))
		if eval[bool](b, `!!document.activeElement && `+cond) {
			if !eval[bool](b, focusVisible) {
				b.t.Errorf("%s has the keyboard focus but no visible focus style", what)
			}
			return
		}
	}
	b.t.Fatalf("40 presses of Tab did not reach %s", what)
}

// focusVisible tells whether the focused element shows it: an outline (or a
// box shadow) when it has the keyboard focus.
const focusVisible = `(() => {
	const s = getComputedStyle(document.activeElement);
	return document.activeElement.matches(":focus-visible") &&
		((s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2) || s.boxShadow !== "none");
})()`

// waitSaved waits for the autosave script to say «Guardado».
func waitSaved(b *tab) {
	b.t.Helper()
	b.waitFor("the autosave status «Guardado»",
		`(() => { const s = document.getElementById("estado-guardado");
			return s.classList.contains("saved") && s.textContent.trim() === "Guardado"; })()`, 10*time.Second)
}

// wantSaved requires the database to hold the answer of item i.
func wantSaved(b *tab, attemptID string, i int, answer []int) {
	b.t.Helper()
	att, err := b.s.app.DB().Attempt(b.t.Context(), attemptID, 0)
	if err != nil {
		b.t.Fatal(err)
	}
	if got := att.Items[i].Answer; !slices.Equal(got, answer) {
		b.t.Errorf("saved answer of question %d = %v, want %v", i+1, got, answer)
	}
}

// wantChecked requires exactly the given options to be checked.
func wantChecked(b *tab, options []int) {
	b.t.Helper()
	got := eval[[]int](b, `[...document.querySelectorAll('input[name="opcion"]:checked')].map(e => +e.value)`)
	if !slices.Equal(got, options) {
		b.t.Errorf("checked options = %v, want %v", got, options)
	}
}

// certificatePage opens the certificate from the result page, downloads
// the PDF and checks its signature; it returns the certificate's id and
// its public verification URL.
func certificatePage(b *tab, user *model.User, attemptID string) (string, string) {
	b.t.Helper()
	b.follow(`.score a[href^="/certificados/"]`)
	certID := strings.TrimPrefix(b.path(), "/certificados/")
	cert, err := b.s.app.DB().CertificateByAttempt(b.t.Context(), attemptID)
	if err != nil || cert.ID != certID || cert.UserID != user.ID {
		b.t.Fatalf("certificate of the attempt: %+v, %v; the page is for %q", cert, err, certID)
	}
	b.wantText(".cert-status", "Certificado válido")
	b.wantText(".cert-holder", candidate.Name)
	b.audit("certificado")
	b.screenshot("06-certificado", "")
	verifyURL := run(b, chromedp.Value(chromedp.ID("enlace")))
	if verifyURL != b.s.app.URL()+"/verificar/"+cert.Code {
		b.t.Errorf("the link to share is %q", verifyURL)
	}

	pdf := b.download(`a[href="/certificados/` + certID + `/pdf"]`)
	keys := fetch(b.t, b.s.app.URL()+"/.well-known/mxcert-keys.json")
	set, err := certificate.ParseKeySet(keys)
	if err != nil {
		b.t.Fatal(err)
	}
	cred, _, err := certificate.VerifyPDF(pdf, set)
	if err != nil {
		b.t.Fatalf("the downloaded PDF does not verify: %v", err)
	}
	if cred.ID != certID || cred.HolderName != candidate.Name || cred.VerifyURL != verifyURL {
		b.t.Errorf("the PDF's credential: %+v", cred)
	}

	b.open("/cuenta", 200)
	b.wantText(".cert-list", cert.Code)
	b.audit("cuenta con certificado")
	b.open("/certificados/"+certID, 200)
	return certID, verifyURL
}

// download clicks a download link and returns the file the browser saved.
func (b *tab) download(sel string) []byte {
	b.t.Helper()
	dir := b.t.TempDir()
	_, err := chromedp.CallBrowser(b.ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior:         browser.SetDownloadBehaviorBehaviorAllowAndName,
		BrowserContextID: chromedp.FromContext(b.ctx).BrowserContextID,
		DownloadPath:     dir,
		EventsEnabled:    new(true),
	})
	if err != nil {
		b.t.Fatalf("allow downloads: %v", err)
	}
	progress := chromedp.BrowserEvents(b.ctx, browser.DownloadProgress)
	b.do(chromedp.Click(chromedp.CSS(sel)))
	for ev, err := range progress {
		if err != nil {
			b.t.Fatalf("waiting for the download: %v", err)
		}
		switch ev.State {
		case browser.DownloadProgressStateCompleted:
			data, err := os.ReadFile(filepath.Join(dir, ev.GUID))
			if err != nil {
				b.t.Fatal(err)
			}
			if !bytes.HasPrefix(data, []byte("%PDF-")) {
				b.t.Fatalf("the download is not a PDF: %.40q", data)
			}
			return data
		case browser.DownloadProgressStateCanceled:
			b.t.Fatal("the browser canceled the download")
		}
	}
	b.t.Fatal("the download never finished")
	return nil
}

// verifyAsEmployer opens the verification link in a fresh browser context:
// someone with no account, as an employer who got the link or scanned the
// QR code.
func verifyAsEmployer(e *tab, verifyURL string) {
	e.t.Helper()
	path := strings.TrimPrefix(verifyURL, e.s.app.URL())
	e.open(path, 200)
	e.wantText(".cert-status", "Certificado válido")
	e.wantText(".cert-holder", candidate.Name)
	e.wantText(".nav", "Entrar")
	e.audit("verificación")
	e.screenshot("07-verificacion", "")

	e.open("/verificar", 200)
	e.audit("formulario de verificación")
	e.do(chromedp.SendKeys(chromedp.ID("codigo"), "NO-EXISTE-123"))
	resp, err := chromedp.RunResponse(e.ctx, chromedp.Click(chromedp.CSS(`form[action="/verificar"] button[type="submit"]`)))
	if err != nil || resp == nil || resp.Status != 404 {
		e.t.Fatalf("verifying an unknown code: %s, %v", describe(resp), err)
	}
	e.audit("certificado no encontrado")
	e.open("/no-existe", 404)
	e.audit("página no encontrada")
}

// revokeAsAdmin signs in as an administrator on a laptop, with the
// password and the code of an authenticator set up on the command line,
// and revokes the certificate in the console.
func revokeAsAdmin(t *testing.T, s *suite, certID string) {
	t.Helper()
	admin := account.Registration{Name: "Rosa Admin Pérez", Email: uniqueEmail("rosa"), Password: "otra frase larga y segura"}
	if _, err := s.app.Accounts().CreateUser(t.Context(), admin, model.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	_, enr, _, err := s.app.Accounts().EnrolNow(t.Context(), admin.Email)
	if err != nil {
		t.Fatal(err)
	}
	a := newTab(t, s, laptopWidth, laptopHeight, false)
	a.open("/entrar", 200)
	a.audit("entrar")
	a.do(
		chromedp.SendKeys(chromedp.ID("email"), admin.Email),
		chromedp.SendKeys(chromedp.ID("password"), "no es la contraseña"),
	)
	a.followTo(`form[action="/entrar"] button[type="submit"]`, 401)
	a.wantErrorSummary("entrar con la contraseña equivocada", "#password")
	a.do(chromedp.SendKeys(chromedp.ID("password"), admin.Password))
	a.follow(`form[action="/entrar"] button[type="submit"]`)
	// The password alone does not open the console.
	if p := a.path(); p != "/entrar/codigo" {
		t.Fatalf("after the password the administrator is at %s, want /entrar/codigo", p)
	}
	a.wantText("h1", "Código de verificación")
	a.audit("código de verificación")
	a.open("/admin", 404)
	a.open("/entrar/codigo", 200)
	a.do(chromedp.SendKeys(chromedp.ID("codigo"), totpNow(t, enr.Secret)))
	a.follow(`form[action="/entrar/codigo"] button[type="submit"]`)
	a.open("/admin", 200)
	a.audit("consola")

	revoke := "/admin/certificados/" + certID + "/revocar"
	a.open(revoke, 200)
	a.audit("consola: revocar un certificado")
	a.do(chromedp.SendKeys(chromedp.ID("motivo"), "   "))
	a.followTo(`form:has(#motivo) button:not([type="button"])`, 422)
	a.wantErrorSummary("consola: revocar sin motivo", "#motivo")
	a.do(chromedp.SendKeys(chromedp.ID("motivo"), "Datos de identidad equivocados"))
	a.follow(`form:has(#motivo) button:not([type="button"])`)
	a.checkConsole("consola: después de revocar")
	if p := a.path(); p == revoke {
		t.Errorf("revoking did not redirect: still at %s", p)
	}
	a.audit("consola: certificado revocado")
}

// wantErrorSummary checks a form sent back with problems: the title
// starts with «Error:», focus is on the error summary (errors.js), the
// summary links to each field, and the page passes axe.
func (b *tab) wantErrorSummary(page string, links ...string) {
	b.t.Helper()
	if title := eval[string](b, `document.title`); !strings.HasPrefix(title, "Error: ") {
		b.t.Errorf("%s: title %q does not start with «Error: »", page, title)
	}
	b.waitFor(page+": focus on the error summary", `document.activeElement && document.activeElement.classList.contains("error-summary")`, 5*time.Second)
	for _, l := range links {
		sel := `.error-summary a[href="` + l + `"]`
		if !eval[bool](b, `!!document.querySelector('`+sel+`') && !!document.querySelector('`+l+`')`) {
			b.t.Errorf("%s: the summary has no link to the field %s", page, l)
		}
	}
	b.audit(page)
}

// totpNow is the code an authenticator app shows now for secret.
func totpNow(t *testing.T, secret string) string {
	t.Helper()
	code, err := totp.GenerateCode(secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// fetch GETs a public URL outside the browser.
func fetch(t *testing.T, url string) []byte {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %v", url, resp.StatusCode, err)
	}
	return body
}
