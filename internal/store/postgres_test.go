package store

import (
	"context"
	"net/url"
	"testing"
	"time"

	"mxcert/internal/pgtest"
)

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
