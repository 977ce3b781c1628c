package store

import (
	"context"
	"testing"

	"mxcert/internal/model"
)

// Accounts from before the search key, and accounts whose name, e-mail or
// state changed by any statement, get their key written again: at start
// and before each search.
func TestSearchKeysAreWrittenAgain(t *testing.T) {
	open := reopenable(t)
	ctx := context.Background()
	db, err := open()
	if err != nil {
		t.Fatal(err)
	}
	u := &model.User{Email: "Jose@Ejemplo.mx", EmailNorm: "jose@ejemplo.mx", Name: "José Ñúñez", State: "Nuevo León", PasswordHash: "x"}
	if err := db.Transact(ctx, func(tx *Tx) error { return tx.CreateUser(u) }); err != nil {
		t.Fatal(err)
	}
	key := func(db *DB) string {
		t.Helper()
		var k *string
		if err := db.write.QueryRowContext(ctx, `SELECT search_key FROM users WHERE id = ?`, u.ID).Scan(&k); err != nil {
			t.Fatal(err)
		}
		if k == nil {
			return "NULL"
		}
		return *k
	}
	if got, want := key(db), "jose nunez\njose@ejemplo.mx\nnuevo leon"; got != want {
		t.Errorf("key at creation = %q, want %q", got, want)
	}
	// As before migration 0014: no key. Reopening writes it.
	if _, err := db.write.ExecContext(ctx, `UPDATE users SET search_key = NULL`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if db, err = open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got := key(db); got != "jose nunez\njose@ejemplo.mx\nnuevo leon" {
		t.Errorf("key after reopening = %q", got)
	}
	// A change by a statement that knows nothing of the key clears it …
	if _, err := db.write.ExecContext(ctx, `UPDATE users SET state = 'Yucatán' WHERE id = ?`, u.ID); err != nil {
		t.Fatal(err)
	}
	if got := key(db); got != "NULL" {
		t.Errorf("key after the state changed = %q, want NULL", got)
	}
	// … and the next search writes it again before it looks.
	found, total, err := db.SearchUsers(ctx, UserSearch{Words: []string{"yucatan"}})
	if err != nil || total != 1 || len(found) != 1 || found[0].ID != u.ID {
		t.Fatalf("search after the change: %+v, %d, %v", found, total, err)
	}
	if got := key(db); got != "jose nunez\njose@ejemplo.mx\nyucatan" {
		t.Errorf("key after the search = %q", got)
	}
}
