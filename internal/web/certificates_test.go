package web

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"mxcert/internal/certificate"
	"mxcert/internal/model"
)

// passExam takes and passes the example exam; it returns the certificate.
func passExam(t testing.TB, env *testEnv, c *client) *model.Certificate {
	t.Helper()
	a := startExam(t, env, c, "ejemplo")
	for i, it := range a.Items {
		wantStatus(t, c.post("/examen/"+a.ID+"/respuesta", saveForm(a, i, a.Seq+int64(i), it.Item.Key())), http.StatusSeeOther)
	}
	wantStatus(t, c.post("/examen/"+a.ID+"/entregar", nil), http.StatusSeeOther)
	cert, err := env.svc.DB.CertificateByAttempt(context.Background(), a.ID)
	if err != nil {
		t.Fatalf("no certificate after passing: %v", err)
	}
	return cert
}

func TestPassIssuesACertificate(t *testing.T) {
	env := newEnv(t)
	c := env.client(t)
	c.register("José Ñúñez Peña", "jose@ejemplo.mx", goodPassword)
	cert := passExam(t, env, c)
	if cert.HolderName != "José Ñúñez Peña" || cert.TrackTitle != "Certificación de Ejemplo" || cert.Status != model.CertValid || cert.ExpiresAt != nil {
		t.Errorf("certificate = %+v", cert)
	}
	if !strings.HasPrefix(cert.Code, "E-") || len(cert.Code) != len("E-XXXX-XXXX-XXXX") {
		t.Errorf("code %q", cert.Code)
	}
	res := c.get("/examen/" + cert.AttemptID + "/resultado")
	wantBody(t, res, "/certificados/"+cert.ID)

	page := c.get("/certificados/" + cert.ID)
	wantStatus(t, page, http.StatusOK)
	wantBody(t, page, "Certificado válido", "José Ñúñez Peña", cert.Code, "http://example.test/verificar/"+cert.Code,
		"https://www.linkedin.com/profile/add?", "certId="+url.QueryEscape(cert.Code), "issueYear=2026", "issueMonth=11", "organizationName=Fundaci%C3%B3n&#43;MxOS",
		"https://wa.me/?text=", "Descargar certificado (PDF)")
	wantBody(t, c.get("/cuenta"), "Tus certificados", cert.Code)

	pdf := c.get("/certificados/" + cert.ID + "/pdf")
	wantStatus(t, pdf, http.StatusOK)
	if pdf.Header().Get("Content-Type") != "application/pdf" || pdf.Header().Get("Content-Disposition") != `attachment; filename="certificado-mxos-`+cert.Code+`.pdf"` {
		t.Errorf("PDF headers: %v", pdf.Header())
	}
	keys := map[string]ed25519Key{env.key.ID: env.key.Public()}
	cred, _, err := certificate.VerifyPDF(pdf.Body.Bytes(), keys)
	if err != nil || cred.ID != cert.ID || cred.HolderName != "José Ñúñez Peña" || cred.VerifyURL != "http://example.test/verificar/"+cert.Code {
		t.Fatalf("downloaded PDF: %+v %v", cred, err)
	}
	// Rendered once: the second download is the same bytes.
	again := c.get("/certificados/" + cert.ID + "/pdf")
	if again.Body.String() != pdf.Body.String() {
		t.Error("the PDF changed between downloads")
	}

	// Nobody else sees the holder's page or PDF.
	other := env.client(t)
	other.ip = "198.51.100.9"
	other.register("Luis Pérez", "luis@ejemplo.mx", goodPassword)
	wantStatus(t, other.get("/certificados/"+cert.ID), http.StatusNotFound)
	wantStatus(t, other.get("/certificados/"+cert.ID+"/pdf"), http.StatusNotFound)
	wantStatus(t, env.client(t).get("/certificados/"+cert.ID), http.StatusSeeOther)
}

type ed25519Key = ed25519.PublicKey

