package crashtest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"mxcert/internal/pgtest"
)

// TestMain removes the server binary the tests built and stops the
// PostgreSQL test cluster, if the run started one.
func TestMain(m *testing.M) {
	code := m.Run()
	if err := pgtest.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, "pgtest: stopping PostgreSQL:", err)
		code = max(code, 1)
	}
	if built.dir != "" {
		if err := os.RemoveAll(built.dir); err != nil {
			fmt.Fprintln(os.Stderr, "removing the server binary:", err)
			code = max(code, 1)
		}
	}
	os.Exit(code)
}

// built is the server binary, compiled once for every test of the run.
var built struct {
	once sync.Once
	dir  string
	bin  string
	err  error
}

// buildServer compiles cmd/mxcert once per run, with the race detector
// when the test has it (the compiled packages are then shared).
func buildServer(t *testing.T) string {
	t.Helper()
	built.once.Do(func() {
		started := time.Now()
		if built.dir, built.err = os.MkdirTemp("", "mxcert-crashtest-"); built.err != nil {
			return
		}
		built.bin = filepath.Join(built.dir, "mxcert")
		args := []string{"build", "-o", built.bin}
		if raceEnabled {
			args = append(args, "-race")
		}
		args = append(args, "mxcert/cmd/mxcert")
		out, err := exec.Command("go", args...).CombinedOutput() // #nosec G204 -- fixed arguments
		if err != nil {
			built.err = fmt.Errorf("go build: %w\n%s", err, out)
			return
		}
		t.Logf("built the server in %v (race detector: %v)", time.Since(started).Round(time.Millisecond), raceEnabled)
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.bin
}
