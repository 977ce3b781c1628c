// Package mail composes the platform's e-mails, in Spanish (es-MX) or
// English, as plain text with a light HTML twin, and delivers the queued
// ones: over SMTP, or as .eml files in an outbox folder when no server is
// configured. Messages are queued in the database (store.Tx.EnqueueMail)
// in the same transaction as the event that causes them.
package mail

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"strings"
	texttemplate "text/template"
	"time"

	"mxcert/internal/model"
)

// Templates are the messages' templates. For a kind K and a language L
// ("es" or "en") there are:
//
//	templates/K.L.txt    first line "Subject: …", a blank line, then the plain-text body
//	templates/K.L.html   the HTML body, placed inside templates/layout.L.html
//
// The HTML body is optional; a kind without it is sent as plain text only.
//
//go:embed templates
var Templates embed.FS

// Composer renders messages. It is safe for concurrent use.
type Composer struct {
	fsys    fs.FS
	site    string         // the site's public base URL, without a trailing slash
	zone    *time.Location // where dates in messages are told; see In
	contact string         // the foundation's address people may write to; see WithContact
}

// NewComposer returns a composer over the templates in fsys (Templates in
// production; tests pass their own). site is the public base URL that
// links in messages start with.
func NewComposer(fsys fs.FS, site string) *Composer {
	return &Composer{fsys: fsys, site: strings.TrimRight(site, "/"), zone: time.UTC}
}

// Site is the public base URL, for building links.
func (c *Composer) Site() string { return c.site }

// Lang is the language a message is written in: English for "en", the
// platform's Spanish (es-MX) for anything else.
func Lang(lang string) string {
	if lang == "en" {
		return "en"
	}
	return "es"
}

// Compose renders the message of kind in lang for to. data is what the
// templates see as .Data; .Site is the base URL.
func (c *Composer) Compose(kind, lang, to string, data any) (*model.Mail, error) {
	lang = Lang(lang)
	view := struct {
		Site string
		Data any
	}{c.site, data}
	name := "templates/" + kind + "." + lang
	src, err := fs.ReadFile(c.fsys, name+".txt")
	if err != nil {
		return nil, fmt.Errorf("mail %s: %w", kind, err)
	}
	t, err := texttemplate.New(kind).Option("missingkey=error").Parse(string(src))
	if err != nil {
		return nil, fmt.Errorf("mail %s: %w", kind, err)
	}
	var text bytes.Buffer
	if err := t.Execute(&text, view); err != nil {
		return nil, fmt.Errorf("mail %s: %w", kind, err)
	}
	head, body, ok := strings.Cut(text.String(), "\n\n")
	subject, isSubject := strings.CutPrefix(head, "Subject: ")
	if !ok || !isSubject || strings.ContainsAny(subject, "\r\n") {
		return nil, fmt.Errorf("mail %s: the text template must start with «Subject: …» and a blank line", kind)
	}
	m := &model.Mail{To: to, Subject: strings.TrimSpace(subject), Text: strings.TrimSpace(body) + "\n"}
	page, err := fs.ReadFile(c.fsys, name+".html")
	if err != nil {
		return m, nil // plain text only
	}
	layout, err := fs.ReadFile(c.fsys, "templates/layout."+lang+".html")
	if err != nil {
		return nil, fmt.Errorf("mail %s: %w", kind, err)
	}
	h, err := htmltemplate.New("layout").Option("missingkey=error").Parse(string(layout))
	if err == nil {
		_, err = h.New("body").Parse(string(page))
	}
	if err != nil {
		return nil, fmt.Errorf("mail %s: %w", kind, err)
	}
	var html bytes.Buffer
	if err := h.ExecuteTemplate(&html, "layout", struct {
		Site, Subject string
		Data          any
	}{c.site, m.Subject, data}); err != nil {
		return nil, fmt.Errorf("mail %s: %w", kind, err)
	}
	m.HTML = html.String()
	return m, nil
}
