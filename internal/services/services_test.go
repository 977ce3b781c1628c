package services

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // DefaultZone loads on any machine

	"mxcert/internal/account"
	"mxcert/internal/clocktest"
	"mxcert/internal/model"
	"mxcert/internal/pgtest"
	"mxcert/internal/store"
)

var cheapHash = account.HashParams{Memory: 64, Time: 1, Threads: 1}

// copyContent copies the example track out of the git work tree, so that
// its version is a hash of its files and changes when a test edits them.
func copyContent(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "content")
	if err := os.CopyFS(dir, os.DirFS("../content/testdata/content")); err != nil {
		t.Fatal(err)
	}
	return dir
}

func open(t *testing.T, cfg Config) *Set {
	t.Helper()
	if cfg.Database == "" {
		cfg.Database = pgtest.Database(t)
	}
	s, err := Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// Every service gets the same clock, zone and key: the command line's
// set (no content) is as whole as the server's.
func TestOpenBuildsEveryServiceWithTheSameCollaborators(t *testing.T) {
	clock := clocktest.New()
	data := t.TempDir()
	s := open(t, Config{DataDir: data, BaseURL: "https://certificacion.example", Now: clock.Now, HashParams: cheapHash})

	if s.Zone == nil || s.Zone.String() != DefaultZone {
		t.Errorf("zone = %v, want %s", s.Zone, DefaultZone)
	}
	if s.DB == nil || s.Key == nil || s.Accounts == nil || s.Study == nil || s.Attempts == nil || s.Certificates == nil {
		t.Fatalf("a service is missing: %+v", s)
	}
	if _, err := os.Stat(filepath.Join(data, "keys", "signing.key")); err != nil {
		t.Errorf("signing key in the data directory: %v", err)
	}
	ks, err := s.Certificates.KeySet()
	if err != nil || len(ks.Keys) != 1 || ks.Keys[0].ID != s.Key.ID {
		t.Errorf("published keys = %+v, %v; want the signing key %s", ks, err, s.Key.ID)
	}
	if got, want := s.Certificates.VerifyURL("SB-7K4Q-9XTP-M2HW"), "https://certificacion.example/verificar/SB-7K4Q-9XTP-M2HW"; got != want {
		t.Errorf("verify URL = %q, want %q", got, want)
	}

	// The database stamps rows with the same fake clock the services read.
	clock.Advance(36 * 24 * time.Hour)
	u, err := s.Accounts.CreateUser(context.Background(), account.Registration{Name: "Ana López", Email: "ana@ejemplo.mx", Password: "jardín de cactus azules"}, model.RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := s.DB.Audit(context.Background(), store.AuditFilter{Action: "user.create"})
	if err != nil || len(entries) != 1 || !entries[0].At.Equal(clock.Now()) {
		t.Errorf("user.create audit = %+v, %v; want it stamped %v", entries, err, clock.Now())
	}
	if u.CreatedAt.IsZero() || !u.CreatedAt.Equal(clock.Now()) {
		t.Errorf("account created at %v, want %v", u.CreatedAt, clock.Now())
	}

	// No content folder: an empty catalog, and nothing to reload.
	if cat := s.Catalog(); cat == nil || len(cat.Tracks) != 0 {
		t.Errorf("catalog without content = %+v", cat)
	}
	if _, err := s.Reload(0); !errors.Is(err, ErrNoContent) {
		t.Errorf("Reload without content: %v, want ErrNoContent", err)
	}
}

func TestOpenUsesTheConfiguredKey(t *testing.T) {
	data, keys := t.TempDir(), t.TempDir()
	s := open(t, Config{DataDir: data, KeyPath: filepath.Join(keys, "firma.key"), HashParams: cheapHash})
	if _, err := os.Stat(filepath.Join(keys, "firma.key")); err != nil {
		t.Errorf("configured key: %v", err)
	}
	if _, err := os.Stat(filepath.Join(data, "keys")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a second key was made in the data directory: %v", err)
	}
	if s.Key == nil {
		t.Fatal("no key")
	}
}

// Broken content stops Open before anything is created on disk.
func TestOpenRefusesContentWithErrors(t *testing.T) {
	dir := copyContent(t)
	bank := filepath.Join(dir, "ejemplo", "questions", "terminal.md")
	data, err := os.ReadFile(bank)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bank, []byte(strings.Replace(string(data), "- [x] `-h`", "- [ ] `-h`", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	dataDir := filepath.Join(t.TempDir(), "datos")
	_, err = Open(context.Background(), Config{DataDir: dataDir, ContentDir: dir, HashParams: cheapHash})
	var ce *ContentError
	if !errors.As(err, &ce) || len(ce.Report.Errors()) != 1 || !strings.Contains(ce.Report.Errors()[0].Message, "ter-003") {
		t.Fatalf("Open with broken content = %v", err)
	}
	if _, err := os.Stat(dataDir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the data directory was created for content that cannot be served: %v", err)
	}
}

// Reload swaps in clean content and audits who asked; content with errors
// is refused and the previous catalog keeps serving.
func TestReload(t *testing.T) {
	dir := copyContent(t)
	s := open(t, Config{DataDir: t.TempDir(), ContentDir: dir, HashParams: cheapHash})
	ctx := context.Background()
	admin, err := s.Accounts.CreateUser(ctx, account.Registration{Name: "Admin Fundación", Email: "admin@ejemplo.mx", Password: "jardín de cactus azules"}, model.RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	first := s.Catalog()
	if first.Track("ejemplo") == nil {
		t.Fatalf("the example track is not in the catalog: %+v", first.Tracks)
	}
	cert := filepath.Join(dir, "ejemplo", "certification.md")
	original, err := os.ReadFile(cert)
	if err != nil {
		t.Fatal(err)
	}

	broken := strings.Replace(string(original), "questions: 2", "questions: 3", 1)
	if err := os.WriteFile(cert, []byte(broken), 0o600); err != nil {
		t.Fatal(err)
	}
	report, err := s.Reload(admin.ID)
	var ce *ContentError
	if !errors.As(err, &ce) || !report.HasErrors() {
		t.Fatalf("reload of broken content: %v, report %+v", err, report)
	}
	if s.Catalog() != first || s.ContentReport().HasErrors() {
		t.Error("broken content replaced the catalog or its report")
	}

	renamed := strings.Replace(string(original), "Certificación de Ejemplo", "Certificación Renovada", 1)
	if err := os.WriteFile(cert, []byte(renamed), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Reload(admin.ID); err != nil {
		t.Fatalf("reload of clean content: %v", err)
	}
	if got := s.Catalog().Track("ejemplo"); got == nil || got.Title != "Certificación Renovada" {
		t.Fatalf("after the reload the track is %+v", got)
	}
	entries, err := s.DB.Audit(ctx, store.AuditFilter{Action: "content.reload"})
	if err != nil || len(entries) != 1 {
		t.Fatalf("content.reload audit = %+v, %v; want one entry (the refused reload is not one)", entries, err)
	}
	if e := entries[0]; e.ActorID != admin.ID || e.Detail["before"] != first.Version || e.Detail["after"] != s.Catalog().Version || e.Detail["before"] == e.Detail["after"] {
		t.Errorf("content.reload entry = %+v; want actor %d, versions %s → %s", e, admin.ID, first.Version, s.Catalog().Version)
	}
}

// The key that seals TOTP secrets is made once in the data folder and used
// again on the next start: an authenticator enrolled before a restart
// still works after it.
func TestTOTPKeySurvivesARestart(t *testing.T) {
	data, database := t.TempDir(), pgtest.Database(t)
	ctx := context.Background()
	first, err := Open(ctx, Config{DataDir: data, Database: database, HashParams: cheapHash})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := first.Accounts.CreateUser(ctx, account.Registration{Name: "Rosa Pérez", Email: "rosa@ejemplo.mx", Password: "jardín de cactus azules"}, model.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	u, _, codes, err := first.Accounts.EnrolNow(ctx, "rosa@ejemplo.mx")
	if err != nil {
		t.Fatal(err)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(filepath.Join(data, TOTPKeyFile)); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("TOTP key in the data folder: %v", err)
	}
	second := open(t, Config{DataDir: data, Database: database, HashParams: cheapHash})
	// Replicas that share the key file sign the console's notices alike.
	if len(first.FlashKey) != 32 || !bytes.Equal(first.FlashKey, second.FlashKey) {
		t.Errorf("notice keys %x and %x, want one 32-byte key from the shared file", first.FlashKey, second.FlashKey)
	}
	// The enrolled secret opens with the key found on disk: a code is
	// checked against it (right or wrong, but not a fault).
	if _, err := second.Accounts.StartEnrolment(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	challenge, err := second.Accounts.BeginSecondFactor(ctx, u, "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := second.Accounts.FinishSignIn(ctx, challenge, "000000", account.TOTPCode, "", "", "192.0.2.1"); err != nil && !errors.Is(err, account.ErrWrongCode) {
		t.Errorf("the enrolled secret does not open after a restart: %v", err)
	}
	if _, err := second.Accounts.FinishSignIn(ctx, challenge, codes[0], account.RecoveryCode, "", "", "192.0.2.1"); err != nil {
		t.Errorf("a recovery code after a restart: %v", err)
	}
}
