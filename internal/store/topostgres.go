package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
)

// NotEmptyError is a PostgreSQL database that already holds data: an
// installation is copied only into an empty one.
type NotEmptyError struct{ Table string }

func (e *NotEmptyError) Error() string {
	return fmt.Sprintf("the PostgreSQL database is not empty: table %s has rows", e.Table)
}

// connectPostgres opens one connection of its own to the database at url.
func connectPostgres(ctx context.Context, url string) (*pgx.Conn, error) {
	if !IsPostgresURL(url) {
		return nil, errors.New("connect to postgres: the address must start with postgres:// or postgresql://")
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("connect to postgres: %w", err)
	}
	return conn, nil
}

// pgQuerier is a connection or a transaction.
type pgQuerier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// CheckPostgresEmpty returns a *NotEmptyError unless the database at url
// is empty: its schema has no tables, or none of its tables has rows but
// those the schema itself inserts (the first partner levels, the
// directory's generation counter) and its version.
func CheckPostgresEmpty(ctx context.Context, url string) (err error) {
	conn, err := connectPostgres(ctx, url)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, conn.Close(ctx)) }()
	return checkEmpty(ctx, conn)
}

func checkEmpty(ctx context.Context, q pgQuerier) error {
	rows, err := q.Query(ctx, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`)
	if err != nil {
		return fmt.Errorf("list tables: %w", err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("list tables: %w", err)
	}
	for _, n := range names {
		if slices.Contains(seededTables, n) || slices.Contains(postgresOnlyTables, n) {
			continue
		}
		var has bool
		// #nosec G202 -- a table name read from the catalogue, quoted
		if err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM `+quotePostgres(n)+`)`).Scan(&has); err != nil {
			return fmt.Errorf("read %s: %w", n, err)
		}
		if has {
			return &NotEmptyError{Table: n}
		}
	}
	return nil
}

// TableCopy is what the copy of one table did.
type TableCopy struct {
	Table string
	Rows  int64
	Took  time.Duration
}

// CopyToPostgres copies every row of the SQLite database file at src into
// the PostgreSQL database at url, which must be empty (CheckPostgresEmpty)
// and have this binary's schema (OpenPostgres creates it). src is only
// read; it should be a snapshot (BackupFile) that nothing writes to.
//
// The tables are those SQLite lists, which PostgreSQL must have with the
// same columns, kinds of value and primary keys (else a *SchemaError,
// before anything is written). Everything happens in one transaction
// under the write lock every replica takes, so a failed copy leaves the
// database as it was and a server started meanwhile waits for it:
//
//   - foreign keys are checked once every row is in (SET CONSTRAINTS ALL
//     DEFERRED, then IMMEDIATE), so tables are copied in name order and
//     rows that point to each other (merged accounts, superseded
//     certificates) go in as they are;
//   - the schema's own triggers are off until the end (DISABLE TRIGGER
//     USER, undone before the commit; the role that created the tables
//     owns them), so the values the directory's triggers derive are
//     SQLite's, not recomputed; the foreign keys' internal triggers stay;
//   - the rows the schema inserts are replaced by SQLite's;
//   - every identity column's sequence is moved past the largest id
//     copied, so new rows get new ids.
//
// Rows are streamed with COPY in primary-key order. SQLite values are
// turned into the column's kind only where SQLite's storage class differs
// from it (text stored as a blob, and the reverse); anything else (a
// number in a text column, text that is not UTF-8 or holds a NUL, which
// PostgreSQL refuses) stops the copy with the table, column and key of
// the row. progress, if not nil, is called after each table.
func CopyToPostgres(ctx context.Context, src, url string, progress func(TableCopy)) (copied []TableCopy, err error) {
	lite, err := openSQLiteReadOnly(src)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", src, err)
	}
	defer func() { err = errors.Join(err, lite.Close()) }()
	conn, err := connectPostgres(ctx, url)
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, conn.Close(ctx)) }()

	tables, err := sameTables(ctx, lite, conn)
	if err != nil {
		return nil, err
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if rbErr := tx.Rollback(ctx); rbErr != nil && !errors.Is(rbErr, pgx.ErrTxClosed) {
			err = errors.Join(err, rbErr)
		}
	}()
	setup := []string{
		fmt.Sprintf("SELECT pg_advisory_xact_lock(%d)", writeLock),
		// A large installation takes minutes, and the copy waits on
		// SQLite between tables: limits set for the role (OPERATIONS.md
		// suggests an idle one of a minute) must not cut it short.
		"SET LOCAL statement_timeout = 0",
		"SET LOCAL idle_in_transaction_session_timeout = 0",
	}
	for _, q := range setup {
		if _, err := tx.Exec(ctx, q); err != nil {
			return nil, fmt.Errorf("%s: %w", q, err)
		}
	}
	// Checked again under the lock: a server may have started since.
	if err := checkEmpty(ctx, tx); err != nil {
		return nil, err
	}
	if _, err := tx.Exec(ctx, "SET CONSTRAINTS ALL DEFERRED"); err != nil {
		return nil, err
	}
	if err := setUserTriggers(ctx, tx, tables, "DISABLE"); err != nil {
		return nil, err
	}
	for _, n := range seededTables {
		if !slices.ContainsFunc(tables, func(t table) bool { return t.name == n }) {
			continue
		}
		// #nosec G202 -- one of the schema's table names, quoted
		if _, err := tx.Exec(ctx, `DELETE FROM `+quotePostgres(n)); err != nil {
			return nil, fmt.Errorf("clear %s: %w", n, err)
		}
	}
	for _, t := range tables {
		start := time.Now()
		n, err := copyTable(ctx, lite, tx, t)
		if err != nil {
			return nil, err
		}
		c := TableCopy{Table: t.name, Rows: n, Took: time.Since(start)}
		copied = append(copied, c)
		if progress != nil {
			progress(c)
		}
	}
	if err := moveSequences(ctx, tx); err != nil {
		return nil, err
	}
	// The foreign keys are checked now rather than at the commit: a table
	// with checks pending cannot have its triggers turned back on.
	if _, err := tx.Exec(ctx, "SET CONSTRAINTS ALL IMMEDIATE"); err != nil {
		return nil, fmt.Errorf("foreign keys: %w", err)
	}
	if err := setUserTriggers(ctx, tx, tables, "ENABLE"); err != nil {
		return nil, err
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("commit: %w", err)
	}
	return copied, nil
}

