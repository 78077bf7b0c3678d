/* Fake network, clock and data plane for exchange tests (see xnet.h). */
#include "support/xnet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/alg.h"
#include "crypto/rand.h"
#include "ike/conn.h"
#include "lib/addr.h"
#include "lib/err.h"
#include "wire/ikev2_const.h"

static int x_send(void *ctx, const struct ike_path *path, const uint8_t *data, size_t len)
{
	struct xnet_node *nd = ctx;
	struct xnet *n = nd->net;
	struct xnet_dgram *d;

	if (n->nq >= XNET_MAX_Q)
		return ERR_LIMIT;
	d = &n->q[n->nq];
	d->data = malloc(len);
	if (!d->data)
		return ERR_NOMEM;
	memcpy(d->data, data, len);
	d->len = len;
	d->from = nd->idx;
	d->path = *path;
	d->seq = ++n->seq;
	n->nq++;
	return 0;
}

static int x_install(void *ctx, const struct ike_child_sa *sa)
{
	struct xnet_node *nd = ctx;
	struct xnet_child *c;

	if (nd->nchild >= XNET_MAX_CHILD)
		return ERR_LIMIT;
	c = &nd->child[nd->nchild++];
	memset(c, 0, sizeof(*c));
	c->sa = *sa;
	if (sa->enc_key && sa->enc_key->len <= XNET_KEY_MAX) {
		memcpy(c->enc_buf, sa->enc_key->p, sa->enc_key->len);
		c->enc.p = c->enc_buf;
		c->enc.len = sa->enc_key->len;
		c->sa.enc_key = &c->enc;
	}
	if (sa->integ_key && sa->integ_key->len <= XNET_KEY_MAX) {
		memcpy(c->integ_buf, sa->integ_key->p, sa->integ_key->len);
		c->integ.p = c->integ_buf;
		c->integ.len = sa->integ_key->len;
		c->sa.integ_key = &c->integ;
	}
	c->sa.conn_name = NULL;
	c->sa.child_name = NULL;
	return 0;
}

static void x_delete(void *ctx, uint32_t reqid, uint8_t proto, uint32_t spi_in, uint32_t spi_out)
{
	struct xnet_node *nd = ctx;

	(void)reqid;
	(void)proto;
	nd->deletes++;
	for (size_t i = 0; i < nd->nchild; i++)
		if ((nd->child[i].sa.inbound && nd->child[i].sa.spi == spi_in) ||
		    (!nd->child[i].sa.inbound && nd->child[i].sa.spi == spi_out))
			nd->child[i].deleted = true;
}

static int x_update(void *ctx, uint32_t reqid, const struct ike_path *path, bool encap)
{
	struct xnet_node *nd = ctx;

	nd->updates++;
	nd->upd_reqid = reqid;
	nd->upd_path = *path;
	nd->upd_encap = encap;
	if (nd->fail_update)
		return ERR_UNSUPPORTED;
	for (size_t i = 0; i < nd->nchild; i++) {
		struct ike_child_sa *sa = &nd->child[i].sa;
		if (sa->reqid != reqid || nd->child[i].deleted)
			continue;
		sa->src = sa->inbound ? path->remote : path->local;
		sa->dst = sa->inbound ? path->local : path->remote;
		sa->src_port = sa->inbound ? path->remote_port : path->local_port;
		sa->dst_port = sa->inbound ? path->local_port : path->remote_port;
		sa->encap = encap;
	}
	return 0;
}

static int x_keepalive(void *ctx, const struct ike_path *path)
{
	struct xnet_node *nd = ctx;

	nd->keepalives++;
	nd->ka_path = *path;
	return 0;
}

static void x_event(void *ctx, uint32_t id, uint32_t child_id, enum ike_event_kind kind,
		    const char *msg)
{
	struct xnet_node *nd = ctx;
	struct xnet_event *ev;

	if (!nd->net->quiet)
		fprintf(stderr, "  [node %d] event %d #%u: %s\n", nd->idx, (int)kind, id, msg);
	if (nd->nev >= XNET_MAX_EV)
		return;
	ev = &nd->ev[nd->nev++];
	ev->id = id;
	ev->child_id = child_id;
	ev->kind = kind;
	snprintf(ev->msg, sizeof(ev->msg), "%s", msg);
}

static int x_trap_install(void *ctx, const struct ike_trap *t)
{
	struct xnet_node *nd = ctx;
	struct xnet_trap *x;

	if (nd->ntrap >= XNET_MAX_TRAP)
		return ERR_LIMIT;
	x = &nd->trap[nd->ntrap++];
	memset(x, 0, sizeof(*x));
	x->t = *t;
	snprintf(x->conn, sizeof(x->conn), "%s", t->conn_name);
	snprintf(x->child, sizeof(x->child), "%s", t->child_name);
	x->t.conn_name = x->conn;
	x->t.child_name = x->child;
	return 0;
}

static void x_trap_uninstall(void *ctx, uint32_t reqid)
{
	struct xnet_node *nd = ctx;

	for (size_t i = 0; i < nd->ntrap; i++)
		if (nd->trap[i].t.reqid == reqid)
			nd->trap[i].removed = true;
}

