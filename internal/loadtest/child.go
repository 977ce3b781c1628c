package loadtest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"mxcert/internal/account"
	"mxcert/internal/app"
)

// child is a server process started by the load generator.
type child struct {
	cmd     *exec.Cmd
	url     string
	dataDir string
	control string // the server child's profiling control, with -profile
	mu      sync.Mutex
	stderr  bytes.Buffer
}

func (c *child) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stderr.Write(p)
}

func (c *child) log() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stderr.String()
}

// startChild runs `self __child MODE DIR ARGS...` and waits for the URL it
// prints. A line "CONTROL url" before it is the address of the profiling
// control.
func startChild(ctx context.Context, self, mode, dir string, args ...string) (*child, error) {
	c := &child{dataDir: dir}
	c.cmd = exec.CommandContext(ctx, self, append([]string{"__child", mode, dir}, args...)...) // #nosec G204 -- our own binary
	c.cmd.Stderr = c
	out, err := c.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := c.cmd.Start(); err != nil {
		return nil, err
	}
	r := bufio.NewReader(out)
	line, err := r.ReadString('\n')
	if err == nil && strings.HasPrefix(line, "CONTROL ") {
		c.control = strings.TrimSpace(strings.TrimPrefix(line, "CONTROL "))
		line, err = r.ReadString('\n')
	}
	if err != nil || !strings.HasPrefix(line, "URL ") {
		c.stop()
		return nil, fmt.Errorf("%s did not start: %v %q\n%s", mode, err, line, c.log())
	}
	c.url = strings.TrimSpace(strings.TrimPrefix(line, "URL "))
	go func() { _, _ = io.Copy(io.Discard, out) }() // the child writes nothing more that matters
	return c, nil
}

// rss is the child's resident memory in KiB.
func (c *child) rss() int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", c.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			f := strings.Fields(line)
			if len(f) >= 2 {
				n, _ := strconv.ParseInt(f[1], 10, 64) // "VmRSS:  12345 kB"
				return n
			}
		}
	}
	return 0
}

func (c *child) stop() {
	if c.cmd.Process != nil {
		_ = c.cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = c.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = c.cmd.Process.Kill()
		}
	}
}

// Child is the entry point of the processes the generator starts: "seed"
// sets up a database (-candidates, -storm) and exits, so that the server's
// memory is its own; "server" runs the real application on it (several
// servers, the replicas, may share a PostgreSQL database and DIR, which
// then only holds the keys); "ceiling" the bare handlers. -database is a
// PostgreSQL URL; without it the database is SQLite's file in DIR. With
// -profile DIR the seed writes its CPU profile there and the server serves
// a control address on which the generator starts and stops a CPU profile
// around each scenario (NAME-rN.pprof for replica N of several).
func Child(args []string, contentDir string) error {
	if len(args) < 2 {
		return fmt.Errorf("usage: __child server|ceiling DIR [flags]")
	}
	mode, dir := args[0], args[1]
	fl := flag.NewFlagSet("child", flag.ContinueOnError)
	candidates := fl.Int("candidates", 0, "candidates to set up")
	storm := fl.Int("storm", 0, "candidates left without an exam in progress")
	profile := fl.String("profile", "", "seed: write the CPU profile in this folder; server: serve the profiling control")
	database := fl.String("database", "", "a PostgreSQL URL; SQLite in DIR without it")
	replica := fl.Int("replica", 0, "server: its number among several replicas (0: the only one)")
	if err := fl.Parse(args[2:]); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	switch mode {
	case "seed":
		stopProfile, err := profileTo(*profile, "setup.pprof")
		if err != nil {
			return err
		}
		err = seed(ctx, dir, *database, contentDir, *candidates, *storm)
		if err := errors.Join(err, stopProfile()); err != nil {
			return fmt.Errorf("set up %d candidates: %w", *candidates, err)
		}
		return nil
	case "server":
		a, err := app.New(app.Config{
			Addr: "127.0.0.1:0", DataDir: dir, Database: *database, ContentDir: contentDir,
			// The generator is the proxy in front of the server: it sends
			// each simulated candidate's address in X-Forwarded-For, so
			// rate limits apply per candidate as in production.
			TrustedProxies: []string{"127.0.0.1"},
			// Signing in as the simulated candidates should not be the
			// benchmark.
			HashParams: account.HashParams{Memory: 64, Time: 1, Threads: 1},
		}, log)
		if err != nil {
			return err
		}
		if *profile != "" {
			suffix := ""
			if *replica > 0 {
				suffix = fmt.Sprintf("-r%d", *replica)
			}
			u, err := profileControl(ctx, *profile, suffix)
			if err != nil {
				return errors.Join(err, a.Close())
			}
			fmt.Println("CONTROL " + u)
		}
		fmt.Println("URL " + a.URL())
		return a.Run(ctx)
	case "ceiling":
		if *database != "" {
			return pgCeilingServer(ctx, *database)
		}
		return ceilingServer(ctx, dir)
	}
	return fmt.Errorf("unknown child %q", mode)
}

