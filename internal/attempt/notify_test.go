package attempt

import (
	"context"
	"errors"
	"html"
	"regexp"
	"strings"
	"testing"
	"time"

	"mxcert/internal/model"
	"mxcert/internal/store"
)

func (e *env) mailTo(t *testing.T, to string) []*model.Mail {
	t.Helper()
	ms, err := e.db.MailTo(context.Background(), to)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

// answerAll saves every item's answer: the key when right, another
// option when not.
func (e *env) answerAll(t *testing.T, a *model.Attempt, right bool) {
	t.Helper()
	for i, it := range a.Items {
		answer := it.Item.Key()
		if !right {
			answer = []int{(answer[0] + 1) % len(it.Item.Options)}
		}
		if _, err := e.svc.Save(context.Background(), e.user.ID, answerTo(a, i, answer, false, a.Seq+int64(i))); err != nil {
			t.Fatal(err)
		}
	}
}

var tags = regexp.MustCompile(`<[^>]*>`)

// wantNoQuestions fails if a message carries a question of the attempt or
// the text of one of its options.
func wantNoQuestions(t *testing.T, m *model.Mail, a *model.Attempt) {
	t.Helper()
	whole := m.Subject + m.Text + html.UnescapeString(m.HTML)
	for _, it := range a.Items {
		texts := []string{string(it.Item.Stem)}
		for _, o := range it.Item.Options {
			texts = append(texts, string(o.HTML))
		}
		for _, s := range texts {
			s = strings.TrimSpace(html.UnescapeString(tags.ReplaceAllString(s, "")))
			if len(s) >= 12 && strings.Contains(whole, s) {
				t.Errorf("the message carries exam text %q", s)
			}
		}
	}
}

// A pass queues one message, in the finalisation's transaction, with the
// result and the certificate; never the questions.
func TestPassQueuesOneMessage(t *testing.T) {
	e := newEnv(t, "../content/testdata/content", "ejemplo")
	a := e.start(t)
	e.answerAll(t, a, true)
	fin, err := e.svc.Finalize(context.Background(), e.user.ID, a.ID, model.FinishSubmitted)
	if err != nil || !fin.Passed() {
		t.Fatalf("finalize: %+v %v", fin, err)
	}
	ms := e.mailTo(t, e.user.Email)
	if len(ms) != 1 {
		t.Fatalf("%d messages for a pass, want 1", len(ms))
	}
	m := ms[0]
	for _, want := range []string{
		"Aprobaste", "T-" + a.ID, "https://certificacion.example/verificar/T-" + a.ID,
		"https://certificacion.example/certificados/cert-" + a.ID, "https://certificacion.example/examen/" + a.ID + "/resultado",
	} {
		if !strings.Contains(m.Subject+m.Text, want) {
			t.Errorf("the pass message lacks %q:\n%s\n%s", want, m.Subject, m.Text)
		}
	}
	if !strings.Contains(m.HTML, `href="https://certificacion.example/verificar/T-`+a.ID+`"`) {
		t.Errorf("the HTML part lacks the verification link:\n%s", m.HTML)
	}
	wantNoQuestions(t, m, fin)

	// Finalising again (a second tab) tells nobody twice.
	if _, err := e.svc.Finalize(context.Background(), e.user.ID, a.ID, model.FinishSubmitted); err != nil {
		t.Fatal(err)
	}
	if n := len(e.mailTo(t, e.user.Email)); n != 1 {
		t.Errorf("%d messages after a second submit, want 1", n)
	}
}

// A fail queues one message in the person's language with the score, when
// they may try again (the end of the cool-down) and the result page.
func TestFailQueuesOneMessageInTheirLanguage(t *testing.T) {
	e := newEnv(t, "../content/testdata/content", "ejemplo")
	if err := e.db.Transact(context.Background(), func(tx *store.Tx) error { return tx.SetLang(e.user.ID, model.LangEN) }); err != nil {
		t.Fatal(err)
	}
	a := e.start(t)
	e.answerAll(t, a, false)
	e.clock.Set(time.Date(2026, 12, 3, 20, 5, 0, 0, time.UTC))
	fin, err := e.svc.Finalize(context.Background(), e.user.ID, a.ID, model.FinishExpired)
	if err != nil || !fin.Failed() {
		t.Fatalf("finalize: %+v %v", fin, err)
	}
	ms := e.mailTo(t, e.user.Email)
	if len(ms) != 1 {
		t.Fatalf("%d messages for a fail, want 1", len(ms))
	}
	m := ms[0]
	for _, want := range []string{
		"You did not pass", "0 of 2 answers right", "from December 4, 2026, 8:05 PM",
		"https://certificacion.example/examen/" + a.ID + "/resultado",
	} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("the fail message lacks %q:\n%s", want, m.Text)
		}
	}
	if !strings.Contains(m.HTML, `<html lang="en">`) {
		t.Error("the HTML part is not in English")
	}
	if strings.Contains(m.Text, "certificado") || strings.Contains(m.Text, "verificar") {
		t.Errorf("a fail speaks of a certificate:\n%s", m.Text)
	}
	wantNoQuestions(t, m, fin)
}

// The message is part of the finalisation: when it rolls back (here the
// certificate cannot be issued), nothing is queued and the attempt stays
// open.
func TestRolledBackFinalisationQueuesNothing(t *testing.T) {
	e := newEnv(t, "../content/testdata/content", "ejemplo")
	a := e.start(t)
	e.answerAll(t, a, true)
	e.issuer.fail = errors.New("the signing key is unreadable")
	if _, err := e.svc.Finalize(context.Background(), e.user.ID, a.ID, model.FinishSubmitted); err == nil {
		t.Fatal("finalize succeeded without its certificate")
	}
	if ms := e.mailTo(t, e.user.Email); len(ms) != 0 {
		t.Errorf("a rolled-back finalisation queued %d messages: %s", len(ms), ms[0].Subject)
	}
	if got, _ := e.db.Attempt(context.Background(), a.ID, e.user.ID); !got.Open() {
		t.Errorf("the attempt is %s after the rollback", got.Status)
	}
}
