/* MOBIKE (RFC 4555) between two engines over the fake network: MOBIKE_SUPPORTED negotiated
 * (and the float to 4500 it brings) or not; the initiator's address changes and it sends
 * UPDATE_SA_ADDRESSES, the responder follows (IKE SA and Child SAs, both ends), a NAT appearing
 * and disappearing with the move (UDP encapsulation follows), a lost update retransmitted, no
 * move for an unauthenticated or replayed update nor for an ordinary authenticated message from
 * elsewhere, COOKIE2 echoed, NO_NATS_ALLOWED, additional addresses stored (bounded), malformed
 * MOBIKE notifies answered INVALID_SYNTAX, a NAT mapping change found by a liveness check.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/conn.h"
#include "ike/engine.h"
#include "ike/ike.h"
#include "ike/sa.h"
#include "ike/sk.h"
#include "ike/v2/mobike.h"
#include "lib/err.h"
#include "lib/log.h"
#include "support/test.h"
#include "support/xnet.h"
#include "wire/ikev2_build.h"
#include "wire/ikev2_const.h"
#include "wire/ikev2_msg.h"

#define A0  "10.1.0.2"
#define A0B "10.1.7.9" /* node 0's address after the move */
#define A1  "192.0.2.2"
#define PUB "198.51.100.7"

struct opts {
	bool no_mobike;
	uint32_t dpd_delay;
};

static void configure(struct xnet *n, int i, const struct opts *o)
{
	struct conn *c = xnet_psk_conn(n, i, "gw", "aes128gcm16-prfsha256-ecp256");

	T_OK(c != NULL, "connection");
	if (!c)
		return;
	if (n->nat && i == 1)
		c->remote_addrs[0] = n->nat_pub;
	c->mobike = !(o && o->no_mobike);
	c->dpd_delay = o ? o->dpd_delay : 0;
	struct conn_child *ch = xnet_psk_child(c, "net", "aes128gcm16");
	T_OK(ch != NULL, "child");
	if (ch) { /* subnets: the NATed side's dynamic selector would not match its address */
		ts_parse_list(i ? "10.2.0.0/16" : "10.9.0.0/16", &ch->local_ts, NULL, 0);
		ts_parse_list(i ? "10.9.0.0/16" : "10.2.0.0/16", &ch->remote_ts, NULL, 0);
	}
	T_EQ(xnet_configure(n, i, &c, 1), 0);
	conn_free(c);
}

/* Node 0 initiates to node 1; both up with one child. *id: node 0's IKE SA. */
static int setup(struct xnet *n, bool nat, const struct opts *o0, const struct opts *o1,
		 uint32_t *id)
{
	if (xnet_init(n, A0, A1) != 0)
		return -1;
	n->quiet = true;
	n->nat = nat;
	addr_parse(PUB, &n->nat_pub, NULL, 0);
	configure(n, 0, o0);
	configure(n, 1, o1);
	T_EQ(ike_engine_initiate(n->node[0].e, n->now, "gw", NULL, id), 0);
	xnet_flush(n, 100);
	T_EQ(xnet_events(&n->node[0], IKE_EV_CHILD_UP), 1);
	T_EQ(xnet_events(&n->node[1], IKE_EV_CHILD_UP), 1);
	return xnet_events(&n->node[1], IKE_EV_CHILD_UP) == 1 ? 0 : -1;
}

static void info(struct ike_engine *e, struct ike_sa_info *out)
{
	size_t cnt = 0, total = 0;

	memset(out, 0, sizeof(*out));
	ike_engine_list(e, out, 1, &cnt, &total);
}

static void advance(struct xnet *n, uint64_t ms)
{
	uint64_t end = n->now + ms;

	xnet_run(n, ms);
	if (n->now < end)
		n->now = end;
}

/* The live installed direction of node's newest child. */
static const struct ike_child_sa *live(const struct xnet_node *nd, bool inbound)
{
	for (size_t i = nd->nchild; i-- > 0;)
		if (!nd->child[i].deleted && nd->child[i].sa.inbound == inbound)
			return &nd->child[i].sa;
	return NULL;
}

static bool is_addr(const struct addr *a, const char *s)
{
	struct addr b;

	return addr_parse(s, &b, NULL, 0) == 0 && addr_equal(a, &b);
}

/* Node 0 moves to address s (the fake network delivers to it there from now on). */
static int roam(struct xnet *n, uint32_t id, const char *s)
{
	struct addr a;

	addr_parse(s, &a, NULL, 0);
	n->node[0].addr = a;
	return ike_engine_mobike_update(n->node[0].e, n->now, id, &a);
}

/* ---- a capturing filter ------------------------------------------------------------------ */

