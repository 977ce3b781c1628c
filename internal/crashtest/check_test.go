package crashtest

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"

	_ "github.com/mattn/go-sqlite3" // the checks read the file directly, as an auditor would

	"mxcert/internal/model"
	"mxcert/internal/store"
)

// invariants are queries that must return no rows, whatever moment the
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

// check reads the data directory of the killed server and compares it
// with what the candidates were told. What a lost reply left uncertain is
// settled from the file, as the restarted server will see it.
func (w *world) check(when string) {
	t := w.t
	t.Helper()
	path := filepath.Join(w.data, store.FileName)
	// Read-only: the restarted server, not this check, recovers the WAL.
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro&_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

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
		if c.attempt == "" {
			continue
		}
		if err := w.checkCandidate(db, c); err != nil {
			t.Errorf("%s: %s: %v", when, c.email, err)
		}
	}
}

func (w *world) checkCandidate(db *sql.DB, c *candidate) error {
	var status model.AttemptStatus
	var certs int
	err := db.QueryRow(`SELECT status, (SELECT count(*) FROM certificates WHERE attempt_id = a.id) FROM attempts a WHERE id = ?`, c.attempt).Scan(&status, &certs)
	if err != nil {
		return fmt.Errorf("the acknowledged attempt %s: %w", c.attempt, err)
	}
	switch {
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
	rows, err := db.Query(`SELECT position, answer FROM attempt_items WHERE attempt_id = ? ORDER BY position`, c.attempt)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var pos int
		var raw sql.NullString
		if err := rows.Scan(&pos, &raw); err != nil {
			return err
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
		c.acked[pos], c.maybe[pos] = stored, nil
	}
	return rows.Err()
}
