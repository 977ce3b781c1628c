package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"

	"mxcert/internal/model"
)

// EnqueueMail queues a message in the transaction of the event that causes
// it: the message exists exactly when the event was committed. A message
// without a Message-ID gets a random one.
func (tx *Tx) EnqueueMail(m *model.Mail) error {
	if m.MessageID == "" {
		var b [16]byte
		if _, err := rand.Read(b[:]); err != nil {
			return fmt.Errorf("message id: %w", err)
		}
		m.MessageID = hex.EncodeToString(b[:]) + "@mxcert"
	}
	m.CreatedAt, m.NextTryAt = tx.Now, tx.Now
	res, err := tx.tx.ExecContext(tx.ctx, `INSERT INTO mail_outbox (message_id, to_addr, subject, text_body, html_body, created_at, next_try_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, m.MessageID, m.To, m.Subject, m.Text, m.HTML, ms(m.CreatedAt), ms(m.NextTryAt))
	if err != nil {
		return fmt.Errorf("queue mail to %s: %w", m.To, err)
	}
	m.ID, err = res.LastInsertId()
	return err
}

// MailTo lists the messages queued for an address, sent or not, oldest
// first: what the platform wrote to a person.
func (db *DB) MailTo(ctx context.Context, to string) ([]*model.Mail, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, message_id, to_addr, subject, text_body, html_body, created_at, attempts, next_try_at, sent_at, coalesce(last_error, '')
		FROM mail_outbox WHERE to_addr = ? ORDER BY id`, to)
	if err != nil {
		return nil, fmt.Errorf("mail to %s: %w", to, err)
	}
	defer rows.Close()
	var out []*model.Mail
	for rows.Next() {
		var m model.Mail
		var created, next int64
		var sent sql.NullInt64
		if err := rows.Scan(&m.ID, &m.MessageID, &m.To, &m.Subject, &m.Text, &m.HTML, &created, &m.Attempts, &next, &sent, &m.LastError); err != nil {
			return nil, err
		}
		m.CreatedAt, m.NextTryAt = fromMS(created), fromMS(next)
		if sent.Valid {
			t := fromMS(sent.Int64)
			m.SentAt = &t
		}
		out = append(out, &m)
	}
	return out, rows.Err()
}
