/* The IKEv2 engine fed arbitrary datagrams in three situations:
 *   1. a fresh responder (IKE_SA_INIT request parsing, proposal selection, cookies, KE);
 *   2. an initiator waiting for its IKE_SA_INIT response (the input's SPIi is patched to the
 *      initiator's so it reaches the SA: response parsing, COOKIE / INVALID_KE retries);
 *   3. an established pair (SPIs patched to the SA's: SK verification, message IDs, and the
 *      retransmission cache), which must stay established: no input can forge an ICV;
 *   4. a responder after IKE_SA_INIT receiving an authentic IKE_AUTH request whose inner
 *      payloads come from the input (records of type, length, body), sealed with the
 *      initiator's keys: the IKE_AUTH handlers, identities, AUTH, SA and TS parsing;
 *   5. an established pair where an authentic CREATE_CHILD_SA message carries inner payloads
 *      from the input (after a selector octet): a request to the responder (even selector:
 *      IKE SA and Child SA rekeys, §2.25 refusals) or the answer to the initiator's IKE SA
 *      rekey (odd: response checks, collisions), then both run their timers for 5 minutes;
 *   6. an established pair with MOBIKE (RFC 4555) where an authentic INFORMATIONAL carries
 *      inner payloads from the input: a request to the responder from a new address (even:
 *      UPDATE_SA_ADDRESSES, NAT detection, COOKIE2, additional addresses) or the answer to the
 *      initiator's own address update (odd: COOKIE2 check, NAT flags).
 * Randomness is deterministic so crashes reproduce. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ike/conn.h"
#include "ike/engine.h"
#include "ike/ike.h"
#include "ike/sa.h"
#include "ike/sk.h"
#include "ike/v2/mobike.h"
#include "wire/ikev2_build.h"
#include "lib/log.h"
#include "wire/ikev2_const.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define QMAX 8

struct node {
	struct ike_engine *e;
	size_t nq;
	uint8_t *q[QMAX];
	size_t qlen[QMAX];
	unsigned up;
	uint64_t seed;
};

static void check(int cond)
{
	if (!cond)
		abort(); /* a harness invariant */
}

static int f_send(void *ctx, const struct ike_path *p, const uint8_t *d, size_t n)
{
	struct node *nd = ctx;

	(void)p;
	if (nd->nq >= QMAX)
		return 0;
	nd->q[nd->nq] = malloc(n);
	check(nd->q[nd->nq] != NULL);
	memcpy(nd->q[nd->nq], d, n);
	nd->qlen[nd->nq++] = n;
	return 0;
}

static void f_event(void *ctx, uint32_t id, uint32_t cid, enum ike_event_kind k, const char *m)
{
	struct node *nd = ctx;

	(void)id, (void)cid, (void)m;
	if (k == IKE_EV_IKE_UP)
		nd->up++;
}

static int f_rand(void *ctx, enum ike_rand_use use, uint8_t *buf, size_t len)
{
	struct node *nd = ctx;

	(void)use;
	for (size_t i = 0; i < len; i++) {
		nd->seed = nd->seed * 6364136223846793005ULL + 1442695040888963407ULL;
		buf[i] = (uint8_t)(nd->seed >> 56);
	}
	return 0;
}

static const struct ike_callbacks cb = {.send = f_send, .event = f_event};
static const struct ike_test_hooks hooks = {.rand = f_rand};

static void drain(struct node *nd)
{
	for (size_t i = 0; i < nd->nq; i++)
		free(nd->q[i]);
	nd->nq = 0;
}

static struct conn *mkconn(const char *local, const char *remote)
{
	struct conn *c = conn_new("fz");
	struct conn_child *ch;

	c->version = CONN_VERSION_2;
	c->nlocal_addrs = 1;
	addr_parse(local, &c->local_addrs[0], NULL, 0);
	if (remote) {
		c->nremote_addrs = 1;
		addr_parse(remote, &c->remote_addrs[0], NULL, 0);
	}
	c->local_auth[0].method = c->remote_auth[0].method = CONN_AUTH_PSK;
	conn_child_add(c, "net", &ch);
	return c;
}

