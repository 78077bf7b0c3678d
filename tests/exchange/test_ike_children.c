/* Extra Child SAs (CREATE_CHILD_SA, RFC 7296 §1.3.1) and childless IKE SAs (RFC 6023) between
 * two engines over the fake network and clock: several children (the first with IKE_AUTH, the
 * others by CREATE_CHILD_SA, from either IKE role), keys that agree across the engines, PFS,
 * a lost answer, each refusal (NO_PROPOSAL_CHOSEN, TS_UNACCEPTABLE, INVALID_KE_PAYLOAD with a
 * retry in the asked group) leaving the IKE SA up with a sentence on both ends, childless
 * IKE SAs in both roles and childless = force / never.
 */
#include <stdio.h>
#include <string.h>

#include "ike/conn.h"
#include "ike/ike.h"
#include "lib/err.h"
#include "lib/log.h"
#include "support/test.h"
#include "support/xnet.h"
#include "wire/ikev2_const.h"

#define A0 "192.0.2.1"
#define A1 "192.0.2.2"

/* One child as node 0 sees it; node 1 gets the mirror image (local and remote swapped). */
struct kid {
	const char *name, *l, *r, *esp; /* esp NULL: aes128gcm16 */
	bool transport;
};

struct side {
	struct kid kids[4];
	enum conn_childless childless;
};

/* Runs the network and timers for ms of fake time. */
/* Lifetimes for node 0 (tests of hard expiry and reauthentication). */
static uint32_t g_life0, g_reauth0, g_over0;

static void configure(struct xnet *n, int i, const struct side *sd)
{
	struct conn *c = xnet_psk_conn(n, i, "gw", "aes128gcm16-prfsha256-ecp256");

	c->childless = sd->childless;
	if (i == 0) {
		c->reauth_time = g_reauth0;
		c->over_time = g_over0;
	}
	for (size_t k = 0; k < 4 && sd->kids[k].name; k++) {
		const struct kid *kd = &sd->kids[k];
		struct conn_child *ch =
		    xnet_psk_child(c, kd->name, kd->esp ? kd->esp : "aes128gcm16");

		if (i == 0)
			ch->life_time = g_life0;
		ch->mode = kd->transport ? CONN_MODE_TRANSPORT : CONN_MODE_TUNNEL;
		if (!kd->transport) {
			ts_parse_list(i == 0 ? kd->l : kd->r, &ch->local_ts, NULL, 0);
			ts_parse_list(i == 0 ? kd->r : kd->l, &ch->remote_ts, NULL, 0);
		}
	}
	T_EQ(xnet_configure(n, i, &c, 1), 0);
	conn_free(c);
}

static int setup(struct xnet *n, const struct side *s0, const struct side *s1)
{
	if (xnet_init(n, A0, A1) != 0)
		return -1;
	n->quiet = true;
	configure(n, 0, s0);
	configure(n, 1, s1);
	return 0;
}

/* Every live data-plane SA of node 0 has its mirror live on node 1 with the same keys. */
static void check_pairs(struct xnet *n, int line)
{
	T_EQ_ROW(line, xnet_live(&n->node[0]), xnet_live(&n->node[1]));
	for (size_t i = 0; i < n->node[0].nchild; i++) {
		const struct xnet_child *x = &n->node[0].child[i], *y;
		if (x->deleted)
			continue;
		y = xnet_child(&n->node[1], !x->sa.inbound, x->sa.spi);
		T_OK_ROW(line, y && !y->deleted, "peer SA for SPI %08x", x->sa.spi);
		if (!y)
			continue;
		T_MEM_ROW(line, x->enc.p, x->enc.len, y->enc.p, y->enc.len);
		T_MEM_ROW(line, x->integ.p, x->integ.len, y->integ.p, y->integ.len);
		T_EQ_ROW(line, x->sa.reqid, y->sa.reqid);
		T_EQ_ROW(line, x->sa.local_ts.n, y->sa.remote_ts.n);
		T_OK_ROW(line, ts_equal(&x->sa.local_ts.ts[0], &y->sa.remote_ts.ts[0]),
			 "selectors mirror");
	}
}

/* The single IKE SA of node k (its listing), or an empty record. */
static struct ike_sa_info sa_info(const struct xnet *n, int k, size_t *total)
{
	struct ike_sa_info info;
	size_t cnt = 0;

