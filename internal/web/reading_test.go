package web

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// A long module opens with a table of contents whose links reach its
// headings, and its code blocks scroll in named regions with the script
// that adds «Copiar».
func TestModuleTableOfContentsAndCode(t *testing.T) {
	env := newEnv(t, withShippedContent)
	c := env.client(t)
	page := c.get("/certificaciones/soporte-basico/modulos/instalacion")
	wantStatus(t, page, http.StatusOK)
	body := page.Body.String()
	wantBody(t, page, `<nav class="toc" aria-labelledby="indice">`, "En este módulo",
		`<a href="#configurar-el-firmware-uefi-secure-boot-y-orden-de-arranque">Configurar el firmware: UEFI, Secure Boot y orden de arranque</a>`,
		`<a href="#caso-practico-arranque-dual-en-la-laptop-de-una-contadora">`, `<a href="#practica-guiada-instala-mxos-en-una-maquina-virtual">`, `<a href="#fuentes">Fuentes</a>`,
		`<div class="code-block"><pre role="region" tabindex="0" aria-label="Código">`,
		`data-copy-code="Copiar" data-copied="Copiado"`, `<p id="copiado" class="visually-hidden" role="status"></p>`)
	if !regexp.MustCompile(`<script src="/static/[^"]*js/copy\.js" defer>`).MatchString(body) {
		t.Error("the module does not load copy.js")
	}
	links := regexp.MustCompile(`<nav class="toc"[\s\S]*?</nav>`).FindString(body)
	hrefs := regexp.MustCompile(`href="#([^"]+)"`).FindAllStringSubmatch(links, -1)
	if len(hrefs) < 5 {
		t.Fatalf("table of contents has %d entries", len(hrefs))
	}
	for _, h := range hrefs {
		if !strings.Contains(body, `<h2 id="`+h[1]+`">`) {
			t.Errorf("the table of contents links to #%s, which is no heading", h[1])
		}
	}
	// The table of contents comes before the text it lists.
	if strings.Index(body, `class="toc"`) > strings.Index(body, `class="prose"`) {
		t.Error("the table of contents is not at the top of the module")
	}
}

// The practice hub has one primary action in its list of domains: the
// one to practise next.
func TestPracticeHubSuggestsOneDomain(t *testing.T) {
	env := newEnv(t, withShippedContent)
	c := env.client(t)
	c.register("Ana López", "ana@ejemplo.mx", goodPassword)
	primaries := func() []string {
		t.Helper()
		body := c.get("/certificaciones/soporte-basico/practica").Body.String()
		list := regexp.MustCompile(`<ul class="quiz-list">[\s\S]*?</ul>`).FindString(body)
		var out []string
		for _, m := range regexp.MustCompile(`<button type="submit"( class="secondary")? aria-label="Practicar ([^"]+)"`).FindAllStringSubmatch(list, -1) {
			if m[1] == "" {
				out = append(out, m[2])
			}
		}
		if strings.Count(list, "<button") < 10 {
			t.Fatalf("the hub lists %d domains", strings.Count(list, "<button"))
		}
		return out
	}
	first := primaries()
	if len(first) != 1 {
		t.Fatalf("primary buttons = %q, want exactly one", first)
	}
	// Once that domain is practised, the suggestion moves on.
	tr := env.catalog.Track("soporte-basico")
	var domain string
	for _, d := range tr.Domains() {
		if tr.DomainTitle(d) == first[0] {
			domain = d
		}
	}
	loc := c.post("/certificaciones/soporte-basico/practica", url.Values{"tema": {domain}}).Header().Get("Location")
	it := practiceSession(t, env, c, loc).Items[0]
	c.post(loc+"/pregunta/1", answerForm(it.Item.Key()...))
	if next := primaries(); len(next) != 1 || next[0] == first[0] {
		t.Errorf("after practising %s the primary buttons are %q", first[0], next)
	}
}

// A topic quiz can be stopped early; its result is that of the questions
// answered.
func TestQuizStoppedEarly(t *testing.T) {
	env := newEnv(t, withShippedContent)
	c := env.client(t)
	c.register("Ana López", "ana@ejemplo.mx", goodPassword)
	loc := c.post("/certificaciones/soporte-basico/practica", url.Values{"tema": {"redes"}}).Header().Get("Location")
	p := practiceSession(t, env, c, loc)
	if strings.Contains(c.get(loc).Body.String(), "Terminar práctica") {
		t.Error("a quiz with nothing answered offers to stop")
	}
	for i := range 3 {
		key := p.Items[i].Item.Key()
		answer := key
		if i == 2 {
			answer = []int{otherThan(key, len(p.Items[i].Item.Options))}
		}
		wantStatus(t, c.post(fmt.Sprintf("%s/pregunta/%d", loc, i+1), answerForm(answer...)), http.StatusSeeOther)
	}
	wantBody(t, c.get(loc+"?p=4"), "Terminar práctica", `action="`+loc+`/terminar"`)
	rec := c.post(loc+"/terminar", nil)
	wantLocation(t, rec, loc+"/resultado")
	res := c.get(loc + "/resultado")
	wantBody(t, res, "2 de 3 correctas", "Terminaste antes: 7 preguntas sin responder")
	if n := strings.Count(res.Body.String(), `<li class="card">`); n != 3 {
		t.Errorf("the result reviews %d questions, want the 3 answered", n)
	}
}

// The verification page puts the short code first and the identifiers in
// «Detalles técnicos».
func TestVerificationShowsTheShortCode(t *testing.T) {
	env := newEnv(t)
	cand := env.client(t)
	cand.register("Jose Nunez", "jose@ejemplo.mx", goodPassword)
	cert := passExam(t, env, cand)
	for _, path := range []string{"/verificar/" + cert.Code, "/certificados/" + cert.ID} {
		c := env.client(t)
		if strings.HasPrefix(path, "/certificados/") {
			c = cand
		}
		body := c.get(path).Body.String()
		code := strings.Index(body, `<p class="cert-code-value" aria-labelledby="codigo-certificado"><code>`+cert.Code+`</code></p>`)
		details := strings.Index(body, `<details class="tech-details">`)
		if code < 0 || details < code {
			t.Errorf("%s: the code is not shown before the technical details", path)
			continue
		}
		tech := body[details:]
		tech = tech[:strings.Index(tech, "</details>")]
		for _, s := range []string{"<summary>Detalles técnicos</summary>", cert.ID, cert.ContentVersion} {
			if !strings.Contains(tech, s) {
				t.Errorf("%s: %q is not in the technical details", path, s)
			}
		}
		for _, s := range []string{cert.ID, cert.ContentVersion} {
			if n := strings.Count(body, "<code>"+s+"</code>"); n != 1 {
				t.Errorf("%s: %s shows %d times, want once, in the technical details", path, s, n)
			}
		}
	}
}
