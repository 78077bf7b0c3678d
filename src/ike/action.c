/* start_action / close_action / dpd_action and updown notifications (ike/action.h). */
#include "ike/action.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/engine.h"
#include "ike/sa.h"
#include "ike/trap.h"
#include "lib/err.h"
#include "lib/log.h"

struct action_item {
	char conn[CONN_NAME_MAX];
	char child[CONN_NAME_MAX]; /* empty: every child with start (start_action) */
};

struct eng_actions {
	/* ike_engine_start_actions: connections to start, and to close (old SAs) */
	size_t nstart, nclose;
	char (*start)[CONN_NAME_MAX];
	char (*close)[CONN_NAME_MAX];
	/* close_action start: children to initiate again */
	size_t nqueue;
	struct action_item queue[IKE_ACTION_QUEUE_MAX];
};

static struct eng_actions *actions(struct ike_engine *e)
{
	if (!e->actions)
		e->actions = calloc(1, sizeof(*e->actions));
	return e->actions;
}

static bool has_start(const struct conn *c)
{
	for (size_t i = 0; i < c->nchildren; i++)
		if (c->children[i]->start_action & CONN_ACTION_START)
			return true;
	return false;
}

static const struct conn *by_name(struct conn *const *list, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i]->name, name) == 0)
			return list[i];
	return NULL;
}

int action_config_changed(struct ike_engine *e, struct conn *const *old, size_t nold)
{
	struct eng_actions *a = actions(e);
	char(*start)[CONN_NAME_MAX] = NULL, (*close)[CONN_NAME_MAX] = NULL;
	size_t ns = 0, nc = 0;

	if (!a)
		return ERR_NOMEM;
	if (e->nconns && !(start = calloc(e->nconns, sizeof(*start))))
		return ERR_NOMEM;
	if (nold && !(close = calloc(nold, sizeof(*close)))) {
		free(start);
		return ERR_NOMEM;
	}
	for (size_t i = 0; i < e->nconns; i++) {
		const struct conn *c = e->conns[i], *o = by_name(old, nold, c->name);
		if (has_start(c) && (!o || !trap_conn_same(o, c)))
			snprintf(start[ns++], CONN_NAME_MAX, "%s", c->name);
	}
	for (size_t i = 0; i < nold; i++) {
		const struct conn *n = by_name(e->conns, e->nconns, old[i]->name);
		if (has_start(old[i]) && (!n || !trap_conn_same(old[i], n)))
			snprintf(close[nc++], CONN_NAME_MAX, "%s", old[i]->name);
	}
	free(a->start);
	free(a->close);
	a->start = start;
	a->nstart = ns;
	a->close = close;
	a->nclose = nc;
	trap_sync(e);
	return 0;
}

void ike_engine_start_actions(struct ike_engine *e, uint64_t now_ms)
{
	struct eng_actions *a = e->actions;
	uint32_t ids[64];
	size_t nids = 0;

	if (!a)
		return;
	/* strongSwan's inverse action: SAs of removed or changed connections with start go */
	for (size_t k = 0; k < a->nclose; k++)
		for (struct ike_sa *sa = e->sas; sa && nids < 64; sa = sa->next)
			if (sa->state != IKE_ST_DEAD && strcmp(sa->conn->name, a->close[k]) == 0 &&
			    sa->conn != eng_conn(e, a->close[k]))
				ids[nids++] = sa->id;
	for (size_t i = 0; i < nids; i++) {
		log_info(LOG_IKE,
			 "#%u: connection removed or changed (start_action start): closing",
			 ids[i]);
		ike_engine_terminate(e, now_ms, ids[i]);
	}
	for (size_t k = 0; k < a->nstart; k++) {
		const struct conn *c = eng_conn(e, a->start[k]);
		for (size_t j = 0; c && j < c->nchildren; j++) {
			uint32_t id;
			int rc;
			if (!(c->children[j]->start_action & CONN_ACTION_START))
				continue;
			rc = ike_engine_initiate(e, now_ms, c->name, c->children[j]->name, &id);
			if (rc == 0)
				log_info(LOG_IKE, "start_action: initiating %s/%s", c->name,
					 c->children[j]->name);
			else if (rc != ERR_EXISTS)
				log_warn(LOG_IKE, "start_action: cannot initiate %s/%s (%s)",
					 c->name, c->children[j]->name, err_str(rc));
		}
	}
	free(a->start);
	free(a->close);
	a->start = NULL;
	a->close = NULL;
	a->nstart = a->nclose = 0;
}

