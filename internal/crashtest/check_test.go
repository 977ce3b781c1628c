package crashtest

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"

	_ "github.com/jackc/pgx/v5/stdlib" // the checks read the database directly, as an auditor would
	_ "github.com/mattn/go-sqlite3"

	"mxcert/internal/model"
	"mxcert/internal/store"
)

// open connects to the servers' database: read-only on SQLite (the
// restarted server, not this check, recovers the WAL). Queries name their
// parameters $1, $2…, which both drivers accept.
func (w *world) open() (*sql.DB, error) {
	if w.database != "" {
		return sql.Open("pgx", w.database)
	}
	return sql.Open("sqlite3", "file:"+filepath.Join(w.data, store.FileName)+"?mode=ro&_busy_timeout=5000")
}

// mustOpen is open for the test's goroutine: an error fails the test.
func (w *world) mustOpen() *sql.DB {
	w.t.Helper()
	db, err := w.open()
	if err != nil {
		w.t.Fatal(err)
	}
	return db
}

// invariants are queries that must return no rows, whatever moment a
// server died at.
var invariants = []struct{ name, query string }{
	{"an attempt whose status and finish time disagree",
		`SELECT id FROM attempts WHERE (status = 'in_progress') != (finished_at IS NULL)`},
	{"a pass without exactly one certificate",
		`SELECT a.id FROM attempts a WHERE a.status = 'passed' AND (SELECT count(*) FROM certificates c WHERE c.attempt_id = a.id) != 1`},
	{"a certificate of an attempt that did not pass",
		`SELECT c.id FROM certificates c JOIN attempts a ON a.id = c.attempt_id WHERE a.status != 'passed'`},
	{"a finished attempt with an unscored question",
		`SELECT a.id FROM attempts a JOIN attempt_items i ON i.attempt_id = a.id WHERE a.status != 'in_progress' AND i.correct IS NULL`},
	{"an open attempt with a scored question",
		`SELECT a.id FROM attempts a JOIN attempt_items i ON i.attempt_id = a.id WHERE a.status = 'in_progress' AND i.correct IS NOT NULL`},
	{"a score that is not the number of right answers",
		`SELECT a.id FROM attempts a WHERE a.status != 'in_progress' AND a.score != (SELECT count(*) FROM attempt_items i WHERE i.attempt_id = a.id AND i.correct = 1)`},
	{"a finished attempt without exactly one audit entry",
		`SELECT a.id FROM attempts a WHERE a.status != 'in_progress' AND (SELECT count(*) FROM audit_log l WHERE l.action = 'attempt.finish' AND l.subject = a.id) != 1`},
	{"an attempt without all its questions",
		`SELECT a.id FROM attempts a WHERE a.total != (SELECT count(*) FROM attempt_items i WHERE i.attempt_id = a.id)`},
	{"a candidate with two open attempts",
		`SELECT user_id FROM attempts WHERE status = 'in_progress' GROUP BY user_id, track_id HAVING count(*) > 1`},
}

// check reads the database the killed server left and compares it with
// what the candidates were told. What a lost reply left uncertain is
// settled from the database, as a server will see it. No candidate's
// request is in flight; with PostgreSQL the other servers run.
func (w *world) check(when string) {
	t := w.t
	t.Helper()
	db := w.mustOpen()
	defer db.Close()

	if w.database == "" { // PostgreSQL checks its pages and keys as it writes them
		var verdict string
		if err := db.QueryRow("PRAGMA integrity_check").Scan(&verdict); err != nil || verdict != "ok" {
			t.Errorf("%s: integrity_check = %q, %v", when, verdict, err)
		}
		fk, err := db.Query("PRAGMA foreign_key_check")
		if err != nil {
			t.Fatal(err)
		}
		if fk.Next() {
			t.Errorf("%s: foreign_key_check found a dangling reference", when)
		}
		fk.Close()
	}
	for _, inv := range invariants {
		var id string
		err := db.QueryRow(inv.query).Scan(&id)
		if err == nil {
			t.Errorf("%s: %s (%s)", when, inv.name, id)
		} else if err != sql.ErrNoRows {
			t.Fatalf("%s: %s: %v", when, inv.name, err)
		}
	}

	for _, c := range w.cands {
		if err := w.checkCandidate(db, c); err != nil {
			t.Errorf("%s: %s: %v", when, c.email, err)
		}
	}
}

