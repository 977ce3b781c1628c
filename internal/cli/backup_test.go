package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"mxcert/internal/account"
	"mxcert/internal/app"
	"mxcert/internal/mailtest"
	"mxcert/internal/store"
)

// startApp runs the real application on dataDir until the test ends.
func startApp(t *testing.T, dataDir string) *app.App {
	t.Helper()
	a, err := app.New(app.Config{Addr: "127.0.0.1:0", DataDir: dataDir, ContentDir: fixture, HashParams: account.HashParams{Memory: 64, Time: 1, Threads: 1}},
		slog.New(slog.NewTextHandler(io.Discard, nil)))
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
	return a
}

// browser is a cookie-keeping HTTP client that does not follow redirects.
func browser(t *testing.T) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func send(t *testing.T, c *http.Client, method, target string, form url.Values, jsonReply bool) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, target, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if jsonReply {
		req.Header.Set("Accept", "application/json")
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Error(err)
		return 0, ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestBackupUnderLoadAndRestore copies the database with `mxcert backup`
// while a candidate's autosaves keep writing, then starts the real server
// on the copy: the account made before the backup signs in over HTTP and
// the answers saved before it are there.
func TestBackupUnderLoadAndRestore(t *testing.T) {
	dataDir := t.TempDir()
	a := startApp(t, dataDir)
	ctx := context.Background()

	const name, email, password = "Rosa María Díaz", "rosa@ejemplo.mx", "una frase larga y segura"
	web := browser(t)
	if code, body := send(t, web, "POST", a.URL()+"/registro", url.Values{"name": {name}, "email": {email}, "password": {password}, "state": {"Puebla"}}, false); code != http.StatusSeeOther {
		t.Fatalf("register: %d\n%s", code, body)
	}
	mailtest.ConfirmAndSignIn(t, web, a.URL(), a.DB(), email, password)
	req, _ := http.NewRequest("POST", a.URL()+"/certificaciones/ejemplo/examen", strings.NewReader(url.Values{"confirmo": {"1"}, "nombre": {name}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := web.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	examPath := resp.Header.Get("Location")
	att, err := a.DB().Attempt(ctx, strings.TrimPrefix(examPath, "/examen/"), 0)
	if err != nil {
		t.Fatalf("attempt %q: %v", examPath, err)
	}
	// Autosave a single-answer question (the order of questions is random).
	pos := -1
	for i, it := range att.Items {
		if !it.Item.Multiple() {
			pos = i
			break
		}
	}
	if pos < 0 {
		t.Fatal("the fixture's exam has no single-answer question")
	}
	item := att.Items[pos].Item

	// Load: one candidate autosaving as fast as the server answers, and
	// readers on the public pages.
	var acked atomic.Int64 // the last sequence number the server acknowledged
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		seq := att.Seq
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			form := url.Values{"pregunta": {fmt.Sprint(pos + 1)}, "id_pregunta": {item.QuestionID}, "seq": {fmt.Sprint(seq)}, "opcion": {fmt.Sprint(i % len(item.Options))}}
			code, body := send(t, web, "POST", a.URL()+examPath+"/respuesta", form, true)
			var saved struct {
				Saved bool  `json:"saved"`
				Seq   int64 `json:"seq"`
			}
			if code != http.StatusOK || json.Unmarshal([]byte(body), &saved) != nil || !saved.Saved {
				t.Errorf("autosave: %d %s", code, body)
				return
			}
			seq = saved.Seq
			acked.Store(seq)
		}
	})
	for range 2 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if code, _ := send(t, http.DefaultClient, "GET", a.URL()+"/certificaciones/ejemplo", nil, false); code != http.StatusOK {
					t.Errorf("track page under load: %d", code)
					return
				}
			}
		})
	}
	waitFor := func(n int64) {
		for deadline := time.Now().Add(20 * time.Second); acked.Load() < n && !t.Failed(); time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				t.Errorf("only %d autosaves acknowledged, want %d", acked.Load(), n)
			}
		}
	}
	waitFor(20)
	before := acked.Load()
	out := filepath.Join(t.TempDir(), "respaldo.db")
	code, stdout, stderr := run(t, "backup", "--out", out, "--data", dataDir)
	after := acked.Load()
	waitFor(after + 20) // the server still takes writes after the copy
	close(stop)
	wg.Wait()
	if code != 0 {
		t.Fatalf("mxcert backup: exit %d\n%s%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "Copia guardada en "+out) || !strings.Contains(stdout, filepath.Join(dataDir, "keys")) {
		t.Errorf("backup output = %q", stdout)
	}
	t.Logf("autosaves acknowledged: %d before the backup, %d when it ended", before, after)
	if code, _, stderr := run(t, "backup", "--out", out, "--data", dataDir); code != 1 || !strings.Contains(stderr, "ya existe") {
		t.Errorf("second backup to the same file: exit %d %q", code, stderr)
	}

	// Restore as docs/OPERATIONS.md says: the copy becomes DATA/mxcert.db,
	// and the signing key is copied beside it.
	restored := t.TempDir()
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(restored, store.FileName), data, 0o600); err != nil {
		t.Fatal(err)
	}
	copyDir(t, filepath.Join(dataDir, "keys"), filepath.Join(restored, "keys"))
	b := startApp(t, restored)

	again := browser(t)
	if code, body := send(t, again, "POST", b.URL()+"/entrar", url.Values{"email": {email}, "password": {password}}, false); code != http.StatusSeeOther {
		t.Fatalf("sign in on the restored server: %d\n%s", code, body)
	}
	if code, body := send(t, again, "GET", b.URL()+"/cuenta", nil, false); code != http.StatusOK || !strings.Contains(body, name) {
		t.Fatalf("account page on the restored server: %d", code)
	}
	got, err := b.DB().Attempt(ctx, att.ID, 0)
	if err != nil {
		t.Fatalf("the attempt is not in the copy: %v", err)
	}
	// One autosave may have committed before the copy and been
	// acknowledged after the command returned: hence after+1.
	if got.Seq < before || got.Seq > after+1 {
		t.Errorf("the copy's attempt is at sequence %d; the backup ran between %d and %d", got.Seq, before, after)
	}
	if !got.Items[pos].Answered() {
		t.Error("the answer saved before the backup is missing")
	}
	// The same key signs: certificates issued before the backup still verify.
	if code, body := send(t, again, "GET", a.URL()+"/.well-known/mxcert-keys.json", nil, false); code != http.StatusOK {
		t.Fatalf("keys: %d", code)
	} else if code2, body2 := send(t, again, "GET", b.URL()+"/.well-known/mxcert-keys.json", nil, false); code2 != http.StatusOK || body2 != body {
		t.Errorf("the restored server publishes other keys:\n%s\n%s", body, body2)
	}
}

func TestBackupCommandErrors(t *testing.T) {
	if code, _, stderr := run(t, "backup"); code != 2 || !strings.Contains(stderr, "Uso: mxcert backup --out") {
		t.Errorf("without --out: exit %d %q", code, stderr)
	}
	missing := filepath.Join(t.TempDir(), "datos")
	out := filepath.Join(t.TempDir(), "respaldo.db")
	code, _, stderr := run(t, "backup", "--out", out, "--data", missing)
	if code != 1 || !strings.Contains(stderr, "no hay base de datos") {
		t.Errorf("with a missing data folder: exit %d %q", code, stderr)
	}
	for _, p := range []string{missing, out} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("a failed backup created %s", p)
		}
	}
	// A PostgreSQL deployment is backed up with its own tools.
	code, _, stderr = run(t, "backup", "--out", out, "--database", "postgres://mxcert@db.example/mxcert")
	if code != 2 || !strings.Contains(stderr, "pg_dump") {
		t.Errorf("with PostgreSQL: exit %d %q", code, stderr)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Error("a refused backup created the file")
	}
}
