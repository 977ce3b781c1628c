package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// Screen sizes: a small Android phone, and a laptop for the console.
const (
	phoneWidth, phoneHeight   = 360, 740
	laptopWidth, laptopHeight = 1280, 800
)

// tab is one browser tab in its own browser context: its own cookies, like
// a private window. Its methods fail the test on any error.
type tab struct {
	t   *testing.T
	s   *suite
	ctx context.Context

	mu       sync.Mutex
	problems []string // uncaught exceptions and CSP violations not yet reported
}

// newTab opens a tab in a fresh browser context with the given viewport.
func newTab(t *testing.T, s *suite, width, height int64, mobile bool) *tab {
	t.Helper()
	ctx, cancel := context.WithTimeout(s.browser, testTimeout)
	t.Cleanup(cancel)
	ctx, closeTab := chromedp.NewContext(ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(closeTab)
	var opts []chromedp.EmulateViewportOption
	if mobile {
		// Most phones draw two device pixels per CSS pixel; it also makes
		// the screenshots sharp.
		opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateScale(2))
	}
	b := &tab{t: t, s: s, ctx: ctx}
	b.do(chromedp.EmulateViewport(width, height, opts...))
	// Every tab is a person on a device of their own: the site's limits
	// per IP address (sign-ins, registrations, directory pages) count
	// this tab's requests, not those of every test and every run of go
	// test -count=N, which all come from this machine. The application
	// believes X-Forwarded-For from 127.0.0.1, as behind a proxy.
	_, err := chromedp.Call(ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{
		Headers: network.Headers{"X-Forwarded-For": nextAddress()},
	})
	if err != nil {
		t.Fatalf("give the tab its address: %v", err)
	}
	go b.watchConsole(chromedp.Console(ctx))
	return b
}

// addresses counts the tabs the tests open, for nextAddress.
var addresses atomic.Uint32

// nextAddress is an address of the private range 10.0.0.0/8 that no tab
// has had.
func nextAddress() string {
	n := addresses.Add(1)
	return fmt.Sprintf("10.%d.%d.%d", n>>16&0xff, n>>8&0xff, n&0xff)
}

// watchConsole records what the page reports that a person would never
// see: script errors and content the Content-Security-Policy blocked.
func (b *tab) watchConsole(messages iter.Seq2[chromedp.ConsoleMessage, error]) {
	for m, err := range messages {
		if err != nil {
			return
		}
		if m.IsException() || strings.Contains(m.Text, "Content Security Policy") {
			b.mu.Lock()
			b.problems = append(b.problems, fmt.Sprintf("%s:%d %s", m.URL, m.Line+1, m.Text))
			b.mu.Unlock()
		}
	}
}

// checkConsole fails the test if the page reported script errors or CSP
// violations since the last check.
func (b *tab) checkConsole(page string) {
	b.t.Helper()
	b.mu.Lock()
	problems := b.problems
	b.problems = nil
	b.mu.Unlock()
	for _, p := range problems {
		b.t.Errorf("%s: browser console: %s", page, p)
	}
}

func (b *tab) do(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.t.Fatalf("in the browser: %v", err)
	}
}

// run runs an action that returns a value.
func run[T any](b *tab, a chromedp.Action[T]) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, a)
	if err != nil {
		b.t.Fatalf("in the browser: %v", err)
	}
	return v
}

// open loads a path of the application and requires the given status.
func (b *tab) open(path string, status int64) {
	b.t.Helper()
	resp := run(b, chromedp.NavigateResponse(b.s.app.URL()+path))
	if resp.Status != status {
		b.t.Fatalf("GET %s answered %d, want %d", path, resp.Status, status)
	}
}

// follow clicks the element (a link or a submit button), waits for the page
// that the click loads and requires it to answer 200.
func (b *tab) follow(sel string) {
	b.t.Helper()
	b.followTo(sel, 200)
}

