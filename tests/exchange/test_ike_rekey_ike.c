/* IKE SA rekeying (RFC 7296 §1.3.2, §2.8, §2.18) between two engines over the fake network
 * and clock: a rekey started by either side (new SPIs and unique id, the Child SAs moved
 * without touching the data plane, the old SA gone on both sides, no IKE_DOWN), the new SA's
 * keys proven by Child SA rekeys in both directions and a Delete over it, rekey_time with
 * rand_time jitter, lost and duplicated messages, and the collisions of
 * §2.8.2 and §2.25: simultaneous IKE rekeys (random and chosen nonces, both outcomes, a lost
 * request, timers without jitter), an IKE rekey against a Child SA rekey or delete, against a
 * Delete of the IKE SA, a liveness check crossing the rekey, and a Child SA rekey request on
 * the old SA after the rekey.
 */
#include <stdio.h>
#include <string.h>

#include "ike/conn.h"
#include "ike/engine.h"
#include "ike/ike.h"
#include "ike/sa.h"
#include "ike/sk.h"
#include "lib/err.h"
#include "lib/log.h"
#include "support/test.h"
#include "support/xnet.h"
#include "wire/ikev2_build.h"
#include "wire/ikev2_const.h"

#define A0 "192.0.2.1"
#define A1 "192.0.2.2"

struct opts {
	uint32_t ike_rekey, ike_rand; /* connection rekey_time / rand_time (s) */
	const char *ike;	      /* IKE proposals (node 0; node 1 unless ike1) */
	const char *ike1;
	uint32_t dpd;
};

static void configure(struct xnet *n, int i, const struct opts *o)
{
	const char *ike = i == 1 && o->ike1 ? o->ike1 : o->ike;
	struct conn *c = xnet_psk_conn(n, i, "gw", ike ? ike : "aes128gcm16-prfsha256-ecp256");
	struct conn_child *ch;

	T_OK(c != NULL, "IKE proposals parse");
	if (!c)
		return;
	ch = xnet_psk_child(c, "net", "aes128gcm16");
	c->rekey_time = o->ike_rekey;
	c->rand_time = o->ike_rand;
	c->dpd_delay = o->dpd;
	ts_parse_list(i == 0 ? "10.1.0.0/24" : "10.2.0.0/24", &ch->local_ts, NULL, 0);
	ts_parse_list(i == 0 ? "10.2.0.0/24" : "10.1.0.0/24", &ch->remote_ts, NULL, 0);
	T_EQ(xnet_configure(n, i, &c, 1), 0);
	conn_free(c);
}

static int setup(struct xnet *n, const struct opts *o)
{
	uint32_t id = 0;

	if (xnet_init(n, A0, A1) != 0)
		return -1;
	n->quiet = true;
	configure(n, 0, o);
	configure(n, 1, o);
	T_EQ(ike_engine_initiate(n->node[0].e, n->now, "gw", NULL, &id), 0);
	xnet_flush(n, 100);
	return xnet_events(&n->node[1], IKE_EV_CHILD_UP) == 1 ? 0 : -1;
}

/* The only IKE SA of node k (listed, any state) into *o; the number listed. */
static size_t sa_of(const struct xnet *n, int k, struct ike_sa_info *o)
{
	struct ike_sa_info info[4];
	size_t cnt = 0, total = 0;

	ike_engine_list(n->node[k].e, info, 4, &cnt, &total);
	if (cnt)
		*o = info[0];
	return total;
}

/* One IKE SA per side, ESTABLISHED, the same SPIs, opposite roles; nchild Child SAs listed
 * with crossing SPIs; every live data-plane SA matched by the peer's with the same keys. */
