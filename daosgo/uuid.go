package daosgo

import "github.com/google/uuid"

// UUID identifies pools and containers.
type UUID = uuid.UUID

// ParseUUID parses the canonical 36-character form.
func ParseUUID(s string) (UUID, error) { return uuid.Parse(s) }

// looksLikeUUID mirrors daos_label_is_valid's rule that a label must not
// parse as a UUID, so that a name on the command line is never ambiguous.
func looksLikeUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	_, err := uuid.Parse(s)
	return err == nil
}
