package e2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"mxcert/internal/model"
)

// TestTimeRunsOut takes the short track's exam, answers one question and
// lets the countdown reach zero: the page hands the attempt in by itself,
// the saved answer is scored, the attempt fails (the pass mark is 100 %)
// and the exam page then shows the cool-down.
func TestTimeRunsOut(t *testing.T) {
	s := requireEnv(t)
	t.Parallel()
	started := time.Now()
	b := newTab(t, s, phoneWidth, phoneHeight, true)
	id := startAsNewCandidate(b, "Mateo Ramírez Olvera", "mateo", quickTrackID)
	att, err := s.app.DB().Attempt(t.Context(), id, 0)
	if err != nil {
		t.Fatalf("attempt %q: %v", id, err)
	}
	if left := time.Until(att.Deadline); left < quickSeconds*time.Second/2 {
		t.Fatalf("only %s of the %d-second exam left when its page loaded: this machine is too slow for the test", left, quickSeconds)
	}
	key := att.Items[0].Item.Key()
	for _, k := range key {
		b.do(chromedp.Click(chromedp.ID(fmt.Sprintf("opcion-%d", k))))
	}
	waitSaved(b)

	// Nobody touches the page now: at zero it hands the attempt in and
	// lands on the result.
	left := time.Until(att.Deadline)
	b.waitFor("the result page after the time ran out", `location.pathname === "/examen/`+id+`/resultado"`, left+15*time.Second)
	if early := time.Until(att.Deadline); early > 0 {
		t.Errorf("the page handed the attempt in %s before the deadline", early)
	}
	b.wantText("h1", "Esta vez no aprobaste")
	b.wantText(".score", "1 de 2 correctas", "entregado al terminar el tiempo")
	att, err = s.app.DB().Attempt(t.Context(), id, 0)
	if err != nil {
		t.Fatal(err)
	}
	if att.Status != model.AttemptFailed || att.FinishReason != "expired" || att.Score != 1 {
		t.Errorf("attempt after the time ran out: status %s, reason %q, score %d", att.Status, att.FinishReason, att.Score)
	}
	b.checkConsole("examen al terminar el tiempo")
	b.audit("resultado: no aprobado")
	b.screenshot("09-resultado-no-aprobado", "")

	b.open("/certificaciones/"+quickTrackID+"/examen", 200)
	b.wantText("main", "Podrás volver a presentar el examen a partir del")
	b.audit("examen en espera")
	b.screenshot("10-espera", "")
	t.Logf("the timer test took %s (the exam lasts %d s)", time.Since(started).Round(time.Millisecond), quickSeconds)
}