static void check_pair(struct xnet *n, int line, size_t nchild)
{
	struct ike_sa_info a, b;

	T_EQ_ROW(line, sa_of(n, 0, &a), 1);
	T_EQ_ROW(line, sa_of(n, 1, &b), 1);
	T_OK_ROW(line, strcmp(a.state, "ESTABLISHED") == 0 && strcmp(b.state, "ESTABLISHED") == 0,
		 "%s / %s", a.state, b.state);
	T_MEM_ROW(line, a.spi_i, 8, b.spi_i, 8);
	T_MEM_ROW(line, a.spi_r, 8, b.spi_r, 8);
	T_OK_ROW(line, a.initiator != b.initiator, "one initiator");
	T_EQ_ROW(line, a.nchildren, nchild);
	T_EQ_ROW(line, b.nchildren, nchild);
	if (nchild && a.nchildren && b.nchildren) {
		T_EQ_ROW(line, a.children[0].spi_in, b.children[0].spi_out);
		T_EQ_ROW(line, a.children[0].spi_out, b.children[0].spi_in);
	}
	T_EQ_ROW(line, xnet_live(&n->node[0]), 2 * nchild);
	T_EQ_ROW(line, xnet_live(&n->node[1]), 2 * nchild);
	for (size_t i = 0; i < n->node[0].nchild; i++) {
		const struct xnet_child *x = &n->node[0].child[i], *y;
		if (x->deleted)
			continue;
		y = xnet_child(&n->node[1], !x->sa.inbound, x->sa.spi);
		T_OK_ROW(line, y && !y->deleted, "peer SA for SPI %08x", x->sa.spi);
		if (y)
			T_MEM_ROW(line, x->enc.p, x->enc.len, y->enc.p, y->enc.len);
	}
}

/* The new IKE SA works both ways: a Child SA rekey started by each side over it (SK keys in
 * both directions, SK_d the same on both), then the pair is checked again. */
static void prove_keys(struct xnet *n, int line)
{
	for (int k = 0; k < 2; k++) {
		struct ike_sa_info s;
		size_t ups = xnet_events(&n->node[k], IKE_EV_CHILD_UP);
		if (sa_of(n, k, &s) != 1 || s.nchildren != 1) {
			T_OK_ROW(line, 0, "node %d: no single SA with a child", k);
			return;
		}
		T_EQ_ROW(line, ike_engine_rekey_child(n->node[k].e, n->now, s.children[0].child_id),
			 0);
		xnet_advance(n, 2000);
		T_EQ_ROW(line, xnet_events(&n->node[k], IKE_EV_CHILD_UP), ups + 1);
	}
	T_EQ_ROW(line,
		 xnet_events(&n->node[0], IKE_EV_CHILD_FAILED) +
		     xnet_events(&n->node[1], IKE_EV_CHILD_FAILED),
		 0);
	check_pair(n, line, 1);
}

static void no_drops(struct xnet *n, int line)
{
	for (int k = 0; k < 2; k++) {
		struct ike_stats st;
		ike_engine_stats(n->node[k].e, &st);
		T_EQ_ROW(line, st.drop_msgid + st.drop_state + st.drop_malformed + st.drop_auth, 0);
	}
}

