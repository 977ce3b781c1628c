package store

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"mxcert/internal/fold"
	"mxcert/internal/model"
)

// dirWorld is a directory in a test database, and everything needed to
// say, slowly and independently of the columns and indexes the search
// reads, which listings a search must find.
type dirWorld struct {
	t     *testing.T
	db    *DB
	ctx   context.Context
	base  time.Time
	users []int64
	certN int
}

var dirVocabulary = strings.Fields("instalacion redes impresoras respaldos soporte remoto domicilio taller oaxaca juarez monterrey neza tlaxiaco mixteca pymes escuelas")

func newDirWorld(t *testing.T, people int) *dirWorld {
	w := &dirWorld{t: t, db: openTest(t), ctx: context.Background(), base: time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)}
	for i := range people {
		u := &model.User{Email: fmt.Sprintf("p%d@ejemplo.mx", i), EmailNorm: fmt.Sprintf("p%d@ejemplo.mx", i), Name: fmt.Sprintf("Persona %c", 'A'+i%26), PasswordHash: "x"}
		if err := w.db.Transact(w.ctx, func(tx *Tx) error { return tx.CreateUser(u) }); err != nil {
			t.Fatal(err)
		}
		w.users = append(w.users, u.ID)
	}
	return w
}

func (w *dirWorld) exec(q string, args ...any) {
	w.t.Helper()
	if _, err := w.db.write.ExecContext(w.ctx, q, args...); err != nil {
		w.t.Fatalf("%s: %v", q, err)
	}
}

// issue gives the user a new valid certificate (superseding the valid one
// of the same track, as a re-issue does), expiring at expires (nil: never).
func (w *dirWorld) issue(user int64, name string, expires *time.Time) {
	w.t.Helper()
	w.certN++
	n := w.certN
	var exp any
	if expires != nil {
		exp = ms(*expires)
	}
	err := w.db.Transact(w.ctx, func(tx *Tx) error {
		var old sql.NullString
		if err := tx.tx.QueryRowContext(tx.ctx, `SELECT id FROM certificates WHERE user_id = ? AND status = 'valid'`, user).Scan(&old); err != nil && err != sql.ErrNoRows {
			return err
		}
		if old.Valid {
			if err := tx.DeferForeignKeys(); err != nil {
				return err
			}
			if _, err := tx.tx.ExecContext(tx.ctx, `UPDATE certificates SET status = 'superseded', replaced_by = ? WHERE id = ?`, fmt.Sprint("c", n), old.String); err != nil {
				return err
			}
		}
		if _, err := tx.tx.ExecContext(tx.ctx, `INSERT INTO attempts (id, user_id, track_id, track_title, track_version, content_version, seed, holder_name,
			started_at, deadline, pass_percent, total, status, finished_at, finish_reason) VALUES (?, ?, 't', 'T', '1', '1', 1, ?, 1, 2, 70, 40, 'passed', 2, 'submitted')`,
			fmt.Sprint("a", n), user, name); err != nil {
			return err
		}
		_, err := tx.tx.ExecContext(tx.ctx, `INSERT INTO certificates (id, code, code_norm, user_id, attempt_id, track_id, track_title, track_version,
			content_version, holder_name, issued_at, expires_at, credential, signature, key_id) VALUES (?, ?, ?, ?, ?, 't', 'T', '1', '1', ?, ?, ?, '{}', 'x', 'k')`,
			fmt.Sprint("c", n), fmt.Sprint("C-", n), fmt.Sprint("C", n), user, fmt.Sprint("a", n), name, ms(w.base)+int64(n), exp)
		return err
	})
	if err != nil {
		w.t.Fatal(err)
	}
}

