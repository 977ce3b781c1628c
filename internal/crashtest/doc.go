// Package crashtest proves that the server loses nothing it acknowledged
// when it dies: its test builds the real mxcert binary, drives candidates
// through registration, autosaves and submissions over HTTP, kills the
// process with SIGKILL at random moments and restarts it on the same data
// directory, checking the database after every kill. The PostgreSQL
// version runs two replicas on one database, sends each candidate's
// requests to either, and kills one at a time while the other serves (or
// first stops it, as a machine that hangs).
// Another test kills the server while it sends a queued e-mail and checks
// that the message arrives after the restart. The package has no code of
// its own; `make crashtest` runs the long version.
package crashtest
