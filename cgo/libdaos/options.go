package libdaos

// Options configure the libdaos backend.
type Options struct {
	// System is the DAOS system name (default $DAOS_SYSTEM, else DAOS's
	// default "daos_server").
	System string
	// Dmg is the dmg command used for administration (default "dmg").
	Dmg string
	// DmgArgs are extra arguments for every dmg call, e.g. "-o", CONFIG.
	DmgArgs []string
}

// NewAdmin returns the dmg-based administration interface on its own, for
// tools that administer pools without connecting to them.
func NewAdmin(opts Options) *Admin { return newAdmin(opts) }
