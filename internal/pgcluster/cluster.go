package pgcluster

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// Time limits, generous for a busy 2-core machine.
const (
	initdbTimeout = 2 * time.Minute
	readyTimeout  = time.Minute
	stopTimeout   = 30 * time.Second
)

// settings are appended to the cluster's postgresql.conf, before
// Options.Settings (the last value of a setting wins). Durability stays as
// in production.
const settings = `
# A throwaway cluster, reachable only through its socket.
listen_addresses = ''
fsync = on
synchronous_commit = on
full_page_writes = on
huge_pages = off
jit = off
timezone = 'UTC'
log_timezone = 'UTC'
`

// Options are what differs between the users of a cluster.
type Options struct {
	// Prefix begins the name of the cluster's temporary folder (a random
	// suffix follows). Starting a cluster removes the folders with the
	// same prefix that processes which have exited left behind.
	Prefix string
	// Settings are lines for postgresql.conf, after the defaults above.
	Settings string
}

// Start makes a cluster in a new temporary folder and starts it. The
// server runs until Stop, or until this process dies (on Linux the kernel
// then sends it SIGQUIT).
func (in *Install) Start(opts Options) (s *Cluster, err error) {
	if opts.Prefix == "" {
		return nil, errors.New("pgcluster: a folder prefix is required")
	}
	began := time.Now()
	runAs := in.runAs
	base := tempBase(runAs != nil)
	sweepAbandoned(base, opts.Prefix)
	dir, err := os.MkdirTemp(base, opts.Prefix)
	if err != nil {
		return nil, fmt.Errorf("making the cluster's folder: %w", err)
	}
	defer func() {
		if err != nil {
			if rmErr := os.RemoveAll(dir); rmErr != nil {
				err = errors.Join(err, fmt.Errorf("removing the cluster's folder: %w", rmErr))
			}
		}
	}()
	if err := writeOwner(dir); err != nil {
		return nil, err
	}
	if runAs != nil {
		if err := os.Chown(dir, runAs.uid, runAs.gid); err != nil {
			return nil, fmt.Errorf("giving the cluster's folder to %s: %w", runAs.name, err)
		}
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	s = &Cluster{
		BinDir:    in.BinDir,
		SocketDir: dir,
		DataDir:   filepath.Join(dir, "data"),
		Port:      port,
		exited:    make(chan struct{}),
	}
	if err := s.initdb(runAs); err != nil {
		return nil, err
	}
	if err := s.configure(opts.Settings); err != nil {
		return nil, err
	}
	if err := s.launch(runAs); err != nil {
		return nil, err
	}
	if err := s.waitReady(); err != nil {
		if killErr := s.kill(); killErr != nil {
			err = errors.Join(err, killErr)
		}
		return nil, err
	}
	s.Took = time.Since(began)
	return s, nil
}

// initdb makes the data directory, with trust over the socket and a
// superuser named postgres. --no-sync only skips flushing initdb's own
// files: a lost cluster is simply made again, while the server keeps fsync.
func (s *Cluster) initdb(runAs *account) error {
	ctx, cancel := context.WithTimeout(context.Background(), initdbTimeout)
	defer cancel()
	// #nosec G204 -- the binary is PostgreSQL's initdb found by findBinaries; the arguments are ours
	cmd := exec.CommandContext(ctx, filepath.Join(s.BinDir, "initdb"),
		"--pgdata="+s.DataDir, "--username="+Superuser, "--auth=trust",
		"--encoding=UTF8", "--locale=C.UTF-8", "--no-sync")
	cmd.Dir = s.SocketDir
	cmd.Env = childEnv()
	cmd.SysProcAttr = sysProcAttr(runAs, false)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("initdb: %w\n%s", err, bytes.TrimSpace(out))
	}
	return nil
}

func (s *Cluster) configure(extra string) error {
	conf := filepath.Join(s.DataDir, "postgresql.conf")
	f, err := os.OpenFile(conf, os.O_WRONLY|os.O_APPEND, 0) // #nosec G304 -- initdb made it in our folder
	if err != nil {
		return fmt.Errorf("configuring the cluster: %w", err)
	}
	text := settings + extra + fmt.Sprintf("\nunix_socket_directories = '%s'\nport = %d\n",
		strings.ReplaceAll(s.SocketDir, "'", "''"), s.Port)
	_, err = f.WriteString(text)
	if closeErr := f.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		return fmt.Errorf("configuring the cluster: %w", err)
	}
	return nil
}

