package web

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"mxcert/internal/admin"
	"mxcert/internal/model"
)

func adminClient(t testing.TB, env *testEnv) *client {
	t.Helper()
	secret, _ := newAdmin(t, env, "Admin Fundación", "admin@mxos.mx")
	a := env.client(t)
	a.ip = "192.0.2.200"
	a.loginAdmin("admin@mxos.mx", secret)
	return a
}

// Every admin route, with every method it has, is a 404 to a visitor and
// to a candidate: the console does not reveal that it exists.
func TestAdminRoutesRefusedToOthers(t *testing.T) {
	env := newEnv(t)
	visitor := env.client(t)
	candidate := env.client(t)
	candidate.register("Ana López", "ana@ejemplo.mx", goodPassword)
	var admin []gin.RouteInfo
	for _, r := range env.srv.engine.Routes() {
		if strings.HasPrefix(r.Path, "/admin") {
			admin = append(admin, r)
		}
	}
	if len(admin) < 15 {
		t.Fatalf("only %d admin routes", len(admin))
	}
	for _, r := range admin {
		target := strings.NewReplacer(":id", "1").Replace(r.Path)
		for who, c := range map[string]*client{"visitor": visitor, "candidate": candidate} {
			rec := c.do(r.Method, target, strings.NewReader("motivo=x&valor=5"), "application/x-www-form-urlencoded")
			if rec.Code != http.StatusNotFound {
				t.Errorf("%s %s as %s = %d, want 404", r.Method, target, who, rec.Code)
			}
			if strings.Contains(rec.Body.String(), "Consola") {
				t.Errorf("%s %s as %s shows the console", r.Method, target, who)
			}
		}
	}
}

