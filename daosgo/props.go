package daosgo

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// PropID identifies a pool or container property, with DAOS's numeric
// values (DAOS_PROP_PO_* from 1, DAOS_PROP_CO_* from 0x1001).
type PropID uint32

// Pool properties.
const (
	PropPoolLabel          PropID = 1  // DAOS_PROP_PO_LABEL
	PropPoolSpaceRB        PropID = 3  // DAOS_PROP_PO_SPACE_RB: % space reserved for rebuild
	PropPoolSelfHeal       PropID = 4  // DAOS_PROP_PO_SELF_HEAL
	PropPoolReclaim        PropID = 5  // DAOS_PROP_PO_RECLAIM
	PropPoolOwner          PropID = 6  // DAOS_PROP_PO_OWNER
	PropPoolOwnerGroup     PropID = 7  // DAOS_PROP_PO_OWNER_GROUP
	PropPoolECCellSize     PropID = 9  // DAOS_PROP_PO_EC_CELL_SZ
	PropPoolDataThresh     PropID = 10 // DAOS_PROP_PO_DATA_THRESH
	PropPoolRedunFac       PropID = 11 // DAOS_PROP_PO_REDUN_FAC
	PropPoolECPDA          PropID = 12 // DAOS_PROP_PO_EC_PDA
	PropPoolRPPDA          PropID = 13 // DAOS_PROP_PO_RP_PDA
	PropPoolGlobalVersion  PropID = 14 // DAOS_PROP_PO_GLOBAL_VERSION: the pool layout version
	PropPoolUpgradeStatus  PropID = 15 // DAOS_PROP_PO_UPGRADE_STATUS
	PropPoolScrubMode      PropID = 16 // DAOS_PROP_PO_SCRUB_MODE
	PropPoolScrubFreq      PropID = 17 // DAOS_PROP_PO_SCRUB_FREQ
	PropPoolScrubThresh    PropID = 18 // DAOS_PROP_PO_SCRUB_THRESH
	PropPoolSvcRedunFac    PropID = 19 // DAOS_PROP_PO_SVC_REDUN_FAC
	PropPoolObjVersion     PropID = 20 // DAOS_PROP_PO_OBJ_VERSION
	PropPoolPerfDomain     PropID = 21 // DAOS_PROP_PO_PERF_DOMAIN
	PropPoolCheckpointMode PropID = 22 // DAOS_PROP_PO_CHECKPOINT_MODE
	PropPoolCheckpointFreq PropID = 23 // DAOS_PROP_PO_CHECKPOINT_FREQ
	PropPoolCheckpointThr  PropID = 24 // DAOS_PROP_PO_CHECKPOINT_THRESH
	PropPoolReintMode      PropID = 25 // DAOS_PROP_PO_REINT_MODE
	PropPoolSvcOpsEnabled  PropID = 26 // DAOS_PROP_PO_SVC_OPS_ENABLED
	PropPoolSvcOpsAge      PropID = 27 // DAOS_PROP_PO_SVC_OPS_ENTRY_AGE
)

