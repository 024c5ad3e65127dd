package embedded

import "github.com/daosgo/daosgo/daosgo"

// schemaVersion is the version of the pool file format (not the DAOS pool
// layout version, which is the pool property global_version). Version 2
// numbers layout versions as DAOS numbers pool global versions (0 = DAOS
// 2.0 ... 4 = DAOS 2.8) and placements as DAOS numbers object layouts;
// version 1 files, made before, ran one behind (their 4 was DAOS 2.6), so
// their numbers would be misread: the engine refuses them (see
// checkSchema) rather than guess.
const schemaVersion = 2

// The schema of one pool file. Keys are BLOBs compared with memcmp, which is
// DAOS's lexical order; integer keys are stored big-endian so that the same
// comparison is numeric order. WITHOUT ROWID tables keep each row in its
// primary-key B-tree, so a key range is one contiguous scan.
const schema = `
CREATE TABLE meta(
	k TEXT PRIMARY KEY,
	v ANY
) WITHOUT ROWID;

CREATE TABLE pool_props(
	id   INTEGER PRIMARY KEY,
	sval TEXT,
	ival INTEGER
);

CREATE TABLE pool_attrs(
	name  TEXT PRIMARY KEY,
	value BLOB NOT NULL
) WITHOUT ROWID;

-- Open pool and container handles of every process. A handle whose row is
-- gone has been evicted: its next use fails DER_NO_HDL.
CREATE TABLE handles(
	id     INTEGER PRIMARY KEY AUTOINCREMENT,
	parent INTEGER,           -- pool handle of a container handle
	cont   INTEGER,           -- container id, NULL for a pool handle
	flags  INTEGER NOT NULL,
	owner  TEXT NOT NULL,     -- host:pid:start-time of the opening process
	opened INTEGER NOT NULL
);
CREATE INDEX handles_cont ON handles(cont);
CREATE INDEX handles_parent ON handles(parent);

CREATE TABLE conts(
	id       INTEGER PRIMARY KEY,
	uuid     TEXT NOT NULL UNIQUE,
	label    TEXT UNIQUE,
	next_oid INTEGER NOT NULL DEFAULT 1,
	epoch    INTEGER NOT NULL DEFAULT 0,
	created  INTEGER NOT NULL
);

CREATE TABLE cont_props(
	cont INTEGER NOT NULL,
	id   INTEGER NOT NULL,
	sval TEXT,
	ival INTEGER,
	bval BLOB,
	PRIMARY KEY(cont, id)
) WITHOUT ROWID;

CREATE TABLE cont_attrs(
	cont  INTEGER NOT NULL,
	name  TEXT NOT NULL,
	value BLOB NOT NULL,
	PRIMARY KEY(cont, name)
) WITHOUT ROWID;

CREATE TABLE snaps(
	cont    INTEGER NOT NULL,
	epoch   INTEGER NOT NULL,
	name    TEXT NOT NULL,
	oit     INTEGER NOT NULL,
	created INTEGER NOT NULL,
	PRIMARY KEY(cont, epoch)
) WITHOUT ROWID;

-- Every value of every object. A single value has idx -1 and rsize equal to
-- its length; an array extent starts at record idx and holds
-- length(val)/rsize records. Extents of one akey never overlap. An object
-- with a row here exists (see hollow for one without). tgt is the target the pool's
-- placement algorithm puts the record on; csum is the value's CRC32C in
-- record format 2 and NULL before; epoch the HLC epoch of the update that
-- wrote it (NULL in files from before the engine kept it, see epochs).
CREATE TABLE recs(
	cont  INTEGER NOT NULL,
	hi    INTEGER NOT NULL,
	lo    INTEGER NOT NULL,
	dkey  BLOB NOT NULL,
	akey  BLOB NOT NULL,
	idx   INTEGER NOT NULL,
	rsize INTEGER NOT NULL,
	val   BLOB NOT NULL,
	tgt   INTEGER NOT NULL,
	csum  INTEGER,
	epoch INTEGER,
	PRIMARY KEY(cont, hi, lo, dkey, akey, idx)
) WITHOUT ROWID;

` + hollowTable + `

` + punchTable + `

-- Bytes stored on each target; their sum is the pool's used space.
CREATE TABLE space(
	tgt  INTEGER PRIMARY KEY,
	used INTEGER NOT NULL
);

-- An upgrade in progress: its plan, one row per step, and each step's
-- resume point per container. Rows are removed when the upgrade completes.
CREATE TABLE upgrade_steps(
	seq     INTEGER PRIMARY KEY,
	version INTEGER NOT NULL,
	step    TEXT NOT NULL,  -- JSON of daosgo.UpgradeStep
	done    INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE upgrade_journal(
	seq     INTEGER NOT NULL,
	cont    INTEGER NOT NULL,
	hi      INTEGER,          -- last object done, NULL before the first
	lo      INTEGER,
	done    INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY(seq, cont)
) WITHOUT ROWID;

-- The Object ID Table of each OIT snapshot, materialised when the snapshot
-- is taken, with the marker the middleware checker sets.
CREATE TABLE oit(
	cont   INTEGER NOT NULL,
	epoch  INTEGER NOT NULL,
	hi     INTEGER NOT NULL,
	lo     INTEGER NOT NULL,
	marker BLOB,
	PRIMARY KEY(cont, epoch, hi, lo)
) WITHOUT ROWID;
`

