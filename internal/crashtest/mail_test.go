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
	w := &world{t: t, bin: buildServer(t), content: copyContent(t), data: t.TempDir(), logs: t.TempDir(),
		env: []string{"MXCERT_SMTP_URL=" + smtp.URL()}}
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
		srv.kill()
		t.Fatalf("the server never tried to send the queued message\n%s", srv.logTail())
	}
	srv.kill()
	release(false) // the SMTP server loses the message of a sender that died
	if got := smtp.Messages(); len(got) != 0 {
		t.Fatalf("the SMTP server kept %d messages before the restart", len(got))
	}

	srv = w.start(1)
	got := smtp.WaitFor(t, 1)
	srv.stop(t)
	srv.checkLog(t)
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
