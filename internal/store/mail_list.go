package store

import (
	"context"
	"database/sql"
	"fmt"

	"mxcert/internal/model"
)

// MailTo lists the messages queued for an address (sent or not), oldest
// first: what the console and the tests read back.
func (db *DB) MailTo(ctx context.Context, to string) ([]model.Mail, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, message_id, to_addr, subject, text_body, html_body, created_at, attempts, next_try_at, sent_at, coalesce(last_error, '')
		FROM mail_outbox WHERE to_addr = ? ORDER BY id`, to)
	if err != nil {
		return nil, fmt.Errorf("mail to %s: %w", to, err)
	}
	defer rows.Close()
	var list []model.Mail
	for rows.Next() {
		var m model.Mail
		var created, next int64
		var sent sql.NullInt64
		if err := rows.Scan(&m.ID, &m.MessageID, &m.To, &m.Subject, &m.Text, &m.HTML, &created, &m.Attempts, &next, &sent, &m.LastError); err != nil {
			return nil, fmt.Errorf("mail to %s: %w", to, err)
		}
		m.CreatedAt, m.NextTryAt, m.SentAt = fromMS(created), fromMS(next), optionalTime(sent)
		list = append(list, m)
	}
	return list, rows.Err()
}