// reference is the search as the directory defines it, computed from the
// source tables row by row in Go: a listing is visible at now when it is
// published, not hidden, and its owner holds a certificate whose status
// is valid and that has not expired at now; it matches a word when a word
// of its holder's name (from the latest such certificate) or of its text
// starts with it (is it, for words under three letters). The result is
// the ordered ids and the bounded total.
func (w *dirWorld) reference(q ListingSearch) ([]int64, int) {
	w.t.Helper()
	type cert struct {
		name    string
		issued  int64
		expires sql.NullInt64
	}
	certs := map[int64][]cert{}
	rows, err := w.db.write.QueryContext(w.ctx, `SELECT user_id, holder_name, issued_at, expires_at FROM certificates WHERE status = 'valid'`)
	if err != nil {
		w.t.Fatal(err)
	}
	for rows.Next() {
		var u int64
		var c cert
		if err := rows.Scan(&u, &c.name, &c.issued, &c.expires); err != nil {
			w.t.Fatal(err)
		}
		certs[u] = append(certs[u], c)
	}
	rows.Close()
	type found struct{ id, score, rot int64 }
	var out []found
	rows, err = w.db.write.QueryContext(w.ctx, `SELECT id, user_id, state, text_key FROM directory_listings WHERE published = 1 AND hidden_at IS NULL`)
	if err != nil {
		w.t.Fatal(err)
	}
	type listing struct {
		id, user    int64
		state, text string
	}
	var listings []listing
	for rows.Next() {
		var l listing
		if err := rows.Scan(&l.id, &l.user, &l.state, &l.text); err != nil {
			w.t.Fatal(err)
		}
		listings = append(listings, l)
	}
	rows.Close()
	for _, l := range listings {
		id, user, state, text := l.id, l.user, l.state, l.text
		var cur *cert
		for _, c := range certs[user] {
			if c.expires.Valid && c.expires.Int64 <= ms(q.Now) {
				continue
			}
			if cur == nil || c.issued > cur.issued {
				cur = &c
			}
		}
		if cur == nil || (q.State != "" && state != q.State) ||
			(q.Service != "" && !w.has(`SELECT 1 FROM directory_listing_terms WHERE listing_id = ? AND kind = 'service' AND term = ?`, id, q.Service)) ||
			(q.Municipio != "" && !w.has(`SELECT 1 FROM directory_listing_places WHERE listing_id = ? AND municipio = ?`, id, q.Municipio)) {
			continue
		}
		var score int64
		if len(q.Words) > 0 {
			listingWords := strings.FieldsFunc(ListingSearchKey(cur.name, text), notWordRune)
			for _, qw := range queryWords(q.Words) {
				if slices.ContainsFunc(listingWords, func(lw string) bool {
					return lw == qw || (len([]rune(qw)) >= 3 && strings.HasPrefix(lw, qw))
				}) {
					score++
				}
			}
			if score == 0 {
				continue
			}
			for _, m := range q.Exact {
				if w.has(`SELECT 1 FROM directory_listing_places WHERE listing_id = ? AND municipio = ?`, id, m) {
					score += 1000
					break
				}
			}
		}
		out = append(out, found{id, score, RotationKey(id, q.Seed)})
	}
	slices.SortFunc(out, func(a, b found) int {
		if a.score != b.score {
			return int(b.score - a.score)
		}
		if a.rot != b.rot {
			return int(a.rot - b.rot)
		}
		return int(a.id - b.id)
	})
	var ids []int64
	for _, f := range out {
		ids = append(ids, f.id)
	}
	return ids, min(len(ids), CountCap+1)
}

func (w *dirWorld) has(q string, args ...any) bool {
	var one int
	err := w.db.write.QueryRowContext(w.ctx, q, args...).Scan(&one)
	if err != nil && err != sql.ErrNoRows {
		w.t.Fatal(err)
	}
	return err == nil
}

// search pages through the fast search, returning every id in order and
// the total of the first page.
func (w *dirWorld) search(q ListingSearch) ([]int64, int) {
	w.t.Helper()
	var ids []int64
	total := -1
	for q.Offset = 0; q.Offset < CountCap; q.Offset += q.Limit {
		page, n, err := w.db.SearchListings(w.ctx, q)
		if err != nil {
			w.t.Fatalf("%+v: %v", q, err)
		}
		if total == -1 {
			total = n
		}
		for _, p := range page {
			ids = append(ids, p.ID)
		}
		if len(page) < q.Limit {
			break
		}
	}
	return ids, total
}

