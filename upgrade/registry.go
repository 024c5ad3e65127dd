// Package upgrade holds daosgo's pool layout versions and drives upgrades.
//
// A layout version is DAOS's pool global version (DAOS_POOL_GLOBAL_VERSION,
// src/include/daos/pool.h): 0 is a pool made by DAOS 2.0, which has no
// global_version property at all; 1 is DAOS 2.2, 2 is 2.4, 3 is 2.6 and 4
// is 2.8. A version means the same on both backends. Each version lists the
// ordered, idempotent steps that take a pool from the previous version to
// it, mirroring what that DAOS release's pool upgrade does
// (pool_upgrade_props in src/pool/srv_pool.c, upgrade_cont_cb in
// src/container/srv_container.c): the pool and container properties it
// introduced, and the data changes it made: the object layout (placement)
// changes of 2.4 and 2.8, which DAOS migrates with a layout-upgrade rebuild
// (pool_check_upgrade_object_layout, RB_OP_UPGRADE), and a record format
// change. The pool service of the backend executes the steps (on DAOS,
// DAOS itself); this package decides which steps a pool needs and starts
// them.
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

// BaseRelease is the DAOS release of layout version 0: pools made before
// DAOS had pool global versions.
const BaseRelease = "DAOS 2.0"

// Registry is the ordered list of layout versions a software release knows.
// Version 0 is the base layout; the registry lists versions 1 and up.
type Registry struct {
	versions []Version
	// MinFreePercent is the free space, in percent of a pool's size, that
	// an upgrade with data-moving steps needs before it may start.
	MinFreePercent uint32
}

