// Package model holds the platform's records — accounts, exam attempts,
// certificates, practice sessions, the audit log — and the named states
// they go through. It does no I/O: store keeps these values, the services
// change them, web shows them. A new state of a record, or a new kind of
// audit entry, is named here, once.
package model
