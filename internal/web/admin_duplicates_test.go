package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"mxcert/internal/account"
	"mxcert/internal/model"
)

// registerAt registers a candidate from its own address (registrations
// are limited per address) and returns the signed-in client and account.
func registerAt(t *testing.T, env *testEnv, ip, name, email string) (*client, *model.User) {
	t.Helper()
	c := env.client(t)
	c.ip = ip
	c.register(name, email, goodPassword)
	u, err := env.svc.DB.UserByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	return c, u
}

func mergePath(keep, closed *model.User) string {
	return "/admin/unir?conservar=" + itoa(keep.ID) + "&cerrar=" + itoa(closed.ID)
}

// A person who failed on account B an hour ago and was joined into
// account A cannot start on A; B cannot sign in; the console found the
// pair, asked, and wrote it down.
func TestDuplicatesReportAndMerge(t *testing.T) {
	env := newEnv(t)
	a, ua := registerAt(t, env, "198.51.100.1", "Luis Pérez", "luis@ejemplo.mx")
	b, ub := registerAt(t, env, "198.51.100.2", "luis  perez", "luis+otro@ejemplo.mx")
	registerAt(t, env, "198.51.100.3", "María Gómez", "maria@ejemplo.mx")
	registerAt(t, env, "198.51.100.4", "Luis Pérez Soto", "lperez@ejemplo.mx")
	attempt := startExam(t, env, b, "ejemplo")
	wantStatus(t, b.post("/examen/"+attempt.ID+"/entregar", nil), http.StatusSeeOther)
	env.clock.Advance(time.Hour)
	adm := adminClient(t, env)

	report := adm.get("/admin/duplicados")
	wantStatus(t, report, http.StatusOK)
	wantBody(t, report, "Posibles duplicados", `aria-current="page">Duplicados`, "1 grupo · página 1 de 1", "luis@ejemplo.mx", "luis&#43;otro@ejemplo.mx",
		`href="/admin/candidatos/`+itoa(ua.ID)+`"`, `href="/admin/candidatos/`+itoa(ub.ID)+`"`,
		"mismo nombre y estado", "correos equivalentes", "0 aprobados, 1 reprobados, 0 en curso", "0 vigentes de 0",
		`name="conservar" value="`+itoa(ua.ID)+`" checked`, `name="cerrar" value="`+itoa(ub.ID)+`" checked`)
	for _, other := range []string{"maria@ejemplo.mx", "lperez@ejemplo.mx"} {
		if strings.Contains(report.Body.String(), other) {
			t.Errorf("the report lists %s", other)
		}
	}

	confirm := adm.get(mergePath(ua, ub))
	wantStatus(t, confirm, http.StatusOK)
	wantBody(t, confirm, "Unir dos cuentas de una persona", "Se conserva la cuenta de Luis Pérez", `<form method="post" action="/admin/unir?conservar=`, "Unir las cuentas")
	wantLocation(t, adm.post(mergePath(ua, ub), nil), "/admin/candidatos/"+itoa(ua.ID))

	// The cool-down of B's fail holds on A.
	wantBody(t, a.get("/certificaciones/ejemplo/examen"), "Podrás volver a presentar")
	if rec := a.post("/certificaciones/ejemplo/examen", url.Values{"confirmo": {"1"}, "nombre": {"Luis Pérez"}}); rec.Code == http.StatusSeeOther {
		t.Fatalf("A started an exam during B's cool-down: %s", rec.Header().Get("Location"))
	}
	// B's session ended, and B no longer signs in; a wrong password still
	// gets the usual answer.
	if rec := b.get("/cuenta"); rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/entrar") {
		t.Errorf("B's old session: %d %s", rec.Code, rec.Header().Get("Location"))
	}
	fresh := env.client(t)
	fresh.ip = "198.51.100.9"
	rec := fresh.login("luis+otro@ejemplo.mx", goodPassword)
	wantStatus(t, rec, http.StatusForbidden)
	wantBody(t, rec, "Esta cuenta se unió con otra cuenta tuya")
	if _, ok := fresh.cookies[sessionCookie]; ok {
		t.Error("the closed account got a session")
	}
	rec = fresh.login("luis+otro@ejemplo.mx", "no es la contraseña")
	wantStatus(t, rec, http.StatusUnauthorized)
	wantBody(t, rec, "El correo o la contraseña no son correctos")
	// Its address does not register a separate person.
	again := env.client(t)
	again.ip = "198.51.100.10"
	again.post("/registro", url.Values{"name": {"Luis Pérez"}, "email": {"luis+otro@ejemplo.mx"}, "password": {goodPassword}, "state": {"Oaxaca"}})
	if u, _ := env.svc.DB.UserByEmail(context.Background(), "luis+otro@ejemplo.mx"); u.ID != ub.ID || !u.Closed() {
		t.Errorf("the closed address belongs to %+v", u)
	}

	// The console shows what happened; the pair is no longer a duplicate.
	wantBody(t, adm.get("/admin/candidatos/"+itoa(ub.ID)), "Cuenta cerrada el", `href="/admin/candidatos/`+itoa(ua.ID)+`"`)
	wantBody(t, adm.get("/admin/candidatos/"+itoa(ua.ID)), "Reprobado")
	wantBody(t, adm.get("/admin/duplicados"), "No hay cuentas que parezcan de la misma persona")
	entry, ok := auditActions(t, env)[model.ActionUserMerge]
	if !ok || entry.ActorName != "Admin Fundación" || entry.Subject != "luis+otro@ejemplo.mx" || entry.Detail["after"].(map[string]any)["merged_into"] != float64(ua.ID) {
		t.Errorf("merge audit entry %+v", entry)
	}

	// Joining the closed account again is refused, in Spanish.
	rec = adm.post(mergePath(ua, ub), nil)
	wantStatus(t, rec, http.StatusConflict)
	wantBody(t, rec, "Una de las cuentas ya está cerrada")

	// The merge needs a password or code typed in the last minutes.
	env.clock.Advance(account.RecheckWithin + time.Second)
	_, uc := registerAt(t, env, "198.51.100.11", "Luis Pérez", "luis.perez@ejemplo.mx")
	want := "/admin/confirmar?siguiente=" + url.QueryEscape(mergePath(ua, uc))
	wantLocation(t, adm.get(mergePath(ua, uc)), want)
	wantLocation(t, adm.post(mergePath(ua, uc), nil), want)
	if u, _ := env.svc.DB.UserByID(context.Background(), uc.ID); u.Closed() {
		t.Error("a stale console session joined accounts")
	}
}

