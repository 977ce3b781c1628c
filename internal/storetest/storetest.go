// Package storetest opens a fresh database for a test on the backend the
// run selects: SQLite in a temporary folder by default, or a new
// PostgreSQL database when MXCERT_TEST_BACKEND=postgres (make test runs
// the suites that use it both ways). Only tests import it.
package storetest

import (
	"context"
	"testing"

	"mxcert/internal/pgtest"
	"mxcert/internal/store"
)

// Open opens an empty database for t, closed when t ends.
func Open(t testing.TB, opts ...store.Option) *store.DB {
	t.Helper()
	var db *store.DB
	var err error
	if pgtest.Selected() {
		db, err = store.OpenPostgres(context.Background(), pgtest.URL(t), opts...)
	} else {
		db, err = store.Open(context.Background(), t.TempDir(), opts...)
	}
	if err != nil {
		t.Fatalf("open the %s test database: %v", backend(), err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("close the database: %v", err)
		}
	})
	return db
}

func backend() string {
	if pgtest.Selected() {
		return "PostgreSQL"
	}
	return "SQLite"
}
