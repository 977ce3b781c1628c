package mail

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	netmail "net/mail"
	"net/url"
	"os"
	"path/filepath"
	"time"

	gomail "github.com/wneessen/go-mail"

	"mxcert/internal/model"
)

// SendTimeout bounds one delivery: connecting, TLS, authentication and
// the message itself.
const SendTimeout = 60 * time.Second

// Config says how to deliver.
type Config struct {
	// SMTPURL is the server (see SMTPServer for the forms). Empty, messages
	// are written as .eml files to OutboxDir instead.
	SMTPURL string
	// From is the sender, "Name <address>" or a bare address.
	From string
	// OutboxDir is where .eml files go when there is no SMTP server
	// (DATA/outbox). Created private (0700) on first use.
	OutboxDir string
	// TLS, when set, replaces the default TLS settings (tests trust their
	// own certificate with it).
	TLS *tls.Config
}

// Sender delivers one message at a time, over SMTP or to the outbox
// folder. It is safe for concurrent use.
type Sender struct {
	from      *netmail.Address
	transport transport
}

// transport hands a built message over.
type transport interface {
	send(ctx context.Context, m *model.Mail, msg *gomail.Msg) error
	String() string
}

// NewSender checks the configuration and prepares the transport.
func NewSender(cfg Config) (*Sender, error) {
	from, err := netmail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("sender address %q: %w", cfg.From, err)
	}
	s := &Sender{from: from}
	if cfg.SMTPURL == "" {
		if s.transport, err = newOutboxDir(cfg.OutboxDir); err != nil {
			return nil, err
		}
		return s, nil
	}
	srv, err := ParseSMTPURL(cfg.SMTPURL)
	if err != nil {
		return nil, err
	}
	s.transport = &smtpTransport{srv: srv, tls: cfg.TLS}
	return s, nil
}

// String says where messages go, for the log.
func (s *Sender) String() string { return s.transport.String() }

// Send delivers m. Its Message-ID and Date are the queued ones, the same
// on every retry, so that a receiver can drop a duplicate.
func (s *Sender) Send(ctx context.Context, m *model.Mail) error {
	msg, err := s.build(m)
	if err != nil {
		return err
	}
	return s.transport.send(ctx, m, msg)
}

// build makes the RFC 5322 message: UTF-8, the plain text and, when there
// is one, its HTML twin as multipart/alternative.
func (s *Sender) build(m *model.Mail) (*gomail.Msg, error) {
	msg := gomail.NewMsg(gomail.WithCharset(gomail.CharsetUTF8), gomail.WithEncoding(gomail.EncodingQP))
	msg.FromMailAddress(s.from)
	if err := msg.To(m.To); err != nil {
		return nil, fmt.Errorf("mail %d: recipient: %w", m.ID, err)
	}
	msg.Subject(m.Subject)
	msg.SetMessageIDWithValue(m.MessageID)
	msg.SetDateWithValue(m.CreatedAt)
	msg.SetUserAgent("MxOS Certificación")
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	return msg, nil
}

// DefaultFrom is the sender when none is configured: a no-reply address
// at the site's own host name.
func DefaultFrom(baseURL string) string {
	host := "localhost"
	if u, err := url.Parse(baseURL); err == nil && u.Hostname() != "" && net.ParseIP(u.Hostname()) == nil {
		host = u.Hostname()
	}
	return (&netmail.Address{Name: "MxOS Certificación", Address: "no-responder@" + host}).String()
}

type smtpTransport struct {
	srv SMTPServer
	tls *tls.Config
}

func (t *smtpTransport) String() string { return t.srv.String() }

func (t *smtpTransport) send(ctx context.Context, m *model.Mail, msg *gomail.Msg) error {
	opts := []gomail.Option{gomail.WithPort(t.srv.Port), gomail.WithTimeout(SendTimeout)}
	switch t.srv.TLS {
	case TLSImplicit:
		opts = append(opts, gomail.WithSSL())
	case TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if t.tls != nil {
		opts = append(opts, gomail.WithTLSConfig(t.tls))
	}
	if t.srv.User != "" {
		// Over TLS the strongest mechanism the server offers; without TLS
		// (a server on this machine only, see ParseSMTPURL) PLAIN, which
		// the client allows to localhost alone.
		auth := gomail.SMTPAuthAutoDiscover
		if t.srv.TLS == TLSNone {
			auth = gomail.SMTPAuthPlain
		}
		opts = append(opts, gomail.WithSMTPAuth(auth), gomail.WithUsername(t.srv.User), gomail.WithPassword(t.srv.Password))
	}
	c, err := gomail.NewClient(t.srv.Host, opts...)
	if err != nil {
		return fmt.Errorf("mail %d: %w", m.ID, err)
	}
	ctx, cancel := context.WithTimeout(ctx, SendTimeout)
	defer cancel()
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("mail %d to %s: %w", m.ID, t.srv.Host, err)
	}
	return nil
}

// outboxDir writes each message as an .eml file, for a machine with no
// SMTP server (development, `make run`). The name starts with the time the
// message was queued, so the folder lists in order, and ends with its
// queue number: writing a message again replaces its file.
type outboxDir struct{ dir string }

func newOutboxDir(dir string) (*outboxDir, error) {
	if dir == "" {
		return nil, fmt.Errorf("no SMTP server and no outbox folder")
	}
	// The messages carry sign-in links: the folder is the owner's alone,
	// also when it existed with wider permissions. It is created with the
	// first message, so that commands that send nothing leave no folder.
	if st, err := os.Stat(dir); err == nil && st.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(dir, 0o700); err != nil { // #nosec G302 -- narrowing to owner-only, for a directory
			return nil, fmt.Errorf("outbox folder: %w", err)
		}
	}
	return &outboxDir{dir: dir}, nil
}

func (o *outboxDir) String() string { return "outbox folder " + o.dir }

// FileName is the outbox file of a queued message.
func FileName(m *model.Mail) string {
	return fmt.Sprintf("%s-%06d.eml", m.CreatedAt.UTC().Format("20060102T150405.000Z"), m.ID)
}

func (o *outboxDir) send(_ context.Context, m *model.Mail, msg *gomail.Msg) error {
	if err := os.MkdirAll(o.dir, 0o700); err != nil {
		return fmt.Errorf("mail %d: outbox folder: %w", m.ID, err)
	}
	path := filepath.Join(o.dir, FileName(m))
	// Written beside, then renamed: a reader never sees half a message.
	f, err := os.CreateTemp(o.dir, ".writing-*") // created 0600
	if err != nil {
		return fmt.Errorf("mail %d: %w", m.ID, err)
	}
	_, err = msg.WriteTo(f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		_ = os.Remove(f.Name()) // best effort; the error below is what matters
		return fmt.Errorf("mail %d: write %s: %w", m.ID, path, err)
	}
	return nil
}
