// Package floodtest proves that a flood of password checks cannot push the
// server past its memory budget for password hashing: its test builds the
// real mxcert binary (without the race detector, whose shadow memory would
// swamp the figures), starts it with a budget, sends hundreds of sign-ins
// and password changes at once and reads the process's peak resident
// memory from /proc. The package has no code of its own.
package floodtest
