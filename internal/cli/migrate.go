package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"mxcert/internal/services"
	"mxcert/internal/store"
)

// migrateConfig is what `mxcert migrate` works on.
type migrateConfig struct {
	from, to       string // the SQLite file; the PostgreSQL address
	data, key      string // where the keys are, to verify the certificates
	allowSharedKey bool
}

// runMigrate copies an SQLite installation into an empty PostgreSQL
// database and checks the copy: the same rows in every table (counted and
// summed in both databases) and every certificate verifying on the copy.
func runMigrate(ctx context.Context, args []string, s Streams) int {
	fs := newFlagSet("migrate", s)
	from := fs.String("from", "", "archivo SQLite de la instalación (DATA/mxcert.db); solo se lee")
	to := fs.String("to", "", "base PostgreSQL vacía (postgres://…); por omisión MXCERT_DATABASE")
	data := fs.String("data", "", "carpeta de datos con las llaves (keys/ y totp.key); por omisión la carpeta de --from")
	key := fs.String("key", env("key", ""), "llave de firma Ed25519 de los certificados (MXCERT_KEY); por omisión DATA/keys/signing.key")
	allowSharedKey := fs.Bool("allow-shared-key", env("allow-shared-key", "") == "1", "acepta una llave de firma que otros usuarios pueden leer (MXCERT_ALLOW_SHARED_KEY=1)")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	cfg := migrateConfig{from: *from, to: *to, data: *data, key: *key, allowSharedKey: *allowSharedKey}
	if cfg.to == "" {
		cfg.to = env("database", "")
	}
	if cfg.from == "" || cfg.to == "" {
		fmt.Fprintln(s.Err, "Uso: mxcert migrate --from DATA/mxcert.db --to postgres://… [--data DIR] [--key ARCHIVO]")
		fmt.Fprintln(s.Err, "     Copia una instalación SQLite a una base PostgreSQL vacía y comprueba la copia.")
		fmt.Fprintln(s.Err, "     Detén antes el servidor: lo que guarde después de la copia no pasa a PostgreSQL.")
		fmt.Fprintln(s.Err, "     --to puede venir de MXCERT_DATABASE (mejor, por la contraseña).")
		return 2
	}
	if !store.IsPostgresURL(cfg.to) {
		fmt.Fprintf(s.Err, "mxcert migrate: --to debe ser una dirección de PostgreSQL (postgres://… o postgresql://…), no %q\n", redact(cfg.to))
		return 2
	}
	if err := migrate(ctx, cfg, s.Out); err != nil {
		fmt.Fprintf(s.Err, "mxcert migrate: %v\n", err)
		return 1
	}
	return 0
}

// problem is a refusal or failure, told in Spanish to the operator.
type problem string

func (p problem) Error() string { return string(p) }

func problemf(format string, args ...any) error { return problem(fmt.Sprintf(format, args...)) }