// New checks that versions are numbered 1, 2, ... and that each step names
// its version and carries what its kind needs.
func New(minFreePercent uint32, versions ...Version) (*Registry, error) {
	for i, v := range versions {
		if want := uint32(i + 1); v.Number != want {
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

// history is DAOS's, release by release. Property values are DAOS's
// defaults (DAOS_PROP_*_DEFAULT in src/include/daos_prop.h), which is what
// DAOS's upgrade writes for a property a pool or container lacks.
func history() []Version {
	const (
		pdaMax        = 0xffffffff // DAOS_PROP_PDA_MAX, DAOS_PROP_PO_RP_PDA_DEFAULT
		perfDomainAll = 255        // DAOS_PROP_PERF_DOMAIN_ROOT
	)
	return []Version{{
		// DAOS 2.2 (DAOS_POOL_GLOBAL_VERSION 1, "aggregation
		// optimizations"): the pool redundancy factor and the
		// performance-domain affinities, on pools and containers. Its
		// tiering policy string (DAOS_PROP_PO_POLICY) is left out: DAOS
		// 2.6 gave its property number to data_thresh. Aggregation itself
		// is internal to VOS and has no counterpart here.
		Number: 1, Release: "DAOS 2.2",
		Steps: []daosgo.UpgradeStep{{
			Version: 1, Name: "add redundancy factor and performance-domain affinity pool properties", Kind: daosgo.StepPoolProps,
			// rd_fac as 2.2 defined it (0); DAOS 2.8 made 3 the default
			// for new pools, which an upgrade must not impose on old data.
			Props: props(daosgo.NumProp(daosgo.PropPoolRedunFac, 0),
				daosgo.NumProp(daosgo.PropPoolECPDA, 1), daosgo.NumProp(daosgo.PropPoolRPPDA, pdaMax)),
		}, {
			Version: 1, Name: "add performance-domain affinity container properties", Kind: daosgo.StepContProps,
			Props: props(daosgo.NumProp(daosgo.PropContECPDA, 1), daosgo.NumProp(daosgo.PropContRPPDA, pdaMax)),
		}},
	}, {
		// DAOS 2.4 (version 2, "dynamic evtree, checksum scrubbing"):
		// scrubbing, service redundancy, performance domain, WAL
		// checkpointing and reintegration mode pool properties; the
		// scrubber container property; and the object layout version
		// (DAOS_PROP_PO_OBJ_VERSION, DAOS_PROP_CO_OBJ_VERSION): pools from
		// before it have none and DAOS migrates their objects to layout 1,
		// the EC placement change.
		Number: 2, Release: "DAOS 2.4",
		Steps: []daosgo.UpgradeStep{{
			Version: 2, Name: "add scrubbing, service redundancy, performance domain, checkpointing and reintegration pool properties", Kind: daosgo.StepPoolProps,
			Props: props(daosgo.NumProp(daosgo.PropPoolScrubMode, 0), daosgo.NumProp(daosgo.PropPoolScrubFreq, 604800),
				daosgo.NumProp(daosgo.PropPoolScrubThresh, 0), daosgo.NumProp(daosgo.PropPoolSvcRedunFac, 2),
				daosgo.NumProp(daosgo.PropPoolPerfDomain, perfDomainAll), daosgo.NumProp(daosgo.PropPoolCheckpointMode, 1),
				daosgo.NumProp(daosgo.PropPoolCheckpointFreq, 5), daosgo.NumProp(daosgo.PropPoolCheckpointThr, 50),
				daosgo.NumProp(daosgo.PropPoolReintMode, 0)),
		}, {
			Version: 2, Name: "add the scrubber container property", Kind: daosgo.StepContProps,
			Props: props(daosgo.NumProp(daosgo.PropContScrubDisabled, 0)),
		}, {
			Version: 2, Name: "re-place the records of multi-group objects (object layout 1)", Kind: daosgo.StepPlacement, Placement: 1,
		}},
	}, {
		// DAOS 2.6 (version 3, "root embedded values, pool service
		// operations tracking"): the data threshold
		// (DAOS_POOL_GLOBAL_VERSION_WITH_DATA_THRESH) and service-operations
		// (DAOS_POOL_GLOBAL_VERSION_WITH_SVC_OPS_KVS) pool properties, and
		// the container performance domain. Embedded root values are a
		// VOS change with no counterpart here.
		Number: 3, Release: "DAOS 2.6",
		Steps: []daosgo.UpgradeStep{{
			Version: 3, Name: "add data threshold and service-operations pool properties", Kind: daosgo.StepPoolProps,
			Props: props(daosgo.NumProp(daosgo.PropPoolDataThresh, 4096),
				daosgo.NumProp(daosgo.PropPoolSvcOpsEnabled, 1), daosgo.NumProp(daosgo.PropPoolSvcOpsAge, 300)),
		}, {
			Version: 3, Name: "add the performance domain container property", Kind: daosgo.StepContProps,
			Props: props(daosgo.NumProp(daosgo.PropContPerfDomain, perfDomainAll)),
		}},
	}, {
		// DAOS 2.8 (version 4, "single-value gang allocation, server-side
		// pool and container handles") adds no property. It moves objects
		// to object layout 2 (DAOS_POOL_OBJ_VERSION_2: the jump consistent
		// hash placement fed its hash correctly, DAOS-17843), and bumped
		// the global version for a new durable record format (VOS pool
		// DF 28, gang-allocated single values). The record format step is
		// daosgo's own counterpart of that change: the embedded engine has
		// no allocator to gang, so its new format is what 2.8 also made
		// the default for new containers (CRC32 checksums, verified by the
		// server): every record is rewritten with a CRC32C, checked on
		// every read. Server-side handles are pool service metadata with
		// no counterpart here: the embedded engine always kept its
		// handles in the pool.
		Number: 4, Release: "DAOS 2.8",
		Steps: []daosgo.UpgradeStep{{
			Version: 4, Name: "re-place the records of multi-group objects (object layout 2)", Kind: daosgo.StepPlacement, Placement: 2,
		}, {
			Version: 4, Name: "rewrite every record with a checksum", Kind: daosgo.StepRecordFormat, Records: 2,
		}},
	}}
}

// MaxVersion is the newest layout version the registry knows.
func (r *Registry) MaxVersion() uint32 { return uint32(len(r.versions)) }

// Versions lists the versions after the base one, oldest first.
func (r *Registry) Versions() []Version { return r.versions }

// Release names the DAOS release of layout version v, or "" for a version
// the registry does not know.
func (r *Registry) Release(v uint32) string {
	if v == 0 {
		return BaseRelease
	}
	if v > r.MaxVersion() {
		return ""
	}
	return r.versions[v-1].Release
}

// Known describes the versions the registry knows, for messages: "0 (DAOS
// 2.0) to 4 (DAOS 2.8)".
func (r *Registry) Known() string {
	return fmt.Sprintf("0 (%s) to %d (%s)", BaseRelease, r.MaxVersion(), r.Release(r.MaxVersion()))
}

// UpTo returns the registry as software that knows versions up to newest
// would have it: for tests of older software meeting newer pools.
func (r *Registry) UpTo(newest uint32) *Registry {
	n := min(int(newest), len(r.versions))
	return &Registry{versions: r.versions[:n], MinFreePercent: r.MinFreePercent}
}

// Plan lists the steps from version from to the newest.
func (r *Registry) Plan(from uint32) (daosgo.UpgradePlan, error) {
	if from > r.MaxVersion() {
		return daosgo.UpgradePlan{}, daosgo.Errorf(daosgo.ErrDFIncompat,
			"layout version %d is unknown to this software, which supports versions %s", from, r.Known())
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
// base ones and those every version up to v added. (The pool service adds
// what only it sets: the global version and upgrade status from version 1,
// which introduced them, and the object layout version.)
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