struct cap {
	int from;
	uint8_t exch;
	bool response, drop, armed, got;
	unsigned seen; /* matching datagrams */
	uint8_t buf[2048];
	size_t len;
	struct ike_path path;
};

static enum xnet_action cap_filter(void *ctx, const struct xnet_dgram *d)
{
	struct cap *c = ctx;

	if (d->from != c->from || xnet_exchange(d) != c->exch || xnet_is_response(d) != c->response)
		return XNET_DELIVER;
	c->seen++;
	if (!c->armed || c->got || d->len > sizeof(c->buf))
		return XNET_DELIVER;
	memcpy(c->buf, d->data, d->len);
	c->len = d->len;
	c->path = d->path;
	c->got = true;
	return c->drop ? XNET_DROP : XNET_DELIVER;
}

/* ---- tests -------------------------------------------------------------------------------- */

/* Both ends with mobike = yes: negotiated, IKE on port 4500 without any NAT (charon's float),
 * ESP not encapsulated. One end with mobike = no: not negotiated, port 500 stays. */
static void test_negotiation(void)
{
	struct opts off = {.no_mobike = true};
	struct ike_sa_info i0, i1;
	struct xnet n;
	uint32_t id;

	if (setup(&n, false, NULL, NULL, &id) == 0) {
		info(n.node[0].e, &i0);
		info(n.node[1].e, &i1);
		T_OK(i0.mobike && i1.mobike, "MOBIKE negotiated on both ends");
		T_EQ(i0.path.local_port, IKE_PORT_NATT);
		T_EQ(i0.path.remote_port, IKE_PORT_NATT);
		T_EQ(i1.path.local_port, IKE_PORT_NATT);
		T_EQ(i1.path.remote_port, IKE_PORT_NATT);
		T_OK(!i0.nat_local && !i0.nat_remote && !i1.nat_local && !i1.nat_remote, "no NAT");
		T_OK(!live(&n.node[0], false)->encap, "ESP not in UDP without a NAT");
		/* the responder cannot move the SA (only the initiator decides, §3.1) */
		T_EQ(ike_engine_mobike_update(n.node[1].e, n.now, i1.id, NULL), ERR_BADSTATE);
		T_EQ(ike_engine_mobike_update(n.node[0].e, n.now, id + 100, NULL), ERR_NOTFOUND);
	}
	xnet_cleanup(&n);
	for (int side = 0; side < 2; side++) {
		if (setup(&n, false, side ? NULL : &off, side ? &off : NULL, &id) == 0) {
			info(n.node[0].e, &i0);
			info(n.node[1].e, &i1);
			T_OK(!i0.mobike && !i1.mobike, "mobike = no on node %d: not negotiated",
			     side);
			/* the initiator floats on its own configuration (as charon) */
			T_EQ(i0.path.remote_port, side ? IKE_PORT_NATT : IKE_PORT);
			T_EQ(i1.path.remote_port, side ? IKE_PORT_NATT : IKE_PORT);
			T_EQ(ike_engine_mobike_update(n.node[0].e, n.now, id, NULL), ERR_BADSTATE);
		}
		xnet_cleanup(&n);
	}
}

/* Node 0 (initiator) moves to another address: its SA and Child SA leave from there at once,
 * UPDATE_SA_ADDRESSES with COOKIE2 goes out, node 1 follows (IKE SA and both directions of its
 * Child SA, same SPIs), answers on the new path with COOKIE2 echoed; a rekey then runs over the
 * new path. */
