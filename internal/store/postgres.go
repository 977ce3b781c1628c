package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// writeLock is the key of the advisory lock every PostgreSQL write
// transaction takes (store.go): "MxOS" in ASCII, so that it does not
// collide with locks of other software sharing the server.
const writeLock int64 = 0x4d784f53

// WriteLock is writeLock for code outside the store that writes to the
// application's tables and must queue behind its writes (the load
// benchmark's bulk inserts), or that measures what the lock costs.
const WriteLock = writeLock

// The sizes of a PostgreSQL process's two pools. Writers wait for the
// write lock inside the server, so a few connections are enough for the
// group commit and the transactions queued behind it; reads run in
// parallel.
const (
	PostgresWriteConns = 8
	PostgresReadConns  = 16
)

// IsPostgresURL reports whether database names a PostgreSQL server
// (postgres:// or postgresql://) rather than a data folder.
func IsPostgresURL(database string) bool {
	return strings.HasPrefix(database, "postgres://") || strings.HasPrefix(database, "postgresql://")
}

// OpenPostgres connects to the PostgreSQL database at url (postgres://…),
// creates or updates its schema, and returns it ready. Several server
// processes may share one database: see the package comment.
func OpenPostgres(ctx context.Context, url string, opts ...Option) (*DB, error) {
	if !IsPostgresURL(url) {
		return nil, errors.New("open postgres: the address must start with postgres:// or postgresql://")
	}
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	write := stdlib.OpenDB(*cfg)
	write.SetMaxOpenConns(PostgresWriteConns)
	write.SetMaxIdleConns(PostgresWriteConns)
	// The read pool refuses writes, like SQLite's query_only: a write
	// outside Transact would not take the write lock.
	readCfg := cfg.Copy()
	readCfg.RuntimeParams["default_transaction_read_only"] = "on"
	read := stdlib.OpenDB(*readCfg)
	read.SetMaxOpenConns(PostgresReadConns)
	read.SetMaxIdleConns(PostgresReadConns)
	if err := write.PingContext(ctx); err != nil {
		return nil, errors.Join(fmt.Errorf("connect to postgres: %w", err), read.Close(), write.Close())
	}
	return newDB(postgresDialect, write, read, opts).start(ctx)
}
