package web

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden pages in testdata/golden")

// The pages people see most, compared whole with the copies kept in
// testdata/golden, so that any change to their markup shows in review.
// The clock and the exams' seeds are fixed; what is still random (ids,
// certificate codes, the content version, the static files' hashes) is
// replaced by numbered placeholders. After a deliberate change, rewrite
// the copies with
//
//	go test ./internal/web -run TestGoldenPages -update
//
// and read the diff.
func TestGoldenPages(t *testing.T) {
	env := newEnv(t)
	seeds := uint64(0)
	env.svc.Attempts.DrawSeedsWith(func() (uint64, error) { seeds++; return seeds, nil })

	visitor := env.client(t)
	add := func(name string, c *client, path string, status int) {
		rec := c.get(path)
		if rec.Code != status {
			t.Fatalf("%s: GET %s = %d, want %d:\n%.1500s", name, path, rec.Code, status, rec.Body.String())
		}
		compareGolden(t, name, rec.Body.String())
	}

	add("home-visitor", visitor, "/", http.StatusOK)
	add("track-visitor", visitor, "/certificaciones/ejemplo", http.StatusOK)
	add("module", visitor, "/certificaciones/ejemplo/modulos/arranque", http.StatusOK)

	c := env.client(t)
	c.register("José Ñúñez Peña", "jose@ejemplo.mx", goodPassword)
	add("home-candidate", c, "/", http.StatusOK)
	add("track-candidate", c, "/certificaciones/ejemplo", http.StatusOK)
	a := startExam(t, env, c, "ejemplo")
	add("exam-question", c, "/examen/"+a.ID+"?p=1", http.StatusOK)
	for i, it := range a.Items {
		wantStatus(t, c.post("/examen/"+a.ID+"/respuesta", saveForm(a, i, a.Seq+int64(i), it.Item.Key())), http.StatusSeeOther)
	}
	wantStatus(t, c.post("/examen/"+a.ID+"/entregar", nil), http.StatusSeeOther)
	add("exam-result", c, "/examen/"+a.ID+"/resultado", http.StatusOK)

	cert, err := env.svc.Certificates.ByAttempt(context.Background(), a.ID)
	if err != nil {
		t.Fatal(err)
	}
	add("certificate", c, "/certificados/"+cert.ID, http.StatusOK)
	add("verification", visitor, "/verificar/"+cert.Code, http.StatusOK)
	add("listing-form-new", c, "/cuenta/directorio", http.StatusOK)
	publishListing(t, c, listingForm())
	add("listing-form", c, "/cuenta/directorio", http.StatusOK)
	add("directory-search", visitor, "/directorio?q=oaxaca+de+juarez", http.StatusOK)
	add("directory-state", visitor, "/directorio/oaxaca", http.StatusOK)
	m := listingLink.FindStringSubmatch(visitor.get("/directorio").Body.String())
	if m == nil {
		t.Fatal("no listing in the directory")
	}
	add("directory-listing", visitor, m[1], http.StatusOK)
	add("privacy", visitor, "/aviso-de-privacidad", http.StatusOK)

	secret, _ := newAdmin(t, env, "Rosa Admin Pérez", "rosa@mxos.mx")
	staff := env.client(t)
	staff.loginAdmin("rosa@mxos.mx", secret)
	add("admin-dashboard", staff, "/admin", http.StatusOK)
	add("admin-search", staff, "/admin/candidatos?q=nunez", http.StatusOK)
	add("admin-attempt", staff, "/admin/intentos/"+a.ID, http.StatusOK)
}

// Values that differ from run to run, each replaced by a numbered
// placeholder in order of first appearance.
var unstable = []struct {
	name string
	re   *regexp.Regexp
}{
	{"id", regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)},
	{"code", regexp.MustCompile(`\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\b`)}, // the random part of a certificate code
	{"content", regexp.MustCompile(`\b(?:git|sha256):[0-9a-f]{7,64}\b`)},
	{"static", regexp.MustCompile(`/static/[0-9a-f]{6,}/`)},
}

// stabilize replaces the unstable values of a page with placeholders.
func stabilize(page string) string {
	for _, u := range unstable {
		seen := map[string]string{}
		page = u.re.ReplaceAllStringFunc(page, func(v string) string {
			if p, ok := seen[v]; ok {
				return p
			}
			p := fmt.Sprintf("{%s-%d}", u.name, len(seen)+1)
			if u.name == "static" {
				p = "/static/{hash}/"
			}
			seen[v] = p
			return p
		})
	}
	return page
}

func compareGolden(t *testing.T, name, page string) {
	t.Helper()
	page = stabilize(page)
	file := filepath.Join("testdata", "golden", name+".html")
	if *update {
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, []byte(page), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%s: %v (run with -update to create it)", name, err)
	}
	if page == string(want) {
		return
	}
	got, exp := strings.Split(page, "\n"), strings.Split(string(want), "\n")
	for i := 0; i < max(len(got), len(exp)); i++ {
		var g, e string
		if i < len(got) {
			g = got[i]
		}
		if i < len(exp) {
			e = exp[i]
		}
		if g != e {
			t.Errorf("%s differs from %s at line %d:\n got: %s\nwant: %s\n(run with -update after a deliberate change, and review the diff)", name, file, i+1, g, e)
			return
		}
	}
}