// migrate runs the checks, the copy and the verification, printing what
// it does to out.
func migrate(ctx context.Context, cfg migrateConfig, out io.Writer) (err error) {
	if st, err := os.Stat(cfg.from); err == nil && st.IsDir() {
		cfg.from = filepath.Join(cfg.from, store.FileName) // the data folder, named instead of its file
	}
	if _, err := os.Stat(cfg.from); err != nil {
		return problemf("no existe %s (¿es el archivo correcto? --from es el archivo mxcert.db de la carpeta de datos)", cfg.from)
	}
	if cfg.data == "" {
		cfg.data = filepath.Dir(cfg.from)
	}
	if cfg.key == "" {
		cfg.key = filepath.Join(cfg.data, "keys", "signing.key")
	}
	want, err := store.MigrationsVersion()
	if err != nil {
		return err
	}
	if err := checkSourceVersion(ctx, cfg.from, want); err != nil {
		return err
	}
	// The certificates are verified with the installation's keys; the
	// services would make new ones in a folder without them.
	for _, f := range []struct{ path, what string }{{cfg.key, "la llave de firma"}, {filepath.Join(cfg.data, services.TOTPKeyFile), "la llave del segundo factor"}} {
		if _, err := os.Stat(f.path); err != nil {
			return problemf("no se encontró %s en %s; sin ella no se puede comprobar la copia. Indica la carpeta de datos de la instalación con --data (o la llave de firma con --key)", f.what, f.path)
		}
	}
	if err := checkTargetEmpty(ctx, cfg.to); err != nil {
		return err
	}

	// A snapshot, read while nothing else can change it: the copy and the
	// checks read one consistent state even if a server still writes to
	// the file (what it writes after the snapshot is not copied; see the
	// check at the end).
	before, err := fileState(cfg.from)
	if err != nil {
		return err
	}
	// Beside the file: room for a copy of it is likely there, and the
	// folder is private. The system's temporary folder if it is read-only.
	tmp, err := os.MkdirTemp(filepath.Dir(cfg.from), ".mxcert-migrate-")
	if err != nil {
		if tmp, err = os.MkdirTemp("", ".mxcert-migrate-"); err != nil {
			return fmt.Errorf("carpeta para la instantánea: %w", err)
		}
	}
	defer func() { err = errors.Join(err, os.RemoveAll(tmp)) }()
	snapshot := filepath.Join(tmp, store.FileName)
	if err := store.BackupFile(ctx, cfg.from, snapshot); err != nil {
		return fmt.Errorf("instantánea de %s: %w", cfg.from, err)
	}
	if err := checkSourceVersion(ctx, snapshot, want); err != nil {
		return err
	}
	fmt.Fprintf(out, "Instantánea de %s tomada e íntegra (esquema versión %d).\n", cfg.from, want)

	if err := createSchema(ctx, cfg.to, want); err != nil {
		return err
	}
	fmt.Fprintf(out, "Copiando a %s en una sola transacción…\n", redact(cfg.to))
	start := time.Now()
	copied, err := store.CopyToPostgres(ctx, snapshot, cfg.to, func(c store.TableCopy) {
		fmt.Fprintf(out, "  %-26s %9d filas  %6.1f s\n", c.Table, c.Rows, c.Took.Seconds())
	})
	if err != nil {
		return copyFailed(err)
	}
	took := time.Since(start)
	var rows int64
	for _, c := range copied {
		rows += c.Rows
	}
	fmt.Fprintf(out, "Copiadas %d filas de %d tablas en %.1f s (%.0f filas/s).\n\n", rows, len(copied), took.Seconds(), float64(rows)/took.Seconds())

	start = time.Now()
	checks, err := store.CompareWithPostgres(ctx, snapshot, cfg.to)
	if err != nil {
		return fmt.Errorf("comprobación: %w", err)
	}
	printChecks(out, checks)
	switch bad := differing(checks); {
	case bad == 1:
		return problemf("una tabla no coincide entre SQLite y PostgreSQL. %s", leaveAsIs)
	case bad > 1:
		return problemf("%d tablas no coinciden entre SQLite y PostgreSQL. %s", bad, leaveAsIs)
	}
	fmt.Fprintf(out, "Las %d tablas coinciden: mismas filas y misma suma SHA-256 en las dos bases (%.1f s).\n", len(checks), time.Since(start).Seconds())

	n, err := verifyCertificates(ctx, cfg)
	if err != nil {
		return err
	}
	if want := rowsOf(checks, "certificates"); int64(n) != want {
		return problemf("se verificaron %d certificados de %d. %s", n, want, leaveAsIs)
	}
	fmt.Fprintf(out, "%d certificados verificados: la firma de cada uno vale y la consulta pública por su código lo muestra con el mismo estado.\n", n)

	after, err := fileState(cfg.from)
	if err != nil {
		return err
	}
	if after != before {
		return problemf("%s cambió mientras se copiaba: el servidor sigue en marcha. La copia es de una instantánea coherente, pero lo que se guardó después no está en PostgreSQL. Detén el servidor, borra y vuelve a crear la base PostgreSQL vacía, y copia de nuevo", cfg.from)
	}
	fmt.Fprintln(out, "\nListo. Provisiona keys/ y totp.key en cada réplica e iníciala con --database (docs/OPERATIONS.md, «Pasar de SQLite a PostgreSQL»).")
	return nil
}

// leaveAsIs is what to do when the copy does not check.
const leaveAsIs = "PostgreSQL quedó como está: no la uses. Bórrala y vuelve a crearla vacía antes de intentar de nuevo, y mientras tanto sigue con SQLite."