func TestPublicVerification(t *testing.T) {
	env := newEnv(t)
	c := env.client(t)
	c.register("José Ñúñez Peña", "jose@ejemplo.mx", goodPassword)
	cert := passExam(t, env, c)
	employer := env.client(t)
	employer.ip = "203.0.113.50"

	for _, tc := range []struct{ name, target string }{
		{"code as printed", cert.Code},
		{"code in lower case without hyphens", strings.ToLower(strings.ReplaceAll(cert.Code, "-", ""))},
		{"id", cert.ID},
		{"id in upper case", strings.ToUpper(cert.ID)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := employer.get("/verificar/" + tc.target)
			wantStatus(t, rec, http.StatusOK)
			wantBody(t, rec, "Certificado válido", "José Ñúñez Peña", "Certificación de Ejemplo", "28 de noviembre de 2026", "No vence", `<meta name="robots" content="noindex">`)
			if strings.Contains(rec.Body.String(), "jose@ejemplo.mx") {
				t.Error("the verification page shows the e-mail")
			}
			if rec.Header().Get("X-Robots-Tag") != "noindex" {
				t.Error("verification page is indexable")
			}
		})
	}
	rec := employer.get("/verificar?codigo=" + url.QueryEscape(" "+strings.ToLower(cert.Code)+" "))
	wantStatus(t, rec, http.StatusSeeOther)

	api := employer.get("/api/v1/certificates/" + strings.ToLower(cert.Code))
	wantStatus(t, api, http.StatusOK)
	var got map[string]any
	if err := json.Unmarshal(api.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"id", "code", "holder_name", "certification", "issued_at", "expires_at", "status", "revoked_at", "revocation_reason", "verify_url", "credential", "signature", "key_id"} {
		if _, ok := got[k]; !ok {
			t.Errorf("API lacks %q", k)
		}
	}
	if got["status"] != "valid" || got["holder_name"] != "José Ñúñez Peña" || got["expires_at"] != nil || got["key_id"] != env.key.ID {
		t.Errorf("API = %s", api.Body)
	}
	if _, ok := got["email"]; ok {
		t.Error("API exposes the e-mail")
	}
	var signed certificate.Signed
	json.Unmarshal(api.Body.Bytes(), &signed)
	if _, err := certificate.Verify(signed, map[string]ed25519Key{env.key.ID: env.key.Public()}); err != nil {
		t.Errorf("API credential does not verify: %v", err)
	}

	keys := employer.get("/.well-known/mxcert-keys.json")
	wantStatus(t, keys, http.StatusOK)
	if ks, err := certificate.ParseKeySet(keys.Body.Bytes()); err != nil || ks[env.key.ID] == nil {
		t.Errorf("key set: %s %v", keys.Body, err)
	}
}

func TestRevocationShowsEverywhereAtOnce(t *testing.T) {
	env := newEnv(t)
	c := env.client(t)
	c.register("José Ñúñez Peña", "jose@ejemplo.mx", goodPassword)
	cert := passExam(t, env, c)
	if _, err := env.certs.Revoke(context.Background(), 0, strings.ToLower(cert.Code), "Se comprobó suplantación de identidad en el examen."); err != nil {
		t.Fatal(err)
	}
	employer := env.client(t)
	wantBody(t, employer.get("/verificar/"+cert.Code), "Certificado revocado", "La Fundación MxOS lo revocó el 28 de noviembre de 2026", "Motivo: Se comprobó suplantación de identidad en el examen.")
	api := employer.get("/api/v1/certificates/" + cert.ID)
	wantBody(t, api, `"status":"revoked"`, `"revocation_reason":"Se comprobó suplantación de identidad en el examen."`, `"revoked_at":"2026-11-28T18:00:00Z"`)
	wantBody(t, c.get("/certificados/"+cert.ID), "Certificado revocado")

	if _, err := env.certs.Revoke(context.Background(), 0, cert.Code, "otra vez"); err != certificate.ErrNoChange {
		t.Errorf("revoking twice: %v", err)
	}
	if _, err := env.certs.Reinstate(context.Background(), 0, cert.ID); err != nil {
		t.Fatal(err)
	}
	wantBody(t, employer.get("/api/v1/certificates/"+cert.ID), `"status":"valid"`, `"revoked_at":null`)
}