// sameTables describes the tables of both databases and returns them if
// they match (else a *SchemaError).
func sameTables(ctx context.Context, lite *sql.DB, conn *pgx.Conn) ([]table, error) {
	lt, err := sqliteTables(ctx, lite)
	if err != nil {
		return nil, fmt.Errorf("SQLite: %w", err)
	}
	pt, err := postgresTables(ctx, conn)
	if err != nil {
		return nil, fmt.Errorf("PostgreSQL: %w", err)
	}
	return matchTables(lt, pt)
}

func setUserTriggers(ctx context.Context, tx pgx.Tx, tables []table, how string) error {
	for _, t := range tables {
		// #nosec G202 -- a table name of the schema, quoted; how is a constant
		if _, err := tx.Exec(ctx, `ALTER TABLE `+quotePostgres(t.name)+` `+how+` TRIGGER USER`); err != nil {
			return fmt.Errorf("%s the triggers of %s: %w", strings.ToLower(how), t.name, err)
		}
	}
	return nil
}

// copyTable streams one table's rows from SQLite into PostgreSQL.
func copyTable(ctx context.Context, lite *sql.DB, tx pgx.Tx, t table) (int64, error) {
	// #nosec G202 -- names read from the schema, quoted
	rows, err := lite.QueryContext(ctx, `SELECT `+sqliteColumns(t)+` FROM `+quoteSQLite(t.name)+` ORDER BY `+sqliteOrder(t))
	if err != nil {
		return 0, fmt.Errorf("read %s: %w", t.name, err)
	}
	src := newSQLiteSource(rows, t)
	n, err := tx.CopyFrom(ctx, pgx.Identifier{t.name}, t.names(), src)
	if err = errors.Join(err, rows.Close()); err != nil {
		return 0, fmt.Errorf("copy %s: %w", t.name, err)
	}
	return n, nil
}

func sqliteColumns(t table) string {
	cols := make([]string, len(t.columns))
	for i, c := range t.columns {
		cols[i] = quoteSQLite(c.name)
	}
	return strings.Join(cols, ", ")
}

// sqliteOrder and postgresOrder order rows the same way in both: by the
// key's columns, text byte by byte (SQLite's BINARY, PostgreSQL's "C").
func sqliteOrder(t table) string {
	return order(t, quoteSQLite, " COLLATE BINARY")
}

func postgresOrder(t table) string {
	return order(t, quotePostgres, ` COLLATE "C"`)
}