	memset(&info, 0, sizeof(info));
	ike_engine_list(n->node[k].e, &info, 1, &cnt, total);
	return info;
}

/* Whether an event of kind on node contains text. */
static bool event_says(const struct xnet_node *nd, enum ike_event_kind kind, const char *text)
{
	for (size_t i = 0; i < nd->nev; i++)
		if (nd->ev[i].kind == kind && strstr(nd->ev[i].msg, text))
			return true;
	return false;
}

static const struct kid K1 = {"net1", "10.1.0.0/24", "10.2.0.0/24", NULL, false};
static const struct kid K2 = {"net2", "10.1.1.0/24", "10.2.1.0/24", NULL, false};
static const struct kid K3 = {"net3", "10.1.2.0/24", "10.2.2.0/24", "aes256gcm16-x25519", false};

/* `up gw`: the first child with IKE_AUTH, two more by CREATE_CHILD_SA (one with PFS). */
static void test_several(void)
{
	struct side s = {{K1, K2, K3}, CONN_CHILDLESS_ALLOW};
	struct ike_sa_info a, b;
	size_t total = 0;
	uint32_t id = 0, id2 = 0;
	struct xnet n;

	if (setup(&n, &s, &s))
		return;
	T_EQ(ike_engine_initiate(n.node[0].e, n.now, "gw", NULL, &id), 0);
	xnet_flush(&n, 100);
	T_EQ(n.seq, 8); /* IKE_SA_INIT, IKE_AUTH, two CREATE_CHILD_SA */
	for (int k = 0; k < 2; k++) {
		T_EQ(xnet_events(&n.node[k], IKE_EV_IKE_UP), 1);
		T_EQ(xnet_events(&n.node[k], IKE_EV_CHILD_UP), 3);
		T_EQ(xnet_events(&n.node[k], IKE_EV_CHILD_FAILED), 0);
		T_EQ(xnet_live(&n.node[k]), 6);
	}
	check_pairs(&n, __LINE__);
	a = sa_info(&n, 0, &total);
	T_EQ(total, 1);
	b = sa_info(&n, 1, &total);
	T_EQ(total, 1);
	T_EQ(a.nchildren, 3);
	T_EQ(b.nchildren, 3);
	for (size_t i = 0; i < a.nchildren && i < b.nchildren; i++) {
		T_OK(strcmp(a.children[i].name, b.children[i].name) == 0, "%s", a.children[i].name);
		T_EQ(a.children[i].spi_in, b.children[i].spi_out);
		T_EQ(a.children[i].spi_out, b.children[i].spi_in);
		for (size_t j = 0; j < i; j++)
			T_OK(a.children[i].reqid != a.children[j].reqid, "distinct reqids");
	}
	T_OK(a.children[2].encr_keysize == 256, "net3 with its own proposal");
	/* all there: nothing to do */
	T_EQ(ike_engine_initiate(n.node[0].e, n.now, "gw", "net2", &id2), ERR_EXISTS);
	T_EQ(ike_engine_initiate(n.node[1].e, n.now, "gw", "net1", &id2), ERR_EXISTS);
	T_EQ(ike_engine_initiate(n.node[0].e, n.now, "gw", "nope", &id2), ERR_NOTFOUND);
	/* a rekey of one child leaves the others alone */
	T_EQ(ike_engine_rekey_child(n.node[1].e, n.now, b.children[1].child_id), 0);
	xnet_flush(&n, 100);
	T_EQ(xnet_live(&n.node[0]), 6);
	T_EQ(xnet_events(&n.node[0], IKE_EV_CHILD_DOWN), 1);
	check_pairs(&n, __LINE__);
	xnet_cleanup(&n);
}

/* `up gw/CHILD` on an established IKE SA from either IKE role; a lost answer is served from
 * the responder's cache (one Child SA, not two). */
static enum xnet_action drop_ccsa_answer(void *ctx, const struct xnet_dgram *d)
{
	unsigned *left = ctx;

	if (*left && xnet_exchange(d) == IKEV2_EXCH_CREATE_CHILD_SA && xnet_is_response(d)) {
		(*left)--;
		return XNET_DROP;
	}
	return XNET_DELIVER;
}

