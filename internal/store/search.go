package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"mxcert/internal/fold"
	"mxcert/internal/model"
)

// SearchKey is what an account's search_key holds: its name, e-mail and
// state, folded (no accents, lower case), one per line. A typed word has
// no line break, so it never matches across two fields.
func SearchKey(name, email, state string) string {
	return fold.Text(name) + "\n" + fold.Text(email) + "\n" + fold.Text(state)
}

// refreshSearchKeys writes the search keys that are missing: accounts
// from before the key existed, and those whose name, e-mail or state
// changed since (a trigger clears their key). Nothing to write costs one
// look-up in a partial index.
func (db *DB) refreshSearchKeys(ctx context.Context) error {
	var stale bool
	if err := db.write.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM users WHERE search_key IS NULL)`).Scan(&stale); err != nil {
		return fmt.Errorf("stale search keys: %w", err)
	}
	if !stale {
		return nil
	}
	return db.Transact(ctx, func(tx *Tx) error {
		rows, err := tx.tx.QueryContext(ctx, `SELECT id, full_name, email, state FROM users WHERE search_key IS NULL`)
		if err != nil {
			return err
		}
		type key struct {
			id  int64
			key string
		}
		var keys []key
		for rows.Next() {
			var id int64
			var name, email, state string
			if err := rows.Scan(&id, &name, &email, &state); err != nil {
				return errors.Join(err, rows.Close())
			}
			keys = append(keys, key{id, SearchKey(name, email, state)})
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return err
		}
		stmt, err := tx.tx.PrepareContext(ctx, `UPDATE users SET search_key = ? WHERE id = ?`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, k := range keys {
			if _, err := stmt.ExecContext(ctx, k.key, k.id); err != nil {
				return fmt.Errorf("search key of user %d: %w", k.id, err)
			}
		}
		return nil
	})
}

// UserSearch is a search of the console's candidate list.
type UserSearch struct {
	// Words are folded words (fold.Words); each must be part of the
	// name, the e-mail or the state, or, for the word at the same index
	// of Codes when that is not empty, part of a certificate code.
	Words     []string
	Codes     []string // normalised code fragments, "" where a word cannot be one
	Situation model.Situation
	State     string    // exact state; "" for any
	From, To  time.Time // registered at or after From and before To; zero: no bound
	Sort      model.CandidateSort
	Limit     int
	Offset    int
}

// SearchUsers lists one page of the accounts a search finds, with how
// many it finds in all.
func (db *DB) SearchUsers(ctx context.Context, q UserSearch) ([]model.UserSummary, int, error) {
	if err := db.refreshSearchKeys(ctx); err != nil {
		return nil, 0, err
	}
	var where []string
	var args []any
	likeEscape := strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`)
	for i, w := range q.Words {
		clause := `u.search_key LIKE ? ESCAPE '\'`
		args = append(args, "%"+likeEscape.Replace(w)+"%")
		if i < len(q.Codes) && q.Codes[i] != "" {
			clause = "(" + clause + ` OR u.id IN (SELECT user_id FROM certificates WHERE code_norm LIKE ?))`
			args = append(args, "%"+q.Codes[i]+"%") // code fragments hold letters and digits only
		}
		where = append(where, clause)
	}
	switch q.Situation {
	case model.SituationAny:
	case model.SituationOpen:
		where = append(where, `u.role = 'candidate' AND u.closed_at IS NULL`)
	case model.SituationInProgress:
		where = append(where, `u.id IN (SELECT user_id FROM attempts WHERE status = 'in_progress')`)
	case model.SituationPassed:
		where = append(where, `u.id IN (SELECT user_id FROM attempts WHERE status = 'passed')`)
	case model.SituationFailed:
		where = append(where, `u.id IN (SELECT user_id FROM attempts WHERE status = 'failed')`)
	case model.SituationCertified:
		where = append(where, `u.id IN (SELECT user_id FROM certificates WHERE status = 'valid')`)
	case model.SituationRevoked:
		where = append(where, `u.id IN (SELECT user_id FROM certificates WHERE status = 'revoked')`)
	default:
		return nil, 0, fmt.Errorf("search users: unknown situation %q", q.Situation)
	}
	if q.State != "" {
		where = append(where, `u.state = ?`)
		args = append(args, q.State)
	}
	if !q.From.IsZero() {
		where = append(where, `u.created_at >= ?`)
		args = append(args, ms(q.From))
	}
	if !q.To.IsZero() {
		where = append(where, `u.created_at < ?`)
		args = append(args, ms(q.To))
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var order string
	switch q.Sort {
	case model.SortOldest:
		order = "u.created_at, u.id"
	case model.SortName:
		order = "u.search_key, u.id"
	case model.SortState:
		order = "u.state = '', u.state, u.search_key, u.id" // accounts without a state last
	default:
		order = "u.created_at DESC, u.id DESC"
	}
	var total int
	// #nosec G202 -- the clauses are constants; every value is a bound parameter
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM users u`+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count users: %w", err)
	}
	if q.Limit <= 0 {
		q.Limit = 25
	}
	// #nosec G202 -- the column list, clauses and order are constants; every value is a bound parameter
	rows, err := db.read.QueryContext(ctx, `SELECT `+prefixed("u.", userColumns)+`,
		(SELECT count(*) FROM attempts a WHERE a.user_id = u.id),
		(SELECT count(*) FROM attempts a WHERE a.user_id = u.id AND a.status = 'passed')
		FROM users u`+cond+` ORDER BY `+order+` LIMIT ? OFFSET ?`, append(args, q.Limit, max(q.Offset, 0))...)
	if err != nil {
		return nil, 0, fmt.Errorf("search users: %w", err)
	}
	defer rows.Close()
	var out []model.UserSummary
	for rows.Next() {
		var s model.UserSummary
		var created, changed int64
		var closed, merged, verified sql.NullInt64
		if err := rows.Scan(&s.ID, &s.Email, &s.EmailNorm, &s.Name, &s.State, &s.PasswordHash, &s.Role, &created, &changed, &s.ExtraMinutes, &s.Lang, &closed, &merged, &verified, &s.Attempts, &s.Passed); err != nil {
			return nil, 0, err
		}
		s.CreatedAt, s.PasswordChangedAt, s.ClosedAt, s.MergedInto, s.EmailVerifiedAt = fromMS(created), fromMS(changed), optTime(closed), merged.Int64, optTime(verified)
		out = append(out, s)
	}
	return out, total, rows.Err()
}