static void test_roam(void)
{
	struct cap c = {
	    .from = 1, .exch = IKEV2_EXCH_INFORMATIONAL, .response = true, .armed = true};
	struct ike_sa_info i0, i1;
	const struct ike_child_sa *o1, *in1, *o0;
	uint32_t spi_out1;
	struct xnet n;
	uint32_t id;

	if (setup(&n, false, NULL, NULL, &id))
		goto out;
	spi_out1 = live(&n.node[1], false)->spi;
	n.filter = cap_filter;
	n.filter_ctx = &c;
	T_EQ(roam(&n, id, A0B), 0);
	/* moved locally at once */
	info(n.node[0].e, &i0);
	T_OK(is_addr(&i0.path.local, A0B), "node 0's IKE SA on its new address");
	T_EQ(n.node[0].updates, 1);
	o0 = live(&n.node[0], false);
	T_OK(o0 && is_addr(&o0->src, A0B), "node 0's outbound ESP from the new address");
	T_EQ(n.nq, 1); /* the update */
	xnet_flush(&n, 10);
	info(n.node[1].e, &i1);
	T_OK(is_addr(&i1.path.remote, A0B), "node 1 follows to the new address");
	T_EQ(i1.path.remote_port, IKE_PORT_NATT);
	T_EQ(i1.mobike_updates, 1);
	T_EQ(n.node[1].updates, 1);
	o1 = live(&n.node[1], false);
	in1 = live(&n.node[1], true);
	T_OK(o1 && is_addr(&o1->dst, A0B) && !o1->encap, "outbound ESP to the new address");
	T_OK(in1 && is_addr(&in1->src, A0B), "inbound ESP from the new address");
	T_EQ(o1->spi, spi_out1); /* moved in place, not rekeyed */
	/* the answer: on the new path, COOKIE2 echoed, NAT detection */
	T_OK(c.got, "captured the answer");
	T_OK(is_addr(&c.path.remote, A0B), "answered on the new path");
	info(n.node[0].e, &i0);
	T_EQ(i0.mobike_updates, 1);
	T_OK(!i0.nat_local && !i0.nat_remote, "still no NAT");
	/* the moved SA works: a Child SA rekey by node 1 over the new path */
	n.filter = NULL;
	T_EQ(ike_engine_rekey_child(n.node[1].e, n.now, live(&n.node[1], true)->child_id), 0);
	xnet_flush(&n, 20);
	T_EQ(xnet_events(&n.node[0], IKE_EV_CHILD_UP), 2);
	o1 = live(&n.node[1], false);
	T_OK(o1 && is_addr(&o1->dst, A0B), "the rekeyed Child SA uses the new address");
	/* and back again */
	T_EQ(roam(&n, id, A0), 0);
	xnet_flush(&n, 10);
	info(n.node[1].e, &i1);
	T_OK(is_addr(&i1.path.remote, A0), "node 1 follows back");
	T_EQ(i1.mobike_updates, 2);
	T_EQ(xnet_events(&n.node[0], IKE_EV_IKE_DOWN) + xnet_events(&n.node[1], IKE_EV_IKE_DOWN),
	     0);
out:
	xnet_cleanup(&n);
}

/* The update is lost: retransmitted from the new path by the normal rules, then followed. */
static void test_lost_update(void)
{
	struct cap c = {.from = 0, .exch = IKEV2_EXCH_INFORMATIONAL, .armed = true, .drop = true};
	struct ike_sa_info i1;
	struct xnet n;
	uint32_t id;

	if (setup(&n, false, NULL, NULL, &id))
		goto out;
	n.filter = cap_filter;
	n.filter_ctx = &c;
	T_EQ(roam(&n, id, A0B), 0);
	xnet_flush(&n, 10);
	T_OK(c.got, "the first update dropped");
	info(n.node[1].e, &i1);
	T_OK(is_addr(&i1.path.remote, A0), "not followed yet");
	advance(&n, 5000); /* first retransmission after 4 s */
	info(n.node[1].e, &i1);
	T_OK(is_addr(&i1.path.remote, A0B), "followed on the retransmission");
	T_EQ(c.seen, 2);
	T_EQ(i1.mobike_updates, 1);
	T_EQ(live(&n.node[1], false) != NULL && is_addr(&live(&n.node[1], false)->dst, A0B), 1);
	advance(&n, 60000);
	T_EQ(c.seen, 2); /* answered: no more retransmissions */
	T_EQ(xnet_events(&n.node[0], IKE_EV_IKE_DOWN), 0);
out:
	xnet_cleanup(&n);
}

/* A NAT appears with the move (node 0 now behind a masquerade): node 1 sees it in the update's
 * NAT detection and moves its Child SA into UDP encapsulation to the NAT's port; node 0 learns
 * it from the answer and sends keepalives. Then the NAT goes away again. */
static void test_nat_appears(void)
{
	struct ike_sa_info i0, i1;
	struct xnet n;
	uint32_t id;

	if (setup(&n, false, NULL, NULL, &id))
		goto out;
	n.nat = true;
	addr_parse(PUB, &n.nat_pub, NULL, 0);
	T_EQ(roam(&n, id, A0B), 0);
	xnet_flush(&n, 10);
	info(n.node[1].e, &i1);
	T_OK(is_addr(&i1.path.remote, PUB), "node 1 follows to the NAT's address");
	T_EQ(i1.path.remote_port, IKE_PORT_NATT + 10000);
	T_OK(i1.nat_remote && !i1.nat_local, "node 1 sees the NAT on the peer's side");
	T_OK(n.node[1].upd_encap, "node 1's Child SA now in UDP");
	T_OK(live(&n.node[1], false)->encap && live(&n.node[1], false)->dst_port == 14500,
	     "outbound ESP in UDP to the NAT's port");
	info(n.node[0].e, &i0);
	T_OK(i0.nat_local, "node 0 learns it is behind a NAT from the answer");
	T_OK(n.node[0].upd_encap, "node 0's Child SA now in UDP");
	advance(&n, 25000);
	T_OK(n.node[0].keepalives >= 1, "keepalives from behind the NAT (%u)",
	     n.node[0].keepalives);
	/* the NAT disappears: back to plain ESP */
	n.nat = false;
	T_EQ(roam(&n, id, A0), 0);
	xnet_flush(&n, 10);
	info(n.node[1].e, &i1);
	info(n.node[0].e, &i0);
	T_OK(is_addr(&i1.path.remote, A0) && i1.path.remote_port == IKE_PORT_NATT, "followed");
	T_OK(!i1.nat_remote && !i0.nat_local, "no NAT any more");
	T_OK(!n.node[1].upd_encap && !n.node[0].upd_encap, "Child SAs back to plain ESP");
	T_EQ(xnet_events(&n.node[0], IKE_EV_IKE_DOWN) + xnet_events(&n.node[1], IKE_EV_IKE_DOWN),
	     0);
out:
	xnet_cleanup(&n);
}

