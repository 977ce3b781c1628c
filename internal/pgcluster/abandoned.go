package pgcluster

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Every cluster's folder is named Options.Prefix + random and holds an
// owner file naming the process that made it: its process id and start
// time (the pair tells a live owner from a new process that reuses the id).
const ownerFile = "owner"

func writeOwner(dir string) error {
	start, _ := procStart(os.Getpid()) // empty where unknown: the folder is then never swept
	text := fmt.Sprintf("%d %s\n", os.Getpid(), start)
	if err := os.WriteFile(filepath.Join(dir, ownerFile), []byte(text), 0o600); err != nil {
		return fmt.Errorf("writing the cluster's owner: %w", err)
	}
	return nil
}

// sweepAbandoned removes the clusters named prefix… left in base by
// processes that died without stopping theirs (killed, or a test binary
// without pgtest.Main). Their server normally died with them; one still
// running is killed first. It is best effort: a folder it cannot judge or
// remove stays.
func sweepAbandoned(base, prefix string) {
	entries, err := os.ReadDir(base)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), prefix) {
			continue
		}
		dir := filepath.Join(base, e.Name())
		if !abandoned(dir) {
			continue
		}
		killPostmaster(filepath.Join(dir, "data"))
		if err := os.RemoveAll(dir); err != nil {
			continue // another user's, or in use: leave it
		}
	}
}

// abandoned says whether the process that made dir has exited.
func abandoned(dir string) bool {
	b, err := os.ReadFile(filepath.Join(dir, ownerFile)) // #nosec G304 -- a cluster folder of ours
	if err != nil {
		// Its owner may not have written the file yet: only a folder
		// left so for an hour is abandoned.
		fi, err := os.Stat(dir)
		return err == nil && time.Since(fi.ModTime()) > time.Hour
	}
	fields := strings.Fields(string(b))
	if len(fields) != 2 {
		return false
	}
	pid, err := strconv.Atoi(fields[0])
	if err != nil {
		return false
	}
	start, known := procStart(pid)
	return known && start != fields[1]
}

// postmasterPID reads the process id from a data directory's
// postmaster.pid (its first line).
func postmasterPID(dataDir string) (int, bool) {
	b, err := os.ReadFile(filepath.Join(dataDir, "postmaster.pid")) // #nosec G304 -- a cluster folder of ours
	if err != nil {
		return 0, false
	}
	first, _, _ := strings.Cut(string(b), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(first))
	return pid, err == nil && pid > 0
}
