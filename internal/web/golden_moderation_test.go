package web

import (
	"net/http"
	"net/url"
	"testing"
)

// The directory's success stories, report form and moderation console,
// compared whole with testdata/golden like TestGoldenPages (the same
// -update flag rewrites them).
func TestGoldenPagesModeration(t *testing.T) {
	env := newEnv(t)
	tech, path := listedClient(t, env, "Guadalupe Núñez Peña", "lupe@ejemplo.mx", listingForm())
	staff := adminClient(t, env)
	visitor := env.client(t)
	add := func(name string, c *client, target string, status int) {
		t.Helper()
		rec := c.get(target)
		if rec.Code != status {
			t.Fatalf("%s: GET %s = %d, want %d:\n%.1500s", name, target, rec.Code, status, rec.Body.String())
		}
		compareGolden(t, name, rec.Body.String())
	}

	wantRedirect(t, tech.post("/cuenta/directorio/casos", storyForm("Consultorio dental en Oaxaca")), "/cuenta/directorio/casos")
	m := storyLink.FindStringSubmatch(staff.get("/admin/directorio").Body.String())
	if m == nil {
		t.Fatal("no story in the queue")
	}
	wantRedirect(t, staff.post(m[1]+"/aprobar", nil), "/admin/directorio")
	wantRedirect(t, tech.post("/cuenta/directorio/casos", storyForm("Escuela primaria en Tlacolula")), "/cuenta/directorio/casos")
	wantRedirect(t, visitor.post(path+"/reportar", url.Values{"reason": {"datos_falsos"}, "details": {"El teléfono es de otra persona."}}), path+"/reportar/enviado")
	wantRedirect(t, staff.post("/admin/directorio/anuncios/"+listingNumber(path)+"/nivel", url.Values{"nivel": {"1"}}), "/admin/directorio/anuncios/"+listingNumber(path))

	add("stories", visitor, "/casos-de-exito", http.StatusOK)
	add("directory-listing-stories", visitor, path, http.StatusOK)
	add("listing-report", visitor, path+"/reportar", http.StatusOK)
	add("my-stories", tech, "/cuenta/directorio/casos", http.StatusOK)
	add("admin-directory", staff, "/admin/directorio", http.StatusOK)
	add("admin-directory-listing", staff, "/admin/directorio/anuncios/"+listingNumber(path), http.StatusOK)
	add("admin-levels", staff, "/admin/directorio/niveles", http.StatusOK)
}
