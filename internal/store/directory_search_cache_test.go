package store

import (
	"slices"
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
