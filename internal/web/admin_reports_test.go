package web

import (
	"context"
	"encoding/csv"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"mxcert/internal/model"
)

// The stems and options are the loader's HTML, shown as HTML: never the
// markup as text.
func TestItemAnalysisRendersOptionHTML(t *testing.T) {
	env := newEnv(t)
	admin := adminClient(t, env)
	page := admin.get("/admin/preguntas?dominio=arranque")
	wantStatus(t, page, http.StatusOK)
	wantBody(t, page, `<div class="option-html"><code>F2</code></div>`, `<code>Ctrl</code> + <code>C</code>`,
		"abrir la configuración del firmware", `<span class="tag key">respuesta correcta</span>`)
	for _, escaped := range []string{"&lt;code&gt;", "&lt;p&gt;", "&amp;lt;"} {
		if strings.Contains(page.Body.String(), escaped) {
			t.Errorf("the page shows markup as text: %q", escaped)
		}
	}
	// A stem with a code block keeps it as a block.
	wantBody(t, admin.get("/admin/preguntas?dominio=terminal"), `<pre role="region" tabindex="0" aria-label="Código"><code>S.ficheros`)
}

// The filters: a domain's questions only, sorted as asked, with the
// filter kept in the column links, and the alert filter.
func TestItemAnalysisFilters(t *testing.T) {
	env := newEnv(t)
	admin := adminClient(t, env)
	c := env.client(t)
	c.register("Ana López", "ana@ejemplo.mx", goodPassword)
	passExam(t, env, c)

	page := admin.get("/admin/preguntas?dominio=terminal&orden=discriminacion&dir=asc")
	wantStatus(t, page, http.StatusOK)
	body := page.Body.String()
	if ids := regexp.MustCompile(`<th scope="row"><code>([a-z]+)-`).FindAllStringSubmatch(body, -1); len(ids) != 3 {
		t.Errorf("%d questions of terminal, want 3", len(ids))
	} else {
		for _, id := range ids {
			if id[1] != "ter" {
				t.Errorf("another domain's question in the terminal filter: %s", id[0])
			}
		}
	}
	wantBody(t, page, `<option value="terminal" selected>`, `aria-sort="ascending"><a href="/admin/preguntas?certificacion=ejemplo&amp;dominio=terminal&amp;orden=discriminacion&amp;dir=desc">`,
		`href="/admin/preguntas?certificacion=ejemplo&amp;dominio=terminal&amp;orden=discriminacion&amp;formato=csv"`, "3 preguntas · página 1 de 1")

	// The one exam served two questions: a small sample, a note and no alert.
	page = admin.get("/admin/preguntas?alerta=few")
	wantBody(t, page, "Muestra pequeña: 1 de 30 respuestas", "todavía no se evalúa", `<option value="few" selected>`)
	if strings.Contains(page.Body.String(), `class="tag flag"`) {
		t.Error("a small sample shows an alert")
	}
	wantBody(t, admin.get("/admin/preguntas?alerta=any"), "Ninguna pregunta coincide con el filtro.", "0 preguntas")
	// An unknown filter is no filter.
	wantBody(t, admin.get("/admin/preguntas?dominio=nada&alerta=nada"), "6 preguntas · página 1 de 1")
	// The CSV follows the filter.
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(admin.get("/admin/preguntas?dominio=arranque&formato=csv").Body.String(), "\uFEFF"))).ReadAll()
	if err != nil || len(rows) != 4 {
		t.Fatalf("the arranque CSV: %d rows, %v", len(rows), err)
	}
	for _, row := range rows[1:] {
		if !strings.HasPrefix(row[0], "arr-") {
			t.Errorf("another domain in the arranque CSV: %v", row)
		}
	}
}

// The shipped bank is far longer than a page: 25 questions a page, with
// links to the next, the filters kept.
func TestItemAnalysisPages(t *testing.T) {
	env := newEnv(t, withShippedContent)
	admin := adminClient(t, env)
	page := admin.get("/admin/preguntas?orden=pregunta")
	wantStatus(t, page, http.StatusOK)
	if n := strings.Count(page.Body.String(), `<tbody class="item">`); n != itemsPerPage {
		t.Errorf("%d questions on the first page, want %d", n, itemsPerPage)
	}
	wantBody(t, page, `rel="next"`, "&amp;orden=pregunta&amp;pagina=2")
	last := admin.get("/admin/preguntas?orden=pregunta&pagina=999")
	wantBody(t, last, `rel="prev"`)
	if strings.Contains(last.Body.String(), `rel="next"`) {
		t.Error("the last page offers a next one")
	}
}

