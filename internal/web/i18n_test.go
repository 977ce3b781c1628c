package web

import (
	"io/fs"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"mxcert/internal/services"
	"mxcert/templates"
)

// flatKeys lists a catalog's message ids.
func flatKeys(t *testing.T, file string) []string {
	t.Helper()
	data, err := localeFiles.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := yaml.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	plural := map[string]bool{"zero": true, "one": true, "two": true, "few": true, "many": true, "other": true}
	var keys []string
	var walk func(prefix string, m map[string]any)
	walk = func(prefix string, m map[string]any) {
		for k, v := range m {
			if sub, ok := v.(map[string]any); ok {
				isPlural := true
				for sk := range sub {
					isPlural = isPlural && plural[sk]
				}
				if !isPlural {
					walk(prefix+k+".", sub)
					continue
				}
			}
			keys = append(keys, prefix+k)
		}
	}
	walk("", raw)
	slices.Sort(keys)
	return keys
}

func TestCatalogsHaveTheSameMessages(t *testing.T) {
	es, en := flatKeys(t, "locales/es-MX.yaml"), flatKeys(t, "locales/en.yaml")
	for _, k := range es {
		if !slices.Contains(en, k) {
			t.Errorf("%s is missing in English", k)
		}
	}
	for _, k := range en {
		if !slices.Contains(es, k) {
			t.Errorf("%s is missing in Spanish", k)
		}
	}
}

// Every message a template names exists, so no page shows a bare id.
func TestTemplatesUseExistingMessages(t *testing.T) {
	tr, err := newTranslator()
	if err != nil {
		t.Fatal(err)
	}
	keys := flatKeys(t, "locales/es-MX.yaml")
	re := regexp.MustCompile(`\.T "([a-z0-9_.]+)"`)
	files, _ := fs.Glob(templates.FS, "*.html")
	for _, f := range files {
		data, _ := fs.ReadFile(templates.FS, f)
		for _, m := range re.FindAllStringSubmatch(string(data), -1) {
			if !slices.Contains(keys, m[1]) {
				t.Errorf("%s uses unknown message %q", f, m[1])
			}
		}
	}
	for _, id := range []string{"problem.email_taken", "flash.welcome", "error.404.title", "error.429.message"} {
		for _, lang := range []string{langES, langEN} {
			if got := tr.t(lang, id); got == id || got == "" {
				t.Errorf("%s %s not translated", lang, id)
			}
		}
	}
	if got := tr.t(langES, "facts.questions", "Count", 1); got != "1 pregunta" {
		t.Errorf("singular = %q", got)
	}
	if got := tr.t(langES, "question.answered", "Count", 1, "Total", 40); got != "Respondidas: 1 de 40" {
		t.Errorf("count in a message without plural forms = %q", got)
	}
	if got := tr.t(langEN, "facts.questions", "Count", 40); got != "40 questions" {
		t.Errorf("plural = %q", got)
	}
}

func TestDates(t *testing.T) {
	zone, err := time.LoadLocation(services.DefaultZone)
	if err != nil {
		t.Fatal(err)
	}
	when := time.Date(2026, 11, 29, 3, 5, 0, 0, time.UTC).In(zone) // still the 28th in Mexico City
	for _, tc := range []struct{ lang, date, dateTime string }{
		{langES, "28 de noviembre de 2026", "28 de noviembre de 2026, 21:05 h"},
		{langEN, "November 28, 2026", "November 28, 2026, 9:05 PM"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			if got := formatDate(tc.lang, when); got != tc.date {
				t.Errorf("date = %q, want %q", got, tc.date)
			}
			if got := formatDateTime(tc.lang, when); got != tc.dateTime {
				t.Errorf("date-time = %q, want %q", got, tc.dateTime)
			}
		})
	}
	if strings.Contains(formatDate(langES, when), "November") {
		t.Error("English month in Spanish")
	}
}

func TestFormatNumber(t *testing.T) {
	for _, tc := range []struct {
		name string
		n    int
		want string
	}{
		{"zero", 0, "0"},
		{"below a thousand", 999, "999"},
		{"a thousand", 1000, "1,000"},
		{"millions", 1234567, "1,234,567"},
		{"negative", -4200, "-4,200"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := formatNumber(tc.n); got != tc.want {
				t.Errorf("formatNumber(%d) = %q, want %q", tc.n, got, tc.want)
			}
		})
	}
}
