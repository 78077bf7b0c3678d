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

/* Named limits; the tables grow as needed up to them. */
#define XFRM_DB_STATES_MAX   (1u << 20)
#define XFRM_DB_POLICIES_MAX 1000000u /* as ESP_SPD_MAX_POLICIES */

struct xfrm_db_state {
	struct xfrm_state_spec spec; /* owns the keys */
	uint8_t dir;		     /* XFRM_DIR_IN or XFRM_DIR_OUT: which end is local */
	void *dp;		     /* the data plane's SA, owned by daemon/dataplane.c */
	void *dp_group;		     /* its group of alike outbound SAs (daemon/dataplane.c) */
	/* Lifetime events and use, kept by ctl_cmds_expire (control thread only). */
	uint8_t ev_seen;      /* CTL_EV_* (daemon/ctl_cmds.h) already handled */
	uint64_t use_packets; /* packet count at the last scan */
	uint64_t
	    last_use_s; /* monotonic seconds of the last scan that saw new packets, 0 = never */
	/* Links, read-only outside xfrm_db.c: insertion order (prev/next), the states of the same
	 * reqid newest first (rnext), the SAD-key hash chain (hnext). */
	struct xfrm_db_state *prev, *next, *rprev, *rnext, *hnext;
};

struct xfrm_db_policy {
	struct xfrm_policy_spec spec;
	uint64_t seq; /* insertion order */
	/* Links, read-only outside xfrm_db.c: insertion order, the selector hash chain. */
	struct xfrm_db_policy *prev, *next, *hnext;
};

/* States and policies in insertion order (iterate first -> next), each also hashed: a state
 * by its SAD key, RFC 4301 §4.1 (dst, proto, SPI), and by reqid; a policy by selector and dir.
 * Every add, remove and lookup is O(1) expected. Everything is allocated per entry, so pointers
 * stay valid until the entry is removed. */
struct xfrm_db {
	struct xfrm_db_state *first, *last;
	size_t n_states;
	struct xfrm_db_state **skey, **sreqid; /* hash heads, smask + 1 of each */
	size_t smask;
	struct xfrm_db_policy *pfirst, *plast;
	size_t n_policies;
	struct xfrm_db_policy **phash;
	size_t pmask;
	uint64_t next_seq;
	/* Bumped by every change to the policies (add, remove, flush, xfrm_db_policies_changed):
	 * the data plane compares it to know whether the SPD's selectors and routes changed. */
	uint64_t policy_gen;
};

int xfrm_db_init(struct xfrm_db *db);
/* Wipes every key, frees every entry. */
void xfrm_db_cleanup(struct xfrm_db *db);

/* The state with (dst, proto, spi) - the SAD key, RFC 4301 §4.1 - or NULL. */
struct xfrm_db_state *xfrm_db_state_find(const struct xfrm_db *db, const struct addr *dst,
					 uint8_t proto, uint32_t spi);
/* The newest state of reqid (then ->rnext, older ones), or NULL. */
struct xfrm_db_state *xfrm_db_state_reqid(const struct xfrm_db *db, uint32_t reqid);
/* Takes the keys of *spec (moved). ERR_EXISTS for a duplicate SAD key, ERR_LIMIT, ERR_NOMEM. */
int xfrm_db_state_add(struct xfrm_db *db, struct xfrm_state_spec *spec, uint8_t dir,
		      struct xfrm_db_state **out);
/* Removes and frees st (the caller has released its data-plane object). */
void xfrm_db_state_remove(struct xfrm_db *db, struct xfrm_db_state *st);
/* Changing a state's SAD key (spec.dst): detach before, attach after. */
void xfrm_db_state_key_detach(struct xfrm_db *db, struct xfrm_db_state *st);
void xfrm_db_state_key_attach(struct xfrm_db *db, struct xfrm_db_state *st);

/* The policy with the same selector and dir, or NULL. */
struct xfrm_db_policy *xfrm_db_policy_find(const struct xfrm_db *db,
					   const struct xfrm_policy_spec *p);
/* ERR_EXISTS (same selector and dir), ERR_LIMIT, ERR_NOMEM. */
int xfrm_db_policy_add(struct xfrm_db *db, const struct xfrm_policy_spec *p);
void xfrm_db_policy_remove(struct xfrm_db *db, struct xfrm_db_policy *pol);
void xfrm_db_policy_flush(struct xfrm_db *db);
/* The caller changed policies in place (templates moved). */
void xfrm_db_policies_changed(struct xfrm_db *db);

/* `ip xfrm state`-like text or JSON (keys are never printed). stats_fn, when set, appends the
 * data plane's counters for a state. */
typedef void (*xfrm_db_stats_fn)(void *ctx, const struct xfrm_db_state *st, struct ctl_reply *rep);
void xfrm_db_state_print(const struct xfrm_db *db, struct ctl_reply *rep, xfrm_db_stats_fn fn,
			 void *ctx);
void xfrm_db_policy_print(const struct xfrm_db *db, struct ctl_reply *rep);

#endif
