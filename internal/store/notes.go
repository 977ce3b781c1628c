package store

import (
	"context"
	"fmt"

	"mxcert/internal/model"
)

// AddNote stores a note of the foundation's staff on a candidate.
func (tx *Tx) AddNote(n *model.CandidateNote) error {
	n.At = tx.Now
	err := tx.tx.QueryRowContext(tx.ctx, `INSERT INTO candidate_notes (user_id, author_id, created_at, body) VALUES (?, ?, ?, ?) RETURNING id`,
		n.UserID, n.AuthorID, ms(n.At), n.Text).Scan(&n.ID)
	if err != nil {
		return fmt.Errorf("note on candidate %d: %w", n.UserID, err)
	}
	return err
}

// Notes lists the notes on a candidate, newest first, with their authors'
// names.
func (db *DB) Notes(ctx context.Context, userID int64) ([]model.CandidateNote, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT n.id, n.user_id, n.author_id, coalesce(u.full_name, ''), n.created_at, n.body
		FROM candidate_notes n LEFT JOIN users u ON u.id = n.author_id WHERE n.user_id = ? ORDER BY n.created_at DESC, n.id DESC`, userID)
	if err != nil {
		return nil, fmt.Errorf("notes on candidate %d: %w", userID, err)
	}
	defer rows.Close()
	var out []model.CandidateNote
	for rows.Next() {
		var n model.CandidateNote
		var at int64
		if err := rows.Scan(&n.ID, &n.UserID, &n.AuthorID, &n.AuthorName, &at, &n.Text); err != nil {
			return nil, err
		}
		n.At = fromMS(at)
		out = append(out, n)
	}
	return out, rows.Err()
}