/* ike_engine_rekey_ike from either side, several proposals. */
static void test_rekey(void)
{
	static const struct {
		int line;
		int who;
		const char *ike;
	} rows[] = {
	    {__LINE__, 0, "aes128gcm16-prfsha256-ecp256"},
	    {__LINE__, 1, "aes128gcm16-prfsha256-ecp256"},
	    {__LINE__, 0, "aes256-sha256-modp2048"},
	    {__LINE__, 1, "aes128-sha1-x25519"},
	    {__LINE__, 1, "chacha20poly1305-prfsha384-x25519"},
	};

	for (size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		struct opts o = {.ike = rows[r].ike};
		int line = rows[r].line, who = rows[r].who;
		struct ike_sa_info before[2], after[2];
		struct xnet n;
		unsigned seq0;

		if (setup(&n, &o)) {
			T_OK_ROW(line, 0, "setup");
			continue;
		}
		for (int k = 0; k < 2; k++)
			sa_of(&n, k, &before[k]);
		seq0 = n.seq;
		T_EQ_ROW(line, ike_engine_rekey_ike(n.node[who].e, n.now, before[who].id), 0);
		T_EQ_ROW(line, ike_engine_rekey_ike(n.node[who].e, n.now, before[who].id),
			 ERR_BADSTATE);
		T_EQ_ROW(line, ike_engine_rekey_ike(n.node[who].e, n.now, 4242), ERR_NOTFOUND);
		/* CREATE_CHILD_SA request: the responder's new SA is up, the old one REKEYED */
		xnet_step(&n);
		xnet_step(&n);
		{
			struct ike_sa_info l[4];
			size_t cnt = 0, total = 0;
			ike_engine_list(n.node[1 - who].e, l, 4, &cnt, &total);
			T_EQ_ROW(line, cnt, 2);
			if (cnt == 2) {
				T_OK_ROW(line, strcmp(l[0].state, "REKEYED") == 0, "%s",
					 l[0].state);
				T_EQ_ROW(line, l[0].nchildren, 0);
				T_EQ_ROW(line, l[1].nchildren, 1);
			}
		}
		xnet_flush(&n, 100);
		T_EQ_ROW(line, n.seq, seq0 + 4); /* CREATE_CHILD_SA, then INFORMATIONAL */
		check_pair(&n, line, 1);
		for (int k = 0; k < 2; k++) {
			const struct xnet_node *nd = &n.node[k];
			int ev = xnet_event(nd, IKE_EV_IKE_REKEYED, 0);
			sa_of(&n, k, &after[k]);
			T_OK_ROW(line, after[k].id != before[k].id, "new unique id");
			T_OK_ROW(line, memcmp(after[k].spi_i, before[k].spi_i, 8) != 0, "new SPIi");
			T_OK_ROW(line, memcmp(after[k].spi_r, before[k].spi_r, 8) != 0, "new SPIr");
			T_EQ_ROW(line, after[k].initiator, k == who); /* §2.18 */
			T_OK_ROW(line, strcmp(after[k].conn, "gw") == 0, "%s", after[k].conn);
			T_OK_ROW(line, strcmp(after[k].remote_id, before[k].remote_id) == 0,
				 "identity kept");
			/* the same Child SA, untouched in the data plane */
			T_EQ_ROW(line, after[k].children[0].child_id,
				 before[k].children[0].child_id);
			T_EQ_ROW(line, after[k].children[0].spi_in, before[k].children[0].spi_in);
			T_EQ_ROW(line, nd->nchild, 2);
			T_EQ_ROW(line, nd->deletes, 0);
			T_EQ_ROW(line, xnet_events(nd, IKE_EV_IKE_REKEYED), 1);
			T_EQ_ROW(line, xnet_events(nd, IKE_EV_IKE_DOWN), 0);
			T_EQ_ROW(line, xnet_events(nd, IKE_EV_IKE_FAILED), 0);
			T_OK_ROW(line, ev >= 0 && nd->ev[ev].id == after[k].id, "event on new id");
			if (ev >= 0)
				T_OK_ROW(line, strstr(nd->ev[ev].msg, "rekeyed") != NULL, "%s",
					 nd->ev[ev].msg);
		}
		no_drops(&n, line);
		prove_keys(&n, line);
		/* a second rekey of the new SA, by the other side, then a Delete over it */
		T_EQ_ROW(line, ike_engine_rekey_ike(n.node[1 - who].e, n.now, after[1 - who].id),
			 0);
		xnet_advance(&n, 1000);
		check_pair(&n, line, 1);
		T_EQ_ROW(line, xnet_events(&n.node[0], IKE_EV_IKE_REKEYED), 2);
		sa_of(&n, 0, &after[0]);
		T_EQ_ROW(line, ike_engine_terminate(n.node[0].e, n.now, after[0].id), 0);
		xnet_advance(&n, 1000);
		for (int k = 0; k < 2; k++) {
			T_EQ_ROW(line, sa_of(&n, k, &after[k]), 0);
			T_EQ_ROW(line, xnet_events(&n.node[k], IKE_EV_IKE_DOWN), 1);
			T_EQ_ROW(line, xnet_live(&n.node[k]), 0);
		}
		no_drops(&n, line);
		xnet_cleanup(&n);
	}
}

