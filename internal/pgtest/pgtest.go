// Package pgtest gives tests a throwaway PostgreSQL server: one cluster per
// test binary, started on first use in a fresh temporary folder from the
// PostgreSQL binaries installed on the machine, reachable only through a
// Unix socket in that folder. Each test gets its own empty database (URL),
// so tests that use it can run in parallel.
//
// A package whose tests use it stops the cluster and removes its folder at
// the end with
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
//
// Without that, the server still dies with the test binary (on Linux the
// kernel sends it SIGQUIT when the binary exits), and the folder left
// behind is removed by the next test binary that starts a cluster.
//
// Durability stays on (fsync, synchronous_commit, full_page_writes), as in
// production: crash tests rely on it. When PostgreSQL is not installed the
// tests that need it are skipped with a notice, unless
// MXCERT_REQUIRE_POSTGRES=1 (set in CI) makes that a failure.
//
// Only tests import it.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver for database/sql

	"mxcert/internal/pgcluster"
)

// RequireEnv is the environment variable that turns a missing PostgreSQL
// into a test failure instead of a skipped test.
const RequireEnv = "MXCERT_REQUIRE_POSTGRES"

// Superuser is the role every URL connects as; it is trusted over the
// socket, with no password.
const Superuser = pgcluster.Superuser

// Server is the running cluster (internal/pgcluster). Its fields (BinDir,
// SocketDir, DataDir, Port, Took) are for tests that start processes of
// their own against it (crash tests); read them, never change them.
type Server struct{ *pgcluster.Cluster }

// dirPrefix begins the name of the tests' cluster folders.
const dirPrefix = "mxcert-pgtest-"

// NewDatabase creates an empty database for t, drops it (closing any
// connection left to it) when t ends, and returns its URL.
func (s *Server) NewDatabase(t testing.TB) string {
	t.Helper()
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatalf("pgtest: naming a database: %v", err)
	}
	name := "t_" + hex.EncodeToString(b[:])
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := s.CreateDatabase(ctx, name); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		if err := s.DropDatabase(ctx, name); err != nil {
			t.Errorf("pgtest: %v", err)
		}
	})
	return s.URL(name)
}

// URL returns the connection URL of a new, empty database for t, dropped
// when t ends; the cluster starts on first use. When PostgreSQL is not
// installed it skips t, or fails it under MXCERT_REQUIRE_POSTGRES=1.
func URL(t testing.TB) string {
	t.Helper()
	return Require(t).NewDatabase(t)
}

// Require returns the running cluster, starting it on first use. When
// PostgreSQL is not installed it skips t, or fails it under
// MXCERT_REQUIRE_POSTGRES=1; a cluster that fails to start fails t.
func Require(t testing.TB) *Server {
	t.Helper()
	if ok, why := Available(); !ok {
		if os.Getenv(RequireEnv) == "1" {
			t.Fatalf("%s, and %s=1 requires it", why, RequireEnv)
		}
		t.Skipf("%s: skipping the PostgreSQL tests. Install it (apt-get install postgresql) to run them; %s=1 turns a missing PostgreSQL into a failure", why, RequireEnv)
	}
	s, err := running()
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	return s
}

// Available says whether a cluster can be started here: the PostgreSQL
// binaries are installed and, when the tests run as root, there is a
// postgres user to run the server as. When not, why says what is missing.
// It starts nothing.
func Available() (ok bool, why string) {
	found.once.Do(func() { found.install, found.err = pgcluster.Find() })
	if found.err != nil {
		return false, found.err.Error()
	}
	return true, ""
}

// found is what Available learnt, once per test binary.
var found struct {
	once    sync.Once
	install *pgcluster.Install
	err     error
}

// cluster is the one cluster of the test binary.
var cluster struct {
	mu      sync.Mutex
	tried   bool // start was attempted: s or err is set
	stopped bool
	s       *Server
	err     error
}

// settings are the tests' own cluster settings.
const settings = `
max_connections = 200
shared_buffers = 32MB
`

func running() (*Server, error) {
	cluster.mu.Lock()
	defer cluster.mu.Unlock()
	if cluster.stopped {
		return nil, fmt.Errorf("the cluster was already stopped")
	}
	if !cluster.tried {
		cluster.tried = true
		c, err := found.install.Start(pgcluster.Options{Prefix: dirPrefix, Settings: settings})
		if err != nil {
			cluster.err = fmt.Errorf("starting PostgreSQL from %s: %w", found.install.BinDir, err)
		} else {
			cluster.s = &Server{c}
		}
	}
	return cluster.s, cluster.err
}

// Stop stops the cluster, if one was started, and removes its folder.
// Later calls to URL and Require fail their test. Main calls it; a
// TestMain that does more than Main calls it after m.Run.
func Stop() error {
	cluster.mu.Lock()
	defer cluster.mu.Unlock()
	cluster.stopped = true
	if cluster.s == nil {
		return nil
	}
	s := cluster.s
	cluster.s = nil
	return s.Stop()
}

// Main runs the tests, then stops the cluster and removes its folder, and
// exits with the tests' status (1 if stopping failed).
func Main(m *testing.M) {
	code := m.Run()
	if err := Stop(); err != nil {
		fmt.Fprintln(os.Stderr, "pgtest: stopping PostgreSQL:", err)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

// BackendEnv selects the database the application's test suites run
// against: "postgres" runs them on PostgreSQL (make test does, after the
// SQLite run); anything else, or nothing, on SQLite.
const BackendEnv = "MXCERT_TEST_BACKEND"

// Selected reports whether this test run is the PostgreSQL one.
func Selected() bool { return os.Getenv(BackendEnv) == "postgres" }

// Database is what a test passes as the services' database setting: a new
// PostgreSQL database for t when the run is the PostgreSQL one, else ""
// (SQLite in the test's data folder).
func Database(t testing.TB) string {
	t.Helper()
	if !Selected() {
		return ""
	}
	return URL(t)
}

// SQLiteOnly skips a test that looks at SQLite's own files (modes, raw
// bytes, the file's contents) when the run is the PostgreSQL one.
func SQLiteOnly(t testing.TB) {
	t.Helper()
	if Selected() {
		t.Skip("SQLite only: this run is against PostgreSQL")
	}
}

// DatabaseForMain is Database for a TestMain that starts one server for
// the whole package: "" unless the run is the PostgreSQL one, else the URL
// of a new database that lives as long as the cluster (Stop ends both).
func DatabaseForMain() (string, error) {
	if !Selected() {
		return "", nil
	}
	if ok, why := Available(); !ok {
		return "", fmt.Errorf("%s=postgres, but %s", BackendEnv, why)
	}
	s, err := running()
	if err != nil {
		return "", err
	}
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	name := "m_" + hex.EncodeToString(b[:])
	if err := s.CreateDatabase(context.Background(), name); err != nil {
		return "", fmt.Errorf("creating database %s: %w", name, err)
	}
	return s.URL(name), nil
}