static void test_up_child(void)
{
	struct side s = {{K1, K2, K3}, CONN_CHILDLESS_ALLOW};
	uint32_t id = 0, id1 = 0, id2 = 0;
	unsigned drops = 1;
	struct xnet n;

	if (setup(&n, &s, &s))
		return;
	T_EQ(ike_engine_initiate(n.node[0].e, n.now, "gw", "net1", &id), 0);
	xnet_flush(&n, 100);
	T_EQ(n.seq, 4);
	T_EQ(xnet_events(&n.node[0], IKE_EV_CHILD_UP), 1);
	/* the IKE responder asks for net2: CREATE_CHILD_SA from node 1 */
	T_EQ(ike_engine_initiate(n.node[1].e, n.now, "gw", "net2", &id1), 0);
	T_EQ(ike_engine_initiate(n.node[1].e, n.now, "gw", "net2", &id2), ERR_EXISTS);
	xnet_flush(&n, 100);
	T_EQ(n.seq, 6);
	T_EQ(xnet_events(&n.node[1], IKE_EV_CHILD_UP), 2);
	T_OK(event_says(&n.node[1], IKE_EV_CHILD_UP, "CHILD_SA net2{"), "net2 up");
	/* the initiator asks for net3 (PFS); its answer is lost once */
	n.filter = drop_ccsa_answer;
	n.filter_ctx = &drops;
	T_EQ(ike_engine_initiate(n.node[0].e, n.now, "gw", "net3", &id2), 0);
	T_EQ(id2, id);
	xnet_run(&n, 20000);
	T_EQ(n.dropped, 1);
	for (int k = 0; k < 2; k++) {
		T_EQ(xnet_events(&n.node[k], IKE_EV_CHILD_UP), 3);
		T_EQ(xnet_live(&n.node[k]), 6);
	}
	check_pairs(&n, __LINE__);
	xnet_cleanup(&n);
}

/* Refusals: the IKE SA and its first child stay; both ends say why. */
static void test_refused(void)
{
	static const struct {
		int line;
		struct kid mine, theirs; /* node 0's net2, node 1's net2 */
		const char *init_says, *resp_says;
	} rows[] = {
	    {__LINE__,
	     {"net2", "10.1.1.0/24", "10.2.1.0/24", "aes128gcm16", false},
	     {"net2", "10.1.1.0/24", "10.2.1.0/24", "aes256-sha256", false},
	     "NO_PROPOSAL_CHOSEN from 192.0.2.2 for CHILD_SA net2: we proposed",
	     "no proposal chosen for CHILD_SA net2: we accept"},
	    /* PFS on one side only */
	    {__LINE__,
	     {"net2", "10.1.1.0/24", "10.2.1.0/24", "aes128gcm16", false},
	     {"net2", "10.1.1.0/24", "10.2.1.0/24", "aes128gcm16-ecp256", false},
	     "NO_PROPOSAL_CHOSEN",
	     "no proposal chosen"},
	    {__LINE__,
	     {"net2", "10.1.1.0/24", "10.2.1.0/24", NULL, false},
	     {"other", "10.1.7.0/24", "10.2.7.0/24", NULL, false},
	     "TS_UNACCEPTABLE from 192.0.2.2 for CHILD_SA net2: we proposed TSi 10.1.1.0/24 TSr "
	     "10.2.1.0/24",
	     "TS_UNACCEPTABLE: 192.0.2.1 proposed TSi 10.1.1.0/24 TSr 10.2.1.0/24, none of our "
	     "children of 'gw' allows them (we allow"},
	};

	for (size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		int line = rows[r].line;
		struct side s0 = {{K1, rows[r].mine}, CONN_CHILDLESS_ALLOW};
		struct side s1 = {{K1, rows[r].theirs}, CONN_CHILDLESS_ALLOW};
		struct ike_sa_info a;
		size_t total = 0;
		uint32_t id = 0;
		struct xnet n;

		if (setup(&n, &s0, &s1))
			continue;
		T_EQ_ROW(line, ike_engine_initiate(n.node[0].e, n.now, "gw", NULL, &id), 0);
		xnet_flush(&n, 100);
		T_EQ_ROW(line, n.seq, 6);
		for (int k = 0; k < 2; k++) {
			T_EQ_ROW(line, xnet_events(&n.node[k], IKE_EV_CHILD_UP), 1);
			T_EQ_ROW(line, xnet_events(&n.node[k], IKE_EV_CHILD_FAILED), 1);
			T_EQ_ROW(line, xnet_events(&n.node[k], IKE_EV_IKE_DOWN), 0);
			a = sa_info(&n, k, &total);
			T_OK_ROW(line, strcmp(a.state, "ESTABLISHED") == 0, "%s", a.state);
			T_EQ_ROW(line, a.nchildren, 1);
		}
		T_OK_ROW(line, event_says(&n.node[0], IKE_EV_CHILD_FAILED, rows[r].init_says),
			 "initiator: %s", n.node[0].ev[n.node[0].nev - 1].msg);
		T_OK_ROW(line, event_says(&n.node[1], IKE_EV_CHILD_FAILED, rows[r].resp_says),
			 "responder: %s", n.node[1].ev[n.node[1].nev - 1].msg);
		check_pairs(&n, line);
		/* the IKE SA still works: a liveness of sorts, rekeying the first child */
		a = sa_info(&n, 0, &total);
		T_EQ_ROW(line, ike_engine_rekey_child(n.node[0].e, n.now, a.children[0].child_id),
			 0);
		xnet_flush(&n, 100);
		T_EQ_ROW(line, xnet_events(&n.node[1], IKE_EV_CHILD_UP), 2);
		check_pairs(&n, line);
		xnet_cleanup(&n);
	}
}

