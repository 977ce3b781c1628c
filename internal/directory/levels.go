package directory

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"mxcert/internal/fail"
	"mxcert/internal/model"
	"mxcert/internal/store"
)

// The partner programme's levels: a table the foundation edits (the
// migration seeds Socio de Servicios, Socio de Formación and Socio
// Tecnológico), and a listing marked with one of them (or none) shows it
// as a badge.

// Limits of a level.
const (
	LevelNameMax        = 60
	LevelDescriptionMax = 300
	LevelPositionMax    = 999
)

// Errors of levels.
var (
	ErrLevelName     = fail.New(fail.ErrInvalid, "a level needs a name of 1 to 60 characters")
	ErrLevelDesc     = fail.New(fail.ErrInvalid, "the level's description is too long")
	ErrLevelPosition = fail.New(fail.ErrInvalid, "the level's order is a number from 0 to 999")
	ErrLevelTaken    = fail.New(fail.ErrConflict, "another level has that name")
	ErrLevelInUse    = fail.New(fail.ErrConflict, "listings have that level")
	ErrNoLevel       = fail.New(fail.ErrNotFound, "no partner level")
)

// Levels lists the partner levels in order, with how many listings each
// has.
func (s *Service) Levels(ctx context.Context) ([]model.PartnerLevel, error) {
	return s.db.PartnerLevels(ctx)
}

// Level is one level, or ErrNoLevel.
func (s *Service) Level(ctx context.Context, id int64) (*model.PartnerLevel, error) {
	levels, err := s.Levels(ctx)
	if err != nil {
		return nil, err
	}
	for i := range levels {
		if levels[i].ID == id {
			return &levels[i], nil
		}
	}
	return nil, ErrNoLevel
}

func checkLevel(p *model.PartnerLevel) error {
	p.Name, p.Description = strings.TrimSpace(p.Name), strings.TrimSpace(p.Description)
	switch {
	case p.Name == "" || utf8.RuneCountInString(p.Name) > LevelNameMax || !plain(p.Name, false):
		return ErrLevelName
	case utf8.RuneCountInString(p.Description) > LevelDescriptionMax || !plain(p.Description, false):
		return ErrLevelDesc
	case p.Position < 0 || p.Position > LevelPositionMax:
		return ErrLevelPosition
	}
	return nil
}

// SaveLevel creates (p.ID 0) or updates a level: rename, describe, order.
func (s *Service) SaveLevel(ctx context.Context, actorID int64, p *model.PartnerLevel) error {
	if err := checkLevel(p); err != nil {
		return err
	}
	return s.db.Transact(ctx, func(tx *store.Tx) error {
		action, detail := model.ActionLevelCreate, map[string]any{"name": p.Name, "position": p.Position}
		if p.ID != 0 {
			before, err := tx.PartnerLevel(p.ID)
			if errors.Is(err, store.ErrNotFound) {
				return ErrNoLevel
			}
			if err != nil {
				return err
			}
			action, detail["before"] = model.ActionLevelUpdate, before.Name
		}
		if err := tx.SavePartnerLevel(p); errors.Is(err, store.ErrConflict) {
			return ErrLevelTaken
		} else if err != nil {
			return err
		}
		detail["level"] = p.ID
		return tx.Audit(actorID, action, levelSubject(p.ID), detail)
	})
}

// DeleteLevel deletes a level that no listing has.
func (s *Service) DeleteLevel(ctx context.Context, actorID, id int64) (*model.PartnerLevel, error) {
	var p *model.PartnerLevel
	err := s.db.Transact(ctx, func(tx *store.Tx) error {
		var err error
		if p, err = tx.PartnerLevel(id); errors.Is(err, store.ErrNotFound) {
			return ErrNoLevel
		} else if err != nil {
			return err
		}
		if err := tx.DeletePartnerLevel(id); errors.Is(err, store.ErrConflict) {
			return ErrLevelInUse
		} else if err != nil {
			return err
		}
		return tx.Audit(actorID, model.ActionLevelDelete, levelSubject(id), map[string]any{"level": id, "name": p.Name})
	})
	return p, err
}

// SetListingLevel marks a listing with a partner level, or none (0). It
// returns the level's name before and after ("" for none).
func (s *Service) SetListingLevel(ctx context.Context, actorID, listingID, levelID int64) (before, after string, err error) {
	err = s.db.Transact(ctx, func(tx *store.Tx) error {
		if levelID != 0 {
			p, err := tx.PartnerLevel(levelID)
			if errors.Is(err, store.ErrNotFound) {
				return ErrNoLevel
			}
			if err != nil {
				return err
			}
			after = p.Name
		}
		old, err := tx.SetListingLevel(listingID, levelID)
		if errors.Is(err, store.ErrNotFound) {
			return ErrNoListing
		}
		if err != nil {
			return err
		}
		if old != 0 {
			p, err := tx.PartnerLevel(old)
			if err != nil {
				return err
			}
			before = p.Name
		}
		return tx.Audit(actorID, model.ActionListingLevel, listingSubject(listingID), map[string]any{"listing": listingID, "before": before, "after": after})
	})
	return before, after, err
}

func levelSubject(id int64) string { return fmt.Sprintf("level:%d", id) }
