package store

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"mxcert/internal/model"
	"mxcert/internal/pgtest"
)

// sqliteFile makes an SQLite database in a folder of its own, lets fill
// write to it, closes it and returns the file.
func sqliteFile(t *testing.T, fill func(db *DB)) string {
	t.Helper()
	sqliteOnly(t) // uses both databases itself: once is enough
	dir := filepath.Join(t.TempDir(), "datos")
	db, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	fill(db)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, FileName)
}

// emptyPostgres makes a PostgreSQL database with this binary's schema and
// nothing else.
func emptyPostgres(t *testing.T) string {
	t.Helper()
	url := pgtest.URL(t)
	db, err := OpenPostgres(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return url
}

func pgExec(t *testing.T, url, query string, args ...any) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

func differing(checks []TableCheck) []string {
	var out []string
	for _, c := range checks {
		if !c.Same() {
			out = append(out, c.Table)
		}
	}
	return out
}

func TestCopyToPostgres(t *testing.T) {
	ctx := context.Background()
	src := sqliteFile(t, func(db *DB) {
		for _, e := range []string{"ana@ejemplo.mx", "beto@ejemplo.mx", "carla@ejemplo.mx"} {
			if err := createUserWithAudit(ctx, db, e); err != nil {
				t.Fatal(err)
			}
		}
		// SQLite keeps what it is given: text stored as a blob, bytes
		// stored as text. Both go to PostgreSQL as the column's kind.
		if _, err := db.write.ExecContext(ctx, `UPDATE users SET state = CAST('Jalisco' AS BLOB) WHERE id = 2`); err != nil {
			t.Fatal(err)
		}
		if _, err := db.write.ExecContext(ctx, `INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, public_id) VALUES ('texto', 1, 1, 1, 'p1')`); err != nil {
			t.Fatal(err)
		}
		// A level of its own, and none of the schema's first three.
		if _, err := db.write.ExecContext(ctx, `DELETE FROM directory_partner_levels WHERE id <> 2`); err != nil {
			t.Fatal(err)
		}
		if _, err := db.write.ExecContext(ctx, `UPDATE directory_generation SET n = 41`); err != nil {
			t.Fatal(err)
		}
	})
	url := emptyPostgres(t)
	if err := CheckPostgresEmpty(ctx, url); err != nil {
		t.Fatalf("a new schema is not empty: %v", err)
	}
	copied, err := CopyToPostgres(ctx, src, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]int64{}
	for _, c := range copied {
		rows[c.Table] = c.Rows
	}
	if rows["users"] != 3 || rows["audit_log"] != 3 || rows["directory_partner_levels"] != 1 || rows["directory_generation"] != 1 || len(copied) != 27 {
		t.Errorf("copied %v", rows)
	}
	checks, err := CompareWithPostgres(ctx, src, url)
	if err != nil {
		t.Fatal(err)
	}
	if d := differing(checks); d != nil || len(checks) != 27 {
		t.Fatalf("%d tables checked; differing: %v", len(checks), d)
	}

	// A changed value is found, in its table only.
	pgExec(t, url, `UPDATE users SET full_name = 'Otra Persona' WHERE id = 1`)
	checks, err = CompareWithPostgres(ctx, src, url)
	if err != nil {
		t.Fatal(err)
	}
	if d := differing(checks); !slices.Equal(d, []string{"users"}) {
		t.Errorf("differing after a change: %v", d)
	}

	// The copy is not empty any more; new rows get new ids; the seeded
	// rows are SQLite's.
	var ne *NotEmptyError
	if err := CheckPostgresEmpty(ctx, url); !errors.As(err, &ne) || ne.Table != "audit_log" {
		t.Errorf("after the copy: %v", err)
	}
	db, err := OpenPostgres(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := createUserWithAudit(ctx, db, "dora@ejemplo.mx"); err != nil {
		t.Fatalf("a new user after the copy: %v", err)
	}
	u, err := db.UserByEmail(ctx, "dora@ejemplo.mx")
	if err != nil || u.ID != 4 {
		t.Errorf("new user: %+v, %v", u, err)
	}
	levels, err := db.PartnerLevels(ctx)
	if err != nil || len(levels) != 1 || levels[0].ID != 2 {
		t.Errorf("levels: %+v, %v", levels, err)
	}
	err = db.Transact(ctx, func(tx *Tx) error {
		return tx.SavePartnerLevel(&model.PartnerLevel{Name: "Socio Nuevo", Position: 9})
	})
	if levels, _ = db.PartnerLevels(ctx); err != nil || len(levels) != 2 || levels[1].ID != 3 {
		t.Errorf("a new level: %+v, %v", levels, err)
	}

}

// A schema that differs stops the copy before anything is written.
func TestCopyRefusesAnotherSchema(t *testing.T) {
	ctx := context.Background()
	src := sqliteFile(t, func(db *DB) {
		for _, q := range []string{
			`ALTER TABLE users ADD COLUMN nickname TEXT`,
			`CREATE TABLE extra (id INTEGER PRIMARY KEY)`,
		} {
			if _, err := db.write.ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
	})
	url := emptyPostgres(t)
	pgExec(t, url, `ALTER TABLE sessions ALTER COLUMN ip DROP DEFAULT, ALTER COLUMN ip TYPE bytea USING ip::bytea`)
	_, err := CopyToPostgres(ctx, src, url, nil)
	var se *SchemaError
	if !errors.As(err, &se) {
		t.Fatalf("copy: %v", err)
	}
	want := []SchemaDiff{
		{Table: "extra", Problem: MissingInPostgres},
		{Table: "sessions", Column: "ip", Problem: KindDiffers, SQLite: "text", Postgres: "bytes"},
		{Table: "users", Column: "nickname", Problem: MissingInPostgres},
	}
	if !slices.Equal(se.Diffs, want) {
		t.Errorf("diffs %+v\nwant  %+v", se.Diffs, want)
	}
}

// A value PostgreSQL cannot hold stops the copy, names the row, and
// leaves the database as it was.
func TestCopyStopsAtAValuePostgresRefuses(t *testing.T) {
	ctx := context.Background()
	src := sqliteFile(t, func(db *DB) {
		if err := createUserWithAudit(ctx, db, "ana@ejemplo.mx"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.write.ExecContext(ctx, `UPDATE users SET state = 'Jal' || char(0) || 'isco'`); err != nil {
			t.Fatal(err)
		}
	})
	url := emptyPostgres(t)
	_, err := CopyToPostgres(ctx, src, url, nil)
	if err == nil || !strings.Contains(err.Error(), "users.state of the row (1)") || !strings.Contains(err.Error(), "NUL") {
		t.Fatalf("copy: %v", err)
	}
	if err := CheckPostgresEmpty(ctx, url); err != nil {
		t.Errorf("after a failed copy: %v", err)
	}
}
