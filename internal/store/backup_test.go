package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"mxcert/internal/clocktest"
	"mxcert/internal/model"
)

// createUserWithAudit writes two rows in one transaction: a snapshot that
// holds one without the other was not consistent.
func createUserWithAudit(ctx context.Context, db *DB, email string) error {
	return db.Transact(ctx, func(tx *Tx) error {
		u := &model.User{Email: email, EmailNorm: email, Name: "Persona de Prueba", PasswordHash: "x"}
		if err := tx.CreateUser(u); err != nil {
			return err
		}
		return tx.Audit(u.ID, "test.write", email, nil)
	})
}

func countWrites(t *testing.T, db *DB) (users, audits int) {
	t.Helper()
	ctx := context.Background()
	if err := db.read.QueryRowContext(ctx, "SELECT count(*) FROM users").Scan(&users); err != nil {
		t.Fatal(err)
	}
	if err := db.read.QueryRowContext(ctx, "SELECT count(*) FROM audit_log WHERE action = 'test.write'").Scan(&audits); err != nil {
		t.Fatal(err)
	}
	return users, audits
}

func TestBackupWhileWriting(t *testing.T) {
	sqliteOnly(t)
	ctx := context.Background()
	db := openTest(t)
	const before = 200
	for i := range before {
		if err := createUserWithAudit(ctx, db, fmt.Sprintf("antes%d@ejemplo.mx", i)); err != nil {
			t.Fatal(err)
		}
	}

	// Writers keep committing through the single writer connection while
	// the backup runs.
	var committed atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, 3)
	for w := range 3 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if err := createUserWithAudit(ctx, db, fmt.Sprintf("w%d-%d@ejemplo.mx", w, i)); err != nil {
					errs <- err
					return
				}
				committed.Add(1)
			}
		})
	}
	// Stops the writers once, on the way out or after a failed wait (before
	// the database closes under them).
	stopWriters := sync.OnceFunc(func() { close(stop); wg.Wait() })
	t.Cleanup(stopWriters)
	writes := func(n int64) func() bool {
		return func() bool { return committed.Load() >= n || len(errs) > 0 }
	}
	clocktest.WaitFor(t, time.Minute, "30 writes before the backup", writes(30))
	out := filepath.Join(t.TempDir(), "respaldo.db")
	start, atStart := time.Now(), committed.Load()
	backupErr := db.Backup(ctx, out)
	took := time.Since(start)
	atBackup := committed.Load()
	clocktest.WaitFor(t, time.Minute, "30 writes after the backup", writes(atBackup+30)) // writes go on after the copy
	stopWriters()
	close(errs)
	for err := range errs {
		t.Fatalf("concurrent write: %v", err)
	}
	if backupErr != nil {
		t.Fatalf("Backup: %v", backupErr)
	}
	t.Logf("backup took %v; %d writes committed meanwhile", took, atBackup-atStart)

	st, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("backup file mode = %v, want 0600", st.Mode().Perm())
	}
	if err := CheckIntegrity(ctx, out); err != nil {
		t.Errorf("integrity of the copy: %v", err)
	}

	// Restore: the copy is the data directory's database file.
	restored := t.TempDir()
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(restored, FileName), data, 0o600); err != nil {
		t.Fatal(err)
	}
	copyDB, err := Open(ctx, restored)
	if err != nil {
		t.Fatalf("open the restored copy: %v", err)
	}
	defer copyDB.Close()
	users, audits := countWrites(t, copyDB)
	if users < before+30 {
		t.Errorf("the copy has %d users; the %d written before it started are missing", users, before+30)
	}
	if audits != users { // every user was written with its audit entry
		t.Errorf("inconsistent snapshot: %d users but %d audit entries", users, audits)
	}
	liveUsers, _ := countWrites(t, db)
	if users >= liveUsers {
		t.Errorf("the copy has %d users, the live database %d: the later writes should be missing from the copy", users, liveUsers)
	}
	if _, err := copyDB.UserByEmail(ctx, "antes0@ejemplo.mx"); err != nil {
		t.Errorf("a user written before the backup: %v", err)
	}
	if err := copyDB.Transact(ctx, func(tx *Tx) error { return tx.Audit(0, "test.after_restore", "", nil) }); err != nil {
		t.Errorf("the restored database does not take writes: %v", err)
	}
}

func TestBackupNeverOverwrites(t *testing.T) {
	sqliteOnly(t)
	ctx := context.Background()
	db := openTest(t)
	out := filepath.Join(t.TempDir(), "respaldo.db")
	old := []byte("un respaldo anterior")
	if err := os.WriteFile(out, old, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := db.Backup(ctx, out); !errors.Is(err, ErrExists) {
		t.Fatalf("Backup over an existing file = %v, want ErrExists", err)
	}
	if got, _ := os.ReadFile(out); !bytes.Equal(got, old) {
		t.Error("the existing file was changed")
	}

	// A backup that fails leaves nothing behind.
	bad := filepath.Join(t.TempDir(), "no-existe", "respaldo.db")
	if err := db.Backup(ctx, bad); err == nil {
		t.Fatal("Backup into a missing folder succeeded")
	}
	missing := filepath.Join(t.TempDir(), FileName)
	out3 := filepath.Join(t.TempDir(), "respaldo.db")
	if err := BackupFile(ctx, missing, out3); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("BackupFile of a missing database = %v, want ErrNotExist", err)
	}
	for _, p := range []string{missing, out3} {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("BackupFile of a missing database created %s", p)
		}
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	out2 := filepath.Join(t.TempDir(), "respaldo.db")
	if err := db.Backup(cancelled, out2); err == nil {
		t.Fatal("Backup with a cancelled context succeeded")
	}
	if _, err := os.Stat(out2); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a failed backup left %s behind: %v", out2, err)
	}
}

func TestCheckIntegrityFindsCorruption(t *testing.T) {
	sqliteOnly(t)
	ctx := context.Background()
	db := openTest(t)
	for i := range 300 {
		if err := createUserWithAudit(ctx, db, fmt.Sprintf("p%d@ejemplo.mx", i)); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(t.TempDir(), "respaldo.db")
	if err := db.Backup(ctx, out); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	// Scribble over the middle of the file, past the header and schema.
	for i := len(data) / 2; i < len(data)/2+4096 && i < len(data); i++ {
		data[i] = 0x5a
	}
	broken := filepath.Join(t.TempDir(), "roto.db")
	if err := os.WriteFile(broken, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := CheckIntegrity(ctx, broken); !errors.Is(err, ErrCorrupt) {
		t.Errorf("CheckIntegrity on a damaged file = %v, want an error", err)
	}
	text := filepath.Join(t.TempDir(), "texto.db")
	if err := os.WriteFile(text, bytes.Repeat([]byte("no es una base de datos\n"), 100), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := CheckIntegrity(ctx, text); !errors.Is(err, ErrCorrupt) {
		t.Errorf("CheckIntegrity on a text file = %v, want ErrCorrupt", err)
	}
	if err := CheckIntegrity(ctx, filepath.Join(t.TempDir(), "nada.db")); err == nil {
		t.Error("CheckIntegrity on a missing file succeeded")
	}
}
