package app

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
	_ "time/tzdata" // the tests show dates in America/Mexico_City, on any machine

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

func TestServesAndReloadsOnSIGHUP(t *testing.T) {
	dir := copyTree(t)
	a, err := New(testConfig(t, dir), quietLog())
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
	original, _ := os.ReadFile(cert)

	// Broken content: the reload is refused and the old content keeps serving.
	os.WriteFile(cert, []byte(strings.Replace(string(original), "questions: 2", "questions: 3", 1)), 0o644)
	before := a.Catalog()
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // the signal is handled asynchronously; nothing to poll for a refusal
	if a.Catalog() != before || !strings.Contains(home(), "Certificación de Ejemplo") {
		t.Fatal("broken content replaced the catalog")
	}

	// Good content: SIGHUP swaps it in.
	os.WriteFile(cert, []byte(strings.Replace(string(original), "Certificación de Ejemplo", "Certificación Renovada", 1)), 0o644)
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if a.Catalog() != before {
			break
		}
	}
	if !strings.Contains(home(), "Certificación Renovada") {
		t.Fatal("SIGHUP did not reload the content")
	}
	entries, err := a.DB().Audit(context.Background(), store.AuditFilter{Action: "content.reload"})
	if err != nil || len(entries) != 1 || entries[0].Detail["before"] == entries[0].Detail["after"] {
		t.Errorf("content reload audit: %+v %v", entries, err)
	}
}