func auditActions(t testing.TB, env *testEnv) map[model.Action]model.AuditEntry {
	t.Helper()
	var entries []model.AuditEntry
	for q := (admin.AuditQuery{}); ; {
		page, err := env.svc.Admin.Audit(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		entries = append(entries, page.Entries...)
		if page.Next == 0 {
			break
		}
		q.Before = page.Next
	}
	out := map[model.Action]model.AuditEntry{}
	for _, e := range entries {
		if _, seen := out[e.Action]; !seen {
			out[e.Action] = e // the newest of each action
		}
	}
	return out
}

func TestAdminActionsConfirmAndAudit(t *testing.T) {
	env := newEnv(t)
	admin := adminClient(t, env)
	cand := env.client(t)
	cand.register("Jose Nunez", "jose@ejemplo.mx", goodPassword)
	cert := passExam(t, env, cand)
	u, _ := env.svc.DB.UserByEmail(context.Background(), "jose@ejemplo.mx")
	base := "/admin/candidatos/" + itoa(u.ID)

	// The dashboard, search and candidate page.
	wantBody(t, admin.get("/admin"), "Consola de la Fundación", "intentos aprobados", "aprobación por persona", `<svg class="chart"`, `<figure class="hbars"`, "Ver los datos en tabla")
	wantBody(t, admin.get("/admin/candidatos?q=NUNEZ"), "Jose Nunez", "jose@ejemplo.mx")
	wantBody(t, admin.get("/admin/candidatos?q="+strings.ToLower(strings.ReplaceAll(cert.Code, "-", ""))), "Jose Nunez")
	wantBody(t, admin.get("/admin/candidatos?q=nadie"), "No hay cuentas que coincidan")
	wantBody(t, admin.get(base), "Jose Nunez", cert.Code, "2 de 2 correctas", "El arranque del equipo")

	// Accommodation: a confirmation page, then the change.
	wantBody(t, admin.get(base+"/tiempo-adicional"), "Tiempo adicional para Jose Nunez", `name="valor"`)
	wantStatus(t, admin.post(base+"/tiempo-adicional", url.Values{"valor": {"-5"}}), http.StatusUnprocessableEntity)
	wantStatus(t, admin.post(base+"/tiempo-adicional", url.Values{"valor": {"30"}}), http.StatusSeeOther)
	wantBody(t, admin.get(base), "Jose Nunez tiene ahora 30 minutos adicionales")
	if got, _ := env.svc.DB.UserByID(context.Background(), u.ID); got.ExtraMinutes != 30 {
		t.Errorf("extra minutes = %d", got.ExtraMinutes)
	}

	// Name correction re-issues and supersedes.
	wantBody(t, admin.get(base+"/nombre"), "Corregir el nombre de Jose Nunez")
	wantStatus(t, admin.post(base+"/nombre", url.Values{"valor": {"José Núñez"}}), http.StatusSeeOther)
	wantBody(t, admin.get(base), "el nombre «Jose Nunez» se corrigió a «José Núñez» y se volvió a emitir 1 certificado")
	wantBody(t, admin.get("/admin/candidatos?q=nunez"), "José Núñez") // the new spelling, found without its accents
	old, _ := env.svc.DB.CertificateByID(context.Background(), cert.ID)
	if old.Status != model.CertSuperseded || old.ReplacedBy == "" {
		t.Fatalf("old certificate after the correction: %+v", old)
	}
	fresh, _ := env.svc.DB.CertificateByID(context.Background(), old.ReplacedBy)
	if fresh.HolderName != "José Núñez" || fresh.Status != model.CertValid || fresh.Code == old.Code || fresh.AttemptID != old.AttemptID {
		t.Errorf("new certificate: %+v", fresh)
	}
	employer := env.client(t)
	wantBody(t, employer.get("/verificar/"+old.Code), "Certificado reemplazado", `href="/verificar/`+fresh.Code+`"`)
	wantBody(t, employer.get("/api/v1/certificates/"+old.Code), `"status":"superseded"`, `"replaced_by":"`+fresh.ID+`"`)
	wantBody(t, employer.get("/verificar/"+fresh.Code), "Certificado válido", "José Núñez")
	if got, _ := env.svc.DB.UserByID(context.Background(), u.ID); got.Name != "José Núñez" {
		t.Errorf("account name = %q", got.Name)
	}
	wantStatus(t, admin.post(base+"/nombre", url.Values{"valor": {"José Núñez"}}), http.StatusUnprocessableEntity) // no change

	// Revoke needs a reason; then reinstate.
	certPath := "/admin/certificados/" + fresh.ID
	wantBody(t, admin.get(certPath), "Certificado válido", "Revocar")
	wantBody(t, admin.get(certPath+"/revocar"), `id="motivo"`)
	wantStatus(t, admin.post(certPath+"/revocar", url.Values{"motivo": {"  "}}), http.StatusUnprocessableEntity)
	wantStatus(t, admin.post(certPath+"/revocar", url.Values{"motivo": {"Suplantación comprobada"}}), http.StatusSeeOther)
	wantBody(t, admin.get(certPath), "se revocó el certificado "+fresh.Code+" de José Núñez")
	wantBody(t, employer.get("/verificar/"+fresh.Code), "Certificado revocado", "Suplantación comprobada")
	wantStatus(t, admin.post(certPath+"/restablecer", nil), http.StatusSeeOther)
	wantBody(t, admin.get(certPath), "se restableció el certificado "+fresh.Code+" de José Núñez")
	wantBody(t, employer.get("/verificar/"+fresh.Code), "Certificado válido")

	// A fail's cool-down, lifted.
	other := env.client(t)
	other.ip = "198.51.100.30"
	other.register("Luis Pérez", "luis@ejemplo.mx", goodPassword)
	a := startExam(t, env, other, "ejemplo")
	other.post("/examen/"+a.ID+"/entregar", nil)
	wantBody(t, other.get("/certificaciones/ejemplo/examen"), "Podrás volver a presentar")
	wantBody(t, admin.get("/admin/intentos/"+a.ID+"/liberar-espera"), "Permitir que Luis Pérez reintente ya")
	wantStatus(t, admin.post("/admin/intentos/"+a.ID+"/liberar-espera", nil), http.StatusSeeOther)
	wantBody(t, admin.get("/admin"), "se levantó la espera de Luis Pérez")
	wantBody(t, other.get("/certificaciones/ejemplo/examen"), "Empezar el examen")
	wantStatus(t, admin.get("/admin/intentos/no-existe/liberar-espera"), http.StatusNotFound)

	// Content reload from the console.
	wantBody(t, admin.get("/admin/contenido/recargar"), "Recargar el contenido")
	wantStatus(t, admin.post("/admin/contenido/recargar", nil), http.StatusSeeOther)

	// Every action is in the audit log, by whom, with before and after.
	actions := auditActions(t, env)
	for action, check := range map[model.Action]func(model.AuditEntry) bool{
		"user.accommodation": func(e model.AuditEntry) bool {
			return e.Detail["before_minutes"] == 0.0 && e.Detail["after_minutes"] == 30.0
		},
		"user.name_correct": func(e model.AuditEntry) bool {
			return e.Detail["before"] == "Jose Nunez" && e.Detail["after"] == "José Núñez"
		},
		"certificate.revoke": func(e model.AuditEntry) bool {
			return e.Detail["reason"] == "Suplantación comprobada" && e.Detail["before"] == "valid"
		},
		"certificate.reinstate":  func(e model.AuditEntry) bool { return e.Detail["after"] == "valid" },
		"attempt.cooldown_waive": func(e model.AuditEntry) bool { return e.Subject == a.ID && e.Detail["after"] == true },
	} {
		e, ok := actions[action]
		if !ok {
			t.Errorf("no audit entry for %s", action)
			continue
		}
		if e.ActorName != "Admin Fundación" || !check(e) {
			t.Errorf("%s entry: %+v", action, e)
		}
	}
	page := admin.get("/admin/bitacora?accion=certificate.revoke")
	wantBody(t, page, "<td>Certificado revocado</td>", "Suplantación comprobada", "Admin Fundación")
	if strings.Contains(page.Body.String(), "<td>Tiempo adicional cambiado</td>") {
		t.Error("the action filter lets other actions through")
	}
	wantBody(t, admin.get("/admin/bitacora?persona=luis"), "<td>Cuenta creada</td>", "Luis Pérez")
	wantBody(t, admin.get("/admin/bitacora?persona="+a.ID), "<td>Espera para reintentar liberada</td>", `href="/admin/intentos/`+a.ID+`"`)
}

func TestItemAnalysisPageAndCSV(t *testing.T) {
	env := newEnv(t)
	admin := adminClient(t, env)
	c := env.client(t)
	c.register("Ana López", "ana@ejemplo.mx", goodPassword)
	passExam(t, env, c)
	page := admin.get("/admin/preguntas?orden=facilidad&dir=desc")
	wantStatus(t, page, http.StatusOK)
	wantBody(t, page, "Calculado con 1 exámenes terminados", "ejemplo/questions/", `aria-sort="descending"`, "1 de 30 respuestas", `100 %<br><span class="band band-very_easy">muy fácil</span>`)
	// The exam served two of the bank's questions: each to the one attempt.
	page = admin.get("/admin/preguntas?orden=exposicion&dir=desc")
	wantBody(t, page, "de los 1 exámenes iniciados", `aria-sort="descending"><a href="/admin/preguntas?certificacion=ejemplo&amp;orden=exposicion&amp;dir=asc">Exposición</a>`, "100 %<br><span class=\"meta\">1 de 1</span>", "0 %<br><span class=\"meta\">0 de 1</span>")
	rec := admin.get("/admin/preguntas?formato=csv")
	wantStatus(t, rec, http.StatusOK)
	if !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/csv") {
		t.Errorf("content type %q", rec.Header().Get("Content-Type"))
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(rec.Body.String(), "\uFEFF"))).ReadAll()
	if err != nil || len(rows) != 7 || rows[0][0] != "pregunta" {
		t.Fatalf("items CSV: %d rows, %v", len(rows), err)
	}
}

