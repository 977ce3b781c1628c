// Package store keeps MxOS Certificación's data: schema and migrations,
// queries and transactions. It knows nothing of HTTP.
//
// SQLite in the data folder is the default, embedded database; PostgreSQL
// (OpenPostgres) serves deployments with several server processes. Both
// run the same queries (dialect.go) and give the same guarantees.
//
// Writes are serialised on both. With SQLite one writer connection takes
// every write in an immediate transaction, so writers queue instead of
// failing with "database is locked"; a separate read-only pool serves reads
// in parallel (WAL mode). Pragmas live in the DSN so that every pooled
// connection gets them. With PostgreSQL, each process writes through one
// connection too, and every write transaction first takes one
// transaction-level advisory lock, so the writes of every replica queue
// the same way: each transaction sees the database as its predecessor left
// it, as with SQLite, and the read-then-write rules of the store (one open
// attempt per person, one certificate per passing attempt) hold across
// replicas without retry loops. Reads never take it.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"mxcert/internal/fail"
)

// Sentinel errors, tested with errors.Is.
var (
	ErrNotFound = fail.ErrNotFound
	ErrConflict = fail.ErrConflict
)

//go:embed migrations/*.sql migrations/postgres/*.sql
var migrations embed.FS

// FileName is the database file inside the data directory.
const FileName = "mxcert.db"

// DB is the application's database.
type DB struct {
	write   *pool
	read    *pool
	dialect dialect
	path    string           // the SQLite file; empty on PostgreSQL
	now     func() time.Time // stamps rows: Tx.Now

	stmts sync.Map // query → *sql.Stmt on the read pool, for hot look-ups

	served servedCache // ids of committed served items by hash (attempts.go)

	mailClaims mailClaims // queued messages being sent now (mail.go)

	dirCounts  stateCounts   // visible listings by state (directory_search.go)
	dirResults searchResults // ids that searches found (directory_search_cache.go)

	saves     chan saveRequest // answers waiting for the group commit
	touches   pendingTouches   // sessions' activity queued, not yet committed (batch.go)
	closed    chan struct{}
	saverDone chan struct{}
	closeOnce sync.Once
}

// Option changes how Open sets up the database.
type Option func(*DB)

// WithClock makes now the clock that stamps rows (time.Now by default):
// tests pass a fake one.
func WithClock(now func() time.Time) Option {
	return func(db *DB) { db.now = now }
}

// Open opens (creating if needed) the database in dir and applies pending
// migrations.
func Open(ctx context.Context, dir string, opts ...Option) (*DB, error) {
	path := filepath.Join(dir, FileName)
	if err := makePrivate(dir, path); err != nil {
		return nil, err
	}
	write, err := sql.Open("sqlite3", DSN(path, true))
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)
	read, err := sql.Open("sqlite3", DSN(path, false))
	if err != nil {
		return nil, errors.Join(fmt.Errorf("open %s for reading: %w", path, err), write.Close())
	}
	read.SetMaxOpenConns(8)
	read.SetMaxIdleConns(8)
	db := newDB(sqliteDialect, write, read, opts)
	db.path = path
	return db.start(ctx)
}

func newDB(d dialect, write, read *sql.DB, opts []Option) *DB {
	db := &DB{write: &pool{write, d}, read: &pool{read, d}, dialect: d, now: time.Now,
		saves: make(chan saveRequest, maxBatch), closed: make(chan struct{}), saverDone: make(chan struct{})}
	for _, o := range opts {
		o(db)
	}
	return db
}

// start brings the schema up to date and starts the group commit.
func (db *DB) start(ctx context.Context) (*DB, error) {
	if err := db.migrate(ctx); err != nil {
		return nil, errors.Join(err, db.read.Close(), db.write.Close())
	}
	if err := db.refreshSearchKeys(ctx); err != nil {
		return nil, errors.Join(err, db.read.Close(), db.write.Close())
	}
	go db.saver()
	return db, nil
}

