/* Reauthentication, make-before-break (RFC 7296 §2.8.3). */
#include "ike/v2/reauth.h"

#include <string.h>

#include "ike/engine.h"
#include "ike/sa.h"
#include "ike/v2/ike_sa_init.h"
#include "ike/v2/informational.h"
#include "lib/err.h"
#include "lib/log.h"

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The live (not DEAD) IKE SA with unique id (a keyingtries retry keeps its id). */
static struct ike_sa *live_by_id(struct ike_engine *e, uint32_t id)
{
	for (struct ike_sa *sa = e->sas; sa; sa = sa->next)
		if (sa->id == id && sa->state != IKE_ST_DEAD)
			return sa;
	return NULL;
}

void reauth_arm(struct ike_engine *e, struct ike_sa *sa, uint64_t now_ms)
{
	uint64_t t, jitter = 0;
	uint8_t r[4];

	if (sa->state != IKE_ST_ESTABLISHED || sa->reauth_at_ms || !sa->conn->reauth_time)
		return;
	t = (uint64_t)sa->conn->reauth_time * 1000;
	if (sa->conn->rand_time && eng_rand(e, IKE_RAND_JITTER, r, sizeof(r)) == 0)
		jitter = get32(r) % ((uint64_t)sa->conn->rand_time * 1000 + 1);
	if (jitter >= t)
		jitter = t - 1;
	sa->reauth_at_ms = now_ms + t - jitter;
}

/* Whether sa has a live Child SA of cfg. */
static bool has_child(const struct ike_sa *sa, const struct conn_child *cfg)
{
	for (size_t i = 0; i < sa->nchildren; i++) {
		const struct ike_child *c = sa->children[i];
		if (c->cfg == cfg && c->state == IKE_CHILD_INSTALLED && !c->expired)
			return true;
	}
	return false;
}

int reauth_start(struct ike_engine *e, struct ike_sa *sa, uint64_t now_ms)
{
	struct ike_path path = sa->path;
	const struct conn *c = sa->conn;
	struct ike_sa *n;
	int rc;

	if (sa->state != IKE_ST_ESTABLISHED || sa->reauth_by || sa->delete_pending ||
	    sa->rk.replaced)
		return ERR_BADSTATE;
	if (e->nsas >= IKE_MAX_SAS)
		return ERR_LIMIT;
	path.local_port = c->local_port;
	path.remote_port = c->remote_port;
	n = ike_sa_new(e, sa->conn, true, &path, now_ms);
	if (!n)
		return ERR_NOMEM;
	/* the same children again: the first with IKE_AUTH, the others by CREATE_CHILD_SA */
	for (size_t i = 0; i < c->nchildren && i < 32; i++) {
		if (!has_child(sa, c->children[i]))
			continue;
		if (!n->want_child && c->childless != CONN_CHILDLESS_FORCE)
			n->want_child = c->children[i];
		else
			n->cn_want |= 1u << i;
	}
	n->reauth_of = sa->id;
	sa->reauth_by = n->id;
	eng_sa_link(e, n);
	log_info(LOG_IKE, "#%u: reauthenticating IKE_SA %s[%u]: new IKE_SA %s[%u]", sa->id, c->name,
		 sa->id, c->name, n->id);
	rc = ike_sa_init_start(e, n, now_ms);
	if (rc) {
		ike_sa_kill(e, n);
		sa->reauth_by = 0;
		return rc;
	}
	sa->reauth_at_ms = now_ms + REAUTH_CHECK_MS;
	return 0;
}

/* The new SA (sa) is up with everything it was asked for: the old one goes. */
static bool replacement_ready(const struct ike_sa *sa)
{
	return sa->reauth_of && sa->state == IKE_ST_ESTABLISHED && !sa->cn_want && !sa->cn.active;
}

void reauth_poll(struct ike_engine *e, struct ike_sa *sa, uint64_t now_ms)
{
	if (replacement_ready(sa)) {
		struct ike_sa *old = live_by_id(e, sa->reauth_of);
		sa->reauth_of = 0;
		if (old && old->reauth_by == sa->id && old->state == IKE_ST_ESTABLISHED) {
			log_info(LOG_IKE,
				 "#%u: IKE_SA %s[%u] reauthenticated as IKE_SA %s[%u]: deleting "
				 "the old one",
				 old->id, old->conn->name, old->id, sa->conn->name, sa->id);
			informational_delete_ike(e, old, now_ms);
		}
		return;
	}
	if (sa->state != IKE_ST_ESTABLISHED || !sa->reauth_at_ms || now_ms < sa->reauth_at_ms)
		return;
	if (sa->reauth_by) {
		struct ike_sa *n = live_by_id(e, sa->reauth_by);
		if (n && n->reauth_of == sa->id) {
			sa->reauth_at_ms = now_ms + REAUTH_CHECK_MS; /* still under way */
			return;
		}
		log_info(LOG_IKE,
			 "#%u: reauthentication of IKE_SA %s[%u] failed: trying again in "
			 "%us",
			 sa->id, sa->conn->name, sa->id, REAUTH_RETRY_MS / 1000);
		sa->reauth_by = 0;
		sa->reauth_at_ms = now_ms + REAUTH_RETRY_MS;
		return;
	}
	if (reauth_start(e, sa, now_ms) != 0)
		sa->reauth_at_ms = now_ms + REAUTH_RETRY_MS;
}

uint64_t reauth_deadline(const struct ike_sa *sa)
{
	if (replacement_ready(sa))
		return 0;
	if (sa->state != IKE_ST_ESTABLISHED || !sa->reauth_at_ms)
		return UINT64_MAX;
	return sa->reauth_at_ms;
}
