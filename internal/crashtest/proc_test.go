package crashtest

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// stopped says whether every thread of process pid is stopped (state T in
// /proc/PID/task/*/stat, Linux). known is false where /proc cannot tell.
func stopped(pid int) (stopped, known bool) {
	stats, err := filepath.Glob(filepath.Join("/proc", strconv.Itoa(pid), "task", "*", "stat"))
	if err != nil || len(stats) == 0 {
		return false, false
	}
	for _, p := range stats {
		b, err := os.ReadFile(p) // #nosec G304 -- a /proc file of our child
		if err != nil {
			return false, false
		}
		// "TID (name) STATE …": the name may hold spaces and parentheses.
		stat := string(b)
		i := strings.LastIndex(stat, ") ")
		if i < 0 || !strings.HasPrefix(stat[i+2:], "T") {
			return false, true
		}
	}
	return true, true
}
