/* The commands rampartd answers on its control socket:
 *
 *   xfrm state|policy add|del|list|flush ...   manual keying, ip-xfrm syntax (xfrm_args.h)
 *   log [--level L]                            follow the daemon's log (ctl_server.h)
 *   stats                                      IKE counters (stats_extra), data-plane
 *                                              counters per SA and drop reason
 *   version
 *
 * Every change goes through xfrm_args_parse first; a command that fails changes nothing.
 */
#ifndef RAMPART_DAEMON_CTL_CMDS_H
#define RAMPART_DAEMON_CTL_CMDS_H

#include "daemon/ctl_reply.h"
#include "daemon/xfrm_args.h"
#include "daemon/xfrm_db.h"
#include "lib/ctlmsg.h"

struct netmon;

/* Lifetime events of a state (RFC 4301 §4.4.2.1): a soft limit (rekey) or a hard limit (the
 * data plane no longer uses the SA) was crossed. */
enum {
	CTL_EV_SOFT = 1,
	CTL_EV_HARD = 2,
};

/* Traffic of one state as the data plane counts it (inner packet bytes). */
struct ctl_sa_counters {
	uint64_t bytes, packets;
};

/* The data plane behind the commands (a backend table, STYLE.md): the userspace ESP plane of
 * daemon/dataplane.c, or none (--check, tests). Each function reports 0 or an ERR_* code. */
struct ctl_dp_ops {
	int (*state_add)(void *dp, struct xfrm_db_state *st);
	void (*state_del)(void *dp, struct xfrm_db_state *st);
	/* The state's addresses or encapsulation ports changed (st->spec holds the new ones):
	 * move its SA there, whole, while the workers run. NULL: states cannot move. */
	int (*state_move)(void *dp, struct xfrm_db_state *st);
	/* Rebuild and publish the policies (and the routes they imply) from db. */
	int (*policies_sync)(void *dp, const struct xfrm_db *db);
	/* Counters of one state (appended to its listing) and the whole plane (in JSON the
	 * members "dataplane", "drops", "sas" without the enclosing braces). */
	void (*state_stats)(void *dp, const struct xfrm_db_state *st, struct ctl_reply *rep);
	void (*stats)(void *dp, const struct xfrm_db *db, struct ctl_reply *rep);
	/* Every lifetime event (CTL_EV_*) the state has raised so far, time limits checked at
	 * now_s (CLOCK_MONOTONIC seconds), and its counters. Cheap: atomic loads. */
	uint8_t (*state_poll)(void *dp, const struct xfrm_db_state *st, uint64_t now_s,
			      struct ctl_sa_counters *ctr);
};

/* A state whose lifetime events are new, for the expiry handler. */
struct ctl_expiry {
	struct addr src, dst;
	uint8_t proto;
	uint32_t spi, reqid;
	uint8_t dir;	/* XFRM_DIR_IN / XFRM_DIR_OUT */
	uint8_t events; /* CTL_EV_*, each reported once per state */
};

/* Takes care of an expiry: 0 when the state belongs to someone who handles it (an IKE Child
 * SA), ERR_NOTFOUND for a manual state, which ctl_cmds_expire then handles itself (soft:
 * logged; hard: the state is removed and the removal logged). May change the states. */
typedef int (*ctl_expire_fn)(void *ctx, const struct ctl_expiry *x);

#define CTL_EXPIRE_BATCH 64 /* expiries handled per scan; the rest wait for the next one */

struct ctl_cmds {
	struct xfrm_db *db;
	const struct ctl_dp_ops *ops; /* NULL: no data plane */
	void *dp;
	/* Other subsystems' counters in `stats` (the IKE engine's), printed before the data
	 * plane's: text lines, or in JSON members followed by a comma ("ike":{...},). */
	void (*stats_extra)(void *ctx, struct ctl_reply *rep);
	void *stats_ctx;
	/* The local addresses that decide a state's direction (daemon/netmon.h; NULL: none is
	 * local). is_local, when set, overrides it (tests). */
	struct netmon *nm;
	int (*is_local)(const struct addr *a);
	/* Added states logged at debug level: the caller logs them its own way (IKE). */
	bool quiet;
	/* Set by a caller that applies changes in bursts (IKE, one Child SA = 2 states and their
	 * policies): the data plane's policies are republished once, by ctl_cmds_flush. */
	bool defer_sync;
	bool sync_pending;
};

/* ctl_handler_fn for ctl_server. */
void ctl_cmds_handle(void *ctx, const struct ctlmsg_request *req, struct ctl_reply *rep);
/* Applies one parsed xfrm command (config loading uses this too). */
void ctl_cmds_xfrm(struct ctl_cmds *c, struct xfrm_cmd *cmd, struct ctl_reply *rep);
/* Moves every state of reqid (and the templates of its policies) to a new path, as seen from
 * here: outbound states go local:lport -> remote:rport, inbound ones the reverse (RFC 7296
 * §2.23, a NATed peer's new mapping; MOBIKE). The encapsulation cannot change in place
 * (ERR_UNSUPPORTED, nothing moved: the caller rekeys instead); ERR_EXISTS when an inbound
 * state would take another state's key; ERR_NOTFOUND without states. *moved counts them. */
int ctl_cmds_move_reqid(struct ctl_cmds *c, uint32_t reqid, const struct addr *local,
			uint16_t lport, const struct addr *remote, uint16_t rport, bool encap,
			size_t *moved);
/* Publishes the policies if a deferred change (defer_sync) is pending; errors are logged. */
void ctl_cmds_flush(struct ctl_cmds *c);
/* Scans every state for new lifetime events and records when each was last used (a state
 * is "used" at a scan that sees its packet count grow). Called from the control loop when
 * the data plane signals an event and once a second for time limits. fn may be NULL. */
void ctl_cmds_expire(struct ctl_cmds *c, uint64_t now_s, ctl_expire_fn fn, void *ctx);
/* Counters and last use (monotonic seconds, 0 = never) of the state (dst, proto, spi).
 * ERR_NOTFOUND. */
int ctl_cmds_counters(struct ctl_cmds *c, const struct addr *dst, uint8_t proto, uint32_t spi,
		      struct ctl_sa_counters *ctr, uint64_t *last_use_s);

#endif
