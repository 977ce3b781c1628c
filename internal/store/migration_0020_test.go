package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"mxcert/internal/exam"
	"mxcert/internal/model"
)

// Migration 0020 stores each question as served once (served_items) and
// rebuilds attempt_items to point at it. An installation with attempts
// keeps every item exactly as served, with its answer, flag and score,
// and two attempts that served the same bytes share one copy.
func TestMigration20StoresEachServedItemOnce(t *testing.T) {
	sqliteOnly(t)
	ctx := context.Background()
	dir := t.TempDir()
	raw, err := sql.Open("sqlite3", DSN(filepath.Join(dir, FileName), true))
	if err != nil {
		t.Fatal(err)
	}
	files, _ := fs.Glob(migrations, "migrations/*.sql")
	slices.Sort(files)
	version := 0
	for _, f := range files {
		if strings.HasPrefix(filepath.Base(f), "0020") {
			break
		}
		script, _ := migrations.ReadFile(f)
		if _, err := raw.ExecContext(ctx, string(script)); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if _, err := fmt.Sscanf(filepath.Base(f), "%d", &version); err != nil {
			t.Fatal(err)
		}
	}
	item := func(q string, first bool) string {
		it := exam.Item{QuestionID: q, Domain: "d", Stem: "<p>¿Qué hace <code>ls</code>?</p>",
			Options: []exam.ItemOption{{HTML: "Lista", Correct: first}, {HTML: "Borra", Correct: !first}}}
		data, _ := json.Marshal(it)
		return string(data)
	}
	seed := []string{
		`INSERT INTO users (id, email, email_norm, full_name, password_hash, created_at, password_changed_at) VALUES (1, 'a@b.mx', 'a@b.mx', 'Ana López', 'x', 1, 1)`,
		`INSERT INTO users (id, email, email_norm, full_name, password_hash, created_at, password_changed_at) VALUES (2, 'l@b.mx', 'l@b.mx', 'Luis Pérez', 'x', 1, 1)`,
		`INSERT INTO attempts (id, user_id, track_id, track_title, track_version, content_version, seed, holder_name, started_at, deadline, pass_percent, total, status, finished_at, finish_reason, score, percent)
			VALUES ('done', 1, 't', 'T', '1', 'git:abc', 7, 'Ana López', 1000, 601000, 50, 2, 'passed', 2000, 'submitted', 1, 50)`,
		`INSERT INTO attempts (id, user_id, track_id, track_title, track_version, content_version, seed, holder_name, started_at, deadline, pass_percent, total)
			VALUES ('open', 2, 't', 'T', '1', 'git:abc', 8, 'Luis Pérez', 3000, 603000, 50, 2)`,
	}
	for _, q := range seed {
		if _, err := raw.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	items := []struct {
		attempt  string
		position int
		question string
		item     string
		answer   any
		correct  any
	}{
		{"done", 0, "q1", item("q1", true), "[0]", 1},
		{"done", 1, "q2", item("q2", true), "[0]", 0},
		{"open", 0, "q2", item("q2", true), "[1]", nil}, // the same bytes as done's second
		{"open", 1, "q1", item("q1", false), nil, nil},  // the same question in another order
	}
	for _, it := range items {
		if _, err := raw.ExecContext(ctx, `INSERT INTO attempt_items (attempt_id, position, question_id, domain, item, answer, flagged, seq, correct) VALUES (?, ?, ?, 'd', ?, ?, ?, 3, ?)`,
			it.attempt, it.position, it.question, it.item, it.answer, it.position, it.correct); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := raw.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", version)); err != nil {
		t.Fatal(err)
	}
	if err := raw.Close(); err != nil {
		t.Fatal(err)
	}

	db, err := Open(ctx, dir)
	if err != nil {
		t.Fatalf("migrate from %d: %v", version, err)
	}
	defer db.Close()
	var served int
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM served_items`).Scan(&served); err != nil || served != 3 {
		t.Errorf("%d served items, want 3 (one per distinct item), %v", served, err)
	}
	for _, id := range []string{"done", "open"} {
		a, err := db.Attempt(ctx, id, 0)
		if err != nil || len(a.Items) != 2 {
			t.Fatalf("attempt %s after the migration: %+v, %v", id, a, err)
		}
		for _, want := range items {
			if want.attempt != id {
				continue
			}
			got := a.Items[want.position]
			data, _ := json.Marshal(got.Item)
			if string(data) != want.item || got.Seq != 3 || got.Flagged != (want.position == 1) ||
				fmt.Sprint(got.Answer) != map[any]string{"[0]": "[0]", "[1]": "[1]", nil: "[]"}[want.answer] ||
				(got.Correct == nil) != (want.correct == nil) {
				t.Errorf("%s item %d after the migration: %s %+v", id, want.position, data, got)
			}
		}
	}
	var problems int
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM pragma_foreign_key_check`).Scan(&problems); err != nil || problems != 0 {
		t.Fatalf("foreign key problems: %d, %v", problems, err)
	}
	// A new attempt serving q2 in the same order stores one copy found by
	// its hash (the migrated copy has none); a third reuses it.
	var q2 exam.Item
	if err := json.Unmarshal([]byte(item("q2", true)), &q2); err != nil {
		t.Fatal(err)
	}
	for i, want := range []int{4, 4} {
		a := &model.Attempt{ID: fmt.Sprint("new", i), UserID: 1, TrackID: fmt.Sprint("u", i), TrackTitle: "U", TrackVersion: "1", ContentVersion: "v", HolderName: "Ana López", PassPercent: 50,
			Items: []model.AttemptItem{{Item: q2}}}
		if err := db.Transact(ctx, func(tx *Tx) error { a.Deadline = tx.Now.Add(time.Hour); return tx.CreateAttempt(a) }); err != nil {
			t.Fatal(err)
		}
		if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM served_items`).Scan(&served); err != nil || served != want {
			t.Errorf("%d served items after serving q2 again (%d), want %d", served, i+1, want)
		}
		got, err := db.Attempt(ctx, a.ID, 1)
		if err != nil {
			t.Fatal(err)
		}
		if data, _ := json.Marshal(got.Items[0].Item); string(data) != item("q2", true) {
			t.Errorf("attempt %s serves %s", a.ID, data)
		}
	}
}