static void setup(struct node *nd, const char *local, const char *remote, uint64_t seed)
{
	struct conn_secrets *s = conn_secrets_new();
	struct conn *c = mkconn(local, remote);

	memset(nd, 0, sizeof(*nd));
	nd->seed = seed;
	nd->e = ike_engine_new(&cb, nd);
	check(nd->e && s && c);
	ike_engine_set_test_hooks(nd->e, &hooks, nd);
	conn_secrets_add_psk(s, "fuzz", 4, NULL, 0);
	check(ike_engine_set_config(nd->e, &c, 1, s) == 0);
	conn_free(c);
}

static struct ike_path path_to(const char *local, const char *remote)
{
	struct ike_path p;

	memset(&p, 0, sizeof(p));
	addr_parse(local, &p.local, NULL, 0);
	addr_parse(remote, &p.remote, NULL, 0);
	p.local_port = p.remote_port = 500;
	return p;
}

/* Moves queued datagrams a -> b and b -> a until quiet. */
static void pump(struct node *a, struct node *b, const struct ike_path *pa,
		 const struct ike_path *pb)
{
	for (int round = 0; round < 8 && (a->nq || b->nq); round++) {
		struct node *from = a->nq ? a : b, *to = from == a ? b : a;
		const struct ike_path *p = to == b ? pb : pa;
		uint8_t *m = from->q[0];
		size_t n = from->qlen[0];
		memmove(&from->q[0], &from->q[1], (from->nq - 1) * sizeof(from->q[0]));
		memmove(&from->qlen[0], &from->qlen[1], (from->nq - 1) * sizeof(from->qlen[0]));
		from->nq--;
		ike_engine_input(to->e, 1000, p, m, n);
		free(m);
	}
}

static struct node est_i, est_r;
static struct ike_sa_info est_info;
static struct ike_path p_at_i, p_at_r;

static void init_established(void)
{
	size_t cnt = 0, total = 0;
	uint32_t id;

	setup(&est_i, "192.0.2.1", "192.0.2.2", 1);
	setup(&est_r, "192.0.2.2", NULL, 2);
	p_at_i = path_to("192.0.2.1", "192.0.2.2");
	p_at_r = path_to("192.0.2.2", "192.0.2.1");
	check(ike_engine_initiate(est_i.e, 1000, "fz", NULL, &id) == 0);
	pump(&est_i, &est_r, &p_at_i, &p_at_r);
	check(est_i.up == 1 && est_r.up == 1);
	ike_engine_list(est_r.e, &est_info, 1, &cnt, &total);
	check(cnt == 1);
}

/* Mode 4: the inner payloads of an IKE_AUTH request from the input. */
static void auth_inner(const uint8_t *data, size_t size)
{
	struct node i, r;
	struct ike_path pi = path_to("192.0.2.1", "192.0.2.2");
	struct ike_path pr = path_to("192.0.2.2", "192.0.2.1");
	struct ikev2_builder b;
	struct ikev2_hdr h;
	struct ike_sa *sa;
	uint32_t id;
	size_t len = 0, off = 0;

	setup(&i, "192.0.2.1", "192.0.2.2", 5);
	setup(&r, "192.0.2.2", NULL, 6);
	check(ike_engine_initiate(i.e, 1000, "fz", NULL, &id) == 0);
	/* IKE_SA_INIT request and response only */
	check(i.nq == 1);
	ike_engine_input(r.e, 1000, &pr, i.q[0], i.qlen[0]);
	drain(&i);
	check(r.nq == 1);
	ike_engine_input(i.e, 1000, &pi, r.q[0], r.qlen[0]);
	drain(&r);
	drain(&i); /* the initiator's own IKE_AUTH request is not delivered */
	sa = eng_sa_by_id(i.e, id);
	check(sa != NULL);
	ike_sa_hdr(sa, IKEV2_EXCH_IKE_AUTH, false, 1, &h);
	ikev2_build_init(&b, i.e->tx, sizeof(i.e->tx));
	ikev2_build_hdr(&b, &h);
	sk_begin(sa, &b);
	while (off + 2 <= size) {
		uint8_t type = data[off], n = data[off + 1];
		if (off + 2 + n > size)
			n = (uint8_t)(size - off - 2);
		ikev2_build_raw(&b, type, false, data + off + 2, n);
		off += 2u + n;
	}
	if (sk_end_seal(i.e, sa, &b, i.e->tx, &len) == 0) {
		ike_engine_input(r.e, 1000, &pr, i.e->tx, len);
		/* and its answer to the initiator */
		if (r.nq)
			ike_engine_input(i.e, 1000, &pi, r.q[0], r.qlen[0]);
	}
	drain(&r);
	drain(&i);
	ike_engine_free(i.e);
	ike_engine_free(r.e);
}

