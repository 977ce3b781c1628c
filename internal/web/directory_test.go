package web

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"mxcert/internal/model"
)

// certifiedClient registers someone who passes the example exam; it
// returns the signed-in client and the certificate.
func certifiedClient(t *testing.T, env *testEnv, name, email string) (*client, *model.Certificate) {
	t.Helper()
	c := env.client(t)
	c.register(name, email, goodPassword)
	a := startExam(t, env, c, "ejemplo")
	for i, it := range a.Items {
		wantStatus(t, c.post("/examen/"+a.ID+"/respuesta", saveForm(a, i, a.Seq+int64(i), it.Item.Key())), http.StatusSeeOther)
	}
	wantStatus(t, c.post("/examen/"+a.ID+"/entregar", nil), http.StatusSeeOther)
	cert, err := env.svc.Certificates.ByAttempt(context.Background(), a.ID)
	if err != nil {
		t.Fatal(err)
	}
	return c, cert
}

// listingForm is a complete listing in Oaxaca de Juárez, as the form
// posts it.
func listingForm() url.Values {
	return url.Values{
		"consent": {"1"}, "business_name": {"Cómputo <Juárez>"}, "state": {"20"}, "municipios": {"20067"},
		"services": {"instalacion", "redes"}, "modes": {"domicilio"}, "languages": {"es", "zap"},
		"description": {"Instalo MxOS.\n<script>alert(1)</script>"},
		"whatsapp":    {"951 123 4567"}, "show_whatsapp": {"1"},
		"phone": {"9517654321"}, "email": {"privado@ejemplo.mx"}, "action": {"guardar"},
	}
}

// publishListing saves and publishes c's listing.
func publishListing(t *testing.T, c *client, form url.Values) {
	t.Helper()
	wantRedirect(t, c.post("/cuenta/directorio", form), "/cuenta/directorio")
	wantRedirect(t, c.post("/cuenta/directorio/publicar", url.Values{"publicar": {"1"}}), "/cuenta/directorio")
}

func wantRedirect(t *testing.T, rec interface {
	Result() *http.Response
}, to string) {
	t.Helper()
	res := rec.Result()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != to {
		t.Fatalf("status %d to %q, want 303 to %s", res.StatusCode, res.Header.Get("Location"), to)
	}
}

var listingLink = regexp.MustCompile(`href="(/directorio/oaxaca/[a-z0-9-]+)"`)

