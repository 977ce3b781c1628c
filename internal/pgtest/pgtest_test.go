package pgtest

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"
)

func TestMain(m *testing.M) { Main(m) }

func open(t *testing.T, url string) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	})
	return db
}

func TestDatabasesAreFreshAndSeparate(t *testing.T) {
	ctx := context.Background()
	s := Require(t)
	t.Logf("PostgreSQL from %s, started in %v (socket %s, port %d)", s.BinDir, s.Took.Round(time.Millisecond), s.SocketDir, s.Port)
	urlA, urlB := URL(t), URL(t)
	if urlA == urlB {
		t.Fatalf("two databases with one URL: %s", urlA)
	}
	a, b := open(t, urlA), open(t, urlB)

	var one int
	if err := a.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil || one != 1 {
		t.Fatalf("SELECT 1 = %d, %v", one, err)
	}
	var nameA, nameB string
	if err := a.QueryRowContext(ctx, "SELECT current_database()").Scan(&nameA); err != nil {
		t.Fatal(err)
	}
	if err := b.QueryRowContext(ctx, "SELECT current_database()").Scan(&nameB); err != nil {
		t.Fatal(err)
	}
	if nameA == nameB || !strings.HasPrefix(nameA, "t_") || !strings.HasPrefix(nameB, "t_") {
		t.Fatalf("databases %q and %q, want two distinct t_… names", nameA, nameB)
	}

	// A fresh database has no tables of ours.
	var tables int
	if err := a.QueryRowContext(ctx, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").Scan(&tables); err != nil || tables != 0 {
		t.Fatalf("a new database has %d tables (%v), want none", tables, err)
	}

	// A committed row survives a new connection; the other database does
	// not see the table.
	if _, err := a.ExecContext(ctx, "CREATE TABLE notes (id int PRIMARY KEY, body text NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	tx, err := a.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO notes VALUES (1, 'Guadalupe Ñúñez Peña')"); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	var body string
	if err := open(t, urlA).QueryRowContext(ctx, "SELECT body FROM notes WHERE id = 1").Scan(&body); err != nil || body != "Guadalupe Ñúñez Peña" {
		t.Fatalf("after reconnecting: %q, %v", body, err)
	}
	var regclass sql.NullString
	if err := b.QueryRowContext(ctx, "SELECT to_regclass('notes')::text").Scan(&regclass); err != nil || regclass.Valid {
		t.Fatalf("the other database sees notes: %v, %v", regclass, err)
	}
}

func TestSettings(t *testing.T) {
	db := open(t, URL(t))
	for setting, want := range map[string]string{
		"fsync":              "on",
		"synchronous_commit": "on",
		"full_page_writes":   "on",
		"listen_addresses":   "",
		"max_connections":    "200",
		"server_encoding":    "UTF8",
		"TimeZone":           "UTC",
	} {
		var got string
		if err := db.QueryRow("SHOW " + setting).Scan(&got); err != nil {
			t.Fatalf("SHOW %s: %v", setting, err)
		}
		if got != want {
			t.Errorf("%s = %q, want %q", setting, got, want)
		}
	}
	// The server's character classes know accented letters (not so under
	// the C locale).
	var lower string
	if err := db.QueryRow("SELECT lower('ÑÚÑEZ')").Scan(&lower); err != nil || lower != "ñúñez" {
		t.Errorf("lower('ÑÚÑEZ') = %q, %v", lower, err)
	}
}

func TestDatabaseDroppedWhenTestEnds(t *testing.T) {
	s := Require(t)
	var name string
	t.Run("user", func(t *testing.T) {
		if err := open(t, URL(t)).QueryRow("SELECT current_database()").Scan(&name); err != nil {
			t.Fatal(err)
		}
	})
	if name == "" {
		t.Fatal("the subtest did not run")
	}
	// Check through the maintenance database, which URL never drops.
	var n int
	if err := open(t, s.URL("postgres")).QueryRow("SELECT count(*) FROM pg_database WHERE datname = $1", name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("database %s still exists after its test", name)
	}
}

func TestParallelTests(t *testing.T) {
	for _, name := range []string{"a", "b", "c", "d"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			db := open(t, URL(t))
			if _, err := db.Exec("CREATE TABLE only_mine (x text)"); err != nil {
				t.Fatal(err) // would fail if the tests shared a database
			}
			if _, err := db.Exec("INSERT INTO only_mine VALUES ($1)", name); err != nil {
				t.Fatal(err)
			}
		})
	}
}