func order(t table, quote func(string) string, textCollation string) string {
	kinds := map[string]valueKind{}
	for _, c := range t.columns {
		kinds[c.name] = c.kind
	}
	parts := make([]string, len(t.key))
	for i, k := range t.key {
		parts[i] = quote(k)
		if kinds[k] == kindText {
			parts[i] += textCollation
		}
	}
	return strings.Join(parts, ", ")
}

// sqliteSource feeds COPY from an SQLite query, one row at a time.
type sqliteSource struct {
	rows  *sql.Rows
	t     table
	raw   []any
	ptrs  []any
	vals  []any
	err   error
	keyAt []int // positions of the key's columns, to name a bad row
}

func newSQLiteSource(rows *sql.Rows, t table) *sqliteSource {
	s := &sqliteSource{rows: rows, t: t, raw: make([]any, len(t.columns)), ptrs: make([]any, len(t.columns)), vals: make([]any, len(t.columns))}
	for i := range s.raw {
		s.ptrs[i] = &s.raw[i]
	}
	for _, k := range t.key {
		s.keyAt = append(s.keyAt, slices.IndexFunc(t.columns, func(c column) bool { return c.name == k }))
	}
	return s
}

func (s *sqliteSource) Next() bool {
	if s.err != nil || !s.rows.Next() {
		return false
	}
	if err := s.rows.Scan(s.ptrs...); err != nil {
		s.err = err
		return false
	}
	for i, c := range s.t.columns {
		v, err := asKind(c.kind, s.raw[i])
		if err != nil {
			s.err = fmt.Errorf("%s.%s of the row %s: %w", s.t.name, c.name, s.key(), err)
			return false
		}
		s.vals[i] = v
	}
	return true
}

func (s *sqliteSource) key() string {
	parts := make([]string, len(s.keyAt))
	for i, at := range s.keyAt {
		if v, ok := s.raw[at].([]byte); ok {
			parts[i] = fmt.Sprintf("%x", v)
		} else {
			parts[i] = fmt.Sprint(s.raw[at])
		}
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

func (s *sqliteSource) Values() ([]any, error) { return s.vals, s.err }

func (s *sqliteSource) Err() error { return errors.Join(s.err, s.rows.Err()) }

// asKind turns a value SQLite returned (int64, float64, string, []byte or
// nil) into the Go value of a column of kind k: int64, string or []byte.
// Only the storage class changes (text stored as a blob, or bytes stored
// as text), never the value; anything else is refused.
func asKind(k valueKind, v any) (any, error) {
	switch v := v.(type) {
	case nil:
		return nil, nil
	case int64:
		if k == kindInt {
			return v, nil
		}
	case string:
		switch k {
		case kindText:
			return v, checkText(v)
		case kindBytes:
			return []byte(v), nil
		}
	case []byte:
		switch k {
		case kindBytes:
			return v, nil
		case kindText:
			s := string(v)
			return s, checkText(s)
		}
	}
	return nil, fmt.Errorf("a %T value (%v) in a column of %s", v, v, k)
}

// checkText refuses text that PostgreSQL would refuse, with the reason.
func checkText(s string) error {
	switch {
	case !utf8.ValidString(s):
		return errors.New("the text is not valid UTF-8, which PostgreSQL refuses")
	case strings.IndexByte(s, 0) >= 0:
		return errors.New("the text holds a NUL character, which PostgreSQL refuses")
	}
	return nil
}

// moveSequences moves the sequence of every identity column past the
// largest id in its table (to 1 when the table is empty), as SQLite would
// give the next id.
func moveSequences(ctx context.Context, tx pgx.Tx) error {
	rows, err := tx.Query(ctx, `SELECT table_name, column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND is_identity = 'YES' ORDER BY table_name, column_name`)
	if err != nil {
		return fmt.Errorf("identity columns: %w", err)
	}
	type ident struct{ table, column string }
	idents, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ident, error) {
		var i ident
		return i, r.Scan(&i.table, &i.column)
	})
	if err != nil {
		return fmt.Errorf("identity columns: %w", err)
	}
	for _, i := range idents {
		// #nosec G202 -- names read from the catalogue, quoted
		q := `SELECT setval(pg_get_serial_sequence($1, $2), coalesce((SELECT max(` + quotePostgres(i.column) + `) FROM ` + quotePostgres(i.table) + `), 0) + 1, false)`
		if _, err := tx.Exec(ctx, q, quotePostgres(i.table), i.column); err != nil {
			return fmt.Errorf("sequence of %s.%s: %w", i.table, i.column, err)
		}
	}
	return nil
}
