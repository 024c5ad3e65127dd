// Package upgrade holds daosgo's pool layout versions and drives upgrades.
//
// Each layout version lists the ordered, idempotent steps that take a pool
// from the previous version to it, following DAOS's history: new pool and
// container properties (DAOS 2.0 to 2.2), a placement change that migrates
// the records of affected objects (the EC placement change of 2.4), and a
// durable record format change that adds per-record checksums. The pool
// service of the backend executes the steps; this package decides which
// steps a pool needs and starts them.
package upgrade

import (
	"fmt"

	"github.com/daosgo/daosgo/daosgo"
)

// Version is one pool layout version.
type Version struct {
	Number  uint32
	Release string // the DAOS release whose changes it mirrors
	Steps   []daosgo.UpgradeStep
}

// Registry is the ordered list of layout versions a software release knows.
// Version 1 is the base layout; the registry lists versions 2 and up.
type Registry struct {
	versions []Version
	// MinFreePercent is the free space, in percent of a pool's size, that
	// an upgrade with data-moving steps needs before it may start.
	MinFreePercent uint32
}

// New checks that versions are numbered 2, 3, ... and that each step names
// its version and carries what its kind needs.
func New(minFreePercent uint32, versions ...Version) (*Registry, error) {
	for i, v := range versions {
		if want := uint32(i + 2); v.Number != want {
			return nil, fmt.Errorf("layout version %d listed where %d belongs", v.Number, want)
		}
		if len(v.Steps) == 0 {
			return nil, fmt.Errorf("layout version %d has no step", v.Number)
		}
		for _, st := range v.Steps {
			if st.Version != v.Number {
				return nil, fmt.Errorf("step %q of version %d says version %d", st.Name, v.Number, st.Version)
			}
			switch st.Kind {
			case daosgo.StepPoolProps, daosgo.StepContProps:
				if len(st.Props) == 0 {
					return nil, fmt.Errorf("step %q adds no property", st.Name)
				}
			case daosgo.StepPlacement:
				if st.Placement == 0 {
					return nil, fmt.Errorf("step %q names no placement", st.Name)
				}
			case daosgo.StepRecordFormat:
				if st.Records == 0 {
					return nil, fmt.Errorf("step %q names no record format", st.Name)
				}
			default:
				return nil, fmt.Errorf("step %q has unknown kind %q", st.Name, st.Kind)
			}
		}
	}
	return &Registry{versions: versions, MinFreePercent: minFreePercent}, nil
}

// Default is the registry of this release of daosgo.
func Default() *Registry {
	r, err := New(10, history()...)
	if err != nil {
		panic(err) // the built-in history is checked by the tests
	}
	return r
}

func props(p ...daosgo.Prop) []daosgo.Prop { return p }

