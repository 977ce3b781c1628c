package crashtest

import (
	"context"
	"testing"
	"time"

	"mxcert/internal/mailtest"
	"mxcert/internal/model"
	"mxcert/internal/store"
)

// TestQueuedMailSurvivesAKill queues a message as an event's transaction
// does, lets the server start sending it to an SMTP server that holds the
// delivery before answering, kills the server with SIGKILL at that moment
// (the message committed, not delivered) and has the SMTP server drop it.
// After a restart the message arrives, with its Message-ID, and is marked
// sent: delivered at least once, never lost.
func TestQueuedMailSurvivesAKill(t *testing.T) {
	smtp := mailtest.Start(t)
	arrived, release := smtp.Hold()
	w := newWorld(t, "", 1, []string{"MXCERT_SMTP_URL=" + smtp.URL()})
	srv := w.start(0)

	m := &model.Mail{To: "itzel@ejemplo.mx", Subject: "Confirma tu correo", Text: "Abre el enlace para confirmar tu correo.\n", HTML: "<p>Abre el enlace.</p>"}
	db, err := store.Open(context.Background(), w.data)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Transact(context.Background(), func(tx *store.Tx) error { return tx.EnqueueMail(m) }); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	select {
	case <-arrived:
	case <-time.After(60 * time.Second):
		w.kill(0)
		t.Fatalf("the server never tried to send the queued message\n%s", srv.logTail())
	}
	w.kill(0)
	release(false) // the SMTP server loses the message of a sender that died
	if got := smtp.Messages(); len(got) != 0 {
		t.Fatalf("the SMTP server kept %d messages before the restart", len(got))
	}

	w.start(0)
	got := smtp.WaitFor(t, 1)
	w.stopAll()
	for _, r := range got {
		if r.MessageID() != m.MessageID || r.Subject != m.Subject {
			t.Errorf("received Message-ID %q, subject %q; want %q, %q", r.MessageID(), r.Subject, m.MessageID, m.Subject)
		}
	}

	db, err = store.Open(context.Background(), w.data)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Outbox(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].SentAt == nil {
		t.Fatalf("outbox after the restart: %+v; want the message marked sent", rows)
	}
	t.Logf("delivered %d time(s) after the kill; %d attempt(s) recorded", len(got), rows[0].Attempts)
}

// mailLease is how long a message claimed by a replica stays out of the
// others' reach (store.mailLease): a replica killed after its SMTP server
// took a message, before it marked it sent, sends it again only then.
const mailLease = 10 * time.Minute

// checkMail compares the outbox with what the SMTP server received from
// the replicas: every message marked sent arrived, and, within the lease
// of a message claimed by a killed replica, none arrived twice.
func (w *world) checkMail(smtp *mailtest.Server) {
	t := w.t
	t.Helper()
	db := w.mustOpen()
	defer db.Close()
	got := map[string]int{}
	for _, m := range smtp.Messages() {
		got[m.MessageID()]++
	}
	rows, err := db.Query(`SELECT message_id, sent_at IS NOT NULL FROM mail_outbox`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var queued, sent int
	for rows.Next() {
		var id string
		var isSent bool
		if err := rows.Scan(&id, &isSent); err != nil {
			t.Fatal(err)
		}
		queued++
		if isSent {
			sent++
			if got[id] == 0 {
				t.Errorf("message %s is marked sent but never reached the SMTP server", id)
			}
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	twice := 0
	for id, n := range got {
		if n > 1 {
			twice++
			if time.Since(w.began) < mailLease {
				t.Errorf("message %s reached the SMTP server %d times", id, n)
			}
		}
	}
	t.Logf("%d messages queued, %d marked sent, %d received (%d more than once)", queued, sent, len(got), twice)
}