// After any sequence of publishing, hiding, revoking, reinstating,
// re-issuing, expiring, editing and deleting, the search (denormalised
// visibility, rotation indexes, index of words) finds exactly what the
// definition finds, in the same order, at every moment.
func TestDirectorySearchMatchesTheDefinition(t *testing.T) {
	const people = 40
	w := newDirWorld(t, people)
	rnd := rand.New(rand.NewPCG(2026, 19))
	states := []string{"20", "15", "19"}
	munis := map[string][]string{"20": {"20067", "20068", "20390"}, "15": {"15058", "15033"}, "19": {"19039"}}
	services := []string{"instalacion", "redes", "impresoras"}
	pick := func(list []string) string { return list[rnd.IntN(len(list))] }
	hasListing := map[int64]bool{}
	save := func(user int64) {
		st := pick(states)
		l := &model.Listing{UserID: user, ConsentAt: w.base, NoticeVersion: "v", State: st,
			Municipios: []string{pick(munis[st]), pick(munis[st])}, Services: []string{pick(services)}}
		var text []string
		for range 1 + rnd.IntN(4) {
			text = append(text, pick(dirVocabulary))
		}
		if err := w.db.Transact(w.ctx, func(tx *Tx) error { return tx.SaveListing(l, fold.Text(strings.Join(text, " ")+".")) }); err != nil {
			t.Fatal(err)
		}
		hasListing[user] = true
	}
	for _, u := range w.users {
		if rnd.IntN(4) > 0 {
			var exp *time.Time
			if rnd.IntN(3) == 0 {
				e := w.base.Add(time.Duration(1+rnd.IntN(30)) * 24 * time.Hour)
				exp = &e
			}
			w.issue(u, pick([]string{"Ana Núñez", "Beto Juárez", "Carla Tlaxiaco", "Dora Pérez"}), exp)
		}
		save(u)
		if rnd.IntN(5) > 0 {
			w.exec(`UPDATE directory_listings SET published = 1 WHERE user_id = ?`, u)
		}
	}
	check := func(step int) {
		t.Helper()
		now := w.base.Add(time.Duration(rnd.IntN(40*24)) * time.Hour)
		queries := []ListingSearch{{}, {State: pick(states)}, {Service: pick(services)}, {State: "20", Service: pick(services)},
			{State: "20", Municipio: pick(munis["20"])}, {Words: []string{pick(dirVocabulary)}}, {Words: []string{pick(dirVocabulary)[:3]}},
			{Words: []string{pick(dirVocabulary), pick(dirVocabulary)}, Exact: []string{"20067"}}, {Words: []string{"nunez"}},
			{State: "15", Words: []string{pick(dirVocabulary), "juarez"}}, {Service: pick(services), Words: []string{pick(dirVocabulary)}}}
		for _, q := range queries {
			q.Now, q.Seed, q.Limit = now, rnd.Int64N(1<<32), 1+rnd.IntN(7)
			wantIDs, wantTotal := w.reference(q)
			gotIDs, gotTotal := w.search(q)
			if !slices.Equal(gotIDs, wantIDs) || gotTotal != wantTotal {
				t.Fatalf("step %d, %+v:\n got %v (total %d)\nwant %v (total %d)", step, q, gotIDs, gotTotal, wantIDs, wantTotal)
			}
		}
	}
	check(0)
	for step := 1; step <= 150; step++ {
		u := w.users[rnd.IntN(people)]
		switch rnd.IntN(9) {
		case 0:
			w.exec(`UPDATE directory_listings SET published = 1 - published WHERE user_id = ?`, u)
		case 1:
			w.exec(`UPDATE directory_listings SET hidden_at = CASE WHEN hidden_at IS NULL THEN 1 END,
				hidden_reason = CASE WHEN hidden_at IS NULL THEN 'r' END WHERE user_id = ?`, u)
		case 2: // revoke
			w.exec(`UPDATE certificates SET status = 'revoked', revoked_at = 1, revocation_reason = 'r' WHERE user_id = ? AND status = 'valid'`, u)
		case 3: // reinstate the latest revoked one, when no other is valid
			if !w.has(`SELECT 1 FROM certificates WHERE user_id = ? AND status = 'valid'`, u) {
				w.exec(`UPDATE certificates SET status = 'valid', revoked_at = NULL, revocation_reason = NULL
					WHERE id = (SELECT id FROM certificates WHERE user_id = ? AND status = 'revoked' ORDER BY issued_at DESC LIMIT 1)`, u)
			}
		case 4: // re-issue under another name, or a first certificate
			var exp *time.Time
			if rnd.IntN(2) == 0 {
				e := w.base.Add(time.Duration(rnd.IntN(40*24)) * time.Hour)
				exp = &e
			}
			w.issue(u, pick([]string{"Eva Mixteca", "Fer Monterrey", "Gil Neza"}), exp)
		case 5: // a certificate's expiry moves (into the past or the future)
			w.exec(`UPDATE certificates SET expires_at = ? WHERE user_id = ? AND status = 'valid'`, ms(w.base)+rnd.Int64N(40*86400e3), u)
		case 6:
			if hasListing[u] {
				if err := w.db.Transact(w.ctx, func(tx *Tx) error { _, err := tx.DeleteListing(u); return err }); err != nil {
					t.Fatal(err)
				}
				hasListing[u] = false
			}
		case 7:
			save(u)
		case 8: // the listing changes hands (a merge of accounts)
			other := w.users[rnd.IntN(people)]
			if hasListing[u] && !hasListing[other] {
				w.exec(`UPDATE directory_listings SET user_id = ? WHERE user_id = ?`, other, u)
				hasListing[u], hasListing[other] = false, true
			}
		}
		check(step)
	}
}

