package web

import (
	"embed"
	"fmt"
	"io/fs"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"go.yaml.in/yaml/v3"
	"golang.org/x/text/language"

	"mxcert/internal/datefmt"
)

// The interface speaks Spanish (Mexico) first and English second.
const (
	langES = "es-MX"
	langEN = "en"
	// langCookie remembers the visitor's choice of language.
	langCookie = "mx_lang"
)

var supported = []language.Tag{language.MustParse(langES), language.English}

var matcher = language.NewMatcher(supported)

//go:embed locales/*.yaml
var localeFiles embed.FS

// translator holds both message catalogs.
type translator struct {
	locs map[string]*i18n.Localizer
	// plain memoises messages without template data: most of a page's
	// strings, looked up on every render.
	plain sync.Map // lang + "\x00" + id → string
	// accept memoises the language chosen for an Accept-Language header.
	accept  sync.Map
	accepts atomic.Int64
}

func newTranslator() (*translator, error) {
	bundle := i18n.NewBundle(language.MustParse(langES))
	bundle.RegisterUnmarshalFunc("yaml", yaml.Unmarshal)
	files, err := fs.Glob(localeFiles, "locales/*.yaml")
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		if _, err := bundle.LoadMessageFileFS(localeFiles, f); err != nil {
			return nil, fmt.Errorf("load %s: %w", f, err)
		}
	}
	return &translator{locs: map[string]*i18n.Localizer{
		langES: i18n.NewLocalizer(bundle, langES),
		langEN: i18n.NewLocalizer(bundle, langEN),
	}}, nil
}

// t translates a message. kv are key/value pairs for the message's
// template; a "Count" key also picks the plural form. A missing message
// shows its id, which tests catch.
func (tr *translator) t(lang, id string, kv ...any) string {
	if len(kv) == 0 {
		key := lang + "\x00" + id
		if msg, ok := tr.plain.Load(key); ok {
			return msg.(string)
		}
		msg := tr.localize(lang, id)
		tr.plain.Store(key, msg)
		return msg
	}
	return tr.localize(lang, id, kv...)
}

func (tr *translator) localize(lang, id string, kv ...any) string {
	var data map[string]any
	var count any
	if len(kv) > 0 {
		data = map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			k := fmt.Sprint(kv[i])
			data[k] = kv[i+1]
			if k == "Count" {
				count = kv[i+1]
			}
		}
	}
	loc := tr.locs[lang]
	if loc == nil {
		loc = tr.locs[langES]
	}
	msg, err := loc.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data, PluralCount: count})
	if err != nil && count != nil {
		// A message without plural forms that merely shows a count.
		msg, err = loc.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data})
	}
	if err != nil {
		return id
	}
	return msg
}

// pickLanguage chooses the language of a request: the visitor's explicit
// choice (cookie), else the browser's Accept-Language, else Spanish.
func (tr *translator) pickLanguage(r *http.Request) string {
	if c, err := r.Cookie(langCookie); err == nil {
		switch c.Value {
		case "es":
			return langES
		case "en":
			return langEN
		}
	}
	header := r.Header.Get("Accept-Language")
	if header == "" {
		return langES
	}
	if lang, ok := tr.accept.Load(header); ok {
		return lang.(string)
	}
	lang := langES
	if _, idx, conf := matcher.Match(parseAcceptLanguage(header)...); conf != language.No && idx == 1 {
		lang = langEN
	}
	// Browsers send a handful of distinct headers; bound the memo anyway.
	if tr.accepts.Add(1) < 10000 {
		tr.accept.Store(header, lang)
	}
	return lang
}

func parseAcceptLanguage(h string) []language.Tag {
	if len(h) > 200 {
		h = h[:200]
	}
	tags, _, err := language.ParseAcceptLanguage(h)
	if err != nil {
		return nil
	}
	return tags
}

// formatDate writes a date as people read it: "28 de noviembre de 2026" or
// "November 28, 2026". time.Format only knows English month names.
func formatDate(lang string, t time.Time) string {
	if lang == langEN {
		return datefmt.English(t)
	}
	return datefmt.Spanish(t)
}

// formatDateTime adds the time of day on a 24-hour clock.
func formatDateTime(lang string, t time.Time) string {
	if lang == langEN {
		return t.Format("January 2, 2006, 3:04 PM")
	}
	return formatDate(lang, t) + ", " + t.Format("15:04") + " h"
}

// formatNumber groups thousands the Mexican way (1,234) in both languages.
func formatNumber(n int) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