func TestListingFromAccountToDirectory(t *testing.T) {
	env := newEnv(t)
	c, cert := certifiedClient(t, env, "Guadalupe Núñez Peña", "lupe@ejemplo.mx")
	account := c.get("/cuenta")
	wantStatus(t, account, http.StatusOK)
	if !strings.Contains(account.Body.String(), `href="/cuenta/directorio"`) {
		t.Fatal("the account page does not offer the directory")
	}
	form := c.get("/cuenta/directorio")
	wantStatus(t, form, http.StatusOK)
	body := form.Body.String()
	if !strings.Contains(body, `href="/aviso-de-privacidad"`) || !strings.Contains(body, `<option value="20" selected>Oaxaca</option>`) {
		t.Errorf("the form: no privacy notice link or not the registration's state:\n%.3000s", body)
	}

	// Without consent, the error summary says so and nothing is stored.
	bad := listingForm()
	bad.Del("consent")
	bad.Set("whatsapp", "123")
	rec := c.post("/cuenta/directorio", bad)
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	for _, want := range []string{`class="error-summary"`, `href="#consent"`, "acepta el aviso de privacidad", `href="#whatsapp"`, "10 dígitos", `value="Cómputo &lt;Juárez&gt;"`} {
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("refused form lacks %q", want)
		}
	}
	// Choosing a state lists its municipalities, keeping what was typed.
	choose := listingForm()
	choose.Set("action", "estado")
	choose.Set("state", "15")
	rec = c.post("/cuenta/directorio", choose)
	wantStatus(t, rec, http.StatusOK)
	if !strings.Contains(rec.Body.String(), ">Nezahualcóyotl</option>") || strings.Contains(rec.Body.String(), "error-summary") {
		t.Error("choosing a state did not list its municipalities")
	}

	wantRedirect(t, c.post("/cuenta/directorio", listingForm()), "/cuenta/directorio")
	visitor := env.client(t)
	if strings.Contains(visitor.get("/directorio").Body.String(), "Núñez") {
		t.Fatal("an unpublished listing is in the directory")
	}
	wantRedirect(t, c.post("/cuenta/directorio/publicar", url.Values{"publicar": {"1"}}), "/cuenta/directorio")

	search := visitor.get("/directorio?estado=oaxaca&servicio=instalacion")
	wantStatus(t, search, http.StatusOK)
	page := search.Body.String()
	m := listingLink.FindStringSubmatch(page)
	if m == nil || !strings.Contains(page, "Certificación vigente") || !strings.Contains(page, `href="/verificar/`+cert.Code+`"`) || !strings.Contains(page, `href="https://wa.me/529511234567"`) {
		t.Fatalf("search result:\n%.4000s", page)
	}
	listing := visitor.get(m[1])
	wantStatus(t, listing, http.StatusOK)
	page = listing.Body.String()
	for _, want := range []string{"Cómputo &lt;Juárez&gt;", "Guadalupe Núñez Peña", "Certificación vigente", `href="https://wa.me/529511234567"`, "&lt;script&gt;alert(1)&lt;/script&gt;", "Oaxaca de Juárez"} {
		if !strings.Contains(page, want) {
			t.Errorf("listing page lacks %q", want)
		}
	}
	for _, private := range []string{"privado@ejemplo.mx", "9517654321", "765 4321", "<script>alert"} {
		if strings.Contains(page, private) {
			t.Errorf("listing page shows %q", private)
		}
	}

	// Revoked: gone at once from search, page and API; reissued under a
	// corrected name: back, under the new name.
	if _, err := env.svc.Certificates.Revoke(context.Background(), 0, cert.ID, "Prueba"); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, visitor.get(m[1]), http.StatusNotFound)
	if strings.Contains(visitor.get("/directorio").Body.String(), "Núñez") || strings.Contains(visitor.get("/api/v1/directorio").Body.String(), "Núñez") {
		t.Error("a revoked certificate's listing is still shown")
	}
	if _, err := env.svc.Certificates.Reinstate(context.Background(), 0, cert.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := env.svc.Certificates.CorrectName(context.Background(), 0, cert.UserID, "Guadalupe Núñez Pérez"); err != nil {
		t.Fatal(err)
	}
	page = visitor.get(m[1]).Body.String()
	if !strings.Contains(page, "Guadalupe Núñez Pérez") || strings.Contains(page, "Peña") {
		t.Errorf("after the re-issue, the listing shows:\n%.3000s", page)
	}

	// Delete: confirm, then gone.
	wantStatus(t, c.get("/cuenta/directorio/borrar"), http.StatusOK)
	wantRedirect(t, c.post("/cuenta/directorio/borrar", nil), "/cuenta")
	wantStatus(t, visitor.get(m[1]), http.StatusNotFound)
	wantStatus(t, c.get("/cuenta/directorio/borrar"), http.StatusNotFound)
}

func TestListingNeedsAValidCertificate(t *testing.T) {
	env := newEnv(t)
	c := env.client(t)
	c.register("Sin Certificado", "sin@ejemplo.mx", goodPassword)
	page := c.get("/cuenta/directorio")
	wantStatus(t, page, http.StatusOK)
	if !strings.Contains(page.Body.String(), "necesitas un certificado vigente") || strings.Contains(page.Body.String(), `name="consent"`) {
		t.Error("a person without a certificate is offered the form")
	}
	wantStatus(t, c.post("/cuenta/directorio", listingForm()), http.StatusForbidden)
	if strings.Contains(c.get("/cuenta").Body.String(), `href="/cuenta/directorio"`) {
		t.Error("the account page offers the directory without a certificate")
	}
}

// jsonLD extracts and decodes the listing page's schema.org data.
func jsonLD(t *testing.T, page string) map[string]any {
	t.Helper()
	m := regexp.MustCompile(`(?s)<script type="application/ld\+json">(.*?)</script>`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no JSON-LD in the page")
	}
	var data map[string]any
	if err := json.Unmarshal([]byte(m[1]), &data); err != nil {
		t.Fatalf("JSON-LD does not parse: %v\n%s", err, m[1])
	}
	return data
}

