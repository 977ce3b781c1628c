package crashtest

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"mxcert/internal/clocktest"
)

// maxRequestsBeforeKill bounds how many requests the server answers between
// a start and its kill.
const maxRequestsBeforeKill = 150

var (
	kills   = flag.Int("kills", 10, "how many times the server is killed (make crashtest: 50)")
	seed    = flag.Uint64("seed", 0, "random seed, to replay a run (0: from the clock)")
	workers = flag.Int("workers", 4, "candidates taking exams at once")
)

// TestCrashSafety kills the server with SIGKILL at random moments while
// candidates register, start exams, autosave answers and hand them in,
// then restarts it on the same data directory. After every kill the
// database must hold every acknowledged answer, a certificate for every
// pass, no half-finalised attempt, and pass SQLite's integrity check.
func TestCrashSafety(t *testing.T) {
	s := *seed
	if s == 0 {
		s = uint64(time.Now().UnixNano()) // #nosec G115 -- any bits make a seed
	}
	t.Logf("seed %d (the same random choices again: -args -seed %d)", s, s)
	rng := rand.New(rand.NewPCG(s, s>>1|1)) // #nosec G404 -- kill timing, not security

	w := &world{
		t:       t,
		bin:     buildServer(t),
		content: copyContent(t),
		data:    t.TempDir(),
		logs:    t.TempDir(),
		rng:     rand.New(rand.NewPCG(rng.Uint64(), rng.Uint64())), // #nosec G404 -- test data
	}
	start := time.Now()
	for cycle := range *kills {
		srv := w.start(cycle)
		ctx, cancel := context.WithCancel(context.Background())
		client := srv.client()
		var wg sync.WaitGroup
		for i := range *workers {
			wg.Go(func() { w.work(ctx, client, i) })
		}
		// The random moment: after a random number of answered requests,
		// from none (right after start-up) to well into the load. Counted in
		// requests, not in time, so a busy machine gets the same load as an
		// idle one; the kill still lands while other requests are in flight.
		target := w.answeredRequests() + rng.IntN(maxRequestsBeforeKill)
		clocktest.WaitFor(t, 2*time.Minute, fmt.Sprintf("%d answered requests (seed %d)", target, s), func() bool {
			return w.answeredRequests() >= target || t.Failed()
		})
		srv.kill()
		cancel()
		wg.Wait()
		client.CloseIdleConnections()
		srv.checkLog(t)
		w.check(fmt.Sprintf("after kill %d", cycle+1))
		if t.Failed() {
			t.Fatalf("after kill %d (seed %d)", cycle+1, s)
		}
	}

	// A last start: the server still serves everyone, and stops cleanly.
	srv := w.start(*kills)
	w.finalVisit(srv)
	srv.stop(t)
	srv.checkLog(t)
	w.check("after the clean stop")
	passed, finished := w.outcomes()
	t.Logf("%d kills in %v: %d candidates, %d attempts handed in (%d passed), %d requests answered, %d answers acknowledged; %d requests left without a reply, %d of them autosaves that had committed",
		*kills, time.Since(start).Round(time.Millisecond), len(w.cands), finished, passed, w.answered, w.ackedAnswers, w.lostReplies, w.unackedSaves)
	if w.ackedAnswers < *kills || finished == 0 {
		t.Errorf("too little load to prove anything: %d answers, %d attempts handed in", w.ackedAnswers, finished)
	}
}

// buildServer compiles cmd/mxcert once per run, with the race detector
// when the test has it (the compiled packages are then shared).
func buildServer(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "mxcert")
	args := []string{"build", "-o", bin}
	if raceEnabled {
		args = append(args, "-race")
	}
	args = append(args, "mxcert/cmd/mxcert")
	started := time.Now()
	out, err := exec.Command("go", args...).CombinedOutput() // #nosec G204 -- fixed arguments
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	t.Logf("built the server in %v (race detector: %v)", time.Since(started).Round(time.Millisecond), raceEnabled)
	return bin
}

