/*
 * Small C helpers for daosgo's libdaos backend (cgo/libdaos): the parts of
 * DAOS's API that cgo cannot reach directly (anonymous unions, static
 * inline accessors) and the OIT filter trampoline. Compiled against the
 * DAOS headers installed with DAOS's client packages; no DAOS code here.
 */
#ifndef DAOSGO_H
#define DAOSGO_H

#include <stdlib.h>
#include <string.h>
#include <daos.h>
#include <daos_kv.h>

/*
 * Exported by libdaos, which libdfs uses to make a new container's root
 * OIDs, but declared only in DAOS's internal daos/object.h, which the
 * client packages do not install: the declaration libdfs compiles against.
 */
int daos_obj_generate_oid_by_rf(daos_handle_t poh, uint64_t rf_factor, daos_obj_id_t *oid,
				enum daos_otype_t type, daos_oclass_id_t cid,
				daos_oclass_hints_t hints, uint32_t args, uint32_t pa_domains);

/* Property entries keep their value in an anonymous union. */
static inline uint64_t daosgo_prop_val(struct daos_prop_entry *e) { return e->dpe_val; }
static inline void daosgo_prop_set_val(struct daos_prop_entry *e, uint64_t v) { e->dpe_val = v; }
static inline const char *daosgo_prop_str(struct daos_prop_entry *e) { return e->dpe_str; }
static inline void *daosgo_prop_ptr(struct daos_prop_entry *e) { return e->dpe_val_ptr; }
static inline int daosgo_prop_is_set(struct daos_prop_entry *e)
{
	return !(e->dpe_flags & DAOS_PROP_ENTRY_NOT_SET);
}

/* The rebuild state shares a union with the done flag. */
static inline int32_t daosgo_rebuild_state(struct daos_rebuild_status *rs) { return rs->rs_state; }

static inline int daosgo_anchor_is_eof(daos_anchor_t *a) { return a->da_type == DAOS_ANCHOR_TYPE_EOF; }

static inline void daosgo_iov_set(d_iov_t *iov, void *buf, size_t len)
{
	iov->iov_buf = buf;
	iov->iov_buf_len = len;
	iov->iov_len = len;
}

/*
 * daos_oit_list_filter's callback has no user argument, so the trampoline
 * finds the Go filter through the registry slot set before the call; the
 * Go side holds a mutex across the call so the slot cannot change under it.
 */
extern int daosgo_filter_slot;
int daosgo_oit_list_filter(daos_handle_t oh, daos_obj_id_t *oids, uint32_t *nr,
			   daos_anchor_t *anchor, int slot);

#endif /* DAOSGO_H */
