package web

import (
	"context"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"mxcert/internal/model"
)

// staffClient signs an administrator in; again signs them in anew, after
// the fake clock has moved past the session's idle limit.
func staffClient(t testing.TB, env *testEnv) (c *client, again func()) {
	t.Helper()
	secret, _ := newAdmin(t, env, "Admin Fundación", "admin@mxos.mx")
	c = env.client(t)
	c.ip = "192.0.2.200"
	c.loginAdmin("admin@mxos.mx", secret)
	return c, func() { c.loginAdmin("admin@mxos.mx", secret) }
}

// wrongOption is an option of item pos that is not in its key.
func wrongOption(a *model.Attempt, pos int) int {
	it := a.Items[pos].Item
	for i, o := range it.Options {
		if !o.Correct {
			return i
		}
	}
	return -1
}

func TestAttemptReviewIsStaffOnlyAndAudited(t *testing.T) {
	env := newEnv(t)
	staff := adminClient(t, env)
	cand := env.client(t)
	cand.register("José Ñúñez Peña", "jose@ejemplo.mx", goodPassword)
	a := startExam(t, env, cand, "ejemplo")
	env.clock.Advance(90 * time.Second)
	wrong := wrongOption(a, 0)
	wantStatus(t, cand.post("/examen/"+a.ID+"/respuesta", saveForm(a, 0, a.Seq, []int{wrong})), http.StatusSeeOther)
	env.clock.Advance(30 * time.Second)
	wantStatus(t, cand.post("/examen/"+a.ID+"/respuesta", saveForm(a, 1, a.Seq+1, nil, "revisar", "1")), http.StatusSeeOther)
	review := "/admin/intentos/" + a.ID

	// Neither a signed-out visitor nor the candidate (whose attempt it is)
	// sees it; neither leaves an entry.
	for who, c := range map[string]*client{"visitor": env.client(t), "candidate": cand} {
		rec := c.get(review)
		if rec.Code != http.StatusNotFound || strings.Contains(rec.Body.String(), "Consola") {
			t.Errorf("%s: review page status %d", who, rec.Code)
		}
	}
	if _, seen := auditActions(t, env)[model.ActionAttemptView]; seen {
		t.Fatal("a refused view was audited")
	}

	page := staff.get(review)
	wantStatus(t, page, http.StatusOK)
	first := a.Items[0].Item
	wantBody(t, page, "José Ñúñez Peña", "Certificación de Ejemplo", a.ContentVersion,
		"Pregunta 1 de 2", "Pregunta 2 de 2", string(first.Stem), "Respuesta guardada", "sin respuesta",
		"En curso", "le quedan 8 minutos", "1 de 2", "1 marcada para revisar", "marcada para revisar",
		// Started 12:00 in Mexico City; the answer saved 90 s later, to the second.
		"28 de noviembre de 2026, 12:00:00 h", "28 de noviembre de 2026, 12:01:30 h", "28 de noviembre de 2026, 12:10:00 h")
	body := page.Body.String()
	for _, o := range first.Options {
		if !strings.Contains(body, string(o.HTML)) {
			t.Errorf("option not rendered as served: %s", o.HTML)
		}
		if strings.Contains(body, template.HTMLEscapeString(string(o.HTML))) && strings.Contains(string(o.HTML), "<") {
			t.Errorf("option markup escaped: %s", o.HTML)
		}
	}
	// What the candidate chose, and the key, by letter.
	letter := string(rune('A' + wrong))
	var key []string
	for _, k := range first.Key() {
		key = append(key, string(rune('A'+k)))
	}
	wantBody(t, page, "<strong>"+letter+"</strong>", "<dd>"+strings.Join(key, ", ")+"</dd>", ">eligió<", ">clave<")
	wantBody(t, page, `href="/admin/intentos/`+a.ID+`/prorrogar"`, `href="/admin/intentos/`+a.ID+`/cancelar"`)

	e, ok := auditActions(t, env)[model.ActionAttemptView]
	if !ok || e.Subject != a.ID || e.ActorName != "Admin Fundación" {
		t.Fatalf("view audit entry = %+v", e)
	}

	// The candidate's page links to it and shows the running attempt.
	u, _ := env.svc.DB.UserByEmail(context.Background(), "jose@ejemplo.mx")
	wantBody(t, staff.get("/admin/candidatos/"+itoa(u.ID)), `href="/admin/intentos/`+a.ID+`"`, "Hora límite", "le quedan 8 minutos", "1 de 2")

	// Finished, the page shows the score and each verdict.
	wantStatus(t, cand.post("/examen/"+a.ID+"/entregar", nil), http.StatusSeeOther)
	wantBody(t, staff.get(review), "Reprobado", "lo entregó la persona", "0 de 2 correctas", "incorrecta")
}

