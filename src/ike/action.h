/* What the engine does on its own after configuration changes and closes (strongSwan's
 * semantics of swanctl.conf start_action, close_action and dpd_action; traps in ike/trap.h),
 * and the updown notifications of Child SAs.
 *
 * Work that initiates SAs is queued and run by action_run at the top of the engine's entry
 * points (never inside a message handler: initiating may free dead SAs).
 */
#ifndef RAMPART_IKE_ACTION_H
#define RAMPART_IKE_ACTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike/conn.h"

struct ike_engine;
struct ike_sa;
struct ike_child;

#define IKE_ACTION_QUEUE_MAX 64 /* child initiations queued by close_action start */

/* After ike_engine_set_config installed conns (old: the previous ones, still referenced):
 * traps follow the configuration; connections new or changed with start children are noted
 * for ike_engine_start_actions, and removed or changed ones with start children for closing.
 * ERR_NOMEM. */
int action_config_changed(struct ike_engine *e, struct conn *const *old, size_t nold);

/* A Child SA the peer closed: its configuration and reqid. */
struct action_closed {
	const struct conn_child *cfg;
	uint32_t reqid;
};

/* The peer deleted these children of sa (installed ones, not replaced by a rekey), or the IKE
 * SA with them: close_action trap installs their traps now (with the closed SA's reqid),
 * start queues their initiation. */
void action_peer_closed(struct ike_engine *e, struct ike_sa *sa, const struct action_closed *cl,
			size_t n);
/* The peer of sa was declared dead: children with dpd_action trap get their traps. */
void action_dpd_traps(struct ike_engine *e, struct ike_sa *sa);

/* Runs the queued initiations. Call at the top level of an entry point, after reaping. */
void action_run(struct ike_engine *e, uint64_t now_ms);
/* 0 when action_run has work, else UINT64_MAX. */
uint64_t action_deadline(const struct ike_engine *e);
/* Frees the queues (engine teardown). */
void action_free(struct ike_engine *e);

/* Child SA c of sa came up (unless it replaces a rekeyed one) or goes down (unless it was
 * replaced by a rekey): the child_updown callback, and its trap may be acquired again. */
void action_child_updown(struct ike_engine *e, const struct ike_sa *sa, const struct ike_child *c,
			 bool up);

#endif