// followTo is follow for a page that answers status: a form sent back
// with its problems, for one.
func (b *tab) followTo(sel string, status int64) {
	b.t.Helper()
	resp, err := chromedp.RunResponse(b.ctx, chromedp.Click(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("click %s: %v", sel, err)
	}
	if resp == nil || resp.Status != status {
		b.t.Fatalf("click %s: the page it loaded answered %s", sel, describe(resp))
	}
}

// pressAndLoad sends keys to the focused element and waits for the page they load.
func (b *tab) pressAndLoad(keys string) {
	b.t.Helper()
	resp, err := chromedp.RunResponse(b.ctx, chromedp.KeyEvent(keys))
	if err != nil {
		b.t.Fatalf("keys %q: %v", keys, err)
	}
	if resp == nil || resp.Status != 200 {
		b.t.Fatalf("keys %q: the page they loaded answered %s", keys, describe(resp))
	}
}

func describe(resp *network.Response) string {
	if resp == nil {
		return "nothing"
	}
	return fmt.Sprintf("%d for %s", resp.Status, resp.URL)
}

// reload reloads the page and waits for it.
func (b *tab) reload() {
	b.t.Helper()
	if _, err := chromedp.RunResponse(b.ctx, chromedp.Reload()); err != nil {
		b.t.Fatalf("reload: %v", err)
	}
}

// path is the path (and query) of the page in the tab.
func (b *tab) path() string {
	b.t.Helper()
	loc := run(b, chromedp.Location())
	u, err := url.Parse(loc)
	if err != nil {
		b.t.Fatal(err)
	}
	return u.RequestURI()
}

// text is the visible text of the first element matching sel.
func (b *tab) text(sel string) string {
	b.t.Helper()
	return strings.TrimSpace(run(b, chromedp.Text(chromedp.CSS(sel))))
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](b *tab, expr string) T {
	b.t.Helper()
	return run(b, chromedp.Evaluate[T](expr))
}

// find requires an element matching sel on the page (what names it in
// the failure) and returns sel. Text and clicks wait for an element
// until the test times out; find fails at once, saying what was missing.
func (b *tab) find(what, sel string) string {
	b.t.Helper()
	q, err := json.Marshal(sel)
	if err != nil {
		b.t.Fatal(err)
	}
	if !eval[bool](b, `document.querySelector(`+string(q)+`) !== null`) {
		b.t.Fatalf("%s is not on %s (no element matches %s)", what, b.path(), sel)
	}
	return sel
}

// wantText requires the element's visible text to contain each of want.
func (b *tab) wantText(sel string, want ...string) {
	b.t.Helper()
	got := b.text(sel)
	for _, w := range want {
		if !strings.Contains(got, w) {
			b.t.Errorf("text of %s = %q, want it to contain %q", sel, got, w)
		}
	}
}

// waitFor polls a JavaScript condition until it is true, across page loads.
func (b *tab) waitFor(what, cond string, timeout time.Duration) {
	b.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](cond))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("waited %s for %s (%s); last error: %v", timeout, what, cond, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// setLanguage sets the cookie that the footer's language switch sets.
func (b *tab) setLanguage(lang string) {
	b.t.Helper()
	_, err := chromedp.Call(b.ctx, network.SetCookie, network.SetCookieParams{
		Name: "mx_lang", Value: lang, URL: b.s.app.URL() + "/", Path: "/",
	})
	if err != nil {
		b.t.Fatalf("set the language cookie: %v", err)
	}
}

// screenshot writes two PNGs to the output folder: the screen as the
// person sees it with the element sel at the top (none: the top of the
// page), and the whole page ("-completa").
func (b *tab) screenshot(name, sel string) {
	b.t.Helper()
	full := run(b, chromedp.FullScreenshot(100))
	scroll := "window.scrollTo(0, 0)"
	if sel != "" {
		scroll = fmt.Sprintf(`document.querySelector(%q).scrollIntoView({block: "start"})`, sel)
	}
	b.do(chromedp.Evaluate[chromedp.Void](scroll))
	screen := run(b, chromedp.CaptureScreenshot())
	for file, png := range map[string][]byte{name + ".png": screen, name + "-completa.png": full} {
		if err := os.WriteFile(filepath.Join(b.s.out, file), png, 0o644); err != nil {
			b.t.Fatal(err)
		}
	}
}
