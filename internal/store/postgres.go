package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// writeLock is the key of the advisory lock every PostgreSQL write
// transaction takes (store.go): "MxOS" in ASCII, so that it does not
// collide with locks of other software sharing the server.
const writeLock int64 = 0x4d784f53

// writeIdleLimit is how long a write transaction may leave its connection
// silent before PostgreSQL ends the session, releasing the write lock
// (OpenPostgres): far above the gaps between the statements of a
// transaction, well below the server's 60 s to answer a request, which
// the requests waiting for the lock meanwhile must still meet.
const writeIdleLimit = 10 * time.Second

// idleLimitParam is PostgreSQL's name for that limit.
const idleLimitParam = "idle_in_transaction_session_timeout"

// WriteLock is writeLock for code outside the store that writes to the
// application's tables and must queue behind its writes (the load
// benchmark's bulk inserts), or that measures what the lock costs.
const WriteLock = writeLock

// The sizes of a PostgreSQL process's two pools: one write connection
// (OpenPostgres says why), reads in parallel.
const (
	PostgresWriteConns = 1
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
	// The read pool refuses writes, like SQLite's query_only: a write
	// outside Transact would not take the write lock.
	readCfg := cfg.Copy()
	readCfg.RuntimeParams["default_transaction_read_only"] = "on"
	// A write transaction holds the write lock of every replica. One whose
	// replica hangs in the middle of it (a paused machine, a stopped
	// process, a network cut that leaves its connection open) would stop
	// every replica's writes until it came back. PostgreSQL ends such a
	// session after writeIdleLimit of silence inside a transaction, which
	// frees the lock; no transaction here waits that long between two of
	// its statements. An address that sets the parameter keeps its value.
	if _, set := cfg.RuntimeParams[idleLimitParam]; !set {
		cfg.RuntimeParams[idleLimitParam] = strconv.FormatInt(writeIdleLimit.Milliseconds(), 10)
	}
	write := stdlib.OpenDB(*cfg)
	// One write connection, as with SQLite: a process's writers queue in
	// the process and at most one of them waits in the server for the
	// write lock or holds it. With more, a hung replica would leave several
	// sessions in the lock's queue, and each, granted the lock in turn,
	// would hold the other replicas' writes for writeIdleLimit again.
	write.SetMaxOpenConns(PostgresWriteConns)
	write.SetMaxIdleConns(PostgresWriteConns)
	read := stdlib.OpenDB(*readCfg)
	read.SetMaxOpenConns(PostgresReadConns)
	read.SetMaxIdleConns(PostgresReadConns)
	if err := write.PingContext(ctx); err != nil {
		return nil, errors.Join(fmt.Errorf("connect to postgres: %w", err), read.Close(), write.Close())
	}
	return newDB(postgresDialect, write, read, opts).start(ctx)
}