/* Node 0's Child SA update fails in its data plane (fail_update): the Child SA is rekeyed onto
 * the new path instead, one code path with NAT mapping changes. */
static void test_update_fails_rekey(void)
{
	struct xnet n;
	uint32_t id;

	if (setup(&n, false, NULL, NULL, &id))
		goto out;
	n.node[1].fail_update = true;
	T_EQ(roam(&n, id, A0B), 0);
	xnet_flush(&n, 30);
	T_EQ(xnet_events(&n.node[1], IKE_EV_CHILD_UP), 2); /* the replacement */
	T_OK(is_addr(&live(&n.node[1], false)->dst, A0B), "the new Child SA uses the new address");
out:
	xnet_cleanup(&n);
}

static void drain(struct xnet *n)
{
	for (size_t i = 0; i < n->nq; i++)
		free(n->q[i].data);
	n->nq = 0;
}

/* Nothing moves for: the update with a broken ICV from elsewhere, a replayed update from a third
 * address, an authentic ordinary request (liveness check) from a new address (no implicit
 * following with MOBIKE, §3.3); the cached answer to a replay goes where the replay came from
 * (strongSwan answers requests on their path) without moving the SA. */
static void test_unauthenticated(void)
{
	struct cap c = {.from = 0, .exch = IKEV2_EXCH_INFORMATIONAL, .armed = true};
	struct opts dpd = {.dpd_delay = 30};
	struct ike_sa_info i1;
	struct ike_stats st0, st1;
	struct ike_path evil;
	uint8_t bad[2048];
	struct xnet n;
	uint32_t id;

	if (setup(&n, false, &dpd, NULL, &id))
		goto out;
	n.filter = cap_filter;
	n.filter_ctx = &c;
	c.drop = true;
	T_EQ(roam(&n, id, A0B), 0);
	xnet_flush(&n, 10);
	T_OK(c.got, "captured the update");
	ike_engine_stats(n.node[1].e, &st0);
	memset(&evil, 0, sizeof(evil));
	addr_parse("203.0.113.66", &evil.remote, NULL, 0);
	evil.remote_port = 31337;
	evil.local = n.node[1].addr;
	evil.local_port = IKE_PORT_NATT;
	memcpy(bad, c.buf, c.len);
	bad[c.len - 1] ^= 0x55;
	T_EQ(ike_engine_input(n.node[1].e, n.now, &evil, bad, c.len), 0);
	info(n.node[1].e, &i1);
	T_OK(is_addr(&i1.path.remote, A0), "a forged update is not followed");
	ike_engine_stats(n.node[1].e, &st1);
	T_EQ(st1.drop_auth, st0.drop_auth + 1);
	T_EQ(n.node[1].updates, 0);
	/* the real one (its retransmission) arrives and is followed */
	c.drop = false;
	advance(&n, 5000);
	info(n.node[1].e, &i1);
	T_OK(is_addr(&i1.path.remote, A0B), "the authentic update is followed");
	/* a replay of it from elsewhere: the cached answer to the replay's source, no move */
	drain(&n);
	T_EQ(ike_engine_input(n.node[1].e, n.now, &evil, c.buf, c.len), 0);
	info(n.node[1].e, &i1);
	T_OK(is_addr(&i1.path.remote, A0B), "a replayed update is not followed");
	T_EQ(n.nq, 1);
	if (n.nq == 1) {
		char dbg[64];
		T_OK(is_addr(&n.q[0].path.remote, "203.0.113.66"),
		     "replay answered at its source (%s)",
		     addr_str(&n.q[0].path.remote, dbg, sizeof(dbg)));
		free(n.q[0].data);
		n.nq = 0;
	}
	/* an authentic liveness check from a new address (without UPDATE_SA_ADDRESSES) */
	c.armed = true;
	c.got = false;
	c.drop = true;
	advance(&n, 31000);
	T_OK(c.got, "captured a liveness check");
	evil.remote_port = IKE_PORT_NATT;
	T_EQ(ike_engine_input(n.node[1].e, n.now, &evil, c.buf, c.len), 0);
	info(n.node[1].e, &i1);
	T_OK(is_addr(&i1.path.remote, A0B), "no implicit following with MOBIKE");
	T_EQ(n.node[1].updates, 1);
out:
	xnet_cleanup(&n);
}

