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
	ProfileDir string        // when set, a CPU profile of the server per scenario goes here
	Out        io.Writer
	Log        io.Writer
}

// Default fits a 2-core machine in well under three minutes.
func Default() Config {
	return Config{Candidates: 2000, Duration: 8 * time.Second, Workers: 32, SaveRate: 1000,
		StartStorm: 2 * time.Second, Submits: 500, SubmitIn: 10 * time.Second, Verifies: 300}
}

// Report is every result of a run.
type Report struct {
	Results    []Result
	RSS        map[string]int64 // server resident memory (KiB) at points of the run
	Locked     int              // "database is locked" lines in the server log
	Started    time.Time
	Candidates int
	Machine    string
	Attempts   int // attempts in progress when RSS was taken
	Setup      time.Duration
	Files      []FileSizes // the database and its write-ahead log at points of the run
}

// FileSizes is the size of the server's database file and of its
// write-ahead log at one point of the run.
type FileSizes struct {
	At      string
	DB, WAL int64
}

// Markdown writes the report as tables.
func (r Report) Markdown(w io.Writer) {
	fmt.Fprintf(w, "Run %s on %s.\n\n", r.Started.UTC().Format(time.RFC3339), r.Machine)
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
	fmt.Fprintln(w, "| server memory | RSS |")
	fmt.Fprintln(w, "| --- | ---: |")
	for _, k := range []string{"after setup", "attempts in progress", "end"} {
		if v, ok := r.RSS[k]; ok {
			label := k
			if k == "attempts in progress" {
				label = fmt.Sprintf("%d attempts in progress", r.Attempts)
			}
			fmt.Fprintf(w, "| %s | %.1f MB |\n", label, float64(v)/1024)
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| database file after | database | write-ahead log |")
	fmt.Fprintln(w, "| --- | ---: | ---: |")
	for _, f := range r.Files {
		fmt.Fprintf(w, "| %s | %.1f MB | %.1f MB |\n", f.At, float64(f.DB)/(1<<20), float64(f.WAL)/(1<<20))
	}
	fmt.Fprintf(w, "\nSetup of %d candidates: %.1f s.\n", r.Candidates, r.Setup.Seconds())
	fmt.Fprintf(w, "\n\"database is locked\" in the server log: %d\n", r.Locked)
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

// Run starts the server and the ceilings as child processes of self (the
// mxcert-load binary), runs every scenario and returns the report. The
// server child sets up its database before it answers: cfg.Candidates
// accounts, all but the start storm's with an exam in progress.
func Run(ctx context.Context, self string, cfg Config) (Report, error) {
	rep := Report{Started: time.Now(), RSS: map[string]int64{}, Machine: machine(), Candidates: cfg.Candidates}
	args := []string{"-candidates", fmt.Sprint(cfg.Candidates), "-storm", fmt.Sprint(stormSize(cfg))}
	var control []string // the server's profiling control
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
	t0 := time.Now()
	if err := seedData(ctx, self, dir, args...); err != nil {
		return rep, errors.Join(err, os.RemoveAll(dir))
	}
	rep.Setup = time.Since(t0)
	logf(cfg, "setup: %d candidates in %.1f s", cfg.Candidates, rep.Setup.Seconds())
	srv, err := startChild(ctx, self, "server", dir, control...)
	if err != nil {
		return rep, errors.Join(err, os.RemoveAll(dir))
	}
	defer srv.stop()
	ceilDir, err := os.MkdirTemp("", "mxcert-load-")
	if err != nil {
		return rep, err
	}
	ceil, err := startChild(ctx, self, "ceiling", ceilDir)
	if err != nil {
		return rep, err
	}
	defer ceil.stop()

	b := newBench(cfg, srv.url, srv.dataDir)
	if err := b.setup(ctx); err != nil {
		return rep, fmt.Errorf("setup: %w", err)
	}
	rep.RSS["after setup"] = srv.rss()
	files := func(at string) { rep.Files = append(rep.Files, srv.files(at)) }
	files("setup")
	prof := func(name string) func() { return srv.profile(ctx, cfg, name) }

	cw := b.ceiling(ctx, ceil.url+"/write", "POST")
	cr := b.ceiling(ctx, ceil.url+"/read", "GET")
	c0 := b.ceiling(ctx, ceil.url+"/pdf", "GET")
	cpdf := b.renderCeiling(ctx)
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
	rep.RSS["attempts in progress"] = srv.rss()
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
	rep.RSS["end"] = srv.rss()
	rep.Locked = strings.Count(srv.log(), "database is locked") + strings.Count(ceil.log(), "database is locked")
	return rep, nil
}

// stormSize is how many candidates start their exam in S2.
func stormSize(cfg Config) int { return min(500, cfg.Candidates) }
