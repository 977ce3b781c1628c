package loadtest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"mxcert/internal/account"
	"mxcert/internal/model"
	"mxcert/internal/services"
	"mxcert/internal/store"
)

// SeedFile is where the server child lists the candidates it made, one a
// line: number, session token, attempt in progress (or "-") and the
// question at each position of it, comma-separated.
const SeedFile = "candidates.tsv"

// seedBatch is how many candidates share one transaction: few fsyncs,
// and a write-ahead log of tens of megabytes at most.
const seedBatch = 1000

// password is the simulated candidates' password.
const password = "una frase larga de prueba" // #nosec G101 -- the simulated candidates' password

func candidateEmail(i int) string { return fmt.Sprintf("c%d@carga.mxos.test", i) }

func candidateName(i int) string { return "Candidata Núñez " + letters(i) }

// seed fills the new database with n confirmed candidates, each signed
// in once, through the services' own code (accounts, sessions, exam
// assembly), in transactions of seedBatch candidates rather than one
// request each: setting up 100,000 candidates is not what is measured.
// Every candidate but the first storm has an exam in progress. One
// password hash serves every account (they share the password). The
// database is checkpointed and its write-ahead log emptied when the
// services close, so the run does not pay for the setup's log.
//
// The database is SQLite in dir, or the PostgreSQL database at database:
// then the rows are made the same way into a SQLite file in dir, copied
// (copyToPostgres) and the file removed, and the tables filled are
// vacuumed, analysed and checkpointed (tidyPostgres). It prints how long
// each step took on a line starting "SETUP".
func seed(ctx context.Context, dir, database, contentDir string, n, storm int) error {
	start := time.Now()
	set, err := services.Open(ctx, services.Config{DataDir: dir, ContentDir: contentDir,
		HashParams: account.HashParams{Memory: 64, Time: 1, Threads: 1}, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		return err
	}
	err = seedWith(ctx, set, dir, n, storm)
	if err := errors.Join(err, set.Close()); err != nil || database == "" {
		fmt.Printf("SETUP rows through the services %.1f s\n", time.Since(start).Seconds())
		return err
	}
	made := time.Now()
	// The schema, as the servers will find it.
	db, err := store.OpenPostgres(ctx, database)
	if err != nil {
		return err
	}
	if err := db.Close(); err != nil {
		return err
	}
	file := filepath.Join(dir, store.FileName)
	tables, err := copyToPostgres(ctx, file, database)
	if err != nil {
		return err
	}
	copied := time.Now()
	for _, f := range []string{file, file + "-wal", file + "-shm"} {
		if err := os.Remove(f); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	tidied, err := tidyPostgres(ctx, database, tables...)
	if err != nil {
		return err
	}
	fmt.Printf("SETUP rows through the services into SQLite %.1f s, copy to PostgreSQL %.1f s, VACUUM ANALYZE and CHECKPOINT %.1f s\n",
		made.Sub(start).Seconds(), copied.Sub(made).Seconds(), tidied.Seconds())
	return nil
}

func seedWith(ctx context.Context, set *services.Set, dir string, n, storm int) error {
	cat := set.Catalog()
	t := cat.Track(track)
	if t == nil {
		return fmt.Errorf("no track %q in the content", track)
	}
	f, err := os.OpenFile(filepath.Join(dir, SeedFile), os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600) // #nosec G304 -- in the child's own data folder
	if err != nil {
		return err
	}
	out := bufio.NewWriter(f)
	var hash string
	var firstID int64
	if n > 0 {
		first, err := set.Accounts.CreateUser(ctx, account.Registration{Name: candidateName(0), Email: candidateEmail(0), Password: password, State: "Oaxaca"}, model.RoleCandidate)
		if err != nil {
			return errors.Join(err, f.Close())
		}
		hash, firstID = first.PasswordHash, first.ID
	}
	for lo := 0; lo < n; lo += seedBatch {
		err := set.DB.Transact(ctx, func(tx *store.Tx) error {
			for i := lo; i < min(lo+seedBatch, n); i++ {
				u := &model.User{ID: firstID}
				if i > 0 {
					email := candidateEmail(i)
					u = &model.User{Email: email, EmailNorm: account.NormalizeEmail(email), Name: candidateName(i), State: "Oaxaca",
						PasswordHash: hash, Role: model.RoleCandidate, EmailVerifiedAt: &time.Time{}}
					if err := tx.CreateUser(u); err != nil {
						return err
					}
					if err := tx.Audit(0, model.ActionUserCreate, u.EmailNorm, map[string]any{"user_id": u.ID, "role": u.Role, "email_verified": "operator"}); err != nil {
						return err
					}
				}
				token, err := set.Accounts.StartSessionIn(tx, u.ID, "mxcert-load", addr(uint64(i)+1)) // #nosec G115 -- i is a candidate's number
				if err != nil {
					return err
				}
				line := []string{fmt.Sprint(i), token, "-", ""}
				if i >= storm {
					a, err := set.Attempts.StartIn(tx, &model.User{ID: u.ID}, t, cat.Versions(), candidateName(i))
					if err != nil {
						return fmt.Errorf("candidate %d: %w", i, err)
					}
					qids := make([]string, len(a.Items))
					for j, it := range a.Items {
						qids[j] = it.Item.QuestionID
					}
					line[2], line[3] = a.ID, strings.Join(qids, ",")
				}
				if _, err := out.WriteString(strings.Join(line, "\t") + "\n"); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return errors.Join(err, f.Close())
		}
	}
	if err := out.Flush(); err != nil {
		return errors.Join(err, f.Close())
	}
	return f.Close()
}
