package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"mxcert/internal/content"
	"mxcert/internal/model"
)

func TestVisitorReadsButCannotMark(t *testing.T) {
	env := newEnv(t)
	v := env.client(t)
	rec := v.get("/certificaciones/ejemplo/modulos/arranque")
	wantStatus(t, rec, http.StatusOK)
	wantBody(t, rec, "El arranque del equipo", "Cambiar el orden de arranque para iniciar desde una memoria USB", `src="/certificaciones/ejemplo/archivos/images/orden-arranque.png"`, "Crea tu cuenta o entra")
	if strings.Contains(rec.Body.String(), "Marcar como estudiado") {
		t.Error("visitor offered the studied button")
	}
	rec = v.post("/certificaciones/ejemplo/modulos/arranque/estudiado", url.Values{"estudiado": {"1"}})
	wantStatus(t, rec, http.StatusSeeOther)
	if !strings.HasPrefix(rec.Header().Get("Location"), "/entrar") {
		t.Errorf("visitor marking goes to %q", rec.Header().Get("Location"))
	}
	wantStatus(t, v.get("/certificaciones/ejemplo/modulos/no-existe"), http.StatusNotFound)
	wantStatus(t, v.get("/certificaciones/no-existe"), http.StatusNotFound)
	wantStatus(t, v.get("/certificaciones/ejemplo/practica"), http.StatusSeeOther)
}

func TestProgressSavedAndShown(t *testing.T) {
	env := newEnv(t)
	c := env.client(t)
	c.register("Ana López", "ana@ejemplo.mx", goodPassword)
	rec := c.get("/certificaciones/ejemplo")
	wantBody(t, rec, "0 de 2 módulos estudiados", "Estudia el módulo «El arranque del equipo»")

	wantStatus(t, c.post("/certificaciones/ejemplo/modulos/arranque/estudiado", url.Values{"estudiado": {"1"}}), http.StatusSeeOther)
	wantBody(t, c.get("/certificaciones/ejemplo/modulos/arranque"), "Marcaste este módulo como estudiado el 28 de noviembre de 2026", "Quitar la marca")
	wantBody(t, c.get("/certificaciones/ejemplo"), "1 de 2 módulos estudiados", "Estudia el módulo «Primeros pasos en la terminal»")

	wantStatus(t, c.post("/certificaciones/ejemplo/modulos/terminal/estudiado", url.Values{"estudiado": {"1"}}), http.StatusSeeOther)
	rec = c.get("/certificaciones/ejemplo")
	wantBody(t, rec, "2 de 2 módulos estudiados", `value="2"`, "Practica «El arranque del equipo»")

	wantStatus(t, c.post("/certificaciones/ejemplo/modulos/terminal/estudiado", url.Values{"estudiado": {"0"}}), http.StatusSeeOther)
	wantBody(t, c.get("/certificaciones/ejemplo"), "1 de 2 módulos estudiados")

	// Another candidate's progress is their own.
	other := env.client(t)
	other.ip = "198.51.100.9"
	other.register("Luis Pérez", "luis@ejemplo.mx", goodPassword)
	wantBody(t, other.get("/certificaciones/ejemplo"), "0 de 2 módulos estudiados")
}

