package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"mxcert/internal/model"
)

// A form that names another question than the one at its position — the
// state a browser restores onto a page from its history — is refused with
// 409, nothing is saved, and the question at that position is shown again.
func TestExamSaveNamingAnotherQuestionIsRefused(t *testing.T) {
	env := newEnv(t)
	c := env.client(t)
	c.register("Ana López", "ana@ejemplo.mx", goodPassword)
	a := startExam(t, env, c, "ejemplo")

	// Question 1 answered and flagged, as in the reported walk.
	first := a.Items[0].Item.Key()
	wantStatus(t, c.post("/examen/"+a.ID+"/respuesta", saveForm(a, 0, a.Seq, first[:1], "revisar", "1", "ir", "2")), http.StatusSeeOther)
	before := loadAttempt(t, env, c, a.ID)

	// Question 2's position with question 1's id: refused, without JavaScript…
	stale := saveForm(a, 1, before.Seq, first[:1], "revisar", "1", "ir", "2")
	stale.Set("id_pregunta", a.Items[0].Item.QuestionID)
	rec := c.post("/examen/"+a.ID+"/respuesta", stale)
	wantStatus(t, rec, http.StatusConflict)
	wantBody(t, rec, "No guardamos esa respuesta", "Pregunta 2 de 2", `name="id_pregunta" value="`+a.Items[1].Item.QuestionID+`"`)
	if strings.Contains(rec.Body.String(), `value="1" checked`) {
		t.Error("the page shown again has the refused choice or flag checked")
	}

	// …and with it: JSON that sends the page to the question's own address.
	c.header.Set("Accept", "application/json")
	rec = c.post("/examen/"+a.ID+"/respuesta", stale)
	c.header.Del("Accept")
	wantStatus(t, rec, http.StatusConflict)
	var body struct {
		Saved         bool   `json:"saved"`
		WrongQuestion bool   `json:"wrong_question"`
		Page          string `json:"page"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Saved || !body.WrongQuestion || body.Page != "/examen/"+a.ID+"?p=2" {
		t.Errorf("JSON reply %s (%v)", rec.Body, err)
	}

	// A form with no question id at all (a page from an older version).
	noID := saveForm(a, 1, before.Seq, []int{0})
	noID.Del("id_pregunta")
	wantStatus(t, c.post("/examen/"+a.ID+"/respuesta", noID), http.StatusConflict)

	after := loadAttempt(t, env, c, a.ID)
	if after.Seq != before.Seq {
		t.Errorf("the attempt's sequence moved from %d to %d", before.Seq, after.Seq)
	}
	if it := after.Items[1]; it.Answered() || it.Flagged {
		t.Errorf("question 2 holds an answer nobody gave it: %v, flagged %v", it.Answer, it.Flagged)
	}
	if it := after.Items[0]; !slices.Equal(it.Answer, first[:1]) || !it.Flagged {
		t.Errorf("question 1 changed: %v, flagged %v", it.Answer, it.Flagged)
	}
	// The right form for question 2 still saves.
	wantStatus(t, c.post("/examen/"+a.ID+"/respuesta", saveForm(a, 1, before.Seq, []int{0})), http.StatusSeeOther)
	if got := loadAttempt(t, env, c, a.ID).Items[1].Answer; !slices.Equal(got, []int{0}) {
		t.Errorf("question 2's own answer: %v", got)
	}
}

// Every page a candidate sees while an exam runs offers the way back to
// it; the exam's own pages keep only the brand, the exam bar and a plain
// way out that asks first.
func TestExamBannerAndReducedHeader(t *testing.T) {
	env := newEnv(t)
	c := env.client(t)
	c.register("Ana López", "ana@ejemplo.mx", goodPassword)
	const banner = `class="exam-banner"`
	for _, p := range []string{"/", "/cuenta", "/certificaciones/ejemplo"} {
		if strings.Contains(c.get(p).Body.String(), banner) {
			t.Errorf("%s shows the exam banner before any exam", p)
		}
	}
	a := startExam(t, env, c, "ejemplo")
	back := `href="/examen/` + a.ID + `">Continuar</a>`
	for _, p := range []string{"/", "/cuenta", "/certificaciones/ejemplo", "/certificaciones/ejemplo/modulos/arranque", "/certificaciones/ejemplo/practica", "/verificar", "/no-existe"} {
		rec := c.get(p)
		wantBody(t, rec, banner, "Tienes un examen en curso", "quedan 10 min", back)
	}
	env.clock.Advance(9*time.Minute + 30*time.Second)
	wantBody(t, c.get("/"), "queda 1 min")

	for _, p := range []string{"/examen/" + a.ID + "?p=1", "/examen/" + a.ID + "/entregar", "/examen/" + a.ID + "/salir"} {
		rec := c.get(p)
		wantStatus(t, rec, http.StatusOK)
		body := rec.Body.String()
		if strings.Contains(body, banner) {
			t.Errorf("%s shows the banner on the exam itself", p)
		}
		for _, menu := range []string{`href="/cuenta"`, `action="/salir"`, `<nav aria-label="Principal"`} {
			if strings.Contains(body, menu) {
				t.Errorf("%s keeps the site menu (%s) during the exam", p, menu)
			}
		}
		wantBody(t, rec, `href="/examen/`+a.ID+`/salir">Salir del examen (el tiempo sigue corriendo)</a>`)
	}
	leave := c.get("/examen/" + a.ID + "/salir")
	wantBody(t, leave, "¿Salir del examen?", "te queda 1 minuto", `href="/examen/`+a.ID+`">Volver al examen</a>`, `href="/">Salir al inicio</a>`)

	wantStatus(t, c.post("/examen/"+a.ID+"/entregar", nil), http.StatusSeeOther)
	for _, p := range []string{"/", "/cuenta", "/examen/" + a.ID + "/resultado"} {
		if strings.Contains(c.get(p).Body.String(), banner) {
			t.Errorf("%s shows the exam banner after handing in", p)
		}
	}
	// Leaving an exam that is over goes to its result.
	wantStatus(t, c.get("/examen/"+a.ID+"/salir"), http.StatusSeeOther)
}

// The home, track and exam-start pages say the right thing, and link to
// the right place, for every stage of a candidate; none congratulates a
// candidate whose certificate was revoked.
func TestPagesKnowWhereTheCandidateStands(t *testing.T) {
	type setup func(t *testing.T, env *testEnv, c *client) (links map[string]string)
	pass := func(t *testing.T, env *testEnv, c *client) *model.Attempt {
		a := startExam(t, env, c, "ejemplo")
		for i, it := range a.Items {
			wantStatus(t, c.post("/examen/"+a.ID+"/respuesta", saveForm(a, i, a.Seq+int64(i), it.Item.Key())), http.StatusSeeOther)
		}
		wantStatus(t, c.post("/examen/"+a.ID+"/entregar", nil), http.StatusSeeOther)
		return a
	}
	certOf := func(t *testing.T, env *testEnv, a *model.Attempt) *model.Certificate {
		cert, err := env.svc.DB.CertificateByAttempt(context.Background(), a.ID)
		if err != nil {
			t.Fatal(err)
		}
		return cert
	}
	cases := []struct {
		name  string
		setup setup
		// what each page must say; {exam}, {cert} and {result} stand for
		// the addresses the setup returns
		home, track, start []string
		account            []string // the account page, where it has something to say
	}{
		{
			name:  "never started",
			setup: func(*testing.T, *testEnv, *client) map[string]string { return nil },
			home:  []string{"Aún no empiezas", `href="/certificaciones/ejemplo">Empezar a estudiar`, `href="/certificaciones/ejemplo/examen">Presenta el examen`},
			track: []string{"Estudia el módulo «El arranque del equipo»", "¿Ya dominas los temas?", `href="/certificaciones/ejemplo/examen">Presenta el examen`},
			start: []string{"Antes de empezar", "Empezar el examen"},
		},
		{
			name: "studying",
			setup: func(t *testing.T, _ *testEnv, c *client) map[string]string {
				wantStatus(t, c.post("/certificaciones/ejemplo/modulos/arranque/estudiado", url.Values{"estudiado": {"1"}}), http.StatusSeeOther)
				return nil
			},
			home:  []string{"1 de 2 módulos estudiados", `href="/certificaciones/ejemplo">Seguir estudiando`, `href="/certificaciones/ejemplo/examen">Presenta el examen`},
			track: []string{"Estudia el módulo «Primeros pasos en la terminal»", "¿Ya dominas los temas?", `href="/certificaciones/ejemplo/examen">Presenta el examen`},
			start: []string{"Antes de empezar", "Empezar el examen"},
		},
		{
			name: "exam in progress",
			setup: func(t *testing.T, env *testEnv, c *client) map[string]string {
				return map[string]string{"{exam}": "/examen/" + startExam(t, env, c, "ejemplo").ID}
			},
			home:  []string{"Tienes un examen en curso:", "quedan 10 min", `href="{exam}">Continuar mi examen`},
			track: []string{"Tienes un examen en curso:", `href="{exam}">Continuar mi examen`},
			start: []string{"Tienes un examen en curso:", `href="{exam}">Continuar mi examen`},
		},
		{
			name: "cooling down",
			setup: func(t *testing.T, env *testEnv, c *client) map[string]string {
				a := startExam(t, env, c, "ejemplo")
				wantStatus(t, c.post("/examen/"+a.ID+"/entregar", nil), http.StatusSeeOther)
				return nil
			},
			home:  []string{"Podrás volver a presentar el examen a partir del 29 de noviembre de 2026", `href="/certificaciones/ejemplo/practica">Practicar`},
			track: []string{"Podrás volver a presentar el examen a partir del 29 de noviembre de 2026", `href="/certificaciones/ejemplo/practica">Practicar`},
			start: []string{"Podrás volver a presentar el examen a partir del 29 de noviembre de 2026"},
		},
		{
			name: "certified",
			setup: func(t *testing.T, env *testEnv, c *client) map[string]string {
				a := pass(t, env, c)
				return map[string]string{"{cert}": "/certificados/" + certOf(t, env, a).ID, "{result}": "/examen/" + a.ID + "/resultado"}
			},
			home:  []string{"¡Felicidades!", `href="{cert}">Ver y descargar mi certificado`},
			track: []string{"¡Felicidades!", `href="{cert}">Ver y descargar mi certificado`},
			start: []string{"¡Felicidades!", `href="{cert}">Ver y descargar mi certificado`, `href="{result}">Ver mi resultado`},
		},
		{
			name: "revoked",
			setup: func(t *testing.T, env *testEnv, c *client) map[string]string {
				cert := certOf(t, env, pass(t, env, c))
				if _, err := env.certs.Revoke(context.Background(), 0, cert.ID, "Suplantación de identidad en el examen"); err != nil {
					t.Fatal(err)
				}
				return map[string]string{"{cert}": "/certificados/" + cert.ID, "{code}": cert.Code}
			},
			home:    []string{"revocó tu certificado el 28 de noviembre de 2026", "Motivo: Suplantación de identidad en el examen", "ya no es válido", "menciona el código {code}", `href="{cert}">Ver el estado de mi certificado`},
			track:   []string{"revocó tu certificado el 28 de noviembre de 2026", "Motivo: Suplantación de identidad en el examen", "escribe a la Fundación MxOS"},
			start:   []string{"revocó tu certificado", "Motivo: Suplantación de identidad en el examen", "no puedes volver a presentar el examen"},
			account: []string{"revocado", "La Fundación MxOS lo revocó el 28 de noviembre de 2026", "Motivo: Suplantación de identidad en el examen", "menciona el código {code}"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := newEnv(t)
			c := env.client(t)
			c.register("Ana López", "ana@ejemplo.mx", goodPassword)
			links := tc.setup(t, env, c)
			expand := func(s string) string {
				for k, v := range links {
					s = strings.ReplaceAll(s, k, v)
				}
				return s
			}
			for _, page := range []struct {
				path string
				want []string
			}{{"/", tc.home}, {"/certificaciones/ejemplo", tc.track}, {"/certificaciones/ejemplo/examen", tc.start}, {"/cuenta", tc.account}} {
				rec := c.get(page.path)
				wantStatus(t, rec, http.StatusOK)
				body := rec.Body.String()
				for _, w := range page.want {
					if w = expand(w); !strings.Contains(body, w) {
						t.Errorf("%s lacks %q", page.path, w)
					}
				}
				if tc.name != "certified" && strings.Contains(body, "Felicidades") {
					t.Errorf("%s congratulates a candidate who is %s", page.path, tc.name)
				}
				if tc.name != "exam in progress" && strings.Contains(body, "Continuar mi examen") {
					t.Errorf("%s offers to continue an exam that is not running", page.path)
				}
			}
		})
	}
}

// A visitor sees how to take the exam (register), and a newly registered
// candidate reaches the exam from the track page in one click.
func TestTrackPageLeadsToTheExam(t *testing.T) {
	env := newEnv(t)
	visitor := env.client(t)
	wantBody(t, visitor.get("/certificaciones/ejemplo"), `href="/registro">Crea tu cuenta para presentar el examen</a>`)

	c := env.client(t)
	c.register("Ana López", "ana@ejemplo.mx", goodPassword)
	track := c.get("/certificaciones/ejemplo")
	wantBody(t, track, `href="/certificaciones/ejemplo/examen"`)
	start := c.get("/certificaciones/ejemplo/examen")
	wantStatus(t, start, http.StatusOK)
	wantBody(t, start, "Empezar el examen")
}
