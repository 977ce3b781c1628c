// Package loadtest measures MxOS Certificación under the load of a national
// programme: candidates autosaving answers, exam-start and submit storms,
// certificate downloads and employers verifying, each beside a raw ceiling
// measured in the same run on the same machine (a bare Gin handler doing
// the same kind of SQLite work, or nothing). Latencies come from open-loop
// (fixed-rate) load, so stalls are not hidden; saturation throughput from
// closed-loop load.
//
// The server under test runs as a child process (the real application, with
// cheap password hashing so that setting up thousands of candidates does
// not dominate the run), so its memory is measured on its own.
package loadtest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Config is a run's size.
type Config struct {
	Candidates int           // accounts created (and exams started in S2)
	Duration   time.Duration // each closed-loop measurement
	Workers    int           // closed-loop concurrency
	SaveRate   int           // S1 open-loop rate, saves per second
	StartStorm time.Duration // S2: all candidates press start within this
	Submits    int           // S3: attempts handed in
	SubmitIn   time.Duration // S3: within this
	Verifies   int           // S5 open-loop rate, look-ups per second
	Listings   int           // D: listings in the directory
	ProfileDir string        // when set, a CPU profile of the server per scenario goes here
	// Database is "sqlite" (or empty), "postgres" (a throwaway cluster on
	// this machine) or the postgres:// URL of an empty database.
	Database string
	// Replicas is how many server processes share the database, each
	// request going to the next (0: 1 on SQLite, 2 on PostgreSQL).
	Replicas int
	Out      io.Writer
	Log      io.Writer
}

// replicas is how many servers the run starts.
func (cfg Config) replicas() int {
	if cfg.Replicas > 0 {
		return cfg.Replicas
	}
	if cfg.Database == "" || cfg.Database == "sqlite" {
		return 1
	}
	return 2
}

// Default fits a 2-core machine in well under three minutes.
func Default() Config {
	return Config{Candidates: 2000, Duration: 8 * time.Second, Workers: 32, SaveRate: 1000,
		StartStorm: 2 * time.Second, Submits: 500, SubmitIn: 10 * time.Second, Verifies: 300, Listings: DirectoryListings}
}

// Report is every result of a run.
type Report struct {
	Results    []Result
	Ceilings   []Ceiling
	RSS        map[string][]int64 // each server's resident memory (KiB) at points of the run
	Locked     int                // "database is locked" lines in the servers' logs
	Logged     int                // errors in the servers' logs
	Started    time.Time
	Candidates int
	Machine    string
	Load       string // the machine's load averages when the run began
	Database   string // the database and its version
	Replicas   int
	Attempts   int // attempts in progress when RSS was taken
	Setup      time.Duration
	SetupSteps string      // how long the setup's steps took
	Files      []FileSizes // the database and its write-ahead log at points of the run
}

// Ceiling is one raw ceiling's saturation throughput.
type Ceiling struct {
	Name, What string
	PerSecond  float64
}

// FileSizes is the size of the server's database file and of its
// write-ahead log at one point of the run.
type FileSizes struct {
	At      string
	DB, WAL int64
}

