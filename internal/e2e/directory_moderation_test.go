package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"mxcert/internal/account"
	"mxcert/internal/directory"
	"mxcert/internal/model"
)

// TestDirectoryModeration: a certified technician with a published
// listing tells a success story from their account; a visitor reports
// the listing; staff find both in the moderation queue and approve the
// story, which then shows at /casos-de-exito. The public stories page,
// the report form, the technician's stories and the console's
// moderation pages pass axe and fit a 360 px phone and a 1280 px laptop.
func TestDirectoryModeration(t *testing.T) {
	s := requireEnv(t)
	t.Parallel()
	b := newTab(t, s, phoneWidth, phoneHeight, true)
	reg := account.Registration{Name: "Itzel Ramírez Ñuñez", Email: uniqueEmail("itzel"), Password: "mi frase larga y segura", State: "Oaxaca"}
	user, err := s.app.Accounts().CreateUser(t.Context(), reg, model.RoleCandidate)
	if err != nil {
		t.Fatal(err)
	}
	b.open("/entrar", 200)
	b.do(chromedp.SendKeys(chromedp.ID("email"), reg.Email), chromedp.SendKeys(chromedp.ID("password"), reg.Password))
	b.follow(`form[action="/entrar"] button[type="submit"]`)
	takeExam(b)

	// The listing itself is the directory's own test; here it is made
	// through the service.
	zone, err := time.LoadLocation("America/Mexico_City")
	if err != nil {
		t.Fatal(err)
	}
	dir, err := directory.New(s.app.DB(), time.Now, zone, s.app.Catalog)
	if err != nil {
		t.Fatal(err)
	}
	l, err := dir.Save(t.Context(), user.ID, directory.Input{Consent: true, BusinessName: "Soporte Itzel", State: "20", Municipios: []string{"20067"},
		Services: []string{"instalacion"}, Modes: []string{"domicilio"}, Languages: []string{"es"}, Description: "Soporte a consultorios y tiendas.",
		WhatsApp: model.Contact{Value: "9515550000", Show: true}})
	if err != nil {
		t.Fatal(err)
	}
	if err := dir.SetPublished(t.Context(), user.ID, true); err != nil {
		t.Fatal(err)
	}

	// The technician tells a story.
	b.open("/cuenta/directorio/casos", 200)
	b.do(
		chromedp.SendKeys(chromedp.ID("title"), "Consultorio dental de Itzel"),
		chromedp.SetValue(chromedp.ID("client_kind"), "pyme"),
		chromedp.SendKeys(chromedp.ID("work"), "Migré cinco equipos del consultorio a MxOS y configuré respaldos diarios."),
		chromedp.SendKeys(chromedp.ID("result"), "El consultorio trabaja sin licencias y no perdió datos."),
	)
	b.follow(`form[action="/cuenta/directorio/casos"] button[type="submit"]`)
	b.wantText(".notice", "revisión")
	b.wantText(".my-stories", "Consultorio dental de Itzel", "En revisión")
	for _, size := range sizes {
		size.apply(b)
		b.audit("mis casos de éxito (" + size.label + ")")
		b.fits("mis casos de éxito", int(size.width))
	}

	// A visitor reports the listing.
	listing := dir.ListingPath(l.ID, "20", "Itzel Ramírez Ñuñez", "Soporte Itzel")
	v := newTab(t, s, phoneWidth, phoneHeight, true)
	v.open(listing, 200)
	v.follow(`a[href="` + listing + `/reportar"]`)
	for _, size := range sizes {
		size.apply(v)
		v.audit("reportar un anuncio (" + size.label + ")")
		v.fits("reportar un anuncio", int(size.width))
	}
	v.do(chromedp.SetValue(chromedp.ID("reason"), "datos_falsos"), chromedp.SendKeys(chromedp.ID("details"), "El número no contesta."))
	v.follow(`form button[type="submit"]`)
	v.wantText("h1", "recibimos tu reporte")

	// Staff approve the story from the queue.
	st := staffTab(t, s, "Mónica Moderadora Ruiz", "monica", phoneWidth, phoneHeight, true)
	// The queue holds what every test (and every earlier run of go test
	// -count=N) sent: the story and the report of this listing are the
	// ones that link to it.
	mine := fmt.Sprintf(`a[href="/admin/directorio/anuncios/%d"]`, l.ID)
	story := `section[aria-labelledby="casos-h"] .queue > li:has(` + mine + `)`
	report := `section[aria-labelledby="reportes-h"] .queue > li:has(` + mine + `)`
	st.open("/admin/directorio", 200)
	st.wantText(st.find("the story in the queue", story), "Consultorio dental de Itzel")
	st.wantText(st.find("the report in the queue", report), "Datos falsos", "El número no contesta.")
	pages := []struct{ path, name, shot string }{
		{"/admin/directorio", "consola: moderación del directorio", "consola-moderacion"},
		{"/admin/directorio/niveles", "consola: niveles de socios", "consola-niveles"},
		{fmt.Sprintf("/admin/directorio/anuncios/%d", l.ID), "consola: anuncio del directorio", ""},
		{fmt.Sprintf("/admin/directorio/anuncios/%d/ocultar", l.ID), "consola: ocultar un anuncio", ""},
	}
	for _, size := range sizes {
		size.apply(st)
		for _, p := range pages {
			st.open(p.path, 200)
			st.fits(p.name, int(size.width))
			st.audit(p.name + " (" + size.label + ")")
			if p.shot != "" {
				st.screenshot(p.shot+"-"+size.label, "")
			}
		}
	}
	st.open("/admin/directorio", 200)
	st.find("the story in the queue", story)
	approve := eval[string](st, `document.querySelector('`+story+` a[href$="/aprobar"]').getAttribute('href')`)
	st.open(approve, 200)
	st.audit("consola: aprobar un caso")
	st.follow(`form[action="` + approve + `"] button[type="submit"]`)
	st.wantText(".notice", "Publicamos el caso «Consultorio dental de Itzel».")

	// The story is public, on a phone and a laptop.
	for _, size := range sizes {
		size.apply(v)
		v.open("/casos-de-exito?estado=oaxaca&cliente=pyme", 200)
		v.wantText(v.find("the approved story", `.story-list article.story:has(a[href="`+listing+`"])`), "Consultorio dental de Itzel", "Soporte Itzel", "PyME")
		v.audit("casos de éxito (" + size.label + ")")
		v.fits("casos de éxito", int(size.width))
		v.screenshot("casos-de-exito-"+size.label, "")
	}
	v.open(listing, 200)
	v.wantText(".listing", "Consultorio dental de Itzel", "Reportar este anuncio")
	if !strings.Contains(v.text("main"), "Casos de éxito") {
		t.Error("the listing page does not show its stories")
	}
}

// screen is one of the two sizes the console is checked at.
type screen struct {
	width, height int64
	mobile        bool
	label         string
}

var sizes = []screen{{phoneWidth, phoneHeight, true, "telefono"}, {laptopWidth, laptopHeight, false, "laptop"}}

func (sz screen) apply(b *tab) {
	b.t.Helper()
	if sz.mobile {
		b.do(chromedp.EmulateViewport(sz.width, sz.height, chromedp.EmulateMobile, chromedp.EmulateScale(2)))
	} else {
		b.do(chromedp.EmulateViewport(sz.width, sz.height))
	}
}
