package loadtest

// The database the server under test runs on: SQLite in the run's data
// folder (the default), or PostgreSQL, either a throwaway cluster this run
// starts on the machine (internal/pgcluster) or a database given by URL.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"mxcert/internal/pgcluster"
	"mxcert/internal/store"
)

// backend is the database of a run.
type backend struct {
	postgres bool
	url      string             // the PostgreSQL database; empty for SQLite
	cluster  *pgcluster.Cluster // the cluster this run started, if any
}

// Names of what the run makes on PostgreSQL.
const (
	clusterPrefix = "mxcert-load-pg-" // the throwaway cluster's folder
	loadDatabase  = "mxcert_load"     // the application's database in it
)

// clusterSettings are the throwaway cluster's settings beyond pgcluster's
// (which keep fsync, synchronous_commit and full_page_writes on): the
// memory of a default installation, room for every pool of the run, and
// pg_stat_statements, which -profile reads after each scenario.
const clusterSettings = `
max_connections = 200
shared_buffers = 128MB
shared_preload_libraries = 'pg_stat_statements'
`

// openBackend prepares the database cfg.Database names: "" or "sqlite",
// "postgres" (a throwaway cluster started here, with an empty database),
// or a postgres:// URL of an empty database.
func openBackend(ctx context.Context, cfg Config) (*backend, error) {
	switch {
	case cfg.Database == "" || cfg.Database == "sqlite":
		return &backend{}, nil
	case cfg.Database == "postgres":
		in, err := pgcluster.Find()
		if err != nil {
			return nil, fmt.Errorf("-database postgres starts a throwaway PostgreSQL cluster: %w", err)
		}
		c, err := in.Start(pgcluster.Options{Prefix: clusterPrefix, Settings: clusterSettings})
		if err != nil {
			return nil, fmt.Errorf("starting PostgreSQL from %s: %w", in.BinDir, err)
		}
		if err := c.CreateDatabase(ctx, loadDatabase); err != nil {
			return nil, errors.Join(err, c.Stop())
		}
		be := &backend{postgres: true, url: c.URL(loadDatabase), cluster: c}
		if err := be.exec(ctx, `CREATE EXTENSION pg_stat_statements`); err != nil {
			return nil, errors.Join(err, c.Stop())
		}
		return be, nil
	case store.IsPostgresURL(cfg.Database):
		be := &backend{postgres: true, url: cfg.Database}
		db, err := be.open()
		if err != nil {
			return nil, err
		}
		var users sql.NullString
		err = db.QueryRowContext(ctx, `SELECT to_regclass('users')::text`).Scan(&users)
		if err = errors.Join(err, db.Close()); err != nil {
			return nil, fmt.Errorf("-database: %w", err)
		}
		if users.Valid {
			return nil, errors.New("-database: the database already has the application's tables; the benchmark fills an empty one")
		}
		return be, nil
	}
	return nil, fmt.Errorf("-database %q: sqlite, postgres (a throwaway cluster) or a postgres:// URL", cfg.Database)
}

// close stops the cluster this run started, if any.
func (be *backend) close() error {
	if be.cluster == nil {
		return nil
	}
	return be.cluster.Stop()
}

// open connects to the PostgreSQL database.
func (be *backend) open() (*sql.DB, error) {
	cfg, err := pgx.ParseConfig(be.url)
	if err != nil {
		return nil, err
	}
	return stdlib.OpenDB(*cfg), nil
}

func (be *backend) exec(ctx context.Context, query string) error {
	db, err := be.open()
	if err != nil {
		return err
	}
	_, err = db.ExecContext(ctx, query)
	return errors.Join(err, db.Close())
}

// reader opens the server's database for the generator's own look-ups
// (answer keys, question ids, certificate codes), outside any measurement.
func (be *backend) reader(dataDir string) (*sql.DB, error) {
	if be.postgres {
		return be.open()
	}
	return sql.Open("sqlite3", store.DSN(filepath.Join(dataDir, store.FileName), false))
}