// Markdown writes the report as tables.
func (r Report) Markdown(w io.Writer) {
	fmt.Fprintf(w, "Run %s on %s; load average %s.\n", r.Started.UTC().Format(time.RFC3339), r.Machine, r.Load)
	servers := "1 server"
	if r.Replicas > 1 {
		servers = fmt.Sprintf("%d replicas, requests in turn", r.Replicas)
	}
	fmt.Fprintf(w, "Database: %s, %s; %d candidates.\n\n", r.Database, servers, r.Candidates)
	fmt.Fprintln(w, "| scenario | load | requests | errors | throughput (/s) | p50 ms | p90 ms | p99 ms | max ms | ceiling (/s) | ratio |")
	fmt.Fprintln(w, "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
	for _, x := range r.Results {
		ceiling := "—"
		if x.Ceiling > 0 {
			ceiling = fmt.Sprintf("%.0f (%s)", x.Ceiling, x.CeilingOf)
		}
		fmt.Fprintf(w, "| %s | %s | %d | %d | %.0f | %s | %s | %s | %s | %s | %s |\n",
			x.Name, x.Mode, x.Requests, x.Errors, x.Throughput, ms(x.P50), ms(x.P90), ms(x.P99), ms(x.Max), ceiling, x.Ratio())
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| ceiling | what | /s |")
	fmt.Fprintln(w, "| --- | --- | ---: |")
	for _, c := range r.Ceilings {
		fmt.Fprintf(w, "| %s | %s | %.0f |\n", c.Name, c.What, c.PerSecond)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| server memory | RSS |")
	fmt.Fprintln(w, "| --- | ---: |")
	for _, k := range []string{"after setup", "attempts in progress", "end"} {
		if v, ok := r.RSS[k]; ok {
			label := k
			if k == "attempts in progress" {
				label = fmt.Sprintf("%d attempts in progress", r.Attempts)
			}
			mb := make([]string, len(v))
			for i, kib := range v {
				mb[i] = fmt.Sprintf("%.1f MB", float64(kib)/1024)
			}
			fmt.Fprintf(w, "| %s | %s |\n", label, strings.Join(mb, " + "))
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| database file after | database | write-ahead log |")
	fmt.Fprintln(w, "| --- | ---: | ---: |")
	for _, f := range r.Files {
		fmt.Fprintf(w, "| %s | %.1f MB | %.1f MB |\n", f.At, float64(f.DB)/(1<<20), float64(f.WAL)/(1<<20))
	}
	fmt.Fprintf(w, "\nSetup of %d candidates: %.1f s (%s).\n", r.Candidates, r.Setup.Seconds(), r.SetupSteps)
	fmt.Fprintf(w, "\n\"database is locked\" in the server log: %d; errors logged: %d\n", r.Locked, r.Logged)
	for _, x := range r.Results {
		if x.Notes != "" {
			fmt.Fprintf(w, "\n- %s: %s", x.Name, x.Notes)
		}
	}
	fmt.Fprintln(w)
}

func logf(cfg Config, format string, args ...any) {
	if cfg.Log != nil {
		fmt.Fprintf(cfg.Log, format+"\n", args...)
	}
}

// Run starts the database (a PostgreSQL cluster, with cfg.Database
// "postgres"), the servers and the ceilings as child processes of self
// (the mxcert-load binary), runs every scenario and returns the report. A
// seed child sets up the database before the servers start:
// cfg.Candidates accounts, all but the start storm's with an exam in
// progress. Requests go to the servers in turn, as a load balancer
// without affinity would send them.
func Run(ctx context.Context, self string, cfg Config) (rep Report, err error) {
	replicas := cfg.replicas()
	rep = Report{Started: time.Now(), RSS: map[string][]int64{}, Machine: machine(), Load: loadAverage(),
		Candidates: cfg.Candidates, Replicas: replicas}
	be, err := openBackend(ctx, cfg)
	if err != nil {
		return rep, err
	}
	defer func() { err = errors.Join(err, be.close()) }()
	if !be.postgres && replicas != 1 {
		return rep, errors.New("SQLite serves one server process: -replicas 1")
	}
	var db []string // the children's database flag
	if be.postgres {
		db = []string{"-database", be.url}
	}
	args := append([]string{"-candidates", fmt.Sprint(cfg.Candidates), "-storm", fmt.Sprint(stormSize(cfg))}, db...)
	var control []string // the servers' profiling control
	if cfg.ProfileDir != "" {
		dir, err := filepath.Abs(cfg.ProfileDir)
		if err != nil {
			return rep, err
		}
		args = append(args, "-profile", dir)
		control = []string{"-profile", dir}
	}
	dir, err := os.MkdirTemp("", "mxcert-load-")
	if err != nil {
		return rep, err
	}
	defer func() { err = errors.Join(err, os.RemoveAll(dir)) }()
	t0 := time.Now()
	if rep.SetupSteps, err = seedData(ctx, self, dir, args...); err != nil {
		return rep, err
	}
	rep.Setup = time.Since(t0)
	logf(cfg, "setup: %d candidates in %.1f s: %s", cfg.Candidates, rep.Setup.Seconds(), rep.SetupSteps)
	var srvs []*child
	defer func() {
		for _, s := range srvs {
			s.stop()
		}
	}()
	for k := range replicas {
		flags := append(slices.Clone(db), control...)
		if replicas > 1 {
			flags = append(flags, "-replica", fmt.Sprint(k+1))
		}
		srv, err := startChild(ctx, self, "server", dir, flags...)
		if err != nil {
			return rep, err
		}
		srvs = append(srvs, srv)
	}
	ceilDir, err := os.MkdirTemp("", "mxcert-load-")
	if err != nil {
		return rep, err
	}
	defer func() { err = errors.Join(err, os.RemoveAll(ceilDir)) }()
	ceil, err := startChild(ctx, self, "ceiling", ceilDir, db...)
	if err != nil {
		return rep, err
	}
	defer ceil.stop()

	urls := make([]string, len(srvs))
	for i, s := range srvs {
		urls[i] = s.url
	}
	b := newBench(cfg, be, urls, dir)
	if err := b.setup(ctx); err != nil {
		return rep, fmt.Errorf("setup: %w", err)
	}
	defer func() { err = errors.Join(err, b.db.Close()) }()
	rep.Database = be.describe(ctx, b.db)
	rss := func(at string) {
		for _, s := range srvs {
			rep.RSS[at] = append(rep.RSS[at], s.rss())
		}
	}
	rss("after setup")
	files := func(at string) { rep.Files = append(rep.Files, be.sizes(ctx, b.db, dir, at)) }
	files("setup")
	prof := func(name string) func() {
		stops := make([]func(), len(srvs))
		for i, s := range srvs {
			stops[i] = s.profile(ctx, cfg, name)
		}
		stats := b.statements(ctx, name)
		return func() {
			for _, stop := range stops {
				stop()
			}
			stats()
		}
	}

	cw := b.ceiling(ctx, ceil.url+"/write", "POST")
	rep.Ceilings = append(rep.Ceilings, Ceiling{"Cw", "one INSERT per durable transaction", cw})
	if be.postgres {
		cwl := b.ceiling(ctx, ceil.url+"/write-locked", "POST")
		rep.Ceilings = append(rep.Ceilings, Ceiling{"Cw with the write lock", "the same, after pg_advisory_xact_lock as every write of the application", cwl})
	}
	cr := b.ceiling(ctx, ceil.url+"/read", "GET")
	c0 := b.ceiling(ctx, ceil.url+"/pdf", "GET")
	cpdf := b.renderCeiling(ctx)
	rep.Ceilings = append(rep.Ceilings, Ceiling{"Cr", "one SELECT by primary key", cr},
		Ceiling{"C0", "48 KB fixed, no work", c0}, Ceiling{"Cpdf", "certificate PDFs rendered in process, every core", cpdf})
	logf(cfg, "ceilings: write %.0f/s, read %.0f/s, bare %.0f/s, render %.0f/s", cw, cr, c0, cpdf)

	done := prof("s2")
	s2 := b.startStorm(ctx)
	done()
	s2.Ceiling, s2.CeilingOf = cw, "Cw"
	rep.Results = append(rep.Results, s2)
	rep.Attempts = b.openAttempts()
	if err := b.learnQuestions(ctx); err != nil {
		return rep, err
	}
	rss("attempts in progress")
	files("S2")

	done = prof("s1")
	s1 := b.autosaveClosed(ctx)
	done()
	s1.Ceiling, s1.CeilingOf = cw, "Cw"
	done = prof("s1open")
	s1open := b.autosaveOpen(ctx)
	done()
	rep.Results = append(rep.Results, s1, s1open)
	files("S1")

	done = prof("s3")
	s3 := b.submitStorm(ctx)
	done()
	s3.Ceiling, s3.CeilingOf = cw, "Cw"
	rep.Results = append(rep.Results, s3)
	files("S3")

	done = prof("s4")
	first, cached := b.pdfs(ctx)
	done()
	first.Ceiling, first.CeilingOf = cpdf, "Cpdf"
	cached.Ceiling, cached.CeilingOf = c0, "C0"
	rep.Results = append(rep.Results, first, cached)

	done = prof("s5")
	s5 := b.verifyClosed(ctx)
	done()
	s5.Ceiling, s5.CeilingOf = cr, "Cr"
	alone := b.verifyOpen(ctx, "S5 verification, alone")
	done = prof("s5under")
	under := b.verifyUnderLoad(ctx)
	done()
	rep.Results = append(rep.Results, s5, alone, under)
	files("S5")

	// The directory's search (directory.go), with its own data.
	done = prof("directory")
	rep.Results = append(rep.Results, b.directory(ctx, cr)...)
	done()
	files("D")
	rss("end")
	for _, s := range append(srvs, ceil) {
		rep.Locked += strings.Count(s.log(), "database is locked")
	}
	for _, s := range srvs {
		rep.Logged += strings.Count(s.log(), "level=ERROR")
	}
	return rep, nil
}

// loadAverage is the machine's load averages over 1, 5 and 15 minutes.
func loadAverage() string {
	data, err := readFile("/proc/loadavg")
	if f := strings.Fields(data); err == nil && len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return "unknown"
}

// stormSize is how many candidates start their exam in S2.
func stormSize(cfg Config) int { return min(500, cfg.Candidates) }