func TestListingJSONLD(t *testing.T) {
	env := newEnv(t)
	c, cert := certifiedClient(t, env, "Ana López", "ana@ejemplo.mx")
	form := listingForm()
	form.Set("description", `Dice "</script><script>alert(1)</script>" y más.`)
	publishListing(t, c, form)
	visitor := env.client(t)
	m := listingLink.FindStringSubmatch(visitor.get("/directorio").Body.String())
	if m == nil {
		t.Fatal("no listing")
	}
	rec := visitor.get(m[1])
	data := jsonLD(t, rec.Body.String())
	if data["@type"] != "ProfessionalService" || data["name"] != "Cómputo <Juárez>" || data["@context"] != "https://schema.org" || data["description"] != `Dice "</script><script>alert(1)</script>" y más.` {
		t.Errorf("JSON-LD: %v", data)
	}
	areas, _ := data["areaServed"].([]any)
	if len(areas) != 1 || areas[0].(map[string]any)["name"] != "Oaxaca de Juárez, Oaxaca" {
		t.Errorf("areaServed: %v", data["areaServed"])
	}
	cred, _ := data["hasCredential"].(map[string]any)
	if cred["@type"] != "EducationalOccupationalCredential" || cred["url"] != "http://example.test/verificar/"+cert.Code {
		t.Errorf("hasCredential: %v", cred)
	}
	if _, ok := data["email"]; ok {
		t.Error("an e-mail not chosen is in the JSON-LD")
	}
	// The data block needs no change to the CSP: it is not script.
	if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP: %s", csp)
	}
}

func TestDirectoryAPI(t *testing.T) {
	env := newEnv(t)
	c, _ := certifiedClient(t, env, "Ana López", "ana@ejemplo.mx")
	publishListing(t, c, listingForm())
	hidden, hiddenCert := certifiedClient(t, env, "Oculta Pérez", "oculta@ejemplo.mx")
	publishListing(t, hidden, listingForm())
	mine, err := env.svc.Directory.Mine(context.Background(), hiddenCert.UserID)
	if err != nil {
		t.Fatal(err)
	}
	if err := env.svc.Directory.Hide(context.Background(), 0, mine.ID, "Prueba de moderación"); err != nil {
		t.Fatal(err)
	}

	visitor := env.client(t)
	rec := visitor.get("/api/v1/directorio?estado=oaxaca&municipio=oaxaca-de-juarez&servicio=redes&q=OAXACA+DE+JUÁREZ")
	wantStatus(t, rec, http.StatusOK)
	if rec.Header().Get("Access-Control-Allow-Origin") != "*" || rec.Header().Get("Access-Control-Allow-Credentials") != "" || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
		t.Errorf("headers: %v", rec.Header())
	}
	body := rec.Body.String()
	var out directoryJSON
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatal(err)
	}
	if out.Total != 1 || len(out.Listings) != 1 || out.Listings[0].Name != "Ana López" || out.Listings[0].Contact.WhatsApp != "https://wa.me/529511234567" || out.Listings[0].Certificate.Status != "valid" {
		t.Fatalf("API: %s", body)
	}
	for _, private := range []string{"Oculta", "privado@ejemplo.mx", "9517654321", "moderación", "user_id", "consent"} {
		if strings.Contains(body, private) {
			t.Errorf("the API shows %q: %s", private, body)
		}
	}
	pre := visitor.do(http.MethodOptions, "/api/v1/directorio", nil, "")
	if pre.Code != http.StatusNoContent || pre.Header().Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("preflight: %d %v", pre.Code, pre.Header())
	}
}

func TestDirectoryBadFilters(t *testing.T) {
	env := newEnv(t)
	visitor := env.client(t)
	for path, want := range map[string]string{
		"/directorio?estado=atlantida":                  "Ese estado no existe",
		"/directorio?municipio=oaxaca-de-juarez":        "elige primero el estado",
		"/directorio?estado=jalisco&municipio=tlaxiaco": "no pertenece al estado",
		"/directorio?servicio=plomeria":                 "Ese servicio no existe",
		"/directorio?pagina=cero":                       "Esa página de resultados no existe",
		"/directorio?q=" + strings.Repeat("a", 101):     "demasiado larga",
		"/api/v1/directorio?estado=atlantida":           "Ese estado no existe",
		"/api/v1/directorio?servicio=plomeria&pagina=2": "Ese servicio no existe",
		"/api/v1/directorio?pagina=-1":                  "Esa página de resultados no existe",
	} {
		rec := visitor.get(path)
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), want) {
			t.Errorf("GET %s = %d, want 400 with %q:\n%.600s", path, rec.Code, want, rec.Body.String())
		}
	}
	wantStatus(t, visitor.get("/directorio/atlantida"), http.StatusNotFound)
	wantStatus(t, visitor.get("/directorio/oaxaca/nadie-999"), http.StatusNotFound)
	wantStatus(t, visitor.get("/directorio/oaxaca/sin-numero"), http.StatusNotFound)
}

