package directory

import (
	"context"
	"errors"
	"strings"
	"unicode/utf8"

	"mxcert/internal/fail"
	"mxcert/internal/model"
	"mxcert/internal/store"
)

// ReasonMax is the length of the foundation's reason for hiding a listing.
const ReasonMax = 500

// ErrNoReason: hiding a listing needs a reason.
var ErrNoReason = fail.New(fail.ErrInvalid, "a reason is needed to hide a listing")

// Hide hides a listing from the public on behalf of the foundation
// (actorID), for reason; its owner still sees and edits it. Restore
// shows it again. Both are audited with the reason, never the listing's
// contents.
func (s *Service) Hide(ctx context.Context, actorID, listingID int64, reason string) error {
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > ReasonMax || !plain(reason, true) {
		return ErrNoReason
	}
	return s.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.HideListing(listingID, actorID, reason); err != nil {
			return noListing(err)
		}
		// Hiding is what its open reports asked for: they are closed.
		closed, err := tx.CloseListingReports(listingID, actorID)
		if err != nil {
			return err
		}
		return tx.Audit(actorID, model.ActionListingHide, listingSubject(listingID), map[string]any{"listing": listingID, "reason": reason, "reports_closed": closed})
	})
}

// Restore shows again a listing the foundation hid.
func (s *Service) Restore(ctx context.Context, actorID, listingID int64) error {
	return s.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.RestoreListing(listingID); err != nil {
			return noListing(err)
		}
		return tx.Audit(actorID, model.ActionListingRestore, listingSubject(listingID), map[string]any{"listing": listingID})
	})
}

func noListing(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return ErrNoListing
	}
	return err
}
