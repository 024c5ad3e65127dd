package daosgo

// BasePoolProps are the pool properties DAOS pools had before layout
// versions existed (DAOS 2.0), with DAOS's default values; layout version 1
// pools have these.
func BasePoolProps() Props {
	return Props{
		NumProp(PropPoolSpaceRB, 0),
		NumProp(PropPoolSelfHeal, 3),         // exclude | rebuild
		NumProp(PropPoolReclaim, 1),          // lazy
		NumProp(PropPoolECCellSize, 128<<10), // DAOS_EC_CELL_DEF
		NumProp(PropPoolRedunFac, 0),
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
type StorageFormat struct {
	Placement uint32 `json:"placement"`
	Records   uint32 `json:"records"`
}

// BaseFormat is the storage format of layout version 1.
var BaseFormat = StorageFormat{Placement: 1, Records: 1}