func TestDirectoryRateLimits(t *testing.T) {
	env := newEnv(t)
	visitor := env.client(t)
	got := 0
	for i := range 100 {
		rec := visitor.get("/directorio?q=redes")
		if rec.Code == http.StatusTooManyRequests {
			got = i
			if rec.Header().Get("Retry-After") == "" {
				t.Error("429 without Retry-After")
			}
			break
		}
	}
	if got == 0 {
		t.Fatal("100 searches in a row were never limited")
	}
	if rec := visitor.get("/api/v1/directorio"); rec.Code != http.StatusTooManyRequests || !strings.Contains(rec.Body.String(), "too_many_requests") {
		t.Errorf("API past the limit: %d %s", rec.Code, rec.Body.String())
	}
	// Listing edits have their own limit, per account.
	c, _ := certifiedClient(t, env, "Ana López", "ana@ejemplo.mx")
	limited := false
	for range 30 {
		if c.post("/cuenta/directorio", listingForm()).Code == http.StatusTooManyRequests {
			limited = true
			break
		}
	}
	if !limited {
		t.Error("30 listing saves in a row were never limited")
	}
}

func TestSitemap(t *testing.T) {
	env := newEnv(t)
	c, _ := certifiedClient(t, env, "Ana López", "ana@ejemplo.mx")
	publishListing(t, c, listingForm())
	rec := env.client(t).get("/sitemap.xml")
	wantStatus(t, rec, http.StatusOK)
	var set struct {
		URLs []struct {
			Loc string `xml:"loc"`
		} `xml:"url"`
	}
	if err := xml.Unmarshal(rec.Body.Bytes(), &set); err != nil {
		t.Fatal(err)
	}
	var locs []string
	for _, u := range set.URLs {
		locs = append(locs, u.Loc)
	}
	all := strings.Join(locs, "\n")
	for _, want := range []string{"http://example.test/\n", "http://example.test/directorio\n", "http://example.test/directorio/oaxaca\n", "http://example.test/directorio/oaxaca/computo-juarez-", "http://example.test/certificaciones/ejemplo\n"} {
		if !strings.Contains(all+"\n", want) {
			t.Errorf("sitemap lacks %s:\n%s", want, all)
		}
	}
}

func TestPrivacyNotice(t *testing.T) {
	env := newEnv(t, func(cfg *Config) { cfg.ContactEmail = "privacidad@mxos.mx" })
	rec := env.client(t).get("/aviso-de-privacidad")
	wantStatus(t, rec, http.StatusOK)
	for _, want := range []string{"Fundación MxOS", "ARCO", `href="mailto:privacidad@mxos.mx"`, "20 días hábiles", "2026-01"} {
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("privacy notice lacks %q", want)
		}
	}
}

// The municipality filter lists the state's municipalities with the one
// chosen, and only it, selected: on a state's page, on the search and
// again after another state's page has been shown.
func TestDirectoryMunicipioOptions(t *testing.T) {
	env := newEnv(t)
	visitor := env.client(t)
	for path, want := range map[string]string{
		"/directorio/oaxaca?municipio=oaxaca-de-juarez":        `<option value="oaxaca-de-juarez" selected>`,
		"/directorio?estado=oaxaca&municipio=oaxaca-de-juarez": `<option value="oaxaca-de-juarez" selected>`,
		"/directorio?estado=jalisco":                           `<option value="guadalajara">`,
		"/directorio?estado=jalisco&municipio=guadalajara":     `<option value="guadalajara" selected>`,
		"/directorio/oaxaca":                                   `<option value="oaxaca-de-juarez">`,
	} {
		_, sel, _ := strings.Cut(visitor.get(path).Body.String(), `<select id="municipio" name="municipio">`)
		sel, _, _ = strings.Cut(sel, `</select>`)
		if !strings.Contains(sel, want) {
			t.Errorf("GET %s: no %s", path, want)
		}
		if n, chosen := strings.Count(sel, " selected>"), strings.Contains(want, "selected"); chosen && n != 1 || !chosen && n != 0 {
			t.Errorf("GET %s: %d options selected", path, n)
		}
		if n := strings.Count(sel, "<option "); n < 100 {
			t.Errorf("GET %s: %d options", path, n)
		}
	}
}
