package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// listedClient is a certified person whose listing is published; it
// returns the client and the listing's public address.
func listedClient(t *testing.T, env *testEnv, name, email string, form url.Values) (*client, string) {
	t.Helper()
	c, _ := certifiedClient(t, env, name, email)
	publishListing(t, c, form)
	page := c.get("/cuenta/directorio").Body.String()
	m := regexp.MustCompile(`href="(/directorio/[a-z-]+/[a-z0-9-]+)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no public address on the listing form:\n%.3000s", page)
	}
	return c, m[1]
}

// listingNumber is the id at the end of a listing's address.
func listingNumber(path string) string { return path[strings.LastIndexByte(path, '-')+1:] }

func storyForm(title string) url.Values {
	return url.Values{"title": {title}, "client_kind": {"pyme"}, "state": {"20"},
		"work": {"Migré 5 equipos de un consultorio dental a MxOS.\n<b>sin</b> perder datos"}, "result": {"El consultorio trabaja sin licencias."}}
}

var storyLink = regexp.MustCompile(`href="(/admin/directorio/casos/(\d+))/aprobar"`)

func TestStoryModerationFlow(t *testing.T) {
	env := newEnv(t)
	tech, path := listedClient(t, env, "Guadalupe Núñez Peña", "lupe@ejemplo.mx", listingForm())
	visitor := env.client(t)
	staff := adminClient(t, env)

	// The form checks every field and says so.
	rec := tech.post("/cuenta/directorio/casos", url.Values{"title": {""}, "client_kind": {"otro"}, "state": {"99"}})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	wantBody(t, rec, `class="error-summary"`, `href="#title"`, `href="#client_kind"`, `href="#state"`, `href="#work"`, `href="#result"`)

	// Submitted: pending, not public anywhere.
	wantRedirect(t, tech.post("/cuenta/directorio/casos", storyForm("Consultorio <dental> en Oaxaca")), "/cuenta/directorio/casos")
	mine := tech.get("/cuenta/directorio/casos")
	wantBody(t, mine, "Consultorio &lt;dental&gt; en Oaxaca", "En revisión")
	for _, p := range []string{path, "/casos-de-exito"} {
		if strings.Contains(visitor.get(p).Body.String(), "Consultorio") {
			t.Fatalf("a pending story is public on %s", p)
		}
	}

	// Non-staff are refused the queue, as the rest of the console.
	for who, c := range map[string]*client{"visitor": visitor, "technician": tech} {
		if rec := c.get("/admin/directorio"); rec.Code != http.StatusNotFound {
			t.Errorf("%s sees the queue: %d", who, rec.Code)
		}
	}

	// Approved: public on the listing and at /casos-de-exito, escaped.
	queue := staff.get("/admin/directorio")
	wantStatus(t, queue, http.StatusOK)
	m := storyLink.FindStringSubmatch(queue.Body.String())
	if m == nil {
		t.Fatalf("the story is not in the queue:\n%.4000s", queue.Body.String())
	}
	wantBody(t, staff.get(m[1]+"/aprobar"), "¿Publicar «Consultorio &lt;dental&gt; en Oaxaca»?", "Migré 5 equipos")
	wantRedirect(t, staff.post(m[1]+"/aprobar", nil), "/admin/directorio")
	wantBody(t, staff.get("/admin/directorio"), "Publicamos el caso «Consultorio &lt;dental&gt; en Oaxaca».", "No hay casos por aprobar.")
	wantStatus(t, staff.post(m[1]+"/aprobar", nil), http.StatusConflict)
	if list := env.mailTo(t, "lupe@ejemplo.mx"); len(list) == 0 || list[len(list)-1].Subject != "Publicamos tu caso de éxito" ||
		!strings.Contains(list[len(list)-1].Text, "«Consultorio <dental> en Oaxaca»") || !strings.Contains(list[len(list)-1].Text, "/casos-de-exito") {
		t.Errorf("the author was not told of the approval: %+v", list)
	}
	for _, p := range []string{path, "/casos-de-exito", "/casos-de-exito?estado=oaxaca&cliente=pyme"} {
		page := visitor.get(p)
		wantStatus(t, page, http.StatusOK)
		wantBody(t, page, "Consultorio &lt;dental&gt; en Oaxaca", "&lt;b&gt;sin&lt;/b&gt;", "PyME")
	}
	if strings.Contains(visitor.get("/casos-de-exito?cliente=hogar").Body.String(), "Consultorio") {
		t.Error("the kind-of-client filter does not filter")
	}
	wantStatus(t, visitor.get("/casos-de-exito?cliente=nave"), http.StatusBadRequest)

	// Rejected: not public, and its author reads why.
	wantRedirect(t, tech.post("/cuenta/directorio/casos", storyForm("Escuela rural")), "/cuenta/directorio/casos")
	m = storyLink.FindStringSubmatch(staff.get("/admin/directorio").Body.String())
	if m == nil {
		t.Fatal("the second story is not in the queue")
	}
	wantStatus(t, staff.post(m[1]+"/rechazar", url.Values{"motivo": {""}}), http.StatusUnprocessableEntity)
	wantRedirect(t, staff.post(m[1]+"/rechazar", url.Values{"motivo": {"Incluye el nombre del cliente."}}), "/admin/directorio")
	wantBody(t, tech.get("/cuenta/directorio/casos"), "No aprobado", "Incluye el nombre del cliente.", "Publicado")
	if list := env.mailTo(t, "lupe@ejemplo.mx"); len(list) == 0 || list[len(list)-1].Subject != "Tu caso de éxito no se publicó" ||
		!strings.Contains(list[len(list)-1].Text, "Motivo: Incluye el nombre del cliente.") {
		t.Errorf("the author was not told of the rejection and its reason: %+v", list)
	}
	if strings.Contains(visitor.get("/casos-de-exito").Body.String(), "Escuela rural") || strings.Contains(visitor.get(path).Body.String(), "Escuela rural") {
		t.Error("a rejected story is public")
	}

	// The story goes with its listing: unpublished, then published again.
	wantRedirect(t, tech.post("/cuenta/directorio/publicar", url.Values{"publicar": {"0"}}), "/cuenta/directorio")
	if strings.Contains(visitor.get("/casos-de-exito").Body.String(), "Consultorio") {
		t.Error("the story of an unpublished listing is public")
	}
	wantRedirect(t, tech.post("/cuenta/directorio/publicar", url.Values{"publicar": {"1"}}), "/cuenta/directorio")
	wantBody(t, visitor.get("/casos-de-exito"), "Consultorio")

	// The author deletes it.
	mine = tech.get("/cuenta/directorio/casos")
	del := regexp.MustCompile(`href="(/cuenta/directorio/casos/\d+/borrar)"`).FindAllStringSubmatch(mine.Body.String(), -1)
	if len(del) != 2 {
		t.Fatalf("%d delete links", len(del))
	}
	for _, d := range del {
		wantStatus(t, tech.get(d[1]), http.StatusOK)
		wantRedirect(t, tech.post(d[1], nil), "/cuenta/directorio/casos")
	}
	if strings.Contains(visitor.get("/casos-de-exito").Body.String(), "Consultorio") {
		t.Error("a deleted story is public")
	}
	// Someone else's story is not theirs to delete.
	other, _ := listedClient(t, env, "Ana López", "ana@ejemplo.mx", listingForm())
	wantStatus(t, other.get(del[0][1]), http.StatusNotFound)

	// The audit reads in Spanish.
	audit := staff.get("/admin/bitacora")
	wantStatus(t, audit, http.StatusOK)
	wantBody(t, audit, "Caso de éxito enviado a revisión", "Caso de éxito aprobado", "Caso de éxito rechazado", "Caso de éxito borrado por su autor",
		"Incluye el nombre del cliente.", "Anuncio")
}

func TestStoriesNeedAVisibleListingAndAreLimited(t *testing.T) {
	env := newEnv(t)
	c, _ := certifiedClient(t, env, "Sin Anuncio", "sin@ejemplo.mx")
	wantBody(t, c.get("/cuenta/directorio/casos"), "necesitas un anuncio publicado")
	wantStatus(t, c.post("/cuenta/directorio/casos", storyForm("Uno")), http.StatusForbidden)

	tech, _ := listedClient(t, env, "Guadalupe Núñez", "lupe@ejemplo.mx", listingForm())
	for i := range 3 {
		wantRedirect(t, tech.post("/cuenta/directorio/casos", storyForm("Caso "+itoa(int64(i)))), "/cuenta/directorio/casos")
	}
	// Three pending is the most.
	rec := tech.post("/cuenta/directorio/casos", storyForm("Cuarto"))
	wantStatus(t, rec, http.StatusConflict)
	wantBody(t, rec, "Ya tienes 3 casos en revisión")
	// And the rate limit stops a flood of posts.
	for range 6 {
		wantStatus(t, tech.post("/cuenta/directorio/casos", storyForm("Otro")), http.StatusConflict)
	}
	rec = tech.post("/cuenta/directorio/casos", storyForm("Otro más"))
	wantStatus(t, rec, http.StatusTooManyRequests)
	wantBody(t, rec, "Demasiados")
}

func TestReportsAreRateLimitedAndQueued(t *testing.T) {
	env := newEnv(t)
	_, path := listedClient(t, env, "Guadalupe Núñez Peña", "lupe@ejemplo.mx", listingForm())
	visitor := env.client(t)
	visitor.ip = "198.51.100.7"
	page := visitor.get(path)
	wantBody(t, page, `href="`+path+`/reportar"`, "Reportar este anuncio")
	form := visitor.get(path + "/reportar")
	wantStatus(t, form, http.StatusOK)
	wantBody(t, form, `<label for="reason">`, "No es la persona certificada", `<label for="details">`)

	wantStatus(t, visitor.post(path+"/reportar", url.Values{"reason": {"cualquiera"}}), http.StatusUnprocessableEntity)
	for i := range 4 {
		wantRedirect(t, visitor.post(path+"/reportar", url.Values{"reason": {"datos_falsos"}, "details": {"Reporte <" + itoa(int64(i)) + ">"}}), path+"/reportar/enviado")
	}
	wantBody(t, visitor.get(path+"/reportar/enviado"), "recibimos tu reporte")
	rec := visitor.post(path+"/reportar", url.Values{"reason": {"otro"}})
	wantStatus(t, rec, http.StatusTooManyRequests)
	wantBody(t, rec, "Demasiados")
	if rec.Header().Get("Retry-After") == "" {
		t.Error("no Retry-After")
	}
	// Another address is not held back by the first.
	other := env.client(t)
	other.ip = "198.51.100.8"
	wantRedirect(t, other.post(path+"/reportar", url.Values{"reason": {"trato_indebido"}}), path+"/reportar/enviado")

	staff := adminClient(t, env)
	queue := staff.get("/admin/directorio")
	wantBody(t, queue, "Reportes abiertos (5)", "Datos falsos", "Trato indebido", "Reporte &lt;0&gt;")
	m := regexp.MustCompile(`href="(/admin/directorio/reportes/\d+/descartar)"`).FindStringSubmatch(queue.Body.String())
	if m == nil {
		t.Fatal("no dismiss link")
	}
	wantStatus(t, staff.get(m[1]), http.StatusOK)
	wantRedirect(t, staff.post(m[1], nil), "/admin/directorio")
	wantBody(t, staff.get("/admin/directorio"), "Reportes abiertos (4)", "Descartamos el reporte sobre Cómputo &lt;Juárez&gt;")
	wantBody(t, staff.get("/admin/bitacora"), "Reporte de anuncio descartado")
}

func TestHideAndRestoreAListing(t *testing.T) {
	env := newEnv(t)
	_, path := listedClient(t, env, "Guadalupe Núñez Peña", "lupe@ejemplo.mx", listingForm())
	id := listingNumber(path)
	visitor := env.client(t)
	visitor.post(path+"/reportar", url.Values{"reason": {"contenido_inapropiado"}})
	staff := adminClient(t, env)
	shown := func() (search, page, api bool) {
		return strings.Contains(visitor.get("/directorio?estado=oaxaca").Body.String(), "Núñez"),
			visitor.get(path).Code == http.StatusOK,
			strings.Contains(visitor.get("/api/v1/directorio?estado=oaxaca").Body.String(), "Núñez")
	}
	if s, p, a := shown(); !s || !p || !a {
		t.Fatalf("before hiding: search %v, page %v, API %v", s, p, a)
	}
	hide := "/admin/directorio/anuncios/" + id + "/ocultar"
	wantBody(t, staff.get(hide), `id="motivo"`, "¿Ocultar el anuncio Cómputo &lt;Juárez&gt; (#"+id+")?")
	wantStatus(t, staff.post(hide, url.Values{"motivo": {""}}), http.StatusUnprocessableEntity)
	wantRedirect(t, staff.post(hide, url.Values{"motivo": {"Datos de contacto de otra persona."}}), "/admin/directorio/anuncios/"+id)
	if s, p, a := shown(); s || p || a {
		t.Fatalf("after hiding: search %v, page %v, API %v", s, p, a)
	}
	wantStatus(t, visitor.get(path+"/reportar"), http.StatusNotFound)
	queue := staff.get("/admin/directorio")
	wantBody(t, queue, "Reportes abiertos (0)", "Datos de contacto de otra persona.", "/admin/directorio/anuncios/"+id+"/restablecer")
	wantBody(t, staff.get("/admin/directorio/anuncios/"+id), "Oculto por la Fundación desde")

	restore := "/admin/directorio/anuncios/" + id + "/restablecer"
	wantBody(t, staff.get(restore), "Se ocultó por: Datos de contacto de otra persona.")
	wantRedirect(t, staff.post(restore, nil), "/admin/directorio/anuncios/"+id)
	wantBody(t, staff.get("/admin/directorio/anuncios/"+id), "El anuncio Cómputo &lt;Juárez&gt; (#"+id+") vuelve a mostrarse.", "Visible")
	if s, p, a := shown(); !s || !p || !a {
		t.Fatalf("after restoring: search %v, page %v, API %v", s, p, a)
	}
	wantStatus(t, staff.post(restore, nil), http.StatusConflict)
	audit := staff.get("/admin/bitacora")
	wantBody(t, audit, `href="/admin/directorio/anuncios/`+id+`"`, "Reportes cerrados")
}

func TestPartnerLevels(t *testing.T) {
	env := newEnv(t)
	_, path := listedClient(t, env, "Guadalupe Núñez Peña", "lupe@ejemplo.mx", listingForm())
	id := listingNumber(path)
	staff := adminClient(t, env)
	visitor := env.client(t)

	levels := staff.get("/admin/directorio/niveles")
	wantStatus(t, levels, http.StatusOK)
	wantBody(t, levels, "Socio de Servicios", "Socio de Formación", "Socio Tecnológico")

	// Create, refuse a duplicate, rename.
	wantStatus(t, staff.post("/admin/directorio/niveles", url.Values{"name": {"Socio de Servicios"}, "position": {"4"}}), http.StatusUnprocessableEntity)
	wantStatus(t, staff.post("/admin/directorio/niveles", url.Values{"name": {""}, "position": {"4"}}), http.StatusUnprocessableEntity)
	wantRedirect(t, staff.post("/admin/directorio/niveles", url.Values{"name": {"Socio Estratégico"}, "description": {"Alianzas"}, "position": {"4"}}), "/admin/directorio/niveles")
	levels = staff.get("/admin/directorio/niveles")
	wantBody(t, levels, "Creamos el nivel «Socio Estratégico».", "Alianzas")
	m := regexp.MustCompile(`href="/admin/directorio/niveles/(\d+)">Editar<span class="visually-hidden">: Socio Estratégico`).FindStringSubmatch(levels.Body.String())
	if m == nil {
		t.Fatalf("no edit link:\n%.4000s", levels.Body.String())
	}
	level := m[1]
	wantRedirect(t, staff.post("/admin/directorio/niveles/"+level, url.Values{"name": {"Socio Aliado"}, "description": {"Alianzas"}, "position": {"0"}}), "/admin/directorio/niveles")
	wantBody(t, staff.get("/admin/directorio/niveles"), "Guardamos el nivel «Socio Estratégico», ahora «Socio Aliado».")

	// Mark the listing: a badge on its page and in the results.
	wantRedirect(t, staff.post("/admin/directorio/anuncios/"+id+"/nivel", url.Values{"nivel": {level}}), "/admin/directorio/anuncios/"+id)
	wantBody(t, staff.get("/admin/directorio/anuncios/"+id), "ahora tiene el nivel Socio Aliado", `<option value="`+level+`" selected>Socio Aliado</option>`)
	badge := `<span class="tag partner-badge">Socio Aliado</span>`
	wantBody(t, visitor.get(path), badge)
	wantBody(t, visitor.get("/directorio?estado=oaxaca"), badge)
	wantBody(t, visitor.get("/api/v1/directorio?estado=oaxaca"), `"partner":"Socio Aliado"`)

	// A level in use cannot be deleted; unused, it can.
	wantStatus(t, staff.get("/admin/directorio/niveles/"+level+"/borrar"), http.StatusConflict)
	wantStatus(t, staff.post("/admin/directorio/niveles/"+level+"/borrar", nil), http.StatusConflict)
	wantRedirect(t, staff.post("/admin/directorio/anuncios/"+id+"/nivel", url.Values{"nivel": {"0"}}), "/admin/directorio/anuncios/"+id)
	if strings.Contains(visitor.get(path).Body.String(), "partner-badge") || strings.Contains(visitor.get("/api/v1/directorio?estado=oaxaca").Body.String(), `"partner"`) {
		t.Error("the badge stayed after removing the level")
	}
	wantRedirect(t, staff.post("/admin/directorio/niveles/"+level+"/borrar", nil), "/admin/directorio/niveles")
	if strings.Contains(staff.get("/admin/directorio/niveles").Body.String(), "Socio Aliado</th>") {
		t.Error("the deleted level is still listed")
	}
	wantStatus(t, staff.post("/admin/directorio/anuncios/"+id+"/nivel", url.Values{"nivel": {level}}), http.StatusNotFound)
	wantBody(t, staff.get("/admin/bitacora"), "Nivel de socios creado", "Nivel de socios editado", "Nivel de socios borrado", "Nivel de socio de un anuncio")
}

func TestDirectoryFiguresOnTheDashboard(t *testing.T) {
	env := newEnv(t)
	listedClient(t, env, "Guadalupe Núñez Peña", "lupe@ejemplo.mx", listingForm())
	second := listingForm()
	second.Set("state", "15")
	second.Set("municipios", "15058")
	second.Del("services")
	second.Set("services", "redes")
	listedClient(t, env, "Ana López", "ana@ejemplo.mx", second)
	visitor := env.client(t)
	for _, q := range []string{"/directorio?q=Impresóras+Láser", "/directorio?q=impresoras+laser", "/directorio?estado=chiapas&servicio=redes", "/api/v1/directorio?q=impresoras+laser"} {
		if rec := visitor.get(q); rec.Code != http.StatusOK {
			t.Fatalf("%s: %d", q, rec.Code)
		}
	}
	visitor.get("/directorio?q=juarez") // found: not counted
	staff, again := staffClient(t, env)
	page := staff.get("/admin")
	wantStatus(t, page, http.StatusOK)
	body := page.Body.String()
	for _, want := range []string{
		"Anuncios visibles en este momento: 2",
		`<tr><th scope="row">Estado de México</th><td>1</td></tr>`, `<tr><th scope="row">Oaxaca</th><td>1</td></tr>`,
		`<tr><th scope="row">Instalación y migración a MxOS</th><td>1</td></tr>`, `<tr><th scope="row">Redes e internet</th><td>2</td></tr>`,
		`<tr><th scope="row">impresoras laser</th><td>—</td><td>3</td></tr>`,
		`<tr><th scope="row">—</th><td>Chiapas · Redes e internet</td><td>1</td></tr>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("dashboard lacks %q", want)
		}
	}
	if strings.Contains(body, `<th scope="row">juarez</th>`) {
		t.Error("a search with results was counted")
	}
	// Thirty days later, they are gone.
	env.clock.Advance(31 * 24 * time.Hour)
	again()
	if strings.Contains(staff.get("/admin").Body.String(), "impresoras laser") {
		t.Error("searches older than 30 days are still shown")
	}
}