// profileTo starts a CPU profile of this process into dir/name, if dir is
// not empty, and returns what stops it.
func profileTo(dir, name string) (func() error, error) {
	if dir == "" {
		return func() error { return nil }, nil
	}
	f, err := os.Create(filepath.Join(dir, name)) // #nosec G304 -- a folder the generator was given
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		return nil, errors.Join(err, f.Close())
	}
	return func() error { pprof.StopCPUProfile(); return f.Close() }, nil
}

// profileName is a profile's name: letters and digits.
var profileName = regexp.MustCompile(`^[a-z0-9]{1,32}$`)

// profileControl serves, on a port of its own, POST /start?name=NAME
// (start a CPU profile of this process into dir/NAME{suffix}.pprof) and
// POST /stop.
func profileControl(ctx context.Context, dir, suffix string) (string, error) {
	var mu sync.Mutex
	var current *os.File
	mux := http.NewServeMux()
	mux.HandleFunc("POST /start", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if current != nil {
			http.Error(w, "a profile is running", http.StatusConflict)
			return
		}
		name := r.URL.Query().Get("name")
		if !profileName.MatchString(name) {
			http.Error(w, "bad profile name", http.StatusBadRequest)
			return
		}
		f, err := os.Create(filepath.Join(dir, name+suffix+".pprof")) // #nosec G304 G703 -- a name of letters and digits (profileName) and the replica's number, in the profile folder
		if err == nil {
			if err = pprof.StartCPUProfile(f); err != nil {
				_ = f.Close()
			}
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		current = f
	})
	mux.HandleFunc("POST /stop", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if current == nil {
			return
		}
		pprof.StopCPUProfile()
		if err := current.Close(); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
		current = nil
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { <-ctx.Done(); _ = srv.Close() }()
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), nil
}

// seedData runs `self __child seed DIR ARGS...` to its end and returns
// what it printed on a line starting "SETUP": how long its steps took.
func seedData(ctx context.Context, self, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, self, append([]string{"__child", "seed", dir}, args...)...) // #nosec G204 -- our own binary
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("%w\n%s", err, out)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if s, ok := strings.CutPrefix(line, "SETUP "); ok {
			return s, nil
		}
	}
	return "", nil
}

// profile starts a CPU profile of the server child into
// cfg.ProfileDir/NAME.pprof and returns what stops it; without a profile
// directory it does nothing.
func (c *child) profile(ctx context.Context, cfg Config, name string) func() {
	if cfg.ProfileDir == "" || c.control == "" {
		return func() {}
	}
	if err := c.post(ctx, "/start?name="+url.QueryEscape(name)); err != nil {
		logf(cfg, "profile %s: %v", name, err)
		return func() {}
	}
	return func() {
		if err := c.post(ctx, "/stop"); err != nil {
			logf(cfg, "profile %s: %v", name, err)
		}
	}
}

func (c *child) post(ctx context.Context, path string) error {
	req, err := http.NewRequestWithContext(ctx, "POST", c.control+path, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("%s: %s %s", path, resp.Status, body)
	}
	return nil
}
