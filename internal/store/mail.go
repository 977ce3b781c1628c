package store

import (
	"crypto/rand"
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
