// Package e2e holds the end-to-end tests: they start the real application
// in-process and drive it in a real browser (Debian's chromium, through the
// DevTools protocol), walking the candidate's whole journey on a phone-sized
// screen, checking every page with axe-core for WCAG 2.1 A/AA problems in
// Spanish and in English, and writing screenshots to testdata/output.
//
// Without chromium the tests are skipped with a message; with
// MXCERT_REQUIRE_BROWSER=1 (set in CI) a missing browser is a failure.
package e2e
