/* Trap policies and acquires (ike/trap.h). */
#include "ike/trap.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/x509.h"
#include "ike/child.h"
#include "ike/engine.h"
#include "ike/sa.h"
#include "lib/err.h"
#include "lib/log.h"
#include "wire/ikev2_const.h"

static struct eng_trap *find(const struct ike_engine *e, const char *conn, const char *child)
{
	for (size_t i = 0; i < e->ntraps; i++)
		if (strcmp(e->traps[i].conn->name, conn) == 0 &&
		    strcmp(e->traps[i].cfg->name, child) == 0)
			return &e->traps[i];
	return NULL;
}

static struct eng_trap *find_reqid(const struct ike_engine *e, uint32_t reqid)
{
	for (size_t i = 0; i < e->ntraps; i++)
		if (e->traps[i].reqid == reqid)
			return &e->traps[i];
	return NULL;
}

uint32_t trap_reqid(const struct ike_engine *e, const char *conn, const char *child)
{
	const struct eng_trap *t = find(e, conn, child);

	return t ? t->reqid : 0;
}

/* The data plane's view of a trap: selectors resolved against the configured addresses. */
static int describe(const struct conn *c, const struct conn_child *cfg, uint32_t reqid,
		    struct ike_trap *out)
{
	memset(out, 0, sizeof(*out));
	if (c->nlocal_addrs == 0 || c->nremote_addrs == 0 || addr_is_zero(&c->local_addrs[0]) ||
	    addr_is_zero(&c->remote_addrs[0]))
		return ERR_INVAL;
	out->reqid = reqid;
	out->conn_name = c->name;
	out->child_name = cfg->name;
	out->proto = cfg->nesp ? IKEV2_PROTO_ESP : IKEV2_PROTO_AH;
	out->mode = cfg->mode;
	out->local = c->local_addrs[0];
	out->remote = c->remote_addrs[0];
	if (child_ts_resolve(&cfg->local_ts, &out->local, &out->local_ts) ||
	    child_ts_resolve(&cfg->remote_ts, &out->remote, &out->remote_ts))
		return ERR_INVAL;
	return 0;
}

int trap_install(struct ike_engine *e, struct conn *conn, const struct conn_child *cfg,
		 bool from_config, uint32_t reqid)
{
	struct eng_trap *t = find(e, conn->name, cfg->name);
	struct ike_trap it;
	char l[256], r[256];
	bool fresh = false;
	int rc;

	if (t) {
		t->from_config = t->from_config || from_config;
		return 0;
	}
	if (!e->traps) {
		e->traps = calloc(IKE_MAX_TRAPS, sizeof(*e->traps));
		if (!e->traps)
			return ERR_NOMEM;
	}
	if (e->ntraps >= IKE_MAX_TRAPS) {
		log_error(LOG_IKE, "trap for %s/%s not installed: %d traps already", conn->name,
			  cfg->name, IKE_MAX_TRAPS);
		return ERR_LIMIT;
	}
	if (cfg->reqid)
		reqid = cfg->reqid;
	else if (!reqid) {
		reqid = e->next_reqid;
		fresh = true;
	}
	rc = describe(conn, cfg, reqid, &it);
	if (rc) {
		log_error(LOG_IKE,
			  "trap for %s/%s not installed: it needs local_addrs and remote_addrs",
			  conn->name, cfg->name);
		return rc;
	}
	rc = e->cb.trap_install ? e->cb.trap_install(e->ctx, &it) : 0;
	if (rc) {
		log_error(LOG_IKE, "trap for %s/%s could not be installed (%s)", conn->name,
			  cfg->name, err_str(rc));
		return rc;
	}
	if (fresh)
		e->next_reqid++;
	t = &e->traps[e->ntraps++];
	memset(t, 0, sizeof(*t));
	t->conn = conn_ref(conn);
	t->cfg = cfg;
	t->reqid = reqid;
	t->from_config = from_config;
	log_debug(LOG_IKE, "trap policy for %s/%s{%u} installed: %s === %s", conn->name, cfg->name,
		  reqid, child_ts_str(&it.local_ts, l, sizeof(l)),
		  child_ts_str(&it.remote_ts, r, sizeof(r)));
	return 0;
}

static void uninstall_at(struct ike_engine *e, size_t i)
{
	struct eng_trap *t = &e->traps[i];

	log_info(LOG_IKE, "trap policy for %s/%s{%u} uninstalled", t->conn->name, t->cfg->name,
		 t->reqid);
	if (e->cb.trap_uninstall)
		e->cb.trap_uninstall(e->ctx, t->reqid);
	conn_free(t->conn);
	e->traps[i] = e->traps[--e->ntraps];
}

void trap_child_up(struct ike_engine *e, uint32_t reqid)
{
	struct eng_trap *t = find_reqid(e, reqid);

	if (t) {
		t->pending = 0;
		t->acquired_ms = 0;
		t->have_pkt = false;
	}
}

