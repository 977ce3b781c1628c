package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"mxcert/internal/clocktest"
	"mxcert/internal/exam"
	"mxcert/internal/model"
	"mxcert/internal/pgtest"
)

// openTest opens a fresh database for a test: SQLite in a temporary
// folder, or a new PostgreSQL database when the suite runs against
// PostgreSQL (MXCERT_TEST_BACKEND=postgres; make test runs it both ways).
func openTest(t *testing.T, opts ...Option) *DB {
	t.Helper()
	var db *DB
	var err error
	if pgtest.Selected() {
		db, err = OpenPostgres(context.Background(), pgtest.URL(t), opts...)
	} else {
		db, err = Open(context.Background(), filepath.Join(t.TempDir(), "datos"), opts...)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// sqliteOnly skips a test of SQLite's own machinery (its file, pragmas,
// query plans, backups) when the suite runs against PostgreSQL.
func sqliteOnly(t *testing.T) {
	t.Helper()
	if pgtest.Selected() {
		t.Skip("SQLite only: the suite runs against PostgreSQL")
	}
}

func TestOpenConfiguresSQLite(t *testing.T) {
	sqliteOnly(t)
	db := openTest(t)
	ctx := context.Background()
	st, err := os.Stat(filepath.Dir(db.Path()))
	if err != nil || st.Mode().Perm() != 0o700 {
		t.Errorf("data directory mode = %v, %v", st.Mode().Perm(), err)
	}
	if st, err := os.Stat(db.Path()); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("database file mode = %v, %v", st.Mode().Perm(), err)
	}
	for _, tc := range []struct {
		name string
		pool querier
	}{{"write pool", db.write}, {"read pool", db.read}} {
		t.Run(tc.name, func(t *testing.T) {
			var mode string
			var fk, sync, busy int
			if err := tc.pool.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
				t.Errorf("journal_mode = %q, %v", mode, err)
			}
			if err := tc.pool.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk); err != nil || fk != 1 {
				t.Errorf("foreign_keys = %d, %v", fk, err)
			}
			if err := tc.pool.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&sync); err != nil || sync != 2 {
				t.Errorf("synchronous = %d (want 2, FULL), %v", sync, err)
			}
			if err := tc.pool.QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&busy); err != nil || busy < 5000 {
				t.Errorf("busy_timeout = %d, %v", busy, err)
			}
		})
	}
	if _, err := db.read.ExecContext(ctx, "INSERT INTO audit_log (at, action) VALUES (1, 'x')"); err == nil {
		t.Error("the read pool accepted a write")
	}
	v, err := db.SchemaVersion(ctx)
	if err != nil || v < 1 {
		t.Errorf("schema version = %d, %v", v, err)
	}
}

// reopenable is a way to open the same test database again, on the
// backend the suite runs against.
func reopenable(t *testing.T) func() (*DB, error) {
	t.Helper()
	if pgtest.Selected() {
		url := pgtest.URL(t)
		return func() (*DB, error) { return OpenPostgres(context.Background(), url) }
	}
	dir := t.TempDir()
	return func() (*DB, error) { return Open(context.Background(), dir) }
}

func TestMigrationsRunOnce(t *testing.T) {
	open := reopenable(t)
	ctx := context.Background()
	db, err := open()
	if err != nil {
		t.Fatal(err)
	}
	err = db.Transact(ctx, func(tx *Tx) error {
		return tx.CreateUser(&model.User{Email: "a@b.mx", EmailNorm: "a@b.mx", Name: "Ana", PasswordHash: "x"})
	})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	db, err = open() // reopening must keep the data and not re-apply anything
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if n, err := db.CountUsers(ctx, model.RoleCandidate); err != nil || n != 1 {
		t.Errorf("after reopening: %d users, %v", n, err)
	}
}

func TestUniqueEmail(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	create := func(email string) error {
		return db.Transact(ctx, func(tx *Tx) error {
			return tx.CreateUser(&model.User{Email: email, EmailNorm: email, Name: "Ana López", PasswordHash: "x"})
		})
	}
	if err := create("ana@ejemplo.mx"); err != nil {
		t.Fatal(err)
	}
	if err := create("ana@ejemplo.mx"); !errors.Is(err, ErrConflict) {
		t.Errorf("duplicate e-mail: %v, want ErrConflict", err)
	}
	if _, err := db.UserByEmail(ctx, "nadie@ejemplo.mx"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown e-mail: %v, want ErrNotFound", err)
	}
}