/* Seals records (type, length, body) from data as the inner payloads of a message of sa. */
static int seal_records(struct ike_engine *e, struct ike_sa *sa, uint8_t exchange, bool resp,
			uint32_t msgid, const uint8_t *data, size_t size, size_t *len)
{
	struct ikev2_builder b;
	struct ikev2_hdr h;
	size_t off = 0;

	ike_sa_hdr(sa, exchange, resp, msgid, &h);
	ikev2_build_init(&b, e->tx, sizeof(e->tx));
	ikev2_build_hdr(&b, &h);
	sk_begin(sa, &b);
	while (off + 2 <= size) {
		uint8_t type = data[off], n = data[off + 1];
		if (off + 2 + n > size)
			n = (uint8_t)(size - off - 2);
		ikev2_build_raw(&b, type, false, data + off + 2, n);
		off += 2u + n;
	}
	return sk_end_seal(e, sa, &b, e->tx, len);
}

/* Mode 5: CREATE_CHILD_SA with inner payloads from the input. */
static void ccs_inner(const uint8_t *data, size_t size)
{
	struct node i, r;
	struct ike_path pi = path_to("192.0.2.1", "192.0.2.2");
	struct ike_path pr = path_to("192.0.2.2", "192.0.2.1");
	struct ike_sa *si, *sr;
	bool resp = size && (data[0] & 1);
	size_t len = 0;
	uint32_t id;

	setup(&i, "192.0.2.1", "192.0.2.2", 7);
	setup(&r, "192.0.2.2", NULL, 8);
	check(ike_engine_initiate(i.e, 1000, "fz", NULL, &id) == 0);
	pump(&i, &r, &pi, &pr);
	check(i.up == 1 && r.up == 1);
	si = eng_sa_by_id(i.e, id);
	sr = r.e->sas;
	check(si != NULL && sr != NULL);
	if (resp) {
		/* the initiator's IKE SA rekey request is not delivered: the input answers it */
		check(ike_engine_rekey_ike(i.e, 1000, id) == 0);
		drain(&i);
		if (seal_records(r.e, sr, IKEV2_EXCH_CREATE_CHILD_SA, true, si->next_req_id - 1,
				 data + 1, size - 1, &len) == 0)
			ike_engine_input(i.e, 1000, &pi, r.e->tx, len);
	} else if (seal_records(i.e, si, IKEV2_EXCH_CREATE_CHILD_SA, false, si->next_req_id,
				size ? data + 1 : data, size ? size - 1 : 0, &len) == 0) {
		ike_engine_input(r.e, 1000, &pr, i.e->tx, len);
	}
	pump(&i, &r, &pi, &pr);
	ike_engine_timeout(i.e, 301000);
	ike_engine_timeout(r.e, 301000);
	drain(&r);
	drain(&i);
	ike_engine_free(i.e);
	ike_engine_free(r.e);
}

/* Mode 6: INFORMATIONAL with inner payloads from the input on a pair with MOBIKE (RFC 4555):
 * a request of the initiator (UPDATE_SA_ADDRESSES, NAT detection, COOKIE2, additional
 * addresses...) from another address, or the answer to the initiator's own address update. */