/* rekey_time 100 s with up to 10 s of jitter on both sides, for 550 s; DPD every 30 s. */
static void test_rekey_timer(void)
{
	struct opts o = {.ike_rekey = 100, .ike_rand = 10, .dpd = 30};
	struct xnet n;
	uint64_t first = 0, t0;
	size_t rk;

	if (setup(&n, &o)) {
		T_OK(0, "setup");
		return;
	}
	t0 = n.now;
	for (int s = 0; s < 550; s++) {
		xnet_advance(&n, 1000);
		if (!first && xnet_events(&n.node[0], IKE_EV_IKE_REKEYED) == 1)
			first = n.now - t0;
	}
	T_OK(first >= 90000 && first <= 101000, "first rekey after %llu ms",
	     (unsigned long long)first);
	rk = xnet_events(&n.node[0], IKE_EV_IKE_REKEYED);
	T_OK(rk >= 5 && rk <= 7, "%zu IKE rekeys over 550 s", rk);
	T_EQ(xnet_events(&n.node[1], IKE_EV_IKE_REKEYED), rk);
	for (int k = 0; k < 2; k++) {
		T_EQ(xnet_events(&n.node[k], IKE_EV_IKE_DOWN), 0);
		T_EQ(xnet_events(&n.node[k], IKE_EV_IKE_FAILED), 0);
		T_EQ(n.node[k].nchild, 2);
	}
	check_pair(&n, __LINE__, 1);
	no_drops(&n, __LINE__);
	prove_keys(&n, __LINE__);
	xnet_cleanup(&n);
}

/* Both sides with rekey_time 100 s and no jitter: every rekey is a collision (§2.8.2), settled
 * each time on the same surviving SA. */
static void test_rekey_timer_collisions(void)
{
	struct opts o = {.ike_rekey = 100, .ike_rand = 0};
	struct xnet n;
	size_t rk;

	if (setup(&n, &o)) {
		T_OK(0, "setup");
		return;
	}
	for (int s = 0; s < 35; s++)
		xnet_advance(&n, 10000);
	rk = xnet_events(&n.node[0], IKE_EV_IKE_REKEYED);
	T_EQ(rk, 3);
	T_EQ(xnet_events(&n.node[1], IKE_EV_IKE_REKEYED), rk);
	for (int k = 0; k < 2; k++) {
		T_EQ(xnet_events(&n.node[k], IKE_EV_IKE_DOWN), 0);
		T_EQ(xnet_events(&n.node[k], IKE_EV_IKE_FAILED), 0);
		T_EQ(n.node[k].nchild, 2);
	}
	check_pair(&n, __LINE__, 1);
	no_drops(&n, __LINE__);
	prove_keys(&n, __LINE__);
	xnet_cleanup(&n);
}

struct fault {
	unsigned seq; /* datagram number */
	enum xnet_action act;
};

static enum xnet_action fault_filter(void *ctx, const struct xnet_dgram *d)
{
	const struct fault *f = ctx;

	return d->seq == f->seq ? f->act : XNET_DELIVER;
}

/* One of the four datagrams of the rekey (request, answer, Delete, its answer) lost or
 * duplicated: retransmissions and cached answers end with one new SA on both sides (a lost
 * answer to the Delete leaves the initiator retransmitting it until it gives up, quietly). */
static void test_rekey_faults(void)
{
	for (unsigned i = 1; i <= 4; i++) {
		for (int dup = 0; dup < 2; dup++) {
			struct opts o = {0};
			struct fault f = {0};
			struct ike_sa_info s;
			struct ike_stats st;
			int line = (int)(i * 10 + (unsigned)dup);
			struct xnet n;

			if (setup(&n, &o)) {
				T_OK_ROW(line, 0, "setup");
				continue;
			}
			f.seq = n.seq + i;
			f.act = dup ? XNET_DUP : XNET_DROP;
			n.filter = fault_filter;
			n.filter_ctx = &f;
			sa_of(&n, 0, &s);
			T_EQ_ROW(line, ike_engine_rekey_ike(n.node[0].e, n.now, s.id), 0);
			xnet_advance(
			    &n, 200000); /* a lost Delete answer: retransmitted until give-up */
			check_pair(&n, line, 1);
			for (int k = 0; k < 2; k++) {
				T_EQ_ROW(line, xnet_events(&n.node[k], IKE_EV_IKE_REKEYED), 1);
				T_EQ_ROW(line, xnet_events(&n.node[k], IKE_EV_IKE_DOWN), 0);
				T_EQ_ROW(line, xnet_events(&n.node[k], IKE_EV_IKE_FAILED), 0);
				T_EQ_ROW(line, n.node[k].nchild, 2);
			}
			ike_engine_stats(n.node[0].e, &st);
			T_EQ_ROW(line, st.retransmits, dup ? 0 : i == 4 ? 5 : 1);
			prove_keys(&n, line);
			xnet_cleanup(&n);
		}
	}
}

