package embedded

/*
#include <stdint.h>
#include <stddef.h>
int daosgo_register_sql_funcs(void);
uint32_t daosgo_crc32c(const uint8_t *p, size_t n);
int64_t daosgo_place(uint32_t p, uint64_t hi, uint64_t lo, const uint8_t *dkey, size_t n);
*/
import "C"

import "fmt"

// The engine's SQL functions crc32c(val) and place(placement, hi, lo, dkey)
// are the C twins of checksum and place (sqlfuncs.c), registered with every
// SQLite connection the process opens.
func init() {
	if rc := C.daosgo_register_sql_funcs(); rc != 0 {
		panic(fmt.Sprintf("embedded engine: registering its SQL functions failed: SQLite error %d", int(rc)))
	}
}
