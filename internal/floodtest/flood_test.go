package floodtest

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var binary = flag.String("bin", "", "an mxcert binary to flood instead of building cmd/mxcert (to measure another version)")

const (
	// budgetMiB is the hashing budget the server is started with
	// (MXCERT_HASH_MEMORY); the peak must stay under it plus headroom.
	budgetMiB = 256
	// headroom is what the rest of the server may use: the runtime, the
	// content, SQLite, the connections of the flood.
	headroom = 100_000_000 // bytes (100 MB)

	signIns         = 150 // wrong passwords, each from an address of its own: a third for the owner, the rest for unknown e-mails
	passwordChanges = 50  // wrong current passwords, all from the owner's one session

	owner         = "duena@ejemplo.mx"
	ownerPassword = "jardín de cactus azules"
)

// TestPasswordFloodStaysWithinTheMemoryBudget sends 200 password checks at
// once to the real server, started with the default Argon2id costs and a
// hashing budget of budgetMiB: 150 sign-ins with a wrong password from 150
// addresses (50 for the owner's account, 100 for unknown e-mails), and 50 password changes with a wrong current password from
// one signed-in session. The process's peak resident memory (VmHWM) must
// stay under the budget plus 100 MB, and every request must get a 2xx, a
// 4xx or a 503, never a 500 or a dropped connection. Afterwards the owner
// still signs in: the failures came from other addresses.
func TestPasswordFloodStaysWithinTheMemoryBudget(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads the peak memory from /proc/PID/status")
	}
	bin := *binary
	if bin == "" {
		bin = buildServer(t)
	}
	srv := startServer(t, bin)

	ownerClient := srv.client(t)
	rec := srv.post(ownerClient, "/registro", "192.0.2.1", url.Values{"name": {"Dueña de la Cuenta"}, "email": {owner}, "password": {ownerPassword}, "state": {"Oaxaca"}})
	if rec.status != http.StatusSeeOther {
		t.Fatalf("register the owner: %d, %v", rec.status, rec.err)
	}
	// Registering does not sign in; the owner's session comes from signing in.
	if rec := srv.post(ownerClient, "/entrar", "192.0.2.1", url.Values{"email": {owner}, "password": {ownerPassword}}); rec.status != http.StatusSeeOther {
		t.Fatalf("sign the owner in: %d, %v", rec.status, rec.err)
	}
	idle := srv.peakRSS(t)

	outcomes := make(chan outcome, signIns+passwordChanges)
	ready := make(chan struct{})
	var wg sync.WaitGroup
	for i := range signIns {
		wg.Go(func() {
			c := srv.client(t)
			<-ready
			ip := fmt.Sprintf("10.0.%d.%d", i/250, i%250+1)
			email := owner
			if i%3 != 0 {
				email = fmt.Sprintf("persona%d@ejemplo.mx", i) // no such account: checked all the same
			}
			o := srv.post(c, "/entrar", ip, url.Values{"email": {email}, "password": {fmt.Sprintf("intento equivocado %d", i)}})
			o.route = "sign-in"
			outcomes <- o
		})
	}
	for i := range passwordChanges {
		wg.Go(func() {
			<-ready
			o := srv.post(ownerClient, "/cuenta/contrasena", "192.0.2.1", url.Values{"current": {fmt.Sprintf("no es la actual %d", i)}, "new": {"otra frase larga y segura"}})
			o.route = "password change"
			outcomes <- o
		})
	}
	started := time.Now()
	close(ready)
	wg.Wait()
	took := time.Since(started)
	close(outcomes)
	peak := srv.peakRSS(t)

	counts := map[string]int{}
	for o := range outcomes {
		key := fmt.Sprintf("%s %d", o.route, o.status)
		if o.err != nil {
			key = fmt.Sprintf("%s error", o.route)
			t.Errorf("%s: %v", o.route, o.err)
		} else if o.status >= 500 && o.status != http.StatusServiceUnavailable {
			t.Errorf("%s: status %d", o.route, o.status)
		}
		counts[key]++
	}
	limit := int64(budgetMiB)<<20 + headroom
	t.Logf("budget %d MiB; peak RSS %.1f MB after start-up and one registration, %.1f MB after the flood (limit %.1f MB); flood of %d requests took %v; outcomes: %s",
		budgetMiB, mb(idle), mb(peak), mb(limit), signIns+passwordChanges, took.Round(time.Millisecond), describe(counts))
	if peak > limit {
		t.Errorf("peak RSS %.1f MB is over the budget of %d MiB plus 100 MB (%.1f MB)", mb(peak), budgetMiB, mb(limit))
	}
	if counts["sign-in 401"] == 0 {
		t.Error("no password was checked at all: a server that refuses everything is not what is measured")
	}

	// The flood came from other addresses: the owner signs in at once.
	if o := srv.post(srv.client(t), "/entrar", "192.0.2.1", url.Values{"email": {owner}, "password": {ownerPassword}}); o.status != http.StatusSeeOther {
		t.Errorf("the owner's sign-in after the flood: %d, %v", o.status, o.err)
	}
	srv.stop(t)
}

