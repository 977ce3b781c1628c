package e2e

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"mxcert/internal/account"
	"mxcert/internal/model"
)

// attemptOf is the attempt id in the path of an exam question's page,
// /examen/ID?p=N.
func attemptOf(path string) string {
	id, _, _ := strings.Cut(strings.TrimPrefix(path, "/examen/"), "?")
	return id
}

// startAsNewCandidate creates a candidate, signs in from the exam's start
// page, confirms the name, starts the track's exam and returns the
// attempt's id.
func startAsNewCandidate(b *tab, name, emailLocal, track string) string {
	b.t.Helper()
	reg := account.Registration{Name: name, Email: uniqueEmail(emailLocal), Password: "mi frase larga y segura"}
	if _, err := b.s.app.Accounts().CreateUser(b.t.Context(), reg, model.RoleCandidate); err != nil {
		b.t.Fatal(err)
	}
	b.open("/entrar?siguiente=/certificaciones/"+track+"/examen", 200)
	b.do(
		chromedp.SendKeys(chromedp.ID("email"), reg.Email),
		chromedp.SendKeys(chromedp.ID("password"), reg.Password),
	)
	b.follow(`form[action="/entrar"] button[type="submit"]`)
	if p := b.path(); p != "/certificaciones/"+track+"/examen" {
		b.t.Fatalf("after signing in the candidate is at %s", p)
	}
	b.do(chromedp.Click(chromedp.ID("confirmo")))
	b.follow(`form[action$="/examen"] button[type="submit"]`)
	return attemptOf(b.path())
}

// TestBackAndForwardNeverInventAnAnswer walks the defect the way it was
// reported, with JavaScript on: answer question 1 and flag it, go on to
// question 2, press Back, press Forward and save question 2. The browser
// must never carry question 1's choice or flag onto question 2, and the
// database must hold for question 2 only what the test clicked: nothing.
// Then the candidate leaves the exam and finds the way back in one click.
func TestBackAndForwardNeverInventAnAnswer(t *testing.T) {
	s := requireEnv(t)
	t.Parallel()
	b := newTab(t, s, phoneWidth, phoneHeight, true)
	// 1. The exam opens at its first question's own address.
	id := startAsNewCandidate(b, "Itzel Hernández Cruz", "itzel", trackID)
	if p := b.path(); p != "/examen/"+id+"?p=1" {
		t.Fatalf("the exam opened at %s, want question 1's own address", p)
	}
	// 2. Answer question 1 and tick «Marcar para revisar».
	b.do(chromedp.Click(chromedp.ID("opcion-0")))
	waitSaved(b)
	b.do(chromedp.Click(chromedp.ID("revisar")))
	waitSaved(b)
	// 3. «Guardar y seguir».
	b.follow(`button[name="ir"][value="2"]`)
	if p := b.path(); p != "/examen/"+id+"?p=2" {
		t.Fatalf("«Guardar y seguir» led to %s", p)
	}
	b.wantText(".exam-counter", "Pregunta 2 de 2")
	wantChecked(b, nil)

	// 4. Back: question 1 again, as saved.
	b.do(chromedp.NavigateBack())
	if p := b.path(); p != "/examen/"+id+"?p=1" {
		t.Fatalf("Back led to %s, want question 1", p)
	}
	b.wantText(".exam-counter", "Pregunta 1 de 2")
	wantChecked(b, []int{0})
	if !eval[bool](b, `document.getElementById("revisar").checked`) {
		t.Error("after Back, question 1 lost its saved flag")
	}

	// Forward: question 2, with nothing of question 1 on it.
	b.do(chromedp.NavigateForward())
	if p := b.path(); p != "/examen/"+id+"?p=2" {
		t.Fatalf("Forward led to %s, want question 2", p)
	}
	b.wantText(".exam-counter", "Pregunta 2 de 2")
	wantChecked(b, nil)
	if eval[bool](b, `document.getElementById("revisar").checked`) {
		t.Error("after Forward, question 2 shows question 1's flag")
	}
	if got := eval[string](b, `document.querySelector('input[name="id_pregunta"]').value`); got == "" {
		t.Error("the answer form does not name its question")
	}

	// 5. Save question 2 as it stands (the last question: «Guardar y revisar»).
	b.follow(`button[name="ir"][value="entregar"]`)
	att, err := s.app.DB().Attempt(t.Context(), id, 0)
	if err != nil {
		t.Fatal(err)
	}
	if it := att.Items[1]; it.Answered() || it.Flagged {
		t.Errorf("question 2 holds what nobody gave it: answer %v, flagged %v", it.Answer, it.Flagged)
	}
	if it := att.Items[0]; !slices.Equal(it.Answer, []int{0}) || !it.Flagged {
		t.Errorf("question 1 = answer %v, flagged %v; want [0], flagged", it.Answer, it.Flagged)
	}
	b.checkConsole("examen tras Atrás y Adelante")

	// Leaving the exam asks first; from any page one click leads back.
	b.open("/examen/"+id+"?p=2", 200)
	if n := eval[int](b, `document.querySelectorAll('nav[aria-label="Principal"]').length`); n != 0 {
		t.Error("the exam page keeps the site menu")
	}
	b.follow(`a.leave-exam`)
	b.wantText("h1", "¿Salir del examen?")
	b.audit("salir del examen")
	b.follow(`main a[href="/"]`)
	b.wantText(".exam-banner", "Tienes un examen en curso", "Continuar")
	b.audit("inicio con examen en curso")
	b.screenshot("11-examen-en-curso", "")
	b.follow(`.exam-banner a`)
	if p := b.path(); !strings.HasPrefix(p, "/examen/"+id+"?p=") {
		t.Errorf("«Continuar» led to %s", p)
	}
	b.wantText(".exam-counter", fmt.Sprintf("de %d", len(att.Items)))
}