// recorder runs queries on q and keeps each query with its arguments.
type recorder struct {
	querier
	queries []recorded
}

type recorded struct {
	query string
	args  []any
}

func (r *recorder) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	r.queries = append(r.queries, recorded{query, args})
	return r.querier.QueryRowContext(ctx, query, args...)
}

func (r *recorder) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	r.queries = append(r.queries, recorded{query, args})
	return r.querier.QueryContext(ctx, query, args...)
}

// Every query of a search reads indexes: the filtered searches never scan
// the listings, the walks come out of an index in rotation order (no sort
// of the listings), and even the unfiltered search reads a bounded part of
// an index.
func TestDirectorySearchUsesIndexes(t *testing.T) {
	sqliteOnly(t)
	w := newDirWorld(t, 6)
	for i, u := range w.users {
		w.issue(u, "Ana Núñez", nil)
		l := &model.Listing{UserID: u, ConsentAt: w.base, NoticeVersion: "v", State: "20", Municipios: []string{"20067"}, Services: []string{"redes"}}
		if err := w.db.Transact(w.ctx, func(tx *Tx) error { return tx.SaveListing(l, fmt.Sprint("redes oaxaca juarez ", i)) }); err != nil {
			t.Fatal(err)
		}
	}
	w.exec(`UPDATE directory_listings SET published = 1`)
	if _, _, err := w.db.SearchListings(w.ctx, ListingSearch{Now: w.base}); err != nil { // writes the keys
		t.Fatal(err)
	}
	defer func(n int) { wordWalkFrom = n }(wordWalkFrom)
	for _, walkFrom := range []int{2000, 1} { // the index of words, then the walk with a common word
		wordWalkFrom = walkFrom
		for _, q := range []ListingSearch{{}, {State: "20"}, {Service: "redes"}, {State: "20", Service: "redes"}, {State: "20", Municipio: "20067"},
			{State: "20", Municipio: "20067", Service: "redes"}, {Words: []string{"redes"}}, {Words: []string{"red"}, Service: "redes"},
			{State: "20", Words: []string{"redes"}}, {Words: []string{"oaxaca", "juarez"}, Exact: []string{"20067"}},
			{Words: []string{"oaxaca", "juarez"}, State: "20", Service: "redes", Municipio: "20067"}} {
			q.Now, q.Seed, q.Limit = w.base, 12345, 20
			rec := &recorder{querier: w.db.read}
			if _, _, err := searchIDs(w.ctx, rec, q); err != nil {
				t.Fatal(err)
			}
			for _, r := range rec.queries {
				rows, err := w.db.read.QueryContext(w.ctx, `EXPLAIN QUERY PLAN `+r.query, r.args...)
				if err != nil {
					t.Fatal(err)
				}
				var plan []string
				for rows.Next() {
					var id, parent, unused int
					var detail string
					if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
						t.Fatal(err)
					}
					plan = append(plan, detail)
				}
				rows.Close()
				all := strings.Join(plan, "\n")
				filtered := q.State != "" || q.Service != "" || q.Municipio != "" || len(q.Words) > 0
				bad := strings.Contains(all, "SCAN l\n") || strings.HasSuffix(all, "SCAN l") || strings.Contains(all, "SCAN directory_listings") ||
					(filtered && strings.Contains(all, "SCAN l ")) || !strings.Contains(all, "INDEX") && !strings.Contains(all, "PRIMARY KEY") ||
					(len(q.Words) == 0 && strings.Contains(all, "TEMP B-TREE FOR ORDER BY"))
				if bad {
					t.Errorf("%+v (word walk from %d):\n%s\n%s", q, walkFrom, r.query, all)
				}
			}
		}
	}
}
