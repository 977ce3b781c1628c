package e2e

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the tests show dates in America/Mexico_City, on any machine

	"github.com/chromedp/chromedp"

	"mxcert/internal/account"
	"mxcert/internal/app"
	"mxcert/internal/pgtest"
)

// suite is what every test of the package shares: one running application
// and one browser process. Each test opens its own browser contexts (like
// private windows) in that one browser.
type suite struct {
	app     *app.App
	browser context.Context // a chromedp context whose browser is running
	axe     string          // the source of axe.min.js
	out     string          // where screenshots go
}

// env is set by TestMain when a browser was found; missing says why not.
var (
	env     *suite
	missing string
)

// requireEnv is what a browser test begins with: it skips the test when no
// browser is installed, unless MXCERT_REQUIRE_BROWSER=1 makes that a failure.
func requireEnv(t *testing.T) *suite {
	t.Helper()
	if env != nil {
		return env
	}
	if os.Getenv("MXCERT_REQUIRE_BROWSER") == "1" {
		t.Fatalf("%s, and MXCERT_REQUIRE_BROWSER=1 requires it", missing)
	}
	t.Skipf("%s: skipping the browser tests. Install it (apt-get install chromium) to run them; MXCERT_REQUIRE_BROWSER=1 turns a missing browser into a failure", missing)
	return nil
}

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	browserPath := findBrowser()
	if browserPath == "" {
		missing = "chromium was not found on the PATH"
		return m.Run()
	}
	tmp, err := os.MkdirTemp("", "mxcert-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer os.RemoveAll(tmp)
	s, stop, err := start(tmp, browserPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	env = s
	code := m.Run()
	if err := stop(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: stopping:", err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

// findBrowser looks for Debian's chromium (or a differently named build).
func findBrowser() string {
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// start builds the test content, runs the application on a free port and
// starts the browser. stop undoes it all.
func start(tmp, browserPath string) (*suite, func() error, error) {
	axe, err := os.ReadFile(filepath.Join("testdata", "axe-core", "axe.min.js"))
	if err != nil {
		return nil, nil, err
	}
	out := filepath.Join("testdata", "output")
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, nil, err
	}
	contentDir := filepath.Join(tmp, "content")
	if err := buildContent(contentDir); err != nil {
		return nil, nil, err
	}
	// Warnings and errors of the server go to the test output; requests,
	// logged at Info, do not.
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	// MXCERT_TEST_BACKEND=postgres runs the journeys on PostgreSQL; CI
	// runs them on SQLite.
	database, err := pgtest.DatabaseForMain()
	if err != nil {
		return nil, nil, err
	}
	a, err := app.New(app.Config{
		Addr:       "127.0.0.1:0",
		DataDir:    filepath.Join(tmp, "data"),
		Database:   database,
		ContentDir: contentDir,
		// Cheap password hashing: the tests register and sign in often.
		HashParams: account.HashParams{Memory: 64, Time: 1, Threads: 1},
		// Each tab comes from an address of its own (see newTab).
		TrustedProxies: []string{"127.0.0.1"},
	}, log)
	if err != nil {
		return nil, nil, fmt.Errorf("start the application: %w", err)
	}
	appCtx, stopApp := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- a.Run(appCtx) }()

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(browserPath),
		// The tests run as root in containers, where the sandbox cannot start.
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		// A Mexican technician's phone asks for Spanish.
		chromedp.Flag("lang", "es-MX"),
		chromedp.Flag("accept-lang", "es-MX,es"),
		chromedp.UserDataDir(filepath.Join(tmp, "profile")),
	)
	allocCtx, stopAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	browserCtx, stopBrowser := chromedp.NewContext(allocCtx)
	if err := chromedp.Do(browserCtx); err != nil { // starts the browser
		stopBrowser()
		stopAlloc()
		stopApp()
		return nil, nil, errors.Join(fmt.Errorf("start %s: %w", browserPath, err), <-served)
	}
	stop := func() error {
		stopBrowser()
		stopAlloc()
		stopApp()
		return errors.Join(<-served, pgtest.Stop())
	}
	return &suite{app: a, browser: browserCtx, axe: string(axe), out: out}, stop, nil
}

// ownApp runs another server of the application, with a database of its
// own, until the test ends; configure (if not nil) adjusts its
// configuration. It is for a test that counts what the whole database
// holds — a search's total, say: on the suite's server the tests that run
// at the same time, and the earlier runs of go test -count=N, add to it.
func ownApp(t *testing.T, configure func(*app.Config)) *app.App {
	t.Helper()
	dir := t.TempDir()
	contentDir := filepath.Join(dir, "content")
	if err := buildContent(contentDir); err != nil {
		t.Fatal(err)
	}
	cfg := app.Config{
		Addr: "127.0.0.1:0", DataDir: filepath.Join(dir, "data"), Database: pgtest.Database(t), ContentDir: contentDir,
		HashParams:     account.HashParams{Memory: 64, Time: 1, Threads: 1},
		TrustedProxies: []string{"127.0.0.1"},
	}
	if configure != nil {
		configure(&cfg)
	}
	a, err := app.New(cfg, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err != nil {
		t.Fatalf("start the application: %v", err)
	}
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- a.Run(ctx) }()
	t.Cleanup(func() {
		stop()
		if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("the test's own application: %v", err)
		}
	})
	return a
}

// with is the suite with another server of the application (see ownApp)
// and the same browser.
func (s *suite) with(a *app.App) *suite {
	c := *s
	c.app = a
	return &c
}

// Tracks of the test content.
const (
	// trackID is the example track: 2 questions, 10 minutes, pass mark 50 %.
	trackID = "ejemplo"
	// quickTrackID is the same track with a 20-second exam and a pass mark
	// of 100 %, for the timer running out and the cool-down.
	quickTrackID = "relampago"
	quickSeconds = 20
	// shippedTrackID is the real curriculum of content/.
	shippedTrackID = "soporte-basico"
)

// buildContent copies the content package's example track into dir twice:
// as is, and as the short track.
func buildContent(dir string) error {
	src := filepath.Join("..", "content", "testdata", "content", "ejemplo")
	for _, id := range []string{trackID, quickTrackID} {
		if err := copyTree(src, filepath.Join(dir, id)); err != nil {
			return err
		}
	}
	// The real curriculum too, so its pages (long modules, tables, code)
	// are checked for accessibility on a phone.
	if err := copyTree(filepath.Join("..", "..", "content", shippedTrackID), filepath.Join(dir, shippedTrackID)); err != nil {
		return err
	}
	// The directory's services, modes and languages.
	if err := copyTree(filepath.Join("..", "..", "content", "directorio"), filepath.Join(dir, "directorio")); err != nil {
		return err
	}
	cert := filepath.Join(dir, quickTrackID, "certification.md")
	data, err := os.ReadFile(cert)
	if err != nil {
		return err
	}
	text := string(data)
	for _, r := range [][2]string{
		{"title: Certificación de Ejemplo", "title: Certificación Relámpago"},
		{"duration: 10m", fmt.Sprintf("duration: %ds", quickSeconds)},
		{"pass_percent: 50", "pass_percent: 100"},
	} {
		if !strings.Contains(text, r[0]) {
			return fmt.Errorf("%s: %q not found; the example track changed", cert, r[0])
		}
		text = strings.Replace(text, r[0], r[1], 1)
	}
	return os.WriteFile(cert, []byte(text), 0o644)
}

func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		in, err := os.Open(p)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.Create(target)
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, in); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	})
}

// testTimeout bounds each test, so that a page that never loads fails the
// test instead of hanging until go test's own timeout.
const testTimeout = 2 * time.Minute
