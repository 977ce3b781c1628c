package admin

import (
	"context"
	"strconv"
	"time"

	"mxcert/internal/certificate"
	"mxcert/internal/model"
	"mxcert/internal/store"
)

// The exports hand over plain values. Making them safe for a particular
// file format (a spreadsheet that runs cells starting with "=" as
// formulas, for one) is the job of whoever writes that format.

// ExportAttempts streams every attempt, oldest first, to emit as rows of
// text, a header first: who took it, on which content, when, and how it
// ended. Times are UTC in RFC 3339. The bank's version came later than
// the other columns and is the last, so that sheets made before it still
// find theirs where they were.
func (s *Service) ExportAttempts(ctx context.Context, emit func(row []string) error) error {
	header := []string{"intento", "correo", "nombre", "estado_republica", "certificacion", "version_contenido", "inicio", "fin", "estado", "motivo_fin", "aciertos", "total", "porcentaje", "minutos_adicionales", "version_banco"}
	if err := emit(header); err != nil {
		return err
	}
	return s.db.ExportAttempts(ctx, func(e store.ExportAttempt) error {
		return emit([]string{e.ID, e.Email, e.HolderName, e.State, e.TrackID, e.ContentVersion, exportTime(&e.StartedAt), exportTime(e.FinishedAt),
			string(e.Status), string(e.FinishReason), strconv.Itoa(e.Score), strconv.Itoa(e.Total), strconv.Itoa(e.Percent), strconv.Itoa(e.ExtraMinutes), e.BankVersion})
	})
}

// ExportCertificates streams every certificate, oldest first, to emit as
// rows of text, a header first, with each one's status now.
func (s *Service) ExportCertificates(ctx context.Context, emit func(row []string) error) error {
	header := []string{"id", "codigo", "titular", "certificacion", "version_temario", "emitido", "vence", "estado", "revocado", "motivo", "reemplazado_por"}
	if err := emit(header); err != nil {
		return err
	}
	now := s.now()
	return s.db.ExportCertificates(ctx, func(c *model.Certificate) error {
		return emit([]string{c.ID, c.Code, c.HolderName, c.TrackTitle, c.TrackVersion, exportTime(&c.IssuedAt), exportTime(c.ExpiresAt),
			string(certificate.StatusOf(c, now)), exportTime(c.RevokedAt), c.RevocationReason, c.ReplacedBy})
	})
}

// exportTime is a time as the exports write it; empty when there is none.
func exportTime(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
