package e2e

import (
	"fmt"
	"strings"

	"github.com/chromedp/chromedp"
)

// wcagTags are the axe-core rule sets checked on every page: WCAG 2.0 and
// 2.1, levels A and AA.
const wcagTags = `["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]`

// axeRun runs axe on the document and keeps what a failure message needs.
const axeRun = `axe.run(document, {
	runOnly: {type: "tag", values: ` + wcagTags + `},
	resultTypes: ["violations"]
}).then(r => r.violations.map(v => ({
	id: v.id, impact: v.impact || "", help: v.help, helpUrl: v.helpUrl,
	nodes: v.nodes.map(n => ({
		target: n.target.map(String).join(" "),
		html: n.html,
		summary: n.failureSummary || ""
	}))
})))`

type axeViolation struct {
	ID      string    `json:"id"`
	Impact  string    `json:"impact"`
	Help    string    `json:"help"`
	HelpURL string    `json:"helpUrl"`
	Nodes   []axeNode `json:"nodes"`
}

type axeNode struct {
	Target  string `json:"target"`
	HTML    string `json:"html"`
	Summary string `json:"summary"`
}

func (v axeViolation) String() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s (%s): %s\n    %s", v.ID, v.Impact, v.Help, v.HelpURL)
	for _, n := range v.Nodes {
		fmt.Fprintf(&sb, "\n    - %s\n      %s\n      %s", n.Target, n.HTML, strings.ReplaceAll(n.Summary, "\n", "\n      "))
	}
	return sb.String()
}

// audit checks the page in the tab for WCAG 2.1 A/AA violations in Spanish,
// reloads it in English and checks it again, then goes back to Spanish.
// The page must be one that a reload shows again (a GET).
func (b *tab) audit(page string) {
	b.t.Helper()
	b.auditAs(page, "es-MX")
	b.setLanguage("en")
	b.reload()
	b.auditAs(page, "en")
	b.setLanguage("es")
	b.reload()
	if lang := eval[string](b, `document.documentElement.lang`); lang != "es-MX" {
		b.t.Fatalf("%s: back in Spanish, the page says lang=%q", page, lang)
	}
}

// auditAs runs axe on the page as it is, which must be in the given language.
func (b *tab) auditAs(page, lang string) {
	b.t.Helper()
	if got := eval[string](b, `document.documentElement.lang`); got != lang {
		b.t.Fatalf("%s: the page says lang=%q, want %q", page, got, lang)
	}
	if !eval[bool](b, `typeof window.axe === "object"`) {
		b.do(chromedp.Evaluate[chromedp.Void](b.s.axe))
	}
	violations := run(b, chromedp.Evaluate[[]axeViolation](axeRun, chromedp.EvalAwaitPromise))
	for _, v := range violations {
		b.t.Errorf("%s [%s] %s: accessibility violation %s", page, lang, b.path(), v)
	}
	b.checkConsole(page + " [" + lang + "]")
}