func (w *world) checkCandidate(db *sql.DB, c *candidate) error {
	// Each candidate starts one exam: a start taken again, after a lost
	// reply or on another server, finds the attempt already open.
	var attempts int
	err := db.QueryRow(`SELECT count(*) FROM attempts a JOIN users u ON u.id = a.user_id WHERE u.email = $1`, c.email).Scan(&attempts)
	switch {
	case err != nil:
		return err
	case attempts > 1:
		return fmt.Errorf("%d attempts for one start", attempts)
	case c.attempt == "":
		return nil // the start's reply was lost, or it was never asked for
	}
	var status model.AttemptStatus
	var certs int
	var seq int64
	err = db.QueryRow(`SELECT status, seq, (SELECT count(*) FROM certificates WHERE attempt_id = a.id) FROM attempts a WHERE id = $1`, c.attempt).Scan(&status, &seq, &certs)
	if err != nil {
		return fmt.Errorf("the acknowledged attempt %s: %w", c.attempt, err)
	}
	switch {
	case seq < c.seq:
		return fmt.Errorf("the attempt's sequence is %d, behind the %d the server told", seq, c.seq)
	case c.submitAcked && status == model.AttemptInProgress:
		return fmt.Errorf("handed in (acknowledged) but still in progress")
	case !c.submitSent && status != model.AttemptInProgress:
		return fmt.Errorf("finished (%s) though never handed in", status)
	case c.passSeen && (status != model.AttemptPassed || certs != 1):
		return fmt.Errorf("the pass shown to the candidate is %s with %d certificates", status, certs)
	}
	if c.acked == nil {
		return nil // no answer sent yet
	}
	rows, err := db.Query(`SELECT position, answer, seq FROM attempt_items WHERE attempt_id = $1 ORDER BY position`, c.attempt)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var pos int
		var raw sql.NullString
		var itemSeq int64
		if err := rows.Scan(&pos, &raw, &itemSeq); err != nil {
			return err
		}
		// An acknowledged answer stays, or a later one replaced it.
		if itemSeq < c.ackedSeq[pos] {
			return fmt.Errorf("question %d was last changed at sequence %d, before the acknowledged save at %d", pos+1, itemSeq, c.ackedSeq[pos])
		}
		var stored []int
		if raw.Valid {
			if err := json.Unmarshal([]byte(raw.String), &stored); err != nil {
				return fmt.Errorf("question %d: %w", pos+1, err)
			}
		}
		ok := slices.Equal(stored, c.acked[pos])
		for _, m := range c.maybe[pos] {
			ok = ok || slices.Equal(stored, m)
		}
		if !ok {
			return fmt.Errorf("question %d holds %v; acknowledged %v (unconfirmed since: %v)", pos+1, stored, c.acked[pos], c.maybe[pos])
		}
		if !slices.Equal(stored, c.acked[pos]) {
			w.unackedSaves++
		}
		c.acked[pos], c.ackedSeq[pos], c.maybe[pos] = stored, itemSeq, nil
	}
	return rows.Err()
}

// disconnected waits until PostgreSQL has ended every connection of the
// killed server: a commit it had sent may land until then, and the write
// lock one of them held is free after.
func (w *world) disconnected(s *server) {
	t := w.t
	t.Helper()
	if w.database == "" {
		return
	}
	db := w.mustOpen()
	defer db.Close()
	var left int
	w.waitFor("the killed server's connections to end", func() bool {
		if err := db.QueryRow(`SELECT count(*) FROM pg_stat_activity WHERE application_name = $1`, s.appName).Scan(&left); err != nil {
			t.Error(err)
		}
		return left == 0
	})
}
