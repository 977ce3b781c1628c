//go:build race

package crashtest

// raceEnabled: the server is built with -race like the test, so the build
// reuses the test's compiled packages and the server's races are caught.
const raceEnabled = true
