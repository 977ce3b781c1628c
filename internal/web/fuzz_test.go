package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"mxcert/internal/exam"
	"mxcert/internal/model"
)

// answerSeeds are autosave bodies as the exam page sends them, and the
// mistakes around them.
var answerSeeds = []string{
	"pregunta=1&seq=0&opcion=0",
	"pregunta=2&seq=999999&opcion=0&opcion=2",
	"pregunta=1&seq=999999&opcion=1&revisar=1&ir=2",
	"pregunta=2&seq=999999&revisar=1&ir=entregar",
	"pregunta=1&seq=999999&opcion=3&opcion=3&opcion=3",
	"pregunta=1&seq=999999&opcion=-1",
	"pregunta=1&seq=999999&opcion=50",
	"pregunta=1&seq=999999&opcion=51",
	"pregunta=1&seq=999999&opcion=+1",
	"pregunta=1&seq=999999&opcion=0x1",
	"pregunta=1&seq=999999&opcion=",
	"pregunta=0&seq=0&opcion=0",
	"pregunta=3&seq=0&opcion=0",
	"pregunta=1&seq=-1&opcion=0",
	"pregunta=1&seq=9223372036854775807&opcion=0",
	"pregunta=1&seq=9223372036854775808&opcion=0",
	"pregunta=1;seq=0;opcion=0",
	"pregunta=%31&seq=%39%39%39&opcion=%30",
	"pregunta=1&seq=999999&opcion=%ff",
	"%zz",
	"",
}

// FuzzParseAnswer decodes autosave bodies the way the server does
// (url.ParseQuery, as Request.ParseForm) and checks parseAnswer: it never
// panics, and what it accepts is exactly the posted option numbers, 1 to
// 20 of them, each from 0 to 50.
func FuzzParseAnswer(f *testing.F) {
	for _, s := range answerSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		form, err := url.ParseQuery(body)
		if err != nil {
			return // the server answers 400 before parseAnswer runs
		}
		vals := form["opcion"]
		answer, err := parseAnswer(vals)
		if err != nil {
			if err != errBadRequest || answer != nil {
				t.Fatalf("parseAnswer(%q) = %v, %v", vals, answer, err)
			}
			return
		}
		if len(answer) == 0 || len(answer) > 20 || len(answer) != len(vals) {
			t.Fatalf("parseAnswer(%q) = %v", vals, answer)
		}
		for i, v := range vals {
			n, err := strconv.Atoi(v)
			if err != nil || n != answer[i] || n < 0 || n > 50 {
				t.Fatalf("parseAnswer(%q) = %v: position %d", vals, answer, i)
			}
		}
	})
}

// FuzzExamSave posts arbitrary bodies to the autosave endpoint of an open
// attempt through the real router, as a form and as the autosave script.
// Whatever the body: no 5xx, a JSON reply when JSON was asked for, and
// the attempt never stores an answer that does not fit its question.
func FuzzExamSave(f *testing.F) {
	for _, s := range answerSeeds {
		f.Add(s, true)
		f.Add(s, false)
	}
	// The example track's exam questions: which one is at which position
	// depends on the attempt, so some of these name the right question and
	// reach the database, and the others are refused as another question's.
	for _, id := range []string{"arr-001", "arr-002", "arr-003", "ter-001", "ter-002", "ter-003"} {
		for _, s := range answerSeeds[:5] {
			f.Add(s+"&id_pregunta="+id, true)
			f.Add(s+"&id_pregunta="+id, false)
		}
	}
	env := newEnv(f)
	var c *client
	var att *model.Attempt
	f.Fuzz(func(t *testing.T, body string, wantsJSON bool) {
		if c == nil { // once per fuzzing process, with the first input's t
			c = env.client(t)
			c.register("Ana López", "ana@ejemplo.mx", goodPassword)
			att = startExam(t, env, c, "ejemplo")
		}
		c.t = t
		if wantsJSON {
			c.header.Set("Accept", "application/json")
		} else {
			c.header.Del("Accept")
		}
		rec := c.do("POST", "/examen/"+att.ID+"/respuesta", strings.NewReader(body), "application/x-www-form-urlencoded")
		clean(t, "autosave "+body, rec)
		switch {
		case rec.Code == http.StatusConflict && !wantsJSON:
			// The form named another question: the page shows it again.
			if !strings.Contains(rec.Body.String(), "No guardamos esa respuesta") {
				t.Fatalf("%q: 409 page without its explanation: %.300s", body, rec.Body.String())
			}
		case rec.Code == http.StatusOK || rec.Code == http.StatusConflict:
			if !wantsJSON {
				t.Fatalf("%q: %d without asking for JSON", body, rec.Code)
			}
			if !json.Valid(rec.Body.Bytes()) {
				t.Fatalf("%q: %d with a body that is not JSON: %.200s", body, rec.Code, rec.Body.String())
			}
		case rec.Code == http.StatusSeeOther, rec.Code == http.StatusBadRequest, rec.Code == http.StatusNotFound, rec.Code == http.StatusRequestEntityTooLarge:
		default:
			t.Fatalf("%q: status %d", body, rec.Code)
		}

		got, err := env.svc.DB.Attempt(t.Context(), att.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		if !got.Open() {
			t.Fatalf("%q closed the attempt", body)
		}
		for i, it := range got.Items {
			if it.Answer == nil {
				continue
			}
			fits := slices.Equal(exam.NormalizeAnswer(it.Answer, len(it.Item.Options)), it.Answer)
			if !fits || (!it.Item.Multiple() && len(it.Answer) != 1) {
				t.Fatalf("%q stored %v for question %d (%d options, multiple %v)", body, it.Answer, i+1, len(it.Item.Options), it.Item.Multiple())
			}
		}
	})
}