/* ---- hand-built requests from node 0 (sealed with its keys) -------------------------------- */

struct nfy {
	uint16_t type;
	const void *data;
	size_t len;
};

/* Node 0 sends HDR, SK {N...} (its next request) to node 1 from path (node 0's view). */
static int send_notifies(struct xnet *n, uint32_t id, const struct ike_path *path,
			 const struct nfy *list, size_t cnt)
{
	struct ike_engine *e = n->node[0].e;
	struct ike_sa *sa = eng_sa_by_id(e, id);
	struct ike_path rp;
	struct ikev2_builder b;
	struct ikev2_hdr h;
	size_t len = 0;

	if (!sa)
		return -1;
	ike_sa_hdr(sa, IKEV2_EXCH_INFORMATIONAL, false, sa->next_req_id, &h);
	ikev2_build_init(&b, e->tx, sizeof(e->tx));
	ikev2_build_hdr(&b, &h);
	sk_begin(sa, &b);
	for (size_t i = 0; i < cnt; i++) {
		struct ikev2_notify nf = {
		    .type = list[i].type, .data = list[i].data, .len = list[i].len};
		ikev2_build_notify(&b, &nf);
	}
	if (sk_end_seal(e, sa, &b, e->tx, &len) != 0)
		return -1;
	sa->next_req_id++; /* node 0 will not expect the answer: it is checked on the wire */
	rp.local = path->remote;
	rp.local_port = path->remote_port;
	rp.remote = path->local;
	rp.remote_port = path->local_port;
	return ike_engine_input(n->node[1].e, n->now, &rp, e->tx, len);
}

/* The notify types of node 1's answer (the newest datagram it queued), decrypted as node 0
 * would; *nt receives how many. */
static void answer_notifies(struct xnet *n, uint32_t id, uint16_t *types, size_t *nt,
			    uint8_t *cookie, size_t *cookie_len)
{
	struct ike_engine *e = n->node[0].e;
	struct ike_sa *sa = eng_sa_by_id(e, id);
	struct ikev2_digest outer, inner;
	struct ikev2_decode_err derr = {0};
	const struct xnet_dgram *d;

	*nt = 0;
	*cookie_len = 0;
	if (n->nq == 0 || !sa)
		return;
	d = &n->q[n->nq - 1];
	if (ikev2_decode(d->data, d->len, &outer, &derr) != 0 ||
	    sk_open(e, sa, d->data, d->len, &outer, e->plain, sizeof(e->plain), &inner, &derr) != 0)
		return;
	for (const struct ikev2_payload *p = ikev2_digest_first(&inner, IKEV2_PT_N); p && *nt < 16;
	     p = ikev2_digest_next(&inner, p)) {
		types[(*nt)++] = p->u.n.type;
		if (p->u.n.type == IKEV2_N_COOKIE2 && p->u.n.len <= 64) {
			memcpy(cookie, p->u.n.data, p->u.n.len);
			*cookie_len = p->u.n.len;
		}
	}
}

static bool has_type(const uint16_t *t, size_t n, uint16_t type)
{
	for (size_t i = 0; i < n; i++)
		if (t[i] == type)
			return true;
	return false;
}

/* Hand-built requests: COOKIE2 echoed; malformed MOBIKE notifies answered INVALID_SYNTAX with
 * nothing changed; NO_NATS_ALLOWED naming other addresses answered UNEXPECTED_NAT_DETECTED
 * without a move and naming the real ones followed; ADDITIONAL_* addresses stored up to the
 * limit, NO_ADDITIONAL_ADDRESSES clearing them; UPDATE_SA_ADDRESSES from the responder of the
 * IKE SA ignored. */
