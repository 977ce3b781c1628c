package cli

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"mxcert/internal/certificate"
	"mxcert/internal/datefmt"
	"mxcert/internal/model"
	"mxcert/internal/services"
	"mxcert/internal/store"
)

func runCert(ctx context.Context, args []string, s Streams) int {
	usage := func() int {
		fmt.Fprintln(s.Err, "Uso: mxcert cert revoke ID-O-CÓDIGO --reason \"MOTIVO\" [--data DIR]")
		fmt.Fprintln(s.Err, "     mxcert cert reinstate ID-O-CÓDIGO [--data DIR]")
		return 2
	}
	if len(args) < 2 || (args[0] != "revoke" && args[0] != "reinstate") {
		return usage()
	}
	action, target := args[0], args[1]
	fs := newFlagSet("cert "+action, s)
	data := addDataFlags(fs)
	reason := fs.String("reason", "", "motivo de la revocación (obligatorio al revocar)")
	if code, ok := parse(fs, args[2:]); !ok {
		return code
	}
	if action == "revoke" && strings.TrimSpace(*reason) == "" {
		fmt.Fprintln(s.Err, "mxcert cert revoke: --reason es obligatorio: el motivo se muestra en la página de verificación")
		return 2
	}
	svc, err := data.open(ctx)
	if err != nil {
		fmt.Fprintf(s.Err, "mxcert cert: %v\n", err)
		return 1
	}
	defer svc.Close()
	var c *model.Certificate
	if action == "revoke" {
		c, err = svc.Certificates.Revoke(ctx, 0, target, *reason)
	} else {
		c, err = svc.Certificates.Reinstate(ctx, 0, target)
	}
	switch {
	case errors.Is(err, store.ErrNotFound):
		fmt.Fprintf(s.Err, "mxcert cert: no hay ningún certificado %q\n", target)
		return 1
	case errors.Is(err, certificate.ErrNoChange):
		fmt.Fprintf(s.Err, "mxcert cert: el certificado %s ya estaba %s; no cambió nada\n", c.Code, statusES(c.Status))
		return 1
	case errors.Is(err, store.ErrConflict):
		fmt.Fprintln(s.Err, "mxcert cert: la persona ya tiene otro certificado válido de esta certificación")
		return 1
	case err != nil:
		fmt.Fprintf(s.Err, "mxcert cert: %v\n", err)
		return 1
	}
	fmt.Fprintf(s.Out, "Certificado %s de %s: %s\n", c.Code, c.HolderName, statusES(c.Status))
	return 0
}

// statusES says a status in Spanish: a stored one or one a server
// reported (which may be "expired").
func statusES[S ~string](s S) string {
	switch string(s) {
	case string(model.CertValid):
		return "válido"
	case string(model.CertRevoked):
		return "revocado"
	case string(model.CertSuperseded):
		return "reemplazado"
	case string(certificate.StatusExpired):
		return "vencido"
	}
	return string(s)
}

func runVerify(ctx context.Context, args []string, s Streams) int {
	fs := newFlagSet("verify", s)
	keysFrom := fs.String("keys", "", "URL o archivo con las llaves públicas (mxcert-keys.json); por omisión la llave de --data si existe, si no la del sitio emisor")
	dataDir := fs.String("data", env("data", "./data"), "carpeta de datos con la llave de firma (verificación sin conexión)")
	offline := fs.Bool("offline", false, "no consultar el estado en línea")
	var file string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		file, args = args[0], args[1:]
	}
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if file == "" {
		fmt.Fprintln(s.Err, "Uso: mxcert verify ARCHIVO.pdf [--keys URL-o-archivo] [--data DIR] [--offline]")
		return 2
	}
	pdf, err := os.ReadFile(file) // #nosec G304 -- the file the user asked to verify
	if err != nil {
		fmt.Fprintf(s.Err, "mxcert verify: %v\n", err)
		return 1
	}
	signed, err := certificate.ExtractSigned(pdf)
	if err != nil {
		fmt.Fprintf(s.Out, "NO VÁLIDO: %s\n", verifyErrorES(err))
		return 1
	}
	var claimed certificate.Credential
	if err := json.Unmarshal(signed.Credential, &claimed); err != nil {
		fmt.Fprintln(s.Out, "NO VÁLIDO: la credencial del PDF no se puede leer")
		return 1
	}
	keys, source, err := loadKeys(ctx, *keysFrom, *dataDir, claimed.VerifyURL)
	if err != nil {
		fmt.Fprintf(s.Err, "mxcert verify: no se pudieron obtener las llaves públicas: %v\n", err)
		return 1
	}
	cred, err := certificate.Verify(signed, keys)
	if err != nil {
		fmt.Fprintf(s.Out, "NO VÁLIDO: %s\n", verifyErrorES(err))
		return 1
	}
	zone, err := time.LoadLocation(services.DefaultZone) // dates as the certificate prints them
	if err != nil {
		fmt.Fprintf(s.Err, "mxcert verify: %v\n", err)
		return 1
	}
	fmt.Fprintf(s.Out, "Titular:        %s\n", cred.HolderName)
	fmt.Fprintf(s.Out, "Certificación:  %s (temario %s)\n", cred.Certification.Title, cred.Certification.Version)
	fmt.Fprintf(s.Out, "Código:         %s\n", cred.Code)
	fmt.Fprintf(s.Out, "Identificador:  %s\n", cred.ID)
	fmt.Fprintf(s.Out, "Emitido:        %s por %s\n", dateES(cred.IssuedAt, zone), cred.Issuer)
	if cred.ExpiresAt != "" {
		fmt.Fprintf(s.Out, "Vence:          %s\n", dateES(cred.ExpiresAt, zone))
	} else {
		fmt.Fprintln(s.Out, "Vence:          no vence")
	}
	fmt.Fprintf(s.Out, "Firma:          válida (llave %s, %s)\n", signed.KeyID, source)
	verdict := 0
	if !*offline {
		status, err := onlineStatus(ctx, cred)
		switch {
		case err != nil:
			fmt.Fprintf(s.Out, "Estado en línea: no se pudo consultar (%v)\n", err)
		case status == string(certificate.StatusValid):
			fmt.Fprintln(s.Out, "Estado en línea: válido")
		default:
			fmt.Fprintf(s.Out, "Estado en línea: %s\n", strings.ToUpper(statusES(status)))
			verdict = 1
		}
	}
	if verdict != 0 {
		fmt.Fprintln(s.Out, "NO VÁLIDO: la firma es auténtica, pero la Fundación ya no respalda este certificado")
		return 1
	}
	fmt.Fprintln(s.Out, "VÁLIDO: el PDF es auténtico y no fue alterado")
	return 0
}

