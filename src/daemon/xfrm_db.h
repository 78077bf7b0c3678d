/* The control side's record of manually keyed states and policies, as configured with
 * `rampart xfrm` or in the config file: what `state list` / `policy list` print and what the
 * data plane is built from. Owned by the single control thread; the data plane gets its own
 * objects (daemon/dataplane.h).
 */
#ifndef RAMPART_DAEMON_XFRM_DB_H
#define RAMPART_DAEMON_XFRM_DB_H

#include <stddef.h>
#include <stdint.h>

#include "daemon/ctl_reply.h"
#include "daemon/xfrm_args.h"

#define XFRM_DB_STATES_MAX   4096
#define XFRM_DB_POLICIES_MAX 4096

struct xfrm_db_state {
	struct xfrm_state_spec spec; /* owns the keys */
	uint8_t dir;		     /* XFRM_DIR_IN or XFRM_DIR_OUT: which end is local */
	void *dp;		     /* the data plane's SA, owned by daemon/dataplane.c */
	/* Lifetime events and use, kept by ctl_cmds_expire (control thread only). */
	uint8_t ev_seen;      /* CTL_EV_* (daemon/ctl_cmds.h) already handled */
	uint64_t use_packets; /* packet count at the last scan */
	uint64_t
	    last_use_s; /* monotonic seconds of the last scan that saw new packets, 0 = never */
};

struct xfrm_db_policy {
	struct xfrm_policy_spec spec;
	uint64_t seq; /* insertion order */
};

struct xfrm_db {
	struct xfrm_db_state *states;
	size_t n_states;
	struct xfrm_db_policy *policies;
	size_t n_policies;
	uint64_t next_seq;
};

int xfrm_db_init(struct xfrm_db *db);
/* Wipes every key. */
void xfrm_db_cleanup(struct xfrm_db *db);

/* Index of the state with (dst, proto, spi) - the SAD key, RFC 4301 §4.1 - or -1. */
long xfrm_db_state_find(const struct xfrm_db *db, const struct addr *dst, uint8_t proto,
			uint32_t spi);
/* Takes the keys of *spec (moved). ERR_EXISTS for a duplicate SAD key, ERR_LIMIT. */
int xfrm_db_state_add(struct xfrm_db *db, struct xfrm_state_spec *spec, uint8_t dir, size_t *index);
/* Removes state i (the caller has released its data-plane object). */
void xfrm_db_state_remove(struct xfrm_db *db, size_t i);

/* Index of the policy with the same selector and dir, or -1. */
long xfrm_db_policy_find(const struct xfrm_db *db, const struct xfrm_policy_spec *p);
int xfrm_db_policy_add(struct xfrm_db *db, const struct xfrm_policy_spec *p);
void xfrm_db_policy_remove(struct xfrm_db *db, size_t i);

/* `ip xfrm state`-like text or JSON (keys are never printed). stats_fn, when set, appends the
 * data plane's counters for a state. */
typedef void (*xfrm_db_stats_fn)(void *ctx, const struct xfrm_db_state *st, struct ctl_reply *rep);
void xfrm_db_state_print(const struct xfrm_db *db, struct ctl_reply *rep, xfrm_db_stats_fn fn,
			 void *ctx);
void xfrm_db_policy_print(const struct xfrm_db *db, struct ctl_reply *rep);

#endif
