package loadtest

// Setting up the candidates on PostgreSQL: the rows are made exactly as on
// SQLite, by the services' own code into a SQLite file (seed.go), then
// copied into the PostgreSQL database with COPY. Round trips, not the
// database, are what a row-by-row setup on PostgreSQL pays for: tens per
// candidate.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"mxcert/internal/store"
)

// copyToPostgres copies every table of the SQLite database at path that
// has rows into the PostgreSQL database at url, whose schema is already
// made, in one transaction holding the application's write lock, then
// moves each identity past the copied ids. A table that already has rows
// on PostgreSQL (those the schema migration inserts) must have as many on
// SQLite, from the same migration, and is left as it is. It returns the
// tables it filled.
func copyToPostgres(ctx context.Context, path, url string) (copied []string, err error) {
	src, err := sql.Open("sqlite3", store.DSN(path, false))
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, src.Close()) }()
	dst, err := pgx.Connect(ctx, url)
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, dst.Close(context.Background())) }()
	tables, err := sqliteTables(ctx, src)
	if err != nil {
		return nil, err
	}
	identities, err := identityColumns(ctx, dst)
	if err != nil {
		return nil, err
	}
	tx, err := dst.Begin(ctx)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, tx.Rollback(context.Background()))
		}
	}()
	if _, err = tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, store.WriteLock); err != nil {
		return nil, err
	}
	// Foreign keys are checked at the commit, whatever the tables' order.
	if _, err = tx.Exec(ctx, `SET CONSTRAINTS ALL DEFERRED`); err != nil {
		return nil, err
	}
	for _, t := range tables {
		var have, want int64
		if err = src.QueryRowContext(ctx, `SELECT count(*) FROM "`+t+`"`).Scan(&want); err != nil { // #nosec G202 -- a table name read from sqlite_master
			return nil, fmt.Errorf("%s: %w", t, err)
		}
		if want == 0 {
			continue
		}
		if err = tx.QueryRow(ctx, `SELECT count(*) FROM `+pgx.Identifier{t}.Sanitize()).Scan(&have); err != nil {
			return nil, fmt.Errorf("%s: %w", t, err)
		}
		if have != 0 {
			if have != want {
				return nil, fmt.Errorf("%s has %d rows on PostgreSQL already and %d on SQLite", t, have, want)
			}
			continue
		}
		if err = copyTable(ctx, src, tx, t); err != nil {
			return nil, fmt.Errorf("copy %s: %w", t, err)
		}
		copied = append(copied, t)
		if col, ok := identities[t]; ok {
			q := fmt.Sprintf(`SELECT setval(pg_get_serial_sequence($1, $2), max(%s)) FROM %s`, pgx.Identifier{col}.Sanitize(), pgx.Identifier{t}.Sanitize())
			if _, err = tx.Exec(ctx, q, t, col); err != nil {
				return nil, fmt.Errorf("identity of %s: %w", t, err)
			}
		}
	}
	return copied, tx.Commit(ctx)
}

// sqliteTables lists the application's tables in a SQLite database.
func sqliteTables(ctx context.Context, db *sql.DB) ([]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		return nil, err
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, errors.Join(err, rows.Close())
		}
		names = append(names, n)
	}
	return names, errors.Join(rows.Err(), rows.Close())
}

// identityColumns maps each table of the PostgreSQL database that has an
// identity column to that column.
func identityColumns(ctx context.Context, db *pgx.Conn) (map[string]string, error) {
	rows, err := db.Query(ctx, `SELECT table_name, column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND is_identity = 'YES'`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m := map[string]string{}
	for rows.Next() {
		var t, c string
		if err := rows.Scan(&t, &c); err != nil {
			return nil, err
		}
		m[t] = c
	}
	return m, rows.Err()
}

// copyTable streams one SQLite table into the same PostgreSQL table with
// COPY, column by column as SQLite names them.
func copyTable(ctx context.Context, src *sql.DB, tx pgx.Tx, table string) (err error) {
	rows, err := src.QueryContext(ctx, `SELECT * FROM "`+table+`"`) // #nosec G202 -- a table name read from sqlite_master
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, rows.Close()) }()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	_, err = tx.CopyFrom(ctx, pgx.Identifier{table}, slices.Clone(cols), &sqlRows{rows: rows, n: len(cols)})
	return err
}

// sqlRows is a pgx.CopyFromSource over database/sql rows.
type sqlRows struct {
	rows *sql.Rows
	n    int
}

func (r *sqlRows) Next() bool { return r.rows.Next() }

func (r *sqlRows) Values() ([]any, error) {
	vals := make([]any, r.n)
	ptrs := make([]any, r.n)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := r.rows.Scan(ptrs...); err != nil {
		return nil, err
	}
	return vals, nil
}

func (r *sqlRows) Err() error { return r.rows.Err() }

// tidyPostgres gets a freshly loaded PostgreSQL database ready to be
// measured, as an operator would after a bulk load: VACUUM sets the hint
// bits and the visibility map, ANALYZE gives the planner the tables' real
// sizes, and a checkpoint writes the load out, so that the run pays for
// none of it (as SQLite's setup ends with its write-ahead log checkpointed
// into the database). Only the tables named: analysed empty, a table
// would look empty to the plans made in a transaction that fills it.
func tidyPostgres(ctx context.Context, url string, tables ...string) (took time.Duration, err error) {
	start := time.Now()
	db, err := pgx.Connect(ctx, url)
	if err != nil {
		return 0, err
	}
	defer func() { err = errors.Join(err, db.Close(context.Background())) }()
	ids := make([]string, len(tables))
	for i, t := range tables {
		ids[i] = pgx.Identifier{t}.Sanitize()
	}
	if _, err := db.Exec(ctx, `VACUUM (ANALYZE) `+strings.Join(ids, ", ")); err != nil {
		return 0, err
	}
	// A checkpoint needs a superuser (or pg_checkpoint); without one the
	// server's own comes in its time.
	_, _ = db.Exec(ctx, `CHECKPOINT`)
	return time.Since(start), nil
}
