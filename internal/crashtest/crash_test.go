package crashtest

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
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
	"mxcert/internal/mailtest"
	"mxcert/internal/pgtest"
)

// maxRequestsBeforeKill bounds how many requests the servers answer
// between the start of a cycle and its kill.
const maxRequestsBeforeKill = 150

// waitLimit bounds every wait for the servers; generous, for a busy
// 2-core machine with the race detector.
const waitLimit = 2 * time.Minute

var (
	kills   = flag.Int("kills", 0, "how many times a server is killed (0: 10 with SQLite, 6 with PostgreSQL, where each kill has a restart under load; make crashtest: 50)")
	seed    = flag.Uint64("seed", 0, "random seed, to replay a run (0: from the clock)")
	workers = flag.Int("workers", 4, "candidates taking exams at once")
)

// TestCrashSafety kills the server with SIGKILL at random moments while
// candidates register, start exams, autosave answers and hand them in,
// then restarts it on the same data directory. After every kill the
// database must hold every acknowledged answer, a certificate for every
// pass, no half-finalised attempt, and pass SQLite's integrity check.
func TestCrashSafety(t *testing.T) {
	crashSafety(t, newWorld(t, "", 1, nil), 10)
}

// TestCrashSafetyPostgres is the same with two servers sharing one
// PostgreSQL database, the keys of one data folder and the content, as
// replicas behind a load balancer: every candidate's requests go to
// either, and one at a time is killed while the other keeps serving,
// then started again under load; every third one hangs first, and the
// other must go on writing meanwhile. The checks are the same, read from
// PostgreSQL, and a message the outbox sent must reach the SMTP server
// once, never twice.
func TestCrashSafetyPostgres(t *testing.T) {
	database := pgtest.URL(t)
	smtp := mailtest.Start(t)
	w := newWorld(t, database, 2, []string{"MXCERT_SMTP_URL=" + smtp.URL()})
	crashSafety(t, w, 6)
	w.checkMail(smtp)
}

// crashSafety runs the load on the world's servers and kills them, one at
// a time, -kills times (n by default).
func crashSafety(t *testing.T, w *world, n int) {
	if *kills > 0 {
		n = *kills
	}
	s := *seed
	if s == 0 {
		s = uint64(time.Now().UnixNano()) // #nosec G115 -- any bits make a seed
	}
	t.Logf("seed %d (the same random choices again: -args -seed %d)", s, s)
	rng := rand.New(rand.NewPCG(s, s>>1|1))                   // #nosec G404 -- kill timing, not security
	w.rng = rand.New(rand.NewPCG(rng.Uint64(), rng.Uint64())) // #nosec G404 -- test data
	replicas := len(w.replicas)

	start := time.Now()
	w.began = start
	// The replicas start together on an empty database and data folder:
	// they create the schema and the keys at the same moment.
	w.startDown()
	var fo failover
	for cycle := range n {
		w.startDown() // the server killed last time, when it has no twin
		ctx, cancel := context.WithCancel(context.Background())
		client := newClient()
		var wg sync.WaitGroup
		for i := range *workers {
			wg.Go(func() { w.work(ctx, client, i) })
		}
		// The random moment: after a random number of answered requests,
		// from none (right after start-up) to well into the load. Counted in
		// requests, not in time, so a busy machine gets the same load as an
		// idle one; the kill still lands while other requests are in flight.
		target := w.answeredRequests() + rng.IntN(maxRequestsBeforeKill)
		w.waitFor(fmt.Sprintf("%d answered requests (seed %d)", target, s), func() bool {
			return w.answeredRequests() >= target
		})
		victim := cycle % replicas
		var killed *server
		if replicas == 1 {
			killed = w.kill(victim)
		} else {
			// Every third victim first hangs, then dies.
			killed = fo.run(w, victim, cycle%3 == 2)
		}
		cancel()
		wg.Wait()
		client.CloseIdleConnections()
		killed.checkLog(t)
		w.disconnected(killed)
		w.check(fmt.Sprintf("after kill %d", cycle+1))
		if t.Failed() {
			t.Fatalf("after kill %d (seed %d)", cycle+1, s)
		}
	}

	// A last start: the servers still serve everyone, and stop cleanly.
	w.startDown()
	w.finalVisit()
	w.stopAll()
	w.check("after the clean stop")
	passed, finished := w.outcomes()
	t.Logf("%d kills of %d server(s) on %s in %v: %d candidates, %d attempts handed in (%d passed), %d requests answered, %d answers acknowledged; %d requests left without a reply, %d of them autosaves that had committed",
		n, replicas, w.backend(), time.Since(start).Round(time.Millisecond), len(w.cands), finished, passed, w.answered, w.ackedAnswers, w.lostReplies, w.unackedSaves)
	if replicas > 1 {
		t.Logf("%d requests answered while a replica was down; restarts under load took up to %v; %d replicas hung before their kill, and the other served %d requests within %v of a hang",
			fo.answered, fo.slowestRestart.Round(time.Millisecond), fo.hangs, 2**workers, fo.longestHang.Round(time.Millisecond))
	}
	if w.ackedAnswers < n || finished == 0 {
		t.Errorf("too little load to prove anything: %d answers, %d attempts handed in", w.ackedAnswers, finished)
	}
}

