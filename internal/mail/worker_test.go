package mail_test

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"mxcert/internal/clocktest"
	"mxcert/internal/mail"
	"mxcert/internal/mailtest"
	"mxcert/internal/model"
	"mxcert/internal/store"
	"mxcert/internal/storetest"
)

const from = "MxOS Certificación <no-responder@certificacion.mxos.mx>"

// queue is a database with a fake clock, and a log to read.
type queue struct {
	db    *store.DB
	clock *clocktest.Fake
	log   *bytes.Buffer
	logMu sync.Mutex
}

func newQueue(t *testing.T) *queue {
	t.Helper()
	q := &queue{clock: clocktest.New(), log: &bytes.Buffer{}}
	db := storetest.Open(t, store.WithClock(q.clock.Now))
	q.db = db
	return q
}

func (q *queue) Write(p []byte) (int, error) {
	q.logMu.Lock()
	defer q.logMu.Unlock()
	return q.log.Write(p)
}

func (q *queue) logText() string {
	q.logMu.Lock()
	defer q.logMu.Unlock()
	return q.log.String()
}

func (q *queue) worker(t *testing.T, cfg mail.Config) *mail.Worker {
	t.Helper()
	if cfg.From == "" {
		cfg.From = from
	}
	s, err := mail.NewSender(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return mail.NewWorker(q.db, s, q.clock.Now, slog.New(slog.NewTextHandler(q, nil)))
}

// enqueue commits a message, as an event's transaction would.
func (q *queue) enqueue(t *testing.T, m *model.Mail) *model.Mail {
	t.Helper()
	if err := q.db.Transact(context.Background(), func(tx *store.Tx) error { return tx.EnqueueMail(m) }); err != nil {
		t.Fatal(err)
	}
	return m
}

func (q *queue) row(t *testing.T, id int64) *model.Mail {
	t.Helper()
	all, err := q.db.Outbox(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range all {
		if m.ID == id {
			return m
		}
	}
	t.Fatalf("mail %d is not in the outbox table", id)
	return nil
}

func deliver(t *testing.T, w *mail.Worker) int {
	t.Helper()
	n, err := w.DeliverDue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func verification() *model.Mail {
	return &model.Mail{
		To:      "guadalupe.nunez@ejemplo.mx",
		Subject: "Confirma tu correo, Guadalupe Ñúñez",
		Text:    "Hola, Guadalupe:\n\nAbre este enlace para confirmar tu correo:\nhttps://certificacion.mxos.mx/correo/confirmar?t=abc123\n\nSi no fuiste tú, ignora este mensaje.\n",
		HTML:    `<p>Hola, Guadalupe:</p><p><a href="https://certificacion.mxos.mx/correo/confirmar?t=abc123">Confirmar mi correo</a></p>`,
	}
}

// A queued message reaches a real SMTP server once, with its stored
// Message-ID, the queue's date, the sender, and both parts in UTF-8; the
// row is marked sent.
func TestDeliveryOverSMTP(t *testing.T) {
	q := newQueue(t)
	srv := mailtest.Start(t)
	w := q.worker(t, mail.Config{SMTPURL: srv.URL()})
	m := q.enqueue(t, verification())

	if n := deliver(t, w); n != 1 {
		t.Fatalf("tried %d messages, want 1", n)
	}
	got := srv.Messages()
	if len(got) != 1 {
		t.Fatalf("the server received %d messages, want 1", len(got))
	}
	r := got[0]
	if r.MessageID() != m.MessageID {
		t.Errorf("Message-ID %q, want the stored %q", r.MessageID(), m.MessageID)
	}
	if r.Subject != m.Subject {
		t.Errorf("Subject %q, want %q", r.Subject, m.Subject)
	}
	if d, err := r.Header.Date(); err != nil || !d.Equal(m.CreatedAt.Truncate(time.Second)) {
		t.Errorf("Date %v (%v), want the time it was queued, %v", d, err, m.CreatedAt)
	}
	if f := r.Header.Get("From"); !strings.Contains(f, "no-responder@certificacion.mxos.mx") {
		t.Errorf("From %q", f)
	}
	if to := r.Header.Get("To"); !strings.Contains(to, m.To) || !slices.Equal(r.EnvelopeTo, []string{m.To}) {
		t.Errorf("To %q, envelope %v; want %s", to, r.EnvelopeTo, m.To)
	}
	if r.Text != m.Text || r.HTML != m.HTML {
		t.Errorf("parts:\n%q\n%q\nwant\n%q\n%q", r.Text, r.HTML, m.Text, m.HTML)
	}
	for _, ct := range []string{r.TextType, r.HTMLType} {
		if !strings.Contains(strings.ToLower(ct), "charset=utf-8") {
			t.Errorf("part %q is not UTF-8", ct)
		}
	}

	row := q.row(t, m.ID)
	if row.SentAt == nil || !row.SentAt.Equal(clocktest.Start) || row.Attempts != 1 || row.LastError != "" {
		t.Errorf("row after sending: sent %v, attempts %d, error %q", row.SentAt, row.Attempts, row.LastError)
	}
	// Sent is sent: the next pass has nothing to do.
	q.clock.Advance(time.Hour)
	if n := deliver(t, w); n != 0 || len(srv.Messages()) != 1 {
		t.Errorf("a second pass tried %d messages; the server has %d", n, len(srv.Messages()))
	}
}

// A server that refuses gets the message again after 1, 2 and 4 minutes,
// never before; the same Message-ID arrives once.
func TestRetryWithBackOff(t *testing.T) {
	q := newQueue(t)
	srv := mailtest.Start(t)
	srv.Refuse(3)
	w := q.worker(t, mail.Config{SMTPURL: srv.URL()})
	m := q.enqueue(t, verification())

	for i, wait := range []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute} {
		if n := deliver(t, w); n != 1 {
			t.Fatalf("attempt %d: tried %d messages", i+1, n)
		}
		row := q.row(t, m.ID)
		if row.SentAt != nil || row.Attempts != i+1 || !strings.Contains(row.LastError, "451") {
			t.Fatalf("after refusal %d: sent %v, attempts %d, error %q", i+1, row.SentAt, row.Attempts, row.LastError)
		}
		if want := q.clock.Now().Add(wait); !row.NextTryAt.Equal(want) {
			t.Fatalf("after refusal %d: next try %v, want %v", i+1, row.NextTryAt, want)
		}
		q.clock.Advance(wait - time.Second)
		if n := deliver(t, w); n != 0 {
			t.Fatalf("tried again %v early", time.Second)
		}
		q.clock.Advance(time.Second)
	}
	if n := deliver(t, w); n != 1 {
		t.Fatalf("the fourth attempt tried %d messages", n)
	}
	got := srv.Messages()
	if len(got) != 1 || got[0].MessageID() != m.MessageID {
		t.Fatalf("received %d messages, want 1 with Message-ID %s", len(got), m.MessageID)
	}
	if row := q.row(t, m.ID); row.SentAt == nil || row.Attempts != 4 || row.LastError != "" {
		t.Errorf("row after the fourth attempt: sent %v, attempts %d, error %q", row.SentAt, row.Attempts, row.LastError)
	}
	if !strings.Contains(q.logText(), "level=WARN msg=\"mail not sent; will retry\"") {
		t.Errorf("the refusals were not logged:\n%s", q.logText())
	}
}

func TestRetryDelay(t *testing.T) {
	for _, tc := range []struct {
		failures int
		want     time.Duration
	}{
		{1, time.Minute}, {2, 2 * time.Minute}, {3, 4 * time.Minute}, {6, 32 * time.Minute},
		{7, time.Hour}, {8, time.Hour}, {100, time.Hour},
	} {
		if got := mail.RetryDelay(tc.failures); got != tc.want {
			t.Errorf("RetryDelay(%d) = %v, want %v", tc.failures, got, tc.want)
		}
	}
}

// A message refused for two days is given up on: kept in the table with
// its error, never tried again, and logged as an error.
func TestGiveUpAfterTwoDays(t *testing.T) {
	q := newQueue(t)
	srv := mailtest.Start(t)
	srv.Refuse(1 << 20)
	w := q.worker(t, mail.Config{SMTPURL: srv.URL()})
	m := q.enqueue(t, verification())

	var row *model.Mail
	for attempts := 1; ; attempts++ {
		if attempts > 100 {
			t.Fatal("never given up on")
		}
		if n := deliver(t, w); n != 1 {
			t.Fatalf("attempt %d tried %d messages", attempts, n)
		}
		if row = q.row(t, m.ID); row.Failed {
			break
		}
		q.clock.Set(row.NextTryAt)
	}
	elapsed := q.clock.Now().Sub(m.CreatedAt)
	if elapsed < mail.GiveUpAfter || elapsed > mail.GiveUpAfter+mail.MaxRetry {
		t.Errorf("given up after %v, want about %v", elapsed, mail.GiveUpAfter)
	}
	if row.SentAt != nil || !strings.Contains(row.LastError, "451") || row.Attempts < 40 {
		t.Errorf("given-up row: sent %v, attempts %d, error %q", row.SentAt, row.Attempts, row.LastError)
	}
	if !strings.Contains(q.logText(), `level=ERROR msg="mail given up after retrying"`) {
		t.Errorf("giving up was not logged as an error:\n%s", q.logText())
	}
	q.clock.Advance(30 * 24 * time.Hour)
	if n := deliver(t, w); n != 0 {
		t.Errorf("a given-up message was tried again")
	}
}

// Two workers over one database never send the same message at once:
// while the first is still talking to the server, the second skips it.
func TestClaimedMessageIsNotSentTwice(t *testing.T) {
	q := newQueue(t)
	srv := mailtest.Start(t)
	arrived, release := srv.Hold()
	first, second := q.worker(t, mail.Config{SMTPURL: srv.URL()}), q.worker(t, mail.Config{SMTPURL: srv.URL()})
	m := q.enqueue(t, verification())

	done := make(chan int)
	go func() {
		n, err := first.DeliverDue(context.Background())
		if err != nil {
			t.Error(err)
		}
		done <- n
	}()
	<-arrived
	if n := deliver(t, second); n != 0 {
		t.Errorf("the second worker tried %d messages while the first was sending", n)
	}
	release(true)
	if n := <-done; n != 1 {
		t.Errorf("the first worker tried %d messages", n)
	}
	if got := srv.Messages(); len(got) != 1 || got[0].MessageID() != m.MessageID {
		t.Errorf("received %d messages, want 1", len(got))
	}
	if n := deliver(t, second); n != 0 {
		t.Errorf("the second worker tried a sent message")
	}
}

// Run sends a message as soon as it is nudged, says at start where
// messages go (without the password), and stops with its context.
func TestRunSendsWhenNudgedAndStops(t *testing.T) {
	q := newQueue(t)
	srv := mailtest.Start(t)
	w := q.worker(t, mail.Config{SMTPURL: srv.URL()})
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { defer close(stopped); w.Run(ctx) }()

	m := q.enqueue(t, verification())
	w.Nudge()
	if got := srv.WaitFor(t, 1); got[0].MessageID() != m.MessageID {
		t.Errorf("received %s, want %s", got[0].MessageID(), m.MessageID)
	}
	cancel()
	select {
	case <-stopped:
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not stop when its context ended")
	}
	log := q.logText()
	if !strings.Contains(log, `msg="mail delivery" to="smtp mxcert@127.0.0.1:`) || strings.Contains(log, mailtest.Password) {
		t.Errorf("the start line does not say where messages go, or shows the password:\n%s", log)
	}
}

// With no SMTP server, each message is an .eml file in the outbox folder
// (private), named so that the folder lists in queue order, with the same
// headers and parts a server would receive.
func TestOutboxFolderWithoutSMTP(t *testing.T) {
	q := newQueue(t)
	dir := filepath.Join(t.TempDir(), "outbox")
	w := q.worker(t, mail.Config{OutboxDir: dir})
	if got := w.Sender().String(); got != "outbox folder "+dir {
		t.Errorf("Sender says %q", got)
	}
	first := q.enqueue(t, verification())
	q.clock.Advance(1500 * time.Millisecond)
	second := q.enqueue(t, &model.Mail{To: "ana@ejemplo.mx", Subject: "Tu contraseña cambió", Text: "Solo texto, sin HTML: ¿fuiste tú?\n"})
	if n := deliver(t, w); n != 2 {
		t.Fatalf("tried %d messages, want 2", n)
	}

	st, err := os.Stat(dir)
	if err != nil || st.Mode().Perm() != 0o700 {
		t.Fatalf("outbox folder: %v, mode %v", err, st)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	want := []string{mail.FileName(first), mail.FileName(second)}
	if !slices.Equal(names, want) || !slices.IsSorted(names) {
		t.Fatalf("files %v, want %v in that order", names, want)
	}
	for i, m := range []*model.Mail{first, second} {
		path := filepath.Join(dir, want[i])
		if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v, mode %v", want[i], err, st.Mode())
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		r, err := mailtest.Parse(raw)
		if err != nil {
			t.Fatalf("%s: %v\n%s", want[i], err, raw)
		}
		if r.MessageID() != m.MessageID || r.Subject != m.Subject || r.Text != m.Text || r.HTML != m.HTML {
			t.Errorf("%s: Message-ID %q, Subject %q, text %q, HTML %q\nwant %q %q %q %q", want[i], r.MessageID(), r.Subject, r.Text, r.HTML, m.MessageID, m.Subject, m.Text, m.HTML)
		}
		if r.Header.Get("Date") == "" || !strings.Contains(r.Header.Get("From"), "no-responder@") || r.Header.Get("To") == "" {
			t.Errorf("%s lacks headers: %v", want[i], r.Header)
		}
		if q.row(t, m.ID).SentAt == nil {
			t.Errorf("mail %d written but not marked sent", m.ID)
		}
	}
}

func TestDefaultFrom(t *testing.T) {
	for base, want := range map[string]string{
		"https://certificacion.mxos.mx":      "no-responder@certificacion.mxos.mx",
		"https://certificacion.mxos.mx:8443": "no-responder@certificacion.mxos.mx",
		"http://127.0.0.1:8080":              "no-responder@localhost",
		"":                                   "no-responder@localhost",
	} {
		if got := mail.DefaultFrom(base); !strings.Contains(got, "<"+want+">") {
			t.Errorf("DefaultFrom(%q) = %q, want the address %s", base, got, want)
		}
	}
}

// The default smtp:// form upgrades with STARTTLS, checks the server's
// certificate and authenticates over TLS; a server without STARTTLS, or
// with a certificate nobody vouches for, gets nothing.
func TestSTARTTLS(t *testing.T) {
	q := newQueue(t)
	srv, trust := mailtest.StartTLS(t)
	m := q.enqueue(t, verification())

	untrusted := q.worker(t, mail.Config{SMTPURL: srv.URL()})
	deliver(t, untrusted)
	if row := q.row(t, m.ID); row.SentAt != nil || !strings.Contains(row.LastError, "certificate") {
		t.Fatalf("sent to a server whose certificate is not trusted: sent %v, error %q", row.SentAt, row.LastError)
	}

	plain := mailtest.Start(t)
	noTLS := q.worker(t, mail.Config{SMTPURL: strings.TrimSuffix(plain.URL(), "?tls=none")})
	q.clock.Advance(time.Minute)
	deliver(t, noTLS)
	if row := q.row(t, m.ID); row.SentAt != nil || !strings.Contains(row.LastError, "STARTTLS") || len(plain.Messages()) != 0 {
		t.Fatalf("sent without TLS though STARTTLS is required: sent %v, error %q", row.SentAt, row.LastError)
	}

	w := q.worker(t, mail.Config{SMTPURL: srv.URL(), TLS: trust})
	q.clock.Advance(2 * time.Minute)
	deliver(t, w)
	if got := srv.Messages(); len(got) != 1 || got[0].MessageID() != m.MessageID || got[0].HTML != m.HTML {
		t.Fatalf("over STARTTLS the server received %d messages", len(got))
	}
	if row := q.row(t, m.ID); row.SentAt == nil || row.Attempts != 3 {
		t.Errorf("row: sent %v, attempts %d", row.SentAt, row.Attempts)
	}
}