/* Every Delete of the old SA lost: the initiator gives up on it quietly, the responder frees
 * its REKEYED SA after REKEY_IKE_REKEYED_MS; the new SA is unharmed. */
static enum xnet_action drop_info(void *ctx, const struct xnet_dgram *d)
{
	(void)ctx;
	return xnet_exchange(d) == IKEV2_EXCH_INFORMATIONAL ? XNET_DROP : XNET_DELIVER;
}

static void test_rekey_delete_lost(void)
{
	struct opts o = {0};
	struct ike_sa_info l[4], s;
	size_t cnt = 0, total = 0;
	struct xnet n;

	if (setup(&n, &o)) {
		T_OK(0, "setup");
		return;
	}
	n.filter = drop_info;
	sa_of(&n, 1, &s);
	T_EQ(ike_engine_rekey_ike(n.node[1].e, n.now, s.id), 0);
	xnet_advance(&n, 60000);
	ike_engine_list(n.node[0].e, l, 4, &cnt, &total);
	T_EQ(total, 2);
	T_OK(cnt == 2 && strcmp(l[0].state, "REKEYED") == 0, "old SA REKEYED while waiting");
	xnet_advance(&n, 200000);
	n.filter = NULL;
	check_pair(&n, __LINE__, 1);
	for (int k = 0; k < 2; k++) {
		T_EQ(xnet_events(&n.node[k], IKE_EV_IKE_DOWN), 0);
		T_EQ(xnet_events(&n.node[k], IKE_EV_IKE_FAILED), 0);
		T_EQ(n.node[k].deletes, 0);
	}
	prove_keys(&n, __LINE__);
	xnet_cleanup(&n);
}

/* §2.8.2: both ends rekey the IKE SA at once. Chosen nonces decide whose new SA stays (fill
 * 0 = random nonces); drop_first drops node 1's first request (node 0 completes without
 * seeing the collision; node 0's Delete of the old SA then settles it at node 1). */
static void test_collision(void)
{
	static const struct {
		int line;
		uint8_t fill0, fill1;
		bool drop_first;
		int survivor; /* whose exchange's SA stays: 0, 1, -1 either */
	} rows[] = {
	    {__LINE__, 0x10, 0xe0, false, 1}, /* node 0 holds the lowest nonce: its SA goes */
	    {__LINE__, 0xe0, 0x10, false, 0},
	    {__LINE__, 0x10, 0xe0, true, 0}, /* node 0 never sees node 1's request in time */
	    {__LINE__, 0xe0, 0x10, true, 0},
	    {__LINE__, 0, 0, false, -1},
	    {__LINE__, 0, 0, false, -1},
	    {__LINE__, 0, 0, false, -1},
	    {__LINE__, 0, 0, false, -1},
	};

	for (size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		struct xnet_nonce h0 = {.fill = rows[r].fill0}, h1 = {.fill = rows[r].fill1};
		struct ike_test_hooks hooks = {.rand = xnet_nonce_rand};
		struct ike_sa_info s[2];
		struct opts o = {0};
		struct fault f = {0};
		int line = rows[r].line;
		struct xnet n;

		if (setup(&n, &o)) {
			T_OK_ROW(line, 0, "setup");
			continue;
		}
		if (rows[r].fill0) {
			ike_engine_set_test_hooks(n.node[0].e, &hooks, &h0);
			ike_engine_set_test_hooks(n.node[1].e, &hooks, &h1);
		}
		if (rows[r].drop_first) {
			f.seq = n.seq + 2;
			f.act = XNET_DROP;
			n.filter = fault_filter;
			n.filter_ctx = &f;
		}
		for (int k = 0; k < 2; k++)
			sa_of(&n, k, &s[k]);
		T_EQ_ROW(line, ike_engine_rekey_ike(n.node[0].e, n.now, s[0].id), 0);
		T_EQ_ROW(line, ike_engine_rekey_ike(n.node[1].e, n.now, s[1].id), 0);
		xnet_advance(&n, 200000); /* past REKEY_IKE_REKEYED_MS: nothing left waiting */
		check_pair(&n, line, 1);
		for (int k = 0; k < 2; k++) {
			T_EQ_ROW(line, xnet_events(&n.node[k], IKE_EV_IKE_REKEYED), 1);
			T_EQ_ROW(line, xnet_events(&n.node[k], IKE_EV_IKE_DOWN), 0);
			T_EQ_ROW(line, xnet_events(&n.node[k], IKE_EV_IKE_FAILED), 0);
			T_EQ_ROW(line, n.node[k].deletes, 0);
			T_EQ_ROW(line, n.node[k].nchild, 2);
		}
		sa_of(&n, 0, &s[0]);
		if (rows[r].survivor >= 0)
			T_EQ_ROW(line, s[0].initiator, rows[r].survivor == 0);
		if (!rows[r].drop_first)
			no_drops(&n, line);
		n.filter = NULL;
		prove_keys(&n, line);
		xnet_cleanup(&n);
	}
}

