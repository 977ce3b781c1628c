package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	_ "time/tzdata" // the tests show dates in America/Mexico_City, on any machine

	"mxcert/internal/account"
	"mxcert/internal/app"
	"mxcert/internal/mailtest"
)

// TestCertificateLifecycle runs the real server and the real command line
// together: a candidate passes over HTTP, downloads the PDF, `mxcert verify`
// confirms it online, `mxcert cert revoke` revokes it, and verify then says
// it is no longer valid.
func TestCertificateLifecycle(t *testing.T) {
	dataDir := t.TempDir()
	a, err := app.New(app.Config{Addr: "127.0.0.1:0", DataDir: dataDir, ContentDir: fixture, HashParams: account.HashParams{Memory: 64, Time: 1, Threads: 1}},
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	defer func() { cancel(); <-done }()

	jar, _ := cookiejar.New(nil)
	web := &http.Client{Jar: jar}
	post := func(path string, form url.Values) *http.Response {
		t.Helper()
		resp, err := web.PostForm(a.URL()+path, form)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	body := func(resp *http.Response) string {
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	body(post("/registro", url.Values{"name": {"María José Ñúñez"}, "email": {"mj@ejemplo.mx"}, "password": {"una frase larga y segura"}, "state": {"Jalisco"}}))
	mailtest.ConfirmAndSignIn(t, web, a.URL(), a.DB(), "mj@ejemplo.mx", "una frase larga y segura")
	resp := post("/certificaciones/ejemplo/examen", url.Values{"confirmo": {"1"}, "nombre": {"María José Ñúñez"}})
	examURL := resp.Request.URL.Path // the first question's page, /examen/ID?p=1
	body(resp)
	id := strings.TrimPrefix(examURL, "/examen/")
	att, err := a.DB().Attempt(ctx, id, 0)
	if err != nil {
		t.Fatalf("attempt %q: %v", examURL, err)
	}
	for i, it := range att.Items {
		form := url.Values{"pregunta": {fmt.Sprint(i + 1)}, "id_pregunta": {it.Item.QuestionID}, "seq": {fmt.Sprint(i)}}
		for _, k := range it.Item.Key() {
			form.Add("opcion", fmt.Sprint(k))
		}
		body(post(examURL+"/respuesta", form))
	}
	result := body(post(examURL+"/entregar", nil))
	m := regexp.MustCompile(`/certificados/([0-9a-f-]{36})`).FindStringSubmatch(result)
	if m == nil {
		t.Fatalf("no certificate link on the result page:\n%s", result)
	}
	pdfResp, err := web.Get(a.URL() + "/certificados/" + m[1] + "/pdf")
	if err != nil {
		t.Fatal(err)
	}
	pdf, _ := io.ReadAll(pdfResp.Body)
	pdfResp.Body.Close()
	file := filepath.Join(t.TempDir(), "certificado.pdf")
	os.WriteFile(file, pdf, 0o600)

	// An employer without the data directory: keys from the server.
	code, out, _ := run(t, "verify", file, "--data", t.TempDir())
	if code != 0 || !strings.Contains(out, "María José Ñúñez") || !strings.Contains(out, "Estado en línea: válido") {
		t.Fatalf("verify: exit %d\n%s", code, out)
	}
	cert, err := a.DB().CertificateByID(ctx, m[1])
	if err != nil {
		t.Fatal(err)
	}
	code, out, errOut := run(t, "cert", "revoke", strings.ToLower(cert.Code), "--reason", "Error en la identidad", "--data", dataDir)
	if code != 0 || !strings.Contains(out, "revocado") {
		t.Fatalf("revoke: exit %d %s %s", code, out, errOut)
	}
	code, out, _ = run(t, "verify", file, "--data", dataDir)
	if code != 1 || !strings.Contains(out, "REVOCADO") {
		t.Errorf("verify after revoking: exit %d\n%s", code, out)
	}
	apiResp, _ := web.Get(a.URL() + "/api/v1/certificates/" + cert.Code)
	var api map[string]any
	json.NewDecoder(apiResp.Body).Decode(&api)
	apiResp.Body.Close()
	if api["status"] != "revoked" || api["revocation_reason"] != "Error en la identidad" {
		t.Errorf("API after revoking: %v", api)
	}
	code, out, _ = run(t, "cert", "reinstate", cert.ID, "--data", dataDir)
	if code != 0 || !strings.Contains(out, "válido") {
		t.Errorf("reinstate: exit %d %s", code, out)
	}
}