// makePrivate makes the data folder (0700) and the database file (0600)
// private before SQLite touches them. The database holds password hashes
// and its write-ahead log holds recent rows, and SQLite creates the -wal
// and -shm files with the database file's mode, so the file is created
// 0600 here, before the first connection, rather than corrected after. An
// existing installation whose files are wider is narrowed.
func makePrivate(dir, path string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create data directory: %w", err)
	}
	if st, err := os.Stat(dir); err != nil {
		return fmt.Errorf("data directory: %w", err)
	} else if st.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(dir, 0o700); err != nil { // #nosec G302 -- narrowing to owner-only, for a directory
			return fmt.Errorf("protect data directory: %w", err)
		}
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600) // #nosec G304 -- the database file in the configured data folder
	if err != nil {
		return fmt.Errorf("create database file: %w", err)
	}
	if err := f.Close(); err != nil {
		return err
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		st, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("database file: %w", err)
		}
		if st.Mode().Perm()&0o077 != 0 {
			if err := os.Chmod(p, 0o600); err != nil {
				return fmt.Errorf("protect %s: %w", filepath.Base(p), err)
			}
		}
	}
	return nil
}

// DSN is the connection string of the database file at path: for the
// single writer connection (immediate transactions) or for the read-only
// pool. Every setting is in the DSN so that every pooled connection gets it.
func DSN(path string, writer bool) string {
	q := url.Values{}
	q.Set("_busy_timeout", "10000")
	q.Set("_foreign_keys", "on")
	q.Set("_journal_mode", "WAL")
	// FULL: a commit survives a power cut, not only a killed process. An
	// acknowledged answer or an issued certificate must never roll back.
	q.Set("_synchronous", "FULL")
	// Each connection keeps the statements it ran prepared (the driver
	// prepares every query anew otherwise: a tenth of an exam start).
	q.Set("_stmt_cache_size", "128")
	if writer {
		q.Set("_txlock", "immediate")
		// Every write goes through this one connection: its page cache
		// (2 MB by default) keeps the B-trees' inner pages, which grow
		// with the data, so that a write reads only the leaves it changes.
		q.Set("_cache_size", "-32768") // KiB: 32 MiB
	} else {
		q.Set("_query_only", "1")
	}
	return "file:" + path + "?" + q.Encode()
}

// Close stops the group commit (answers already in a batch are committed)
// and closes both pools.
func (db *DB) Close() error {
	db.closeOnce.Do(func() {
		close(db.closed)
		<-db.saverDone
		db.drainSaves()
	})
	var errs []error
	db.stmts.Range(func(_, st any) bool {
		errs = append(errs, st.(*sql.Stmt).Close())
		return true
	})
	return errors.Join(append(errs, db.read.Close(), db.write.Close())...)
}

// Path is the database file's path (empty on PostgreSQL).
func (db *DB) Path() string { return db.path }

// Ping checks that the database answers (a read connection).
func (db *DB) Ping(ctx context.Context) error { return db.read.PingContext(ctx) }

// Backend names the database: "sqlite" or "postgres".
func (db *DB) Backend() string { return db.dialect.String() }

// Tx is a write transaction.
type Tx struct {
	tx  *boundTx
	ctx context.Context
	// Now is the time of the transaction: every row it stamps gets the same.
	Now time.Time

	db        *DB
	committed []func() // run after a successful commit
}