/* §2.25.2: an IKE SA rekey and a Child SA rekey cross: each side refuses the other's request
 * with TEMPORARY_FAILURE; the Child SA rekey comes back after 5 s, the IKE rekey after 10-15 s,
 * and both complete. Either side rekeying the IKE SA. */
static void test_ike_vs_child(void)
{
	for (int who = 0; who < 2; who++) {
		struct ike_sa_info s[2];
		struct opts o = {0};
		struct xnet n;

		if (setup(&n, &o)) {
			T_OK_ROW(who, 0, "setup");
			continue;
		}
		for (int k = 0; k < 2; k++)
			sa_of(&n, k, &s[k]);
		T_EQ_ROW(who, ike_engine_rekey_ike(n.node[who].e, n.now, s[who].id), 0);
		T_EQ_ROW(who,
			 ike_engine_rekey_child(n.node[1 - who].e, n.now,
						s[1 - who].children[0].child_id),
			 0);
		xnet_advance(&n, 1000);
		for (int k = 0; k < 2; k++) {
			T_EQ_ROW(who, xnet_events(&n.node[k], IKE_EV_IKE_REKEYED), 0);
			T_EQ_ROW(who, xnet_events(&n.node[k], IKE_EV_CHILD_UP), 1);
		}
		xnet_advance(&n, 20000);
		check_pair(&n, who, 1);
		for (int k = 0; k < 2; k++) {
			T_EQ_ROW(who, xnet_events(&n.node[k], IKE_EV_IKE_REKEYED), 1);
			T_EQ_ROW(who, xnet_events(&n.node[k], IKE_EV_CHILD_UP), 2);
			T_EQ_ROW(who, xnet_events(&n.node[k], IKE_EV_CHILD_DOWN), 1);
			T_EQ_ROW(who, xnet_events(&n.node[k], IKE_EV_CHILD_FAILED), 0);
			T_EQ_ROW(who, xnet_events(&n.node[k], IKE_EV_IKE_DOWN), 0);
		}
		no_drops(&n, who);
		prove_keys(&n, who);
		xnet_cleanup(&n);
	}
}

/* Rekey against delete: an IKE rekey crossing a Delete of the IKE SA (the deleting side
 * answers TEMPORARY_FAILURE, the rekeying side answers the Delete and forgets its rekey: no
 * SA left), an IKE rekey crossing a Child SA delete (TEMPORARY_FAILURE, the rekey later
 * succeeds without the child), a Child SA rekey crossing that child's delete (TEMPORARY_FAILURE,
 * the child gone on both sides, no new one), and the IKE SA terminated locally while its own
 * rekey is in flight (the new SA, holding the peer's Child SAs, is deleted as well). Either
 * side starting the rekey. */