// failover kills the replicas of a pair, one at a time, while the other
// one serves, and counts what happened meanwhile.
type failover struct {
	answered       int // requests answered while a replica was down
	hangs          int
	longestHang    time.Duration // from a hang to the other's progress
	slowestRestart time.Duration
}

// run takes replica victim out and kills it, or first makes it hang
// (SIGSTOP): a machine that stops answering with its connections open,
// perhaps in the middle of a write transaction. The other replica takes
// every candidate, those whose request died with the victim included, and
// must go on serving, writes included. Then the victim starts again under
// that load, as a replica does after a crash, and serves its share.
func (fo *failover) run(w *world, victim int, hang bool) *server {
	other := 1 - victim
	s := w.takeOut(victim)
	hungAt := time.Now()
	if _, known := stopped(s.cmd.Process.Pid); hang && !known {
		hang = false // no way to see the stop here: a plain kill
	}
	if hang {
		s.signal(syscall.SIGSTOP)
		w.waitFor("the hung replica's threads to stop", func() bool {
			ok, _ := stopped(s.cmd.Process.Pid)
			return ok
		})
		// Its candidates give up on the requests it holds, as the exam
		// page's autosave does after a while, and send them again: to
		// the other replica.
		s.abandon()
	} else {
		s.kill()
	}
	atKill, byOther := w.answeredRequests(), w.answeredBy(other)
	w.waitFor("requests answered by the other replica", func() bool {
		return w.answeredBy(other) >= byOther+2**workers
	})
	if hang {
		fo.hangs++
		fo.longestHang = max(fo.longestHang, time.Since(hungAt))
		s.kill()
	}
	began := time.Now()
	w.start(victim)
	fo.slowestRestart = max(fo.slowestRestart, time.Since(began))
	fo.answered += w.answeredRequests() - atKill
	byVictim := w.answeredBy(victim)
	w.waitFor("requests answered by the restarted replica", func() bool {
		return w.answeredBy(victim) > byVictim
	})
	return s
}

