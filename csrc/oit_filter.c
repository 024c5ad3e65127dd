/* The OIT filter trampoline: DAOS calls daosgo_oit_filter for each OID, which
 * hands it to the Go filter registered in daosgo_filter_slot. Included once
 * by cgo/libdaos/oit_trampoline.go. */
#include "daosgo.h"

int daosgo_filter_slot;

/* Exported from Go (cgo/libdaos/oit.go). */
extern int daosgoOITFilter(int slot, uint64_t hi, uint64_t lo, void *marker, size_t len);

static int daosgo_oit_filter(daos_obj_id_t oid, d_iov_t *marker)
{
	return daosgoOITFilter(daosgo_filter_slot, oid.hi, oid.lo,
			       marker ? marker->iov_buf : NULL, marker ? marker->iov_len : 0);
}

int daosgo_oit_list_filter(daos_handle_t oh, daos_obj_id_t *oids, uint32_t *nr,
			   daos_anchor_t *anchor, int slot)
{
	daosgo_filter_slot = slot;
	return daos_oit_list_filter(oh, oids, nr, anchor, daosgo_oit_filter, NULL);
}
