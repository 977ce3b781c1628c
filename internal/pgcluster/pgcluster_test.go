package pgcluster

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFindBinaries(t *testing.T) {
	root := t.TempDir()
	install := func(dir string, names ...string) string {
		t.Helper()
		if err := os.MkdirAll(dir, 0o750); err != nil {
			t.Fatal(err)
		}
		for _, n := range names {
			if err := os.WriteFile(filepath.Join(dir, n), []byte("#!/bin/sh\n"), 0o700); err != nil { // #nosec G306 -- a fake executable
				t.Fatal(err)
			}
		}
		return dir
	}
	lib := filepath.Join(root, "lib")
	install(filepath.Join(lib, "9.6", "bin"), "initdb", "postgres")
	v10 := install(filepath.Join(lib, "10", "bin"), "initdb", "postgres")
	install(filepath.Join(lib, "16", "bin"), "initdb") // no server: not usable
	install(filepath.Join(lib, "beta", "bin"), "initdb", "postgres")
	pattern := filepath.Join(lib, "*", "bin")

	// On the PATH, a symbolic link leads to the folder of the real binary.
	onPath := install(filepath.Join(root, "path"))
	v12 := install(filepath.Join(root, "v12", "bin"), "initdb", "postgres")
	if err := os.Symlink(filepath.Join(v12, "initdb"), filepath.Join(onPath, "initdb")); err != nil {
		t.Fatal(err)
	}
	empty := install(filepath.Join(root, "empty"))

	for _, tc := range []struct {
		name, path, pattern, want string
	}{
		{"PATH first", empty + string(os.PathListSeparator) + onPath, pattern, v12},
		{"highest version", empty, pattern, v10},
		{"none", empty, filepath.Join(root, "nothing", "*", "bin"), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := findBinaries(tc.path, tc.pattern)
			if tc.want == "" {
				if err == nil || !strings.Contains(err.Error(), "PostgreSQL was not found") {
					t.Fatalf("found %q, %v; want not found", got, err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("found %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestAbandonedFolders(t *testing.T) {
	const prefix = "mxcert-pgcluster-test-"
	base := t.TempDir()
	mine := filepath.Join(base, prefix+"mine")
	dead := filepath.Join(base, prefix+"dead")
	young := filepath.Join(base, prefix+"young") // no owner file yet
	other := filepath.Join(base, "someone-else")
	for _, d := range []string{mine, dead, young, other} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	if err := writeOwner(mine); err != nil {
		t.Fatal(err)
	}
	if _, known := procStart(os.Getpid()); !known {
		t.Skip("process start times are not known on this system")
	}
	// A process id with another start time: the owner has exited and the
	// id may have been given to another process since.
	if err := os.WriteFile(filepath.Join(dead, ownerFile), []byte("1 gone\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	sweepAbandoned(base, prefix)
	for _, d := range []string{mine, young, other} {
		if _, err := os.Stat(d); err != nil {
			t.Errorf("%s: %v, want kept", filepath.Base(d), err)
		}
	}
	if _, err := os.Stat(dead); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("abandoned folder: %v, want removed", err)
	}
}
