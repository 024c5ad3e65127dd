//go:build daos

// Package cross holds daosgo's cross tests against DAOS's own middleware,
// run by make test-daos on a DAOS system (build tag daos): containers
// written by libdfs (through cgo/libdfs) and by PyDAOS (through Python) are
// read by daosgo over the libdaos backend, containers daosgo writes are
// read back by libdfs and PyDAOS byte for byte, and the checker's fault ×
// action matrix runs on DAOS with DAOS's own checker (daos fs check) as the
// judge of what is leaked. The package has no code of its own: only tests.
package cross
