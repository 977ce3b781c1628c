package web

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// With the exam pools in a bank folder of their own, the console shows
// the bank's version beside the content's (dashboard and each attempt),
// and links the bank's questions to the bank's repository.
func TestConsoleShowsTheBank(t *testing.T) {
	root := t.TempDir()
	contentDir, bankDir := filepath.Join(root, "contenido"), filepath.Join(root, "banco")
	if err := os.CopyFS(contentDir, os.DirFS("../content/testdata/content")); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(bankDir, "ejemplo"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(contentDir, "ejemplo", "questions"), filepath.Join(bankDir, "ejemplo", "questions")); err != nil {
		t.Fatal(err)
	}
	env := newEnvWithBank(t, bankDir, func(cfg *Config) {
		cfg.ContentDir = contentDir
		cfg.ContentSourceURL = "https://git.example/fundacion/contenido/blob/main/content"
		cfg.BankSourceURL = "https://git.example/fundacion/banco/blob/main"
	})
	bank := env.catalog.BankVersion
	if !strings.HasPrefix(bank, "sha256:") {
		t.Fatalf("bank version %q", bank)
	}
	admin := adminClient(t, env)
	cand := env.client(t)
	cand.register("Jose Nunez", "jose@ejemplo.mx", goodPassword)
	passExam(t, env, cand)
	u, err := env.svc.DB.UserByEmail(context.Background(), "jose@ejemplo.mx")
	if err != nil {
		t.Fatal(err)
	}

	wantBody(t, admin.get("/admin"), "Versión del banco de examen</dt><dd><code>"+bank+"</code>")
	wantBody(t, admin.get("/admin/candidatos/"+itoa(u.ID)), "Versión del banco de examen <code>"+bank+"</code>")
	wantBody(t, admin.get("/admin/contenido/recargar"), "banco de examen "+bank)
	items := admin.get("/admin/preguntas")
	wantStatus(t, items, http.StatusOK)
	wantBody(t, items, `href="https://git.example/fundacion/banco/blob/main/ejemplo/questions/arranque.md#L5" class="meta">BANK/ejemplo/questions/arranque.md:5</a>`)
	if strings.Contains(items.Body.String(), "contenido/blob/main/content/ejemplo/questions") {
		t.Error("a bank question links to the content's repository, which does not have it")
	}
}
