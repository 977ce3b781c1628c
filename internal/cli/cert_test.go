package cli

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mxcert/internal/certificate"
)

// certificatePDF signs and renders a certificate with the data directory's
// key, its verification URL on server.
func certificatePDF(t *testing.T, dataDir, server, holder string) string {
	t.Helper()
	k, err := certificate.LoadOrCreateKey(filepath.Join(dataDir, "keys", "signing.key"), false)
	if err != nil {
		t.Fatal(err)
	}
	cred := certificate.Credential{Type: "MxOSCertificate", Version: 1, ID: "3f1c2a9e-8b7d-4e21-9c55-0a1b2c3d4e5f", Code: "SB-7K4Q-9XTP-M2HW",
		HolderName: holder, Certification: certificate.Certification{ID: "soporte-basico", Title: "Certificación en Soporte Básico de MxOS", Version: "2026.1"},
		IssuedAt: "2026-11-28T18:00:00Z", Issuer: certificate.Issuer, VerifyURL: server + "/verificar/SB-7K4Q-9XTP-M2HW"}
	signed, err := certificate.Sign(cred, k)
	if err != nil {
		t.Fatal(err)
	}
	if holder == "FORGED" { // keep the signature, change the name
		cred.HolderName = "Persona Falsa"
		signed.Credential, _ = cred.Canonical()
	}
	pdf, err := certificate.RenderPDF(certificate.Document{ID: cred.ID, Code: cred.Code, HolderName: cred.HolderName, Certification: cred.Certification.Title,
		IssuedAt: time.Date(2026, 11, 28, 18, 0, 0, 0, time.UTC), VerifyURL: cred.VerifyURL, Signed: signed})
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "certificado.pdf")
	if err := os.WriteFile(file, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

func TestVerifyCommand(t *testing.T) {
	status := "valid"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v1/certificates/3f1c2a9e-8b7d-4e21-9c55-0a1b2c3d4e5f" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"status":"` + status + `"}`))
	}))
	defer srv.Close()
	dataDir := t.TempDir()
	good := certificatePDF(t, dataDir, srv.URL, "José Ñúñez Peña")

	code, out, _ := run(t, "verify", good, "--data", dataDir, "--offline")
	if code != 0 || !strings.Contains(out, "Titular:        José Ñúñez Peña") || !strings.Contains(out, "28 de noviembre de 2026") || !strings.Contains(out, "VÁLIDO: el PDF es auténtico") {
		t.Errorf("offline verify: exit %d\n%s", code, out)
	}
	code, out, _ = run(t, "verify", good, "--data", dataDir)
	if code != 0 || !strings.Contains(out, "Estado en línea: válido") {
		t.Errorf("online verify: exit %d\n%s", code, out)
	}
	status = "revoked"
	code, out, _ = run(t, "verify", good, "--data", dataDir)
	if code != 1 || !strings.Contains(out, "REVOCADO") || !strings.Contains(out, "NO VÁLIDO") {
		t.Errorf("revoked: exit %d\n%s", code, out)
	}

	forged := certificatePDF(t, dataDir, srv.URL, "FORGED")
	code, out, _ = run(t, "verify", forged, "--data", dataDir, "--offline")
	if code != 1 || !strings.Contains(out, "NO VÁLIDO: la firma no coincide") || strings.Contains(out, "Persona Falsa") {
		t.Errorf("forged: exit %d\n%s", code, out)
	}

	// Keys from a file (the published key set), no data directory.
	k, _ := certificate.LoadOrCreateKey(filepath.Join(dataDir, "keys", "signing.key"), false)
	pubs, _ := certificate.PublicKeys(k, "")
	var ks bytes.Buffer
	ks.WriteString(`{"issuer":"Fundación MxOS","keys":[{"kid":"` + pubs[0].ID + `","alg":"Ed25519","public_key":"` + pubs[0].Key + `"}]}`)
	keyFile := filepath.Join(t.TempDir(), "mxcert-keys.json")
	os.WriteFile(keyFile, ks.Bytes(), 0o600)
	if code, out, _ := run(t, "verify", good, "--keys", keyFile, "--data", t.TempDir(), "--offline"); code != 0 {
		t.Errorf("--keys file: exit %d\n%s", code, out)
	}
	// Another issuer's key does not vouch for it.
	otherData := t.TempDir()
	certificate.LoadOrCreateKey(filepath.Join(otherData, "keys", "signing.key"), false)
	if code, out, _ := run(t, "verify", good, "--data", otherData, "--offline"); code != 1 || !strings.Contains(out, "llave que la Fundación no publica") {
		t.Errorf("wrong key: exit %d\n%s", code, out)
	}

	notPDF := filepath.Join(t.TempDir(), "x.pdf")
	os.WriteFile(notPDF, []byte("hola"), 0o600)
	if code, _, _ := run(t, "verify", notPDF, "--offline"); code != 1 {
		t.Errorf("not a PDF: exit %d", code)
	}
	if code, _, _ := run(t, "verify"); code != 2 {
		t.Errorf("no file: exit %d", code)
	}
}

func TestCertCommandNeedsAReason(t *testing.T) {
	if code, _, errOut := run(t, "cert", "revoke", "SB-7K4Q-9XTP-M2HW", "--data", t.TempDir()); code != 2 || !strings.Contains(errOut, "--reason") {
		t.Errorf("revoke without reason: exit %d %q", code, errOut)
	}
	if code, _, errOut := run(t, "cert", "revoke", "SB-7K4Q-9XTP-M2HW", "--reason", "prueba", "--data", t.TempDir()); code != 1 || !strings.Contains(errOut, "no hay ningún certificado") {
		t.Errorf("unknown certificate: exit %d %q", code, errOut)
	}
}