// Container properties.
const (
	PropContLabel         PropID = 0x1001 // DAOS_PROP_CO_LABEL
	PropContLayoutType    PropID = 0x1002 // DAOS_PROP_CO_LAYOUT_TYPE
	PropContLayoutVersion PropID = 0x1003 // DAOS_PROP_CO_LAYOUT_VER: the middleware's own version
	PropContCsum          PropID = 0x1004 // DAOS_PROP_CO_CSUM
	PropContCsumChunkSize PropID = 0x1005 // DAOS_PROP_CO_CSUM_CHUNK_SIZE
	PropContCsumSrvVerify PropID = 0x1006 // DAOS_PROP_CO_CSUM_SERVER_VERIFY
	PropContRedunFac      PropID = 0x1007 // DAOS_PROP_CO_REDUN_FAC
	PropContRedunLvl      PropID = 0x1008 // DAOS_PROP_CO_REDUN_LVL
	PropContSnapshotMax   PropID = 0x1009 // DAOS_PROP_CO_SNAPSHOT_MAX
	PropContCompress      PropID = 0x100b // DAOS_PROP_CO_COMPRESS
	PropContEncrypt       PropID = 0x100c // DAOS_PROP_CO_ENCRYPT
	PropContOwner         PropID = 0x100d // DAOS_PROP_CO_OWNER
	PropContOwnerGroup    PropID = 0x100e // DAOS_PROP_CO_OWNER_GROUP
	PropContDedup         PropID = 0x100f // DAOS_PROP_CO_DEDUP
	PropContDedupThresh   PropID = 0x1010 // DAOS_PROP_CO_DEDUP_THRESHOLD
	PropContRoots         PropID = 0x1011 // DAOS_PROP_CO_ROOTS: four OIDs the middleware starts from
	PropContStatus        PropID = 0x1012 // DAOS_PROP_CO_STATUS
	PropContAllocedOID    PropID = 0x1013 // DAOS_PROP_CO_ALLOCED_OID
	PropContECCellSize    PropID = 0x1014 // DAOS_PROP_CO_EC_CELL_SZ
	PropContECPDA         PropID = 0x1015 // DAOS_PROP_CO_EC_PDA
	PropContRPPDA         PropID = 0x1016 // DAOS_PROP_CO_RP_PDA
	PropContGlobalVersion PropID = 0x1017 // DAOS_PROP_CO_GLOBAL_VERSION
	PropContScrubDisabled PropID = 0x1018 // DAOS_PROP_CO_SCRUBBER_DISABLED
	PropContObjVersion    PropID = 0x1019 // DAOS_PROP_CO_OBJ_VERSION
	PropContPerfDomain    PropID = 0x101a // DAOS_PROP_CO_PERF_DOMAIN
)

// Container layout types (DAOS_PROP_CO_LAYOUT_*).
const (
	LayoutUnknown uint64 = 0
	LayoutPOSIX   uint64 = 1
	LayoutHDF5    uint64 = 2
	LayoutPython  uint64 = 3
)

// LayoutName returns the name DAOS tools print for a layout type.
func LayoutName(t uint64) string {
	switch t {
	case LayoutPOSIX:
		return "POSIX"
	case LayoutHDF5:
		return "HDF5"
	case LayoutPython:
		return "PYTHON"
	case LayoutUnknown:
		return "unknown"
	}
	return fmt.Sprintf("layout(%d)", t)
}

// ParseLayout parses a layout type name (case-insensitive) or number.
func ParseLayout(s string) (uint64, error) {
	switch strings.ToUpper(s) {
	case "POSIX":
		return LayoutPOSIX, nil
	case "HDF5":
		return LayoutHDF5, nil
	case "PYTHON":
		return LayoutPython, nil
	case "UNKNOWN", "":
		return LayoutUnknown, nil
	}
	if n, err := strconv.ParseUint(s, 10, 64); err == nil {
		return n, nil
	}
	return 0, Errorf(ErrInval, "unknown container type %q (want POSIX, HDF5 or PYTHON)", s)
}

// UpgradeStatus is the value of PropPoolUpgradeStatus (enum
// daos_upgrade_status in DAOS).
type UpgradeStatus uint64

// Upgrade status values, as DAOS numbers them.
const (
	UpgradeNotStarted UpgradeStatus = 0
	UpgradeInProgress UpgradeStatus = 1
	UpgradeCompleted  UpgradeStatus = 2
	UpgradeFailed     UpgradeStatus = 3
)

// PoolStatus is the status DAOS's design shows as "Pool status": Online
// when no upgrade runs or the last one completed.
func (s UpgradeStatus) PoolStatus() string {
	switch s {
	case UpgradeNotStarted, UpgradeCompleted:
		return "Online"
	case UpgradeInProgress:
		return "Upgrading"
	case UpgradeFailed:
		return "Failed"
	}
	return fmt.Sprintf("Unknown(%d)", uint64(s))
}