// auditActionConstants reads every model.Action constant from its source,
// so that an action added later without a label fails here.
func auditActionConstants(t *testing.T) map[string]model.Action {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "../model/audit.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]model.Action{}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, spec := range g.Specs {
			v := spec.(*ast.ValueSpec)
			if id, ok := v.Type.(*ast.Ident); !ok || id.Name != "Action" {
				continue
			}
			for i, name := range v.Names {
				lit, ok := v.Values[i].(*ast.BasicLit)
				if !ok {
					t.Fatalf("%s is not a literal", name.Name)
				}
				out[name.Name] = model.Action(strings.Trim(lit.Value, `"`))
			}
		}
	}
	if len(out) < 30 {
		t.Fatalf("only %d actions read from model/audit.go", len(out))
	}
	return out
}

// Every action has words in both languages, and no two share them.
func TestAuditLabelsCoverEveryAction(t *testing.T) {
	tr, err := newTranslator()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{langES, langEN} {
		seen := map[string]model.Action{}
		for name, action := range auditActionConstants(t) {
			id, ok := auditActionLabels[action]
			if !ok {
				t.Errorf("model.%s (%s) has no label in auditActionLabels", name, action)
				continue
			}
			label := tr.t(lang, id)
			if label == id || label == "" {
				t.Errorf("%s: %s is not translated", lang, id)
			}
			if other, dup := seen[label]; dup {
				t.Errorf("%s: %s and %s both read %q", lang, action, other, label)
			}
			seen[label] = action
		}
	}
	for _, l := range auditDetailLabels {
		for _, lang := range []string{langES, langEN} {
			if got := tr.t(lang, l.id); got == l.id {
				t.Errorf("%s: detail %s is not translated", lang, l.key)
			}
		}
	}
}

// A revocation reads in Spanish: the action in words, the certificate by
// its code and linked to its page, the details labelled, the states in
// words; and in English for a staffer who chose it.
func TestAuditEntryReadsInSpanish(t *testing.T) {
	env := newEnv(t)
	admin := adminClient(t, env)
	cand := env.client(t)
	cand.register("José Ñúñez", "jose@ejemplo.mx", goodPassword)
	cert := passExam(t, env, cand)
	wantStatus(t, admin.post("/admin/certificados/"+cert.ID+"/revocar", url.Values{"motivo": {"Suplantación comprobada"}}), http.StatusSeeOther)
	staff, _ := env.svc.DB.UserByEmail(context.Background(), "admin@mxos.mx")
	person, _ := env.svc.DB.UserByEmail(context.Background(), "jose@ejemplo.mx")

	page := admin.get("/admin/bitacora?accion=certificate.revoke")
	wantStatus(t, page, http.StatusOK)
	row := tableRow(t, page.Body.String(), "Certificado revocado")
	for _, want := range []string{
		`<td class="nowrap">28 de noviembre de 2026, 12:00 h</td>`,
		`<a href="/admin/candidatos/` + itoa(staff.ID) + `">Admin Fundación</a>`,
		`<td>Certificado revocado</td>`,
		`<a href="/admin/certificados/` + cert.ID + `">` + cert.Code + `</a>`,
		"<dt>Motivo</dt><dd>Suplantación comprobada</dd>", "<dt>Antes</dt><dd>vigente</dd>", "<dt>Después</dt><dd>revocado</dd>",
		"<dt>Código</dt><dd>" + cert.Code + "</dd>",
	} {
		if !strings.Contains(row, want) {
			t.Errorf("the revocation's row lacks %s:\n%s", want, row)
		}
	}
	if strings.Contains(page.Body.String(), "<td>certificate.revoke") || strings.Contains(row, "<dt>reason</dt>") {
		t.Error("the log shows codes instead of words")
	}
	wantBody(t, page, `<option value="certificate.revoke" selected>Certificado revocado</option>`)

	// The candidate's own registration is theirs, linked to their page.
	page = admin.get("/admin/bitacora?accion=user.create")
	row = tableRow(t, page.Body.String(), "Cuenta creada")
	if !strings.Contains(row, `<a href="/admin/candidatos/`+itoa(person.ID)+`">José Ñúñez</a></td><td>Cuenta creada</td><td class="subject"><a href="/admin/candidatos/`+itoa(person.ID)+`">jose@ejemplo.mx</a>`) {
		t.Errorf("the registration is not the person's own:\n%s", row)
	}
	// An attempt's entries link to the attempt.
	wantBody(t, admin.get("/admin/bitacora?accion=attempt.finish"), "Examen terminado", `<a href="/admin/intentos/`+cert.AttemptID+`">`, "<dt>Aprobado</dt><dd>sí</dd>")

	wantStatus(t, admin.post("/idioma", url.Values{"lang": {"en"}, "siguiente": {"/admin/bitacora"}}), http.StatusSeeOther)
	page = admin.get("/admin/bitacora?accion=certificate.revoke")
	row = tableRow(t, page.Body.String(), "Certificate revoked")
	for _, want := range []string{"<dt>Reason</dt><dd>Suplantación comprobada</dd>", "<dt>Before</dt><dd>valid</dd>", "<dt>After</dt><dd>revoked</dd>"} {
		if !strings.Contains(row, want) {
			t.Errorf("the English row lacks %s:\n%s", want, row)
		}
	}
}

