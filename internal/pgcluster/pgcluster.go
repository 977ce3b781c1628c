// Package pgcluster starts a throwaway PostgreSQL cluster: a new data
// directory in a fresh temporary folder, made by the PostgreSQL binaries
// installed on the machine, served only through a Unix socket in that
// folder, and removed when stopped. The tests' clusters (internal/pgtest)
// and the load benchmark's (internal/loadtest) are made here.
//
// Durability stays on (fsync, synchronous_commit, full_page_writes), as in
// production. The server dies with the process that started it (on Linux
// the kernel sends it SIGQUIT), and a folder left behind by a process that
// died is removed the next time a cluster with the same prefix starts.
package pgcluster

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver for database/sql
)

// Superuser is the role every URL connects as; it is trusted over the
// socket, with no password.
const Superuser = "postgres"

// Install is a PostgreSQL installation found on the machine (Find).
type Install struct {
	BinDir string   // where initdb and postgres are
	runAs  *account // nil: run the server as the current user
}

// Cluster is a running throwaway cluster. Read its fields; never change
// them.
type Cluster struct {
	BinDir    string        // where initdb and postgres were found
	SocketDir string        // the temporary folder: the socket, the log and data/
	DataDir   string        // the cluster's data directory
	Port      int           // names the socket (.s.PGSQL.<Port>); no TCP port is open
	Took      time.Duration // how long initdb and the start took

	admin   *sql.DB       // connected to the postgres database, to create and drop databases
	proc    *os.Process   // the postmaster
	exited  chan struct{} // closed when the postmaster has exited
	exitErr error         // how it exited; set before exited is closed
}

// URL is the pgx connection URL of the named database on the server.
func (s *Cluster) URL(database string) string {
	q := url.Values{}
	q.Set("host", s.SocketDir)
	q.Set("port", strconv.Itoa(s.Port))
	q.Set("sslmode", "disable")
	u := url.URL{Scheme: "postgres", User: url.User(Superuser), Path: "/" + database, RawQuery: q.Encode()}
	return u.String()
}

// databaseName is what CreateDatabase and DropDatabase accept: a name that
// needs no quoting.
var databaseName = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// CreateDatabase creates an empty database.
func (s *Cluster) CreateDatabase(ctx context.Context, name string) error {
	if !databaseName.MatchString(name) {
		return fmt.Errorf("pgcluster: bad database name %q", name)
	}
	// #nosec G202 -- name matches databaseName: lower-case letters, digits and _
	if _, err := s.admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		return fmt.Errorf("creating database %s: %w", name, err)
	}
	return nil
}

// DropDatabase drops a database, if it exists, closing any connection
// left to it.
func (s *Cluster) DropDatabase(ctx context.Context, name string) error {
	if !databaseName.MatchString(name) {
		return fmt.Errorf("pgcluster: bad database name %q", name)
	}
	// #nosec G202 -- name matches databaseName: lower-case letters, digits and _
	if _, err := s.admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("dropping database %s: %w", name, err)
	}
	return nil
}