static void test_notifies(void)
{
	static const uint8_t cookie[12] = "rampart-c2!";
	static const uint8_t ip4[4] = {192, 0, 2, 77};
	uint8_t got[64], nonat[12], short_cookie[4] = {1, 2, 3, 4},
				    ip6[16] = {0x20, 0x01, 0x0d, 0xb8};
	uint16_t types[16];
	size_t nt = 0, glen = 0;
	struct ike_sa_info i1;
	struct ike_path p0, pb;
	struct xnet n;
	uint32_t id;

	if (setup(&n, false, NULL, NULL, &id))
		goto out;
	info(n.node[0].e, (struct ike_sa_info *)&i1);
	p0 = i1.path;
	pb = p0;
	addr_parse(A0B, &pb.local, NULL, 0);
	/* 1: COOKIE2 in a plain INFORMATIONAL is echoed */
	{
		struct nfy l[] = {{IKEV2_N_COOKIE2, cookie, sizeof(cookie)}};
		T_EQ(send_notifies(&n, id, &p0, l, 1), 0);
		answer_notifies(&n, id, types, &nt, got, &glen);
		T_OK(has_type(types, nt, IKEV2_N_COOKIE2), "COOKIE2 in the answer");
		T_MEM(got, glen, cookie, sizeof(cookie));
		drain(&n);
	}
	/* 2: malformed: a 4-octet COOKIE2 with UPDATE_SA_ADDRESSES from the new address */
	{
		struct nfy l[] = {{IKEV2_N_UPDATE_SA_ADDRESSES, NULL, 0},
				  {IKEV2_N_COOKIE2, short_cookie, sizeof(short_cookie)}};
		T_EQ(send_notifies(&n, id, &pb, l, 2), 0);
		answer_notifies(&n, id, types, &nt, got, &glen);
		T_OK(has_type(types, nt, IKEV2_N_INVALID_SYNTAX), "INVALID_SYNTAX");
		info(n.node[1].e, &i1);
		T_OK(is_addr(&i1.path.remote, A0), "nothing moved");
		drain(&n);
	}
	/* 3: malformed ADDITIONAL_IP4_ADDRESS (5 octets), UPDATE_SA_ADDRESSES with data */
	{
		static const uint8_t five[5] = {1, 2, 3, 4, 5};
		struct nfy l[] = {{IKEV2_N_ADDITIONAL_IP4_ADDRESS, five, 5}};
		struct nfy l2[] = {{IKEV2_N_UPDATE_SA_ADDRESSES, five, 1}};
		T_EQ(send_notifies(&n, id, &p0, l, 1), 0);
		answer_notifies(&n, id, types, &nt, got, &glen);
		T_OK(has_type(types, nt, IKEV2_N_INVALID_SYNTAX), "INVALID_SYNTAX for 5 octets");
		drain(&n);
		T_EQ(send_notifies(&n, id, &pb, l2, 1), 0);
		answer_notifies(&n, id, types, &nt, got, &glen);
		T_OK(has_type(types, nt, IKEV2_N_INVALID_SYNTAX), "INVALID_SYNTAX for data");
		info(n.node[1].e, &i1);
		T_OK(is_addr(&i1.path.remote, A0) && i1.peer_addrs == 0, "nothing changed");
		drain(&n);
	}
	/* 4: NO_NATS_ALLOWED naming the old address while the request comes from the new one */
	{
		struct nfy l[] = {{IKEV2_N_UPDATE_SA_ADDRESSES, NULL, 0},
				  {IKEV2_N_NO_NATS_ALLOWED, nonat, sizeof(nonat)}};
		memcpy(nonat, p0.local.bytes, 4);
		memcpy(nonat + 4, p0.remote.bytes, 4);
		nonat[8] = IKE_PORT_NATT >> 8;
		nonat[9] = IKE_PORT_NATT & 0xff;
		nonat[10] = IKE_PORT_NATT >> 8;
		nonat[11] = IKE_PORT_NATT & 0xff;
		T_EQ(send_notifies(&n, id, &pb, l, 2), 0);
		answer_notifies(&n, id, types, &nt, got, &glen);
		T_OK(has_type(types, nt, IKEV2_N_UNEXPECTED_NAT_DETECTED),
		     "UNEXPECTED_NAT_DETECTED");
		info(n.node[1].e, &i1);
		T_OK(is_addr(&i1.path.remote, A0), "not moved through a NAT");
		drain(&n);
		/* naming the real addresses: followed */
		memcpy(nonat, pb.local.bytes, 4);
		T_EQ(send_notifies(&n, id, &pb, l, 2), 0);
		answer_notifies(&n, id, types, &nt, got, &glen);
		T_OK(!has_type(types, nt, IKEV2_N_UNEXPECTED_NAT_DETECTED), "no error");
		info(n.node[1].e, &i1);
		T_OK(is_addr(&i1.path.remote, A0B), "followed with NO_NATS_ALLOWED");
		T_OK(nt == 0 || n.q[n.nq - 1].path.remote.family == AF_INET, "answered");
		T_OK(n.nq && is_addr(&n.q[n.nq - 1].path.remote, A0B), "answer on the new path");
		drain(&n);
	}
	/* 5: additional addresses: stored up to IKE_MOBIKE_ADDR_MAX, then cleared */
	{
		struct nfy l[IKE_MOBIKE_ADDR_MAX + 3];
		for (size_t i = 0; i < IKE_MOBIKE_ADDR_MAX + 2; i++)
			l[i] = (struct nfy){IKEV2_N_ADDITIONAL_IP4_ADDRESS, ip4, 4};
		l[IKE_MOBIKE_ADDR_MAX + 2] = (struct nfy){IKEV2_N_ADDITIONAL_IP6_ADDRESS, ip6, 16};
		T_EQ(send_notifies(&n, id, &pb, l, IKE_MOBIKE_ADDR_MAX + 3), 0);
		info(n.node[1].e, &i1);
		T_EQ(i1.peer_addrs, IKE_MOBIKE_ADDR_MAX);
		drain(&n);
		struct nfy l2[] = {{IKEV2_N_ADDITIONAL_IP6_ADDRESS, ip6, 16}};
		T_EQ(send_notifies(&n, id, &pb, l2, 1), 0);
		info(n.node[1].e, &i1);
		T_EQ(i1.peer_addrs, 1); /* replaced, not appended */
		drain(&n);
		struct nfy l3[] = {{IKEV2_N_NO_ADDITIONAL_ADDRESSES, NULL, 0}};
		T_EQ(send_notifies(&n, id, &pb, l3, 1), 0);
		info(n.node[1].e, &i1);
		T_EQ(i1.peer_addrs, 0);
		drain(&n);
	}
	T_EQ(xnet_events(&n.node[1], IKE_EV_IKE_DOWN), 0);
out:
	xnet_cleanup(&n);
}

