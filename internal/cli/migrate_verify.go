package cli

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"mxcert/internal/certificate"
	"mxcert/internal/model"
	"mxcert/internal/services"
	"mxcert/internal/store"
)

// printChecks prints one line per table: its rows, the start of its sum
// and whether PostgreSQL holds the same.
func printChecks(out io.Writer, checks []store.TableCheck) {
	width := len("Tabla")
	for _, c := range checks {
		width = max(width, len(c.Table))
	}
	fmt.Fprintf(out, "%-*s %10s  %-16s  %s\n", width, "Tabla", "Filas", "SHA-256", "Resultado")
	for _, c := range checks {
		verdict := "OK"
		if !c.Same() {
			verdict = fmt.Sprintf("DIFERENTE (PostgreSQL: %d filas, %s)", c.PostgresRows, hex.EncodeToString(c.PostgresSum[:8]))
		}
		fmt.Fprintf(out, "%-*s %10d  %-16s  %s\n", width, c.Table, c.SQLiteRows, hex.EncodeToString(c.SQLiteSum[:8]), verdict)
	}
}

func differing(checks []store.TableCheck) int {
	n := 0
	for _, c := range checks {
		if !c.Same() {
			n++
		}
	}
	return n
}

func rowsOf(checks []store.TableCheck, table string) int64 {
	for _, c := range checks {
		if c.Table == table {
			return c.SQLiteRows
		}
	}
	return 0
}

// verifyCertificates opens the services on the copy, as a replica would,
// and checks every certificate as the public verification does: the
// signature over the stored credential with the key it names (the
// published key set: the current key and the retired ones), the signed
// credential naming this certificate, and the look-up by code finding it
// with the same status. It returns how many were checked; the first
// certificates that fail are a problem.
func verifyCertificates(ctx context.Context, cfg migrateConfig) (n int, err error) {
	set, err := services.Open(ctx, services.Config{DataDir: cfg.data, Database: cfg.to, KeyPath: cfg.key, AllowSharedKey: cfg.allowSharedKey})
	if err != nil {
		return 0, fmt.Errorf("abrir los servicios sobre PostgreSQL: %w", err)
	}
	defer func() { err = errors.Join(err, set.Close()) }()
	ks, err := set.Certificates.KeySet()
	if err != nil {
		return 0, fmt.Errorf("llaves públicas: %w", err)
	}
	data, err := json.Marshal(ks)
	if err != nil {
		return 0, err
	}
	keys, err := certificate.ParseKeySet(data)
	if err != nil {
		return 0, fmt.Errorf("llaves públicas: %w", err)
	}
	now := set.Now()
	var failures []string
	err = set.DB.ExportCertificates(ctx, func(c *model.Certificate) error {
		n++
		if why := checkCertificate(ctx, set.Certificates, keys, c, now); why != "" && len(failures) < 10 {
			failures = append(failures, fmt.Sprintf("%s (%s): %s", c.Code, c.ID, why))
		}
		return nil
	})
	if err != nil {
		return n, fmt.Errorf("leer los certificados: %w", err)
	}
	if len(failures) > 0 {
		msg := "hay certificados que no se verifican en PostgreSQL:"
		for _, f := range failures {
			msg += "\n  " + f
		}
		return n, problem(msg + "\n" + leaveAsIs)
	}
	return n, nil
}

// checkCertificate says why c does not verify, or "" when it does.
func checkCertificate(ctx context.Context, certs *certificate.Service, keys map[string]ed25519.PublicKey, c *model.Certificate, now time.Time) string {
	cred, err := certificate.Verify(certificate.SignedOf(c), keys)
	if err != nil {
		return "la firma no se verifica: " + verifyErrorES(err)
	}
	if cred.ID != c.ID || cred.Code != c.Code || cred.HolderName != c.HolderName {
		return "la credencial firmada no corresponde a su registro"
	}
	found, err := certs.Lookup(ctx, c.Code)
	if err != nil {
		return "la consulta pública por código no lo encuentra: " + err.Error()
	}
	if found.ID != c.ID || found.Status != c.Status || certificate.StatusOf(found, now) != certificate.StatusOf(c, now) {
		return fmt.Sprintf("la consulta pública por código lo muestra %s, no %s", statusES(string(certificate.StatusOf(found, now))), statusES(string(certificate.StatusOf(c, now))))
	}
	return ""
}
