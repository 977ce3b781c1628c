package cli

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"mxcert/internal/account"
	"mxcert/internal/attempt"
	"mxcert/internal/certificate"
	"mxcert/internal/directory"
	"mxcert/internal/model"
	"mxcert/internal/pgtest"
	"mxcert/internal/store"
)

// sqliteInt reads one number from an SQLite file, without changing it.
func sqliteInt(t *testing.T, path, query string) int64 {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int64
	if err := db.QueryRow(query).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func runMain(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := Main(context.Background(), args, Streams{In: strings.NewReader(""), Out: &out, Err: &errb})
	return code, out.String(), errb.String()
}

var checkLine = regexp.MustCompile(`(?m)^([a-z_]+) +(\d+)  ([0-9a-f]{16})  (OK|DIFERENTE.*)$`)

// An installation with a row in every table moves to PostgreSQL and works
// there: the candidate is still signed in and resumes the exam with the
// saved answers, the certificates verify with their status, the directory
// finds the listing, and new rows get new ids.
func TestMigrateToPostgres(t *testing.T) {
	url := pgtest.URL(t)
	ctx := context.Background()
	d := populate(t)
	src := filepath.Join(d.data, store.FileName)
	maxUser, maxAudit := sqliteInt(t, src, `SELECT max(id) FROM users`), sqliteInt(t, src, `SELECT max(id) FROM audit_log`)

	code, out, errOut := runMain("migrate", "--from", src, "--to", url)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	t.Logf("\n%s", out)
	rows := map[string]int64{}
	for _, m := range checkLine.FindAllStringSubmatch(out, -1) {
		if m[4] != "OK" {
			t.Errorf("%s: %s", m[1], m[4])
		}
		rows[m[1]], _ = strconv.ParseInt(m[2], 10, 64)
	}
	if len(rows) != 27 {
		t.Errorf("%d tables in the check, want 27:\n%s", len(rows), out)
	}
	for table, n := range rows {
		if n == 0 {
			t.Errorf("%s has no rows: the test does not show that it moves", table)
		}
	}
	if rows["certificates"] != 4 || !strings.Contains(out, "\n4 certificados verificados") {
		t.Errorf("certificates: %d rows\n%s", rows["certificates"], out)
	}
	if _, err := os.Stat(src); err != nil {
		t.Errorf("the source: %v", err)
	}
	if left, _ := filepath.Glob(filepath.Join(d.data, ".mxcert-migrate-*")); len(left) > 0 {
		t.Errorf("the snapshot was left behind: %v", left)
	}

	set := d.openServices(t, url)
	defer func() {
		if err := set.Close(); err != nil {
			t.Error(err)
		}
	}()
	if u, err := set.Accounts.Resolve(ctx, d.sessionToken); err != nil || u.ID != d.candidate.ID {
		t.Errorf("the candidate's session on PostgreSQL: %+v, %v", u, err)
	}
	if u, err := set.Accounts.Authenticate(ctx, "rosa@ejemplo.mx", migratePassword, "10.0.0.9"); err != nil || u.ID != d.candidate.ID {
		t.Errorf("signing in on PostgreSQL: %+v, %v", u, err)
	}
	a, err := set.Attempts.Attempt(ctx, d.candidate.ID, d.openAttempt.ID)
	if err != nil || a.Status != model.AttemptInProgress {
		t.Fatalf("the exam in progress: %+v, %v", a, err)
	}
	for i, it := range a.Items {
		if want := d.savedAnswers[i]; !slices.Equal(it.Answer, want) || it.Flagged != (i == 1) {
			t.Errorf("question %d: answer %v flagged %v, want %v flagged %v", i, it.Answer, it.Flagged, want, i == 1)
		}
	}
	it := a.Items[1].Item // answered wrong before the move
	if _, err := set.Attempts.Save(ctx, d.candidate.ID, attempt.Answer{AttemptID: a.ID, Position: 1, QuestionID: it.QuestionID, Options: answer(it.Options, true), Known: a.Seq}); err != nil {
		t.Errorf("answering on PostgreSQL: %v", err)
	}

	for code, want := range map[string]certificate.Status{d.validCode: certificate.StatusValid, d.revokedCode: certificate.StatusRevoked, d.supersededCode: certificate.StatusSuperseded, d.replacedByCode: certificate.StatusValid} {
		c, err := set.Certificates.Lookup(ctx, strings.ToLower(code))
		if err != nil {
			t.Errorf("look-up of %s: %v", code, err)
			continue
		}
		if got := certificate.StatusOf(c, d.clock.Now()); got != want {
			t.Errorf("%s is %s, want %s", code, got, want)
		}
	}
	if old, err := set.Certificates.Lookup(ctx, d.supersededCode); err == nil {
		if r, err := set.Certificates.Replacement(ctx, old); err != nil || r.Code != d.replacedByCode {
			t.Errorf("replacement of %s: %+v, %v", d.supersededCode, r, err)
		}
	}

	found, err := set.Directory.Search(ctx, directory.Query{Text: "nezahualcoyotl"})
	if err != nil || len(found.Listings) != 1 || found.Listings[0].HolderName != "Carla Neza" {
		t.Errorf("directory search on PostgreSQL: %+v, %v", found, err)
	}

	u, err := set.Accounts.CreateUser(ctx, account.Registration{Name: "Gabriela Hernández", Email: "gaby@ejemplo.mx", Password: migratePassword}, model.RoleCandidate)
	if err != nil || u.ID != maxUser+1 {
		t.Fatalf("a new account on PostgreSQL: %+v, %v (the last id copied was %d)", u, err, maxUser)
	}
	entries, err := set.DB.Audit(ctx, store.AuditFilter{Limit: 1})
	if err != nil || len(entries) != 1 || entries[0].ID <= maxAudit {
		t.Errorf("newest audit entry: %+v, %v (the last id copied was %d)", entries, err, maxAudit)
	}

	// The copy is done once: the database is not empty any more.
	code, _, errOut = runMain("migrate", "--from", src, "--to", url)
	if code != 1 || !strings.Contains(errOut, "no está vacía: la tabla") {
		t.Errorf("a second copy: exit %d\n%s", code, errOut)
	}
}

// What is refused, before anything is copied, and why.
func TestMigrateRefuses(t *testing.T) {
	if code, _, errOut := runMain(); code != 2 || !strings.Contains(errOut, "  migrate  copia una instalación SQLite a una base PostgreSQL vacía") {
		t.Errorf("the list of subcommands: exit %d\n%s", code, errOut)
	}
	d := installation(t)
	src := filepath.Join(d.data, store.FileName)
	notDB := filepath.Join(t.TempDir(), "notas.db")
	if err := os.WriteFile(notDB, []byte("esto no es una base de datos, aunque se llame así\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	older := filepath.Join(t.TempDir(), store.FileName)
	if err := store.BackupFile(context.Background(), src, older); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite3", older)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`PRAGMA user_version = 20`); err != nil {
		t.Fatal(err)
	}
	db.Close()

	// Refused before PostgreSQL is reached: this address has no server.
	const nowhere = "postgres://mxcert@127.0.0.1:1/mxcert?connect_timeout=1"
	for _, tc := range []struct {
		name string
		env  string // MXCERT_DATABASE
		args []string
		code int
		want string
	}{
		{"no source", "", []string{"--to", nowhere}, 2, "Uso: mxcert migrate --from"},
		{"no target", "", []string{"--from", src}, 2, "Uso: mxcert migrate --from"},
		{"target not PostgreSQL", "", []string{"--from", src, "--to", "mysql://mxcert@db/mxcert"}, 2, "--to debe ser una dirección de PostgreSQL"},
		{"target from the environment", "sqlite:///srv/mxcert.db", []string{"--from", src}, 2, `no "sqlite:///srv/mxcert.db"`},
		{"password hidden", "", []string{"--from", src, "--to", "mysql://mxcert:secreta@db/mxcert"}, 2, "mysql://mxcert:xxxxx@db/mxcert"},
		{"missing source", "", []string{"--from", filepath.Join(d.data, "otra.db"), "--to", nowhere}, 1, "no existe " + filepath.Join(d.data, "otra.db")},
		{"not a database", "", []string{"--from", notDB, "--to", nowhere}, 1, notDB + " no es una base de datos de MxOS Certificación"},
		{"older schema", "", []string{"--from", older, "--data", d.data, "--to", nowhere}, 1, "versión 20 y este mxcert lo lleva a la 21. Inicia una vez el servidor SQLite con esta versión"},
		{"no signing key", "", []string{"--from", src, "--data", t.TempDir(), "--to", nowhere}, 1, "no se encontró la llave de firma"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("MXCERT_DATABASE", tc.env)
			code, out, errOut := runMain(append([]string{"migrate"}, tc.args...)...)
			if code != tc.code || !strings.Contains(errOut, tc.want) {
				t.Errorf("exit %d, want %d with %q\n%s%s", code, tc.code, tc.want, out, errOut)
			}
			if strings.Contains(errOut, "secreta") {
				t.Errorf("the password was shown:\n%s", errOut)
			}
		})
	}
	if left, _ := filepath.Glob(filepath.Join(d.data, ".mxcert-migrate-*")); len(left) > 0 {
		t.Errorf("a snapshot was left behind: %v", left)
	}
}

// A database that holds anything is refused, and stays as it was.
func TestMigrateRefusesADatabaseInUse(t *testing.T) {
	url := pgtest.URL(t)
	d := installation(t)
	pgExec(t, url, `CREATE TABLE notas (texto text)`)
	pgExec(t, url, `INSERT INTO notas VALUES ('de otra aplicación')`)
	code, out, errOut := runMain("migrate", "--from", filepath.Join(d.data, store.FileName), "--to", url)
	if code != 1 || !strings.Contains(errOut, "la base PostgreSQL no está vacía: la tabla notas tiene filas") || out != "" {
		t.Errorf("exit %d\n%s%s", code, out, errOut)
	}
	pgExec(t, url, `SELECT texto FROM notas`) // and no schema was made beside it
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var tables int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()`).Scan(&tables); err != nil || tables != 1 {
		t.Errorf("%d tables after the refusal, %v", tables, err)
	}
}

// The checks after the copy find a row changed in PostgreSQL, and a
// certificate that no longer verifies there.
func TestMigrateChecksFindDifferences(t *testing.T) {
	url := pgtest.URL(t)
	ctx := context.Background()
	d := installation(t)
	src := filepath.Join(d.data, store.FileName)
	if code, out, errOut := runMain("migrate", "--from", src, "--to", url); code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}

	pgExec(t, url, `UPDATE users SET full_name = 'Ana Lopez' WHERE email = 'ana@ejemplo.mx'`)
	checks, err := store.CompareWithPostgres(ctx, src, url)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	printChecks(&out, checks)
	if differing(checks) != 1 || !regexp.MustCompile(`(?m)^users +\d+  [0-9a-f]{16}  DIFERENTE \(PostgreSQL: \d+ filas, [0-9a-f]{16}\)$`).MatchString(out.String()) {
		t.Errorf("%d tables differ:\n%s", differing(checks), out.String())
	}

	cfg := migrateConfig{from: src, to: url, data: d.data, key: filepath.Join(d.data, "keys", "signing.key")}
	if n, err := verifyCertificates(ctx, cfg); err != nil || n != 1 {
		t.Fatalf("before the change: %d, %v", n, err)
	}
	pgExec(t, url, `UPDATE certificates SET holder_name = 'Ana Lopez'`)
	if _, err := verifyCertificates(ctx, cfg); err == nil || !strings.Contains(err.Error(), "la credencial firmada no corresponde a su registro") {
		t.Errorf("a changed holder: %v", err)
	}
	pgExec(t, url, `UPDATE certificates SET holder_name = 'Ana López', signature = 'AAAA' || substr(signature, 5)`)
	if _, err := verifyCertificates(ctx, cfg); err == nil || !strings.Contains(err.Error(), "la firma no se verifica") {
		t.Errorf("a changed signature: %v", err)
	}
}

// A server still writing to the file during the copy is noticed: the copy
// (of a consistent snapshot) checks, but the command fails, because what
// the server wrote after the snapshot is not in PostgreSQL.
func TestMigrateNoticesAServerStillWriting(t *testing.T) {
	url := pgtest.URL(t)
	ctx := context.Background()
	d := installation(t)
	set := d.openServices(t, "")
	defer func() {
		if err := set.Close(); err != nil {
			t.Error(err)
		}
	}()
	stop, done := make(chan struct{}), make(chan error, 1)
	go func() {
		for {
			select {
			case <-stop:
				done <- nil
				return
			default:
			}
			if _, err := set.Accounts.StartSession(ctx, 1, "", "Firefox", "10.0.0.4"); err != nil {
				done <- err
				return
			}
		}
	}()
	code, out, errOut := runMain("migrate", "--from", filepath.Join(d.data, store.FileName), "--to", url)
	close(stop)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if code != 1 || !strings.Contains(errOut, "cambió mientras se copiaba: el servidor sigue en marcha") || !strings.Contains(out, "Las 27 tablas coinciden") {
		t.Errorf("exit %d\n%s%s", code, out, errOut)
	}
}
