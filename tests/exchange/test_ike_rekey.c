/* CREATE_CHILD_SA Child SA rekeying between two engines over the fake network and clock:
 * rekeys started by either side (new SPIs, fresh KEYMAT from the new nonces: each side's new
 * outbound keys are the other's new inbound keys), make-before-break (the new SA installed
 * before the old one is deleted), rekeys driven by rekey_time with rand_time jitter repeated
 * over time, and a lost answer (retransmitted request answered from the cache, one new SA).
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

static const char *esp_node1; /* node 1's ESP proposals when set (else the same) */

static void configure(struct xnet *n, int i, uint32_t rekey, uint32_t jitter, const char *esp)
{
	struct conn *c = xnet_psk_conn(n, i, "gw", "aes128gcm16-prfsha256-ecp256");
	struct conn_child *ch = xnet_psk_child(c, "net", esp);

	ch->rekey_time = rekey;
	ch->rand_time = jitter;
	ts_parse_list(i == 0 ? "10.1.0.0/24" : "10.2.0.0/24", &ch->local_ts, NULL, 0);
	ts_parse_list(i == 0 ? "10.2.0.0/24" : "10.1.0.0/24", &ch->remote_ts, NULL, 0);
	T_EQ(xnet_configure(n, i, &c, 1), 0);
	conn_free(c);
}

static int setup(struct xnet *n, uint32_t rekey0, uint32_t rekey1, uint32_t jitter, const char *esp)
{
	uint32_t id = 0;

	if (xnet_init(n, A0, A1) != 0)
		return -1;
	n->quiet = true;
	configure(n, 0, rekey0, jitter, esp);
	configure(n, 1, rekey1, jitter, esp_node1 ? esp_node1 : esp);
	T_EQ(ike_engine_initiate(n->node[0].e, n->now, "gw", NULL, &id), 0);
	xnet_flush(n, 100);
	return xnet_events(&n->node[1], IKE_EV_CHILD_UP) == 1 ? 0 : -1;
}

/* Every live SA of node 0 has its counterpart live on node 1 with the same keys, and the
 * listing shows one child per side whose SPIs cross. */
static void check_live(struct xnet *n, int line)
{
	struct ike_sa_info info[2];
	size_t cnt = 0, total = 0;

	T_EQ_ROW(line, xnet_live(&n->node[0]), 2);
	T_EQ_ROW(line, xnet_live(&n->node[1]), 2);
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
	}
	for (int k = 0; k < 2; k++) {
		ike_engine_list(n->node[k].e, &info[k], 1, &cnt, &total);
		T_EQ_ROW(line, info[k].nchildren, 1);
	}
	T_EQ_ROW(line, info[0].children[0].spi_in, info[1].children[0].spi_out);
	T_EQ_ROW(line, info[0].children[0].spi_out, info[1].children[0].spi_in);
	T_EQ_ROW(line, info[0].children[0].reqid, info[1].children[0].reqid);
}

