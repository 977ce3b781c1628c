package app

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	_ "time/tzdata" // the tests show dates in America/Mexico_City, on any machine

	"mxcert/internal/clocktest"
	"mxcert/internal/model"
	"mxcert/internal/store"
)

// copyTree copies the example track into a temporary content directory.
func copyTree(t *testing.T) string {
	t.Helper()
	dst := t.TempDir()
	src := "../content/testdata/content"
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

func testConfig(t *testing.T, contentDir string) Config {
	return Config{Addr: "127.0.0.1:0", DataDir: t.TempDir(), ContentDir: contentDir}
}

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func TestRefusesToStartOnContentErrors(t *testing.T) {
	dir := copyTree(t)
	bank := filepath.Join(dir, "ejemplo", "questions", "terminal.md")
	data, _ := os.ReadFile(bank)
	os.WriteFile(bank, []byte(strings.Replace(string(data), "- [x] `-h`", "- [ ] `-h`", 1)), 0o644)
	_, err := New(testConfig(t, dir), quietLog())
	var ce *ContentError
	if !errors.As(err, &ce) || len(ce.Report.Errors()) != 1 || !strings.Contains(ce.Report.Errors()[0].Message, "ter-003") {
		t.Fatalf("New with broken content = %v", err)
	}
}

// syncBuffer is a log destination that the test reads while the server
// writes to it from its own goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// TestServesAndReloadsOnSIGHUP sends the process SIGHUP, which the server
// handles on its own goroutine: each step waits, with a deadline, for the
// last thing the reload does (its log line when refused, its audit entry
// when done) before looking at the result.
func TestServesAndReloadsOnSIGHUP(t *testing.T) {
	dir := copyTree(t)
	var logs syncBuffer
	a, err := New(testConfig(t, dir), slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})

	home := func() string {
		t.Helper()
		resp, err := http.Get(a.URL() + "/")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	if !strings.Contains(home(), "Certificación de Ejemplo") {
		t.Fatal("home page does not list the track")
	}
	cert := filepath.Join(dir, "ejemplo", "certification.md")
	original, err := os.ReadFile(cert)
	if err != nil {
		t.Fatal(err)
	}
	reloads := func() []model.AuditEntry {
		t.Helper()
		entries, err := a.DB().Audit(context.Background(), store.AuditFilter{Action: "content.reload"})
		if err != nil {
			t.Fatal(err)
		}
		return entries
	}

	// Broken content: the reload is refused and the old content keeps serving.
	if err := os.WriteFile(cert, []byte(strings.Replace(string(original), "questions: 2", "questions: 3", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	before := a.Catalog()
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	clocktest.WaitFor(t, 30*time.Second, "the refused reload's log line", func() bool {
		return strings.Contains(logs.String(), `msg="SIGHUP reload"`)
	})
	if !strings.Contains(logs.String(), "content reload refused; still serving the previous content") {
		t.Errorf("the log does not say the reload was refused:\n%s", logs.String())
	}
	if a.Catalog() != before || !strings.Contains(home(), "Certificación de Ejemplo") {
		t.Fatal("broken content replaced the catalog")
	}
	if entries := reloads(); len(entries) != 0 {
		t.Errorf("a refused reload was audited: %+v", entries)
	}

	// Good content: SIGHUP swaps it in.
	if err := os.WriteFile(cert, []byte(strings.Replace(string(original), "Certificación de Ejemplo", "Certificación Renovada", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	clocktest.WaitFor(t, 30*time.Second, "the reload's audit entry", func() bool { return len(reloads()) > 0 })
	if !strings.Contains(home(), "Certificación Renovada") {
		t.Fatal("SIGHUP did not reload the content")
	}
	entries := reloads()
	if len(entries) != 1 || entries[0].ActorID != 0 || entries[0].Detail["before"] != before.Version || entries[0].Detail["after"] != a.Catalog().Version || before.Version == a.Catalog().Version {
		t.Errorf("content reload audit: %+v; want one entry by the system, %s → %s", entries, before.Version, a.Catalog().Version)
	}
}