func TestConstraintsBackTheRules(t *testing.T) {
	db := openTest(t)
	err := db.Transact(context.Background(), func(tx *Tx) error {
		return tx.CreateUser(&model.User{Email: "a@b.mx", EmailNorm: "a@b.mx", Name: "A", PasswordHash: "x"})
	})
	if err == nil {
		t.Error("a one-letter name passed the CHECK constraint")
	}
	err = db.Transact(context.Background(), func(tx *Tx) error {
		return tx.CreateSession(&model.Session{ID: "s1", TokenHash: []byte("h"), UserID: 999})
	})
	if err == nil {
		t.Error("a session for a missing user passed the foreign key")
	}
}

// Many goroutines writing at once all succeed: writes queue on the single
// writer connection instead of failing with "database is locked".
func TestConcurrentWritesNeverLock(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 400)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				errs <- db.Transact(ctx, func(tx *Tx) error {
					return tx.Audit(0, "test.write", "", map[string]int{"g": g, "i": i})
				})
			}
		}()
	}
	// Readers run alongside.
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				if _, err := db.CountUsers(ctx, model.RoleAdmin); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	var n int
	if err := db.read.QueryRowContext(ctx, "SELECT count(*) FROM audit_log").Scan(&n); err != nil || n != 400 {
		t.Errorf("audit entries = %d, %v", n, err)
	}
}

