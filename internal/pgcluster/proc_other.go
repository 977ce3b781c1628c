//go:build unix && !linux

package pgcluster

import (
	"os"
	"syscall"
)

// sysProcAttr runs a child as runAs (when not nil). Without Linux's
// parent-death signal, a server outlives an owner that dies without
// stopping it.
func sysProcAttr(runAs *account, _ bool) *syscall.SysProcAttr {
	attr := &syscall.SysProcAttr{}
	if runAs != nil {
		attr.Credential = &syscall.Credential{Uid: uint32(runAs.uid), Gid: uint32(runAs.gid)} // #nosec G115 -- ids from the user database
	}
	return attr
}

// quit asks PostgreSQL for an immediate shutdown.
func quit(p *os.Process) error { return p.Signal(syscall.SIGQUIT) }

// procStart cannot tell here: no folder is ever judged abandoned.
func procStart(int) (string, bool) { return "", false }

// killPostmaster does nothing here: abandoned folders are never found.
func killPostmaster(string) {}
