package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mxcert/internal/account"
	"mxcert/internal/certificate"
	"mxcert/internal/model"
)

// Hostile input that takes more than one request: names from
// registration to the PDF, sessions that ended, forms sent twice.

// TestSQLLookingPasswordIsJustAPassword registers with a password that is
// also an injection and signs in with it: it is data, end to end.
func TestSQLLookingPasswordIsJustAPassword(t *testing.T) {
	env := newEnv(t)
	const password = `' OR '1'='1' -- ; DROP TABLE users`
	c := env.client(t)
	c.register("Ana López", "ana@ejemplo.mx", password)
	c = env.client(t)
	wantStatus(t, c.login("ana@ejemplo.mx", `' OR '1'='1`), http.StatusUnauthorized)
	wantStatus(t, c.login("ana@ejemplo.mx", password), http.StatusSeeOther)
}

// TestNamesAreEscapedInPagesAndLiteralInPDFs follows a name with the
// characters HTML treats specially that a real name may have (an
// apostrophe) from registration to the certificate: escaped in every
// page, printed as typed in the PDF.
func TestNamesAreEscapedInPagesAndLiteralInPDFs(t *testing.T) {
	env := newEnv(t)
	c := env.client(t)
	const name = "Renée O'Connor-Núñez"
	c.register(name, "renee@ejemplo.mx", goodPassword)
	for _, target := range []string{"/cuenta", "/certificaciones/ejemplo/examen"} {
		rec := c.get(target)
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, "O&#39;Connor-Núñez")
		if strings.Contains(rec.Body.String(), "O'Connor") {
			t.Errorf("%s shows the apostrophe unescaped", target)
		}
	}
	cert := passExam(t, env, c)
	if cert.HolderName != name {
		t.Fatalf("holder name = %q", cert.HolderName)
	}
	for _, target := range []string{"/certificados/" + cert.ID, "/verificar/" + cert.Code} {
		rec := c.get(target)
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, "O&#39;Connor-Núñez")
	}
	api := c.get("/api/v1/certificates/" + cert.Code)
	wantBody(t, api, `"holder_name":"Renée O'Connor-Núñez"`)
	pdf := c.get("/certificados/" + cert.ID + "/pdf")
	wantStatus(t, pdf, http.StatusOK)
	text := pdfText(t, pdf.Body.Bytes())
	if !strings.Contains(text, name) || strings.Contains(text, "&#39;") {
		t.Errorf("the PDF does not print the name as typed:\n%s", text)
	}

	// Names reach the PDF only through validation, but the renderer must
	// not interpret anything either: markup prints as characters.
	hostile := `<script>alert("x")</script> & <b>Ana</b>`
	doc, err := certificate.RenderPDF(certificate.Document{ID: cert.ID, Code: cert.Code, HolderName: hostile, Certification: cert.TrackTitle,
		TrackVersion: cert.TrackVersion, IssuedAt: cert.IssuedAt, VerifyURL: "http://example.test/verificar/" + cert.Code,
		Signed: certificate.SignedOf(cert), Zone: env.svc.Zone})
	if err != nil {
		t.Fatal(err)
	}
	if text := pdfText(t, doc); !strings.Contains(text, hostile) {
		t.Errorf("the PDF does not print %q literally:\n%s", hostile, text)
	}
}

// pdfText extracts a PDF's text with poppler's pdftotext. CI installs it
// and sets MXCERT_REQUIRE_TOOLS=1, which turns a missing tool into a
// failure; elsewhere the test is skipped.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	tool, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("MXCERT_REQUIRE_TOOLS") == "1" {
			t.Fatal("pdftotext is required (apt-get install poppler-utils)")
		}
		t.Skip("pdftotext not installed (apt-get install poppler-utils); set MXCERT_REQUIRE_TOOLS=1 to make this a failure")
	}
	file := filepath.Join(t.TempDir(), "certificado.pdf")
	if err := os.WriteFile(file, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool, "-raw", file, "-").Output() // #nosec G204 -- test tool on a temporary file
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