static void test_rekey_vs_delete(void)
{
	for (int who = 0; who < 2; who++) {
		for (int kind = 0; kind < 4; kind++) {
			int line = who * 10 + kind;
			struct ike_sa_info s[2];
			struct opts o = {0};
			struct xnet n;

			if (setup(&n, &o)) {
				T_OK_ROW(line, 0, "setup");
				continue;
			}
			for (int k = 0; k < 2; k++)
				sa_of(&n, k, &s[k]);
			if (kind == 2)
				T_EQ_ROW(line,
					 ike_engine_rekey_child(n.node[who].e, n.now,
								s[who].children[0].child_id),
					 0);
			else
				T_EQ_ROW(line,
					 ike_engine_rekey_ike(n.node[who].e, n.now, s[who].id), 0);
			if (kind == 0)
				T_EQ_ROW(
				    line,
				    ike_engine_terminate(n.node[1 - who].e, n.now, s[1 - who].id),
				    0);
			else if (kind == 3)
				T_EQ_ROW(line,
					 ike_engine_terminate(n.node[who].e, n.now, s[who].id), 0);
			else
				T_EQ_ROW(
				    line,
				    ike_engine_terminate_child(n.node[1 - who].e, n.now,
							       s[1 - who].children[0].child_id),
				    0);
			xnet_advance(&n, 30000);
			for (int k = 0; k < 2; k++) {
				const struct xnet_node *nd = &n.node[k];
				T_EQ_ROW(line, xnet_live(nd), 0);
				T_EQ_ROW(line, xnet_events(nd, IKE_EV_CHILD_FAILED), 0);
				T_EQ_ROW(line, xnet_events(nd, IKE_EV_IKE_FAILED), 0);
				T_EQ_ROW(line, xnet_events(nd, IKE_EV_CHILD_UP), 1);
				T_EQ_ROW(line, xnet_events(nd, IKE_EV_IKE_DOWN),
					 kind == 0 || kind == 3);
				T_EQ_ROW(line, xnet_events(nd, IKE_EV_IKE_REKEYED),
					 kind == 1 || kind == 3);
			}
			if (kind == 0 || kind == 3) {
				T_EQ_ROW(line, sa_of(&n, 0, &s[0]), 0);
				T_EQ_ROW(line, sa_of(&n, 1, &s[1]), 0);
			} else {
				check_pair(&n, line, 0);
			}
			no_drops(&n, line);
			xnet_cleanup(&n);
		}
	}
}

/* A liveness check of the peer in flight on the old SA while it is rekeyed: the rekey responder
 * answers the rekey anyway, the check's answer arrives on its REKEYED SA and the rekey
 * initiator answers the check on its old SA: nothing dropped, nobody declared dead. */
static void test_rekey_vs_dpd(void)
{
	for (int who = 0; who < 2; who++) {
		struct opts o = {.dpd = 10};
		struct ike_sa_info s;
		struct xnet n;

		if (setup(&n, &o)) {
			T_OK_ROW(who, 0, "setup");
			continue;
		}
		n.now +=
		    10000; /* both liveness checks due; only the peer of `who` runs its timer */
		sa_of(&n, who, &s);
		T_EQ_ROW(who, ike_engine_rekey_ike(n.node[who].e, n.now, s.id), 0);
		ike_engine_timeout(n.node[1 - who].e, n.now);
		T_EQ_ROW(who, n.nq, 2); /* the rekey request, the liveness check */
		xnet_advance(&n, 1000);
		check_pair(&n, who, 1);
		for (int k = 0; k < 2; k++) {
			T_EQ_ROW(who, xnet_events(&n.node[k], IKE_EV_IKE_REKEYED), 1);
			T_EQ_ROW(who, xnet_events(&n.node[k], IKE_EV_IKE_DOWN), 0);
			T_EQ_ROW(who, xnet_events(&n.node[k], IKE_EV_IKE_FAILED), 0);
		}
		no_drops(&n, who);
		xnet_advance(&n, 60000); /* liveness checks on the new SA */
		check_pair(&n, who, 1);
		for (int k = 0; k < 2; k++)
			T_EQ_ROW(who, xnet_events(&n.node[k], IKE_EV_IKE_DOWN), 0);
		no_drops(&n, who);
		xnet_cleanup(&n);
	}
}

/* Log lines with "TEMPORARY_FAILURE" (the refusal is only visible in the log and on the wire). */
static unsigned temp_failures;

static void count_sink(void *ctx, enum log_subsys subsys, enum log_level level, const char *line)
{
	(void)ctx, (void)subsys, (void)level;
	if (strstr(line, "TEMPORARY_FAILURE"))
		temp_failures++;
}

/* A request arriving on the old IKE SA after the rekey: the responder, whose old SA is
 * REKEYED, answers a Child SA rekey there with TEMPORARY_FAILURE (§2.25) and installs
 * nothing; the rekey completes. The request is crafted on the initiator's old SA (HDR, SK
 * {N(REKEY_SA), SA(ESP), Ni, TSi, TSr}) with the next message ID. */
