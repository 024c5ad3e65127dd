package daosgo

import (
	"fmt"
	"strconv"
	"strings"
)

// ObjectType is the feature type encoded in the top 8 bits of an OID
// (enum daos_otype_t). It decides how keys are compared and stored.
type ObjectType uint8

// Object types, with DAOS's numeric values.
const (
	OTMultiHashed  ObjectType = 0  // DAOS_OT_MULTI_HASHED: hashed dkeys and akeys
	OTOIT          ObjectType = 1  // DAOS_OT_OIT
	OTDkeyUint64   ObjectType = 2  // DAOS_OT_DKEY_UINT64
	OTAkeyUint64   ObjectType = 3  // DAOS_OT_AKEY_UINT64
	OTMultiUint64  ObjectType = 4  // DAOS_OT_MULTI_UINT64
	OTDkeyLexical  ObjectType = 5  // DAOS_OT_DKEY_LEXICAL
	OTAkeyLexical  ObjectType = 6  // DAOS_OT_AKEY_LEXICAL
	OTMultiLexical ObjectType = 7  // DAOS_OT_MULTI_LEXICAL
	OTKVHashed     ObjectType = 8  // DAOS_OT_KV_HASHED: flat KV
	OTKVUint64     ObjectType = 9  // DAOS_OT_KV_UINT64
	OTKVLexical    ObjectType = 10 // DAOS_OT_KV_LEXICAL
	OTArray        ObjectType = 11 // DAOS_OT_ARRAY: array with attributes in the object
	OTArrayAttr    ObjectType = 12 // DAOS_OT_ARRAY_ATTR
	OTArrayByte    ObjectType = 13 // DAOS_OT_ARRAY_BYTE: byte array, e.g. a DFS file
	OTOITV2        ObjectType = 14 // DAOS_OT_OIT_V2
	otMax                     = OTOITV2
)

var objectTypeNames = [...]string{
	"MULTI_HASHED", "OIT", "DKEY_UINT64", "AKEY_UINT64", "MULTI_UINT64",
	"DKEY_LEXICAL", "AKEY_LEXICAL", "MULTI_LEXICAL", "KV_HASHED", "KV_UINT64",
	"KV_LEXICAL", "ARRAY", "ARRAY_ATTR", "ARRAY_BYTE", "OIT_V2",
}

func (t ObjectType) String() string {
	if t <= otMax {
		return objectTypeNames[t]
	}
	return fmt.Sprintf("OT(%d)", uint8(t))
}

// Valid reports whether DAOS defines this object type.
func (t ObjectType) Valid() bool { return t <= otMax }

// DkeyUint64 reports whether dkeys of this type are 8-byte integers, ordered
// numerically (daos_is_dkey_uint64_type).
func (t ObjectType) DkeyUint64() bool {
	switch t {
	case OTDkeyUint64, OTMultiUint64, OTKVUint64, OTArray, OTArrayAttr, OTArrayByte:
		return true
	}
	return false
}

// AkeyUint64 reports whether akeys of this type are 8-byte integers.
func (t ObjectType) AkeyUint64() bool {
	return t == OTAkeyUint64 || t == OTMultiUint64
}

// IsArray reports whether the type is one of DAOS's array types.
func (t ObjectType) IsArray() bool {
	return t == OTArray || t == OTArrayAttr || t == OTArrayByte
}

// IsKV reports whether the type is a flat key-value type (daos_kv_*).
func (t ObjectType) IsKV() bool {
	return t == OTKVHashed || t == OTKVUint64 || t == OTKVLexical
}

// OID bit layout in Hi, as libdaos encodes it (OID_FMT_* in daos_obj.h):
// | type 8 | redundancy class 8 | group metadata 16 | user 32 |.
const (
	oidTypeShift  = 56
	oidClassShift = 48
	oidMetaShift  = 32
	oidUserMask   = 1<<32 - 1
)

// OID is a DAOS object ID (daos_obj_id_t).
type OID struct {
	Hi, Lo uint64
}

// Type returns the object type encoded in the OID.
func (o OID) Type() ObjectType { return ObjectType(o.Hi >> oidTypeShift) }

// Redundancy returns the redundancy class byte encoded in the OID.
func (o OID) Redundancy() uint8 { return uint8(o.Hi >> oidClassShift) }

// Groups returns the 16-bit group metadata encoded in the OID.
func (o OID) Groups() uint16 { return uint16(o.Hi >> oidMetaShift) }

// UserHi returns the 32 user bits of Hi.
func (o OID) UserHi() uint32 { return uint32(o.Hi & oidUserMask) }

// IsZero reports whether the OID is all zeroes.
func (o OID) IsZero() bool { return o.Hi == 0 && o.Lo == 0 }

// String formats the OID as DAOS does (DF_OID: "hi.lo" in decimal).
func (o OID) String() string {
	return strconv.FormatUint(o.Hi, 10) + "." + strconv.FormatUint(o.Lo, 10)
}

// ParseOID parses the "hi.lo" form printed by String and by DAOS tools.
func ParseOID(s string) (OID, error) {
	hi, lo, ok := strings.Cut(s, ".")
	if !ok {
		return OID{}, fmt.Errorf("parse OID %q: want hi.lo", s)
	}
	h, err := strconv.ParseUint(hi, 10, 64)
	if err != nil {
		return OID{}, fmt.Errorf("parse OID %q: %w", s, err)
	}
	l, err := strconv.ParseUint(lo, 10, 64)
	if err != nil {
		return OID{}, fmt.Errorf("parse OID %q: %w", s, err)
	}
	return OID{Hi: h, Lo: l}, nil
}

// ObjClass is a DAOS object class ID (daos_oclass_id_t): the redundancy
// class in bits 24..31 and the number of redundancy groups in bits 0..23.
type ObjClass uint32

// Object classes used by daosgo. Values are DAOS's (OBJ_CLASS_DEF).
const (
	OCUnknown ObjClass = 0
	OCS1      ObjClass = 1<<24 | 1      // OC_S1: one shard, no protection
	OCSX      ObjClass = 1<<24 | 0xffff // OC_SX: striped over all targets
)

// Redundancy returns the redundancy class (enum daos_obj_redun).
func (c ObjClass) Redundancy() uint8 { return uint8(c >> 24) }

// Groups returns the number of redundancy groups.
func (c ObjClass) Groups() uint32 { return uint32(c) & 0xffffff }

// GenerateOID encodes type and class into an OID whose user bits are lo and
// the low 32 bits of hi, as daos_obj_generate_oid does; the caller's upper
// 32 bits of hi are discarded.
func GenerateOID(userHi uint32, lo uint64, t ObjectType, class ObjClass) OID {
	groups := class.Groups()
	if groups > 0xffff {
		groups = 0xffff
	}
	hi := uint64(t)<<oidTypeShift | uint64(class.Redundancy())<<oidClassShift |
		uint64(groups)<<oidMetaShift | uint64(userHi)
	return OID{Hi: hi, Lo: lo}
}