/* UPDATE_SA_ADDRESSES sent by the responder of the IKE SA is ignored by the initiator. */
static void test_from_responder_ignored(void)
{
	struct ike_sa_info i0;
	struct ike_path p1;
	struct ikev2_builder b;
	struct ikev2_hdr h;
	struct ike_sa *sa;
	struct ike_engine *e;
	struct xnet n;
	size_t len = 0;
	uint32_t id;

	if (setup(&n, false, NULL, NULL, &id))
		goto out;
	e = n.node[1].e;
	sa = e->sas;
	ike_sa_hdr(sa, IKEV2_EXCH_INFORMATIONAL, false, sa->next_req_id, &h);
	ikev2_build_init(&b, e->tx, sizeof(e->tx));
	ikev2_build_hdr(&b, &h);
	sk_begin(sa, &b);
	{
		struct ikev2_notify nf = {.type = IKEV2_N_UPDATE_SA_ADDRESSES};
		ikev2_build_notify(&b, &nf);
	}
	T_EQ(sk_end_seal(e, sa, &b, e->tx, &len), 0);
	sa->next_req_id++;
	memset(&p1, 0, sizeof(p1));
	p1.local = n.node[0].addr;
	p1.local_port = IKE_PORT_NATT;
	addr_parse("192.0.2.99", &p1.remote, NULL, 0);
	p1.remote_port = IKE_PORT_NATT;
	T_EQ(ike_engine_input(n.node[0].e, n.now, &p1, e->tx, len), 0);
	info(n.node[0].e, &i0);
	T_OK(is_addr(&i0.path.remote, A1), "the initiator ignores the responder's update");
	T_EQ(n.node[0].updates, 0);
out:
	xnet_cleanup(&n);
}

/* Node 0 behind a NAT: its liveness checks carry NAT detection; when the NAT's mapping changes
 * the answer (sent back where the check came from) shows it, and node 0 sends an update that
 * moves node 1 to the new mapping. */
static void test_nat_mapping_dpd(void)
{
	struct opts dpd = {.dpd_delay = 30};
	struct ike_sa_info i1;
	struct xnet n;
	uint32_t id;

	if (setup(&n, true, &dpd, NULL, &id))
		goto out;
	info(n.node[1].e, &i1);
	T_EQ(i1.path.remote_port, 14500);
	advance(&n, 31000); /* the first check records the mapping */
	n.nat_shift = 20000;
	advance(&n, 31000); /* the next one comes through the new mapping */
	advance(&n, 1000);
	info(n.node[1].e, &i1);
	T_EQ(i1.path.remote_port, 24500);
	T_EQ(i1.mobike_updates, 1);
	T_OK(live(&n.node[1], false)->dst_port == 24500, "Child SA moved to the new mapping");
	T_EQ(xnet_events(&n.node[0], IKE_EV_IKE_DOWN) + xnet_events(&n.node[1], IKE_EV_IKE_DOWN),
	     0);
out:
	xnet_cleanup(&n);
}

/* Our address changes while a request of ours is in flight (a Child SA rekey): the path moves
 * at once, the update waits for the window and goes out after the rekey's answer. */
