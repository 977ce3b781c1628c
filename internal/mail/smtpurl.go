package mail

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// TLS modes of an SMTP URL.
const (
	TLSStartTLS = "starttls" // smtp://: STARTTLS, required (the default)
	TLSImplicit = "implicit" // smtps://: TLS from the first byte
	TLSNone     = "none"     // smtp://…?tls=none: no TLS, for a relay on this machine or tests
)

// SMTPServer is where and how to send, as read from one URL:
//
//	smtp://USER:PASSWORD@HOST[:PORT]    STARTTLS required; port 587 by default
//	smtps://USER:PASSWORD@HOST[:PORT]   implicit TLS; port 465 by default
//	smtp://HOST:25?tls=none             no TLS; port 25 by default
//
// The user and password are optional (a relay that trusts the machine);
// characters such as @ : / in them are percent-encoded (%40 %3A %2F).
// Without TLS, a password is only sent to a server on this machine
// (localhost, 127.0.0.1, ::1): anyone on the network could read it.
type SMTPServer struct {
	Host     string
	Port     int
	TLS      string // TLSStartTLS, TLSImplicit or TLSNone
	User     string
	Password string
}

// ParseSMTPURL reads the SMTP server setting (MXCERT_SMTP_URL).
func ParseSMTPURL(raw string) (SMTPServer, error) {
	u, err := url.Parse(raw)
	if err != nil {
		// url.Parse repeats the URL, password included: say only what is wrong.
		return SMTPServer{}, fmt.Errorf("SMTP URL: not a URL of the form smtp://user:password@host:587")
	}
	s := SMTPServer{Host: u.Hostname()}
	switch u.Scheme {
	case "smtp":
		s.TLS, s.Port = TLSStartTLS, 587
	case "smtps":
		s.TLS, s.Port = TLSImplicit, 465
	default:
		return SMTPServer{}, fmt.Errorf("SMTP URL: the scheme must be smtp:// (STARTTLS) or smtps:// (implicit TLS), not %q", u.Scheme)
	}
	if s.Host == "" {
		return SMTPServer{}, fmt.Errorf("SMTP URL: no host")
	}
	if u.Path != "" && u.Path != "/" {
		return SMTPServer{}, fmt.Errorf("SMTP URL: unexpected path %q", u.Path)
	}
	q := u.Query()
	for k := range q {
		if k != "tls" {
			return SMTPServer{}, fmt.Errorf("SMTP URL: unknown option %q (the only one is tls=none)", k)
		}
	}
	switch tls := q.Get("tls"); {
	case tls == "":
	case tls == TLSNone && u.Scheme == "smtp":
		s.TLS, s.Port = TLSNone, 25
	case tls == TLSStartTLS && u.Scheme == "smtp":
	default:
		return SMTPServer{}, fmt.Errorf("SMTP URL: tls=%s is not an option of %s:// (smtp:// takes tls=none)", tls, u.Scheme)
	}
	if p := u.Port(); p != "" {
		if s.Port, err = strconv.Atoi(p); err != nil || s.Port < 1 || s.Port > 65535 {
			return SMTPServer{}, fmt.Errorf("SMTP URL: bad port %q", p)
		}
	}
	if u.User != nil {
		s.User = u.User.Username()
		s.Password, _ = u.User.Password()
	}
	if s.TLS == TLSNone && s.User != "" && !loopback(s.Host) {
		return SMTPServer{}, fmt.Errorf("SMTP URL: with tls=none a password is only sent to a server on this machine, not to %s", s.Host)
	}
	return s, nil
}

// String describes the server for the log, without the password.
func (s SMTPServer) String() string {
	who := ""
	if s.User != "" {
		who = s.User + "@"
	}
	return fmt.Sprintf("smtp %s%s (TLS: %s)", who, net.JoinHostPort(s.Host, strconv.Itoa(s.Port)), s.TLS)
}

func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