// TestExpiredAndForgedSessions: a session past its idle timeout, a forged
// token or a garbage cookie are a visitor, sent to sign in; an autosave
// with one is refused without touching the attempt.
func TestExpiredAndForgedSessions(t *testing.T) {
	env := newEnv(t)
	c := env.client(t)
	c.register("Ana López", "ana@ejemplo.mx", goodPassword)
	a := startExam(t, env, c, "ejemplo")
	stolen := *c.cookies[sessionCookie]

	for name, value := range map[string]string{
		"forged token":   strings.Repeat("A", len(stolen.Value)),
		"empty token":    "",
		"long token":     strings.Repeat("x", 3000),
		"odd characters": "%00%ff<>",
	} {
		t.Run(name, func(t *testing.T) {
			v := env.client(t)
			v.cookies[sessionCookie] = &http.Cookie{Name: sessionCookie, Value: value}
			for _, rec := range []*httptest.ResponseRecorder{v.get("/cuenta"), v.get("/examen/" + a.ID), v.post("/examen/"+a.ID+"/respuesta", saveForm(a, 0, a.Seq, []int{0}))} {
				clean(t, name, rec)
				if rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/entrar") {
					t.Errorf("%s: %d %s, want a redirect to sign in", name, rec.Code, rec.Header().Get("Location"))
				}
			}
		})
	}

	env.clock.Advance(account.IdleTimeout + time.Minute)
	c.header.Set("Accept", "application/json")
	rec := c.post("/examen/"+a.ID+"/respuesta", saveForm(a, 0, a.Seq, []int{0}))
	clean(t, "autosave with an expired session", rec)
	if rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/entrar") {
		t.Errorf("autosave with an expired session: %d %s", rec.Code, rec.Header().Get("Location"))
	}
	if _, ok := c.cookies[sessionCookie]; ok {
		t.Error("the expired session's cookie was not cleared")
	}
	if got, err := env.svc.DB.Attempt(context.Background(), a.ID, 0); err != nil || got.Items[0].Answered() {
		t.Errorf("an expired session saved an answer: %v", err)
	}
	// The old token stays dead even when presented again.
	v := env.client(t)
	v.cookies[sessionCookie] = &stolen
	wantStatus(t, v.get("/cuenta"), http.StatusSeeOther)
}

// TestDoubleSubmits: the same form sent twice (a double click, a retry
// after a timeout) changes nothing the second time.
func TestDoubleSubmits(t *testing.T) {
	env := newEnv(t)
	c := env.client(t)
	c.register("Ana López", "ana@ejemplo.mx", goodPassword)
	dup := env.client(t)
	dup.ip = "198.51.100.7"
	rec := dup.post("/registro", url.Values{"name": {"Ana López"}, "email": {"ana@ejemplo.mx"}, "password": {goodPassword}, "state": {"Oaxaca"}})
	wantStatus(t, rec, http.StatusSeeOther) // neutral: as for a new address, and nothing is made
	if n, err := env.svc.DB.CountUsers(context.Background(), "candidate"); err != nil || n != 1 {
		t.Errorf("registering the address again: %d candidates, %v", n, err)
	}

	a := startExam(t, env, c, "ejemplo")
	again := c.post("/certificaciones/ejemplo/examen", url.Values{"confirmo": {"1"}, "nombre": {"Ana López"}})
	wantStatus(t, again, http.StatusSeeOther)
	if again.Header().Get("Location") != "/examen/"+a.ID {
		t.Errorf("starting twice made a second attempt: %s", again.Header().Get("Location"))
	}

	c.header.Set("Accept", "application/json")
	seq := a.Seq
	for i, it := range a.Items {
		form := saveForm(a, i, seq, it.Item.Key())
		wantStatus(t, c.post("/examen/"+a.ID+"/respuesta", form), http.StatusOK)
		// The same autosave again: its page is now older than the item.
		dupSave := c.post("/examen/"+a.ID+"/respuesta", form)
		clean(t, "repeated autosave", dupSave)
		wantStatus(t, dupSave, http.StatusConflict)
		wantBody(t, dupSave, `"stale":true`)
		seq++
	}
	c.header.Del("Accept")
	for range 3 {
		rec := c.post("/examen/"+a.ID+"/entregar", nil)
		clean(t, "submit", rec)
		wantStatus(t, rec, http.StatusSeeOther)
	}
	c.header.Set("Accept", "application/json")
	late := c.post("/examen/"+a.ID+"/respuesta", saveForm(a, 0, seq, []int{0}))
	wantStatus(t, late, http.StatusConflict)
	wantBody(t, late, `"closed":true`)

	got := loadAttempt(t, env, c, a.ID)
	if got.Status != model.AttemptPassed || got.Score != len(a.Items) {
		t.Errorf("after repeated submits: %s %d", got.Status, got.Score)
	}
	certs, err := env.svc.DB.UserCertificates(context.Background(), got.UserID)
	if err != nil || len(certs) != 1 {
		t.Errorf("certificates after repeated submits: %d, %v", len(certs), err)
	}
}