// hollowTable lists the objects whose every dkey or akey was punched: in
// DAOS such an object keeps existing, and is in the OIT, until the object
// itself is punched. An object exists while it has a row in recs or here.
const hollowTable = `CREATE TABLE hollow(
	cont INTEGER NOT NULL,
	hi   INTEGER NOT NULL,
	lo   INTEGER NOT NULL,
	PRIMARY KEY(cont, hi, lo)
) WITHOUT ROWID;`

// punchTable keeps the epoch of each object's latest punch (of the
// object, or of some of its keys). With the epochs of its records it makes
// what DAOS keeps per object (vo_max_write, raised by every update and
// punch) and answers to daos_obj_query_max_epoch, which libdfs derives
// files' and directories' mtimes from.
const punchTable = `CREATE TABLE IF NOT EXISTS punch_epochs(
	cont  INTEGER NOT NULL,
	hi    INTEGER NOT NULL,
	lo    INTEGER NOT NULL,
	epoch INTEGER NOT NULL,
	PRIMARY KEY(cont, hi, lo)
) WITHOUT ROWID;`

// addEpochs gives a pool file of this format made before write epochs
// were kept what keeps them: the punch table and the records' epoch
// column (NULL in its records, which then count as written at epoch 0,
// never, until written again). Both only add, so the format is the same.
func addEpochs(t *tx) error {
	if err := t.execScript(punchTable); err != nil {
		return err
	}
	var n int64
	if err := t.row(`SELECT COUNT(*) FROM pragma_table_info('recs') WHERE name = 'epoch'`, nil, &n); err != nil || n > 0 {
		return err
	}
	return t.execScript(`ALTER TABLE recs ADD COLUMN epoch INTEGER`)
}

// checkSchema refuses a pool file of another format version, naming it,
// in the operations that read layout versions: a file from before layout
// versions followed DAOS's numbering would otherwise be misread by one
// version. Listing and destroying such a pool still work.
func checkSchema(t *tx, pool string) error {
	var v int64
	if err := getMeta(t, "schema_version", &v); err != nil {
		return err
	}
	switch {
	case v == schemaVersion:
		return nil
	case v == 1:
		return daosgo.Errorf(daosgo.ErrDFIncompat,
			"pool %s was made by an earlier daosgo whose layout versions ran one behind DAOS's (pool file format 1; this daosgo reads format %d): "+
				"copy its data out with that daosgo, then destroy and recreate the pool", pool, schemaVersion)
	default:
		return daosgo.Errorf(daosgo.ErrDFIncompat, "pool %s has pool file format %d; this daosgo reads format %d only", pool, v, schemaVersion)
	}
}
