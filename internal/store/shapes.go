package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/mattn/go-sqlite3"
)

// The move of an SQLite installation to PostgreSQL (CopyToPostgres,
// CompareWithPostgres) works on the tables as the two databases describe
// them, not on a list kept in the code: a table added by a later
// migration is copied and checked without anyone remembering to add it
// here, and a schema that differs between the two is refused before a row
// moves.

// valueKind is what a column holds, in terms both databases share.
type valueKind uint8

const (
	kindInt   valueKind = iota + 1 // SQLite INTEGER, PostgreSQL bigint
	kindText                       // SQLite TEXT, PostgreSQL text
	kindBytes                      // SQLite BLOB, PostgreSQL bytea
)

func (k valueKind) String() string {
	switch k {
	case kindInt:
		return "integer"
	case kindText:
		return "text"
	case kindBytes:
		return "bytes"
	}
	return "unknown"
}

// column is one column of a table.
type column struct {
	name string
	kind valueKind
}

// table is a table of the schema: its columns in SQLite's order and the
// columns its rows are ordered by, the primary key's in key order (every
// column when no key is declared).
type table struct {
	name    string
	columns []column
	key     []string
}

func (t table) names() []string {
	out := make([]string, len(t.columns))
	for i, c := range t.columns {
		out[i] = c.name
	}
	return out
}

// seededTables are filled by the PostgreSQL schema itself (its first
// partner levels and the directory's generation counter): a new database
// holds these rows, and a copy replaces them with SQLite's.
var seededTables = []string{"directory_partner_levels", "directory_generation"}

// postgresOnlyTables are PostgreSQL's bookkeeping, with no SQLite table:
// the schema's version is PRAGMA user_version there.
var postgresOnlyTables = []string{"schema_version"}

// ErrNotMxcert is a file that is not an SQLite database of this
// application (another database, or not a database at all).
var ErrNotMxcert = errors.New("not a database of this application")

// MigrationsVersion is the schema version this binary's migrations bring
// a database to: the same number on SQLite and on PostgreSQL.
func MigrationsVersion() (int, error) {
	versions := map[string]int{}
	for _, pattern := range []string{"migrations/*.sql", "migrations/postgres/*.sql"} {
		files, err := fs.Glob(migrations, pattern)
		if err != nil {
			return 0, err
		}
		for _, f := range files {
			n, err := strconv.Atoi(strings.SplitN(f[strings.LastIndex(f, "/")+1:], "_", 2)[0])
			if err != nil {
				return 0, fmt.Errorf("migration %s: name must start with its number", f)
			}
			versions[pattern] = max(versions[pattern], n)
		}
	}
	if versions["migrations/*.sql"] != versions["migrations/postgres/*.sql"] {
		return 0, fmt.Errorf("the SQLite migrations reach version %d and PostgreSQL's %d", versions["migrations/*.sql"], versions["migrations/postgres/*.sql"])
	}
	return versions["migrations/*.sql"], nil
}

// openSQLiteReadOnly opens the database file at path for reading only:
// nothing in it changes, not even a migration.
func openSQLiteReadOnly(path string) (*sql.DB, error) {
	return sql.Open("sqlite3", "file:"+path+"?"+url.Values{"mode": {"ro"}, "_busy_timeout": {"10000"}}.Encode())
}

// SQLiteVersion reads the schema version of the SQLite database file at
// path without changing the file. A file that is not an SQLite database,
// or one without this application's tables, is ErrNotMxcert.
func SQLiteVersion(ctx context.Context, path string) (int, error) {
	db, err := openSQLiteReadOnly(path)
	if err != nil {
		return 0, fmt.Errorf("open %s: %w", path, err)
	}
	v, err := sqliteVersion(ctx, db)
	return v, errors.Join(err, db.Close())
}

