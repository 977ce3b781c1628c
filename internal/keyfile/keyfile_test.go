package keyfile

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

func TestCreate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys", "signing.key")
	if err := Create(path, []byte("primera\n")); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("key file: %v, %v; want mode 0600", st, err)
	}
	if st, err := os.Stat(filepath.Dir(path)); err != nil || st.Mode().Perm() != 0o700 {
		t.Errorf("key folder: %v, %v; want mode 0700", st, err)
	}
	if err := Create(path, []byte("segunda\n")); !errors.Is(err, fs.ErrExist) {
		t.Errorf("creating it again: %v; want fs.ErrExist", err)
	}
	if got, err := os.ReadFile(path); err != nil || string(got) != "primera\n" {
		t.Errorf("the key is %q, %v; want the first one, untouched", got, err)
	}
	onlyKey(t, path)
}

// Processes starting together on an empty data folder: one key wins, and
// nobody ever reads an empty or partial file in its place.
func TestCreateConcurrently(t *testing.T) {
	for round := range 50 {
		path := filepath.Join(t.TempDir(), "keys", "signing.key")
		const n = 8
		read := make([][]byte, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				err := Create(path, fmt.Appendf(nil, "key of creator %d\n", i))
				if err != nil && !errors.Is(err, fs.ErrExist) {
					errs[i] = err
					return
				}
				read[i], errs[i] = os.ReadFile(path)
			})
		}
		wg.Wait()
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("round %d, creator %d: %v", round, i, errs[i])
			}
			if !bytes.HasPrefix(read[i], []byte("key of creator ")) || !bytes.Equal(read[i], read[0]) {
				t.Fatalf("round %d: creator %d read %q, creator 0 read %q", round, i, read[i], read[0])
			}
		}
		onlyKey(t, path)
	}
}

// onlyKey fails when the key's folder holds anything but the key.
func onlyKey(t *testing.T, path string) {
	t.Helper()
	entries, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != filepath.Base(path) {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("the key's folder holds %v; want only %s", names, filepath.Base(path))
	}
}
