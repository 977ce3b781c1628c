package account

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"

	"mxcert/internal/fail"
	"mxcert/internal/model"
	"mxcert/internal/store"
)

// OpenSession is one of a person's sessions as the account page lists it.
type OpenSession struct {
	model.Session
	Device  Device
	Current bool // the session asking
}

// ErrUnknownSession is a session to end that the account does not have
// (ended already, or never its own).
var ErrUnknownSession = fail.New(fail.ErrNotFound, "no such session of this account")

// Sessions lists the account's open sessions, the most recently active
// first; current is the token of the session asking, which is marked.
func (s *Service) Sessions(ctx context.Context, userID int64, current string) ([]OpenSession, error) {
	list, err := s.db.UserSessions(ctx, userID)
	if err != nil {
		return nil, err
	}
	u, err := s.db.UserByID(ctx, userID)
	if err != nil {
		return nil, err
	}
	mine := tokenHash(current)
	open := make([]OpenSession, 0, len(list))
	for _, sess := range list {
		if s.expired(sess, u) {
			continue // the sweep has not removed it yet
		}
		open = append(open, OpenSession{Session: sess, Device: DeviceOf(sess.UserAgent), Current: mine != nil && bytes.Equal(sess.TokenHash, mine)})
	}
	return open, nil
}

// EndSession ends one of the account's sessions, named by its public id,
// at the request of its owner from ip.
func (s *Service) EndSession(ctx context.Context, userID int64, id, ip string) error {
	if !validSessionID(id) {
		return ErrUnknownSession
	}
	return s.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.EndUserSession(userID, id); err != nil {
			if fail.KindOf(err) == fail.ErrNotFound {
				return ErrUnknownSession
			}
			return err
		}
		u, err := tx.UserByID(userID)
		if err != nil {
			return err
		}
		return tx.Audit(userID, model.ActionSignOut, u.EmailNorm, map[string]any{"ip": ip, "session": id})
	})
}

// EndOtherSessions ends every session of the account but keep (the token
// of the session asking), and says how many it ended.
func (s *Service) EndOtherSessions(ctx context.Context, userID int64, keep, ip string) (int64, error) {
	if keep == "" {
		return 0, ErrNoSession // without a session to keep, this would sign out everywhere
	}
	var ended int64
	err := s.db.Transact(ctx, func(tx *store.Tx) error {
		var err error
		if ended, err = tx.DeleteUserSessions(userID, tokenHash(keep)); err != nil {
			return err
		}
		u, err := tx.UserByID(userID)
		if err != nil {
			return err
		}
		return tx.Audit(userID, model.ActionSignOut, u.EmailNorm, map[string]any{"ip": ip, "other_sessions_ended": ended})
	})
	return ended, err
}

// newToken is a session token: 256 random bits, for a cookie.
func newToken() (string, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", fmt.Errorf("session token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(raw), nil
}

// sessionIDLen is the length of a session's public id: 128 random bits in
// hexadecimal.
const sessionIDLen = 32

func newSessionID() (string, error) {
	raw := make([]byte, sessionIDLen/2)
	if _, err := rand.Read(raw); err != nil {
		return "", fmt.Errorf("session id: %w", err)
	}
	return hex.EncodeToString(raw), nil
}

func validSessionID(id string) bool {
	if len(id) != sessionIDLen {
		return false
	}
	_, err := hex.DecodeString(id)
	return err == nil
}
