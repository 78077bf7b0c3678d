/* The commands rampartd answers on its control socket:
 *
 *   xfrm state|policy add|del|list|flush ...   manual keying, ip-xfrm syntax (xfrm_args.h)
 *   stats                                      data-plane counters per SA and drop reason
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
	/* Counters of one state (appended to its listing) and the whole plane. */
	void (*state_stats)(void *dp, const struct xfrm_db_state *st, struct ctl_reply *rep);
	void (*stats)(void *dp, const struct xfrm_db *db, struct ctl_reply *rep);
};

struct ctl_cmds {
	struct xfrm_db *db;
	const struct ctl_dp_ops *ops; /* NULL: no data plane */
	void *dp;
	/* Overrides the local-address test that decides a state's direction (tests). */
	int (*is_local)(const struct addr *a);
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
/* Whether a is configured on an interface of this network namespace. */
int ctl_cmds_addr_is_local(const struct addr *a);

#endif
