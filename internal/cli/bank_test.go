package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"mxcert/internal/clocktest"
)

// splitFixture copies the example track and moves its exam pool to a bank
// folder of its own, as production keeps it.
func splitFixture(t *testing.T) (contentDir, bankDir string) {
	t.Helper()
	root := t.TempDir()
	contentDir, bankDir = filepath.Join(root, "contenido"), filepath.Join(root, "banco")
	copyDir(t, fixture, contentDir)
	if err := os.MkdirAll(filepath.Join(bankDir, "ejemplo"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(contentDir, "ejemplo", "questions"), filepath.Join(bankDir, "ejemplo", "questions")); err != nil {
		t.Fatal(err)
	}
	return contentDir, bankDir
}

func TestLintWithPrivateBank(t *testing.T) {
	contentDir, bankDir := splitFixture(t)

	code, out, errOut := run(t, "lint", "--content", contentDir, "--bank", bankDir)
	if want := "1 certificación, 2 módulos, 6 preguntas de examen, 2 preguntas de práctica: 0 errores, 0 avisos\n"; code != 0 || out != want {
		t.Fatalf("content and bank: exit %d\n%s%s\nwant %q", code, out, errOut, want)
	}
	// The public content alone has no exam pool to draw from.
	if code, out, _ := run(t, "lint", "--content", contentDir); code != 1 || !strings.Contains(out, "su banco de examen solo tiene 0") {
		t.Errorf("content without its bank: exit %d\n%s", code, out)
	}

	file := filepath.Join(bankDir, "ejemplo", "questions", "arranque.md")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, bytes.Replace(data, []byte("domain: arranque"), []byte("domian: arranque"), 1), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("MXCERT_BANK", bankDir) // the environment names the bank as well as the flag
	code, out, _ = run(t, "lint", "--content", contentDir)
	if code != 1 || !strings.Contains(out, "BANK/ejemplo/questions/arranque.md:2: error: clave desconocida «domian»") {
		t.Errorf("a mistake in the bank: exit %d\n%s", code, out)
	}
	code, out, _ = run(t, "lint", "--content", contentDir, "--json")
	var got struct{ Errors []map[string]any }
	if err := json.Unmarshal([]byte(out), &got); err != nil || code != 1 {
		t.Fatalf("--json: exit %d, %v\n%s", code, err, out)
	}
	if len(got.Errors) == 0 || got.Errors[0]["file"] != "ejemplo/questions/arranque.md" || got.Errors[0]["bank"] != true {
		t.Errorf("JSON errors = %v; want the bank's file, marked bank", got.Errors)
	}

	// serve checks the same and refuses to start.
	code, _, errOut = run(t, "serve", "--addr", "127.0.0.1:0", "--data", t.TempDir(), "--content", contentDir)
	if code != 1 || !strings.Contains(errOut, "BANK/ejemplo/questions/arranque.md:2: error:") {
		t.Errorf("serve with a broken bank: exit %d\n%s", code, errOut)
	}
}

// syncBuffer is a buffer that a server goroutine writes while the test
// reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestServeWithPrivateBank(t *testing.T) {
	contentDir, bankDir := splitFixture(t)
	var out, errOut syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		done <- Main(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--data", t.TempDir(), "--content", contentDir, "--bank", bankDir},
			Streams{In: strings.NewReader(""), Out: &out, Err: &errOut})
	}()
	clocktest.WaitFor(t, time.Minute, "the server to start", func() bool { return strings.Contains(out.String(), "MxOS Certificación en ") })
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("serve: exit %d\n%s", code, errOut.String())
	}
	if line := out.String(); !strings.Contains(line, "(contenido sha256:") || !strings.Contains(line, ", banco sha256:") {
		t.Errorf("serve announced %q; want both versions", line)
	}
}