// practiceItems reads a practice session's items from the database: the
// test knows the key from there, never from the page.
func practiceSession(t testing.TB, env *testEnv, c *client, location string) *model.PracticeSession {
	t.Helper()
	id := strings.TrimPrefix(location, "/practica/")
	u, err := env.accounts.Resolve(context.Background(), c.cookies[sessionCookie].Value)
	if err != nil {
		t.Fatal(err)
	}
	p, err := env.svc.DB.Practice(context.Background(), id, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func answerForm(positions ...int) url.Values {
	v := url.Values{}
	for _, p := range positions {
		v.Add("opcion", strconv.Itoa(p))
	}
	return v
}

func TestPracticeQuizScoresAndExplains(t *testing.T) {
	env := newEnv(t, withShippedContent)
	c := env.client(t)
	c.register("Ana López", "ana@ejemplo.mx", goodPassword)
	tr := env.catalog.Track("soporte-basico")

	rec := c.post("/certificaciones/soporte-basico/practica", url.Values{"tema": {"redes"}})
	wantStatus(t, rec, http.StatusSeeOther)
	loc := rec.Header().Get("Location")
	p := practiceSession(t, env, c, loc)
	if len(p.Items) != 10 {
		t.Fatalf("quiz has %d items", len(p.Items))
	}
	right := 0
	for i, it := range p.Items {
		if it.Item.Domain != "redes" || tr.Question(it.Item.QuestionID).Pool != content.PracticePool {
			t.Fatalf("item %d is %s from %s", i, it.Item.QuestionID, tr.Question(it.Item.QuestionID).Pool)
		}
		page := c.get(fmt.Sprintf("%s?p=%d", loc, i+1))
		wantStatus(t, page, http.StatusOK)
		key := it.Item.Key()
		answer := key
		if it.Item.Multiple() {
			wantBody(t, page, `type="checkbox"`, "Elige todas las respuestas correctas")
			if i%2 == 0 {
				answer = key[:1] // only part of the key: wrong, all-or-nothing
			}
		} else if i%3 == 0 {
			answer = []int{(key[0] + 1) % len(it.Item.Options)}
		}
		if it.Item.Correct(answer) {
			right++
		}
		wantStatus(t, c.post(fmt.Sprintf("%s/pregunta/%d", loc, i+1), answerForm(answer...)), http.StatusSeeOther)
		fb := c.get(fmt.Sprintf("%s?p=%d", loc, i+1))
		if it.Item.Correct(answer) {
			wantBody(t, fb, "¡Correcto!", "respuesta correcta", "Por qué:")
		} else {
			wantBody(t, fb, "Incorrecto.", "respuesta correcta", "tu respuesta")
		}
	}
	res := c.get(loc + "/resultado")
	wantStatus(t, res, http.StatusOK)
	wantBody(t, res, fmt.Sprintf("%d de 10 correctas", right))
	track := c.get("/certificaciones/soporte-basico")
	wantBody(t, track, fmt.Sprintf("%d %% (10 respuestas)", right*10))

	// A question answered in a quiz keeps its first answer.
	before := practiceSession(t, env, c, loc).Items[0]
	other := []int{otherThan(before.Answer, len(before.Item.Options))}
	c.post(loc+"/pregunta/1", answerForm(other...))
	after := practiceSession(t, env, c, loc).Items[0]
	if !slicesEqual(before.Answer, after.Answer) || before.Correct != after.Correct {
		t.Errorf("a quiz answer changed from %v to %v", before.Answer, after.Answer)
	}
}

func slicesEqual(a, b []int) bool { return fmt.Sprint(a) == fmt.Sprint(b) }

func TestMultipleAnswerIsAllOrNothing(t *testing.T) {
	env := newEnv(t, withShippedContent)
	c := env.client(t)
	c.register("Ana López", "ana@ejemplo.mx", goodPassword)
	// Draw quizzes until a multiple-answer item comes up (most domains have two).
	for _, d := range env.catalog.Track("soporte-basico").Domains() {
		loc := c.post("/certificaciones/soporte-basico/practica", url.Values{"tema": {d}}).Header().Get("Location")
		p := practiceSession(t, env, c, loc)
		for i, it := range p.Items {
			if !it.Item.Multiple() {
				continue
			}
			key := it.Item.Key()
			wrong := append(append([]int{}, key...), otherThan(key, len(it.Item.Options)))
			c.post(fmt.Sprintf("%s/pregunta/%d", loc, i+1), answerForm(wrong...))
			got := practiceSession(t, env, c, loc).Items[i]
			if got.Correct {
				t.Fatalf("%s: key plus an extra option scored as right", it.Item.QuestionID)
			}
			return
		}
	}
	t.Fatal("no multiple-answer practice question in the shipped content")
}

func otherThan(key []int, n int) int {
	for i := range n {
		found := false
		for _, k := range key {
			found = found || k == i
		}
		if !found {
			return i
		}
	}
	return 0
}

func TestSimulacroTimedAndReviewed(t *testing.T) {
	env := newEnv(t, withShippedContent)
	c := env.client(t)
	c.register("Ana López", "ana@ejemplo.mx", goodPassword)
	tr := env.catalog.Track("soporte-basico")
	rec := c.post("/certificaciones/soporte-basico/practica", url.Values{"simulacro": {"1"}, "con_tiempo": {"1"}})
	loc := rec.Header().Get("Location")
	p := practiceSession(t, env, c, loc)
	if len(p.Items) != tr.Rules.Questions {
		t.Fatalf("simulacro has %d items, want %d", len(p.Items), tr.Rules.Questions)
	}
	perDomain := map[string]int{}
	for _, it := range p.Items {
		perDomain[it.Item.Domain]++
		if tr.Question(it.Item.QuestionID).Pool != content.PracticePool {
			t.Fatalf("simulacro uses exam question %s", it.Item.QuestionID)
		}
	}
	for _, d := range tr.Rules.Blueprint {
		if perDomain[d.Domain] != d.Count {
			t.Errorf("domain %s: %d questions, blueprint says %d", d.Domain, perDomain[d.Domain], d.Count)
		}
	}
	page := c.get(loc + "?p=1")
	wantBody(t, page, "Te quedan 60 minutos", "Todas las preguntas")
	if strings.Contains(page.Body.String(), "Por qué:") {
		t.Error("simulacro shows feedback before the end")
	}
	// Answer two, then change the first: a simulacro's answers may change.
	k0 := p.Items[0].Item.Key()
	c.post(loc+"/pregunta/1", answerForm(otherThan(k0, len(p.Items[0].Item.Options))))
	c.post(loc+"/pregunta/1", answerForm(k0...))
	c.post(loc+"/pregunta/2", answerForm(p.Items[1].Item.Key()...))

	env.clock.Advance(61 * time.Minute)
	rec = c.post(loc+"/pregunta/3", answerForm(p.Items[2].Item.Key()...))
	if rec.Header().Get("Location") != loc+"/resultado" {
		t.Fatalf("answer after the time limit went to %q", rec.Header().Get("Location"))
	}
	res := c.get(loc + "/resultado")
	wantStatus(t, res, http.StatusOK)
	wantBody(t, res, "2 de 40 correctas (5 %)", "Por tema", "todavía no aprobarías", "Sin responder.", "Por qué:")
}

func TestPracticeSessionsArePrivate(t *testing.T) {
	env := newEnv(t)
	ana := env.client(t)
	ana.register("Ana López", "ana@ejemplo.mx", goodPassword)
	loc := ana.post("/certificaciones/ejemplo/practica", url.Values{"tema": {"arranque"}}).Header().Get("Location")
	luis := env.client(t)
	luis.ip = "198.51.100.9"
	luis.register("Luis Pérez", "luis@ejemplo.mx", goodPassword)
	wantStatus(t, luis.get(loc), http.StatusNotFound)
	wantStatus(t, luis.get(loc+"/resultado"), http.StatusNotFound)
	wantStatus(t, luis.post(loc+"/pregunta/1", answerForm(0)), http.StatusNotFound)
	wantStatus(t, luis.get("/practica/no-es-un-id"), http.StatusNotFound)
	wantStatus(t, ana.post("/certificaciones/ejemplo/practica", url.Values{"tema": {"no-existe"}}), http.StatusBadRequest)
	wantStatus(t, ana.post(loc+"/pregunta/1", url.Values{}), http.StatusBadRequest)
	wantStatus(t, ana.post(loc+"/pregunta/1", answerForm(99)), http.StatusBadRequest)
	wantStatus(t, ana.post(loc+"/pregunta/99", answerForm(0)), http.StatusBadRequest)
	wantStatus(t, ana.post(loc+"/pregunta/x", answerForm(0)), http.StatusNotFound)
	wantStatus(t, ana.get(loc+"?p=0"), http.StatusNotFound)
}

func TestContentImagesAndTraversal(t *testing.T) {
	c := newEnv(t).client(t)
	rec := c.get("/certificaciones/ejemplo/archivos/images/orden-arranque.png")
	wantStatus(t, rec, http.StatusOK)
	if rec.Header().Get("Content-Type") != "image/png" || !strings.Contains(rec.Header().Get("Cache-Control"), "max-age") {
		t.Errorf("image headers: %v", rec.Header())
	}
	for _, tc := range []struct{ name, target string }{
		{"dot-dot", "/certificaciones/ejemplo/archivos/../certification.md"},
		{"dot-dot out of images", "/certificaciones/ejemplo/archivos/images/../questions/arranque.md"},
		{"encoded dot-dot", "/certificaciones/ejemplo/archivos/images/%2e%2e/questions/arranque.md"},
		{"encoded slashes", "/certificaciones/ejemplo/archivos/images%2f..%2f..%2fcertification.md"},
		{"encoded dot-dot out of the content", "/certificaciones/ejemplo/archivos/%2e%2e/%2e%2e/go.mod"},
		{"a question bank", "/certificaciones/ejemplo/archivos/questions/arranque.md"},
		{"the track's file", "/certificaciones/ejemplo/archivos/certification.md"},
		{"a missing image", "/certificaciones/ejemplo/archivos/images/no-existe.png"},
		{"a double slash", "/certificaciones/ejemplo/archivos/images//orden-arranque.png"},
		{"encoded dot-dot as the track", "/certificaciones/..%2f..%2fetc/archivos/images/passwd.png"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := c.get(tc.target)
			if rec.Code != http.StatusNotFound {
				t.Errorf("GET %s = %d, want 404", tc.target, rec.Code)
			}
			if strings.Contains(rec.Body.String(), "domain:") || strings.Contains(rec.Body.String(), "module ") {
				t.Errorf("GET %s leaked a file", tc.target)
			}
		})
	}
}

// TestExamPoolNeverShown walks everything a candidate can see outside an
// exam over the shipped content (track, every module, practice of every
// domain with feedback and results, a whole simulacro) and checks that no
// exam question's id or stem appears anywhere.
func TestExamPoolNeverShown(t *testing.T) {
	env := newEnv(t, withShippedContent)
	tr := env.catalog.Track("soporte-basico")
	c := env.client(t)
	c.register("Ana López", "ana@ejemplo.mx", goodPassword)
	var pages []string
	see := func(rec interface{ Result() *http.Response }, body string) { pages = append(pages, body) }
	getBody := func(target string) {
		rec := c.get(target)
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s = %d", target, rec.Code)
		}
		see(rec, rec.Body.String())
	}
	getBody("/")
	getBody("/certificaciones/soporte-basico")
	getBody("/certificaciones/soporte-basico/practica")
	for _, m := range tr.Modules {
		getBody("/certificaciones/soporte-basico/modulos/" + m.Slug)
	}
	for _, d := range tr.Domains() {
		loc := c.post("/certificaciones/soporte-basico/practica", url.Values{"tema": {d}}).Header().Get("Location")
		p := practiceSession(t, env, c, loc)
		for i, it := range p.Items {
			getBody(fmt.Sprintf("%s?p=%d", loc, i+1))
			c.post(fmt.Sprintf("%s/pregunta/%d", loc, i+1), answerForm(it.Item.Key()...))
			getBody(fmt.Sprintf("%s?p=%d", loc, i+1))
		}
		getBody(loc + "/resultado")
	}
	loc := c.post("/certificaciones/soporte-basico/practica", url.Values{"simulacro": {"1"}}).Header().Get("Location")
	for i := range tr.Rules.Questions {
		getBody(fmt.Sprintf("%s?p=%d", loc, i+1))
	}
	c.post(loc+"/terminar", nil)
	getBody(loc + "/resultado")

	all := strings.Join(pages, "\n")
	words := map[string]bool{} // every id-shaped word of every page
	for _, w := range regexp.MustCompile(`[\w.-]+`).FindAllString(all, -1) {
		words[w] = true
	}
	for _, q := range tr.ExamQuestions {
		if words[q.ID] {
			t.Errorf("exam question id %s appears in a page", q.ID)
		}
		if strings.Contains(all, string(q.StemHTML)) {
			t.Errorf("the stem of exam question %s appears in a page", q.ID)
		}
	}
	if len(pages) < 100 {
		t.Errorf("only %d pages walked", len(pages))
	}
}
