package web

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"mxcert/internal/account"
	"mxcert/internal/model"
)

// The candidate list through the router: accents and capitals never
// decide, the filters and the order travel in the page links, and a page
// says how many it found.
func TestAdminSearchPage(t *testing.T) {
	env := newEnv(t)
	admin := adminClient(t, env)
	for i, p := range []struct{ name, email, state string }{
		{"José Ñúñez", "jose@ejemplo.mx", "Ciudad de México"},
		{"María Ramírez", "maria@ejemplo.mx", "Nuevo León"},
		{"Pedro Ávila", "pedro@ejemplo.mx", "Yucatán"},
	} {
		if _, err := env.svc.Accounts.CreateUser(context.Background(), account.Registration{Name: p.name, Email: p.email, Password: goodPassword, State: p.state}, model.RoleCandidate); err != nil {
			t.Fatalf("person %d: %v", i, err)
		}
	}
	for q, want := range map[string]string{"nunez": "José Ñúñez", "ÑÚÑEZ": "José Ñúñez", "ramirez": "María Ramírez", "avila": "Pedro Ávila", "yucatan pedro": "Pedro Ávila"} {
		rec := admin.get("/admin/candidatos?q=" + url.QueryEscape(q))
		wantBody(t, rec, want, "1 cuenta encontrada")
	}
	wantBody(t, admin.get("/admin/candidatos?q=nadie"), "No hay cuentas que coincidan con «nadie»")
	wantBody(t, admin.get("/admin/candidatos?estado=Yucat%C3%A1n&orden=nombre"), "Pedro Ávila", "<option selected>Yucatán</option>", `<option value="nombre" selected>`)
	wantBody(t, admin.get("/admin/candidatos?situacion=en-curso"), "Ninguna cuenta cumple esos filtros.")
	// Unknown filter values are dropped, not errors.
	wantStatus(t, admin.get("/admin/candidatos?situacion=todo&estado=Marte&desde=ayer&orden=x&pagina=-3"), http.StatusOK)

	// 30 more in one state: two pages, and the second keeps the filter.
	for i := range 30 {
		r := account.Registration{Name: fmt.Sprintf("Persona %c%c", 'A'+i/26, 'a'+i%26), Email: fmt.Sprintf("p%02d@ejemplo.mx", i), Password: goodPassword, State: "Sonora"}
		if _, err := env.svc.Accounts.CreateUser(context.Background(), r, model.RoleCandidate); err != nil {
			t.Fatal(err)
		}
	}
	first := admin.get("/admin/candidatos?estado=Sonora&orden=nombre")
	wantBody(t, first, "30 cuentas encontradas", "página 1 de 2", `href="/admin/candidatos?estado=Sonora&amp;orden=nombre&amp;pagina=2"`, "Persona Ay")
	if strings.Contains(first.Body.String(), "Persona Az") {
		t.Error("page 1 shows the 26th person")
	}
	wantBody(t, admin.get("/admin/candidatos?estado=Sonora&orden=nombre&pagina=2"), "página 2 de 2", "Persona Bd", `rel="prev"`)
}

// A notice that says what changed is signed: a cookie made or altered by
// hand shows nothing.
func TestSignedNoticesCannotBeForged(t *testing.T) {
	env := newEnv(t)
	admin := adminClient(t, env)
	payload := base64.RawURLEncoding.EncodeToString([]byte(`["flash.cert_revoked","Code","SB-FALSO","Name","<b>Nadie</b>"]`))
	for _, forged := range []string{
		"flash.cert_revoked",                // a notice with values, unsigned
		payload,                             // no signature
		payload + ".AAAAAAAAAAAAAAAAAAAAAA", // a wrong signature
	} {
		admin.cookies[flashCookie] = &http.Cookie{Name: flashCookie, Value: forged}
		rec := admin.get("/admin")
		wantStatus(t, rec, http.StatusOK)
		if strings.Contains(rec.Body.String(), `class="notice"`) {
			t.Errorf("the forged notice %q was shown", forged)
		}
	}
}