/* ts in front of l, unless l is full or is exactly ts. */
static void prepend(struct ts_list *l, const struct ts *ts)
{
	if (l->n >= TS_LIST_MAX || (l->n == 1 && ts_equal(&l->ts[0], ts)))
		return;
	memmove(&l->ts[1], &l->ts[0], l->n * sizeof(l->ts[0]));
	l->ts[0] = *ts;
	l->n++;
}

void trap_packet_ts(const struct ike_engine *e, const char *conn, const char *child,
		    struct ts_list *tsi, struct ts_list *tsr)
{
	const struct eng_trap *t = find(e, conn, child);

	if (!t || !t->have_pkt || tsi->n >= TS_LIST_MAX || tsr->n >= TS_LIST_MAX)
		return;
	prepend(tsi, &t->pkt_local);
	prepend(tsr, &t->pkt_remote);
}

static bool addrs_same(const struct addr *a, size_t na, const struct addr *b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (!addr_equal(&a[i], &b[i]))
			return false;
	return true;
}

static bool ts_same(const struct ts_list *a, const struct ts_list *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (a->ts[i].type != b->ts[i].type ||
		    (a->ts[i].type ? !ts_equal(&a->ts[i], &b->ts[i])
				   : a->ts[i].proto != b->ts[i].proto ||
					 a->ts[i].start_port != b->ts[i].start_port ||
					 a->ts[i].end_port != b->ts[i].end_port))
			return false;
	return true;
}

static bool certs_same(struct x509 *const *a, size_t na, struct x509 *const *b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++) {
		const uint8_t *da, *db;
		size_t la, lb;
		x509_der(a[i], &da, &la);
		x509_der(b[i], &db, &lb);
		if (la != lb || memcmp(da, db, la) != 0)
			return false;
	}
	return true;
}

static bool auth_same(const struct conn_auth *a, const struct conn_auth *b)
{
	return a->method == b->method && a->id.type == b->id.type && a->id.len == b->id.len &&
	       memcmp(a->id.data, b->id.data, a->id.len) == 0 &&
	       certs_same(a->certs, a->ncerts, b->certs, b->ncerts) &&
	       certs_same(a->cacerts, a->ncacerts, b->cacerts, b->ncacerts);
}

static bool child_same(const struct conn_child *a, const struct conn_child *b)
{
	return strcmp(a->name, b->name) == 0 && ts_same(&a->local_ts, &b->local_ts) &&
	       ts_same(&a->remote_ts, &b->remote_ts) && a->mode == b->mode && a->nesp == b->nesp &&
	       memcmp(a->esp, b->esp, a->nesp * sizeof(a->esp[0])) == 0 && a->nah == b->nah &&
	       memcmp(a->ah, b->ah, a->nah * sizeof(a->ah[0])) == 0 &&
	       a->rekey_time == b->rekey_time && a->life_time == b->life_time &&
	       a->rand_time == b->rand_time && a->rekey_bytes == b->rekey_bytes &&
	       a->life_bytes == b->life_bytes && a->rand_bytes == b->rand_bytes &&
	       a->rekey_packets == b->rekey_packets && a->life_packets == b->life_packets &&
	       a->rand_packets == b->rand_packets && a->start_action == b->start_action &&
	       a->dpd_action == b->dpd_action && a->close_action == b->close_action &&
	       a->replay_window == b->replay_window && a->reqid == b->reqid &&
	       a->ipcomp == b->ipcomp && strcmp(a->updown, b->updown) == 0 &&
	       a->tfc_padding == b->tfc_padding;
}

bool trap_conn_same(const struct conn *a, const struct conn *b)
{
	if (a == b)
		return true;
	if (strcmp(a->name, b->name) != 0 || a->version != b->version ||
	    !addrs_same(a->local_addrs, a->nlocal_addrs, b->local_addrs, b->nlocal_addrs) ||
	    !addrs_same(a->remote_addrs, a->nremote_addrs, b->remote_addrs, b->nremote_addrs) ||
	    a->local_port != b->local_port || a->remote_port != b->remote_port ||
	    a->nproposals != b->nproposals ||
	    memcmp(a->proposals, b->proposals, a->nproposals * sizeof(a->proposals[0])) != 0 ||
	    a->nlocal_auth != b->nlocal_auth || a->nremote_auth != b->nremote_auth ||
	    a->nchildren != b->nchildren || a->dpd_delay != b->dpd_delay ||
	    a->dpd_timeout != b->dpd_timeout || a->rekey_time != b->rekey_time ||
	    a->reauth_time != b->reauth_time || a->over_time != b->over_time ||
	    a->rand_time != b->rand_time || a->encap != b->encap || a->mobike != b->mobike ||
	    a->fragmentation != b->fragmentation || a->unique != b->unique ||
	    a->send_cert != b->send_cert || a->send_certreq != b->send_certreq ||
	    a->keyingtries != b->keyingtries)
		return false;
	for (size_t i = 0; i < a->nlocal_auth; i++)
		if (!auth_same(&a->local_auth[i], &b->local_auth[i]))
			return false;
	for (size_t i = 0; i < a->nremote_auth; i++)
		if (!auth_same(&a->remote_auth[i], &b->remote_auth[i]))
			return false;
	for (size_t i = 0; i < a->nchildren; i++)
		if (!child_same(a->children[i], b->children[i]))
			return false;
	return true;
}