func sqliteVersion(ctx context.Context, db *sql.DB) (int, error) {
	var v int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		var se sqlite3.Error
		if errors.As(err, &se) && (se.Code == sqlite3.ErrNotADB || se.Code == sqlite3.ErrCorrupt) {
			return 0, fmt.Errorf("%w: %w", ErrNotMxcert, err)
		}
		return 0, err
	}
	var ours int
	err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('users', 'attempts', 'certificates')`).Scan(&ours)
	if err != nil {
		return 0, err
	}
	if v == 0 || ours != 3 {
		return 0, ErrNotMxcert
	}
	return v, nil
}

// sqliteTables describes the tables of an SQLite database, by name,
// leaving out SQLite's own (sqlite_*).
func sqliteTables(ctx context.Context, db *sql.DB) ([]table, error) {
	rows, err := db.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, errors.Join(err, rows.Close())
		}
		names = append(names, n)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	tables := make([]table, 0, len(names))
	for _, n := range names {
		t, err := sqliteTable(ctx, db, n)
		if err != nil {
			return nil, err
		}
		tables = append(tables, t)
	}
	return tables, nil
}

func sqliteTable(ctx context.Context, db *sql.DB, name string) (table, error) {
	t := table{name: name}
	rows, err := db.QueryContext(ctx, `SELECT name, type, pk FROM pragma_table_info(?) ORDER BY cid`, name)
	if err != nil {
		return t, fmt.Errorf("columns of %s: %w", name, err)
	}
	keyAt := map[int]string{}
	for rows.Next() {
		var col, decl string
		var pk int
		if err := rows.Scan(&col, &decl, &pk); err != nil {
			return t, errors.Join(err, rows.Close())
		}
		t.columns = append(t.columns, column{col, sqliteKind(decl)})
		if pk > 0 {
			keyAt[pk] = col
		}
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return t, fmt.Errorf("columns of %s: %w", name, err)
	}
	for i := 1; i <= len(keyAt); i++ {
		t.key = append(t.key, keyAt[i])
	}
	if len(t.key) == 0 {
		t.key = t.names()
	}
	return t, nil
}

// sqliteKind is the kind of a column declared as decl, by SQLite's rules
// of type affinity (INT, then CHAR/CLOB/TEXT, then BLOB or nothing). A
// REAL or NUMERIC column has no kind here: the schema has none.
func sqliteKind(decl string) valueKind {
	d := strings.ToUpper(decl)
	switch {
	case strings.Contains(d, "INT"):
		return kindInt
	case strings.Contains(d, "CHAR"), strings.Contains(d, "CLOB"), strings.Contains(d, "TEXT"):
		return kindText
	case strings.Contains(d, "BLOB"), d == "":
		return kindBytes
	}
	return 0
}

// postgresTables describes the base tables of the connection's current
// schema, by name.
func postgresTables(ctx context.Context, conn *pgx.Conn) ([]table, error) {
	byName := map[string]*table{}
	var order []string
	rows, err := conn.Query(ctx, `SELECT c.table_name, c.column_name, c.data_type
		FROM information_schema.columns c
		JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
		WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
		ORDER BY c.table_name, c.ordinal_position`)
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	for rows.Next() {
		var tname, col, dataType string
		if err := rows.Scan(&tname, &col, &dataType); err != nil {
			rows.Close()
			return nil, fmt.Errorf("list tables: %w", err)
		}
		t := byName[tname]
		if t == nil {
			t = &table{name: tname}
			byName[tname] = t
			order = append(order, tname)
		}
		t.columns = append(t.columns, column{col, postgresKind(dataType)})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	rows, err = conn.Query(ctx, `SELECT k.table_name, k.column_name
		FROM information_schema.table_constraints c
		JOIN information_schema.key_column_usage k
			ON k.constraint_schema = c.constraint_schema AND k.constraint_name = c.constraint_name AND k.table_name = c.table_name
		WHERE c.table_schema = current_schema() AND c.constraint_type = 'PRIMARY KEY'
		ORDER BY k.table_name, k.ordinal_position`)
	if err != nil {
		return nil, fmt.Errorf("primary keys: %w", err)
	}
	for rows.Next() {
		var tname, col string
		if err := rows.Scan(&tname, &col); err != nil {
			rows.Close()
			return nil, fmt.Errorf("primary keys: %w", err)
		}
		if t := byName[tname]; t != nil {
			t.key = append(t.key, col)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("primary keys: %w", err)
	}
	slices.Sort(order)
	out := make([]table, 0, len(order))
	for _, n := range order {
		t := byName[n]
		if len(t.key) == 0 {
			t.key = t.names()
		}
		out = append(out, *t)
	}
	return out, nil
}

func postgresKind(dataType string) valueKind {
	switch dataType {
	case "bigint", "integer", "smallint":
		return kindInt
	case "text", "character varying", "character":
		return kindText
	case "bytea":
		return kindBytes
	}
	return 0
}

// SchemaDiff is one difference between the SQLite and the PostgreSQL
// schema that stops a copy: Column is empty for a whole table.
type SchemaDiff struct {
	Table, Column    string
	Problem          SchemaProblem
	SQLite, Postgres string // the kinds or keys that differ, when they do
}

// SchemaProblem says how a table or column differs.
type SchemaProblem uint8

const (
	MissingInPostgres SchemaProblem = iota + 1 // SQLite has it, PostgreSQL not
	MissingInSQLite                            // PostgreSQL has it, SQLite not
	KindDiffers                                // the column holds other values
	KeyDiffers                                 // the primary keys differ
)

// SchemaError lists the differences between the two schemas.
type SchemaError struct{ Diffs []SchemaDiff }

func (e *SchemaError) Error() string {
	var b strings.Builder
	b.WriteString("the SQLite and PostgreSQL schemas differ:")
	for _, d := range e.Diffs {
		name := d.Table
		if d.Column != "" {
			name += "." + d.Column
		}
		switch d.Problem {
		case MissingInPostgres:
			fmt.Fprintf(&b, " %s is missing in PostgreSQL;", name)
		case MissingInSQLite:
			fmt.Fprintf(&b, " %s is missing in SQLite;", name)
		case KindDiffers:
			fmt.Fprintf(&b, " %s holds %s in SQLite and %s in PostgreSQL;", name, d.SQLite, d.Postgres)
		case KeyDiffers:
			fmt.Fprintf(&b, " %s has primary key (%s) in SQLite and (%s) in PostgreSQL;", name, d.SQLite, d.Postgres)
		}
	}
	return strings.TrimSuffix(b.String(), ";")
}

// matchTables checks that both databases have the same tables with the
// same columns, kinds and primary keys, and returns SQLite's description
// (its column order is the one copied and summed). PostgreSQL's own
// bookkeeping tables are left out.
func matchTables(lite, pg []table) ([]table, error) {
	pgByName := map[string]table{}
	for _, t := range pg {
		if !slices.Contains(postgresOnlyTables, t.name) {
			pgByName[t.name] = t
		}
	}
	var diffs []SchemaDiff
	for _, lt := range lite {
		pt, ok := pgByName[lt.name]
		if !ok {
			diffs = append(diffs, SchemaDiff{Table: lt.name, Problem: MissingInPostgres})
			continue
		}
		delete(pgByName, lt.name)
		pcols := map[string]valueKind{}
		for _, c := range pt.columns {
			pcols[c.name] = c.kind
		}
		for _, c := range lt.columns {
			pk, ok := pcols[c.name]
			switch {
			case !ok:
				diffs = append(diffs, SchemaDiff{Table: lt.name, Column: c.name, Problem: MissingInPostgres})
			case pk != c.kind || c.kind == 0:
				diffs = append(diffs, SchemaDiff{Table: lt.name, Column: c.name, Problem: KindDiffers, SQLite: c.kind.String(), Postgres: pk.String()})
			}
			delete(pcols, c.name)
		}
		for _, c := range pt.columns {
			if _, extra := pcols[c.name]; extra {
				diffs = append(diffs, SchemaDiff{Table: lt.name, Column: c.name, Problem: MissingInSQLite})
			}
		}
		if !slices.Equal(lt.key, pt.key) {
			diffs = append(diffs, SchemaDiff{Table: lt.name, Problem: KeyDiffers, SQLite: strings.Join(lt.key, ", "), Postgres: strings.Join(pt.key, ", ")})
		}
	}
	for _, pt := range pg {
		if _, extra := pgByName[pt.name]; extra {
			diffs = append(diffs, SchemaDiff{Table: pt.name, Problem: MissingInSQLite})
		}
	}
	if len(diffs) > 0 {
		return nil, &SchemaError{Diffs: diffs}
	}
	return lite, nil
}

// quoteSQLite quotes an identifier for SQLite.
func quoteSQLite(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// quotePostgres quotes an identifier for PostgreSQL.
func quotePostgres(name string) string {
	return pgx.Identifier{name}.Sanitize()
}
