package store

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"mxcert/internal/fold"
	"mxcert/internal/model"
)

// A search asked again after a listing's certificate has expired, with
// nothing else changed, no longer finds it, nor counts it.
func TestKeptSearchesEndAtTheNextExpiry(t *testing.T) {
	w := newDirWorld(t, 3)
	soon := w.base.Add(time.Hour)
	for i, u := range w.users {
		var exp *time.Time
		if i == 0 {
			exp = &soon
		}
		w.issue(u, "Ana Núñez", exp)
		l := &model.Listing{UserID: u, ConsentAt: w.base, NoticeVersion: "v", State: "20", Municipios: []string{"20067"}, Services: []string{"redes"}}
		if err := w.db.Transact(w.ctx, func(tx *Tx) error { return tx.SaveListing(l, fold.Text("redes oaxaca")) }); err != nil {
			t.Fatal(err)
		}
		w.exec(`UPDATE directory_listings SET published = 1 WHERE user_id = ?`, u)
	}
	for _, q := range []ListingSearch{{}, {State: "20"}, {Service: "redes"}, {Words: []string{"redes"}}, {Words: []string{"redes", "nunez"}, Exact: []string{"20067"}}} {
		q.Seed, q.Limit = 7, 20
		for _, at := range []time.Time{w.base, w.base.Add(time.Minute), soon, soon.Add(time.Minute)} {
			q.Now = at
			wantIDs, wantTotal := w.reference(q)
			for range 2 {
				gotIDs, gotTotal := w.search(q)
				if !slices.Equal(gotIDs, wantIDs) || gotTotal != wantTotal {
					t.Fatalf("%+v:\n got %v (total %d)\nwant %v (total %d)", q, gotIDs, gotTotal, wantIDs, wantTotal)
				}
			}
			if at.Before(soon) && wantTotal != 3 || !at.Before(soon) && wantTotal != 2 {
				t.Fatalf("at %v the definition finds %d", at, wantTotal)
			}
		}
	}
}

// The generation moves on when one transaction writes the keys and words
// of many listings, after a savepoint that moved it was rolled back; on
// PostgreSQL exactly once: there its triggers move it once per
// transaction, since updating one row thousands of times in one
// transaction takes time quadratic in the count.
func TestGenerationMovesOnOncePerTransaction(t *testing.T) {
	w := newDirWorld(t, 3)
	var listings []int64
	for _, u := range w.users {
		w.issue(u, "Ana Núñez", nil)
		l := &model.Listing{UserID: u, ConsentAt: w.base, NoticeVersion: "v", State: "20", Municipios: []string{"20067"}, Services: []string{"redes"}}
		if err := w.db.Transact(w.ctx, func(tx *Tx) error { return tx.SaveListing(l, fold.Text("redes oaxaca")) }); err != nil {
			t.Fatal(err)
		}
		listings = append(listings, l.ID)
	}
	generation := func() int64 {
		t.Helper()
		var n int64
		if err := w.db.write.QueryRowContext(w.ctx, `SELECT n FROM directory_generation WHERE id = 1`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := generation()
	err := w.db.Transact(w.ctx, func(tx *Tx) error {
		if _, err := tx.tx.ExecContext(tx.ctx, `SAVEPOINT undone`); err != nil {
			return err
		}
		if _, err := tx.tx.ExecContext(tx.ctx, `INSERT INTO directory_listing_words (word, listing_id) VALUES ('deshecha', ?)`, listings[0]); err != nil {
			return err
		}
		if _, err := tx.tx.ExecContext(tx.ctx, `ROLLBACK TO SAVEPOINT undone`); err != nil {
			return err
		}
		if _, err := tx.tx.ExecContext(tx.ctx, `RELEASE SAVEPOINT undone`); err != nil {
			return err
		}
		return writeListingKeys(tx, func(yield func(int64, string) bool) {
			for _, id := range listings {
				if !yield(id, "ana nunez\n"+strings.Repeat("redes oaxaca impresoras respaldos ", 10)+fmt.Sprint(id)) {
					return
				}
			}
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	after := generation()
	if after == before {
		t.Fatalf("the generation stayed at %d", before)
	}
	if w.db.dialect == postgresDialect && after != before+1 {
		t.Errorf("the generation moved from %d to %d in one transaction, want once", before, after)
	}
}