// launch starts the postmaster, its output going to postgres.log in the
// folder. The server is started from a goroutine locked to its thread:
// the parent-death signal (Linux) fires when the thread that started the
// child ends, so that thread must live as long as the server does.
func (s *Cluster) launch(runAs *account) error {
	logFile, err := os.OpenFile(s.logPath(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("opening the server's log: %w", err)
	}
	// #nosec G204 -- the binary is PostgreSQL's postgres found by findBinaries; the arguments are ours
	cmd := exec.Command(filepath.Join(s.BinDir, "postgres"), "-D", s.DataDir)
	cmd.Dir = s.SocketDir
	cmd.Env = childEnv()
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	cmd.SysProcAttr = sysProcAttr(runAs, true)
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread ends with this goroutine, after the server
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		s.exitErr = cmd.Wait()
		close(s.exited)
	}()
	err = <-started
	if closeErr := logFile.Close(); closeErr != nil && err == nil {
		err = closeErr
	}
	if err != nil {
		return fmt.Errorf("starting postgres: %w", err)
	}
	s.proc = cmd.Process
	return nil
}

// waitReady polls the server until it accepts a connection to the
// postgres database, keeping that pool as the admin connection.
func (s *Cluster) waitReady() error {
	admin, err := sql.Open("pgx", s.URL("postgres"))
	if err != nil {
		return fmt.Errorf("opening the admin connection: %w", err)
	}
	deadline := time.Now().Add(readyTimeout)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err := admin.PingContext(ctx)
		cancel()
		if err == nil {
			admin.SetMaxOpenConns(8)
			s.admin = admin
			return nil
		}
		select {
		case <-s.exited:
			return closeAfter(admin, fmt.Errorf("postgres exited while starting (%v):\n%s", s.exitErr, s.logTail()))
		default:
		}
		if time.Now().After(deadline) {
			return closeAfter(admin, fmt.Errorf("postgres not ready after %v: %w\n%s", readyTimeout, err, s.logTail()))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// closeAfter closes db after err, which it returns with any error closing.
func closeAfter(db *sql.DB, err error) error {
	if closeErr := db.Close(); closeErr != nil {
		return errors.Join(err, closeErr)
	}
	return err
}

// Stop ends the server and removes its folder.
func (s *Cluster) Stop() error {
	var errs []error
	if err := s.admin.Close(); err != nil {
		errs = append(errs, fmt.Errorf("closing the admin connection: %w", err))
	}
	if err := s.kill(); err != nil {
		errs = append(errs, err)
	}
	if err := os.RemoveAll(s.SocketDir); err != nil {
		errs = append(errs, fmt.Errorf("removing the cluster's folder: %w", err))
	}
	return errors.Join(errs...)
}

// kill asks for an immediate shutdown (nothing is worth a checkpoint in a
// cluster about to be deleted), then kills the server if it lingers.
func (s *Cluster) kill() error {
	if err := quit(s.proc); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("stopping postgres: %w", err)
	}
	select {
	case <-s.exited:
		return nil
	case <-time.After(stopTimeout):
	}
	if err := s.proc.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("killing postgres: %w", err)
	}
	<-s.exited
	return nil
}

func (s *Cluster) logPath() string { return filepath.Join(s.SocketDir, "postgres.log") }

// logTail is the end of the server's log, for an error message.
func (s *Cluster) logTail() string {
	b, err := os.ReadFile(s.logPath())
	if err != nil {
		return fmt.Sprintf("(no log: %v)", err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > 20 {
		lines = lines[len(lines)-20:]
	}
	return strings.Join(lines, "\n")
}

// childEnv is the whole environment of initdb and postgres: nothing of
// ours (PGDATA, PGPORT…) leaks into them.
func childEnv() []string {
	return []string{"PATH=" + os.Getenv("PATH"), "LC_ALL=C", "TZ=UTC"}
}

// freePort returns a TCP port nobody listens on. The server opens no TCP
// port: the number only names its socket, and picking a free one keeps
// the name clear of any other server's on the machine.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("choosing a port number: %w", err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	if err := l.Close(); err != nil {
		return 0, fmt.Errorf("choosing a port number: %w", err)
	}
	return port, nil
}

// tempBase is where the cluster's folder goes: the usual temporary folder,
// unless the socket's path would be too long there (a Unix socket's path
// has at most 107 bytes) or, when the server runs as another user, that
// user could not reach it.
func tempBase(otherUser bool) string {
	base := os.TempDir()
	if len(base) > 60 || (otherUser && !traversable(base)) {
		return "/tmp"
	}
	return base
}

// traversable says whether any user can pass through dir and its parents.
func traversable(dir string) bool {
	for {
		fi, err := os.Stat(dir)
		if err != nil || fi.Mode().Perm()&0o001 == 0 {
			return false
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return true
		}
		dir = parent
	}
}