static void info_inner(const uint8_t *data, size_t size)
{
	struct node i, r;
	struct ike_path pi = path_to("192.0.2.1", "192.0.2.2");
	struct ike_path pr = path_to("192.0.2.2", "192.0.2.1");
	struct ike_path moved = path_to("192.0.2.2", "192.0.2.9");
	struct ike_sa *si, *sr;
	bool resp = size && (data[0] & 1);
	struct addr a;
	size_t len = 0;
	uint32_t id;

	setup(&i, "192.0.2.1", "192.0.2.2", 9);
	setup(&r, "192.0.2.2", NULL, 10);
	check(ike_engine_initiate(i.e, 1000, "fz", NULL, &id) == 0);
	pump(&i, &r, &pi, &pr);
	check(i.up == 1 && r.up == 1);
	si = eng_sa_by_id(i.e, id);
	sr = r.e->sas;
	check(si != NULL && sr != NULL && si->mob != NULL && sr->mob != NULL);
	if (resp) {
		/* the initiator's update is not delivered: the input answers it */
		addr_parse("192.0.2.9", &a, NULL, 0);
		check(ike_engine_mobike_update(i.e, 1000, id, &a) == 0);
		drain(&i);
		if (seal_records(r.e, sr, IKEV2_EXCH_INFORMATIONAL, true, si->next_req_id - 1,
				 data + 1, size - 1, &len) == 0)
			ike_engine_input(i.e, 1000, &pi, r.e->tx, len);
	} else if (seal_records(i.e, si, IKEV2_EXCH_INFORMATIONAL, false, si->next_req_id,
				size ? data + 1 : data, size ? size - 1 : 0, &len) == 0) {
		ike_engine_input(r.e, 1000, &moved, i.e->tx, len);
	}
	drain(&r);
	drain(&i);
	ike_engine_timeout(i.e, 301000);
	ike_engine_timeout(r.e, 301000);
	drain(&r);
	drain(&i);
	ike_engine_free(i.e);
	ike_engine_free(r.e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int inited;
	struct node r, i;
	struct ike_path pr = path_to("192.0.2.2", "192.0.2.1");
	struct ike_path pi = path_to("192.0.2.1", "192.0.2.2");
	struct ike_sa_info info;
	size_t cnt = 0, total = 0;
	uint8_t *m;
	uint32_t id;

	if (!inited) {
		log_set_level_all(LOG_LVL_ERROR);
		init_established();
		inited = 1;
	}
	if (size > 70000)
		return 0;
	m = malloc(size ? size : 1);
	check(m != NULL);

	/* 1. a fresh responder */
	setup(&r, "192.0.2.2", NULL, 3);
	memcpy(m, data, size);
	ike_engine_input(r.e, 1000, &pr, m, size);
	ike_engine_timeout(r.e, 100000);
	drain(&r);
	ike_engine_free(r.e);

	/* 2. an initiator waiting for its IKE_SA_INIT response */
	setup(&i, "192.0.2.1", "192.0.2.2", 4);
	check(ike_engine_initiate(i.e, 1000, "fz", NULL, &id) == 0);
	check(i.nq == 1 && i.qlen[0] >= 28);
	if (size >= 8)
		memcpy(m, i.q[0], 8);
	drain(&i);
	ike_engine_input(i.e, 1000, &pi, m, size);
	ike_engine_timeout(i.e, 1000000);
	drain(&i);
	ike_engine_free(i.e);

	/* 3. the established pair */
	memcpy(m, data, size);
	if (size >= 16) {
		memcpy(m, est_info.spi_i, 8);
		memcpy(m + 8, est_info.spi_r, 8);
	}
	ike_engine_input(est_r.e, 1000, &p_at_r, m, size);
	ike_engine_input(est_i.e, 1000, &p_at_i, m, size);
	drain(&est_r);
	drain(&est_i);
	ike_engine_list(est_r.e, &info, 1, &cnt, &total);
	check(total >= 1 && strcmp(info.state, "ESTABLISHED") == 0);
	ike_engine_list(est_i.e, &info, 1, &cnt, &total);
	check(total == 1 && strcmp(info.state, "ESTABLISHED") == 0);
	free(m);

	/* 4. inner payloads of an authentic IKE_AUTH request */
	auth_inner(data, size);
	/* 5. inner payloads of an authentic CREATE_CHILD_SA request or IKE rekey answer */
	ccs_inner(data, size);
	/* 6. inner payloads of an authentic INFORMATIONAL (MOBIKE) request or update answer */
	info_inner(data, size);
	return 0;
}