static void enqueue(struct ike_engine *e, const char *conn, const char *child)
{
	struct eng_actions *a = actions(e);

	if (!a)
		return;
	for (size_t i = 0; i < a->nqueue; i++)
		if (strcmp(a->queue[i].conn, conn) == 0 && strcmp(a->queue[i].child, child) == 0)
			return;
	if (a->nqueue >= IKE_ACTION_QUEUE_MAX) {
		log_warn(LOG_IKE, "close_action start for %s/%s dropped: queue full", conn, child);
		return;
	}
	snprintf(a->queue[a->nqueue].conn, CONN_NAME_MAX, "%s", conn);
	snprintf(a->queue[a->nqueue].child, CONN_NAME_MAX, "%s", child);
	a->nqueue++;
}

void action_peer_closed(struct ike_engine *e, struct ike_sa *sa, const struct action_closed *cl,
			size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct conn_child *cfg = cl[i].cfg;
		if (cfg->close_action & CONN_ACTION_TRAP)
			trap_install(e, sa->conn, cfg, false, cl[i].reqid);
		if (cfg->close_action & CONN_ACTION_START) {
			log_info(LOG_IKE, "#%u: CHILD_SA %s closed by the peer: close_action start",
				 sa->id, cfg->name);
			enqueue(e, sa->conn->name, cfg->name);
		}
	}
}

void action_dpd_traps(struct ike_engine *e, struct ike_sa *sa)
{
	for (size_t i = 0; i < sa->nchildren; i++) {
		const struct ike_child *c = sa->children[i];
		if (c->state == IKE_CHILD_INSTALLED && !c->rekeyed && c->cfg &&
		    (c->cfg->dpd_action & CONN_ACTION_TRAP))
			trap_install(e, sa->conn, c->cfg, false, c->reqid);
	}
}

void action_run(struct ike_engine *e, uint64_t now_ms)
{
	struct eng_actions *a = e->actions;
	struct action_item items[IKE_ACTION_QUEUE_MAX];
	size_t n;

	if (!a || a->nqueue == 0)
		return;
	n = a->nqueue;
	memcpy(items, a->queue, n * sizeof(items[0]));
	a->nqueue = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t id = 0;
		int rc = ike_engine_initiate(e, now_ms, items[i].conn, items[i].child, &id);
		if (rc == 0)
			log_info(LOG_IKE, "close_action start: %s/%s initiated (IKE_SA %s[%u])",
				 items[i].conn, items[i].child, items[i].conn, id);
		else if (rc != ERR_EXISTS)
			log_warn(LOG_IKE, "close_action start: cannot initiate %s/%s (%s)",
				 items[i].conn, items[i].child, err_str(rc));
	}
}

uint64_t action_deadline(const struct ike_engine *e)
{
	return e->actions && e->actions->nqueue ? 0 : UINT64_MAX;
}

void action_free(struct ike_engine *e)
{
	if (!e->actions)
		return;
	free(e->actions->start);
	free(e->actions->close);
	free(e->actions);
	e->actions = NULL;
}

void action_child_updown(struct ike_engine *e, const struct ike_sa *sa, const struct ike_child *c,
			 bool up)
{
	struct ike_updown u;
	struct ts_list lts, rts;

	if (up)
		trap_child_up(e, c->reqid);
	if (!e->cb.child_updown || !c->cfg)
		return;
	memset(&u, 0, sizeof(u));
	u.up = up;
	u.ike_id = sa->id;
	u.child_id = c->id;
	u.reqid = c->reqid;
	u.conn_name = sa->conn->name;
	u.child_name = c->cfg->name;
	u.updown = c->cfg->updown;
	u.proto = c->proto;
	u.mode = c->mode;
	u.path = &sa->path;
	u.nat = sa->nat_local || sa->nat_remote || sa->conn->encap;
	u.local_id = &sa->local_id;
	u.remote_id = &sa->remote_id;
	ike_child_ts(c, &lts, &rts);
	u.local_ts = &lts;
	u.remote_ts = &rts;
	e->cb.child_updown(e->ctx, &u);
}