/* INVALID_KE_PAYLOAD (§1.3): the initiator's first group is not the one the responder wants;
 * it tries again in the group asked for and succeeds. */
static void test_invalid_ke(void)
{
	struct kid mine = {"net2", "10.1.1.0/24", "10.2.1.0/24", "aes128gcm16-x25519-ecp256",
			   false};
	struct kid theirs = {"net2", "10.1.1.0/24", "10.2.1.0/24", "aes128gcm16-ecp256", false};
	struct side s0 = {{K1, mine}, CONN_CHILDLESS_ALLOW};
	struct side s1 = {{K1, theirs}, CONN_CHILDLESS_ALLOW};
	struct ike_sa_info a;
	size_t total = 0;
	uint32_t id = 0;
	struct xnet n;

	if (setup(&n, &s0, &s1))
		return;
	T_EQ(ike_engine_initiate(n.node[0].e, n.now, "gw", NULL, &id), 0);
	xnet_flush(&n, 100);
	T_EQ(n.seq, 8); /* the CREATE_CHILD_SA twice */
	for (int k = 0; k < 2; k++) {
		T_EQ(xnet_events(&n.node[k], IKE_EV_CHILD_UP), 2);
		T_EQ(xnet_events(&n.node[k], IKE_EV_CHILD_FAILED), 0);
	}
	check_pairs(&n, __LINE__);
	a = sa_info(&n, 0, &total);
	T_EQ(a.nchildren, 2);
	xnet_cleanup(&n);
}

