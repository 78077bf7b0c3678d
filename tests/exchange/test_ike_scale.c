/* The engine at scale (issue 4): 10,000 IKE SAs with one Child SA each set up between two
 * engines over an in-memory network, every one findable through the SA table (local SPI,
 * IKE_SA_INIT key, id), the deadline heap agreeing with every SA's own deadline, established
 * SAs holding no handshake state (key pair, IKE_SA_INIT messages, SK_pi/SK_pr), selectors
 * stored at their size; then all deleted by the initiator and freed on both sides (ASan's leak
 * check covers the rest). Also: the table grows, a retransmitted IKE_SA_INIT finds its
 * half-open SA by (SPIi, peer) and not another peer's.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/alg.h"
#include "ike/engine.h"
#include "ike/ike.h"
#include "ike/sa.h"
#include "lib/log.h"
#include "support/test.h"
#include "support/xnet.h"

#define N_SAS  10000
#define WINDOW 64

struct dgram {
	struct dgram *next;
	int to;
	struct ike_path path;
	size_t len;
	uint8_t data[];
};

struct net {
	struct ike_engine *e[2];
	struct dgram *head, *tail;
	uint64_t now;
	unsigned up[2], failed, inflight;
	uint32_t *ids;
};

static int enqueue(struct net *n, int to, const struct ike_path *from, const uint8_t *data,
		   size_t len)
{
	struct dgram *d = malloc(sizeof(*d) + len);

	if (!d)
		return -1;
	d->next = NULL;
	d->to = to;
	d->path.local = from->remote;
	d->path.local_port = from->remote_port;
	d->path.remote = from->local;
	d->path.remote_port = from->local_port;
	d->len = len;
	memcpy(d->data, data, len);
	if (n->tail)
		n->tail->next = d;
	else
		n->head = d;
	n->tail = d;
	return 0;
}

static int send0(void *ctx, const struct ike_path *p, const uint8_t *data, size_t len)
{
	return enqueue(ctx, 1, p, data, len);
}

static int send1(void *ctx, const struct ike_path *p, const uint8_t *data, size_t len)
{
	return enqueue(ctx, 0, p, data, len);
}

static void event(struct net *n, int side, enum ike_event_kind kind)
{
	if (kind == IKE_EV_CHILD_UP) {
		n->up[side]++;
		if (side == 0)
			n->inflight--;
	} else if (kind == IKE_EV_IKE_FAILED || kind == IKE_EV_CHILD_FAILED) {
		n->failed++;
		if (side == 0)
			n->inflight--;
	}
}

static void ev0(void *ctx, uint32_t id, uint32_t cid, enum ike_event_kind k, const char *m)
{
	(void)id;
	(void)cid;
	(void)m;
	event(ctx, 0, k);
}

static void ev1(void *ctx, uint32_t id, uint32_t cid, enum ike_event_kind k, const char *m)
{
	(void)id;
	(void)cid;
	(void)m;
	event(ctx, 1, k);
}

/* A connection from local to remote (NULL: any), unique = never when it has a local
 * address (the initiator: ten thousand IKE SAs, one connection), no (responder); selectors
 * dynamic on the initiator's side. */
static struct conn *mkconn(const char *name, const char *local, const char *remote)
{
	struct addr l, r;
	struct conn *c;
	struct conn_child *ch;

	if ((local && addr_parse(local, &l, NULL, 0)) ||
	    (remote && addr_parse(remote, &r, NULL, 0)))
		return NULL;
	c = xnet_psk_conn_addrs(name, local ? &l : NULL, remote ? &r : NULL,
				"aes128gcm16-prfsha256-x25519");
	ch = xnet_esp_child(c, "net", "aes128gcm16");
	if (!ch) {
		conn_free(c);
		return NULL;
	}
	c->unique = local ? CONN_UNIQUE_NEVER : CONN_UNIQUE_NO;
	ts_parse_list(local ? "dynamic" : "10.2.0.0/16", &ch->local_ts, NULL, 0);
	ts_parse_list(local ? "10.2.0.0/16" : "dynamic", &ch->remote_ts, NULL, 0);
	return c;
}

static void configure(struct ike_engine *e, struct conn *c)
{
	T_EQ(xnet_configure_engine(e, &c, 1), 0);
	conn_free(c);
}

static void pump(struct net *n)
{
	while (n->head) {
		struct dgram *d = n->head;
		n->head = d->next;
		if (!n->head)
			n->tail = NULL;
		ike_engine_input(n->e[d->to], n->now, &d->path, d->data, d->len);
		free(d);
	}
}

/* The heap's earliest deadline is the earliest of all SAs' own. */
static uint64_t brute_deadline(const struct ike_engine *e)
{
	uint64_t d = UINT64_MAX;

	for (const struct ike_sa *sa = e->sas; sa; sa = sa->next) {
		uint64_t x = eng_sa_deadline(e, sa);
		if (x < d)
			d = x;
	}
	return d;
}