func (s UpgradeStatus) String() string {
	switch s {
	case UpgradeNotStarted:
		return "not started"
	case UpgradeInProgress:
		return "in progress"
	case UpgradeCompleted:
		return "completed"
	case UpgradeFailed:
		return "failed"
	}
	return fmt.Sprintf("unknown(%d)", uint64(s))
}

// Roots is the value of PropContRoots (struct daos_prop_co_roots).
type Roots [4]OID

// PropKind says how a property's value is held.
type PropKind int

// Property value kinds.
const (
	KindNumber PropKind = iota
	KindString
	KindRoots
)

// Prop is one property entry (struct daos_prop_entry): the value lives in
// Str, Num or Roots according to the ID's kind.
type Prop struct {
	ID    PropID
	Str   string
	Num   uint64
	Roots Roots
}

// StrProp, NumProp and RootsProp build entries of each kind.
func StrProp(id PropID, s string) Prop { return Prop{ID: id, Str: s} }
func NumProp(id PropID, n uint64) Prop { return Prop{ID: id, Num: n} }
func RootsProp(r Roots) Prop           { return Prop{ID: PropContRoots, Roots: r} }
func (p Prop) Kind() PropKind          { return p.ID.Info().Kind }
func (p Prop) Name() string            { return p.ID.Info().Name }
func (p Prop) Description() string     { return p.ID.Info().Description }
func (id PropID) IsPool() bool         { return id > 0 && id < 0x1000 }
func (id PropID) IsContainer() bool    { return id > 0x1000 && id < 0x2000 }
func (id PropID) Known() bool          { _, ok := propInfos[id]; return ok }
func (id PropID) String() string       { return id.Info().Name }
func (p Props) Len() int               { return len(p) }
func (p Props) Less(i, j int) bool     { return p[i].ID < p[j].ID }
func (p Props) Swap(i, j int)          { p[i], p[j] = p[j], p[i] }
func (p Props) Sorted() Props          { q := append(Props(nil), p...); sort.Sort(q); return q }
func (p Props) Has(id PropID) bool     { _, ok := p.Get(id); return ok }

// ValueString formats the value for display, naming enumerations.
func (p Prop) ValueString() string {
	switch p.ID {
	case PropContLayoutType:
		return LayoutName(p.Num)
	case PropPoolUpgradeStatus:
		return UpgradeStatus(p.Num).PoolStatus()
	case PropContRoots:
		s := make([]string, 0, 4)
		for _, o := range p.Roots {
			s = append(s, o.String())
		}
		return strings.Join(s, ", ")
	}
	if w, ok := p.ID.ValueWord(p.Num); ok && p.ID.IsPool() {
		return w // as dmg prints it: "Reclaim strategy: lazy"
	}
	switch p.Kind() {
	case KindString:
		return p.Str
	default:
		return strconv.FormatUint(p.Num, 10)
	}
}

// PropInfo describes a property for tools: its name as DAOS's tools spell
// it, its description as they print it, and its kind.
type PropInfo struct {
	Name        string
	Description string
	Kind        PropKind
	ReadOnly    bool // set by the system, not by users
}

