package web

import (
	"net/http"
	"strings"
	"testing"

	"mxcert/internal/exam"
)

// On the shipped exam, each domain that gives fewer than 5 questions (all
// of them, as the blueprint stands) is labelled indicative on the result,
// and the page says once what that means, in Spanish and in English.
func TestDomainResultsAreIndicative(t *testing.T) {
	env := newEnv(t, withShippedContent)
	c := env.client(t)
	c.register("Lucía Pérez", "lucia@ejemplo.mx", goodPassword)
	a := startExam(t, env, c, "soporte-basico")
	wantStatus(t, c.post("/examen/"+a.ID+"/entregar", nil), http.StatusSeeOther)

	page := c.get("/examen/" + a.ID + "/resultado")
	wantStatus(t, page, http.StatusOK)
	few := 0
	for _, d := range env.catalog.Track("soporte-basico").Rules.Blueprint {
		if d.Count < exam.MinDomainItems {
			few++
		}
	}
	if few == 0 {
		t.Fatal("no domain of the shipped blueprint gives fewer than 5 questions: this test needs another track")
	}
	if n := strings.Count(page.Body.String(), `<span class="tag">indicativo</span>`); n != few {
		t.Errorf("%d rows labelled indicativo, want %d", n, few)
	}
	wantBody(t, page, "«Indicativo»: con menos de 5 preguntas, el resultado de un tema orienta tu estudio, pero no mide cuánto lo dominas")

	c.header.Set("Accept-Language", "en")
	page = c.get("/examen/" + a.ID + "/resultado")
	wantBody(t, page, `<span class="tag">indicative</span>`, "“Indicative”: with fewer than 5 questions")
}
