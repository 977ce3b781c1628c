package admin

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestExports(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	passer := e.candidate(t, "Ana López", "=1+2@ejemplo.mx", "Oaxaca")
	passed := e.exam(t, passer, true)
	failer := e.candidate(t, "Luis Pérez", "luis@ejemplo.mx", "")
	e.clock.Set(e.clock.Now().Add(time.Minute))
	failed := e.exam(t, failer, false)
	cert, err := e.certs.ByAttempt(ctx, passed.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.certs.Revoke(ctx, 0, cert.ID, "=HYPERLINK(\"x\")"); err != nil {
		t.Fatal(err)
	}

	collect := func(export func(context.Context, func([]string) error) error) [][]string {
		t.Helper()
		var rows [][]string
		if err := export(ctx, func(row []string) error { rows = append(rows, row); return nil }); err != nil {
			t.Fatal(err)
		}
		return rows
	}
	attempts := collect(e.svc.ExportAttempts)
	certs := collect(e.svc.ExportCertificates)
	started := passed.StartedAt.UTC().Format(time.RFC3339)

	for _, tc := range []struct {
		name string
		rows [][]string
		row  int
		want map[int]string // column → value
	}{
		{"attempts header", attempts, 0, map[int]string{0: "intento", 1: "correo", 13: "minutos_adicionales"}},
		{"a pass, its e-mail as typed", attempts, 1, map[int]string{0: passed.ID, 1: "=1+2@ejemplo.mx", 3: "Oaxaca", 6: started, 8: "passed", 9: "submitted", 10: "2", 11: "2", 12: "100"}},
		{"a fail", attempts, 2, map[int]string{0: failed.ID, 3: "", 8: "failed", 10: "0"}},
		{"certificates header", certs, 0, map[int]string{0: "id", 7: "estado", 10: "reemplazado_por"}},
		{"a revoked certificate", certs, 1, map[int]string{0: cert.ID, 1: cert.Code, 2: "Ana López", 6: "", 7: "revoked", 8: e.clock.Now().UTC().Format(time.RFC3339), 9: "=HYPERLINK(\"x\")"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.row >= len(tc.rows) {
				t.Fatalf("no row %d in %v", tc.row, tc.rows)
			}
			row := tc.rows[tc.row]
			if len(row) != len(tc.rows[0]) {
				t.Errorf("row has %d cells, the header %d", len(row), len(tc.rows[0]))
			}
			for col, want := range tc.want {
				if row[col] != want {
					t.Errorf("column %d (%s) = %q, want %q", col, tc.rows[0][col], row[col], want)
				}
			}
		})
	}
	if len(attempts) != 3 || len(certs) != 2 {
		t.Errorf("%d attempt rows and %d certificate rows", len(attempts), len(certs))
	}

	stop := errors.New("client went away")
	if err := e.svc.ExportAttempts(ctx, func([]string) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("a failing writer: %v, want it back", err)
	}
}
