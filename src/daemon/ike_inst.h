/* What rampartd's IKE side (daemon/ike_io.c) installed in the data plane: one entry per
 * direction of a Child SA (its state and the policies it brought) or per direction of a trap
 * (policies only), and a reference count per policy so that a policy several Child SAs of a
 * reqid share (rekeyed twins, children with the same selectors) leaves the data plane with its
 * last user.
 *
 * Entries are found by (protocol, SPI[, destination]) and by reqid; policies are counted by
 * (reqid, selector, dir) - the identity xfrm_db gives a policy, plus the reqid. Every
 * operation is O(1) expected (hash tables that double when full), up to IKE_INST_MAX entries.
 * Single-threaded (the control loop).
 */
#ifndef RAMPART_DAEMON_IKE_INST_H
#define RAMPART_DAEMON_IKE_INST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/xfrm_args.h"
#include "lib/addr.h"

#define IKE_INST_MAX (1u << 21) /* two directions of XFRM_DB_STATES_MAX states */

struct ike_inst {
	bool trap;
	bool out;	   /* the outbound direction */
	uint8_t proto;	   /* IPPROTO_ESP / IPPROTO_AH */
	uint32_t child_id; /* the engine's unique id of the Child SA (0 for a trap) */
	uint32_t reqid;
	uint32_t spi; /* 0 for a trap */
	struct addr src, dst;
	/* links, owned by ike_inst.c */
	struct ike_inst *hnext, *rprev, *rnext;
	size_t npol;
	struct xfrm_policy_spec pol[]; /* npol of them */
};

struct ike_inst_table;

int ike_inst_table_new(struct ike_inst_table **out);
/* Frees the table and every entry still in it (nothing is uninstalled). Accepts NULL. */
void ike_inst_table_free(struct ike_inst_table *t);
size_t ike_inst_count(const struct ike_inst_table *t);

/* A zeroed entry with room for npol policies (npol set), or NULL. Freed with free(). */
struct ike_inst *ike_inst_alloc(size_t npol);
/* Indexes in (the table owns it from now on). ERR_LIMIT, ERR_NOMEM. */
int ike_inst_add(struct ike_inst_table *t, struct ike_inst *in);
/* Unindexes in; the caller frees it. */
void ike_inst_remove(struct ike_inst_table *t, struct ike_inst *in);

/* The entry of (proto, spi) whose destination is dst (any destination when dst is NULL), not a
 * trap, or NULL. */
struct ike_inst *ike_inst_find(const struct ike_inst_table *t, uint8_t proto, uint32_t spi,
			       const struct addr *dst);
/* The entry of (proto, spi) of reqid, not a trap, or NULL. */
struct ike_inst *ike_inst_find_reqid(const struct ike_inst_table *t, uint8_t proto, uint32_t spi,
				     uint32_t reqid);
/* The newest entry of reqid, then ->rnext: older ones and other reqids' (check ->reqid). */
struct ike_inst *ike_inst_reqid(const struct ike_inst_table *t, uint32_t reqid);

/* Policy references: the count after taking (1: the first user, install it) or dropping
 * (0: the last user went, remove it) one for (reqid, p). ERR_NOMEM from ref as a negative. */
long ike_inst_pol_ref(struct ike_inst_table *t, uint32_t reqid, const struct xfrm_policy_spec *p);
long ike_inst_pol_unref(struct ike_inst_table *t, uint32_t reqid, const struct xfrm_policy_spec *p);

#endif