/* ike_engine_rekey_child from either side; the first rows with AES-CBC + HMAC. */
static void test_rekey(void)
{
	static const struct {
		int line;
		int who;
		const char *esp;
	} rows[] = {
	    {__LINE__, 0, "aes128gcm16"},
	    {__LINE__, 1, "aes128gcm16"},
	    {__LINE__, 0, "aes256-sha256"},
	    {__LINE__, 1, "aes128-sha1"},
	    /* PFS (§1.3.1): KEi/KEr with the proposal's group, g^ir in KEYMAT */
	    {__LINE__, 0, "aes128gcm16-x25519"},
	    {__LINE__, 1, "aes256gcm16-ecp256"},
	    {__LINE__, 0, "aes128-sha256-modp2048"},
	};

	for (size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		int line = rows[r].line, who = rows[r].who;
		struct ike_sa_info before[2], after;
		size_t cnt = 0, total = 0;
		struct xnet n;
		unsigned seq0;

		if (setup(&n, 0, 0, 0, rows[r].esp))
			continue;
		for (int k = 0; k < 2; k++)
			ike_engine_list(n.node[k].e, &before[k], 1, &cnt, &total);
		seq0 = n.seq;
		T_EQ_ROW(
		    line,
		    ike_engine_rekey_child(n.node[who].e, n.now, before[who].children[0].child_id),
		    0);
		T_EQ_ROW(
		    line,
		    ike_engine_rekey_child(n.node[who].e, n.now, before[who].children[0].child_id),
		    ERR_BADSTATE); /* one exchange at a time */
		xnet_flush(&n, 100);
		T_EQ_ROW(line, n.seq, seq0 + 4); /* CREATE_CHILD_SA, then INFORMATIONAL */
		for (int k = 0; k < 2; k++) {
			const struct xnet_node *nd = &n.node[k];
			int up = xnet_event(nd, IKE_EV_CHILD_UP, 1);
			int down = xnet_event(nd, IKE_EV_CHILD_DOWN, 0);
			T_EQ_ROW(line, xnet_events(nd, IKE_EV_CHILD_UP), 2);
			T_EQ_ROW(line, xnet_events(nd, IKE_EV_CHILD_DOWN), 1);
			T_EQ_ROW(line, xnet_events(nd, IKE_EV_CHILD_FAILED), 0);
			T_OK_ROW(line, up >= 0 && down > up,
				 "node %d: new SA up (%d) before old down (%d)", k, up, down);
			T_EQ_ROW(line, nd->nchild, 4);
			/* the old pair is the one deleted */
			T_OK_ROW(line, nd->child[0].deleted && nd->child[1].deleted, "old deleted");
			T_EQ_ROW(line, nd->deletes, 1);
			ike_engine_list(nd->e, &after, 1, &cnt, &total);
			T_EQ_ROW(line, after.nchildren, 1);
			T_OK_ROW(line, after.children[0].spi_in != before[k].children[0].spi_in,
				 "new SPI in");
			T_OK_ROW(line, after.children[0].spi_out != before[k].children[0].spi_out,
				 "new SPI out");
			T_OK_ROW(line, after.children[0].child_id != before[k].children[0].child_id,
				 "new child id");
			T_EQ_ROW(line, after.children[0].reqid, before[k].children[0].reqid);
			T_OK_ROW(line, strcmp(after.state, "ESTABLISHED") == 0, "%s", after.state);
			/* fresh keys */
			T_OK_ROW(line,
				 nd->child[2].enc.len != nd->child[0].enc.len ||
				     memcmp(nd->child[2].enc.p, nd->child[0].enc.p,
					    nd->child[0].enc.len) != 0 ||
				     memcmp(nd->child[2].integ.p, nd->child[0].integ.p,
					    nd->child[0].integ.len) != 0,
				 "new keys differ");
		}
		check_live(&n, line);
		T_EQ_ROW(line, ike_engine_rekey_child(n.node[0].e, n.now, 4242), ERR_NOTFOUND);
		xnet_cleanup(&n);
	}
}

/* rekey_time 100 s with up to 10 s of jitter on both sides, for 550 s: rekeyed about every
 * 90-100 s, each time consistently, never failing, Child SA slots reused. */
static void test_rekey_timer(void)
{
	struct xnet n;
	uint64_t first = 0;
	size_t ups;

	if (setup(&n, 100, 100, 10, "aes128gcm16"))
		return;
	for (int s = 0; s < 550; s++) {
		xnet_advance(&n, 1000);
		if (!first && xnet_events(&n.node[0], IKE_EV_CHILD_UP) == 2)
			first = n.now;
	}
	T_OK(first >= 90000 && first <= 101000, "first rekey at %llu ms",
	     (unsigned long long)first);
	ups = xnet_events(&n.node[0], IKE_EV_CHILD_UP);
	T_OK(ups >= 6 && ups <= 8, "%zu Child SAs over 550 s", ups);
	T_EQ(xnet_events(&n.node[1], IKE_EV_CHILD_UP), ups);
	T_EQ(xnet_events(&n.node[0], IKE_EV_CHILD_DOWN), ups - 1);
	T_EQ(xnet_events(&n.node[1], IKE_EV_CHILD_DOWN), ups - 1);
	T_EQ(xnet_events(&n.node[0], IKE_EV_CHILD_FAILED) +
		 xnet_events(&n.node[1], IKE_EV_CHILD_FAILED),
	     0);
	T_EQ(xnet_events(&n.node[0], IKE_EV_IKE_DOWN), 0);
	check_live(&n, __LINE__);
	xnet_cleanup(&n);
}

struct drop_one {
	unsigned seq;
};

static enum xnet_action drop_filter(void *ctx, const struct xnet_dgram *d)
{
	const struct drop_one *f = ctx;

	return d->seq == f->seq ? XNET_DROP : XNET_DELIVER;
}

/* The CREATE_CHILD_SA answer is lost: the retransmitted request gets the cached answer, so the
 * responder installs one new SA only. */
static void test_rekey_lost_answer(void)
{
	struct ike_sa_info info;
	struct ike_stats st;
	struct drop_one f;
	size_t cnt = 0, total = 0;
	struct xnet n;

	if (setup(&n, 0, 0, 0, "aes128gcm16"))
		return;
	f.seq = n.seq + 2;
	n.filter = drop_filter;
	n.filter_ctx = &f;
	ike_engine_list(n.node[0].e, &info, 1, &cnt, &total);
	T_EQ(ike_engine_rekey_child(n.node[0].e, n.now, info.children[0].child_id), 0);
	xnet_advance(&n, 10000);
	ike_engine_stats(n.node[0].e, &st);
	T_EQ(st.retransmits, 1);
	T_EQ(xnet_events(&n.node[0], IKE_EV_CHILD_UP), 2);
	T_EQ(xnet_events(&n.node[1], IKE_EV_CHILD_UP), 2);
	T_EQ(n.node[1].nchild, 4);
	check_live(&n, __LINE__);
	xnet_cleanup(&n);
}