/* Childless IKE SAs (RFC 6023). */
static void test_childless(void)
{
	struct side none = {{{0}}, CONN_CHILDLESS_ALLOW};
	struct side force = {{K1, K2}, CONN_CHILDLESS_FORCE};
	struct side allow = {{K1, K2}, CONN_CHILDLESS_ALLOW};
	struct side never = {{K1, K2}, CONN_CHILDLESS_NEVER};
	struct ike_sa_info a;
	size_t total = 0;
	uint32_t id = 0;
	struct xnet n;

	/* a connection without children: the IKE SA alone, both ends */
	if (setup(&n, &none, &allow) == 0) {
		T_EQ(ike_engine_initiate(n.node[0].e, n.now, "gw", NULL, &id), 0);
		xnet_flush(&n, 100);
		T_EQ(n.seq, 4);
		for (int k = 0; k < 2; k++) {
			T_EQ(xnet_events(&n.node[k], IKE_EV_IKE_UP), 1);
			T_EQ(xnet_events(&n.node[k], IKE_EV_CHILD_UP), 0);
			T_EQ(xnet_events(&n.node[k], IKE_EV_CHILD_FAILED), 0);
			a = sa_info(&n, k, &total);
			T_EQ(a.nchildren, 0);
		}
		/* the responder, whose connection has children, adds one on it */
		T_EQ(ike_engine_initiate(n.node[1].e, n.now, "gw", "net2", &id), 0);
		xnet_flush(&n, 100);
		T_EQ(xnet_events(&n.node[0], IKE_EV_CHILD_FAILED), 1); /* node 0 has no children */
		T_OK(event_says(&n.node[1], IKE_EV_CHILD_FAILED, "TS_UNACCEPTABLE"), "TS refused");
		xnet_cleanup(&n);
	}
	/* childless = force, as initiator (node 0) and as initiator from node 1: the IKE SA
	 * first, every child by CREATE_CHILD_SA */
	for (int who = 0; who < 2; who++) {
		if (setup(&n, who == 0 ? &force : &allow, who == 0 ? &allow : &force))
			continue;
		T_EQ(ike_engine_initiate(n.node[who].e, n.now, "gw", NULL, &id), 0);
		xnet_flush(&n, 100);
		T_EQ(n.seq, 8);
		for (int k = 0; k < 2; k++) {
			T_EQ(xnet_events(&n.node[k], IKE_EV_CHILD_UP), 2);
			T_EQ(xnet_events(&n.node[k], IKE_EV_CHILD_FAILED), 0);
			/* IKE_UP before the first child: it came after IKE_AUTH */
			T_OK(xnet_event(&n.node[k], IKE_EV_IKE_UP, 0) <
				 xnet_event(&n.node[k], IKE_EV_CHILD_UP, 0),
			     "childless IKE_AUTH");
		}
		check_pairs(&n, __LINE__);
		xnet_cleanup(&n);
	}
	/* force against a responder with childless = never: it does not advertise RFC 6023,
	 * the initiator gives up before IKE_AUTH */
	if (setup(&n, &force, &never) == 0) {
		T_EQ(ike_engine_initiate(n.node[0].e, n.now, "gw", NULL, &id), 0);
		xnet_flush(&n, 100);
		T_EQ(n.seq, 2);
		T_OK(event_says(&n.node[0], IKE_EV_IKE_FAILED,
				"does not support childless IKE_SAs (RFC 6023)"),
		     "%s", n.node[0].nev ? n.node[0].ev[0].msg : "");
		xnet_cleanup(&n);
	}
	/* a childless IKE_AUTH to a responder with childless = never is refused */
	if (setup(&n, &none, &never) == 0) {
		T_EQ(ike_engine_initiate(n.node[0].e, n.now, "gw", NULL, &id), 0);
		xnet_flush(&n, 100);
		T_EQ(xnet_events(&n.node[0], IKE_EV_IKE_FAILED), 1);
		T_OK(event_says(&n.node[1], IKE_EV_IKE_FAILED, "childless = never"), "never");
		a = sa_info(&n, 1, &total);
		T_EQ(total, 0);
		xnet_cleanup(&n);
	}
}

/* life_time without a rekey: node 0 takes both children out of the data plane and deletes
 * them; the IKE SA stays. */
static void test_life_time(void)
{
	struct side s = {{K1, K2}, CONN_CHILDLESS_ALLOW};
	struct ike_sa_info a;
	size_t total = 0;
	uint32_t id = 0;
	struct xnet n;

	g_life0 = 30;
	if (setup(&n, &s, &s) == 0) {
		T_EQ(ike_engine_initiate(n.node[0].e, n.now, "gw", NULL, &id), 0);
		xnet_flush(&n, 100);
		T_EQ(xnet_live(&n.node[0]), 4);
		xnet_advance(&n, 29000);
		T_EQ(xnet_live(&n.node[0]), 4); /* not yet */
		xnet_advance(&n, 2000);
		T_EQ(xnet_live(&n.node[0]), 0);
		T_EQ(xnet_live(&n.node[1]), 0);
		T_EQ(xnet_events(&n.node[0], IKE_EV_CHILD_DOWN), 2);
		T_OK(event_says(&n.node[0], IKE_EV_CHILD_DOWN,
				"expired: not rekeyed within its "
				"life_time of 30s"),
		     "expiry sentence");
		T_EQ(xnet_events(&n.node[1], IKE_EV_CHILD_DOWN), 2);
		for (int k = 0; k < 2; k++) {
			a = sa_info(&n, k, &total);
			T_OK(strcmp(a.state, "ESTABLISHED") == 0, "%s", a.state);
			T_EQ(a.nchildren, 0);
			T_EQ(xnet_events(&n.node[k], IKE_EV_IKE_DOWN), 0);
		}
		xnet_cleanup(&n);
	}
	g_life0 = 0;
}

/* Drops IKE_SA_INIT requests after the first exchange (a failing reauthentication). */
static enum xnet_action drop_new_init(void *ctx, const struct xnet_dgram *d)
{
	unsigned *left = ctx;