func TestCSVExportsNeutraliseFormulas(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"formula", "=1+2", "'=1+2"},
		{"plus", "+52 55", "'+52 55"},
		{"minus", "-3", "'-3"},
		{"at sign", "@SUM(A1)", "'@SUM(A1)"},
		{"tab first", "\t=x", "'\t=x"},
		{"carriage return first", "\r=x", "'\r=x"},
		{"a name", "José", "José"},
		{"empty", "", ""},
		{"equals inside", "a=b", "a=b"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := csvSafe(tc.in); got != tc.want {
				t.Errorf("csvSafe(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
	env := newEnv(t)
	admin := adminClient(t, env)
	c := env.client(t)
	c.register("Ana López", "=1+2@ejemplo.mx", goodPassword)
	passExam(t, env, c)
	for _, path := range []string{"/admin/exportar/intentos.csv", "/admin/exportar/certificados.csv"} {
		rec := admin.get(path)
		wantStatus(t, rec, http.StatusOK)
		rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(rec.Body.String(), "\uFEFF"))).ReadAll()
		if err != nil || len(rows) < 2 {
			t.Fatalf("%s: %v %v", path, rows, err)
		}
		for _, row := range rows[1:] {
			for _, cell := range row {
				if cell != "" && strings.ContainsRune("=+-@", rune(cell[0])) {
					t.Errorf("%s: cell %q would run as a formula", path, cell)
				}
			}
		}
	}
	wantBody(t, admin.get("/admin/exportar/intentos.csv"), "'=1+2@ejemplo.mx")
}