void trap_sync(struct ike_engine *e)
{
	for (size_t i = 0; i < e->ntraps;) {
		struct eng_trap *t = &e->traps[i];
		struct conn *nc = eng_conn(e, t->conn->name);
		const struct conn_child *ncfg = nc ? conn_child_find(nc, t->cfg->name) : NULL;
		bool keep = nc && ncfg && trap_conn_same(t->conn, nc);
		if (keep && t->from_config && !(ncfg->start_action & CONN_ACTION_TRAP))
			keep = false;
		if (!keep) {
			uninstall_at(e, i);
			continue;
		}
		if (nc != t->conn) {
			conn_free(t->conn);
			t->conn = conn_ref(nc);
			t->cfg = ncfg;
		}
		i++;
	}
	for (size_t i = 0; i < e->nconns; i++)
		for (size_t j = 0; j < e->conns[i]->nchildren; j++)
			if (e->conns[i]->children[j]->start_action & CONN_ACTION_TRAP)
				trap_install(e, e->conns[i], e->conns[i]->children[j], true, 0);
}

void trap_free_all(struct ike_engine *e)
{
	for (size_t i = 0; i < e->ntraps; i++)
		conn_free(e->traps[i].conn);
	free(e->traps);
	e->traps = NULL;
	e->ntraps = 0;
}

/* An IKE SA started by an acquire is still being set up, or a Child SA of the trap is up
 * (acquires raced with its installation). */
static bool pending(struct ike_engine *e, const struct eng_trap *t)
{
	const struct ike_sa *sa = t->pending ? eng_sa_by_id(e, t->pending) : NULL;

	if (sa && sa->state != IKE_ST_DEAD && sa->state < IKE_ST_ESTABLISHED)
		return true;
	for (sa = e->sas; sa; sa = sa->next) {
		if (sa->state != IKE_ST_ESTABLISHED)
			continue;
		for (size_t i = 0; i < sa->nchildren; i++)
			if (sa->children[i]->reqid == t->reqid &&
			    sa->children[i]->state == IKE_CHILD_INSTALLED)
				return true;
	}
	return false;
}

/* The packet's hosts as selectors when the trap's own selectors cover them (a packet the trap
 * matched always is; anything else is not trusted). */
static void set_packet(struct eng_trap *t, const struct addr *src, const struct addr *dst)
{
	struct ike_trap it;
	struct ts l, r;

	t->have_pkt = false;
	if (!src || !dst || src->family != dst->family ||
	    describe(t->conn, t->cfg, t->reqid, &it) != 0 ||
	    ts_from_range(&l, src, src, 0, 0, 65535) != 0 ||
	    ts_from_range(&r, dst, dst, 0, 0, 65535) != 0 || !ts_list_covers(&it.local_ts, &l) ||
	    !ts_list_covers(&it.remote_ts, &r))
		return;
	t->pkt_local = l;
	t->pkt_remote = r;
	t->have_pkt = true;
}

int ike_engine_acquire(struct ike_engine *e, uint64_t now_ms, uint32_t reqid)
{
	return ike_engine_acquire_packet(e, now_ms, reqid, NULL, NULL);
}

int ike_engine_acquire_packet(struct ike_engine *e, uint64_t now_ms, uint32_t reqid,
			      const struct addr *src, const struct addr *dst)
{
	struct eng_trap *t = find_reqid(e, reqid);
	uint32_t id = 0;
	int rc;

	if (!t)
		return ERR_NOTFOUND;
	if (pending(e, t) || (t->acquired_ms && now_ms < t->acquired_ms + IKE_ACQUIRE_HOLD_MS)) {
		log_debug(LOG_IKE, "acquire for %s/%s{%u} ignored: one is pending", t->conn->name,
			  t->cfg->name, reqid);
		return 0;
	}
	set_packet(t, src, dst);
	rc = ike_engine_initiate(e, now_ms, t->conn->name, t->cfg->name, &id);
	if (rc == ERR_EXISTS)
		return 0;
	if (rc) {
		log_warn(LOG_IKE, "acquire for %s/%s{%u}: cannot initiate (%s)", t->conn->name,
			 t->cfg->name, reqid, err_str(rc));
		return rc;
	}
	t->pending = id;
	t->acquired_ms = now_ms ? now_ms : 1;
	log_info(LOG_IKE, "acquire for %s/%s{%u}: IKE_SA %s[%u] initiated", t->conn->name,
		 t->cfg->name, reqid, t->conn->name, id);
	return 0;
}
