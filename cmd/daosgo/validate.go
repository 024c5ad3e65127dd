package main

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/alecthomas/kong"
	"github.com/daosgo/daosgo/daosgo"
	"github.com/google/uuid"
)

// Command-line values are checked when the command line is parsed (kong
// calls UnmarshalText on flag types and Validate on commands), so that a
// value out of its range is refused, exit 2, before anything is done.

// fileMode is a permissions flag, always read in octal as chmod reads it.
type fileMode uint32

func (m *fileMode) UnmarshalText(text []byte) error {
	n, err := strconv.ParseUint(string(text), 8, 32)
	if err != nil || n > 0o7777 {
		return fmt.Errorf("mode %q: want octal permissions from 0 to 7777, such as 0644", text)
	}
	*m = fileMode(n)
	return nil
}

// uuidFlag is a UUID given on the command line.
type uuidFlag uuid.UUID

func (u *uuidFlag) UnmarshalText(text []byte) error {
	id, err := uuid.Parse(string(text))
	if err != nil {
		return fmt.Errorf("%q is not a UUID (want 32 hex digits as 8-4-4-4-12, such as 2a0c4a8b-9bd5-4569-92c7-839f6845ffe0)", text)
	}
	if id == uuid.Nil {
		return fmt.Errorf("%q: the nil UUID names no pool", text)
	}
	*u = uuidFlag(id)
	return nil
}

// intFlag is an integer flag that takes a negative value as a value, not
// as a flag, so that "--count -1" is refused with the range it misses.
type intFlag int

func (n *intFlag) Decode(ctx *kong.DecodeContext) error {
	t := ctx.Scan.Pop()
	s, ok := t.Value.(string)
	if !ok || !t.IsValue() && !negativeNumber.MatchString(s) {
		return fmt.Errorf("expected a whole number but got %q", t.String())
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		return fmt.Errorf("%q is not a whole number", s)
	}
	*n = intFlag(v)
	return nil
}

// inRange checks an integer flag against its accepted range.
func inRange(flag string, v intFlag, lo, hi int) error {
	if int(v) < lo || int(v) > hi {
		return fmt.Errorf("%s %d: want %d to %d", flag, v, lo, hi)
	}
	return nil
}

