package store

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"testing"
	"time"

	"mxcert/internal/exam"
	"mxcert/internal/model"
	"mxcert/internal/pgtest"
)

// Tests of what only PostgreSQL has: several server processes ("replicas")
// on one database. Each opens its own *DB on the same URL, as two
// `mxcert serve` would. They run whenever PostgreSQL is installed, in the
// SQLite run too: they are about PostgreSQL itself.

func openReplicas(t *testing.T, n int) []*DB {
	t.Helper()
	url := pgtest.URL(t)
	dbs := make([]*DB, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	// They start together, as replicas do after a deploy: the schema is
	// created once, whichever comes first.
	for i := range dbs {
		wg.Go(func() { dbs[i], errs[i] = OpenPostgres(context.Background(), url) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("replica %d: %v", i, err)
		}
		t.Cleanup(func() { dbs[i].Close() })
	}
	return dbs
}

func TestPostgresReplicasStartTogether(t *testing.T) {
	dbs := openReplicas(t, 3)
	for i, db := range dbs {
		if v, err := db.SchemaVersion(context.Background()); err != nil || v != 21 {
			t.Errorf("replica %d: schema version %d, %v", i, v, err)
		}
	}
	var rows int
	if err := dbs[0].read.QueryRowContext(context.Background(), `SELECT count(*) FROM schema_version`).Scan(&rows); err != nil || rows != 1 {
		t.Errorf("schema_version has %d rows, %v", rows, err)
	}
}

// Every write transaction of every replica queues on one lock, so a
// transaction that reads and then writes sees what the one before it
// committed, whichever replica ran it: here each writes the count it read,
// and no count is written twice.
func TestPostgresReplicasWriteOneAtATime(t *testing.T) {
	dbs := openReplicas(t, 2)
	ctx := context.Background()
	const each = 40
	var wg sync.WaitGroup
	errs := make(chan error, 2*4*each)
	for _, db := range dbs {
		for range 4 {
			wg.Go(func() {
				for range each {
					errs <- db.Transact(ctx, func(tx *Tx) error {
						var n int
						if err := tx.tx.QueryRowContext(ctx, `SELECT count(*) FROM audit_log WHERE action = 'test.count'`).Scan(&n); err != nil {
							return err
						}
						return tx.Audit(0, "test.count", fmt.Sprint(n), nil)
					})
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	var total, distinct int
	err := dbs[1].read.QueryRowContext(ctx, `SELECT count(*), count(DISTINCT subject) FROM audit_log WHERE action = 'test.count'`).Scan(&total, &distinct)
	if err != nil || total != 2*4*each || distinct != total {
		t.Errorf("%d entries with %d distinct counts (%v): two transactions read the same state", total, distinct, err)
	}
}

// Two replicas starting the same person's exam at once: one attempt.
func TestPostgresOneOpenAttemptAcrossReplicas(t *testing.T) {
	dbs := openReplicas(t, 2)
	ctx := context.Background()
	u := &model.User{Email: "a@b.mx", EmailNorm: "a@b.mx", Name: "Ana", PasswordHash: "x"}
	if err := dbs[0].Transact(ctx, func(tx *Tx) error { return tx.CreateUser(u) }); err != nil {
		t.Fatal(err)
	}
	for round := range 10 {
		errs := make([]error, 2)
		var wg sync.WaitGroup
		for i, db := range dbs {
			wg.Go(func() {
				a := &model.Attempt{ID: fmt.Sprintf("r%d-%d", round, i), UserID: u.ID, TrackID: "t", TrackTitle: "T", TrackVersion: "1", ContentVersion: "v", HolderName: "Ana", PassPercent: 70,
					Items: []model.AttemptItem{{Item: exam.Item{QuestionID: "q", Domain: "d", Options: []exam.ItemOption{{Correct: true}, {}}}}}}
				errs[i] = db.Transact(ctx, func(tx *Tx) error {
					a.Deadline = tx.Now.Add(time.Hour)
					return tx.CreateAttempt(a)
				})
			})
		}
		wg.Wait()
		ok, conflict := 0, 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case errors.Is(err, ErrConflict):
				conflict++
			default:
				t.Fatal(err)
			}
		}
		if ok != 1 || conflict != 1 {
			t.Fatalf("round %d: %d started, %d refused; want one of each", round, ok, conflict)
		}
		if _, err := dbs[0].exec(ctx, `UPDATE attempts SET status = 'failed', finished_at = 1, finish_reason = 'submitted' WHERE status = 'in_progress'`); err != nil {
			t.Fatal(err)
		}
	}
}

// Queued mail is claimed by one replica: none is handed out twice.
func TestPostgresMailIsClaimedOnce(t *testing.T) {
	dbs := openReplicas(t, 2)
	ctx := context.Background()
	const n = 30
	err := dbs[0].Transact(ctx, func(tx *Tx) error {
		for i := range n {
			if err := tx.EnqueueMail(&model.Mail{To: fmt.Sprintf("p%d@ejemplo.mx", i), Subject: "s", Text: "t"}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().Add(time.Minute)
	claimed := make([][]int64, 2)
	var wg sync.WaitGroup
	for i, db := range dbs {
		wg.Go(func() {
			for {
				due, err := db.ClaimDueMail(ctx, now, 3)
				if err != nil {
					t.Error(err)
					return
				}
				if len(due) == 0 {
					return
				}
				for _, m := range due {
					claimed[i] = append(claimed[i], m.ID)
				}
			}
		})
	}
	wg.Wait()
	seen := map[int64]bool{}
	for _, ids := range claimed {
		for _, id := range ids {
			if seen[id] {
				t.Errorf("message %d claimed twice", id)
			}
			seen[id] = true
		}
	}
	if len(seen) != n {
		t.Errorf("%d of %d messages claimed", len(seen), n)
	}
	// The claim is a lease: a replica that died mid-send leaves the
	// message due again once it ends.
	again, err := dbs[1].ClaimDueMail(ctx, now.Add(mailLease+time.Second), n)
	if err != nil || len(again) != n {
		t.Errorf("after the lease: %d due again, %v", len(again), err)
	}
}

// The read pool refuses writes, as SQLite's query_only one does.
func TestPostgresReadPoolIsReadOnly(t *testing.T) {
	db := openReplicas(t, 1)[0]
	if _, err := db.read.ExecContext(context.Background(), "INSERT INTO audit_log (at, action) VALUES (1, 'x')"); err == nil {
		t.Error("the read pool accepted a write")
	}
}

// A replica that hangs in the middle of a write transaction (its machine
// paused, its process stopped) holds the write lock of every replica.
// PostgreSQL ends its session after the idle limit: the other replicas'
// writes go on, and the hung transaction fails instead of committing
// late. Once back, the replica writes again on a new connection.
// (internal/crashtest makes a real replica hang under load.)
func TestHungWriterLosesTheWriteLock(t *testing.T) {
	if !pgtest.Selected() {
		t.Skip("PostgreSQL only: with SQLite one process writes")
	}
	ctx := context.Background()
	address := pgtest.URL(t)
	// The hung replica's address sets a short limit, as an operator may.
	u, err := url.Parse(address)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set(idleLimitParam, "300ms")
	u.RawQuery = q.Encode()
	hung, err := OpenPostgres(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer hung.Close()
	other, err := OpenPostgres(ctx, address)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()

	// One write connection: a hung replica leaves one session in the
	// write lock's queue, not one per write it had under way.
	if n := other.write.Stats().MaxOpenConnections; n != 1 {
		t.Errorf("the write pool may open %d connections; want 1", n)
	}
	var limit, readLimit string
	if err := other.write.QueryRowContext(ctx, "SHOW "+idleLimitParam).Scan(&limit); err != nil || limit != "10s" {
		t.Errorf("the write pool's %s = %q, %v; want 10s by default", idleLimitParam, limit, err)
	}
	if err := other.read.QueryRowContext(ctx, "SHOW "+idleLimitParam).Scan(&readLimit); err != nil || readLimit != "0" {
		t.Errorf("the read pool's %s = %q, %v; want none (0)", idleLimitParam, readLimit, err)
	}

	inside, resume := make(chan struct{}), make(chan struct{})
	hungErr := make(chan error, 1)
	go func() {
		hungErr <- hung.Transact(ctx, func(tx *Tx) error {
			if err := tx.Audit(0, "test.hung", "", nil); err != nil {
				return err
			}
			close(inside)
			<-resume // the replica hangs here, holding the write lock
			return tx.Audit(0, "test.hung", "", nil)
		})
	}()
	<-inside
	waitAtMost, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := other.Transact(waitAtMost, func(tx *Tx) error { return tx.Audit(0, "test.other", "", nil) }); err != nil {
		t.Fatalf("another replica's write while one hangs: %v", err)
	}
	close(resume)
	if err := <-hungErr; err == nil {
		t.Error("the hung transaction committed after it lost the write lock")
	}
	if err := hung.Transact(ctx, func(tx *Tx) error { return tx.Audit(0, "test.back", "", nil) }); err != nil {
		t.Errorf("the replica's first write once back: %v", err)
	}
	for action, want := range map[string]int{"test.hung": 0, "test.other": 1, "test.back": 1} {
		var n int
		if err := other.read.QueryRowContext(ctx, `SELECT count(*) FROM audit_log WHERE action = $1`, action).Scan(&n); err != nil || n != want {
			t.Errorf("%s entries: %d, %v; want %d", action, n, err, want)
		}
	}
}