// copyContent puts the example track outside the git work tree, so the
// server versions it by hashing instead of asking git at every start.
func copyContent(t *testing.T) string {
	t.Helper()
	src, dst := "../content/testdata/content", t.TempDir()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o750)
		}
		data, err := os.ReadFile(p) // #nosec G304 -- walking the test fixture
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o600)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// server is one run of the binary.
type server struct {
	cmd     *exec.Cmd
	url     string
	logPath string
}

var listening = regexp.MustCompile(`en (http://127\.0\.0\.1:\d+) `)

// start runs the server on the data directory and waits until it answers.
func (w *world) start(cycle int) *server {
	t := w.t
	t.Helper()
	logPath := filepath.Join(w.logs, fmt.Sprintf("server-%03d.log", cycle))
	logFile, err := os.Create(logPath) // #nosec G304 -- a file in the test's directory
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	// Every candidate comes from an address of its own (X-Forwarded-For
	// from a trusted proxy), as through a school's or a café's proxy, so
	// the per-address limits do not throttle the test.
	cmd := exec.Command(w.bin, "serve", "--addr", "127.0.0.1:0", "--data", w.data, "--content", w.content, // #nosec G204 -- the binary just built
		"--trusted-proxies", "127.0.0.1")
	if w.env != nil {
		cmd.Env = append(os.Environ(), w.env...)
	}
	cmd.Stderr = logFile
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, logPath: logPath}
	t.Cleanup(func() { // a failed test leaves no server behind
		if cmd.ProcessState == nil {
			s.kill()
		}
	})
	line := make(chan string, 1)
	go func() {
		l, _ := bufio.NewReader(stdout).ReadString('\n')
		line <- l
		_, _ = io.Copy(io.Discard, stdout) // keep the pipe drained until exit
	}()
	select {
	case l := <-line:
		m := listening.FindStringSubmatch(l)
		if m == nil {
			s.kill()
			t.Fatalf("start %d: unexpected first line %q\n%s", cycle, l, s.logTail())
		}
		s.url = m[1]
		w.mu.Lock()
		w.base = s.url
		w.mu.Unlock()
	case <-time.After(60 * time.Second):
		s.kill()
		t.Fatalf("start %d: the server did not start\n%s", cycle, s.logTail())
	}
	resp, err := http.Get(s.url + "/healthz")
	if err != nil {
		s.kill()
		t.Fatalf("start %d: %v", cycle, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		s.kill()
		t.Fatalf("start %d: /healthz %d\n%s", cycle, resp.StatusCode, s.logTail())
	}
	return s
}

func (s *server) client() *http.Client {
	return &http.Client{
		Transport:     &http.Transport{MaxIdleConnsPerHost: 16},
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// kill ends the process the hard way: no deferred code, no shutdown.
func (s *server) kill() {
	_ = s.cmd.Process.Signal(syscall.SIGKILL) // it may have died already; Wait says
	_ = s.cmd.Wait()                          // "signal: killed" is the expected outcome
}

// stop asks for a graceful shutdown and wants a clean exit.
func (s *server) stop(t *testing.T) {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("graceful stop: %v\n%s", err, s.logTail())
		}
	case <-time.After(30 * time.Second):
		s.kill()
		t.Errorf("the server did not stop on SIGTERM\n%s", s.logTail())
	}
}

// checkLog fails on a data race or an error the server logged.
func (s *server) checkLog(t *testing.T) {
	t.Helper()
	data, err := os.ReadFile(s.logPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"WARNING: DATA RACE", "level=ERROR", "panic"} {
		if strings.Contains(string(data), bad) {
			t.Errorf("the server's log has %q:\n%s", bad, s.logTail())
			return
		}
	}
}

func (s *server) logTail() string {
	data, _ := os.ReadFile(s.logPath)
	if len(data) > 4000 {
		data = data[len(data)-4000:]
	}
	return string(data)
}