// writer opens the server's database for the directory's bulk insert.
func (be *backend) writer(dataDir string) (*sql.DB, error) {
	if be.postgres {
		return be.open()
	}
	return sql.Open("sqlite3", store.DSN(filepath.Join(dataDir, store.FileName), true))
}

// describe names the database and its version.
func (be *backend) describe(ctx context.Context, db *sql.DB) string {
	if !be.postgres {
		var v string
		if err := db.QueryRowContext(ctx, `SELECT sqlite_version()`).Scan(&v); err != nil {
			return "SQLite"
		}
		return "SQLite " + v
	}
	var v string
	if err := db.QueryRowContext(ctx, `SHOW server_version`).Scan(&v); err != nil {
		return "PostgreSQL"
	}
	return "PostgreSQL " + strings.Fields(v)[0]
}

// sizes is the size of the database and of its write-ahead log now: the
// SQLite file and its -wal file, or PostgreSQL's database and pg_wal.
func (be *backend) sizes(ctx context.Context, db *sql.DB, dataDir, at string) FileSizes {
	fs := FileSizes{At: at}
	if be.postgres {
		_ = db.QueryRowContext(ctx, `SELECT pg_database_size(current_database())`).Scan(&fs.DB)        // zero if refused
		_ = db.QueryRowContext(ctx, `SELECT coalesce(sum(size), 0) FROM pg_ls_waldir()`).Scan(&fs.WAL) // needs a superuser or pg_monitor
		return fs
	}
	if st, err := os.Stat(filepath.Join(dataDir, store.FileName)); err == nil {
		fs.DB = st.Size()
	}
	if st, err := os.Stat(filepath.Join(dataDir, store.FileName+"-wal")); err == nil {
		fs.WAL = st.Size()
	}
	return fs
}

// bind numbers the ? placeholders of the generator's own queries for
// PostgreSQL ($1, $2…). Those queries hold no quoted question marks.
func (be *backend) bind(query string) string {
	if !be.postgres {
		return query
	}
	return rebind(query)
}

func rebind(query string) string {
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// statements, on the throwaway PostgreSQL cluster with -profile, empties
// pg_stat_statements and returns what writes, when the scenario name ends,
// the statements that took most of the server's time meanwhile to
// name.statements.txt in the profile folder, beside the servers' CPU
// profiles. Elsewhere it does nothing.
func (b *bench) statements(ctx context.Context, name string) func() {
	if b.cfg.ProfileDir == "" || b.be.cluster == nil {
		return func() {}
	}
	if _, err := b.db.ExecContext(ctx, `SELECT pg_stat_statements_reset()`); err != nil {
		logf(b.cfg, "pg_stat_statements: %v", err)
		return func() {}
	}
	return func() {
		if err := b.writeStatements(ctx, filepath.Join(b.cfg.ProfileDir, name+".statements.txt")); err != nil {
			logf(b.cfg, "pg_stat_statements: %v", err)
		}
	}
}

func (b *bench) writeStatements(ctx context.Context, path string) (err error) {
	rows, err := b.db.QueryContext(ctx, `SELECT calls, total_exec_time, mean_exec_time, rows, shared_blks_hit, shared_blks_read, query
		FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
		ORDER BY total_exec_time DESC LIMIT 40`)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, rows.Close()) }()
	var out strings.Builder
	fmt.Fprintf(&out, "%10s %12s %10s %10s %12s %10s  query\n", "calls", "total ms", "mean ms", "rows", "blks hit", "blks read")
	for rows.Next() {
		var calls, nrows, hit, read int64
		var total, mean float64
		var query string
		if err := rows.Scan(&calls, &total, &mean, &nrows, &hit, &read, &query); err != nil {
			return err
		}
		fmt.Fprintf(&out, "%10d %12.1f %10.3f %10d %12d %10d  %s\n", calls, total, mean, nrows, hit, read, strings.Join(strings.Fields(query), " "))
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(out.String()), 0o600)
}
