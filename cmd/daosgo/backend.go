package main

import (
	"fmt"
	"strings"

	"github.com/daosgo/daosgo/daosgo"
	"github.com/daosgo/daosgo/daosgo/embedded"
	"github.com/daosgo/daosgo/upgrade"
)

// backendOpeners maps an --engine name to its constructor; the libdaos
// backend adds itself in binaries built with -tags daos.
var backendOpeners = map[string]func(arg string) (daosgo.Backend, error){
	"embedded": func(dir string) (daosgo.Backend, error) {
		return embedded.Open(embedded.Options{Root: dir, Layout: engineLayout()})
	},
}

// openBackend parses "name[:arg]" and opens that backend.
func openBackend(spec string) (daosgo.Backend, error) {
	name, arg, _ := strings.Cut(spec, ":")
	open, ok := backendOpeners[name]
	if ok {
		return open(arg)
	}
	if name == "daos" {
		return nil, fmt.Errorf("--engine daos: this daosgo binary was built without libdaos support; on a machine with DAOS's client packages, rebuild it with 'go build -tags daos ./cmd/daosgo' (see the README)")
	}
	return nil, fmt.Errorf("--engine %q: unknown backend (want embedded[:DIR] or daos)", spec)
}

// layouts is the registry of pool layout versions this binary knows; the
// embedded engine creates and opens pools by it.
var layouts = upgrade.Default()

func engineLayout() embedded.Layout { return layouts }