func TestExtendARunningExam(t *testing.T) {
	env := newEnv(t)
	staff, _ := staffClient(t, env)
	cand := env.client(t)
	cand.register("Ana López", "ana@ejemplo.mx", goodPassword)
	a := startExam(t, env, cand, "ejemplo")
	extend := "/admin/intentos/" + a.ID + "/prorrogar"
	ctx := context.Background()

	wantBody(t, staff.get(extend), "Dar más tiempo a Ana López", `name="valor"`, "le quedan 10 min")
	for _, bad := range []string{"0", "121", "-5", "diez", ""} {
		rec := staff.post(extend, url.Values{"valor": {bad}})
		wantStatus(t, rec, http.StatusUnprocessableEntity)
		wantBody(t, rec, "entre 1 y 120")
	}
	rec := staff.post(extend, url.Values{"valor": {"15"}})
	wantStatus(t, rec, http.StatusSeeOther)
	if loc := rec.Header().Get("Location"); loc != "/admin/intentos/"+a.ID {
		t.Errorf("after extending, sent to %q", loc)
	}
	got := loadAttempt(t, env, cand, a.ID)
	if want := a.Deadline.Add(15 * time.Minute); !got.Deadline.Equal(want) || got.ExtendedMinutes != 15 || !got.Open() {
		t.Fatalf("deadline %v (extended %d), want %v", got.Deadline, got.ExtendedMinutes, want)
	}
	e := auditActions(t, env)[model.ActionAttemptExtend]
	if e.Subject != a.ID || e.Detail["minutes"] != float64(15) ||
		e.Detail["before"] != a.Deadline.UTC().Format(time.RFC3339) || e.Detail["after"] != got.Deadline.UTC().Format(time.RFC3339) {
		t.Errorf("extend audit entry = %+v", e)
	}
	wantBody(t, staff.get("/admin/intentos/"+a.ID), "prorrogado 15 minutos", "le quedan 25 minutos")

	// The candidate's page reads the new deadline.
	wantBody(t, cand.get("/examen/"+a.ID+"?p=1"), "Tiempo restante: 25 min", `data-deadline="`+got.Deadline.UTC().Format(time.RFC3339)+`"`)

	// Past the old deadline the sweeper leaves it open, and saves count.
	env.clock.Advance(10*time.Minute + time.Second)
	if n, err := env.svc.Attempts.Sweep(ctx); err != nil || n != 0 {
		t.Fatalf("sweep past the old deadline finalised %d, %v", n, err)
	}
	if got := loadAttempt(t, env, cand, a.ID); !got.Open() {
		t.Fatalf("finalised at the old deadline: %s %s", got.Status, got.FinishReason)
	}
	wantStatus(t, cand.post("/examen/"+a.ID+"/respuesta", saveForm(a, 0, a.Seq, a.Items[0].Item.Key())), http.StatusSeeOther)
	if got := loadAttempt(t, env, cand, a.ID); !got.Items[0].Answered() {
		t.Fatal("a save between the old and the new deadline was not kept")
	}

	// Past the new one, the sweeper scores it.
	env.clock.Advance(15 * time.Minute)
	if n, err := env.svc.Attempts.Sweep(ctx); err != nil || n != 1 {
		t.Fatalf("sweep past the new deadline finalised %d, %v", n, err)
	}
	got = loadAttempt(t, env, cand, a.ID)
	if got.Open() || got.FinishReason != model.FinishExpired || got.Score != 1 {
		t.Fatalf("after the new deadline: %s %s score %d", got.Status, got.FinishReason, got.Score)
	}
	// A finished exam cannot be extended.
	// The action is in the re-check group: a session checked long ago
	// types the password again first.
	if loc := staff.get(extend).Header().Get("Location"); loc != "/admin/confirmar?siguiente="+url.QueryEscape(extend) {
		t.Fatalf("an old session was not asked to re-check, sent to %q", loc)
	}
	wantStatus(t, staff.post("/admin/confirmar", url.Values{"metodo": {"contrasena"}, "password": {goodPassword}, "siguiente": {extend}}), http.StatusSeeOther)
	wantStatus(t, staff.get(extend), http.StatusConflict)
	wantStatus(t, staff.post(extend, url.Values{"valor": {"15"}}), http.StatusConflict)
}