func TestSessions(t *testing.T) {
	clock := clocktest.New()
	db := openTest(t, WithClock(clock.Now))
	ctx := context.Background()
	now := clock.Now()
	u := &model.User{Email: "a@b.mx", EmailNorm: "a@b.mx", Name: "Ana", PasswordHash: "x"}
	err := db.Transact(ctx, func(tx *Tx) error {
		if err := tx.CreateUser(u); err != nil {
			return err
		}
		for _, h := range []string{"uno", "dos", "tres"} {
			if err := tx.CreateSession(&model.Session{ID: "id-" + h, TokenHash: []byte(h), UserID: u.ID}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s, got, err := db.SessionUser(ctx, []byte("dos"))
	if err != nil || got.ID != u.ID || !s.CreatedAt.Equal(now) || s.ID != "id-dos" {
		t.Fatalf("SessionUser = %+v %+v %v", s, got, err)
	}
	err = db.Transact(ctx, func(tx *Tx) error {
		return tx.CreateSession(&model.Session{ID: "id-dos", TokenHash: []byte("cuatro"), UserID: u.ID})
	})
	if err == nil {
		t.Error("two sessions with one public id")
	}
	err = db.Transact(ctx, func(tx *Tx) error {
		n, err := tx.DeleteUserSessions(u.ID, []byte("dos"))
		if n != 2 {
			t.Errorf("deleted %d sessions, want 2", n)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := db.CountUserSessions(ctx, u.ID); n != 1 {
		t.Errorf("%d sessions left, want 1", n)
	}
	if n, err := db.DeleteExpiredSessions(ctx, now.Add(time.Second), now.Add(-time.Hour)); err != nil || n != 1 {
		t.Errorf("expired sessions deleted = %d, %v", n, err)
	}
}

// Answers saved at the same time share transactions; each is durable when
// acknowledged, and a stale one fails alone without spoiling its batch.
func TestGroupCommitOfAnswers(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	u := &model.User{Email: "a@b.mx", EmailNorm: "a@b.mx", Name: "Ana", PasswordHash: "x"}
	a := &model.Attempt{ID: "att", TrackID: "t", TrackTitle: "T", TrackVersion: "1", ContentVersion: "v", HolderName: "Ana", PassPercent: 70}
	for i := range 60 {
		a.Items = append(a.Items, model.AttemptItem{Item: exam.Item{QuestionID: fmt.Sprint("q", i), Domain: "d", Options: []exam.ItemOption{{Correct: true}, {}}}})
	}
	err := db.Transact(ctx, func(tx *Tx) error {
		if err := tx.CreateUser(u); err != nil {
			return err
		}
		a.UserID = u.ID
		a.Deadline = tx.Now.Add(time.Hour)
		return tx.CreateAttempt(a)
	})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 60)
	for i := range 60 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = db.SaveAnswerDurably(ctx, AnswerChange{AttemptID: "att", UserID: u.ID, Position: i, QuestionID: fmt.Sprint("q", i), Answer: []int{i % 2}})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("answer %d: %v", i, err)
		}
	}
	// A stale change (page built at seq 0, the item has changed since).
	if _, err := db.SaveAnswerDurably(ctx, AnswerChange{AttemptID: "att", UserID: u.ID, Position: 5, QuestionID: "q5", Answer: []int{0}}); !errors.Is(err, ErrStale) {
		t.Errorf("stale save: %v", err)
	}
	// A page for another question (a restored form): refused, whatever its age.
	if _, err := db.SaveAnswerDurably(ctx, AnswerChange{AttemptID: "att", UserID: u.ID, Position: 7, QuestionID: "q6", Answer: []int{0}, Known: 1000}); !errors.Is(err, ErrWrongQuestion) {
		t.Errorf("save naming another question: %v", err)
	}
	got, err := db.Attempt(ctx, "att", u.ID)
	if err != nil {
		t.Fatal(err)
	}
	for i, it := range got.Items {
		if len(it.Answer) != 1 || it.Answer[0] != i%2 {
			t.Fatalf("item %d answer %v", i, it.Answer)
		}
	}
	if got.Seq != 60 {
		t.Errorf("seq %d after 60 saves", got.Seq)
	}
	db.Close()
	if _, err := db.SaveAnswerDurably(ctx, AnswerChange{AttemptID: "att", UserID: u.ID, Position: 1, QuestionID: "q1", Answer: []int{0}, Known: 100}); !errors.Is(err, ErrClosedDB) {
		t.Errorf("save after close: %v", err)
	}
}

// Sessions' activity shares the answers' group commit: touches and
// answers sent at once are all committed, and a touch older than the
// recorded activity (two requests of one session, racing) does not move
// it back.
func TestSessionActivityJoinsTheGroupCommit(t *testing.T) {
	clock := clocktest.New()
	db := openTest(t, WithClock(clock.Now))
	ctx := context.Background()
	u := &model.User{Email: "a@b.mx", EmailNorm: "a@b.mx", Name: "Ana", PasswordHash: "x"}
	a := &model.Attempt{ID: "att", TrackID: "t", TrackTitle: "T", TrackVersion: "1", ContentVersion: "v", HolderName: "Ana", PassPercent: 70}
	for i := range 20 {
		a.Items = append(a.Items, model.AttemptItem{Item: exam.Item{QuestionID: fmt.Sprint("q", i), Domain: "d", Options: []exam.ItemOption{{Correct: true}, {}}}})
	}
	err := db.Transact(ctx, func(tx *Tx) error {
		if err := tx.CreateUser(u); err != nil {
			return err
		}
		for i := range 20 {
			if err := tx.CreateSession(&model.Session{ID: fmt.Sprint("s", i), TokenHash: []byte(fmt.Sprint("t", i)), UserID: u.ID}); err != nil {
				return err
			}
		}
		a.UserID = u.ID
		a.Deadline = tx.Now.Add(time.Hour)
		return tx.CreateAttempt(a)
	})
	if err != nil {
		t.Fatal(err)
	}
	later := clock.Now().Add(time.Minute)
	var wg sync.WaitGroup
	errs := make([]error, 40)
	for i := range 20 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			errs[2*i] = db.TouchSession(ctx, []byte(fmt.Sprint("t", i)), later)
		}()
		go func() {
			defer wg.Done()
			_, errs[2*i+1] = db.SaveAnswerDurably(ctx, AnswerChange{AttemptID: "att", UserID: u.ID, Position: i, QuestionID: fmt.Sprint("q", i), Answer: []int{0}})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
	}
	if err := db.TouchSession(ctx, []byte("t3"), clock.Now()); err != nil {
		t.Fatal(err)
	}
	list, err := db.UserSessions(ctx, u.ID)
	if err != nil || len(list) != 20 {
		t.Fatalf("sessions %d, %v", len(list), err)
	}
	for _, s := range list {
		if !s.LastSeenAt.Equal(later) {
			t.Errorf("session %s last seen %v, want %v", s.ID, s.LastSeenAt, later)
		}
	}
	got, err := db.Attempt(ctx, "att", u.ID)
	if err != nil || got.Seq != 20 {
		t.Fatalf("attempt seq %v, %v; want 20 answers saved", got, err)
	}
	// Without waiting: this process sees the activity at once, and it is
	// committed in the queue's order (a touch that waits commits after it).
	latest := later.Add(time.Minute)
	if err := db.TouchSessionSoon(ctx, []byte("t5"), latest); err != nil {
		t.Fatal(err)
	}
	if s, _, err := db.SessionUser(ctx, []byte("t5")); err != nil || !s.LastSeenAt.Equal(latest) {
		t.Errorf("session right after a touch: %+v, %v; want last seen %v", s, err, latest)
	}
	if list, err := db.UserSessions(ctx, u.ID); err != nil || list[0].ID != "s5" || !list[0].LastSeenAt.Equal(latest) {
		t.Errorf("sessions right after a touch: %+v, %v; want s5 first", list, err)
	}
	if err := db.TouchSession(ctx, []byte("t6"), latest); err != nil {
		t.Fatal(err)
	}
	var stored int64
	if err := db.read.QueryRowContext(ctx, `SELECT last_seen_at FROM sessions WHERE token_hash = ?`, []byte("t5")).Scan(&stored); err != nil || stored != ms(latest) {
		t.Errorf("stored activity %d, %v; want %d", stored, err, ms(latest))
	}
	if p := db.touches.pending([]byte("t5")); !p.IsZero() {
		t.Errorf("touch still pending after its commit: %v", p)
	}
	db.Close()
	if err := db.TouchSession(ctx, []byte("t1"), later); !errors.Is(err, ErrClosedDB) {
		t.Errorf("touch after close: %v", err)
	}
}

// A person's sessions are listed by recent activity, ended one by one by
// their public id (only by their owner), and a session's token can be
// replaced without ending it.
func TestUserSessions(t *testing.T) {
	clock := clocktest.New()
	db := openTest(t, WithClock(clock.Now))
	ctx := context.Background()
	ana := model.User{Email: "ana@b.mx", EmailNorm: "ana@b.mx", Name: "Ana", PasswordHash: "x"}
	luis := model.User{Email: "luis@b.mx", EmailNorm: "luis@b.mx", Name: "Luis", PasswordHash: "x"}
	err := db.Transact(ctx, func(tx *Tx) error {
		for _, u := range []*model.User{&ana, &luis} {
			if err := tx.CreateUser(u); err != nil {
				return err
			}
		}
		return tx.CreateSession(&model.Session{ID: "luis-1", TokenHash: []byte("luis"), UserID: luis.ID})
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"ana-1", "ana-2", "ana-3"} {
		clock.Advance(time.Minute)
		err := db.Transact(ctx, func(tx *Tx) error {
			return tx.CreateSession(&model.Session{ID: id, TokenHash: []byte(id), UserID: ana.ID, UserAgent: "Firefox", IP: "192.0.2.1"})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	clock.Advance(time.Minute)
	if err := db.TouchSession(ctx, []byte("ana-1"), clock.Now()); err != nil {
		t.Fatal(err)
	}
	ids := func() []string {
		t.Helper()
		list, err := db.UserSessions(ctx, ana.ID)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, s := range list {
			if s.UserID != ana.ID || s.UserAgent != "Firefox" || s.IP != "192.0.2.1" {
				t.Errorf("session %+v", s)
			}
			ids = append(ids, s.ID)
		}
		return ids
	}
	if got := fmt.Sprint(ids()); got != "[ana-1 ana-3 ana-2]" {
		t.Errorf("sessions %s, want the most recently active first", got)
	}

	err = db.Transact(ctx, func(tx *Tx) error { return tx.EndUserSession(ana.ID, "luis-1") })
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("ending another account's session: %v, want ErrNotFound", err)
	}
	if err := db.Transact(ctx, func(tx *Tx) error { return tx.EndUserSession(ana.ID, "ana-3") }); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(ids()); got != "[ana-1 ana-2]" {
		t.Errorf("after ending ana-3: %s", got)
	}

	if err := db.Transact(ctx, func(tx *Tx) error { return tx.RotateSession([]byte("ana-2"), []byte("nuevo")) }); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.SessionUser(ctx, []byte("ana-2")); !errors.Is(err, ErrNotFound) {
		t.Errorf("the old token still resolves: %v", err)
	}
	if s, _, err := db.SessionUser(ctx, []byte("nuevo")); err != nil || s.ID != "ana-2" {
		t.Errorf("the new token: %+v, %v", s, err)
	}
	err = db.Transact(ctx, func(tx *Tx) error { return tx.RotateSession([]byte("ana-2"), []byte("otro")) })
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("rotating a token that is gone: %v, want ErrNotFound", err)
	}
}