static void x_updown(void *ctx, const struct ike_updown *u)
{
	struct xnet_node *nd = ctx;
	struct xnet_updown *x;

	if (nd->nupdown >= XNET_MAX_UPDOWN)
		return;
	x = &nd->updown[nd->nupdown++];
	memset(x, 0, sizeof(*x));
	x->up = u->up;
	x->ike_id = u->ike_id;
	x->child_id = u->child_id;
	x->reqid = u->reqid;
	snprintf(x->child, sizeof(x->child), "%s", u->child_name);
	snprintf(x->updown, sizeof(x->updown), "%s", u->updown);
}

static const struct ike_callbacks x_cb = {
    .send = x_send,
    .child_install = x_install,
    .child_delete = x_delete,
    .child_update = x_update,
    .send_keepalive = x_keepalive,
    .event = x_event,
    .trap_install = x_trap_install,
    .trap_uninstall = x_trap_uninstall,
    .child_updown = x_updown,
};

int xnet_init(struct xnet *n, const char *a0, const char *a1)
{
	memset(n, 0, sizeof(*n));
	n->now = 1000;
	for (int i = 0; i < 2; i++) {
		struct xnet_node *nd = &n->node[i];
		nd->net = n;
		nd->idx = i;
		if (addr_parse(i ? a1 : a0, &nd->addr, NULL, 0) != 0)
			return -1;
		nd->e = ike_engine_new(&x_cb, nd);
		if (!nd->e)
			return -1;
	}
	return 0;
}

void xnet_cleanup(struct xnet *n)
{
	for (size_t i = 0; i < n->nq; i++)
		free(n->q[i].data);
	n->nq = 0;
	for (int i = 0; i < 2; i++) {
		ike_engine_free(n->node[i].e);
		n->node[i].e = NULL;
	}
}

int xnet_reset_node(struct xnet *n, int idx)
{
	struct xnet_node *nd = &n->node[idx];
	struct addr a = nd->addr;

	ike_engine_free(nd->e);
	memset(nd, 0, sizeof(*nd));
	nd->net = n;
	nd->idx = idx;
	nd->addr = a;
	nd->e = ike_engine_new(&x_cb, nd);
	return nd->e ? 0 : -1;
}

static uint16_t nat_shift(const struct xnet *n)
{
	return n->nat_shift ? n->nat_shift : 10000;
}

static void deliver(struct xnet *n, const struct xnet_dgram *d)
{
	struct ike_path rp;
	int to = -1;

	rp.local = d->path.remote;
	rp.local_port = d->path.remote_port;
	rp.remote = d->path.local;
	rp.remote_port = d->path.local_port;
	if (n->nat && d->from == 0) {
		/* source NAT: node 0's private address and port become the public ones */
		rp.remote = n->nat_pub;
		rp.remote_port = (uint16_t)(d->path.local_port + nat_shift(n));
	}
	if (n->nat && d->from == 1) {
		uint16_t p = (uint16_t)(d->path.remote_port - nat_shift(n));
		if (!addr_equal(&d->path.remote, &n->nat_pub) ||
		    (p != IKE_PORT && p != IKE_PORT_NATT)) {
			n->nat_dropped++; /* no such mapping (any more) */
			return;
		}
		rp.local = n->node[0].addr;
		rp.local_port = p;
		to = 0;
	}
	for (int i = 0; i < 2 && to < 0; i++)
		if (addr_equal(&n->node[i].addr, &rp.local))
			to = i;
	if (to < 0 || to == d->from)
		return;
	n->delivered++;
	ike_engine_input(n->node[to].e, n->now, &rp, d->data, d->len);
}

int xnet_step(struct xnet *n)
{
	struct xnet_dgram d;
	enum xnet_action act = XNET_DELIVER;

	if (n->nq == 0)
		return 0;
	d = n->q[0];
	memmove(&n->q[0], &n->q[1], (n->nq - 1) * sizeof(n->q[0]));
	n->nq--;
	if (n->filter)
		act = n->filter(n->filter_ctx, &d);
	if (!n->quiet)
		fprintf(stderr, "  #%u %d->%d %s %s %zu bytes%s\n", d.seq, d.from, 1 - d.from,
			ikev2_exchange_str(xnet_exchange(&d)),
			xnet_is_response(&d) ? "response" : "request", d.len,
			act == XNET_DROP  ? " DROPPED"
			: act == XNET_DUP ? " DUPLICATED"
					  : "");
	if (act == XNET_DROP) {
		n->dropped++;
	} else {
		deliver(n, &d);
		if (act == XNET_DUP)
			deliver(n, &d);
	}
	free(d.data);
	return 1;
}

void xnet_flush(struct xnet *n, unsigned max)
{
	for (unsigned i = 0; i < max && xnet_step(n); i++)
		;
}

