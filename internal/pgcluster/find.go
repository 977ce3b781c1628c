package pgcluster

import (
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// debianBins is where Debian's postgresql-NN packages put the server
// binaries, which are not on the PATH there.
const debianBins = "/usr/lib/postgresql/*/bin"

// account is the OS user the server runs as when this process runs as
// root: initdb and postgres refuse to run as root.
type account struct {
	name     string
	uid, gid int
}

// Find looks for the PostgreSQL server binaries (initdb and postgres: on
// the PATH, else in Debian's folders) and, when this process runs as root,
// for the postgres user to run them as. The error says what is missing.
func Find() (*Install, error) {
	binDir, err := findBinaries(os.Getenv("PATH"), debianBins)
	if err != nil {
		return nil, err
	}
	if os.Geteuid() != 0 {
		return &Install{BinDir: binDir}, nil
	}
	runAs, err := lookupAccount(Superuser)
	if err != nil {
		return nil, fmt.Errorf("this runs as root, and PostgreSQL cannot: %w", err)
	}
	return &Install{BinDir: binDir, runAs: runAs}, nil
}

// findBinaries returns the folder that holds both initdb and postgres: the
// first found through path (a PATH list), else the highest version among
// the folders that pattern matches. A symbolic link on the PATH is followed
// to the real folder, where initdb looks for postgres.
func findBinaries(path, pattern string) (string, error) {
	for _, dir := range filepath.SplitList(path) {
		if dir == "" {
			continue
		}
		initdb := filepath.Join(dir, "initdb")
		if !executable(initdb) {
			continue
		}
		real, err := filepath.EvalSymlinks(initdb)
		if err != nil {
			continue
		}
		if real := filepath.Dir(real); executable(filepath.Join(real, "postgres")) {
			return real, nil
		}
	}
	dirs, err := filepath.Glob(pattern)
	if err != nil {
		return "", fmt.Errorf("looking for PostgreSQL in %s: %w", pattern, err)
	}
	type candidate struct {
		dir     string
		version []int
	}
	var found []candidate
	for _, dir := range dirs {
		v, ok := parseVersion(filepath.Base(filepath.Dir(dir)))
		if ok && executable(filepath.Join(dir, "initdb")) && executable(filepath.Join(dir, "postgres")) {
			found = append(found, candidate{dir, v})
		}
	}
	if len(found) == 0 {
		return "", fmt.Errorf("PostgreSQL was not found (initdb and postgres, on the PATH or in %s)", pattern)
	}
	best := slices.MaxFunc(found, func(a, b candidate) int { return slices.Compare(a.version, b.version) })
	return best.dir, nil
}

// parseVersion reads a folder name such as "15" or "9.6".
func parseVersion(s string) ([]int, bool) {
	var v []int
	for part := range strings.SplitSeq(s, ".") {
		n, err := strconv.Atoi(part)
		if err != nil || n < 0 {
			return nil, false
		}
		v = append(v, n)
	}
	return v, true
}

func executable(path string) bool {
	fi, err := os.Stat(path) // #nosec G703 -- a look at a PATH entry or a PostgreSQL folder, never opened
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

func lookupAccount(name string) (*account, error) {
	u, err := user.Lookup(name)
	if err != nil {
		var unknown user.UnknownUserError
		if errors.As(err, &unknown) {
			return nil, fmt.Errorf("there is no %s user to run the server as", name)
		}
		return nil, fmt.Errorf("looking up the %s user: %w", name, err)
	}
	uid, err := strconv.Atoi(u.Uid)
	if err != nil {
		return nil, fmt.Errorf("user %s: uid %q: %w", name, u.Uid, err)
	}
	gid, err := strconv.Atoi(u.Gid)
	if err != nil {
		return nil, fmt.Errorf("user %s: gid %q: %w", name, u.Gid, err)
	}
	if uid == 0 {
		return nil, fmt.Errorf("user %s is root", name)
	}
	return &account{name: name, uid: uid, gid: gid}, nil
}
