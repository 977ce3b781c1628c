package store

import (
	"context"
	"strings"
	"testing"
)

// The statements of the requests a crowd of candidates and employers
// makes (signing in, starting an exam, saving answers, handing it in,
// verifying a certificate) and of the background work that runs while
// they do, as the store runs them. A national programme accumulates
// years of rows: none of these may read a growing table from end to end.
// Keep the list in step with the code when a statement on these paths
// changes.
var hotStatements = map[string]string{
	"SessionUser":  `SELECT ` + sessionColumns + `, u.id FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ? AND u.closed_at IS NULL`,
	"touchSession": `UPDATE sessions SET last_seen_at = ? WHERE token_hash = ? AND last_seen_at < ?`,
	"UserByID":     `SELECT ` + userColumns + ` FROM users WHERE id = ?`,
	"Attempts":     `SELECT ` + attemptColumns + ` FROM attempts WHERE user_id = ? AND track_id = ? ORDER BY started_at, id`,
	"OpenAttempts": `SELECT ` + attemptColumns + ` FROM attempts WHERE user_id = ? AND status = 'in_progress' ORDER BY deadline`,
	"Served": `SELECT i.question_id, max(a.started_at) FROM attempts a JOIN attempt_items i ON i.attempt_id = a.id
		WHERE a.user_id = ? AND a.track_id = ? GROUP BY i.question_id`,
	"servedItems":   `SELECT id, hash FROM served_items WHERE hash IN (?, ?, ?)`,
	"Attempt":       `SELECT ` + attemptColumns + ` FROM attempts WHERE id = ? AND (? = 0 OR user_id = ?)`,
	"Attempt items": `SELECT s.item, i.answer, i.flagged, i.seq, i.answered_at, i.correct FROM attempt_items i JOIN served_items s ON s.id = i.served_id WHERE i.attempt_id = ? ORDER BY i.position`,
	"SaveAnswer 1": `SELECT a.status, a.deadline, a.seq, i.seq, i.question_id, i.answer, i.flagged, s.item,
			(SELECT count(*) FROM attempt_items n WHERE n.attempt_id = a.id AND n.answer IS NOT NULL)
		FROM attempts a LEFT JOIN attempt_items i ON i.attempt_id = a.id AND i.position = ? LEFT JOIN served_items s ON s.id = i.served_id
		WHERE a.id = ? AND a.user_id = ?`,
	"SaveAnswer 4":      `UPDATE attempts SET seq = ? WHERE id = ?`,
	"SaveAnswer 5":      `UPDATE attempt_items SET answer = ?, answered_at = ?, flagged = ?, seq = ? WHERE attempt_id = ? AND position = ?`,
	"FinishAttempt 1":   `UPDATE attempts SET status = ?, finished_at = ?, finish_reason = ?, score = ?, percent = ? WHERE id = ? AND status = 'in_progress'`,
	"FinishAttempt 2":   `UPDATE attempt_items SET correct = CASE WHEN position IN (?, ?) THEN 1 ELSE 0 END WHERE attempt_id = ? AND position < ?`,
	"HasPassed":         `SELECT count(*) FROM attempts WHERE user_id = ? AND status = 'passed'`,
	"ExpiredAttempts":   `SELECT id FROM attempts WHERE status = 'in_progress' AND deadline <= ? ORDER BY deadline LIMIT ?`,
	"CertificateByCode": `SELECT ` + certColumns + ` FROM certificates WHERE code_norm = ?`,
	"CertificateByID":   `SELECT ` + certColumns + ` FROM certificates WHERE id = ?`,
	"CertificatePDF":    `SELECT pdf FROM certificates WHERE id = ?`,
	"Certificates":      `SELECT ` + certColumns + ` FROM certificates WHERE user_id = ? ORDER BY issued_at DESC`,
}

// Every statement of the hot paths finds its rows through an index: no
// SCAN (every table they read grows with the candidates), and a sort
// (temporary B-tree) only over the rows of one person, found by an index.
func TestHotStatementsUseAnIndex(t *testing.T) {
	sqliteOnly(t)
	db := openTest(t)
	ctx := context.Background()
	// Sorts that are bounded: one person's attempts and questions.
	bounded := map[string]bool{"Attempts": true, "OpenAttempts": true, "Served": true, "Certificates": true}
	for name, query := range hotStatements {
		rows, err := db.read.QueryContext(ctx, "EXPLAIN QUERY PLAN "+query, make([]any, strings.Count(query, "?"))...)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
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
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
		for _, step := range plan {
			if strings.HasPrefix(step, "SCAN ") {
				t.Errorf("%s reads a whole table: %s", name, strings.Join(plan, "; "))
			}
			if strings.Contains(step, "TEMP B-TREE") && !bounded[name] {
				t.Errorf("%s sorts in a temporary B-tree: %s", name, strings.Join(plan, "; "))
			}
		}
	}
}
