// Package libdaos is daosgo's libdaos backend: the daosgo API over DAOS's
// client library through cgo, built only with the "daos" build tag.
//
// Each Go function wraps one C call and its doc comment names it. C memory
// is allocated and freed inside each wrapper; data crosses into C only in
// C-allocated buffers, so no Go pointer is kept by C past a call (the tests
// run with the cgo pointer checks on). DAOS return codes become
// daosgo.Errno values wrapped with the call and its arguments.
//
// Pool administration (create, destroy, properties, evict, upgrade) is
// what dmg does on DAOS, and goes through dmg with its JSON output; that
// part needs no cgo and is built and tested without the tag.
package libdaos