func TestExpiredCertificate(t *testing.T) {
	env := newEnv(t)
	c := env.client(t)
	c.register("Ana López", "ana@ejemplo.mx", goodPassword)
	cert := passExam(t, env, c)
	// Give it an expiry and move past it.
	exp := cert.IssuedAt.Add(24 * time.Hour)
	cert.ExpiresAt = &exp
	if got := certificate.StatusOf(cert, exp.Add(time.Second)); got != certificate.StatusExpired {
		t.Errorf("status after expiry = %s", got)
	}
	if got := certificate.StatusOf(cert, exp.Add(-time.Second)); got != certificate.StatusValid {
		t.Errorf("status before expiry = %s", got)
	}
}

func TestUnknownAndMalformedCertificates(t *testing.T) {
	env := newEnv(t)
	c := env.client(t)
	for _, tc := range []struct{ name, target string }{
		{"unknown code", "SB-0000-0000-0000"},
		{"neither code nor id", "no-existe"},
		{"unknown id", "00000000-0000-0000-0000-000000000000"},
		{"SQL", "%27%20OR%201%3D1--"},
		{"markup", "%3Cscript%3E"},
		{"very long", strings.Repeat("A", 300)},
		{"a path", "..%2f..%2fetc%2fpasswd"},
		{"letter outside the alphabet", "SB-7K4Q-9XTP-M2HU"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := c.get("/verificar/" + tc.target)
			if rec.Code != http.StatusNotFound {
				t.Errorf("GET /verificar/%s = %d, want 404", tc.target, rec.Code)
			}
			wantBody(t, rec, "No encontramos ese certificado")
			if strings.Contains(rec.Body.String(), "<script>") {
				t.Error("the query is echoed unescaped")
			}
			api := c.get("/api/v1/certificates/" + tc.target)
			if api.Code != http.StatusNotFound || !strings.Contains(api.Body.String(), `"error":"not_found"`) {
				t.Errorf("API %s = %d %s", tc.target, api.Code, api.Body)
			}
		})
	}
}

func TestVerificationIsRateLimited(t *testing.T) {
	env := newEnv(t)
	c := env.client(t)
	c.ip = "203.0.113.77"
	limited := 0
	for i := range 40 {
		rec := c.get(fmt.Sprintf("/verificar/SB-%04d-0000-0000", i))
		if rec.Code == http.StatusTooManyRequests {
			limited++
		}
	}
	if limited == 0 {
		t.Fatal("40 look-ups in a row were never limited")
	}
	env.clock.Advance(time.Minute)
	if rec := c.get("/verificar/SB-0000-0000-0000"); rec.Code != http.StatusNotFound {
		t.Errorf("after waiting: %d", rec.Code)
	}
}

// Concurrent submissions of one passing attempt issue exactly one
// certificate.
func TestConcurrentFinalisationIssuesOnce(t *testing.T) {
	env := newEnv(t)
	c := env.client(t)
	c.register("Ana López", "ana@ejemplo.mx", goodPassword)
	a := startExam(t, env, c, "ejemplo")
	for i, it := range a.Items {
		c.post("/examen/"+a.ID+"/respuesta", saveForm(a, i, a.Seq+int64(i), it.Item.Key()))
	}
	var wg sync.WaitGroup
	for range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := env.srv.attempts.Finalize(context.Background(), a.UserID, a.ID, "submitted"); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	certs, err := env.svc.DB.UserCertificates(context.Background(), a.UserID)
	if err != nil || len(certs) != 1 {
		t.Fatalf("%d certificates, %v; want exactly 1", len(certs), err)
	}
}