	if (*left && d->seq > 6 && xnet_exchange(d) == IKEV2_EXCH_IKE_SA_INIT &&
	    !xnet_is_response(d)) {
		(*left)--;
		return XNET_DROP;
	}
	return XNET_DELIVER;
}

/* over_time: reauthentication never succeeds, the IKE SA is deleted over_time after
 * reauth_time. */
static void test_over_time(void)
{
	struct side s = {{K1, K2}, CONN_CHILDLESS_ALLOW};
	size_t total = 0;
	unsigned drops = 1000;
	uint32_t id = 0;
	struct xnet n;

	g_reauth0 = 100;
	g_over0 = 10;
	if (setup(&n, &s, &s) == 0) {
		T_EQ(ike_engine_initiate(n.node[0].e, n.now, "gw", NULL, &id), 0);
		xnet_flush(&n, 100);
		n.filter = drop_new_init;
		n.filter_ctx = &drops;
		xnet_advance(&n, 105000);
		T_EQ(xnet_events(&n.node[0], IKE_EV_IKE_DOWN), 0);
		xnet_advance(&n, 10000);
		T_EQ(xnet_events(&n.node[0], IKE_EV_IKE_DOWN), 1);
		T_EQ(xnet_events(&n.node[1], IKE_EV_IKE_DOWN), 1);
		T_EQ(xnet_live(&n.node[0]), 0);
		T_EQ(xnet_live(&n.node[1]), 0);
		sa_info(&n, 1, &total);
		T_EQ(total, 0);
		xnet_cleanup(&n);
	}
	g_reauth0 = g_over0 = 0;
}

/* reauth_time: a new IKE SA with both children, then the old one deleted; the new children
 * are installed before the old ones go, with the same reqids; the first IKE_SA_INIT of the
 * reauthentication is lost. */
static void test_reauth(void)
{
	struct side s = {{K1, K2}, CONN_CHILDLESS_ALLOW};
	struct ike_sa_info before[2], after;
	size_t total = 0;
	unsigned drops = 1;
	uint32_t id = 0;
	struct xnet n;

	g_reauth0 = 100;
	g_over0 = 30;
	if (setup(&n, &s, &s) == 0) {
		T_EQ(ike_engine_initiate(n.node[0].e, n.now, "gw", NULL, &id), 0);
		xnet_flush(&n, 100);
		for (int k = 0; k < 2; k++)
			before[k] = sa_info(&n, k, &total);
		n.filter = drop_new_init;
		n.filter_ctx = &drops;
		xnet_advance(&n, 125000);
		T_EQ(n.dropped, 1);
		for (int k = 0; k < 2; k++) {
			const struct xnet_node *nd = &n.node[k];
			int up3 = -1, down1 = xnet_event(nd, IKE_EV_CHILD_DOWN, 0);
			T_EQ(xnet_events(nd, IKE_EV_IKE_UP), 2);
			T_EQ(xnet_events(nd, IKE_EV_IKE_DOWN), 1);
			T_EQ(xnet_events(nd, IKE_EV_CHILD_UP), 4);
			T_EQ(xnet_events(nd, IKE_EV_CHILD_DOWN), 2);
			T_EQ(xnet_events(nd, IKE_EV_CHILD_FAILED), 0);
			for (size_t i = 0, seen = 0; i < nd->nev; i++)
				if (nd->ev[i].kind == IKE_EV_CHILD_UP && ++seen == 4)
					up3 = (int)i;
			T_OK(up3 >= 0 && down1 > up3,
			     "node %d: new children (%d) before old go (%d)", k, up3, down1);
			after = sa_info(&n, k, &total);
			T_EQ(total, 1);
			T_OK(after.id != before[k].id, "a new IKE SA");
			T_OK(strcmp(after.state, "ESTABLISHED") == 0, "%s", after.state);
			T_EQ(after.nchildren, 2);
			for (size_t i = 0; i < 2 && i < after.nchildren; i++)
				T_EQ(after.children[i].reqid, before[k].children[i].reqid);
			T_EQ(xnet_live(nd), 4);
		}
		check_pairs(&n, __LINE__);
		xnet_cleanup(&n);
	}
	g_reauth0 = g_over0 = 0;
}

int main(void)
{
	log_set_level_all(LOG_LVL_ERROR);
	test_several();
	test_up_child();
	test_refused();
	test_invalid_ke();
	test_childless();
	test_life_time();
	test_over_time();
	test_reauth();
	return t_finish();
}