func TestCancelARunningExam(t *testing.T) {
	env := newEnv(t)
	staff, again := staffClient(t, env)
	cand := env.client(t)
	cand.register("Ana López", "ana@ejemplo.mx", goodPassword)
	a := startExam(t, env, cand, "ejemplo")
	wantStatus(t, cand.post("/examen/"+a.ID+"/respuesta", saveForm(a, 0, a.Seq, a.Items[0].Item.Key())), http.StatusSeeOther)
	cancel := "/admin/intentos/" + a.ID + "/cancelar"

	wantBody(t, staff.get(cancel), "Cancelar el examen de Ana López", `name="motivo"`, "No cuenta como reprobado")
	wantStatus(t, staff.post(cancel, url.Values{"motivo": {"  "}}), http.StatusUnprocessableEntity)
	if got := loadAttempt(t, env, cand, a.ID); !got.Open() {
		t.Fatal("a refused cancellation ended the exam")
	}
	reason := "Se fue la luz en la sede durante el examen."
	wantStatus(t, staff.post(cancel, url.Values{"motivo": {reason}}), http.StatusSeeOther)

	got := loadAttempt(t, env, cand, a.ID)
	if got.Status != model.AttemptCancelled || got.FinishReason != model.FinishCancelled || got.CancelReason != reason || got.FinishedAt == nil {
		t.Fatalf("after cancelling: %+v", got)
	}
	if _, err := env.svc.DB.CertificateByAttempt(context.Background(), a.ID); err == nil {
		t.Error("a cancelled attempt has a certificate")
	}
	e := auditActions(t, env)[model.ActionAttemptCancel]
	if e.Subject != a.ID || e.Detail["reason"] != reason || e.Detail["before"] != "in_progress" || e.Detail["after"] != "cancelled" {
		t.Errorf("cancel audit entry = %+v", e)
	}

	// The candidate's result page says who cancelled it and why, and no score.
	res := cand.get("/examen/" + a.ID + "/resultado")
	wantStatus(t, res, http.StatusOK)
	wantBody(t, res, "La Fundación canceló este examen", reason, "No cuenta como reprobado")
	if strings.Contains(res.Body.String(), "de 2 correctas") {
		t.Error("the result page of a cancelled exam shows a score")
	}
	// Saves are refused; the sweeper leaves it alone.
	env.clock.Advance(time.Minute)
	wantStatus(t, cand.post("/examen/"+a.ID+"/respuesta", saveForm(a, 1, a.Seq+1, a.Items[1].Item.Key())), http.StatusSeeOther)
	env.clock.Advance(time.Hour)
	if n, err := env.svc.Attempts.Sweep(context.Background()); err != nil || n != 0 {
		t.Errorf("sweep after a cancellation: %d, %v", n, err)
	}
	if got := loadAttempt(t, env, cand, a.ID); got.Status != model.AttemptCancelled || got.Items[1].Answered() {
		t.Errorf("after a late save and a sweep: %s, item 2 %+v", got.Status, got.Items[1])
	}

	// A cancellation by the foundation starts no cool-down.
	wantStatus(t, cand.login("ana@ejemplo.mx", goodPassword), http.StatusSeeOther) // the session idled out meanwhile
	if b := startExam(t, env, cand, "ejemplo"); b.ID == a.ID {
		t.Fatal("the retake reused the cancelled attempt")
	}
	again()
	u, _ := env.svc.DB.UserByEmail(context.Background(), "ana@ejemplo.mx")
	wantBody(t, staff.get("/admin/candidatos/"+itoa(u.ID)), "Cancelado por la Fundación", reason, "no cuenta como reprobado")
	wantBody(t, staff.get("/admin/intentos/"+a.ID), "lo canceló la Fundación", reason)
	// A cancelled exam cannot be cancelled again.
	wantStatus(t, staff.post(cancel, url.Values{"motivo": {reason}}), http.StatusConflict)
}

func TestNotesOnACandidate(t *testing.T) {
	env := newEnv(t)
	staff, again := staffClient(t, env)
	cand := env.client(t)
	cand.register("Ana López", "ana@ejemplo.mx", goodPassword)
	u, _ := env.svc.DB.UserByEmail(context.Background(), "ana@ejemplo.mx")
	page := "/admin/candidatos/" + itoa(u.ID)
	notes := page + "/notas"

	wantBody(t, staff.get(page), "Notas de la Fundación", "Todavía no hay notas.", `action="`+notes+`"`)
	rec := staff.post(notes, url.Values{"nota": {"   "}})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	wantBody(t, rec, "Escribe la nota", `aria-describedby="nota-hint nota-error"`)
	wantStatus(t, staff.post(notes, url.Values{"nota": {strings.Repeat("a", 2001)}}), http.StatusUnprocessableEntity)

	wantStatus(t, staff.post(notes, url.Values{"nota": {"Llamó: dice que se le cerró el navegador."}}), http.StatusSeeOther)
	env.clock.Advance(2 * time.Hour)
	again()
	rec = staff.post(notes, url.Values{"nota": {"Segunda llamada <b>resuelta</b>."}})
	wantStatus(t, rec, http.StatusSeeOther)
	if loc := rec.Header().Get("Location"); loc != page+"#notas" {
		t.Errorf("after a note, sent to %q", loc)
	}
	body := staff.get(page).Body.String()
	second, first := strings.Index(body, "Segunda llamada"), strings.Index(body, "Llamó: dice")
	if second < 0 || first < 0 || second > first {
		t.Errorf("notes not listed newest first (%d, %d)", second, first)
	}
	wantBody(t, staff.get(page), "Admin Fundación", "28 de noviembre de 2026, 14:00 h", "&lt;b&gt;resuelta&lt;/b&gt;")
	e := auditActions(t, env)[model.ActionCandidateNote]
	if e.Subject != "ana@ejemplo.mx" || e.Detail["candidate"] != float64(u.ID) {
		t.Errorf("note audit entry = %+v", e)
	}
	// The candidate never sees or writes them.
	wantStatus(t, cand.post(notes, url.Values{"nota": {"hola"}}), http.StatusNotFound)
	if strings.Contains(cand.get("/cuenta").Body.String(), "Llamó") {
		t.Error("the candidate sees a staff note")
	}
}
