// Package daosgo is the Go API every daosgo tool is written against.
//
// It follows libdaos's concepts so that a DAOS developer recognises every
// call: a pool is connected to, containers are opened in it, objects are
// addressed by a 128-bit OID and hold values under a distribution key (dkey)
// and an attribute key (akey), and a snapshot can materialise the container's
// Object ID Table (OIT) for middleware consistency checks.
//
// Two backends implement it: the embedded engine (package
// daosgo/embedded, SQLite, the default) and libdaos through cgo (package
// daosgo/cgo, build tag "daos"). The conformance suite in
// daosgo/daosgotest checks that both behave alike.
package daosgo