static void check_table(struct ike_engine *e, int side)
{
	size_t n = 0, bad_spi = 0, bad_init = 0, bad_id = 0, hs = 0, skp = 0, ts = 0, kids = 0;

	for (struct ike_sa *sa = e->sas; sa; sa = sa->next) {
		n++;
		if (eng_sa_by_local_spi(e, side == 0 ? sa->spi_i : sa->spi_r) != sa)
			bad_spi++;
		if (side == 1 && eng_sa_by_init(e, sa->spi_i, &sa->path) != sa)
			bad_init++;
		if (eng_sa_by_id(e, sa->id) != sa)
			bad_id++;
		if (sa->hs)
			hs++;
		if (sa->keys.sk_pi || sa->keys.sk_pr)
			skp++;
		kids += sa->nchildren;
		for (size_t i = 0; i < sa->nchildren; i++) {
			struct ts_list l, r;
			ike_child_ts(sa->children[i], &l, &r);
			if (l.n != 1 || r.n != 1)
				ts++;
		}
	}
	T_EQ_ROW(side, n, N_SAS);
	T_EQ_ROW(side, e->nsas, N_SAS);
	T_EQ_ROW(side, kids, N_SAS);
	T_EQ_ROW(side, bad_spi, 0);
	T_EQ_ROW(side, bad_init, 0);
	T_EQ_ROW(side, bad_id, 0);
	T_EQ_ROW(side, hs, 0);
	T_EQ_ROW(side, skp, 0);
	T_EQ_ROW(side, ts, 0);
	T_OK_ROW(side, e->hmask + 1 >= N_SAS, "tables grew to %zu buckets", e->hmask + 1);
	T_EQ_ROW(side, ike_engine_next_deadline(e), brute_deadline(e));
}

static void test_ten_thousand(void)
{
	const struct ike_callbacks c0 = {.send = send0, .event = ev0};
	const struct ike_callbacks c1 = {.send = send1, .event = ev1};
	struct net *n = calloc(1, sizeof(*n));
	unsigned started = 0;
	uint8_t nospi[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	size_t cnt, total, bad = 0;

	n->e[0] = ike_engine_new(&c0, n);
	n->e[1] = ike_engine_new(&c1, n);
	n->ids = calloc(N_SAS, sizeof(*n->ids));
	configure(n->e[0], mkconn("gw", "192.0.2.1", "192.0.2.2"));
	configure(n->e[1], mkconn("rw", NULL, NULL));
	n->now = 1000;
	while (started < N_SAS || n->inflight) {
		while (started < N_SAS && n->inflight < WINDOW) {
			if (ike_engine_initiate(n->e[0], n->now, "gw", NULL, &n->ids[started]) != 0)
				break;
			started++;
			n->inflight++;
		}
		if (!n->head)
			break;
		pump(n);
		n->now++;
	}
	T_EQ(started, N_SAS);
	T_EQ(n->up[0], N_SAS);
	T_EQ(n->up[1], N_SAS);
	T_EQ(n->failed, 0);
	check_table(n->e[0], 0);
	check_table(n->e[1], 1);
	T_OK(eng_sa_by_local_spi(n->e[1], nospi) == NULL, "unknown SPI not found");
	/* timers run over 10,000 SAs without visiting the ones not due */
	ike_engine_timeout(n->e[1], n->now);
	T_EQ(n->e[1]->nsas, N_SAS);
	/* all deleted by the initiator: both sides empty */
	for (unsigned i = 0; i < N_SAS; i++) {
		if (ike_engine_terminate(n->e[0], n->now, n->ids[i]) != 0)
			bad++;
		pump(n);
	}
	T_EQ(bad, 0);
	ike_engine_list(n->e[0], NULL, 0, &cnt, &total);
	T_EQ(total, 0);
	ike_engine_list(n->e[1], NULL, 0, &cnt, &total);
	T_EQ(total, 0);
	T_EQ(n->e[1]->nsas, 0);
	T_EQ(n->e[1]->nheap, 0);
	T_EQ(ike_engine_next_deadline(n->e[1]), UINT64_MAX);
	ike_engine_free(n->e[0]);
	ike_engine_free(n->e[1]);
	free(n->ids);
	free(n);
}

/* A retransmitted IKE_SA_INIT is answered from its half-open SA; the same SPIi from another
 * peer is a different SA. */
static void test_init_key(void)
{
	const struct ike_callbacks c0 = {.send = send0, .event = ev0};
	const struct ike_callbacks c1 = {.send = send1, .event = ev1};
	struct net *n = calloc(1, sizeof(*n));
	struct dgram *req;
	struct ike_path other;
	struct ike_sa *sa;
	uint32_t id;

	n->e[0] = ike_engine_new(&c0, n);
	n->e[1] = ike_engine_new(&c1, n);
	configure(n->e[0], mkconn("gw", "192.0.2.1", "192.0.2.2"));
	configure(n->e[1], mkconn("rw", NULL, NULL));
	T_EQ(ike_engine_initiate(n->e[0], n->now, "gw", NULL, &id), 0);
	req = n->head; /* the IKE_SA_INIT request */
	n->head = n->tail = NULL;
	T_OK(req != NULL, "request sent");
	if (!req)
		goto out;
	ike_engine_input(n->e[1], n->now, &req->path, req->data, req->len);
	T_EQ(n->e[1]->nsas, 1);
	sa = n->e[1]->sas;
	T_OK(sa && eng_sa_by_init(n->e[1], req->data, &req->path) == sa, "found by SPIi, peer");
	other = req->path;
	other.remote_port = 4501;
	T_OK(eng_sa_by_init(n->e[1], req->data, &other) == NULL, "other port: not found");
	/* the retransmission: one more answer, still one SA */
	while (n->head) {
		struct dgram *d = n->head;
		n->head = d->next;
		free(d);
	}
	n->tail = NULL;
	ike_engine_input(n->e[1], n->now, &req->path, req->data, req->len);
	T_EQ(n->e[1]->nsas, 1);
	T_OK(n->head != NULL, "answered again");
	/* from another port it is a new half-open SA */
	ike_engine_input(n->e[1], n->now, &other, req->data, req->len);
	T_EQ(n->e[1]->nsas, 2);
	free(req);
out:
	while (n->head) {
		struct dgram *d = n->head;
		n->head = d->next;
		free(d);
	}
	ike_engine_free(n->e[0]);
	ike_engine_free(n->e[1]);
	free(n);
}

int main(void)
{
	log_set_level_all(LOG_LVL_WARN);
	test_init_key();
	test_ten_thousand();
	return t_finish();
}
