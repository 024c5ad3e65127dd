//go:build daos

package libdaos

// Where the C helpers are, and the DAOS client libraries to link. The DAOS
// headers and libraries come from DAOS's client packages (daos-devel,
// daos-client); point CGO_CFLAGS / CGO_LDFLAGS at them if they are not in
// the compiler's default paths.

/*
#cgo CFLAGS: -I${SRCDIR}/../../csrc
#cgo LDFLAGS: -ldaos -ldaos_common -lgurt -luuid
#include "daosgo.h"
*/
import "C"
