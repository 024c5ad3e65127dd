package main

import (
	"fmt"
	"strconv"

	"github.com/alecthomas/kong"
)

// layoutNr is --layout-version: unset (the newest version) is told
// apart from 0 (DAOS 2.0's), and a value outside the versions this
// software knows is a malformed command line (exit 2), refused before
// anything is made.
type layoutNr struct {
	set bool
	v   uint32
}

// Decode implements kong.MapperValue.
func (f *layoutNr) Decode(ctx *kong.DecodeContext) error {
	var s string
	if err := ctx.Scan.PopValueInto("layout version", &s); err != nil {
		return err
	}
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil {
		return fmt.Errorf("%q is not a layout version: this software knows versions %s", s, layouts.Known())
	}
	if uint32(n) > layouts.MaxVersion() {
		return fmt.Errorf("%d is not a layout version this software knows: it knows versions %s", n, layouts.Known())
	}
	f.set, f.v = true, uint32(n)
	return nil
}

// version returns the version asked for, nil when none was.
func (f layoutNr) version() *uint32 {
	if !f.set {
		return nil
	}
	v := f.v
	return &v
}
