package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"mxcert/internal/store"
)

// runBackup copies the database while the server keeps running: SQLite's
// VACUUM INTO reads one consistent snapshot beside the server's writes.
func runBackup(ctx context.Context, args []string, s Streams) int {
	fs := newFlagSet("backup", s)
	dataDir := fs.String("data", env("data", "./data"), "carpeta de datos del servidor (MXCERT_DATA)")
	out := fs.String("out", "", "archivo nuevo para la copia; nunca se sobrescribe uno existente")
	database := fs.String("database", "", "base PostgreSQL del servidor (MXCERT_DATABASE): se respalda con pg_dump, no con este comando")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if *database == "" {
		*database = env("database", "")
	}
	if *database != "" {
		fmt.Fprintln(s.Err, "mxcert backup: el servidor usa PostgreSQL (--database / MXCERT_DATABASE); este comando copia solo el archivo SQLite.")
		fmt.Fprintln(s.Err, "Respalda PostgreSQL con pg_dump y el archivo continuo del WAL: docs/OPERATIONS.md, «Varias máquinas con PostgreSQL».")
		return 2
	}
	if *out == "" {
		fmt.Fprintln(s.Err, "Uso: mxcert backup --out ARCHIVO [--data DIR]")
		fmt.Fprintln(s.Err, "     Copia la base de datos sin detener el servidor. La llave de firma (DATA/keys) se respalda aparte.")
		return 2
	}
	// The file is copied as it is, without store.Open: that would create an
	// empty database in a mistyped folder, and migrate a running server's
	// database if this binary is newer.
	dbFile := filepath.Join(*dataDir, store.FileName)
	if _, err := os.Stat(dbFile); err != nil {
		fmt.Fprintf(s.Err, "mxcert backup: no hay base de datos en %s (¿es la carpeta de datos correcta? usa --data)\n", dbFile)
		return 1
	}
	err := store.BackupFile(ctx, dbFile, *out)
	if errors.Is(err, store.ErrExists) {
		fmt.Fprintf(s.Err, "mxcert backup: %s ya existe; elige otro nombre (un respaldo nunca se sobrescribe)\n", *out)
		return 1
	}
	if err != nil {
		fmt.Fprintf(s.Err, "mxcert backup: %v\n", err)
		return 1
	}
	st, err := os.Stat(*out)
	if err != nil {
		fmt.Fprintf(s.Err, "mxcert backup: %v\n", err)
		return 1
	}
	fmt.Fprintf(s.Out, "Copia guardada en %s (%d KB, íntegra).\n", *out, (st.Size()+1023)/1024)
	keys := filepath.Join(*dataDir, "keys")
	if k := env("key", ""); k != "" { // the server's --key, if it came from the environment
		keys = filepath.Dir(k)
	}
	fmt.Fprintf(s.Out, "Respalda también la llave de firma: %s\n", keys)
	return 0
}
