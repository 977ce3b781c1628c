package services

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mxcert/internal/account"
	"mxcert/internal/content"
	"mxcert/internal/model"
	"mxcert/internal/store"
)

// splitContent copies the example track and moves its exam pool to a bank
// folder of its own, as production keeps it.
func splitContent(t *testing.T) (contentDir, bankDir string) {
	t.Helper()
	contentDir = copyContent(t)
	bankDir = filepath.Join(t.TempDir(), "banco")
	if err := os.MkdirAll(filepath.Join(bankDir, "ejemplo"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(contentDir, "ejemplo", "questions"), filepath.Join(bankDir, "ejemplo", "questions")); err != nil {
		t.Fatal(err)
	}
	return contentDir, bankDir
}

// The exam is drawn from the bank folder, and each attempt records the
// bank's version next to the content's; a reload reads both again.
func TestBankFolder(t *testing.T) {
	contentDir, bankDir := splitContent(t)
	s := open(t, Config{DataDir: t.TempDir(), ContentDir: contentDir, BankDir: bankDir, HashParams: cheapHash})
	ctx := context.Background()
	cat := s.Catalog()
	if cat.BankVersion == "" || cat.BankVersion == cat.Version {
		t.Fatalf("versions: content %q, bank %q", cat.Version, cat.BankVersion)
	}
	u, err := s.Accounts.CreateUser(ctx, account.Registration{Name: "Ana López", Email: "ana@ejemplo.mx", Password: "jardín de cactus azules"}, model.RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	a, err := s.Attempts.Start(ctx, u, cat.Track("ejemplo"), cat.Versions(), u.Name)
	if err != nil {
		t.Fatal(err)
	}
	stored, err := s.DB.Attempt(ctx, a.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if stored.ContentVersion != cat.Version || stored.BankVersion != cat.BankVersion {
		t.Errorf("attempt recorded content %q and bank %q; want %q and %q", stored.ContentVersion, stored.BankVersion, cat.Version, cat.BankVersion)
	}
	for _, it := range stored.Items {
		if q := cat.Track("ejemplo").Question(it.Item.QuestionID); q == nil || !q.FromBank {
			t.Errorf("served %s, not from the bank", it.Item.QuestionID)
		}
	}

	// A broken bank is refused like broken content, and the previous
	// catalog keeps serving.
	file := filepath.Join(bankDir, "ejemplo", "questions", "terminal.md")
	original, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, []byte(strings.Replace(string(original), "- [x] `-h`", "- [ ] `-h`", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	report, err := s.Reload(u.ID)
	var ce *ContentError
	if !errors.As(err, &ce) || len(report.Errors()) != 1 || !report.Errors()[0].Bank {
		t.Fatalf("reload of a broken bank: %v\n%v", err, report.Findings)
	}
	if s.Catalog() != cat {
		t.Error("a broken bank replaced the catalog")
	}

	// An edited bank is a new bank version; the content's stays.
	if err := os.WriteFile(file, []byte(strings.Replace(string(original), "¿Qué le dices?", "¿Qué le respondes?", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Reload(u.ID); err != nil {
		t.Fatalf("reload of an edited bank: %v", err)
	}
	now := s.Catalog()
	if now.Version != cat.Version || now.BankVersion == cat.BankVersion {
		t.Errorf("after the reload: content %s → %s, bank %s → %s", cat.Version, now.Version, cat.BankVersion, now.BankVersion)
	}
	if !strings.Contains(now.Track("ejemplo").Question("ter-002").StemText, "¿Qué le respondes?") {
		t.Error("the reload did not read the bank again")
	}
	entries, err := s.DB.Audit(ctx, store.AuditFilter{Action: "content.reload"})
	if err != nil || len(entries) != 1 {
		t.Fatalf("content.reload audit = %+v, %v", entries, err)
	}
	if d := entries[0].Detail; d["bank_before"] != cat.BankVersion || d["bank_after"] != now.BankVersion {
		t.Errorf("audit detail = %v; want the bank's versions %s → %s", d, cat.BankVersion, now.BankVersion)
	}
}

// Without a bank folder the exam pools are the content's, and attempts
// record no bank version.
func TestNoBankFolder(t *testing.T) {
	s := open(t, Config{DataDir: t.TempDir(), ContentDir: copyContent(t), HashParams: cheapHash})
	ctx := context.Background()
	u, err := s.Accounts.CreateUser(ctx, account.Registration{Name: "Ana López", Email: "ana@ejemplo.mx", Password: "jardín de cactus azules"}, model.RoleCandidate)
	if err != nil {
		t.Fatal(err)
	}
	cat := s.Catalog()
	if cat.Versions() != (content.Versions{Content: cat.Version}) {
		t.Fatalf("versions without a bank: %+v", cat.Versions())
	}
	a, err := s.Attempts.Start(ctx, u, cat.Track("ejemplo"), cat.Versions(), u.Name)
	if err != nil {
		t.Fatal(err)
	}
	if a.ContentVersion != cat.Version || a.BankVersion != "" {
		t.Errorf("attempt versions: content %q, bank %q", a.ContentVersion, a.BankVersion)
	}
}
