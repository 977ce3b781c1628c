// Package mailtest is e-mail for tests: a real SMTP server
// (github.com/emersion/go-smtp) on 127.0.0.1 that keeps what it receives,
// can refuse or hold deliveries on demand, and a reader of RFC 5322
// messages (what the server received, or an .eml file from the outbox
// folder) into headers, plain text and HTML.
//
// Only tests import it.
package mailtest

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"mxcert/internal/clocktest"
)

// User and Password are what the server accepts with AUTH PLAIN.
const (
	User     = "mxcert"
	Password = "clave de prueba" // #nosec G101 -- the test server's own password, on 127.0.0.1
)

// Server is an SMTP server that keeps every message it accepts.
type Server struct {
	srv *smtp.Server
	ln  net.Listener
	tls bool // offers STARTTLS

	mu       sync.Mutex
	received []*Message
	refuse   int           // DATA commands still to refuse with a 451
	hold     chan bool     // gets whether the held delivery is accepted; nil: none held
	held     chan struct{} // closed when a delivery arrives and is held
	holds    []chan bool   // every hold, released at cleanup
}

// Start runs a server on 127.0.0.1 until the test ends. It offers AUTH
// PLAIN without TLS (a server on this machine), and requires it; it does
// not offer STARTTLS (see StartTLS).
func Start(t testing.TB) *Server {
	t.Helper()
	return start(t, nil)
}

func start(t testing.TB, tlsConfig *tls.Config) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{ln: ln}
	s.srv = smtp.NewServer(backend{s})
	s.srv.Domain = "localhost"
	s.srv.AllowInsecureAuth = tlsConfig == nil
	s.srv.TLSConfig = tlsConfig
	s.srv.ReadTimeout, s.srv.WriteTimeout = time.Minute, time.Minute
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = s.srv.Serve(ln) // returns when closed
	}()
	t.Cleanup(func() {
		s.mu.Lock()
		for _, h := range s.holds {
			answer(h, false)
		}
		s.mu.Unlock()
		_ = s.srv.Close()
		<-done
	})
	return s
}

// Refuse makes the next n deliveries fail with a temporary error (451).
func (s *Server) Refuse(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refuse = n
}

// Hold makes the next delivery wait at the end of DATA, its message read
// but not yet answered: arrived is closed when it gets there, and
// release(accept) ends the wait, keeping the message or refusing it (as a
// server that loses a message whose sender went away). Later deliveries
// are not held. The test's cleanup releases a held one, refusing it.
func (s *Server) Hold() (arrived <-chan struct{}, release func(accept bool)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := make(chan bool, 1)
	s.hold, s.held = h, make(chan struct{})
	s.holds = append(s.holds, h)
	return s.held, func(accept bool) { answer(h, accept) }
}

// answer answers a hold once; later answers are ignored.
func answer(h chan bool, accept bool) {
	select {
	case h <- accept:
	default:
	}
}

// Messages are the messages accepted so far, in order.
func (s *Server) Messages() []*Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*Message(nil), s.received...)
}

// WaitFor waits until the server has accepted n messages and returns them.
func (s *Server) WaitFor(t testing.TB, n int) []*Message {
	t.Helper()
	clocktest.WaitFor(t, 30*time.Second, fmt.Sprintf("%d messages", n), func() bool { return len(s.Messages()) >= n })
	return s.Messages()
}

type backend struct{ s *Server }

func (b backend) NewSession(*smtp.Conn) (smtp.Session, error) {
	return &session{s: b.s}, nil
}

type session struct {
	s      *Server
	authed bool
	from   string
	to     []string
}

func (ss *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (ss *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != User || pass != Password {
			return errors.New("invalid credentials")
		}
		ss.authed = true
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if !ss.authed {
		return smtp.ErrAuthRequired
	}
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s := ss.s
	s.mu.Lock()
	if s.refuse > 0 {
		s.refuse--
		s.mu.Unlock()
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	hold, held := s.hold, s.held
	s.hold = nil // only the first delivery is held
	s.mu.Unlock()
	if hold != nil {
		close(held)
		if !<-hold {
			return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "lost"}
		}
	}
	m, err := Parse(raw)
	if err != nil {
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: err.Error()}
	}
	m.EnvelopeFrom, m.EnvelopeTo = ss.from, ss.to
	s.mu.Lock()
	s.received = append(s.received, m)
	s.mu.Unlock()
	return nil
}

func (ss *session) Reset()        { ss.from, ss.to = "", nil }
func (ss *session) Logout() error { return nil }

// Message is a received or written e-mail, decoded.
type Message struct {
	Raw                []byte
	Header             mail.Header
	Subject            string // decoded
	Text, HTML         string // the decoded parts (HTML empty if none)
	EnvelopeFrom       string // MAIL FROM (empty for a file)
	EnvelopeTo         []string
	TextType, HTMLType string // the parts' Content-Type
}

// MessageID is the Message-ID header without its angle brackets.
func (m *Message) MessageID() string {
	return strings.TrimSuffix(strings.TrimPrefix(m.Header.Get("Message-ID"), "<"), ">")
}

// Parse reads an RFC 5322 message with a plain-text body, or a
// multipart/alternative one with text and HTML parts.
func Parse(raw []byte) (*Message, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("read message: %w", err)
	}
	m := &Message{Raw: raw, Header: msg.Header}
	if m.Subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); err != nil {
		return nil, fmt.Errorf("subject: %w", err)
	}
	media, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		return nil, fmt.Errorf("content type: %w", err)
	}
	if !strings.HasPrefix(media, "multipart/") {
		m.TextType = msg.Header.Get("Content-Type")
		m.Text, err = decode(msg.Body, msg.Header.Get("Content-Transfer-Encoding"))
		return m, err
	}
	if media != "multipart/alternative" {
		return nil, fmt.Errorf("content type %s, want multipart/alternative", media)
	}
	parts := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := parts.NextRawPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("part: %w", err)
		}
		body, err := decode(p, p.Header.Get("Content-Transfer-Encoding"))
		if err != nil {
			return nil, err
		}
		ct := p.Header.Get("Content-Type")
		switch {
		case strings.HasPrefix(ct, "text/plain"):
			m.Text, m.TextType = body, ct
		case strings.HasPrefix(ct, "text/html"):
			m.HTML, m.HTMLType = body, ct
		default:
			return nil, fmt.Errorf("unexpected part %s", ct)
		}
	}
	return m, nil
}

func decode(r io.Reader, encoding string) (string, error) {
	switch strings.ToLower(encoding) {
	case "quoted-printable":
		r = quotedprintable.NewReader(r)
	case "base64":
		return "", errors.New("base64 parts are not expected")
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return "", fmt.Errorf("decode %s: %w", encoding, err)
	}
	return strings.ReplaceAll(string(b), "\r\n", "\n"), nil
}
