package store

import (
	"encoding/json"
	"fmt"

	"mxcert/internal/model"
)

// Audit writes an entry to the audit log in the same transaction as the
// change it records. actorID is 0 for the command line or the system.
func (tx *Tx) Audit(actorID int64, action model.Action, subject string, detail any) error {
	data, err := json.Marshal(detail)
	if err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	var actor any
	if actorID != 0 {
		actor = actorID
	}
	_, err = tx.tx.ExecContext(tx.ctx, `INSERT INTO audit_log (at, actor_id, action, subject, detail) VALUES (?, ?, ?, ?, ?)`,
		ms(tx.Now), actor, action, subject, string(data))
	if err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}