// Transact runs fn in an immediate write transaction and commits when fn
// returns nil.
func (db *DB) Transact(ctx context.Context, fn func(tx *Tx) error) error {
	sqlTx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer sqlTx.Rollback() //nolint:errcheck // a no-op after Commit
	if db.dialect == postgresDialect {
		// Released by the commit or the rollback, never held across them.
		if _, err := sqlTx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(?)`, writeLock); err != nil {
			return fmt.Errorf("begin: %w", err)
		}
	}
	tx := &Tx{tx: sqlTx, ctx: ctx, Now: db.now().UTC(), db: db}
	if err := fn(tx); err != nil {
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	for _, f := range tx.committed {
		f()
	}
	return nil
}

// exec runs one write statement in a transaction of its own, so that on
// PostgreSQL it too waits for the write lock: no statement changes rows
// between another transaction's reads and writes, on either database.
func (db *DB) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	var res sql.Result
	err := db.Transact(ctx, func(tx *Tx) error {
		var err error
		res, err = tx.tx.ExecContext(ctx, query, args...)
		return err
	})
	return res, err
}

// afterCommit runs f once the transaction has committed (never if it
// rolls back): for what the process may remember only of committed rows.
func (tx *Tx) afterCommit(f func()) { tx.committed = append(tx.committed, f) }

// DeferForeignKeys postpones foreign-key checks to the commit, for changes
// that are only consistent as a whole (a certificate pointing to its
// replacement, inserted in the same transaction).
func (tx *Tx) DeferForeignKeys() error {
	q := "PRAGMA defer_foreign_keys = ON"
	if tx.db.dialect == postgresDialect {
		q = "SET CONSTRAINTS ALL DEFERRED" // the keys concerned are DEFERRABLE
	}
	_, err := tx.tx.ExecContext(tx.ctx, q)
	return err
}

// hot runs a read query through a statement prepared once per pool (the
// look-ups every request makes: sessions, certificates), instead of
// preparing it again on every call.
func (db *DB) hot(ctx context.Context, query string, args ...any) *sql.Row {
	if st, ok := db.stmts.Load(query); ok {
		return st.(*sql.Stmt).QueryRowContext(ctx, args...)
	}
	st, err := db.read.PrepareContext(ctx, query)
	if err != nil {
		return db.read.QueryRowContext(ctx, query, args...) // reports the same error
	}
	if prev, loaded := db.stmts.LoadOrStore(query, st); loaded {
		_ = st.Close() // another request prepared it first; its copy is used
		st = prev.(*sql.Stmt)
	}
	return st.QueryRowContext(ctx, args...)
}

// querier is what both the read pool and a transaction offer.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// migrate applies the embedded migrations newer than the schema's version,
// each in a write transaction that also moves the version. SQLite keeps the
// version in PRAGMA user_version and starts from migrations/0001;
// PostgreSQL keeps it in schema_version and starts from the consolidated
// migrations/postgres/0021 (a PostgreSQL deployment never had the older
// schemas). A later migration exists once for each, with the same number.
// On PostgreSQL the write lock makes replicas that start together apply
// each migration once: the version is read again under it.
func (db *DB) migrate(ctx context.Context) error {
	pattern := "migrations/*.sql"
	if db.dialect == postgresDialect {
		pattern = "migrations/postgres/*.sql"
		// Under the write lock: two replicas creating it at once would
		// otherwise race inside PostgreSQL's catalog, IF NOT EXISTS or not.
		err := db.Transact(ctx, func(tx *Tx) error {
			_, err := tx.tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)`)
			return err
		})
		if err != nil {
			return fmt.Errorf("schema version table: %w", err)
		}
	}
	files, err := fs.Glob(migrations, pattern)
	if err != nil {
		return err
	}
	slices.Sort(files)
	for _, f := range files {
		n, err := strconv.Atoi(strings.SplitN(filepath.Base(f), "_", 2)[0])
		if err != nil {
			return fmt.Errorf("migration %s: name must start with its number", f)
		}
		script, err := migrations.ReadFile(f)
		if err != nil {
			return err
		}
		err = db.Transact(ctx, func(tx *Tx) error {
			current, err := tx.schemaVersion()
			if err != nil || n <= current {
				return err
			}
			if _, err := tx.tx.Tx.ExecContext(ctx, string(script)); err != nil {
				return fmt.Errorf("apply %s: %w", f, err)
			}
			// The version moves in the same transaction as the schema.
			return tx.setSchemaVersion(n)
		})
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
	}
	return nil
}

func (tx *Tx) schemaVersion() (int, error) {
	q := "PRAGMA user_version"
	if tx.db.dialect == postgresDialect {
		q = "SELECT coalesce(max(version), 0) FROM schema_version"
	}
	var v int
	if err := tx.tx.QueryRowContext(tx.ctx, q).Scan(&v); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return v, nil
}

func (tx *Tx) setSchemaVersion(n int) error {
	var err error
	if tx.db.dialect == postgresDialect {
		if _, err = tx.tx.ExecContext(tx.ctx, `DELETE FROM schema_version`); err == nil {
			_, err = tx.tx.ExecContext(tx.ctx, `INSERT INTO schema_version (version) VALUES (?)`, n)
		}
	} else {
		_, err = tx.tx.ExecContext(tx.ctx, fmt.Sprintf("PRAGMA user_version = %d", n))
	}
	return err
}

// SchemaVersion is the number of the last applied migration.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	q := "PRAGMA user_version"
	if db.dialect == postgresDialect {
		q = "SELECT coalesce(max(version), 0) FROM schema_version"
	}
	var v int
	err := db.read.QueryRowContext(ctx, q).Scan(&v)
	return v, err
}

func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	return fmt.Errorf("%s: %w", what, err)
}