func history() []Version {
	const pdaMax = 0xffffffff // DAOS_PROP_PDA_MAX
	return []Version{{
		Number: 2, Release: "DAOS 2.2",
		Steps: []daosgo.UpgradeStep{{
			Version: 2, Name: "add performance-domain affinity pool properties", Kind: daosgo.StepPoolProps,
			Props: props(daosgo.NumProp(daosgo.PropPoolECPDA, 1), daosgo.NumProp(daosgo.PropPoolRPPDA, pdaMax)),
		}, {
			Version: 2, Name: "add performance-domain affinity container properties", Kind: daosgo.StepContProps,
			Props: props(daosgo.NumProp(daosgo.PropContECPDA, 1), daosgo.NumProp(daosgo.PropContRPPDA, pdaMax)),
		}},
	}, {
		Number: 3, Release: "DAOS 2.4",
		Steps: []daosgo.UpgradeStep{{
			Version: 3, Name: "add scrubbing, checkpointing and service redundancy pool properties", Kind: daosgo.StepPoolProps,
			Props: props(daosgo.NumProp(daosgo.PropPoolScrubMode, 0), daosgo.NumProp(daosgo.PropPoolScrubFreq, 604800),
				daosgo.NumProp(daosgo.PropPoolScrubThresh, 0), daosgo.NumProp(daosgo.PropPoolSvcRedunFac, 2),
				daosgo.NumProp(daosgo.PropPoolPerfDomain, 255), daosgo.NumProp(daosgo.PropPoolCheckpointMode, 1),
				daosgo.NumProp(daosgo.PropPoolCheckpointFreq, 5), daosgo.NumProp(daosgo.PropPoolCheckpointThr, 50)),
		}, {
			Version: 3, Name: "add the scrubber container property", Kind: daosgo.StepContProps,
			Props: props(daosgo.NumProp(daosgo.PropContScrubDisabled, 0)),
		}, {
			Version: 3, Name: "re-place the records of multi-group objects", Kind: daosgo.StepPlacement, Placement: 2,
		}},
	}, {
		Number: 4, Release: "DAOS 2.6",
		Steps: []daosgo.UpgradeStep{{
			Version: 4, Name: "add data threshold, reintegration and service-ops pool properties", Kind: daosgo.StepPoolProps,
			Props: props(daosgo.NumProp(daosgo.PropPoolDataThresh, 4096), daosgo.NumProp(daosgo.PropPoolReintMode, 0),
				daosgo.NumProp(daosgo.PropPoolSvcOpsEnabled, 1), daosgo.NumProp(daosgo.PropPoolSvcOpsAge, 300)),
		}, {
			Version: 4, Name: "rewrite every record with a checksum", Kind: daosgo.StepRecordFormat, Records: 2,
		}},
	}}
}

// MaxVersion is the newest layout version the registry knows.
func (r *Registry) MaxVersion() uint32 { return uint32(len(r.versions) + 1) }

// Versions lists the versions after the base one, oldest first.
func (r *Registry) Versions() []Version { return r.versions }

// UpTo returns the registry as software that knows versions up to max
// would have it: for tests of older software meeting newer pools.
func (r *Registry) UpTo(newest uint32) *Registry {
	n := int(newest) - 1
	n = min(max(n, 0), len(r.versions))
	return &Registry{versions: r.versions[:n], MinFreePercent: r.MinFreePercent}
}

// Plan lists the steps from version from to the newest.
func (r *Registry) Plan(from uint32) (daosgo.UpgradePlan, error) {
	if from == 0 || from > r.MaxVersion() {
		return daosgo.UpgradePlan{}, daosgo.Errorf(daosgo.ErrDFIncompat,
			"layout version %d is unknown to this software, which supports versions 1 to %d", from, r.MaxVersion())
	}
	plan := daosgo.UpgradePlan{From: from, To: r.MaxVersion(), MinFreePercent: r.MinFreePercent}
	for _, v := range r.versions {
		if v.Number > from {
			plan.Steps = append(plan.Steps, v.Steps...)
		}
	}
	return plan, nil
}

// PoolDefaults are the properties a pool created at version v has: the
// base ones and those every version up to v added.
func (r *Registry) PoolDefaults(v uint32) daosgo.Props {
	return r.collect(daosgo.BasePoolProps(), v, daosgo.StepPoolProps)
}

// ContDefaults are the properties a container created in a pool at
// version v gets: a container of an old pool lacks what later versions add.
func (r *Registry) ContDefaults(v uint32) daosgo.Props {
	return r.collect(daosgo.BaseContProps(), v, daosgo.StepContProps)
}

func (r *Registry) collect(base daosgo.Props, v uint32, kind daosgo.StepKind) daosgo.Props {
	for _, ver := range r.versions {
		if ver.Number > v {
			break
		}
		for _, st := range ver.Steps {
			if st.Kind == kind {
				for _, p := range st.Props {
					base.Set(p)
				}
			}
		}
	}
	return base
}

// Format is the storage format of a pool at version v.
func (r *Registry) Format(v uint32) daosgo.StorageFormat {
	f := daosgo.BaseFormat
	for _, ver := range r.versions {
		if ver.Number > v {
			break
		}
		for _, st := range ver.Steps {
			switch st.Kind {
			case daosgo.StepPlacement:
				f.Placement = st.Placement
			case daosgo.StepRecordFormat:
				f.Records = st.Records
			}
		}
	}
	return f
}
