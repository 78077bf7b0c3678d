/* NAT traversal after IKE_SA_INIT: path updates and keepalives (ike/nat.h). */
#include "ike/nat.h"

#include <string.h>

#include "ike/engine.h"
#include "ike/sa.h"
#include "ike/v2/create_child_sa.h"
#include "lib/err.h"
#include "lib/log.h"

static bool same_path(const struct ike_path *a, const struct ike_path *b)
{
	return addr_equal(&a->remote, &b->remote) && a->remote_port == b->remote_port &&
	       addr_equal(&a->local, &b->local) && a->local_port == b->local_port;
}

/* Whether an established SA may follow the peer to a new address (strongSwan's update_hosts):
 * the peer is behind a NAT, and we are not, or we are the original responder. */
static bool may_follow(const struct ike_sa *sa)
{
	return sa->nat_remote && (!sa->nat_local || !sa->initiator);
}

/* Moves sa to path and its installed Child SAs with it. */
static void move(struct ike_engine *e, struct ike_sa *sa, const struct ike_path *path,
		 uint64_t now_ms, const char *why)
{
	char from[ADDR_STRLEN], to[ADDR_STRLEN];
	bool encap;
	size_t moved = 0, rekeyed = 0;

	eng_sa_touch(e, sa); /* filed under its path, keepalive timer */
	addr_str(&sa->path.remote, from, sizeof(from));
	addr_str(&path->remote, to, sizeof(to));
	log_info(LOG_IKE, "#%u: peer moved from %s[%u] to %s[%u] (%s)", sa->id, from,
		 sa->path.remote_port, to, path->remote_port, why);
	sa->path = *path;
	encap = sa->nat_local || sa->nat_remote || sa->conn->encap;
	for (size_t i = 0; i < sa->nchildren; i++) {
		struct ike_child *c = sa->children[i];
		if (c->state != IKE_CHILD_INSTALLED || c->rekeyed)
			continue;
		if (e->cb.child_update &&
		    e->cb.child_update(e->ctx, c->reqid, &sa->path, encap) == 0) {
			moved++;
			continue;
		}
		/* the data plane cannot move it: a new Child SA on the new path replaces it */
		if (create_child_sa_rekey(e, sa, c, now_ms) == 0)
			rekeyed++;
		else
			c->rekey_at_ms = now_ms; /* at the next free window */
	}
	if (moved || rekeyed)
		log_info(LOG_IKE, "#%u: %zu Child SA%s moved, %zu rekeyed onto the new path",
			 sa->id, moved, moved == 1 ? "" : "s", rekeyed);
}

void nat_path_seen(struct ike_engine *e, struct ike_sa *sa, const struct ike_path *path,
		   uint64_t now_ms)
{
	struct ike_path p;

	if (same_path(&sa->path, path))
		return;
	if (sa->state != IKE_ST_ESTABLISHED && sa->state != IKE_ST_DELETING) {
		/* IKE_AUTH: the float to 4500 (and the NAT's port for it), §2.23 */
		sa->path = *path;
		if (path->remote_port != IKE_PORT && path->remote_port != IKE_PORT_NATT)
			sa->nat_remote = true;
		return;
	}
	if (!may_follow(sa))
		return;
	/* our own address stays: without MOBIKE only the peer's side is followed */
	p = sa->path;
	p.remote = path->remote;
	p.remote_port = path->remote_port;
	if (!same_path(&sa->path, &p))
		move(e, sa, &p, now_ms, "authenticated IKE message, NAT mapping changed");
}

int ike_engine_peer_moved(struct ike_engine *e, uint64_t now_ms, uint32_t reqid,
			  const struct addr *remote, uint16_t remote_port)
{
	for (struct ike_sa *sa = e->sas; sa; sa = sa->next) {
		struct ike_path p;
		if (sa->state != IKE_ST_ESTABLISHED)
			continue;
		for (size_t i = 0; i < sa->nchildren; i++) {
			const struct ike_child *c = sa->children[i];
			if (c->reqid != reqid || c->state != IKE_CHILD_INSTALLED)
				continue;
			/* strongSwan's update_sa_job: the peer is NATed and we are not */
			if (!sa->nat_remote || sa->nat_local)
				return ERR_BADSTATE;
			p = sa->path;
			p.remote = *remote;
			p.remote_port = remote_port;
			if (!same_path(&sa->path, &p))
				move(e, sa, &p, now_ms,
				     "authenticated ESP packet, NAT mapping changed");
			eng_settle(e);
			return 0;
		}
	}
	return ERR_NOTFOUND;
}

/* ---- keepalives (RFC 3948 §2.3) ---------------------------------------------------------------
 */

static bool wants_keepalive(const struct ike_engine *e, const struct ike_sa *sa)
{
	return e->cb.send_keepalive && e->keepalive_ms && sa->nat_local &&
	       sa->state == IKE_ST_ESTABLISHED;
}

void nat_poll(struct ike_engine *e, struct ike_sa *sa, uint64_t now_ms)
{
	if (!wants_keepalive(e, sa)) {
		sa->ka_next_ms = 0;
		return;
	}
	if (sa->ka_next_ms == 0) {
		sa->ka_next_ms = now_ms + e->keepalive_ms; /* armed when established */
		return;
	}
	if (now_ms < sa->ka_next_ms)
		return;
	sa->ka_next_ms = now_ms + e->keepalive_ms;
	e->stats.keepalives++;
	e->cb.send_keepalive(e->ctx, &sa->path);
}

uint64_t nat_deadline(const struct ike_engine *e, const struct ike_sa *sa)
{
	if (!wants_keepalive(e, sa))
		return sa->ka_next_ms ? 0 : UINT64_MAX; /* 0: disarm */
	return sa->ka_next_ms;
}

void ike_engine_set_keepalive(struct ike_engine *e, uint32_t interval_ms)
{
	e->keepalive_ms = interval_ms;
	/* every SA's keepalive deadline may move */
	for (struct ike_sa *sa = e->sas; sa; sa = sa->next)
		eng_sa_touch(e, sa);
	eng_settle(e);
}
