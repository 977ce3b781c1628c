package pgcluster

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// sysProcAttr runs a child as runAs (when not nil) and, for the server,
// has the kernel send it SIGQUIT (immediate shutdown) when this process
// dies, so that no cluster outlives a crashed or killed owner. The
// credentials are set before the parent-death signal, which a change of
// user would clear.
func sysProcAttr(runAs *account, server bool) *syscall.SysProcAttr {
	attr := &syscall.SysProcAttr{}
	if runAs != nil {
		attr.Credential = &syscall.Credential{Uid: uint32(runAs.uid), Gid: uint32(runAs.gid)} // #nosec G115 -- ids from the user database
	}
	if server {
		attr.Pdeathsig = syscall.SIGQUIT
	}
	return attr
}

// quit asks PostgreSQL for an immediate shutdown.
func quit(p *os.Process) error { return p.Signal(syscall.SIGQUIT) }

// procStart returns the start time of process pid, in clock ticks since
// boot (field 22 of /proc/PID/stat). known is false when it cannot tell;
// a process that does not exist is known, with an empty start.
func procStart(pid int) (start string, known bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if errors.Is(err, fs.ErrNotExist) {
		return "", true
	}
	if err != nil {
		return "", false
	}
	// The command name (field 2) is in parentheses and may hold spaces.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return "", false
	}
	fields := strings.Fields(string(b[i+1:])) // fields 3 and on
	if len(fields) < 20 {
		return "", false
	}
	return fields[19], true
}

// killPostmaster stops the postmaster of an abandoned data directory, if
// it still runs: the process its postmaster.pid names, provided that
// process works in that directory (a postmaster makes its data directory
// its working directory), so that a reused process id is left alone. An
// immediate shutdown comes first, as it also frees the server's shared
// memory; SIGKILL follows if the server lingers.
func killPostmaster(dataDir string) {
	pid, ok := postmasterPID(dataDir)
	if !ok {
		return
	}
	want, err := filepath.EvalSymlinks(dataDir)
	if err != nil {
		return
	}
	runs := func() bool {
		cwd, err := os.Readlink("/proc/" + strconv.Itoa(pid) + "/cwd")
		return err == nil && cwd == want
	}
	if !runs() {
		return
	}
	if err := syscall.Kill(pid, syscall.SIGQUIT); err != nil {
		return // it has just gone, or is not ours to stop
	}
	for deadline := time.Now().Add(stopTimeout); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if !runs() {
			return
		}
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		return
	}
}
