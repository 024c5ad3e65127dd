package daosgo

import (
	"context"
	"time"
)

// StepKind says what an upgrade step does to a pool.
type StepKind string

// Upgrade step kinds.
const (
	// StepPoolProps adds pool properties a layout version introduced,
	// keeping any value already set.
	StepPoolProps StepKind = "pool-props"
	// StepContProps adds container properties a version introduced to every
	// container. (Every container's global version follows the pool's as
	// each version completes.)
	StepContProps StepKind = "cont-props"
	// StepPlacement migrates the records of every affected object to a new
	// placement algorithm.
	StepPlacement StepKind = "placement"
	// StepRecordFormat rewrites every record in a new durable format.
	StepRecordFormat StepKind = "record-format"
)

// MovesData reports whether the step rewrites or moves stored records.
func (k StepKind) MovesData() bool { return k == StepPlacement || k == StepRecordFormat }

// UpgradeStep is one idempotent action of a layout version (the design's
// "Action[i]" of version N), in a form the pool service can store and
// resume.
type UpgradeStep struct {
	Version   uint32   `json:"version"` // the version this step belongs to
	Name      string   `json:"name"`
	Kind      StepKind `json:"kind"`
	Props     []Prop   `json:"props,omitempty"`     // StepPoolProps, StepContProps
	Placement uint32   `json:"placement,omitempty"` // StepPlacement: the new algorithm
	Records   uint32   `json:"records,omitempty"`   // StepRecordFormat: the new format
}

// UpgradePlan takes a pool from version From to To through Steps, in order.
type UpgradePlan struct {
	From, To uint32
	Steps    []UpgradeStep
	// MinFreePercent is the free space, in percent of the pool's size, that
	// data-moving steps need before the upgrade may start.
	MinFreePercent uint32
}

// UpgradeProgress is what a pool reports about its upgrade.
type UpgradeProgress struct {
	Status       UpgradeStatus `json:"-"`
	State        string        `json:"status"` // Online, Upgrading, Failed
	From         uint32        `json:"from_version"`
	To           uint32        `json:"to_version"`
	Version      uint32        `json:"version"` // the pool's version now
	StepsDone    int           `json:"steps_done"`
	StepsTotal   int           `json:"steps_total"`
	Step         string        `json:"step,omitempty"`   // the step running
	Objects      uint64        `json:"objects_migrated"` // by the running data step
	ObjectsTotal uint64        `json:"objects_total"`
	Bytes        uint64        `json:"bytes_migrated"`
	BytesTotal   uint64        `json:"bytes_total"`
	// ObjectsPlanned is what every data step of the plan migrates, summed
	// (an object that two steps move counts twice); ObjectsDone is how
	// much of it is done. They give the upgrade's overall progress.
	ObjectsPlanned uint64 `json:"objects_planned"`
	ObjectsDone    uint64 `json:"objects_done"`
	// Rate is the objects (and BytesRate the bytes) migrated per second
	// by the process running the upgrade, since it started or resumed;
	// ETA is the time the rest of the plan takes at that rate. They are
	// zero until that process has migrated something.
	Rate      float64       `json:"objects_per_second"`
	BytesRate float64       `json:"bytes_per_second"`
	ETA       time.Duration `json:"-"`
	// ETASeconds is ETA for JSON readers.
	ETASeconds float64 `json:"eta_seconds"`
	// Restarts counts the times the upgrade was found abandoned (its
	// process died) and restarted in another process.
	Restarts int       `json:"restarts"`
	Error    string    `json:"error,omitempty"` // why it failed
	Started  time.Time `json:"started,omitzero"`
	Updated  time.Time `json:"updated,omitzero"`
}

// Upgrader is implemented by the Admin of a backend whose pool service
// runs layout upgrades.
type Upgrader interface {
	// StartUpgrade checks the preconditions (no rebuild in progress, the
	// free space data-moving steps need), records the plan in the pool,
	// sets its status to in progress and revokes every open handle. New
	// connections are refused until the upgrade ends. It returns at once.
	StartUpgrade(ctx context.Context, pool string, plan UpgradePlan) error
	// RunUpgrade runs the recorded plan, or what is left of it, to the end,
	// calling progress after each batch (progress may be nil).
	RunUpgrade(ctx context.Context, pool string, progress func(UpgradeProgress)) error
	// UpgradeProgress reports the pool's upgrade state.
	UpgradeProgress(ctx context.Context, pool string) (UpgradeProgress, error)
}

// Verifier is implemented by containers whose records carry checksums that
// can be verified in place (for the checker's --verify). It fails
// DER_NOTSUPPORTED where the pool's layout has no record checksums.
type Verifier interface {
	// VerifyObject checks every record of oid and returns how many it
	// checked; a mismatch fails DER_CSUM naming the record.
	VerifyObject(ctx context.Context, oid OID) (int, error)
}