static void test_request_on_old_sa(void)
{
	static const uint8_t sa_esp[] = {0,    0, 0, 20, 1, 3, 4, 1, 0x11, 0x22, 0x33,
					 0x44, 0, 0, 0,	 8, 1, 0, 0, 20}; /* ESP, AES-GCM-16 */
	static const uint8_t ts[] = {1,	   0,	 0,  0, 7, 0, 0,  16, 0, 0,
				     0xff, 0xff, 10, 1, 0, 0, 10, 1,  0, 255};
	struct ikev2_notify rk = {.type = IKEV2_N_REKEY_SA, .proto = 3, .spi_size = 4};
	uint8_t nonce[32] = {1, 2, 3}, spi[4];
	struct ikev2_blob nb = {.data = nonce, .len = sizeof(nonce)};
	struct ike_path p1;
	struct ike_sa_info s;
	struct ikev2_builder b;
	struct ikev2_hdr h;
	struct ike_engine *e0;
	struct ike_sa *old;
	struct opts o = {0};
	size_t len = 0, up1;
	struct xnet n;

	if (setup(&n, &o)) {
		T_OK(0, "setup");
		return;
	}
	e0 = n.node[0].e;
	sa_of(&n, 0, &s);
	T_EQ(ike_engine_rekey_ike(e0, n.now, s.id), 0);
	xnet_step(&n); /* node 1 answers: its old SA is REKEYED */
	old = eng_sa_by_id(e0, s.id);
	T_OK(old != NULL, "old SA");
	if (!old)
		goto out;
	spi[0] = (uint8_t)(s.children[0].spi_out >> 24);
	spi[1] = (uint8_t)(s.children[0].spi_out >> 16);
	spi[2] = (uint8_t)(s.children[0].spi_out >> 8);
	spi[3] = (uint8_t)s.children[0].spi_out;
	rk.spi = spi;
	ike_sa_hdr(old, IKEV2_EXCH_CREATE_CHILD_SA, false, old->next_req_id, &h);
	ikev2_build_init(&b, e0->tx, sizeof(e0->tx));
	ikev2_build_hdr(&b, &h);
	sk_begin(old, &b);
	ikev2_build_notify(&b, &rk);
	ikev2_build_raw(&b, IKEV2_PT_SA, false, sa_esp, sizeof(sa_esp));
	ikev2_build_nonce(&b, &nb);
	ikev2_build_raw(&b, IKEV2_PT_TSi, false, ts, sizeof(ts));
	ikev2_build_raw(&b, IKEV2_PT_TSr, false, ts, sizeof(ts));
	T_EQ(sk_end_seal(e0, old, &b, e0->tx, &len), 0);
	old->next_req_id++; /* as if node 0 had sent it */
	memset(&p1, 0, sizeof(p1));
	p1.local = n.node[1].addr;
	p1.remote = n.node[0].addr;
	p1.local_port = p1.remote_port = 500;
	up1 = xnet_events(&n.node[1], IKE_EV_CHILD_UP);
	temp_failures = 0;
	log_set_sink(count_sink, NULL);
	log_set_level_all(LOG_LVL_INFO);
	ike_engine_input(n.node[1].e, n.now, &p1, e0->tx, len);
	log_set_level_all(LOG_LVL_ERROR);
	log_set_sink(NULL, NULL);
	T_EQ(temp_failures, 1);
	T_EQ(n.nq, 2); /* the rekey answer, then the refusal */
	T_OK(n.nq == 2 && n.q[1].from == 1 && xnet_is_response(&n.q[1]) &&
		 xnet_exchange(&n.q[1]) == IKEV2_EXCH_CREATE_CHILD_SA,
	     "refusal sent");
	T_EQ(xnet_events(&n.node[1], IKE_EV_CHILD_UP), up1);
	xnet_advance(&n, 1000);
	check_pair(&n, __LINE__, 1);
	T_EQ(xnet_events(&n.node[1], IKE_EV_CHILD_UP), up1);
	T_EQ(n.node[1].nchild, 2);
out:
	xnet_cleanup(&n);
}

int main(void)
{
	log_set_level_all(LOG_LVL_ERROR);
	test_rekey();
	test_rekey_timer();
	test_rekey_timer_collisions();
	test_rekey_faults();
	test_rekey_delete_lost();
	test_collision();
	test_ike_vs_child();
	test_rekey_vs_delete();
	test_rekey_vs_dpd();
	test_request_on_old_sa();
	return t_finish();
}
