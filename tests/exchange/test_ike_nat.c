/* NAT traversal after IKE_SA_INIT between two engines over the fake network (RFC 7296 §2.23,
 * RFC 3948 §2.3): node 0 sits behind a NAT whose mapping changes mid-SA; the peer follows an
 * authenticated message to the new port (its Child SAs move with it through child_update, or
 * are rekeyed when the data plane cannot move them), and nothing moves for an unauthenticated
 * or replayed message, for a host behind the NAT, or without any NAT. The data plane's report
 * (ike_engine_peer_moved). NAT keepalives from the NATed side only, none for encap = yes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/conn.h"
#include "ike/ike.h"
#include "lib/err.h"
#include "lib/log.h"
#include "support/test.h"
#include "support/xnet.h"
#include "wire/ikev2_const.h"

#define A0  "10.1.0.2"
#define A1  "192.0.2.2"
#define PUB "198.51.100.7"

struct opts {
	uint32_t dpd_delay;
	bool encap;
};

static void configure(struct xnet *n, int i, const struct opts *o)
{
	struct conn *c = xnet_psk_conn(n, i, "gw", "aes128gcm16-prfsha256-ecp256");
	struct conn_child *ch = xnet_psk_child(c, "net", "aes128gcm16");

	if (n->nat && i == 1)
		c->remote_addrs[0] = n->nat_pub;
	c->dpd_delay = o ? o->dpd_delay : 0;
	c->encap = o && o->encap;
	c->mobike = false; /* §2.23's implicit following; MOBIKE's is in test_ike_mobike */
	ts_parse_list(i ? "10.2.0.0/16" : "10.1.0.0/16", &ch->local_ts, NULL, 0);
	ts_parse_list(i ? "10.1.0.0/16" : "10.2.0.0/16", &ch->remote_ts, NULL, 0);
	T_EQ(xnet_configure(n, i, &c, 1), 0);
	conn_free(c);
}