func verifyErrorES(err error) string {
	switch {
	case errors.Is(err, certificate.ErrNoCredential):
		return "el PDF no trae credencial firmada; no es un certificado de MxOS Certificación"
	case errors.Is(err, certificate.ErrBadSignature):
		return "la firma no coincide: el certificado fue alterado o falsificado"
	case errors.Is(err, certificate.ErrUnknownKey):
		return "lo firmó una llave que la Fundación no publica"
	}
	return err.Error()
}

func dateES(rfc string, zone *time.Location) string {
	t, err := time.Parse(time.RFC3339, rfc)
	if err != nil {
		return rfc
	}
	return datefmt.Spanish(t.In(zone))
}

// loadKeys finds the public keys to trust: --keys (URL or file), else the
// signing key in the data directory (offline), else the issuer's published
// key set.
func loadKeys(ctx context.Context, from, dataDir, verifyURL string) (map[string]ed25519.PublicKey, string, error) {
	if from == "" {
		path := filepath.Join(dataDir, "keys", "signing.key")
		if _, err := os.Stat(path); err == nil {
			// Only its public half is used here, to check a signature.
			k, err := certificate.LoadOrCreateKey(path, true)
			if err != nil {
				return nil, "", err
			}
			pubs, err := certificate.PublicKeys(k, filepath.Join(dataDir, "keys", "retired"))
			if err != nil {
				return nil, "", err
			}
			data, _ := json.Marshal(certificate.KeySet{Keys: pubs}) // plain structs always marshal
			keys, err := certificate.ParseKeySet(data)
			return keys, "llave local de " + dataDir, err
		}
		u, err := url.Parse(verifyURL)
		if err != nil || u.Host == "" {
			return nil, "", fmt.Errorf("la credencial no dice dónde están las llaves; usa --keys")
		}
		from = u.Scheme + "://" + u.Host + "/.well-known/mxcert-keys.json"
	}
	var data []byte
	var err error
	if strings.HasPrefix(from, "http://") || strings.HasPrefix(from, "https://") {
		data, err = fetch(ctx, from)
	} else {
		data, err = os.ReadFile(from) // #nosec G304 -- a key file the user named
	}
	if err != nil {
		return nil, "", err
	}
	keys, err := certificate.ParseKeySet(data)
	return keys, from, err
}

func fetch(ctx context.Context, u string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req) // #nosec G107 -- the issuer's URL or one the user gave
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s respondió %s", u, resp.Status)
	}
	return io.ReadAll(io.LimitReader(resp.Body, 1<<20))
}

// onlineStatus asks the issuer's API for the certificate's current status.
func onlineStatus(ctx context.Context, c certificate.Credential) (string, error) {
	u, err := url.Parse(c.VerifyURL)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("sin dirección de verificación")
	}
	data, err := fetch(ctx, u.Scheme+"://"+u.Host+"/api/v1/certificates/"+url.PathEscape(c.ID))
	if err != nil {
		return "", err
	}
	var out struct {
		Status string `json:"status"`
	}
	if err := json.Unmarshal(data, &out); err != nil || out.Status == "" {
		return "", fmt.Errorf("respuesta inesperada")
	}
	return out.Status, nil
}
