/* The IKE commands of rampartd's control socket, over the engine's events and snapshots:
 *
 *   up CONN[/CHILD]   starts a connection; replies "initiated ID" (the CLI then polls status)
 *   status ID         "connecting", "established: SENTENCE" or "failed: SENTENCE"
 *   down CONN|ID      deletes the connection's IKE SAs (or the one with unique id ID)
 *   rekey CONN|ID     rekeys the connection's IKE SAs (or the one with id ID); CONN/CHILD
 *                     rekeys its Child SAs named CHILD
 *   list-sas          IKE and Child SAs, text or JSON with strongSwan's vici key names;
 *                     Child SAs with the data plane's counters (bytes-in, packets-in,
 *                     use-in, ... when a traffic function is set)
 *   list-conns        the loaded connections
 *
 * The outcome of an `up` is remembered per IKE SA id (at most IKE_CTL_OUTCOMES, the oldest
 * forgotten first) so a client that polls late still learns why a negotiation failed.
 */
#ifndef RAMPART_DAEMON_IKE_CTL_H
#define RAMPART_DAEMON_IKE_CTL_H

#include <stdbool.h>
#include <stdint.h>

#include "cfg/swanctl.h"
#include "daemon/ctl_reply.h"
#include "ike/ike.h"
#include "lib/ctlmsg.h"

#define IKE_CTL_OUTCOMES 64

enum ike_ctl_state {
	IKE_CTL_CONNECTING = 0,
	IKE_CTL_ESTABLISHED,
	IKE_CTL_FAILED,
};

struct ike_ctl_outcome {
	uint32_t id;	 /* IKE SA unique id, 0 = free slot */
	bool want_child; /* success is the Child SA, not only the IKE SA */
	char child[CONN_NAME_MAX]; /* "" or the child asked for: other children's events ignored */
	enum ike_ctl_state state;
	uint64_t seq; /* age, for replacement */
	char msg[IKE_EVENT_MSG_MAX];
};

/* One direction's traffic of a Child SA, from the data plane's counters. */
struct ike_ctl_traffic {
	uint64_t bytes, packets;
	uint64_t idle_s; /* seconds since the last packet */
	bool used;	 /* a packet was seen (idle_s is meaningful) */
};

/* Fills the traffic of the inbound (in = true) or outbound direction of child ch of sa;
 * 0 or ERR_NOTFOUND (not in the data plane). */
typedef int (*ike_ctl_traffic_fn)(void *ctx, const struct ike_sa_info *sa,
				  const struct ike_child_info *ch, bool in,
				  struct ike_ctl_traffic *out);

struct ike_ctl {
	struct ike_engine *eng;
	ike_ctl_traffic_fn traffic; /* may be NULL: no counters in listings */
	void *traffic_ctx;
	uint64_t seq;
	struct ike_ctl_outcome out[IKE_CTL_OUTCOMES];
};

void ike_ctl_init(struct ike_ctl *c, struct ike_engine *eng);
/* Records an engine event for the outcome of the IKE SA id. */
void ike_ctl_event(struct ike_ctl *c, uint32_t id, uint32_t child_id, enum ike_event_kind kind,
		   const char *msg);
/* The engine's counters for `rampart stats`: an "ike:" text section, or the JSON member
 * "ike":{...} followed by a comma. */
void ike_ctl_stats(struct ike_ctl *c, struct ctl_reply *rep);
/* Handles the commands above; returns false when req is none of them. */
bool ike_ctl_handle(struct ike_ctl *c, const struct swanctl_config *cfg, uint64_t now_ms,
		    const struct ctlmsg_request *req, struct ctl_reply *rep);

#endif
