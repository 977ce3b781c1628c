package web

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