var propInfos = map[PropID]PropInfo{
	PropPoolLabel:          {"label", "Pool label", KindString, false},
	PropPoolSpaceRB:        {"space_rb", "Rebuild space ratio", KindNumber, false},
	PropPoolSelfHeal:       {"self_heal", "Self-healing policy", KindNumber, false},
	PropPoolReclaim:        {"reclaim", "Reclaim strategy", KindNumber, false},
	PropPoolOwner:          {"owner", "Pool owner", KindString, false},
	PropPoolOwnerGroup:     {"group", "Pool group", KindString, false},
	PropPoolECCellSize:     {"ec_cell_sz", "EC cell size", KindNumber, false},
	PropPoolDataThresh:     {"data_thresh", "Data bdev threshold size", KindNumber, false},
	PropPoolRedunFac:       {"rd_fac", "Pool redundancy factor", KindNumber, false},
	PropPoolECPDA:          {"ec_pda", "EC performance domain affinity level", KindNumber, false},
	PropPoolRPPDA:          {"rp_pda", "RP performance domain affinity level", KindNumber, false},
	PropPoolGlobalVersion:  {"global_version", "Pool version", KindNumber, true},
	PropPoolUpgradeStatus:  {"upgrade_status", "Pool status", KindNumber, true},
	PropPoolScrubMode:      {"scrub", "Checksum scrubbing mode", KindNumber, false},
	PropPoolScrubFreq:      {"scrub_freq", "Checksum scrubbing frequency", KindNumber, false},
	PropPoolScrubThresh:    {"scrub_thresh", "Checksum scrubbing threshold", KindNumber, false},
	PropPoolSvcRedunFac:    {"svc_rf", "Pool service redundancy factor", KindNumber, false},
	PropPoolObjVersion:     {"obj_version", "Pool object version", KindNumber, true},
	PropPoolPerfDomain:     {"perf_domain", "Pool performance domain", KindNumber, false},
	PropPoolCheckpointMode: {"checkpoint", "WAL checkpointing behavior", KindNumber, false},
	PropPoolCheckpointFreq: {"checkpoint_freq", "WAL checkpointing frequency, in seconds", KindNumber, false},
	PropPoolCheckpointThr:  {"checkpoint_thresh", "WAL checkpointing threshold, in percentage", KindNumber, false},
	PropPoolReintMode:      {"reintegration", "Reintegration mode", KindNumber, false},
	PropPoolSvcOpsEnabled:  {"svc_ops_enabled", "Pool service operations enabled", KindNumber, false},
	PropPoolSvcOpsAge:      {"svc_ops_entry_age", "Pool service operations entry age", KindNumber, false},

	PropContLabel:         {"label", "Label", KindString, false},
	PropContLayoutType:    {"layout_type", "Layout Type", KindNumber, false},
	PropContLayoutVersion: {"layout_version", "Layout Version", KindNumber, false},
	PropContCsum:          {"cksum", "Checksum", KindNumber, false},
	PropContCsumChunkSize: {"cksum_size", "Checksum Chunk Size", KindNumber, false},
	PropContCsumSrvVerify: {"srv_cksum", "Server Checksumming", KindNumber, false},
	PropContRedunFac:      {"rd_fac", "Redundancy Factor", KindNumber, false},
	PropContRedunLvl:      {"rd_lvl", "Redundancy Level", KindNumber, false},
	PropContSnapshotMax:   {"max_snapshot", "Max Snapshot", KindNumber, false},
	PropContCompress:      {"compression", "Compression", KindNumber, false},
	PropContEncrypt:       {"encryption", "Encryption", KindNumber, false},
	PropContOwner:         {"owner", "Owner", KindString, false},
	PropContOwnerGroup:    {"group", "Group", KindString, false},
	PropContDedup:         {"dedup", "Deduplication", KindNumber, false},
	PropContDedupThresh:   {"dedup_threshold", "Dedupe Threshold", KindNumber, false},
	PropContRoots:         {"roots", "Roots", KindRoots, false},
	PropContStatus:        {"status", "Health", KindNumber, true},
	PropContAllocedOID:    {"alloc_oid", "Highest Allocated OID", KindNumber, true},
	PropContECCellSize:    {"ec_cell_sz", "EC Cell Size", KindNumber, false},
	PropContECPDA:         {"ec_pda", "Performance domain affinity level of EC", KindNumber, false},
	PropContRPPDA:         {"rp_pda", "Performance domain affinity level of RP", KindNumber, false},
	PropContGlobalVersion: {"global_version", "Global Version", KindNumber, true},
	PropContScrubDisabled: {"scrubber_disabled", "Scrubber Disabled", KindNumber, false},
	PropContObjVersion:    {"obj_version", "Object Version", KindNumber, true},
	PropContPerfDomain:    {"perf_domain", "Performance domain level", KindNumber, false},
}