// Two valid certificates of one certification cannot end on one person:
// the console says to revoke one first, and changes nothing.
func TestMergeRefusedWithTwoValidCertificates(t *testing.T) {
	env := newEnv(t)
	a, ua := registerAt(t, env, "198.51.100.1", "Eva Ruiz", "eva@ejemplo.mx")
	b, ub := registerAt(t, env, "198.51.100.2", "Eva Ruiz", "eva+2@ejemplo.mx")
	passExam(t, env, a)
	passExam(t, env, b)
	adm := adminClient(t, env)
	wantBody(t, adm.get("/admin/duplicados"), "1 vigentes de 1")
	page := adm.get(mergePath(ua, ub))
	wantStatus(t, page, http.StatusOK)
	wantBody(t, page, "Revoca primero uno de ellos")
	if strings.Contains(page.Body.String(), `action="/admin/unir`) {
		t.Error("the confirmation offers a merge that would be refused")
	}
	rec := adm.post(mergePath(ua, ub), nil)
	wantStatus(t, rec, http.StatusConflict)
	wantBody(t, rec, "una persona solo puede tener uno")
	if u, _ := env.svc.DB.UserByID(context.Background(), ub.ID); u.Closed() {
		t.Error("a refused merge closed the account")
	}
	wantStatus(t, adm.get("/admin/unir?conservar=x&cerrar=1"), http.StatusNotFound)
	wantStatus(t, adm.get("/admin/unir?conservar="+itoa(ua.ID)+"&cerrar=99999"), http.StatusNotFound)
	rec = adm.get(mergePath(ua, ua))
	wantStatus(t, rec, http.StatusBadRequest)
	wantBody(t, rec, "Elige dos cuentas distintas")
}