/* Node 0 (behind a NAT when nat) initiates; both sides up with one child. */
static int setup(struct xnet *n, bool nat, const struct opts *o0, const struct opts *o1)
{
	if (xnet_init(n, A0, nat ? A1 : "10.1.0.3") != 0)
		return -1;
	n->quiet = true;
	n->nat = nat;
	addr_parse(PUB, &n->nat_pub, NULL, 0);
	configure(n, 0, o0);
	configure(n, 1, o1);
	uint32_t id;
	T_EQ(ike_engine_initiate(n->node[0].e, n->now, "gw", NULL, &id), 0);
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

/* The live (not deleted) installed direction of node's first child. */
static const struct ike_child_sa *live(const struct xnet_node *nd, bool inbound)
{
	for (size_t i = nd->nchild; i-- > 0;)
		if (!nd->child[i].deleted && nd->child[i].sa.inbound == inbound)
			return &nd->child[i].sa;
	return NULL;
}

/* ---- a capturing filter: keeps (and optionally drops) one datagram ---------------------- */

struct cap {
	int from;	 /* capture the first datagram from this node ... */
	uint8_t exch;	 /* ... of this exchange ... */
	bool response;	 /* ... and direction */
	bool drop;	 /* drop it instead of delivering */
	bool armed, got; /* capturing / captured */
	uint8_t buf[2048];
	size_t len;
	struct ike_path path;
};

static enum xnet_action cap_filter(void *ctx, const struct xnet_dgram *d)
{
	struct cap *c = ctx;

	if (!c->armed || c->got || d->from != c->from || xnet_exchange(d) != c->exch ||
	    xnet_is_response(d) != c->response || d->len > sizeof(c->buf))
		return XNET_DELIVER;
	memcpy(c->buf, d->data, d->len);
	c->len = d->len;
	c->path = d->path;
	c->got = true;
	return c->drop ? XNET_DROP : XNET_DELIVER;
}

/* What node `to` sees when the captured datagram arrives from addr:port. */
static struct ike_path seen_from(const struct xnet *n, int to, const char *addr, uint16_t port,
				 uint16_t local_port)
{
	struct ike_path p;

	memset(&p, 0, sizeof(p));
	p.local = n->node[to].addr;
	p.local_port = local_port;
	addr_parse(addr, &p.remote, NULL, 0);
	p.remote_port = port;
	return p;
}

/* ---- tests -------------------------------------------------------------------------------- */

/* The NAT forgets node 0's mapping; node 0's next request (a liveness check) arrives from a
 * new port; node 1 follows it, its Child SA moves, and node 1's own requests reach node 0
 * again (a rekey of the child works end to end over the new mapping). */
static void test_mapping_change(void)
{
	struct opts o0 = {.dpd_delay = 30};
	struct ike_sa_info i1;
	const struct ike_child_sa *out1, *in1;
	struct ike_stats st;
	struct xnet n;
	size_t up0;

	if (setup(&n, true, &o0, NULL))
		goto out;
	info(n.node[1].e, &i1);
	T_EQ(i1.path.remote_port, 14500);
	T_OK(i1.nat_remote && !i1.nat_local, "node 1 sees the NAT on the peer's side");
	/* a new mapping: node 1's packets to the old one are lost from now on */
	n.nat_shift = 20000;
	T_EQ(ike_engine_rekey_child(n.node[1].e, n.now, n.node[1].child[0].sa.child_id), 0);
	xnet_flush(&n, 10);
	T_EQ(n.nat_dropped, 1);
	T_EQ(n.node[1].updates, 0);
	/* node 0's liveness check after 30 s of silence comes through the new mapping */
	xnet_advance(&n, 31000);
	info(n.node[1].e, &i1);
	T_EQ(i1.path.remote_port, 24500);
	T_OK(n.node[1].updates >= 1, "child_update called (%u)", n.node[1].updates);
	T_EQ(n.node[1].upd_path.remote_port, 24500);
	T_OK(n.node[1].upd_encap, "still encapsulated");
	out1 = live(&n.node[1], false);
	in1 = live(&n.node[1], true);
	T_OK(out1 && out1->dst_port == 24500, "outbound ESP goes to the new port");
	T_OK(in1 && in1->src_port == 24500, "inbound ESP expected from the new port");
	/* node 1's rekey retransmissions now reach node 0 over the new mapping */
	up0 = xnet_events(&n.node[0], IKE_EV_CHILD_UP);
	xnet_advance(&n, 30000);
	T_EQ(xnet_events(&n.node[0], IKE_EV_CHILD_UP), up0 + 1);
	T_EQ(xnet_events(&n.node[1], IKE_EV_IKE_DOWN) + xnet_events(&n.node[1], IKE_EV_IKE_FAILED),
	     0);
	out1 = live(&n.node[1], false);
	T_OK(out1 && out1->dst_port == 24500 && out1->encap, "the new Child SA uses the new port");
	ike_engine_stats(n.node[0].e, &st);
	T_EQ(st.drop_auth, 0);
	/* node 0 (behind the NAT) never follows anything */
	T_EQ(n.node[0].updates, 0);
out:
	xnet_cleanup(&n);
}

/* Nothing moves for an unauthenticated message, a corrupted one, or a replay of an old request
 * from a new address; the SA keeps working on its path afterwards. */
static void test_no_move_unauthenticated(void)
{
	struct cap c = {.from = 0, .exch = IKEV2_EXCH_INFORMATIONAL, .armed = true};
	struct opts o0 = {.dpd_delay = 30};
	struct ike_sa_info before, after;
	struct ike_stats st0, st1;
	struct ike_path evil;
	struct xnet n;
	uint8_t bad[2048];

	if (setup(&n, true, &o0, NULL))
		goto out;
	n.filter = cap_filter;
	n.filter_ctx = &c;
	xnet_advance(&n, 31000); /* a liveness check, captured and delivered */
	T_OK(c.got, "captured node 0's INFORMATIONAL request");
	if (!c.got)
		goto out;
	info(n.node[1].e, &before);
	ike_engine_stats(n.node[1].e, &st0);
	evil = seen_from(&n, 1, "203.0.113.66", 31337, IKE_PORT_NATT);
	/* 1: the same request again (a replay) from elsewhere: answered from the cache, no move */
	T_EQ(ike_engine_input(n.node[1].e, n.now, &evil, c.buf, c.len), 0);
	/* 2: a forged next request: right SPIs and message ID, the ICV corrupted */
	memcpy(bad, c.buf, c.len);
	bad[23] = (uint8_t)(bad[23] + 1); /* message ID + 1: the next request */
	bad[c.len - 1] ^= 0x55;
	T_EQ(ike_engine_input(n.node[1].e, n.now, &evil, bad, c.len), 0);
	/* 3: garbage after a valid header */
	memset(bad + 28, 0xa5, c.len - 28);
	T_EQ(ike_engine_input(n.node[1].e, n.now, &evil, bad, c.len), 0);
	/* 4: truncated */
	T_EQ(ike_engine_input(n.node[1].e, n.now, &evil, c.buf, 40), 0);
	info(n.node[1].e, &after);
	T_OK(addr_equal(&after.path.remote, &before.path.remote), "remote address unchanged");
	T_EQ(after.path.remote_port, before.path.remote_port);
	T_EQ(n.node[1].updates, 0);
	ike_engine_stats(n.node[1].e, &st1);
	T_OK(st1.drop_auth > st0.drop_auth, "the forgery failed its integrity check");
	/* the SA still works on the old path: the next liveness checks are answered */
	n.filter = NULL;
	xnet_advance(&n, 65000);
	T_EQ(xnet_events(&n.node[0], IKE_EV_IKE_DOWN) + xnet_events(&n.node[0], IKE_EV_IKE_FAILED),
	     0);
	info(n.node[1].e, &after);
	T_EQ(after.path.remote_port, 14500);
out:
	xnet_cleanup(&n);
}

/* No following without a NAT on the peer's side, or by the host behind the NAT. */
static void test_no_move_rules(void)
{
	struct cap c = {.from = 0, .exch = IKEV2_EXCH_INFORMATIONAL, .armed = true, .drop = true};
	struct opts dpd = {.dpd_delay = 30};
	struct ike_sa_info i;
	struct ike_path p;
	struct xnet n;

	/* no NAT anywhere: node 0's fresh liveness check, delivered from another address */
	if (setup(&n, false, &dpd, NULL) == 0) {
		n.filter = cap_filter;
		n.filter_ctx = &c;
		xnet_advance(&n, 31000);
		T_OK(c.got, "captured");
		p = seen_from(&n, 1, "10.1.0.99", IKE_PORT, IKE_PORT);
		ike_engine_input(n.node[1].e, n.now, &p, c.buf, c.len);
		info(n.node[1].e, &i);
		T_OK(!addr_equal(&i.path.remote, &p.remote), "no NAT: the peer is not followed");
		T_EQ(n.node[1].updates, 0);
		T_EQ(ike_engine_peer_moved(n.node[1].e, n.now, n.node[1].child[0].sa.reqid,
					   &p.remote, 4500),
		     ERR_BADSTATE);
	}
	xnet_cleanup(&n);

	/* behind the NAT: node 1's fresh liveness check reaches node 0 from a new address */
	memset(&c, 0, sizeof(c));
	c.from = 1;
	c.exch = IKEV2_EXCH_INFORMATIONAL;
	c.armed = c.drop = true;
	if (setup(&n, true, NULL, &dpd) == 0) {
		n.filter = cap_filter;
		n.filter_ctx = &c;
		xnet_advance(&n, 31000);
		T_OK(c.got, "captured");
		p = seen_from(&n, 0, "192.0.2.99", IKE_PORT_NATT, IKE_PORT_NATT);
		ike_engine_input(n.node[0].e, n.now, &p, c.buf, c.len);
		info(n.node[0].e, &i);
		T_OK(i.nat_local, "node 0 knows it is behind a NAT");
		T_OK(!addr_equal(&i.path.remote, &p.remote), "behind a NAT: no following");
		T_EQ(n.node[0].updates, 0);
		T_EQ(ike_engine_peer_moved(n.node[0].e, n.now, n.node[0].child[0].sa.reqid,
					   &p.remote, 4500),
		     ERR_BADSTATE);
	}
	xnet_cleanup(&n);
}

/* The data plane's report of an ESP packet from a new port moves the SA (the responder, peer
 * behind the NAT); IKE then talks to the new port too. */
static void test_peer_moved(void)
{
	struct opts o0 = {.dpd_delay = 30};
	struct ike_sa_info i1;
	struct addr pub;
	struct xnet n;
	uint32_t reqid;

	if (setup(&n, true, &o0, NULL))
		goto out;
	reqid = n.node[1].child[0].sa.reqid;
	addr_parse(PUB, &pub, NULL, 0);
	T_EQ(ike_engine_peer_moved(n.node[1].e, n.now, reqid + 1000, &pub, 24500), ERR_NOTFOUND);
	n.nat_shift = 20000;
	T_EQ(ike_engine_peer_moved(n.node[1].e, n.now, reqid, &pub, 24500), 0);
	info(n.node[1].e, &i1);
	T_EQ(i1.path.remote_port, 24500);
	T_EQ(i1.path.local_port, IKE_PORT_NATT);
	T_EQ(n.node[1].updates, 1);
	T_EQ(n.node[1].upd_reqid, reqid);
	T_EQ(live(&n.node[1], false)->dst_port, 24500);
	/* again with the same port: nothing to do */
	T_EQ(ike_engine_peer_moved(n.node[1].e, n.now, reqid, &pub, 24500), 0);
	T_EQ(n.node[1].updates, 1);
	/* node 1's requests reach node 0 through the new mapping */
	T_EQ(ike_engine_rekey_child(n.node[1].e, n.now, n.node[1].child[0].sa.child_id), 0);
	xnet_flush(&n, 20);
	T_EQ(n.nat_dropped, 0);
	T_EQ(xnet_events(&n.node[0], IKE_EV_CHILD_UP), 2);
out:
	xnet_cleanup(&n);
}

/* A data plane that cannot move a Child SA: the engine rekeys it onto the new path. */
static void test_update_fails_rekey(void)
{
	struct opts o0 = {.dpd_delay = 30};
	const struct ike_child_sa *out1;
	struct addr pub;
	struct xnet n;

	if (setup(&n, true, &o0, NULL))
		goto out;
	n.node[1].fail_update = true;
	n.nat_shift = 20000;
	addr_parse(PUB, &pub, NULL, 0);
	T_EQ(ike_engine_peer_moved(n.node[1].e, n.now, n.node[1].child[0].sa.reqid, &pub, 24500),
	     0);
	xnet_flush(&n, 20);
	T_EQ(xnet_events(&n.node[1], IKE_EV_CHILD_UP), 2);
	T_EQ(xnet_events(&n.node[0], IKE_EV_CHILD_UP), 2);
	out1 = live(&n.node[1], false);
	T_OK(out1 && out1->dst_port == 24500, "the replacement Child SA is on the new port");
	T_OK(n.node[1].child[0].deleted, "the old Child SA is gone");
out:
	xnet_cleanup(&n);
}

/* Keepalives every 20 s from the side behind the NAT only; none without a NAT, none for a
 * faked one (encap = yes), none when disabled. */
static void test_keepalives(void)
{
	struct opts enc = {.encap = true};
	struct ike_sa_info i0, i1;
	struct ike_stats st;
	struct xnet n;

	if (setup(&n, true, NULL, NULL) == 0) {
		xnet_advance(&n, 65000);
		T_EQ(n.node[0].keepalives, 3);
		T_EQ(n.node[0].ka_path.local_port, IKE_PORT_NATT);
		T_EQ(n.node[0].ka_path.remote_port, IKE_PORT_NATT);
		T_EQ(n.node[1].keepalives, 0);
		ike_engine_stats(n.node[0].e, &st);
		T_EQ(st.keepalives, 3);
		ike_engine_set_keepalive(n.node[0].e, 0);
		xnet_advance(&n, 65000);
		T_EQ(n.node[0].keepalives, 3);
		ike_engine_set_keepalive(n.node[0].e, 5000);
		xnet_advance(&n, 10500);
		T_EQ(n.node[0].keepalives, 5);
	}
	xnet_cleanup(&n);

	if (setup(&n, false, NULL, NULL) == 0) {
		xnet_advance(&n, 65000);
		T_EQ(n.node[0].keepalives + n.node[1].keepalives, 0);
	}
	xnet_cleanup(&n);

	/* encap = yes on node 0 without a NAT: ESP in UDP on both sides, no keepalives */
	if (setup(&n, false, &enc, NULL) == 0) {
		info(n.node[0].e, &i0);
		info(n.node[1].e, &i1);
		T_OK(i0.nat_fake && !i0.nat_local && !i0.nat_remote, "node 0: nat-fake only");
		T_OK(i1.nat_remote && !i1.nat_fake, "node 1 sees the fake NAT as the peer's");
		T_EQ(i0.path.remote_port, IKE_PORT_NATT);
		T_EQ(i1.path.remote_port, IKE_PORT_NATT);
		T_OK(live(&n.node[0], false)->encap && live(&n.node[1], false)->encap,
		     "ESP in UDP both ways");
		xnet_advance(&n, 65000);
		T_EQ(n.node[0].keepalives + n.node[1].keepalives, 0);
	}
	xnet_cleanup(&n);
}

int main(void)
{
	log_set_level_all(getenv("V") ? LOG_LVL_DEBUG : LOG_LVL_ERROR);
	test_mapping_change();
	test_no_move_unauthenticated();
	test_no_move_rules();
	test_peer_moved();
	test_update_fails_rekey();
	test_keepalives();
	return t_finish();
}
