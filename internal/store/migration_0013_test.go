package store

import (
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"mxcert/internal/model"
)

// Migration 0013 rebuilds attempts, attempt_items and certificates (to
// allow cancelled attempts). An installation with data at version 12
// keeps every row and every link between them.
func TestMigration13KeepsAttemptsAndCertificates(t *testing.T) {
	sqliteOnly(t)
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	raw, err := sql.Open("sqlite3", DSN(path, true))
	if err != nil {
		t.Fatal(err)
	}
	files, _ := fs.Glob(migrations, "migrations/*.sql")
	slices.Sort(files)
	for _, f := range files {
		if strings.HasPrefix(filepath.Base(f), "0013") {
			break
		}
		script, _ := migrations.ReadFile(f)
		if _, err := raw.ExecContext(ctx, string(script)); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
	}
	seed := []string{
		`INSERT INTO users (id, email, email_norm, full_name, password_hash, created_at, password_changed_at) VALUES (1, 'a@b.mx', 'a@b.mx', 'Ana López', 'x', 1, 1)`,
		`INSERT INTO attempts (id, user_id, track_id, track_title, track_version, content_version, seed, holder_name, started_at, deadline, pass_percent, total, status, finished_at, finish_reason, score, percent, bank_version)
			VALUES ('done', 1, 't', 'T', '1', 'git:abc', 7, 'Ana López', 1000, 601000, 50, 1, 'passed', 2000, 'submitted', 1, 100, 'bank:1')`,
		`INSERT INTO attempts (id, user_id, track_id, track_title, track_version, content_version, seed, holder_name, started_at, deadline, pass_percent, total)
			VALUES ('open', 1, 'u', 'U', '1', 'git:abc', 8, 'Ana López', 3000, 603000, 50, 1)`,
		`INSERT INTO attempt_items (attempt_id, position, question_id, domain, item, answer, answered_at, correct) VALUES ('done', 0, 'q1', 'd', '{}', '[1]', 1500, 1)`,
		`INSERT INTO attempt_items (attempt_id, position, question_id, domain, item) VALUES ('open', 0, 'q2', 'd', '{}')`,
		`INSERT INTO certificates (id, code, code_norm, user_id, attempt_id, track_id, track_title, track_version, content_version, holder_name, issued_at, status, credential, signature, key_id)
			VALUES ('c2', 'T-2', 'T2', 1, 'done', 't', 'T', '1', 'git:abc', 'Ana López', 2000, 'valid', '{}', 's', 'k')`,
		`INSERT INTO certificates (id, code, code_norm, user_id, attempt_id, track_id, track_title, track_version, content_version, holder_name, issued_at, status, replaced_by, credential, signature, key_id)
			VALUES ('c1', 'T-1', 'T1', 1, 'done', 't', 'T', '1', 'git:abc', 'Ana Lopez', 2000, 'superseded', 'c2', '{}', 's', 'k')`,
		`PRAGMA user_version = 12`,
	}
	for _, q := range seed {
		if _, err := raw.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := raw.Close(); err != nil {
		t.Fatal(err)
	}

	now := time.UnixMilli(10_000).UTC()
	db, err := Open(ctx, dir, WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatalf("migrate from 12: %v", err)
	}
	defer db.Close()
	if v, _ := db.SchemaVersion(ctx); v < 13 {
		t.Fatalf("schema version %d", v)
	}
	done, err := db.Attempt(ctx, "done", 0)
	if err != nil || done.Status != model.AttemptPassed || done.BankVersion != "bank:1" || done.Score != 1 || len(done.Items) != 1 ||
		done.Items[0].AnsweredAt == nil || done.ExtendedMinutes != 0 || done.CancelReason != "" {
		t.Fatalf("finished attempt after the migration: %+v, %v", done, err)
	}
	old, err := db.CertificateByID(ctx, "c1")
	if err != nil || old.ReplacedBy != "c2" || old.AttemptID != "done" {
		t.Fatalf("superseded certificate after the migration: %+v, %v", old, err)
	}
	var problems int
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM pragma_foreign_key_check`).Scan(&problems); err != nil || problems != 0 {
		t.Fatalf("foreign key problems: %d, %v", problems, err)
	}
	var refs string
	if err := db.read.QueryRowContext(ctx, `SELECT group_concat(sql, ' ') FROM sqlite_schema WHERE name IN ('attempt_items', 'certificates')`).Scan(&refs); err != nil ||
		strings.Contains(refs, "_new") {
		t.Fatalf("children still point at the rebuilt tables' temporary names: %s, %v", refs, err)
	}

	// The running attempt can now be extended, then cancelled.
	err = db.Transact(ctx, func(tx *Tx) error {
		if err := tx.ExtendAttempt("open", 15); err != nil {
			return err
		}
		a, err := tx.Attempt("open", 0)
		if err != nil {
			return err
		}
		return tx.CancelAttempt(a, "prueba")
	})
	if err != nil {
		t.Fatal(err)
	}
	open, _ := db.Attempt(ctx, "open", 0)
	if open.Status != model.AttemptCancelled || open.FinishReason != model.FinishCancelled || open.CancelReason != "prueba" ||
		open.ExtendedMinutes != 15 || !open.Deadline.Equal(time.UnixMilli(603000+15*60_000)) {
		t.Fatalf("after extending and cancelling: %+v", open)
	}
	// Twice is refused: the attempt is no longer running.
	err = db.Transact(ctx, func(tx *Tx) error { return tx.ExtendAttempt("open", 5) })
	if !errors.Is(err, ErrClosed) {
		t.Errorf("extending a cancelled attempt: %v", err)
	}
}
