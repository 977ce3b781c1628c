package services

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"mxcert/internal/account"
	"mxcert/internal/certificate"
	"mxcert/internal/model"
	"mxcert/internal/pgtest"
)

// Every file of a data folder is its owner's alone from the first byte:
// folders 0700, files 0600, the database's -wal and -shm included, whether
// the folder is new or an existing one with the usual wider modes.
func TestDataFilesArePrivate(t *testing.T) {
	pgtest.SQLiteOnly(t) // the database file's mode
	// The usual umask would let files be created 0644: the modes must not
	// depend on it.
	old := syscall.Umask(0o022)
	t.Cleanup(func() { syscall.Umask(old) })

	for _, tc := range []struct {
		name    string
		prepare func(t *testing.T, data string)
	}{
		{"a new folder", func(*testing.T, string) {}},
		{"an existing folder anyone may read", func(t *testing.T, data string) {
			if err := os.Mkdir(data, 0o755); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := filepath.Join(t.TempDir(), "data")
			tc.prepare(t, data)
			s := open(t, Config{DataDir: data, HashParams: cheapHash})
			// Write something, so that the write-ahead log and its index exist.
			if _, err := s.Accounts.CreateUser(context.Background(), account.Registration{Name: "Ana López", Email: "ana@ejemplo.mx", Password: "una frase larga y segura"}, model.RoleCandidate); err != nil {
				t.Fatal(err)
			}
			seen := map[string]bool{}
			err := filepath.WalkDir(data, func(p string, d fs.DirEntry, err error) error {
				if err != nil {
					return err
				}
				st, err := d.Info()
				if err != nil {
					return err
				}
				rel, _ := filepath.Rel(data, p)
				seen[rel] = true
				want := fs.FileMode(0o600)
				if d.IsDir() {
					want = 0o700
				}
				if st.Mode().Perm() != want {
					t.Errorf("%s has mode %04o, want %04o", rel, st.Mode().Perm(), want)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range []string{".", "mxcert.db", "mxcert.db-wal", "mxcert.db-shm", "keys", filepath.Join("keys", "signing.key")} {
				if !seen[f] {
					t.Errorf("%s was not created; the check above did not cover it", f)
				}
			}
		})
	}
}

// A signing key that other users can read is refused, unless the operator
// allows it explicitly.
func TestSharedSigningKeyIsRefused(t *testing.T) {
	data := t.TempDir()
	s := open(t, Config{DataDir: data, HashParams: cheapHash})
	key := filepath.Join(data, "keys", "signing.key")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(key, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Open(context.Background(), Config{DataDir: data, HashParams: cheapHash})
	if !errors.Is(err, certificate.ErrSharedKey) {
		t.Fatalf("Open with a key anyone can read: %v, want ErrSharedKey", err)
	}
	open(t, Config{DataDir: data, HashParams: cheapHash, AllowSharedKey: true})
}
