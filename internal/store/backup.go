package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"

	"github.com/mattn/go-sqlite3"
)

// ErrExists is a backup target that is already there: a backup never
// overwrites a file.
var ErrExists = errors.New("file already exists")

// Backup writes a consistent copy of the database to path while the
// server keeps serving; see BackupFile.
func (db *DB) Backup(ctx context.Context, path string) error {
	return BackupFile(ctx, db.path, path)
}

// BackupFile copies the SQLite database at src to dst with VACUUM INTO. It
// reads one snapshot (a WAL read transaction) on a read-only connection of
// its own, so a server using src keeps answering and writing meanwhile, and
// nothing in src changes: no migration either, since the command line may
// be another version than the server it copies. dst is created with mode
// 0600 and must not exist (ErrExists); the copy is synced to disk and
// checked before BackupFile returns. A failed backup leaves no file.
func BackupFile(ctx context.Context, src, dst string) (err error) {
	if _, err := os.Stat(src); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	// O_EXCL creates the file or fails, so two backups never write into
	// one file and an old backup is never overwritten. VACUUM INTO accepts
	// an empty file.
	f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600) // #nosec G304 -- the operator names the backup file
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("backup to %s: %w", dst, ErrExists)
	}
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := f.Close(); err != nil {
		return errors.Join(fmt.Errorf("backup: %w", err), os.Remove(dst))
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, removeBackup(dst))
		}
	}()

	// Not the server's pools: the single writer would hold back every
	// write for the length of the copy, and the read pool is query-only,
	// which refuses VACUUM INTO. mode=ro reads a live WAL database.
	conn, err := sql.Open("sqlite3", "file:"+src+"?"+url.Values{"mode": {"ro"}, "_busy_timeout": {"10000"}}.Encode())
	if err != nil {
		return fmt.Errorf("backup: open %s: %w", src, err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "VACUUM INTO ?", dst); err != nil {
		return fmt.Errorf("backup to %s: %w", dst, err)
	}
	// SQLite does not sync the file VACUUM INTO writes.
	if err := syncFile(dst); err != nil {
		return fmt.Errorf("backup: sync %s: %w", dst, err)
	}
	if err := CheckIntegrity(ctx, dst); err != nil {
		return fmt.Errorf("backup: the copy does not check: %w", err)
	}
	return nil
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0) // #nosec G304 -- the backup file just written
	if err != nil {
		return err
	}
	return errors.Join(f.Sync(), f.Close())
}

// removeBackup deletes a failed backup and the journal files SQLite may
// have left beside it.
func removeBackup(path string) error {
	var errs []error
	for _, p := range []string{path, path + "-journal", path + "-wal", path + "-shm"} {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// ErrCorrupt is a database file that fails SQLite's integrity check.
var ErrCorrupt = errors.New("integrity check failed")

// CheckIntegrity runs PRAGMA integrity_check on the database file at path
// (a backup, or a data directory's file while no server writes to it) and
// returns ErrCorrupt with SQLite's first messages when it is not "ok". The
// connection changes nothing in the file.
func CheckIntegrity(ctx context.Context, path string) error {
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("check %s: %w", path, err)
	}
	conn, err := sql.Open("sqlite3", "file:"+path+"?"+url.Values{"_query_only": {"1"}, "_busy_timeout": {"10000"}}.Encode())
	if err != nil {
		return fmt.Errorf("check %s: %w", path, err)
	}
	defer conn.Close()
	rows, err := conn.QueryContext(ctx, "PRAGMA integrity_check(20)")
	if err != nil {
		return checkError(path, err)
	}
	defer rows.Close()
	var msgs []string
	for rows.Next() {
		var m string
		if err := rows.Scan(&m); err != nil {
			return checkError(path, err)
		}
		msgs = append(msgs, m)
	}
	if err := rows.Err(); err != nil {
		return checkError(path, err)
	}
	if len(msgs) != 1 || msgs[0] != "ok" {
		return fmt.Errorf("check %s: %w: %s", path, ErrCorrupt, strings.Join(msgs, "; "))
	}
	return nil
}

// checkError reports a file too damaged for the check to run (SQLite's
// SQLITE_CORRUPT or SQLITE_NOTADB) as ErrCorrupt too.
func checkError(path string, err error) error {
	var se sqlite3.Error
	if errors.As(err, &se) && (se.Code == sqlite3.ErrCorrupt || se.Code == sqlite3.ErrNotADB) {
		return fmt.Errorf("check %s: %w: %w", path, ErrCorrupt, err)
	}
	return fmt.Errorf("check %s: %w", path, err)
}