// tableRow is the <tr> of html that contains text.
func tableRow(t *testing.T, html, text string) string {
	t.Helper()
	for _, row := range strings.Split(html, "<tr>")[1:] {
		if strings.Contains(row, text) {
			return row[:strings.Index(row+"</tr>", "</tr>")]
		}
	}
	t.Fatalf("no row with %q", text)
	return ""
}

// The dates filter whole days in the site's time zone, both included;
// the CSV export holds every entry of the filter, labelled, with formulas
// neutralised.
func TestAuditDateFilterAndCSV(t *testing.T) {
	env := newEnv(t)
	env.client(t).register("Luis Pérez", "=1+2@ejemplo.mx", goodPassword) // 28 November 2026, 12:00 in Mexico City
	env.clock.Advance(48 * time.Hour)
	env.client(t).register("Ana López", "ana@ejemplo.mx", goodPassword) // 30 November
	env.clock.Advance(48 * time.Hour)
	admin := adminClient(t, env) // 2 December

	csvRows := func(target string) [][]string {
		t.Helper()
		rec := admin.get(target)
		wantStatus(t, rec, http.StatusOK)
		if !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/csv") || !strings.Contains(rec.Header().Get("Content-Disposition"), "bitacora.csv") {
			t.Errorf("%s: %q, %q", target, rec.Header().Get("Content-Type"), rec.Header().Get("Content-Disposition"))
		}
		rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(rec.Body.String(), "\uFEFF"))).ReadAll()
		if err != nil || len(rows) == 0 || strings.Join(rows[0], ",") != "fecha,persona,accion,codigo_accion,asunto,detalle" {
			t.Fatalf("%s: %v, %v", target, rows, err)
		}
		return rows[1:]
	}
	days := func(rows [][]string) map[string]bool {
		out := map[string]bool{}
		for _, r := range rows {
			out[r[0][:10]] = true
		}
		return out
	}
	all := csvRows("/admin/bitacora?formato=csv")
	if d := days(all); !d["2026-11-28"] || !d["2026-11-30"] || !d["2026-12-02"] {
		t.Fatalf("the whole log's days: %v", d)
	}
	for _, tc := range []struct {
		query    string
		days     []string
		from, to string
	}{
		{"desde=2026-11-30&hasta=2026-11-30", []string{"2026-11-30"}, "2026-11-30", "2026-11-30"},
		{"desde=2026-11-29", []string{"2026-11-30", "2026-12-02"}, "2026-11-29", ""},
		{"desde=2026-11-30&hasta=2026-12-02", []string{"2026-11-30", "2026-12-02"}, "2026-11-30", "2026-12-02"},
		{"hasta=2026-11-29", []string{"2026-11-28"}, "", "2026-11-29"},
		{"desde=ayer&hasta=2026-11-28", []string{"2026-11-28"}, "", "2026-11-28"},
	} {
		d := days(csvRows("/admin/bitacora?formato=csv&" + tc.query))
		if len(d) != len(tc.days) {
			t.Errorf("%s: days %v, want %v", tc.query, d, tc.days)
		}
		for _, day := range tc.days {
			if !d[day] {
				t.Errorf("%s: days %v, want %v", tc.query, d, tc.days)
			}
		}
		page := admin.get("/admin/bitacora?" + tc.query)
		wantBody(t, page, `id="desde" name="desde" type="date" value="`+tc.from+`"`, `id="hasta" name="hasta" type="date" value="`+tc.to+`"`)
	}
	wantBody(t, admin.get("/admin/bitacora?desde=2026-11-30&hasta=2026-11-30&accion=user.create"),
		"Ana López", `href="/admin/bitacora?accion=user.create&amp;desde=2026-11-30&amp;hasta=2026-11-30&amp;formato=csv"`)

	created := csvRows("/admin/bitacora?formato=csv&accion=user.create&hasta=2026-11-28")
	if len(created) != 1 {
		t.Fatalf("%d registrations on 28 November, want 1", len(created))
	}
	for _, r := range created {
		if r[2] != "Cuenta creada" || r[3] != "user.create" || r[1] != "Luis Pérez" {
			t.Errorf("registration row: %q", r)
		}
		if r[4] != "'=1+2@ejemplo.mx" {
			t.Errorf("the subject would run as a formula: %q", r[4])
		}
		if !strings.Contains(r[5], "Cuenta: ") || !strings.Contains(r[5], "Rol: candidate") {
			t.Errorf("details not labelled: %q", r[5])
		}
	}
}
