//go:build daos

package main

import (
	"os"
	"strings"

	"github.com/daosgo/daosgo/cgo/libdaos"
	"github.com/daosgo/daosgo/daosgo"
)

// In binaries built with -tags daos, --engine daos[:SYSTEM] talks to a DAOS
// system through libdaos; dmg does the administration. DAOSGO_DMG_ARGS
// passes extra dmg arguments (e.g. "-o /etc/daos/daos_control.yml").
func init() {
	backendOpeners["daos"] = func(system string) (daosgo.Backend, error) {
		return libdaos.New(libdaos.Options{System: system, DmgArgs: strings.Fields(os.Getenv("DAOSGO_DMG_ARGS"))})
	}
}