static void test_update_queued(void)
{
	struct ike_sa_info i1;
	struct xnet n;
	uint32_t id;

	if (setup(&n, false, NULL, NULL, &id))
		goto out;
	T_EQ(ike_engine_rekey_child(n.node[0].e, n.now, live(&n.node[0], true)->child_id), 0);
	T_EQ(n.nq, 1);
	T_EQ(xnet_exchange(&n.q[0]), IKEV2_EXCH_CREATE_CHILD_SA);
	T_EQ(roam(&n, id, A0B), 0);
	T_EQ(n.nq, 1); /* the update waits for the window */
	/* the rekey request left from the old address: its answer goes there and is lost; the
	 * retransmission leaves from the new address and gets the cached answer, then the update
	 * goes out */
	advance(&n, 10000);
	info(n.node[1].e, &i1);
	T_OK(is_addr(&i1.path.remote, A0B), "followed after the rekey");
	T_EQ(i1.mobike_updates, 1);
	T_EQ(xnet_events(&n.node[0], IKE_EV_CHILD_UP), 2);
	T_OK(is_addr(&live(&n.node[1], false)->dst, A0B), "the new Child SA goes to A0B");
	T_EQ(xnet_events(&n.node[0], IKE_EV_IKE_DOWN) + xnet_events(&n.node[1], IKE_EV_IKE_DOWN),
	     0);
out:
	xnet_cleanup(&n);
}

/* An IKE SA rekey carries MOBIKE over; the new SA roams. */
static void test_rekey_keeps_mobike(void)
{
	struct ike_sa_info i0, i1;
	struct xnet n;
	uint32_t id;
	int ev;

	if (setup(&n, false, NULL, NULL, &id))
		goto out;
	T_EQ(ike_engine_rekey_ike(n.node[0].e, n.now, id), 0);
	xnet_flush(&n, 20);
	ev = xnet_event(&n.node[0], IKE_EV_IKE_REKEYED, 0);
	T_OK(ev >= 0, "rekeyed");
	if (ev < 0)
		goto out;
	id = n.node[0].ev[ev].id;
	info(n.node[0].e, &i0);
	info(n.node[1].e, &i1);
	T_EQ(i0.id, id);
	T_OK(i0.mobike && i1.mobike, "MOBIKE on the rekeyed SA");
	T_EQ(roam(&n, id, A0B), 0);
	xnet_flush(&n, 10);
	info(n.node[1].e, &i1);
	T_OK(is_addr(&i1.path.remote, A0B), "the rekeyed SA's peer follows");
	T_OK(is_addr(&live(&n.node[1], false)->dst, A0B), "with its Child SA");
out:
	xnet_cleanup(&n);
}

/* IPv6: the initiator moves to another IPv6 address; the peer follows; a move to an IPv4
 * address (another family than the peer's) is refused. */
static void test_roam_v6(void)
{
	struct ike_sa_info i1;
	struct addr a, v4;
	struct xnet n;
	uint32_t id;

	if (xnet_init(&n, "2001:db8:1::2", "2001:db8:2::2") != 0)
		goto out;
	n.quiet = true;
	configure(&n, 0, NULL);
	configure(&n, 1, NULL);
	T_EQ(ike_engine_initiate(n.node[0].e, n.now, "gw", NULL, &id), 0);
	xnet_flush(&n, 100);
	T_EQ(xnet_events(&n.node[1], IKE_EV_CHILD_UP), 1);
	info(n.node[1].e, &i1);
	T_OK(i1.mobike, "MOBIKE over IPv6");
	addr_parse("192.0.2.9", &v4, NULL, 0);
	T_EQ(ike_engine_mobike_update(n.node[0].e, n.now, id, &v4), ERR_INVAL);
	addr_parse("2001:db8:1::77", &a, NULL, 0);
	n.node[0].addr = a;
	T_EQ(ike_engine_mobike_update(n.node[0].e, n.now, id, &a), 0);
	xnet_flush(&n, 10);
	info(n.node[1].e, &i1);
	T_OK(is_addr(&i1.path.remote, "2001:db8:1::77"), "followed to the new IPv6 address");
	T_OK(!i1.nat_remote, "no NAT");
	T_OK(live(&n.node[1], false) && is_addr(&live(&n.node[1], false)->dst, "2001:db8:1::77"),
	     "Child SA moved");
out:
	xnet_cleanup(&n);
}

int main(void)
{
	log_set_level_all(getenv("T_VERBOSE") ? LOG_LVL_DEBUG : LOG_LVL_ERROR);
	test_negotiation();
	test_roam();
	test_lost_update();
	test_nat_appears();
	test_update_fails_rekey();
	test_unauthenticated();
	test_notifies();
	test_from_responder_ignored();
	test_nat_mapping_dpd();
	test_update_queued();
	test_rekey_keeps_mobike();
	test_roam_v6();
	return t_finish();
}
