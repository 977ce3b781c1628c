package directory

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"mxcert/internal/fail"
	"mxcert/internal/model"
	"mxcert/internal/store"
)

// Reports: a visitor, with no account, reports a visible listing with a
// reason from a short list and optional details. Nothing in a report
// says who made it. The foundation dismisses it or hides the listing
// (which closes its open reports).

// ReportDetailsMax is the length of a report's details.
const ReportDetailsMax = 1000

// Errors of reports.
var (
	ErrReportReason  = fail.New(fail.ErrInvalid, "choose a reason for the report")
	ErrReportDetails = fail.New(fail.ErrInvalid, "the report's details are too long")
	ErrNoReport      = fail.New(fail.ErrNotFound, "no report")
	ErrReportClosed  = fail.New(fail.ErrConflict, "the report was already closed")
)

// Report stores a visitor's report of a visible listing.
func (s *Service) Report(ctx context.Context, listingID int64, reason, details string) (*model.Report, error) {
	details = strings.TrimSpace(strings.ReplaceAll(details, "\r\n", "\n"))
	if !slices.Contains(model.ReportReasons, reason) {
		return nil, ErrReportReason
	}
	if utf8.RuneCountInString(details) > ReportDetailsMax || !plain(details, true) {
		return nil, ErrReportDetails
	}
	r := &model.Report{ListingID: listingID, Reason: reason, Details: details}
	err := s.db.Transact(ctx, func(tx *store.Tx) error {
		if _, err := s.db.PublicListing(ctx, listingID, tx.Now); errors.Is(err, store.ErrNotFound) {
			return ErrNoListing
		} else if err != nil {
			return err
		}
		return tx.CreateReport(r)
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// OpenReports is the moderation queue's reports, oldest first.
func (s *Service) OpenReports(ctx context.Context) ([]model.Report, error) {
	return s.db.OpenReports(ctx, QueueMax)
}

// ReportByID is any report, for the console.
func (s *Service) ReportByID(ctx context.Context, id int64) (*model.Report, error) {
	r, err := s.db.ReportByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNoReport
	}
	return r, err
}

// DismissReport closes an open report with nothing to do.
func (s *Service) DismissReport(ctx context.Context, actorID, reportID int64) error {
	return s.db.Transact(ctx, func(tx *store.Tx) error {
		r, err := tx.ReportByID(reportID)
		if errors.Is(err, store.ErrNotFound) {
			return ErrNoReport
		}
		if err != nil {
			return err
		}
		if err := tx.CloseReport(reportID, actorID, model.ReportDismissed); errors.Is(err, store.ErrConflict) {
			return ErrReportClosed
		} else if err != nil {
			return err
		}
		return tx.Audit(actorID, model.ActionReportDismiss, fmt.Sprintf("report:%d", reportID),
			map[string]any{"listing": r.ListingID, "report": reportID, "reason": r.Reason})
	})
}
