//go:build daos

package libdaos

// The C side of the OIT filter callback is compiled here, in a file
// without //export, as cgo requires of definitions.

/*
#include "oit_filter.c"
*/
import "C"