func checkSourceVersion(ctx context.Context, path string, want int) error {
	v, err := store.SQLiteVersion(ctx, path)
	switch {
	case errors.Is(err, store.ErrNotMxcert):
		return problemf("%s no es una base de datos de MxOS Certificación", path)
	case err != nil:
		return fmt.Errorf("leer %s: %w", path, err)
	case v < want:
		return problemf("%s tiene el esquema en la versión %d y este mxcert lo lleva a la %d. Inicia una vez el servidor SQLite con esta versión de mxcert (aplica las migraciones al arrancar), detenlo y vuelve a copiar", path, v, want)
	case v > want:
		return problemf("%s tiene el esquema en la versión %d, más nueva que la de este mxcert (%d): copia con el mxcert que la usa", path, v, want)
	}
	return nil
}

func checkTargetEmpty(ctx context.Context, to string) error {
	err := store.CheckPostgresEmpty(ctx, to)
	var ne *store.NotEmptyError
	switch {
	case errors.As(err, &ne):
		return problemf("la base PostgreSQL no está vacía: la tabla %s tiene filas. La copia solo va a una base vacía; bórrala y vuelve a crearla (o usa otra)", ne.Table)
	case err != nil:
		return fmt.Errorf("PostgreSQL (%s): %w", redact(to), err)
	}
	return nil
}

// createSchema creates (or brings up to date) the schema as the server
// would, and checks that it is this binary's.
func createSchema(ctx context.Context, to string, want int) error {
	db, err := store.OpenPostgres(ctx, to)
	if err != nil {
		return fmt.Errorf("crear el esquema en PostgreSQL: %w", err)
	}
	v, err := db.SchemaVersion(ctx)
	if err = errors.Join(err, db.Close()); err != nil {
		return fmt.Errorf("versión del esquema en PostgreSQL: %w", err)
	}
	if v != want {
		return problemf("la base PostgreSQL tiene el esquema en la versión %d y este mxcert usa la %d: copia con el mxcert de esa versión, o a una base nueva", v, want)
	}
	return nil
}

func copyFailed(err error) error {
	var se *store.SchemaError
	if !errors.As(err, &se) {
		var ne *store.NotEmptyError
		if errors.As(err, &ne) {
			return problemf("la base PostgreSQL dejó de estar vacía (la tabla %s tiene filas): ¿se inició un servidor contra ella? Nada se copió", ne.Table)
		}
		return fmt.Errorf("la copia se detuvo y se deshizo: PostgreSQL quedó con el esquema y sin datos, y se puede copiar otra vez una vez resuelto esto: %w", err)
	}
	msg := "los esquemas de SQLite y de PostgreSQL no coinciden, y nada se copió:"
	for _, d := range se.Diffs {
		name := d.Table
		if d.Column != "" {
			name += "." + d.Column
		}
		switch d.Problem {
		case store.MissingInPostgres:
			msg += fmt.Sprintf("\n  %s está en SQLite y no en PostgreSQL", name)
		case store.MissingInSQLite:
			msg += fmt.Sprintf("\n  %s está en PostgreSQL y no en SQLite", name)
		case store.KindDiffers:
			msg += fmt.Sprintf("\n  %s guarda %s en SQLite y %s en PostgreSQL", name, kindES(d.SQLite), kindES(d.Postgres))
		case store.KeyDiffers:
			msg += fmt.Sprintf("\n  %s tiene la llave primaria (%s) en SQLite y (%s) en PostgreSQL", name, d.SQLite, d.Postgres)
		}
	}
	return problem(msg)
}

// kindES names a kind of value of store.SchemaDiff.
func kindES(kind string) string {
	switch kind {
	case "integer":
		return "enteros"
	case "text":
		return "texto"
	case "bytes":
		return "bytes"
	}
	return "un tipo que la copia no conoce"
}

// fileStamp is what changes in a database file when something writes to
// it: the file and its write-ahead log, by size and time of change.
type fileStamp struct {
	size, walSize   int64
	mtime, walMtime time.Time
}

func fileState(path string) (fileStamp, error) {
	var f fileStamp
	st, err := os.Stat(path)
	if err != nil {
		return f, err
	}
	f.size, f.mtime = st.Size(), st.ModTime()
	if st, err := os.Stat(path + "-wal"); err == nil {
		f.walSize, f.walMtime = st.Size(), st.ModTime()
	}
	return f, nil
}

// redact hides the password of a database address.
func redact(s string) string {
	if u, err := url.Parse(s); err == nil && u.User != nil {
		return u.Redacted()
	}
	return s
}