// waitFor waits for cond, or for a worker's failure, and fails the test
// after waitLimit.
func (w *world) waitFor(what string, cond func() bool) {
	w.t.Helper()
	clocktest.WaitFor(w.t, waitLimit, what, func() bool { return cond() || w.t.Failed() })
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

// replica is one server of the test: with SQLite there is one, with
// PostgreSQL two. Its fields are guarded by the world's mutex.
type replica struct {
	name string
	srv  *server // the running process; nil while down
	gen  int     // how many times it was started
}

// server is one run of the binary.
type server struct {
	cmd     *exec.Cmd
	url     string
	logPath string
	appName string // its connections' application_name on PostgreSQL

	// gone ends when the candidates give up on the requests the run holds
	// (abandon); the kill, the stop or a hang ends it.
	gone    context.Context
	abandon context.CancelFunc
}

var listening = regexp.MustCompile(`en (http://127\.0\.0\.1:\d+) `)

// startDown starts, at the same time, every replica that is not running.
func (w *world) startDown() {
	t := w.t
	t.Helper()
	var down []int
	w.mu.Lock()
	for i, r := range w.replicas {
		if r.srv == nil {
			down = append(down, i)
		}
	}
	w.mu.Unlock()
	errs := make([]error, len(down))
	var wg sync.WaitGroup
	for k, i := range down {
		wg.Go(func() { errs[k] = w.launch(i) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}

// start runs replica i again and waits until it answers.
func (w *world) start(i int) *server {
	w.t.Helper()
	if err := w.launch(i); err != nil {
		w.t.Fatal(err)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.replicas[i].srv
}

// launch runs replica i on the data folder (and the database) and waits
// until its /healthz says it serves; then candidates may be sent to it.
func (w *world) launch(i int) error {
	w.mu.Lock()
	r := w.replicas[i]
	r.gen++
	name := fmt.Sprintf("%s-%03d", r.name, r.gen)
	w.mu.Unlock()
	logPath := filepath.Join(w.logs, "server-"+name+".log")
	logFile, err := os.Create(logPath) // #nosec G304 -- a file in the test's directory
	if err != nil {
		return err
	}
	defer logFile.Close()
	// Every candidate comes from an address of its own (X-Forwarded-For
	// from a trusted proxy), as through a school's or a café's proxy, so
	// the per-address limits do not throttle the test.
	args := []string{"serve", "--addr", "127.0.0.1:0", "--data", w.data, "--content", w.content, "--trusted-proxies", "127.0.0.1"}
	s := &server{logPath: logPath}
	s.gone, s.abandon = context.WithCancel(context.Background())
	if w.database != "" {
		s.appName = "mxcert-crashtest-" + name
		db, err := withParam(w.database, "application_name", s.appName)
		if err != nil {
			return err
		}
		args = append(args, "--database", db)
	}
	cmd := exec.Command(w.bin, args...) // #nosec G204 -- the binary just built
	if w.env != nil {
		cmd.Env = append(os.Environ(), w.env...)
	}
	cmd.Stderr = logFile
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	s.cmd = cmd
	w.t.Cleanup(func() { // a failed test leaves no server behind
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
			return fmt.Errorf("start %s: unexpected first line %q\n%s", name, l, s.logTail())
		}
		s.url = m[1]
	case <-time.After(waitLimit):
		s.kill()
		return fmt.Errorf("start %s: the server did not start in %v\n%s", name, waitLimit, s.logTail())
	}
	if err := s.waitHealthy(w.backend()); err != nil {
		s.kill()
		return fmt.Errorf("start %s: %w\n%s", name, err, s.logTail())
	}
	w.mu.Lock()
	r.srv = s
	w.mu.Unlock()
	return nil
}

// waitHealthy asks /healthz until it answers 200 naming the database, as
// a load balancer does before it sends the replica any request.
func (s *server) waitHealthy(backend string) error {
	deadline := time.Now().Add(waitLimit)
	for {
		var health struct{ Status, Database string }
		resp, err := http.Get(s.url + "/healthz")
		if err == nil {
			err = json.NewDecoder(resp.Body).Decode(&health)
			if cerr := resp.Body.Close(); err == nil {
				err = cerr
			}
			if err == nil && resp.StatusCode == http.StatusOK {
				if health.Database != backend {
					return fmt.Errorf("/healthz names the database %q, not %q", health.Database, backend)
				}
				return nil
			}
			if err == nil {
				err = fmt.Errorf("/healthz %d %q", resp.StatusCode, health.Status)
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not healthy after %v: %w", waitLimit, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// withParam adds a query parameter to a database URL.
func withParam(database, key, value string) (string, error) {
	u, err := url.Parse(database)
	if err != nil {
		return "", err
	}
	q := u.Query()
	q.Set(key, value)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// kill takes replica i out of the candidates' reach, then kills it: the
// requests already sent to it die with it.
func (w *world) kill(i int) *server {
	s := w.takeOut(i)
	s.kill()
	return s
}

// takeOut takes replica i out of the candidates' reach, as a load
// balancer does with a replica that fails its health checks; the requests
// already sent to it are still under way.
func (w *world) takeOut(i int) *server {
	w.mu.Lock()
	defer w.mu.Unlock()
	r := w.replicas[i]
	s := r.srv
	r.srv = nil
	return s
}

// stopAll stops every running replica gracefully and checks their logs.
func (w *world) stopAll() {
	for i := range w.replicas {
		w.mu.Lock()
		s := w.replicas[i].srv
		w.replicas[i].srv = nil
		w.mu.Unlock()
		if s != nil {
			s.stop(w.t)
			s.checkLog(w.t)
		}
	}
}

func newClient() *http.Client {
	return &http.Client{
		Transport:     &http.Transport{MaxIdleConnsPerHost: 16},
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// signal sends the process sig; it may have died already.
func (s *server) signal(sig syscall.Signal) { _ = s.cmd.Process.Signal(sig) }

// kill ends the process the hard way: no deferred code, no shutdown.
func (s *server) kill() {
	_ = s.cmd.Process.Signal(syscall.SIGKILL) // it may have died already; Wait says
	_ = s.cmd.Wait()                          // "signal: killed" is the expected outcome
	s.abandon()
}

// stop asks for a graceful shutdown and wants a clean exit.
func (s *server) stop(t *testing.T) {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	defer s.abandon()
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
			t.Errorf("the server's log %s has %q:\n%s", filepath.Base(s.logPath), bad, s.logTail())
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
