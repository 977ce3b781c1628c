package web

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The image route never follows a symbolic link, even one made after the
// content was checked: a link that stays inside the content folder would
// otherwise serve the exam bank as an image.
func TestContentImagesRefuseLinks(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "content")
	if err := os.CopyFS(dir, os.DirFS("../content/testdata/content")); err != nil {
		t.Fatal(err)
	}
	env := newEnv(t, func(cfg *Config) { cfg.ContentDir = dir })
	track := filepath.Join(dir, "ejemplo")
	for link, target := range map[string]string{
		"images/filtrado.png": "../questions/arranque.md", // a file
		"images/carpeta":      "../questions",             // a folder
		"images/absoluto.png": filepath.Join(track, "questions", "terminal.md"),
	} {
		if err := os.Symlink(target, filepath.Join(track, link)); err != nil {
			t.Fatal(err)
		}
	}
	bank, err := os.ReadFile(filepath.Join(track, "questions", "arranque.md"))
	if err != nil {
		t.Fatal(err)
	}
	secret := strings.SplitN(string(bank), "\n## ", 2)[1][:20] // the first question's id and stem
	c := env.client(t)
	wantStatus(t, c.get("/certificaciones/ejemplo/archivos/images/orden-arranque.png"), http.StatusOK)
	for _, p := range []string{"images/filtrado.png", "images/carpeta/arranque.png", "images/absoluto.png"} {
		t.Run(p, func(t *testing.T) {
			rec := c.get("/certificaciones/ejemplo/archivos/" + p)
			wantStatus(t, rec, http.StatusNotFound)
			if strings.Contains(rec.Body.String(), secret) {
				t.Errorf("%s served the exam bank", p)
			}
		})
	}
}

// Starting practice over and over, as a script would, is slowed down per
// candidate, with the 429 page that says to wait.
func TestPracticeStartsAreLimited(t *testing.T) {
	env := newEnv(t)
	c := env.client(t)
	c.register("Ana López", "ana@ejemplo.mx", goodPassword)
	forms := []url.Values{{"tema": {"arranque"}}, {"tema": {"terminal"}}, {"simulacro": {"1"}}, {"simulacro": {"1"}, "con_tiempo": {"1"}}}
	started, limited := 0, 0
	for i := range 200 {
		rec := c.post("/certificaciones/ejemplo/practica", forms[i%len(forms)])
		switch rec.Code {
		case http.StatusSeeOther:
			started++
		case http.StatusTooManyRequests:
			limited++
			if rec.Header().Get("Retry-After") == "" {
				t.Fatal("429 without Retry-After")
			}
		default:
			t.Fatalf("start %d: status %d", i, rec.Code)
		}
	}
	if started > 20 || limited < 180 {
		t.Errorf("200 starts in a row: %d started, %d limited", started, limited)
	}
	// A person waits a little, and may start again.
	env.clock.Advance(time.Minute)
	wantStatus(t, c.post("/certificaciones/ejemplo/practica", forms[0]), http.StatusSeeOther)
}