type outcome struct {
	route  string
	status int
	err    error
}

func mb(bytes int64) float64 { return float64(bytes) / 1e6 }

func describe(counts map[string]int) string {
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s: %d", k, counts[k])
	}
	return strings.Join(parts, ", ")
}

// buildServer compiles cmd/mxcert without the race detector, whatever the
// test runs with: the race detector's shadow memory would be measured too.
func buildServer(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "mxcert")
	out, err := exec.Command("go", "build", "-o", bin, "mxcert/cmd/mxcert").CombinedOutput() // #nosec G204 -- fixed arguments
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

type server struct {
	cmd *exec.Cmd
	url string
	log *os.File
}

var listening = regexp.MustCompile(`en (http://127\.0\.0\.1:\d+) `)

// startServer runs the binary with the example track and the hashing
// budget, trusting the test as its proxy so that each request can come
// from an address of its own (X-Forwarded-For).
func startServer(t *testing.T, bin string) *server {
	t.Helper()
	logFile, err := os.Create(filepath.Join(t.TempDir(), "server.log"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = logFile.Close() })
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--data", t.TempDir(), // #nosec G204 -- the binary under test
		"--content", "../content/testdata/content", "--trusted-proxies", "127.0.0.1")
	cmd.Env = append(os.Environ(), "MXCERT_HASH_MEMORY="+strconv.Itoa(budgetMiB))
	cmd.Stderr = logFile
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, log: logFile}
	t.Cleanup(func() { // a failed test leaves no server behind
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
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
			t.Fatalf("unexpected first line %q\n%s", l, s.logText())
		}
		s.url = m[1]
	case <-time.After(2 * time.Minute):
		t.Fatalf("the server did not start\n%s", s.logText())
	}
	return s
}

// client is one browser: its own cookies and connections, no redirects
// followed.
func (s *server) client(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{
		Jar:           jar,
		Transport:     &http.Transport{MaxIdleConnsPerHost: passwordChanges + 1},
		Timeout:       2 * time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

func (s *server) post(c *http.Client, path, ip string, form url.Values) outcome {
	req, err := http.NewRequest(http.MethodPost, s.url+path, strings.NewReader(form.Encode()))
	if err != nil {
		return outcome{err: err}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-For", ip)
	resp, err := c.Do(req)
	if err != nil {
		return outcome{err: err}
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return outcome{status: resp.StatusCode, err: err}
	}
	if resp.StatusCode == http.StatusServiceUnavailable && resp.Header.Get("Retry-After") == "" {
		return outcome{status: resp.StatusCode, err: fmt.Errorf("503 without Retry-After")}
	}
	return outcome{status: resp.StatusCode}
}

// peakRSS is the process's peak resident memory so far (VmHWM), in bytes.
func (s *server) peakRSS(t *testing.T) int64 {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(string(data)) {
		if f := strings.Fields(line); len(f) == 3 && f[0] == "VmHWM:" && f[2] == "kB" {
			kb, err := strconv.ParseInt(f[1], 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb * 1024
		}
	}
	t.Fatalf("no VmHWM in /proc/%d/status", s.cmd.Process.Pid)
	return 0
}

// stop asks for a graceful shutdown, and fails on an error the server
// logged.
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
			t.Errorf("graceful stop: %v\n%s", err, s.logText())
		}
	case <-time.After(time.Minute):
		_ = s.cmd.Process.Kill()
		t.Fatalf("the server did not stop on SIGTERM\n%s", s.logText())
	}
	if log := s.logText(); strings.Contains(log, "level=ERROR") || strings.Contains(log, "panic") {
		t.Errorf("the server logged an error:\n%s", log)
	}
}

func (s *server) logText() string {
	data, _ := os.ReadFile(s.log.Name())
	if len(data) > 4000 {
		data = data[len(data)-4000:]
	}
	return string(data)
}
