package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"golang.org/x/sync/errgroup"
)

// TableCheck compares one table in the two databases: its rows and the
// SHA-256 of their canonical encoding (see tableHash) in each.
type TableCheck struct {
	Table                    string
	SQLiteRows, PostgresRows int64
	SQLiteSum, PostgresSum   [sha256.Size]byte
}

// Same reports whether the table holds the same rows in both databases.
func (c TableCheck) Same() bool {
	return c.SQLiteRows == c.PostgresRows && c.SQLiteSum == c.PostgresSum
}

// CompareWithPostgres reads every table of the SQLite database file at
// src and of the PostgreSQL database at url, each on a connection of its
// own, and sums both (at once, one reader per database). The tables must
// match as for CopyToPostgres (else a *SchemaError). src is only read.
func CompareWithPostgres(ctx context.Context, src, url string) (checks []TableCheck, err error) {
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
	checks = make([]TableCheck, len(tables))
	for i, t := range tables {
		checks[i].Table = t.name
	}
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		for i, t := range tables {
			// #nosec G202 -- names read from the schema, quoted
			rows, err := lite.QueryContext(gctx, `SELECT `+sqliteColumns(t)+` FROM `+quoteSQLite(t.name)+` ORDER BY `+sqliteOrder(t))
			if err != nil {
				return fmt.Errorf("SQLite %s: %w", t.name, err)
			}
			n, sum, err := sumSQLite(rows, t)
			if err != nil {
				return fmt.Errorf("SQLite %s: %w", t.name, err)
			}
			checks[i].SQLiteRows, checks[i].SQLiteSum = n, sum
		}
		return nil
	})
	g.Go(func() error {
		for i, t := range tables {
			// #nosec G202 -- names read from the schema, quoted
			rows, err := conn.Query(gctx, `SELECT `+postgresColumns(t)+` FROM `+quotePostgres(t.name)+` ORDER BY `+postgresOrder(t))
			if err != nil {
				return fmt.Errorf("PostgreSQL %s: %w", t.name, err)
			}
			n, sum, err := sumPostgres(rows, t)
			if err != nil {
				return fmt.Errorf("PostgreSQL %s: %w", t.name, err)
			}
			checks[i].PostgresRows, checks[i].PostgresSum = n, sum
		}
		return nil
	})
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return checks, nil
}

func postgresColumns(t table) string {
	cols := make([]string, len(t.columns))
	for i, c := range t.columns {
		cols[i] = quotePostgres(c.name)
	}
	return strings.Join(cols, ", ")
}

func sumSQLite(rows *sql.Rows, t table) (n int64, sum [sha256.Size]byte, err error) {
	defer func() { err = errors.Join(err, rows.Close()) }()
	h := newTableHash(t)
	raw := make([]any, len(t.columns))
	ptrs := make([]any, len(raw))
	for i := range raw {
		ptrs[i] = &raw[i]
	}
	vals := make([]any, len(raw))
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return 0, sum, err
		}
		for i, c := range t.columns {
			// The storage class as the copy turns it: text kept as
			// a blob is text, as PostgreSQL holds it.
			if vals[i], err = asKind(c.kind, raw[i]); err != nil {
				return 0, sum, fmt.Errorf("%s: %w", c.name, err)
			}
		}
		if err := h.row(vals); err != nil {
			return 0, sum, err
		}
	}
	if err := rows.Err(); err != nil {
		return 0, sum, err
	}
	n, sum = h.sum()
	return n, sum, nil
}

func sumPostgres(rows pgx.Rows, t table) (int64, [sha256.Size]byte, error) {
	defer rows.Close()
	h := newTableHash(t)
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			return 0, [sha256.Size]byte{}, err
		}
		if err := h.row(vals); err != nil {
			return 0, [sha256.Size]byte{}, err
		}
	}
	if err := rows.Err(); err != nil {
		return 0, [sha256.Size]byte{}, err
	}
	n, sum := h.sum()
	return n, sum, nil
}

// tableHash sums a table's rows in a canonical encoding, the same bytes
// for the same values whichever database they were read from:
//
//   - first "mxcert-rows-v1", the table's name and its columns' names (in
//     the order of the rows' values), each as a length and its bytes;
//   - then, for each row in primary-key order, the byte 'R' and each
//     value: 'N' for NULL; else a tag ('I' integer, 'T' text, 'B' bytes),
//     a length and the bytes (an integer in decimal ASCII, text in UTF-8,
//     bytes as they are).
//
// Lengths are 8-byte big-endian unsigned integers, so that no value can
// run into the next. Values are Go's int64, string and []byte (what both
// drivers return for the schema's three kinds).
type tableHash struct {
	h    hash.Hash
	buf  []byte
	rows int64
}

func newTableHash(t table) *tableHash {
	th := &tableHash{h: sha256.New()}
	th.buf = appendField(th.buf, []byte("mxcert-rows-v1"))
	th.buf = appendField(th.buf, []byte(t.name))
	for _, c := range t.columns {
		th.buf = appendField(th.buf, []byte(c.name))
	}
	th.flush()
	return th
}

func appendField(buf, data []byte) []byte {
	buf = binary.BigEndian.AppendUint64(buf, uint64(len(data)))
	return append(buf, data...)
}

func (th *tableHash) row(vals []any) error {
	th.buf = append(th.buf, 'R')
	for _, v := range vals {
		switch v := v.(type) {
		case nil:
			th.buf = append(th.buf, 'N')
		case int64:
			th.integer(v)
		case int32: // PostgreSQL's integer and smallint, should a schema use them
			th.integer(int64(v))
		case int16:
			th.integer(int64(v))
		case string:
			th.buf = append(th.buf, 'T')
			th.buf = binary.BigEndian.AppendUint64(th.buf, uint64(len(v)))
			th.buf = append(th.buf, v...)
		case []byte:
			th.buf = append(th.buf, 'B')
			th.buf = appendField(th.buf, v)
		default:
			return fmt.Errorf("a %T value, which the sum does not encode", v)
		}
	}
	th.rows++
	if len(th.buf) >= 64<<10 {
		th.flush()
	}
	return nil
}

func (th *tableHash) integer(v int64) {
	th.buf = append(th.buf, 'I')
	var digits [20]byte
	th.buf = appendField(th.buf, strconv.AppendInt(digits[:0], v, 10))
}

func (th *tableHash) flush() {
	th.h.Write(th.buf) // a hash never fails to write
	th.buf = th.buf[:0]
}

func (th *tableHash) sum() (int64, [sha256.Size]byte) {
	th.flush()
	var out [sha256.Size]byte
	copy(out[:], th.h.Sum(nil))
	return th.rows, out
}
