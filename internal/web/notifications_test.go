package web

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

var siteLink = regexp.MustCompile(`http://example\.test(/[^\s"<]*)`)

// The message of a pass is queued as the exam is handed in, and every link
// in it opens the page it promises for the holder: the verification page,
// the certificate's page with its PDF, and the result. A revocation's
// message names the foundation's contact address.
func TestPassMessageLinksWork(t *testing.T) {
	env := newEnv(t, func(cfg *Config) { cfg.ContactEmail = "certificacion@mxos.example" })
	c := env.client(t)
	c.register("José Ñúñez Peña", "jose@ejemplo.mx", goodPassword)
	before := len(env.mailTo(t, "jose@ejemplo.mx")) // the address's confirmation
	cert := passExam(t, env, c)

	ms := env.mailTo(t, "jose@ejemplo.mx")
	if len(ms) != before+1 {
		t.Fatalf("%d messages after a pass, want 1", len(ms)-before)
	}
	m := ms[len(ms)-1]
	var paths []string
	for _, l := range siteLink.FindAllStringSubmatch(m.Text, -1) {
		paths = append(paths, l[1])
	}
	want := []string{"/verificar/" + cert.Code, "/certificados/" + cert.ID, "/examen/" + cert.AttemptID + "/resultado"}
	if strings.Join(paths, " ") != strings.Join(want, " ") {
		t.Fatalf("links in the message: %v, want %v", paths, want)
	}
	for _, p := range paths {
		if !strings.Contains(m.HTML, `href="http://example.test`+p+`"`) {
			t.Errorf("the HTML part does not link %s", p)
		}
	}
	wantBody(t, env.client(t).get(paths[0]), "Certificado válido", cert.Code)
	page := c.get(paths[1])
	wantStatus(t, page, http.StatusOK)
	wantBody(t, page, "/certificados/"+cert.ID+"/pdf")
	wantStatus(t, c.get(paths[1]+"/pdf"), http.StatusOK)
	wantStatus(t, c.get(paths[2]), http.StatusOK)
	// Signed out, the certificate's page asks to sign in first and comes back.
	if rec := env.client(t).get(paths[1]); rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/entrar?siguiente=") {
		t.Errorf("signed out: %d %s", rec.Code, rec.Header().Get("Location"))
	}

	if _, err := env.certs.Revoke(context.Background(), 0, cert.Code, "Prueba de revocación."); err != nil {
		t.Fatal(err)
	}
	if ms = env.mailTo(t, "jose@ejemplo.mx"); len(ms) != before+2 {
		t.Fatalf("after the revocation: %d messages, want 2", len(ms)-before)
	}
	if last := ms[len(ms)-1]; !strings.Contains(last.Text, "Prueba de revocación.") || !strings.Contains(last.Text, "certificacion@mxos.example") {
		t.Errorf("the revocation message lacks the reason or the contact:\n%s", last.Text)
	}
}
