// Package keyfile writes the server's key files (the certificate signing
// key, the key that seals TOTP secrets) the first time they are needed:
// private to their owner, whole or not at all, and never over a key that
// is already there, whatever another process does at the same moment.
package keyfile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Create writes data to path, mode 0600 in a folder made 0700, unless
// path exists: then it returns an error for which errors.Is(err,
// fs.ErrExist) holds, and the caller reads the key that is there.
//
// The key is written to a temporary file in the same folder, flushed to
// disk, and linked into place. Whoever reads path, at any moment, finds
// no file or the whole key: a server starting beside another one that is
// creating the key, or after a crash or a power cut in the middle of its
// own first start, never reads a half-written or empty key file (which
// would keep it from ever starting again). Two processes creating the
// key at once keep one of the two keys, and both learn which.
func Create(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create key directory: %w", err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*") // created 0600
	if err != nil {
		return err
	}
	// The link below keeps the key; the temporary name goes either way.
	defer func() {
		if rmErr := os.Remove(tmp.Name()); rmErr != nil && err == nil {
			err = rmErr
		}
	}()
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if err = errors.Join(err, tmp.Close()); err != nil {
		return err
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		return err // fs.ErrExist when another process made it first
	}
	return syncDir(dir) // the new name survives a power cut
}

// syncDir flushes a folder's entries to disk.
func syncDir(dir string) error {
	d, err := os.Open(dir) // #nosec G304 -- the key's own folder
	if err != nil {
		return err
	}
	return errors.Join(d.Sync(), d.Close())
}