// validLabel checks a label given on the command line.
func validLabel(what, label string) error {
	if err := daosgo.ValidLabel(label); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// DFS chunk sizes the CLI accepts: below 4 KiB every file is cut into
// absurdly many chunks (a 1-byte chunk made a 20 kB put take seconds),
// and libdfs keeps chunk sizes under 2^30.
const (
	minChunkSize = 4 << 10
	maxChunkSize = 1 << 30
)

func validChunkSize(n byteSize) error {
	if n < minChunkSize || n > maxChunkSize {
		return fmt.Errorf("--chunk-size %d: want 4KiB to 1GiB", n)
	}
	return nil
}

// propCheck is what a numeric property accepts, as DAOS checks it (ranges
// from daos_prop.h and DAOS's pool service); names are the words dmg and
// the daos tool accept for enumerations.
type propCheck struct {
	min, max uint64
	multiple uint64 // values must be a multiple of this (0: any)
	names    map[string]uint64
}

const maxUint32 = 1<<32 - 1

// ecCell is DAOS_PROP_PO_EC_CELL_SZ_MIN/MAX and daos_ec_cs_valid.
var ecCell = propCheck{min: 1 << 10, max: 1 << 30, multiple: 1 << 10}

// poolPropChecks are the ranges of numeric pool properties. Enumerated
// ones (reclaim, self_heal, scrub, checkpoint, reintegration,
// perf_domain) accept the words and values of daosgo's dmg table
// (PropID.ValueWords) instead.
var poolPropChecks = map[daosgo.PropID]propCheck{
	daosgo.PropPoolSpaceRB:        {max: 100},
	daosgo.PropPoolECCellSize:     ecCell,
	daosgo.PropPoolRedunFac:       {max: 4},
	daosgo.PropPoolECPDA:          {min: 1, max: maxUint32},
	daosgo.PropPoolRPPDA:          {max: maxUint32},
	daosgo.PropPoolSvcRedunFac:    {max: 4},
	daosgo.PropPoolCheckpointFreq: {min: 1, max: 1 << 20},
	daosgo.PropPoolCheckpointThr:  {min: 10, max: 75},
	daosgo.PropPoolSvcOpsEnabled:  {max: 1},
	daosgo.PropPoolSvcOpsAge:      {min: 60, max: 600},
}

var contPropChecks = map[daosgo.PropID]propCheck{
	daosgo.PropContLayoutType:    {max: 9},
	daosgo.PropContLayoutVersion: {max: 1<<16 - 1},
	daosgo.PropContCsum: {max: 7, names: map[string]uint64{
		"off": 0, "crc16": 1, "crc32": 2, "crc64": 3, "sha1": 4, "sha256": 5, "sha512": 6, "adler32": 7}},
	daosgo.PropContCsumSrvVerify: {max: 1, names: map[string]uint64{"off": 0, "on": 1}},
	daosgo.PropContRedunFac:      {max: 4},
	daosgo.PropContRedunLvl:      {min: 1, max: 254, names: map[string]uint64{"rank": 1, "node": 2}},
	daosgo.PropContCompress: {max: 6, names: map[string]uint64{
		"off": 0, "lz4": 1, "deflate": 2, "deflate1": 3, "deflate2": 4, "deflate3": 5, "deflate4": 6}},
	daosgo.PropContEncrypt: {max: 7, names: map[string]uint64{
		"off": 0, "aes-xts128": 1, "aes-xts256": 2, "aes-cbc128": 3, "aes-cbc192": 4, "aes-cbc256": 5, "aes-gcm128": 6, "aes-gcm256": 7}},
	daosgo.PropContDedup:         {max: 2, names: map[string]uint64{"off": 0, "memcmp": 1, "hash": 2}},
	daosgo.PropContECCellSize:    ecCell,
	daosgo.PropContECPDA:         {min: 1, max: maxUint32},
	daosgo.PropContRPPDA:         {max: maxUint32},
	daosgo.PropContScrubDisabled: {max: 1},
	daosgo.PropContPerfDomain:    {min: 3, max: 255, names: map[string]uint64{"group": 3, "root": 255}},
}

// parseProp parses "name:value" as daosgo.ParseProp does, and also
// refuses what DAOS would: a property the system sets (DER_NO_PERM, before
// its value is looked at) and a value out of the property's range. An
// enumeration may be given by name.
func parseProp(s string, pool bool) (daosgo.Prop, error) {
	name, val, ok := strings.Cut(s, ":")
	if !ok {
		return daosgo.ParseProp(s, pool)
	}
	id, known := daosgo.LookupProp(name, pool)
	if known && id.Info().ReadOnly {
		return daosgo.Prop{}, daosgo.Errorf(daosgo.ErrNoPerm, "property %s is set by the system and cannot be set", name)
	}
	if known && pool && id.ValueWords() != nil {
		return parseEnumProp(id, name, val)
	}
	checks := contPropChecks
	if pool {
		checks = poolPropChecks
	}
	check, checked := checks[id]
	if n, ok := check.names[strings.ToLower(val)]; checked && ok {
		val = strconv.FormatUint(n, 10)
	}
	p, err := daosgo.ParseProp(name+":"+val, pool)
	if err != nil || !checked {
		return p, err
	}
	if p.Num < check.min || p.Num > check.max || check.multiple != 0 && p.Num%check.multiple != 0 {
		return daosgo.Prop{}, daosgo.Errorf(daosgo.ErrInval, "property %s: %s is out of range: %s", name, val, check.accepted())
	}
	return p, nil
}

// parseEnumProp parses an enumerated pool property: one of the words dmg
// accepts, or a value one of them stands for.
func parseEnumProp(id daosgo.PropID, name, val string) (daosgo.Prop, error) {
	n, ok := id.ParseValueWord(val)
	if !ok {
		v, err := strconv.ParseUint(val, 0, 64)
		if _, named := id.ValueWord(v); err == nil && named {
			n, ok = v, true
		}
	}
	if !ok {
		var accepted []string
		for _, w := range id.ValueWords() {
			v, _ := id.ParseValueWord(w)
			accepted = append(accepted, fmt.Sprintf("%s (%d)", w, v))
		}
		return daosgo.Prop{}, daosgo.Errorf(daosgo.ErrInval, "property %s: %q is not one of %s", name, val, strings.Join(accepted, ", "))
	}
	return daosgo.NumProp(id, n), nil
}

// accepted says what a property accepts, for error messages.
func (c propCheck) accepted() string {
	s := fmt.Sprintf("want %d to %d", c.min, c.max)
	if c.multiple != 0 {
		s += fmt.Sprintf(", a multiple of %d", c.multiple)
	}
	if len(c.names) > 0 {
		var names []string
		for n, v := range c.names {
			names = append(names, fmt.Sprintf("%s (%d)", n, v))
		}
		sort.Strings(names)
		s += " or one of " + strings.Join(names, ", ")
	}
	return s
}

// validProps checks properties given on the command line. A property the
// system sets is left for the command to refuse (DER_NO_PERM): the line is
// well formed, the request is not allowed.
func validProps(props []string, pool bool) error {
	for _, s := range props {
		if _, err := parseProp(s, pool); err != nil && !errors.Is(err, daosgo.ErrNoPerm) {
			return err
		}
	}
	return nil
}