struct drop_from0 {
	unsigned after; /* drop node 0's datagrams with seq > after (0: none) */
};

static enum xnet_action drop_from0_filter(void *ctx, const struct xnet_dgram *d)
{
	const struct drop_from0 *f = ctx;

	return f->after && d->from == 0 && d->seq > f->after ? XNET_DROP : XNET_DELIVER;
}

/* The rekey responder keeps sending with the old SA until the initiator deletes it: the new
 * outbound SA enters its data plane only with that Delete (before the old SA leaves), since
 * the initiator installs the new SA only when the answer arrives (strongSwan's delayed
 * outbound install; a ping was lost against charon without it). When no Delete comes, the
 * new outbound SA is installed 10 s after the answer anyway. */
static void test_rekey_delayed_out(void)
{
	for (int lost = 0; lost < 2; lost++) {
		struct drop_from0 f = {0};
		struct ike_sa_info info;
		size_t cnt = 0, total = 0;
		struct xnet n;
		uint32_t new_out;
		int line = __LINE__ + lost; /* row: 0 Delete arrives, 1 lost */

		if (setup(&n, 0, 0, 0, "aes128gcm16"))
			continue;
		n.filter = drop_from0_filter;
		n.filter_ctx = &f;
		ike_engine_list(n.node[0].e, &info, 1, &cnt, &total);
		T_EQ_ROW(line,
			 ike_engine_rekey_child(n.node[0].e, n.now, info.children[0].child_id), 0);
		T_EQ_ROW(line, xnet_step(&n), 1); /* the request reaches node 1 */
		T_EQ_ROW(line, n.node[1].nchild, 3);
		T_OK_ROW(line, n.node[1].nchild == 3 && n.node[1].child[2].sa.inbound,
			 "only the new inbound SA");
		T_EQ_ROW(line, xnet_events(&n.node[1], IKE_EV_CHILD_UP), 2);
		if (lost)
			f.after = n.seq; /* node 0's Delete (and its retransmissions) are lost */
		T_EQ_ROW(line, xnet_step(&n), 1); /* the answer reaches node 0 */
		T_EQ_ROW(line, n.node[0].nchild, 4);
		ike_engine_list(n.node[1].e, &info, 1, &cnt, &total);
		new_out = info.nchildren == 2 ? info.children[1].spi_out : 0;
		T_EQ_ROW(line, n.node[1].nchild, 3);
		if (!lost) {
			T_EQ_ROW(line, xnet_step(&n), 1); /* D(ESP, old) reaches node 1 */
			T_EQ_ROW(line, n.node[1].nchild, 4);
			T_OK_ROW(line, n.node[1].child[0].deleted && n.node[1].child[1].deleted,
				 "old pair deleted");
		} else {
			xnet_advance(&n, 9000);
			T_EQ_ROW(line, n.node[1].nchild, 3);
			xnet_advance(&n, 1500);
			T_EQ_ROW(line, n.node[1].nchild, 4);
			T_OK_ROW(line, !n.node[1].child[1].deleted,
				 "old outbound kept (no Delete)");
		}
		T_OK_ROW(line,
			 n.node[1].nchild == 4 && !n.node[1].child[3].sa.inbound &&
			     !n.node[1].child[3].deleted && n.node[1].child[3].sa.spi == new_out,
			 "new outbound SA %08x installed", new_out);
		if (!lost) {
			xnet_flush(&n, 100);
			check_live(&n, line);
		}
		xnet_cleanup(&n);
	}
}

/* The initiator wants PFS, the responder's proposal has no group: NO_PROPOSAL_CHOSEN, the old
 * SA stays, and the rekey is tried again a minute later. */