int xnet_tick(struct xnet *n, uint64_t limit)
{
	uint64_t d0 = ike_engine_next_deadline(n->node[0].e);
	uint64_t d1 = ike_engine_next_deadline(n->node[1].e);
	uint64_t d = d0 < d1 ? d0 : d1;

	if (d == UINT64_MAX || d > limit)
		return 0;
	if (d > n->now)
		n->now = d;
	ike_engine_timeout(n->node[0].e, n->now);
	ike_engine_timeout(n->node[1].e, n->now);
	return 1;
}

void xnet_run(struct xnet *n, uint64_t max_ms)
{
	uint64_t limit = n->now + max_ms;

	for (int guard = 0; guard < 10000; guard++) {
		xnet_flush(n, 1000);
		if (!xnet_tick(n, limit))
			break;
	}
	xnet_flush(n, 1000);
}

void xnet_advance(struct xnet *n, uint64_t ms)
{
	uint64_t end = n->now + ms;

	xnet_run(n, ms);
	if (n->now < end)
		n->now = end;
}

size_t xnet_live(const struct xnet_node *nd)
{
	size_t k = 0;

	for (size_t i = 0; i < nd->nchild; i++)
		k += !nd->child[i].deleted;
	return k;
}

int xnet_event(const struct xnet_node *nd, enum ike_event_kind kind, size_t from)
{
	for (size_t i = from; i < nd->nev; i++)
		if (nd->ev[i].kind == kind)
			return (int)i;
	return -1;
}

size_t xnet_events(const struct xnet_node *nd, enum ike_event_kind kind)
{
	size_t k = 0;

	for (size_t i = 0; i < nd->nev; i++)
		if (nd->ev[i].kind == kind)
			k++;
	return k;
}

const struct xnet_child *xnet_child(const struct xnet_node *nd, bool inbound, uint32_t spi)
{
	for (size_t i = 0; i < nd->nchild; i++)
		if (nd->child[i].sa.inbound == inbound && nd->child[i].sa.spi == spi)
			return &nd->child[i];
	return NULL;
}

uint8_t xnet_exchange(const struct xnet_dgram *d)
{
	return d->len >= 28 ? d->data[18] : 0;
}

bool xnet_is_response(const struct xnet_dgram *d)
{
	return d->len >= 28 && (d->data[19] & IKEV2_FLAG_RESPONSE);
}

int xnet_nonce_rand(void *ctx, enum ike_rand_use use, uint8_t *buf, size_t len)
{
	struct xnet_nonce *h = ctx;

	if (use != IKE_RAND_NONCE)
		return crypto_rand_bytes(buf, len);
	memset(buf, h->fill, len);
	buf[len - 1] = h->ctr++;
	return 0;
}

struct conn *xnet_psk_conn_addrs(const char *name, const struct addr *local,
				 const struct addr *remote, const char *ike)
{
	struct conn *c = conn_new(name);
	size_t cnt = 0;

	if (!c)
		return NULL;
	c->version = CONN_VERSION_2;
	if (local) {
		c->nlocal_addrs = 1;
		c->local_addrs[0] = *local;
	}
	if (remote) {
		c->nremote_addrs = 1;
		c->remote_addrs[0] = *remote;
	}
	if (alg_parse(ALG_PROTO_IKE, ike, c->proposals, ALG_MAX_PROPOSALS, &cnt, NULL, 0) != 0) {
		conn_free(c);
		return NULL;
	}
	c->nproposals = cnt;
	c->local_auth[0].method = CONN_AUTH_PSK;
	c->remote_auth[0].method = CONN_AUTH_PSK;
	return c;
}

struct conn *xnet_psk_conn(const struct xnet *n, int i, const char *name, const char *ike)
{
	struct conn *c = xnet_psk_conn_addrs(name, &n->node[i].addr, &n->node[1 - i].addr, ike);

	if (c)
		c->rekey_time = c->rand_time = c->over_time = 0;
	return c;
}

struct conn_child *xnet_esp_child(struct conn *c, const char *name, const char *esp)
{
	struct conn_child *ch = NULL;
	size_t cnt = 0;

	if (!c || conn_child_add(c, name, &ch) != 0 ||
	    alg_parse(ALG_PROTO_ESP, esp, ch->esp, ALG_MAX_PROPOSALS, &cnt, NULL, 0) != 0)
		return NULL;
	ch->nesp = cnt;
	return ch;
}

struct conn_child *xnet_psk_child(struct conn *c, const char *name, const char *esp)
{
	struct conn_child *ch = xnet_esp_child(c, name, esp);

	if (ch)
		ch->rekey_time = ch->life_time = ch->rand_time = 0;
	return ch;
}

int xnet_configure_engine(struct ike_engine *e, struct conn *const *conns, size_t count)
{
	struct conn_secrets *sec = conn_secrets_new();
	int rc;

	if (!sec)
		return ERR_NOMEM;
	rc = conn_secrets_add_psk(sec, XNET_PSK, strlen(XNET_PSK), NULL, 0);
	if (rc == 0)
		rc = ike_engine_set_config(e, conns, count, sec);
	if (rc)
		conn_secrets_free(sec);
	return rc;
}

int xnet_configure(struct xnet *n, int i, struct conn *const *conns, size_t count)
{
	return xnet_configure_engine(n->node[i].e, conns, count);
}