// Info describes the property; an unknown ID gets a generic description.
func (id PropID) Info() PropInfo {
	if in, ok := propInfos[id]; ok {
		return in
	}
	return PropInfo{Name: fmt.Sprintf("prop_%#x", uint32(id)), Description: fmt.Sprintf("Property %#x", uint32(id))}
}

// LookupProp finds a pool (pool=true) or container property by name.
func LookupProp(name string, pool bool) (PropID, bool) {
	for id, in := range propInfos {
		if in.Name == name && id.IsPool() == pool {
			return id, true
		}
	}
	return 0, false
}

// PropNames lists the known pool (pool=true) or container property names.
func PropNames(pool bool) []string {
	var names []string
	for id, in := range propInfos {
		if id.IsPool() == pool {
			names = append(names, in.Name)
		}
	}
	sort.Strings(names)
	return names
}

// ParseProp parses "name:value" as DAOS tools accept it.
func ParseProp(s string, pool bool) (Prop, error) {
	name, val, ok := strings.Cut(s, ":")
	if !ok {
		return Prop{}, Errorf(ErrInval, "property %q: want name:value", s)
	}
	id, ok := LookupProp(name, pool)
	if !ok {
		return Prop{}, Errorf(ErrInval, "unknown property %q (known: %s)", name, strings.Join(PropNames(pool), ", "))
	}
	p := Prop{ID: id}
	switch {
	case id == PropContLayoutType:
		n, err := ParseLayout(val)
		if err != nil {
			return Prop{}, err
		}
		p.Num = n
	case id.Info().Kind == KindString:
		p.Str = val
	case id.Info().Kind == KindRoots:
		return Prop{}, Errorf(ErrInval, "property %q cannot be set from the command line", name)
	default:
		if n, ok := id.ParseValueWord(val); ok && pool {
			p.Num = n // the words dmg prints and takes (reclaim:lazy)
			break
		}
		n, err := strconv.ParseUint(val, 0, 64)
		if err != nil {
			if words := id.ValueWords(); pool && len(words) > 0 {
				return Prop{}, Errorf(ErrInval, "property %s: %q is not one of %s, nor a number", name, val, strings.Join(words, ", "))
			}
			return Prop{}, Errorf(ErrInval, "property %s: %q is not a number", name, val)
		}
		p.Num = n
	}
	return p, nil
}

// Props is a property list (daos_prop_t).
type Props []Prop

// Get returns the entry for id.
func (p Props) Get(id PropID) (Prop, bool) {
	for _, e := range p {
		if e.ID == id {
			return e, true
		}
	}
	return Prop{}, false
}

// Set adds or replaces the entry for e.ID.
func (p *Props) Set(e Prop) {
	for i := range *p {
		if (*p)[i].ID == e.ID {
			(*p)[i] = e
			return
		}
	}
	*p = append(*p, e)
}

// Num returns a numeric property, or def when absent.
func (p Props) Num(id PropID, def uint64) uint64 {
	if e, ok := p.Get(id); ok {
		return e.Num
	}
	return def
}

// Str returns a string property, or "" when absent.
func (p Props) Str(id PropID) string {
	e, _ := p.Get(id)
	return e.Str
}

// ValidLabel reports whether s is a valid DAOS pool or container label:
// 1 to 127 characters among letters, digits and ".-_:", and not a UUID
// (daos_label_is_valid).
func ValidLabel(s string) error {
	if len(s) == 0 || len(s) > LabelMaxLen {
		return Errorf(ErrInval, "label %q must be 1 to %d characters", s, LabelMaxLen)
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '.' || c == '_' || c == ':' || c == '-') {
			return Errorf(ErrInval, "label %q may hold only letters, digits and . _ : -", s)
		}
	}
	if looksLikeUUID(s) {
		return Errorf(ErrInval, "label %q must not be a UUID", s)
	}
	return nil
}

// LabelMaxLen is DAOS_PROP_LABEL_MAX_LEN.
const LabelMaxLen = 127
