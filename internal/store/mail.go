package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"math"
	"sync"
	"time"

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
	err := tx.tx.QueryRowContext(tx.ctx, `INSERT INTO mail_outbox (message_id, to_addr, subject, text_body, html_body, created_at, next_try_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, m.MessageID, m.To, m.Subject, m.Text, m.HTML, ms(m.CreatedAt), ms(m.NextTryAt)).Scan(&m.ID)
	if err != nil {
		return fmt.Errorf("queue mail to %s: %w", m.To, err)
	}
	return nil
}

// mailNever is the next_try_at of a message given up on: the schema has
// no state column, and no clock reaches it, so the message is never due
// again while it stays in the table with its attempts and last error.
const mailNever = math.MaxInt64

// mailClaims are the queued messages being sent right now by this
// process. A claim keeps a second worker from sending the same message
// while the first one is still talking to the server.
//
// With SQLite there is one server process per database, so claims held
// in memory are enough, and a crash loses none: the message is still
// due, and is sent again (a duplicate at worst) after the restart. On
// PostgreSQL, with several replicas sending, each claims in the database
// instead (claimSharedMail): in one transaction it locks the due rows no
// other replica has locked (FOR UPDATE SKIP LOCKED) and pushes their
// next_try_at forward by mailLease, longer than any send, then commits,
// sends, and marks each row sent or rescheduled. A replica that dies
// mid-send leaves rows that fall due again when the lease ends.
type mailClaims struct {
	mu  sync.Mutex
	ids map[int64]bool
}

const mailColumns = `id, message_id, to_addr, subject, text_body, html_body, created_at, attempts, next_try_at, sent_at, COALESCE(last_error, '')`

// ClaimDueMail claims up to limit messages that are due at now (not sent,
// next try reached), oldest first, skipping those already claimed. The
// caller sends each and then records the outcome (MarkMailSent,
// RescheduleMail, GiveUpMail) and calls ReleaseMail.
func (db *DB) ClaimDueMail(ctx context.Context, now time.Time, limit int) ([]*model.Mail, error) {
	if db.dialect == postgresDialect {
		return db.claimSharedMail(ctx, now, limit)
	}
	c := &db.mailClaims
	c.mu.Lock()
	defer c.mu.Unlock()
	// Claimed rows are still due in the table: read past them.
	rows, err := db.read.QueryContext(ctx, `SELECT `+mailColumns+` FROM mail_outbox
		WHERE sent_at IS NULL AND next_try_at <= ? ORDER BY next_try_at, id LIMIT ?`, ms(now), limit+len(c.ids))
	if err != nil {
		return nil, fmt.Errorf("due mail: %w", err)
	}
	all, err := scanMail(rows)
	if err != nil {
		return nil, fmt.Errorf("due mail: %w", err)
	}
	var due []*model.Mail
	for _, m := range all {
		if len(due) == limit {
			break
		}
		if c.ids[m.ID] {
			continue
		}
		if c.ids == nil {
			c.ids = map[int64]bool{}
		}
		c.ids[m.ID] = true
		due = append(due, m)
	}
	return due, nil
}

// mailLease is how long a message claimed by a replica stays out of the
// other replicas' reach: far longer than a send, which times out sooner.
const mailLease = 10 * time.Minute

// claimSharedMail is ClaimDueMail for replicas sharing a PostgreSQL
// database: the claim is the row's next_try_at, moved past now by the
// lease in the claiming transaction.
func (db *DB) claimSharedMail(ctx context.Context, now time.Time, limit int) ([]*model.Mail, error) {
	var due []*model.Mail
	err := db.Transact(ctx, func(tx *Tx) error {
		rows, err := tx.tx.QueryContext(ctx, `SELECT `+mailColumns+` FROM mail_outbox
			WHERE sent_at IS NULL AND next_try_at <= ? ORDER BY next_try_at, id LIMIT ? FOR UPDATE SKIP LOCKED`, ms(now), limit)
		if err != nil {
			return err
		}
		if due, err = scanMail(rows); err != nil {
			return err
		}
		for _, m := range due {
			if _, err := tx.tx.ExecContext(ctx, `UPDATE mail_outbox SET next_try_at = ? WHERE id = ?`, ms(now.Add(mailLease)), m.ID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("claim due mail: %w", err)
	}
	return due, nil
}

// ReleaseMail ends the claim on a message, once its outcome is recorded.
func (db *DB) ReleaseMail(id int64) {
	c := &db.mailClaims
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.ids, id)
}

// MarkMailSent records that the message was handed to the server (or
// written to the outbox folder).
func (tx *Tx) MarkMailSent(id int64) error {
	return tx.updateMail(id, `UPDATE mail_outbox SET attempts = attempts + 1, sent_at = ?, last_error = NULL
		WHERE id = ? AND sent_at IS NULL`, ms(tx.Now), id)
}

// RescheduleMail records a failed attempt and when to try again.
func (tx *Tx) RescheduleMail(id int64, reason string, next time.Time) error {
	return tx.updateMail(id, `UPDATE mail_outbox SET attempts = attempts + 1, last_error = ?, next_try_at = ?
		WHERE id = ? AND sent_at IS NULL`, reason, ms(next), id)
}

// GiveUpMail records a last failed attempt: the message stays in the
// table, with its error, but is never tried again.
func (tx *Tx) GiveUpMail(id int64, reason string) error {
	return tx.updateMail(id, `UPDATE mail_outbox SET attempts = attempts + 1, last_error = ?, next_try_at = ?
		WHERE id = ? AND sent_at IS NULL`, reason, int64(mailNever), id)
}

func (tx *Tx) updateMail(id int64, query string, args ...any) error {
	res, err := tx.tx.ExecContext(tx.ctx, query, args...)
	if err != nil {
		return fmt.Errorf("update mail %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("update mail %d: %w", id, err)
	} else if n == 0 {
		return fmt.Errorf("mail %d (unsent): %w", id, ErrNotFound)
	}
	return nil
}

// Outbox lists every queued message, sent or not, oldest first: for the
// console and the tests.
func (db *DB) Outbox(ctx context.Context) ([]*model.Mail, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+mailColumns+` FROM mail_outbox ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	all, err := scanMail(rows)
	if err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	return all, nil
}

func scanMail(rows *sql.Rows) ([]*model.Mail, error) {
	defer rows.Close()
	var all []*model.Mail
	for rows.Next() {
		m := &model.Mail{}
		var created, next int64
		var sent sql.NullInt64
		if err := rows.Scan(&m.ID, &m.MessageID, &m.To, &m.Subject, &m.Text, &m.HTML, &created, &m.Attempts, &next, &sent, &m.LastError); err != nil {
			return nil, err
		}
		m.CreatedAt = fromMS(created)
		if next == mailNever {
			m.Failed = true
		} else {
			m.NextTryAt = fromMS(next)
		}
		if sent.Valid {
			t := fromMS(sent.Int64)
			m.SentAt = &t
		}
		all = append(all, m)
	}
	return all, rows.Err()
}

// MailTo lists the messages queued for an address, sent or not, oldest
// first: what the platform wrote to a person.
func (db *DB) MailTo(ctx context.Context, to string) ([]*model.Mail, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+mailColumns+` FROM mail_outbox WHERE to_addr = ? ORDER BY id`, to)
	if err != nil {
		return nil, fmt.Errorf("mail to %s: %w", to, err)
	}
	all, err := scanMail(rows)
	if err != nil {
		return nil, fmt.Errorf("mail to %s: %w", to, err)
	}
	return all, nil
}
