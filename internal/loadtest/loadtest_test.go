package loadtest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the server child shows dates in America/Mexico_City

	"mxcert/internal/pgtest"
)

// TestMain makes the test binary the benchmark's children too: Run starts
// `self __child MODE DIR ...`, and self is this binary.
func TestMain(m *testing.M) {
	if len(os.Args) > 2 && os.Args[1] == "__child" {
		content, err := filepath.Abs(filepath.Join("..", "..", "content"))
		if err == nil {
			err = Child(os.Args[2:], content)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	pgtest.Main(m)
}

// logTo writes the benchmark's progress to the test's log.
type logTo struct{ t *testing.T }

func (l logTo) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// A tiny run of every scenario on PostgreSQL with two replicas: requests
// go to each in turn, so a session made by the setup, an exam started on
// one replica and answered on the other, and a certificate issued by one
// and downloaded from the other must all work. Every request must succeed.
func TestPostgresWithTwoReplicas(t *testing.T) {
	url := pgtest.URL(t)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Candidates: 24, Duration: 300 * time.Millisecond, Workers: 4, SaveRate: 40, StartStorm: 500 * time.Millisecond,
		Submits: 8, SubmitIn: time.Second, Verifies: 40, Listings: 300, Database: url, Log: logTo{t}}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	rep, err := Run(ctx, self, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Replicas != 2 || !strings.HasPrefix(rep.Database, "PostgreSQL ") {
		t.Errorf("ran on %q with %d replicas, want PostgreSQL with 2", rep.Database, rep.Replicas)
	}
	if len(rep.Results) != 12 {
		t.Errorf("%d results, want 12", len(rep.Results))
	}
	for _, r := range rep.Results {
		if r.Requests == 0 || r.Errors > 0 || r.Notes != "" {
			t.Errorf("%s: %d requests, %d errors %s", r.Name, r.Requests, r.Errors, r.Notes)
		}
	}
	ceilings := map[string]float64{}
	for _, c := range rep.Ceilings {
		ceilings[c.Name] = c.PerSecond
	}
	for _, name := range []string{"Cw", "Cw with the write lock", "Cr", "C0", "Cpdf"} {
		if ceilings[name] <= 0 {
			t.Errorf("ceiling %s: %v", name, ceilings[name])
		}
	}
	if rep.Logged > 0 {
		t.Errorf("the servers logged %d errors", rep.Logged)
	}
	if got := rep.RSS["end"]; len(got) != 2 || got[0] == 0 || got[1] == 0 {
		t.Errorf("memory at the end: %v, want one figure per replica", got)
	}
	var out bytes.Buffer
	rep.Markdown(&out)
	if !strings.Contains(out.String(), "2 replicas, requests in turn") || !strings.Contains(out.String(), "copy to PostgreSQL") {
		t.Errorf("the report does not say how it ran:\n%s", out.String())
	}
}

// SQLite serves one server process.
func TestSQLiteRefusesReplicas(t *testing.T) {
	_, err := Run(context.Background(), "/nonexistent", Config{Replicas: 2})
	if err == nil || !strings.Contains(err.Error(), "-replicas 1") {
		t.Fatalf("err = %v, want a refusal naming -replicas 1", err)
	}
}