static void test_rekey_refused(void)
{
	struct ike_sa_info info;
	size_t cnt = 0, total = 0;
	struct xnet n;
	int ev;

	esp_node1 = "aes128gcm16";
	if (setup(&n, 0, 0, 0, "aes128gcm16-x25519")) {
		esp_node1 = NULL;
		return;
	}
	esp_node1 = NULL;
	ike_engine_list(n.node[0].e, &info, 1, &cnt, &total);
	T_EQ(ike_engine_rekey_child(n.node[0].e, n.now, info.children[0].child_id), 0);
	xnet_flush(&n, 100);
	ev = xnet_event(&n.node[0], IKE_EV_CHILD_FAILED, 0);
	T_OK(ev >= 0, "rekey failure reported");
	if (ev >= 0)
		T_OK(strstr(n.node[0].ev[ev].msg, "NO_PROPOSAL_CHOSEN") != NULL, "%s",
		     n.node[0].ev[ev].msg);
	T_EQ(xnet_events(&n.node[0], IKE_EV_CHILD_UP), 1);
	T_EQ(xnet_events(&n.node[1], IKE_EV_CHILD_UP), 1);
	T_EQ(xnet_live(&n.node[0]), 2);
	T_EQ(xnet_live(&n.node[1]), 2);
	T_EQ(ike_engine_next_deadline(n.node[0].e), n.now + 60000);
	xnet_advance(&n, 61000);
	T_EQ(xnet_events(&n.node[0], IKE_EV_CHILD_FAILED), 2);
	check_live(&n, __LINE__);
	xnet_cleanup(&n);
}

/* §2.8.1: both ends rekey the same Child SA at once. Both exchanges complete; the SA with the
 * lowest of the four nonces is deleted by its initiator, the old one by both: one new pair
 * stays, the same on both sides. Random nonces: repeated so either end loses. */
static void test_rekey_collision(void)
{
	for (int round = 0; round < 8; round++) {
		struct ike_sa_info info[2];
		size_t cnt = 0, total = 0;
		struct ike_stats st;
		struct xnet n;

		if (setup(&n, 0, 0, 0, "aes128gcm16"))
			continue;
		for (int k = 0; k < 2; k++)
			ike_engine_list(n.node[k].e, &info[k], 1, &cnt, &total);
		T_EQ_ROW(round,
			 ike_engine_rekey_child(n.node[0].e, n.now, info[0].children[0].child_id),
			 0);
		T_EQ_ROW(round,
			 ike_engine_rekey_child(n.node[1].e, n.now, info[1].children[0].child_id),
			 0);
		xnet_advance(&n, 1000);
		for (int k = 0; k < 2; k++) {
			T_EQ_ROW(round, xnet_events(&n.node[k], IKE_EV_CHILD_UP), 3);
			T_EQ_ROW(round, xnet_events(&n.node[k], IKE_EV_CHILD_DOWN), 2);
			T_EQ_ROW(round, xnet_events(&n.node[k], IKE_EV_CHILD_FAILED), 0);
			T_EQ_ROW(round, n.node[k].nchild, 6);
			ike_engine_stats(n.node[k].e, &st);
			T_EQ_ROW(round, st.drop_msgid + st.drop_state + st.drop_malformed, 0);
		}
		check_live(&n, round);
		xnet_cleanup(&n);
	}
}

/* §2.8.1 with chosen nonces: the SA of the exchange holding the lowest nonce goes. Node 0
 * installs the SA of node 1's exchange first (records 2, 3), then its own (4, 5). */
static void test_rekey_collision_order(void)
{
	static const struct {
		int line;
		uint8_t fill0, fill1;
		bool own_survives; /* node 0's exchange's SA stays */
	} rows[] = {
	    {__LINE__, 0x10, 0xe0, false}, /* node 0's nonce is the lowest: its SA goes */
	    {__LINE__, 0xe0, 0x10, true},
	};

	for (size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		struct xnet_nonce h0 = {.fill = rows[r].fill0}, h1 = {.fill = rows[r].fill1};
		struct ike_test_hooks hooks = {.rand = xnet_nonce_rand};
		struct ike_sa_info info[2];
		size_t cnt = 0, total = 0;
		int line = rows[r].line;
		struct xnet n;

		if (setup(&n, 0, 0, 0, "aes128gcm16"))
			continue;
		ike_engine_set_test_hooks(n.node[0].e, &hooks, &h0);
		ike_engine_set_test_hooks(n.node[1].e, &hooks, &h1);
		for (int k = 0; k < 2; k++)
			ike_engine_list(n.node[k].e, &info[k], 1, &cnt, &total);
		T_EQ_ROW(line,
			 ike_engine_rekey_child(n.node[0].e, n.now, info[0].children[0].child_id),
			 0);
		T_EQ_ROW(line,
			 ike_engine_rekey_child(n.node[1].e, n.now, info[1].children[0].child_id),
			 0);
		xnet_advance(&n, 1000);
		T_EQ_ROW(line, n.node[0].nchild, 6);
		T_EQ_ROW(line, !n.node[0].child[4].deleted, rows[r].own_survives);
		T_EQ_ROW(line, !n.node[0].child[2].deleted, !rows[r].own_survives);
		check_live(&n, line);
		xnet_cleanup(&n);
	}
}

int main(void)
{
	log_set_level_all(LOG_LVL_ERROR);
	test_rekey();
	test_rekey_timer();
	test_rekey_lost_answer();
	test_rekey_delayed_out();
	test_rekey_refused();
	test_rekey_collision();
	test_rekey_collision_order();
	return t_finish();
}
