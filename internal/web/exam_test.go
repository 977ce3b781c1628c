package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"mxcert/internal/model"
)

// startExam registers a candidate and starts an attempt; it returns the
// attempt as stored (the test reads the key from there, never the page).
func startExam(t testing.TB, env *testEnv, c *client, track string) *model.Attempt {
	t.Helper()
	page := c.get("/certificaciones/" + track + "/examen")
	wantStatus(t, page, http.StatusOK)
	name := regexp.MustCompile(`name="nombre" value="([^"]*)"`).FindStringSubmatch(page.Body.String())
	if name == nil {
		t.Fatalf("no name confirmation on the start page:\n%s", page.Body)
	}
	rec := c.post("/certificaciones/"+track+"/examen", url.Values{"confirmo": {"1"}, "nombre": {htmlUnescape(name[1])}})
	wantStatus(t, rec, http.StatusSeeOther)
	id := strings.TrimPrefix(rec.Header().Get("Location"), "/examen/")
	return loadAttempt(t, env, c, id)
}

func htmlUnescape(s string) string {
	return strings.NewReplacer("&amp;", "&", "&#39;", "'", "&quot;", `"`, "&lt;", "<", "&gt;", ">").Replace(s)
}

func loadAttempt(t testing.TB, env *testEnv, c *client, id string) *model.Attempt {
	t.Helper()
	u, err := env.accounts.Resolve(context.Background(), c.cookies[sessionCookie].Value)
	if err != nil {
		t.Fatal(err)
	}
	a, err := env.svc.DB.Attempt(context.Background(), id, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// saveForm is the form the exam page of question pos sends: its position,
// the question's id and the sequence the page was built at.
func saveForm(a *model.Attempt, pos int, seq int64, answer []int, extra ...string) url.Values {
	v := answerForm(answer...)
	v.Set("pregunta", fmt.Sprint(pos+1))
	if pos >= 0 && pos < len(a.Items) {
		v.Set("id_pregunta", a.Items[pos].Item.QuestionID)
	}
	v.Set("seq", fmt.Sprint(seq))
	for i := 0; i+1 < len(extra); i += 2 {
		v.Set(extra[i], extra[i+1])
	}
	return v
}

func TestExamPassFlow(t *testing.T) {
	env := newEnv(t)
	c := env.client(t)
	c.register("José Ñúñez Peña", "jose@ejemplo.mx", goodPassword)
	start := c.get("/certificaciones/ejemplo/examen")
	wantBody(t, start, "José Ñúñez Peña", "Confirmo que mi nombre está escrito correctamente", "Tienes 10 minutos")

	// Without the confirmation nothing starts.
	rec := c.post("/certificaciones/ejemplo/examen", url.Values{"nombre": {"José Ñúñez Peña"}})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	wantBody(t, rec, "Confirma tu nombre para empezar")

	a := startExam(t, env, c, "ejemplo")
	if a.HolderName != "José Ñúñez Peña" || len(a.Items) != 2 {
		t.Fatalf("attempt = %+v", a)
	}
	// The exam's address sends the candidate to the question's own.
	rec = c.get("/examen/" + a.ID)
	wantStatus(t, rec, http.StatusSeeOther)
	if loc := rec.Header().Get("Location"); loc != "/examen/"+a.ID+"?p=1" {
		t.Fatalf("/examen/ID sends to %q, want question 1's address", loc)
	}
	page := c.get("/examen/" + a.ID + "?p=1")
	wantStatus(t, page, http.StatusOK)
	wantBody(t, page, "Pregunta 1 de 2", "Respondidas: 0 de 2", "Tiempo restante: 10 min", `data-deadline="`+a.Deadline.UTC().Format(time.RFC3339)+`"`)
	if page.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("exam page Cache-Control = %q", page.Header().Get("Cache-Control"))
	}
	seq := a.Seq
	for i, it := range a.Items {
		rec := c.post("/examen/"+a.ID+"/respuesta", saveForm(a, i, seq, it.Item.Key(), "ir", fmt.Sprint(i+2)))
		wantStatus(t, rec, http.StatusSeeOther)
		seq++
	}
	review := c.get("/examen/" + a.ID + "/entregar")
	wantBody(t, review, "Respondiste todas las preguntas", "Entregar ahora")
	rec = c.post("/examen/"+a.ID+"/entregar", nil)
	wantStatus(t, rec, http.StatusSeeOther)
	res := c.get(rec.Header().Get("Location"))
	wantStatus(t, res, http.StatusOK)
	wantBody(t, res, "¡Aprobaste!", "2 de 2 correctas (100 %)", "Para aprobar se necesita 50 %", "El arranque del equipo")
	// The result never shows the key.
	for _, it := range a.Items {
		for _, o := range it.Item.Options {
			if strings.Contains(res.Body.String(), string(o.HTML)) {
				t.Errorf("result page shows an option: %s", o.HTML)
			}
		}
	}
	// A certified candidate cannot start again.
	wantBody(t, c.get("/certificaciones/ejemplo/examen"), "Ya aprobaste esta certificación")
	wantStatus(t, c.post("/certificaciones/ejemplo/examen", url.Values{"confirmo": {"1"}, "nombre": {"José Ñúñez Peña"}}), http.StatusConflict)
	// Submitting again changes nothing.
	wantStatus(t, c.post("/examen/"+a.ID+"/entregar", nil), http.StatusSeeOther)
	if got := loadAttempt(t, env, c, a.ID); got.Status != model.AttemptPassed || got.Score != 2 {
		t.Errorf("after a second submit: %+v", got)
	}
}

func TestExamFailCoolDownAndRetake(t *testing.T) {
	env := newEnv(t)
	c := env.client(t)
	c.register("Ana López", "ana@ejemplo.mx", goodPassword)
	a := startExam(t, env, c, "ejemplo")
	wantStatus(t, c.post("/examen/"+a.ID+"/respuesta", saveForm(a, 0, a.Seq, []int{(a.Items[0].Item.Key()[0] + 1) % len(a.Items[0].Item.Options)})), http.StatusSeeOther)
	wantStatus(t, c.post("/examen/"+a.ID+"/entregar", nil), http.StatusSeeOther)
	res := c.get("/examen/" + a.ID + "/resultado")
	wantBody(t, res, "Esta vez no aprobaste", "0 de 2 correctas (0 %)", "Qué repasar", "/certificaciones/ejemplo/modulos/", "Puedes volver a presentarlo en 24 horas")

	// 18:00 UTC is 12:00 in Mexico City; the wait ends a day later.
	wantBody(t, c.get("/certificaciones/ejemplo/examen"), "a partir del 29 de noviembre de 2026, 12:00 h")
	wantStatus(t, c.post("/certificaciones/ejemplo/examen", url.Values{"confirmo": {"1"}, "nombre": {"Ana López"}}), http.StatusConflict)
	env.clock.Advance(24 * time.Hour)
	wantStatus(t, c.login("ana@ejemplo.mx", goodPassword), http.StatusSeeOther) // the session idled out meanwhile
	b := startExam(t, env, c, "ejemplo")
	if b.ID == a.ID {
		t.Fatal("retake reused the old attempt")
	}
}

func TestExamRefusesAnswersAfterTheDeadline(t *testing.T) {
	env := newEnv(t)
	c := env.client(t)
	c.register("Ana López", "ana@ejemplo.mx", goodPassword)
	a := startExam(t, env, c, "ejemplo")
	key := a.Items[0].Item.Key()
	wantStatus(t, c.post("/examen/"+a.ID+"/respuesta", saveForm(a, 0, a.Seq, key)), http.StatusSeeOther)
	env.clock.Advance(10*time.Minute + time.Second)

	c.header.Set("Accept", "application/json")
	rec := c.post("/examen/"+a.ID+"/respuesta", saveForm(a, 1, a.Seq+1, a.Items[1].Item.Key()))
	wantStatus(t, rec, http.StatusConflict)
	wantBody(t, rec, `"closed":true`)
	c.header.Del("Accept")
	rec = c.post("/examen/"+a.ID+"/respuesta", saveForm(a, 1, a.Seq+1, a.Items[1].Item.Key()))
	wantStatus(t, rec, http.StatusSeeOther)
	if rec.Header().Get("Location") != "/examen/"+a.ID+"/resultado" {
		t.Errorf("late answer redirected to %q", rec.Header().Get("Location"))
	}
	got := loadAttempt(t, env, c, a.ID)
	if got.Open() || got.FinishReason != "expired" || got.Score != 1 || got.Items[1].Answered() {
		t.Errorf("after the deadline: status %s reason %s score %d, item 2 %+v", got.Status, got.FinishReason, got.Score, got.Items[1])
	}
	wantBody(t, c.get("/examen/"+a.ID+"/resultado"), "entregado al terminar el tiempo")
}

func TestExamResumeAfterClosingTheBrowser(t *testing.T) {
	env := newEnv(t, withShippedContent)
	phone := env.client(t)
	phone.register("Ana López", "ana@ejemplo.mx", goodPassword)
	a := startExam(t, env, phone, "soporte-basico")
	seq := a.Seq
	for i := range 3 {
		phone.post("/examen/"+a.ID+"/respuesta", saveForm(a, i, seq, a.Items[i].Item.Key()))
		seq++
	}
	phone.post("/examen/"+a.ID+"/respuesta", saveForm(a, 3, seq, nil, "revisar", "1"))

	// The browser is gone; the candidate signs in again elsewhere.
	laptop := env.client(t)
	wantStatus(t, laptop.login("ana@ejemplo.mx", goodPassword), http.StatusSeeOther)
	wantBody(t, laptop.get("/certificaciones/soporte-basico/examen"), "Tienes un examen en curso", "/examen/"+a.ID)
	resume := laptop.get("/examen/" + a.ID)
	wantStatus(t, resume, http.StatusSeeOther)
	if loc := resume.Header().Get("Location"); loc != "/examen/"+a.ID+"?p=4" {
		t.Fatalf("coming back leads to %q, want the first unanswered question", loc)
	}
	page := laptop.get(resume.Header().Get("Location"))
	wantBody(t, page, "Pregunta 4 de 40", "Respondidas: 3 de 40", `id="revisar" name="revisar" value="1" checked`)
	first := laptop.get("/examen/" + a.ID + "?p=1")
	for _, k := range a.Items[0].Item.Key() {
		wantBody(t, first, fmt.Sprintf(`id="opcion-%d" name="opcion" value="%d" checked`, k, k))
	}
	grid := regexp.MustCompile(`class="answered"`).FindAllString(first.Body.String(), -1)
	if len(grid) != 3 {
		t.Errorf("%d answered questions in the overview, want 3", len(grid))
	}
}

func TestExamStalePostKeepsTheNewerAnswer(t *testing.T) {
	env := newEnv(t)
	c := env.client(t)
	c.register("Ana López", "ana@ejemplo.mx", goodPassword)
	a := startExam(t, env, c, "ejemplo")
	old := a.Seq
	c.header.Set("Accept", "application/json")
	rec := c.post("/examen/"+a.ID+"/respuesta", saveForm(a, 0, old, []int{0}))
	wantStatus(t, rec, http.StatusOK)
	var ok struct {
		Saved    bool
		Seq      int64
		Answered int
	}
	json.Unmarshal(rec.Body.Bytes(), &ok)
	if !ok.Saved || ok.Seq != old+1 || ok.Answered != 1 {
		t.Errorf("autosave reply = %s", rec.Body)
	}
	rec = c.post("/examen/"+a.ID+"/respuesta", saveForm(a, 0, old, []int{1})) // from an older tab
	wantStatus(t, rec, http.StatusConflict)
	wantBody(t, rec, `"stale":true`, `"answer":[0]`)
	if strings.Contains(rec.Body.String(), "correct") {
		t.Error("the autosave reply mentions correctness")
	}
	c.header.Del("Accept")
	rec = c.post("/examen/"+a.ID+"/respuesta", saveForm(a, 0, old, []int{1}))
	wantStatus(t, rec, http.StatusSeeOther)
	notice := c.get(rec.Header().Get("Location"))
	wantBody(t, notice, "Esta pregunta cambió en otra ventana", `id="opcion-0" name="opcion" value="0" checked`)
	if got := loadAttempt(t, env, c, a.ID); fmt.Sprint(got.Items[0].Answer) != "[0]" {
		t.Errorf("stored answer = %v, want [0]", got.Items[0].Answer)
	}
}

func TestExamPagesNeverMarkTheKey(t *testing.T) {
	env := newEnv(t, withShippedContent)
	c := env.client(t)
	c.register("Ana López", "ana@ejemplo.mx", goodPassword)
	a := startExam(t, env, c, "soporte-basico")
	optionRe := regexp.MustCompile(`(?s)<div class="option">(.*?)</div>`)
	labelRe := regexp.MustCompile(`(?s)<label for="opcion-\d+">.*?</label>`)
	numRe := regexp.MustCompile(`\d+`)
	for i, it := range a.Items {
		body := c.get(fmt.Sprintf("/examen/%s?p=%d", a.ID, i+1)).Body.String()
		blocks := optionRe.FindAllStringSubmatch(body, -1)
		if len(blocks) != len(it.Item.Options) {
			t.Fatalf("question %d: %d option blocks, want %d", i+1, len(blocks), len(it.Item.Options))
		}
		// With the option text and numbers taken out, the markup of every
		// option is identical: nothing distinguishes the correct ones.
		shape := numRe.ReplaceAllString(labelRe.ReplaceAllString(blocks[0][1], ""), "N")
		for _, b := range blocks[1:] {
			if s := numRe.ReplaceAllString(labelRe.ReplaceAllString(b[1], ""), "N"); s != shape {
				t.Errorf("question %d: options differ in markup:\n%s\n%s", i+1, shape, s)
			}
		}
		lower := strings.ToLower(body)
		for _, leak := range []string{`"correct"`, "correct=", "checked disabled", "data-key", "is-right", "respuesta correcta", "por qué:"} {
			if strings.Contains(lower, leak) {
				t.Errorf("question %d page contains %q", i+1, leak)
			}
		}
		if strings.Contains(body, string(it.Item.Explanation)) {
			t.Errorf("question %d page contains its explanation", i+1)
		}
	}
}

func TestExamsAreOwnedByTheirCandidate(t *testing.T) {
	env := newEnv(t)
	ana := env.client(t)
	ana.register("Ana López", "ana@ejemplo.mx", goodPassword)
	a := startExam(t, env, ana, "ejemplo")
	luis := env.client(t)
	luis.ip = "198.51.100.9"
	luis.register("Luis Pérez", "luis@ejemplo.mx", goodPassword)
	for _, tc := range []struct {
		name, method, path string
		form               url.Values
	}{
		{"the exam page", "GET", "", nil},
		{"the result", "GET", "/resultado", nil},
		{"the hand-in page", "GET", "/entregar", nil},
		{"an autosave", "POST", "/respuesta", saveForm(a, 0, 0, []int{0})},
		{"a hand-in", "POST", "/entregar", url.Values{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			target := "/examen/" + a.ID + tc.path
			var rec *httptest.ResponseRecorder
			if tc.method == "POST" {
				rec = luis.post(target, tc.form)
			} else {
				rec = luis.get(target)
			}
			wantStatus(t, rec, http.StatusNotFound)
		})
	}
	if got := loadAttempt(t, env, ana, a.ID); !got.Open() || got.Items[0].Answered() {
		t.Error("another candidate changed the attempt")
	}
	wantStatus(t, ana.post("/examen/"+a.ID+"/respuesta", url.Values{"pregunta": {"1"}, "seq": {"x"}}), http.StatusBadRequest)
	wantStatus(t, ana.post("/examen/"+a.ID+"/respuesta", url.Values{"pregunta": {"9"}, "seq": {"0"}, "opcion": {"0"}}), http.StatusBadRequest)
	wantStatus(t, ana.get("/examen/"+a.ID+"?p=3"), http.StatusNotFound)
	wantStatus(t, ana.get("/certificaciones/ejemplo/examen"), http.StatusOK)
	wantStatus(t, env.client(t).get("/examen/"+a.ID), http.StatusSeeOther) // visitor: sign in first
}

func TestNameCorrectionBeforeTheExam(t *testing.T) {
	env := newEnv(t)
	c := env.client(t)
	c.register("Jose Nunez", "jose@ejemplo.mx", goodPassword)
	wantStatus(t, c.post("/cuenta/nombre", url.Values{"name": {"José Núñez"}}), http.StatusSeeOther)
	wantBody(t, c.get("/certificaciones/ejemplo/examen"), `<p class="holder-name">José Núñez</p>`)
	// A start page built before a name change does not start with the old name.
	rec := c.post("/certificaciones/ejemplo/examen", url.Values{"confirmo": {"1"}, "nombre": {"Jose Nunez"}})
	wantStatus(t, rec, http.StatusConflict)
	a := startExam(t, env, c, "ejemplo")
	for i, it := range a.Items {
		c.post("/examen/"+a.ID+"/respuesta", saveForm(a, i, a.Seq+int64(i), it.Item.Key()))
	}
	c.post("/examen/"+a.ID+"/entregar", nil)
	rec = c.post("/cuenta/nombre", url.Values{"name": {"Otro Nombre"}})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	wantBody(t, rec, "Ya tienes un certificado con este nombre")
}
