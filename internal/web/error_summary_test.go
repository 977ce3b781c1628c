package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// wantErrorSummary checks a form page sent back with problems, the GOV.UK
// way: the title starts with «Error:», the summary comes first in the
// main content and links to each field, and each field names its error
// message with aria-describedby.
func wantErrorSummary(t *testing.T, body string, fields ...string) {
	t.Helper()
	if !strings.Contains(body, "<title>Error: ") {
		t.Errorf("the title does not start with «Error:»: %s", regexp.MustCompile(`<title>[^<]*`).FindString(body))
	}
	main := body[strings.Index(body, `<main id="contenido"`):]
	main = main[strings.Index(main, ">")+1:]
	if !strings.HasPrefix(strings.TrimSpace(main), `<div class="error-summary" role="alert" tabindex="-1"`) {
		t.Errorf("the error summary is not first in the main content: %.200s", main)
	}
	summary := main[:strings.Index(main, "</div>")]
	if !regexp.MustCompile(`<script src="/static/[^"]*js/errors\.js" defer>`).MatchString(body) {
		t.Error("the page does not load the script that moves focus to the summary")
	}
	for _, id := range fields {
		if !strings.Contains(summary, `<a href="#`+id+`">`) {
			t.Errorf("the summary does not link to #%s: %s", id, summary)
		}
		input := regexp.MustCompile(`<(?:input|select|textarea)[^>]* id="` + id + `"[^>]*>`).FindString(body)
		if input == "" {
			input = regexp.MustCompile(`<(?:input|select|textarea) id="` + id + `"[^>]*>`).FindString(body)
		}
		if input == "" {
			t.Errorf("no field with id %q", id)
			continue
		}
		described := regexp.MustCompile(`aria-describedby="([^"]*)"`).FindStringSubmatch(input)
		if described == nil || !strings.Contains(input, `aria-invalid="true"`) {
			t.Errorf("field %s is not marked invalid with its message: %s", id, input)
			continue
		}
		var tied bool
		for _, ref := range strings.Fields(described[1]) {
			if strings.Contains(body, `<p class="field-error" id="`+ref+`">`) {
				tied = true
			}
		}
		if !tied {
			t.Errorf("field %s is not tied to its error message: %s", id, input)
		}
	}
}

func TestErrorSummaryRegistration(t *testing.T) {
	env := newEnv(t)
	rec := env.client(t).post("/registro", url.Values{"name": {""}, "email": {"no-es-correo"}, "password": {"corta"}, "state": {""}})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	body := rec.Body.String()
	wantErrorSummary(t, body, "name", "email", "password", "state")
	wantBody(t, rec, "Hay un problema")
	// In the order of the form.
	if strings.Index(body, `href="#name"`) > strings.Index(body, `href="#state"`) {
		t.Error("the summary does not follow the order of the form")
	}
}

func TestErrorSummarySignIn(t *testing.T) {
	env := newEnv(t)
	c := env.client(t)
	c.register("Ana Pérez", "ana@ejemplo.mx", goodPassword)
	anon := env.client(t)
	rec := anon.post("/entrar", url.Values{"email": {"ana@ejemplo.mx"}, "password": {"no-es-esta-123"}})
	wantStatus(t, rec, http.StatusUnauthorized)
	wantErrorSummary(t, rec.Body.String(), "password")

	// The same in English.
	anon.post("/idioma", url.Values{"lang": {"en"}, "siguiente": {"/entrar"}})
	rec = anon.post("/entrar", url.Values{"email": {"ana@ejemplo.mx"}, "password": {"no-es-esta-123"}})
	wantErrorSummary(t, rec.Body.String(), "password")
	wantBody(t, rec, "There is a problem")

	// A page without problems has neither.
	page := env.client(t).get("/entrar").Body.String()
	if strings.Contains(page, "error-summary") || strings.Contains(page, "<title>Error") {
		t.Error("the empty sign-in form shows an error summary")
	}
}

func TestErrorSummaryRevokeReason(t *testing.T) {
	env := newEnv(t)
	admin := adminClient(t, env)
	cand := env.client(t)
	cand.register("Jose Nunez", "jose@ejemplo.mx", goodPassword)
	cert := passExam(t, env, cand)
	rec := admin.post("/admin/certificados/"+cert.ID+"/revocar", url.Values{"motivo": {"  "}})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	body := rec.Body.String()
	wantErrorSummary(t, body, "motivo")
	// The reason keeps its hint too.
	if !strings.Contains(body, `aria-describedby="motivo-hint motivo-error"`) {
		t.Error("the reason lost its hint")
	}
}
