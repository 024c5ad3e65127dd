package daosgo

// BasePoolProps are the pool properties DAOS 2.0 pools had, before pool
// global versions existed (layout version 0), with DAOS's default values.
// The redundancy factor and everything after it came with later releases.
func BasePoolProps() Props {
	return Props{
		NumProp(PropPoolSpaceRB, 0),
		NumProp(PropPoolSelfHeal, 3),         // exclude | rebuild
		NumProp(PropPoolReclaim, 1),          // lazy
		NumProp(PropPoolECCellSize, 128<<10), // DAOS_EC_CELL_DEF
	}
}

// BaseContProps are the container properties of that time, with DAOS's
// defaults.
func BaseContProps() Props {
	return Props{
		NumProp(PropContLayoutType, LayoutUnknown),
		NumProp(PropContLayoutVersion, 1),
		NumProp(PropContCsum, 0),
		NumProp(PropContRedunFac, 0),
		NumProp(PropContRedunLvl, 1),
		NumProp(PropContSnapshotMax, 0),
		NumProp(PropContCompress, 0),
		NumProp(PropContEncrypt, 0),
		NumProp(PropContDedup, 0),
	}
}

// StorageFormat is how an engine lays records out: the placement algorithm
// that puts each record on a target, and the durable record format. A
// layout version fixes both; data-moving upgrade steps change them.
// Placement is numbered as DAOS numbers object layout versions
// (DAOS_PROP_PO_OBJ_VERSION): 0 before DAOS 2.4, 1 from 2.4, 2 from 2.8.
type StorageFormat struct {
	Placement uint32 `json:"placement"`
	Records   uint32 `json:"records"`
}

// BaseFormat is the storage format of layout version 0.
var BaseFormat = StorageFormat{Placement: 0, Records: 1}
