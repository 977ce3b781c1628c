package store

import (
	"context"
	"database/sql"
	"errors"
	"regexp"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/mattn/go-sqlite3"
)

// The store speaks one SQL to two databases. Queries are written once, for
// both: `?` placeholders, Unix-millisecond BIGINT times, 0/1 flags, and
// only what SQLite and PostgreSQL both understand (CASE rather than
// summing comparisons, RETURNING rather than last-insert ids, ON CONFLICT).
// What differs is kept here: placeholders are numbered for PostgreSQL,
// SQLite's INDEXED BY hints are dropped (PostgreSQL's planner has none), and
// errors are recognised by each driver's codes.

// dialect is the database a pool talks to.
type dialect uint8

const (
	sqliteDialect dialect = iota
	postgresDialect
)

func (d dialect) String() string {
	if d == postgresDialect {
		return "postgres"
	}
	return "sqlite"
}

// indexedBy matches SQLite's index hint, which PostgreSQL does not accept.
var indexedBy = regexp.MustCompile(`\s+INDEXED BY\s+\w+`)

// crossJoin is SQLite's way to fix the order of an inner join (written
// CROSS JOIN … ON); PostgreSQL's planner orders joins itself and accepts
// no ON after CROSS JOIN. A true cross join is written JOIN … ON true.
var crossJoin = regexp.MustCompile(`\bCROSS JOIN\b`)

// bind rewrites a query written for both databases into d's form.
func (d dialect) bind(query string) string {
	if d != postgresDialect {
		return query
	}
	if strings.Contains(query, "INDEXED BY") {
		query = indexedBy.ReplaceAllString(query, "")
	}
	if strings.Contains(query, "CROSS JOIN") {
		query = crossJoin.ReplaceAllString(query, "JOIN")
	}
	if !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	quoted := false
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '\'':
			quoted = !quoted // '' inside a literal toggles twice
		case c == '?' && !quoted:
			b.WriteByte('$')
			if i+1 < len(query) && query[i+1] >= '0' && query[i+1] <= '9' {
				continue // ?1 is $1: numbered, it may be used twice
			}
			n++
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// pool is a connection pool that binds every query to its dialect.
type pool struct {
	*sql.DB
	dialect dialect
}

func (p *pool) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return p.DB.ExecContext(ctx, p.dialect.bind(query), args...)
}

func (p *pool) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return p.DB.QueryContext(ctx, p.dialect.bind(query), args...)
}

func (p *pool) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return p.DB.QueryRowContext(ctx, p.dialect.bind(query), args...)
}

func (p *pool) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	return p.DB.PrepareContext(ctx, p.dialect.bind(query))
}

// BeginTx starts a transaction whose queries are bound like the pool's.
func (p *pool) BeginTx(ctx context.Context, opts *sql.TxOptions) (*boundTx, error) {
	tx, err := p.DB.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &boundTx{Tx: tx, dialect: p.dialect}, nil
}

// boundTx is a transaction that binds every query to its dialect.
type boundTx struct {
	*sql.Tx
	dialect dialect
}

func (t *boundTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return t.Tx.ExecContext(ctx, t.dialect.bind(query), args...)
}

func (t *boundTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return t.Tx.QueryContext(ctx, t.dialect.bind(query), args...)
}

func (t *boundTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return t.Tx.QueryRowContext(ctx, t.dialect.bind(query), args...)
}

func (t *boundTx) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	return t.Tx.PrepareContext(ctx, t.dialect.bind(query))
}

// mayConflict runs one statement that a unique index may refuse, so that
// the transaction can go on after the refusal (ErrConflict): SQLite undoes
// only the refused statement, but PostgreSQL aborts the whole transaction
// unless the statement ran inside a savepoint.
func (tx *Tx) mayConflict(statement func() error) error {
	if tx.db.dialect != postgresDialect {
		return statement()
	}
	if _, err := tx.tx.ExecContext(tx.ctx, `SAVEPOINT may_conflict`); err != nil {
		return err
	}
	err := statement()
	if err != nil {
		if _, rbErr := tx.tx.ExecContext(tx.ctx, `ROLLBACK TO SAVEPOINT may_conflict`); rbErr != nil {
			return errors.Join(err, rbErr)
		}
	}
	if _, relErr := tx.tx.ExecContext(tx.ctx, `RELEASE SAVEPOINT may_conflict`); relErr != nil {
		return errors.Join(err, relErr)
	}
	return err
}

// isUnique reports whether err is a UNIQUE or PRIMARY KEY violation.
func isUnique(err error) bool {
	var se sqlite3.Error
	if errors.As(err, &se) {
		return se.ExtendedCode == sqlite3.ErrConstraintUnique || se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey
	}
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505" // unique_violation
}
