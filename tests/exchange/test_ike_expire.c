/* The data plane's lifetime events reaching the engine (ike_engine_child_expired), between
 * two engines over the fake network: a soft event rekeys the Child SA at once (and only once
 * while a rekey runs), a hard one deletes it and leaves the IKE SA up; rekey_bytes/_packets
 * and life_bytes/_packets reach the data plane as the SA's soft/hard limits; the engine's
 * exchange counters (ike_engine_stats) count each side's exchanges; list-sas shows what is
 * being done to a Child SA (DELETING from our Delete or hard expiry until the peer answers,
 * REKEYING while our rekey runs) and its install/rekey/life times.
 */
#include <string.h>

#include "ike/conn.h"
#include "ike/ike.h"
#include "lib/err.h"
#include "lib/log.h"
#include "support/test.h"
#include "support/xnet.h"
#include "wire/ikev2_const.h"

static uint64_t rand_bytes; /* the child's rand_bytes (0: exact soft limits) */
static uint32_t life_time;  /* the child's life_time in seconds (0: none) */

static void configure(struct xnet *n, int i)
{
	struct conn *c = xnet_psk_conn(n, i, "gw", "aes128gcm16-prfsha256-x25519");
	struct conn_child *ch = xnet_psk_child(c, "net", "aes128gcm16");

	ch->rekey_bytes = 2000000;
	ch->life_bytes = 2200000;
	ch->rand_bytes = rand_bytes;
	ch->life_time = life_time;
	ch->rekey_packets = 1000;
	ch->life_packets = 1100;
	ts_parse_list(i == 0 ? "10.1.0.0/24" : "10.2.0.0/24", &ch->local_ts, NULL, 0);
	ts_parse_list(i == 0 ? "10.2.0.0/24" : "10.1.0.0/24", &ch->remote_ts, NULL, 0);
	T_EQ(xnet_configure(n, i, &c, 1), 0);
	conn_free(c);
}

static int setup(struct xnet *n)
{
	uint32_t id = 0;

	if (xnet_init(n, "192.0.2.1", "192.0.2.2") != 0)
		return -1;
	n->quiet = true;
	configure(n, 0);
	configure(n, 1);
	T_EQ(ike_engine_initiate(n->node[0].e, n->now, "gw", NULL, &id), 0);
	xnet_flush(n, 100);
	return xnet_events(&n->node[1], IKE_EV_CHILD_UP) == 1 ? 0 : -1;
}

static uint32_t child_id(const struct xnet_node *nd, uint32_t *spi_in)
{
	struct ike_sa_info info;
	size_t cnt = 0, total = 0;

	ike_engine_list(nd->e, &info, 1, &cnt, &total);
	if (cnt != 1 || info.nchildren != 1)
		return 0;
	if (spi_in)
		*spi_in = info.children[0].spi_in;
	return info.children[0].child_id;
}

/* The limits of the child's configuration reach both directions' SAs. */
static void test_limits_installed(void)
{
	struct xnet n;

	if (setup(&n))
		return;
	for (int k = 0; k < 2; k++) {
		T_EQ(n.node[k].nchild, 2);
		for (size_t i = 0; i < n.node[k].nchild; i++) {
			const struct ike_child_sa *sa = &n.node[k].child[i].sa;
			T_EQ(sa->soft_bytes, 2000000);
			T_EQ(sa->hard_bytes, 2200000);
			T_EQ(sa->soft_packets, 1000);
			T_EQ(sa->hard_packets, 1100);
		}
	}
	xnet_cleanup(&n);
}

/* rand_bytes: each SA's soft byte limit lies in [rekey_bytes - rand_bytes, rekey_bytes] and the
 * SAs do not all get the same one (the peers must not rekey with the same packet). */
static void test_limits_jitter(void)
{
	uint64_t lo = UINT64_MAX, hi = 0;
	struct xnet n;

	rand_bytes = 200000;
	if (setup(&n) == 0) {
		for (int k = 0; k < 2; k++) {
			for (size_t i = 0; i < n.node[k].nchild; i++) {
				uint64_t v = n.node[k].child[i].sa.soft_bytes;
				T_OK(v >= 1800000 && v <= 2000000, "soft bytes %llu",
				     (unsigned long long)v);
				lo = v < lo ? v : lo;
				hi = v > hi ? v : hi;
				T_EQ(n.node[k].child[i].sa.hard_bytes, 2200000);
				T_EQ(n.node[k].child[i].sa.soft_packets,
				     1000); /* no rand_packets */
			}
		}
		T_OK(lo < hi, "jittered soft limits differ (%llu..%llu)", (unsigned long long)lo,
		     (unsigned long long)hi);
		xnet_cleanup(&n);
	}
	/* rand_bytes far above rekey_bytes (its default is life - rekey): at most half is taken */
	rand_bytes = 50000000;
	if (setup(&n) == 0) {
		for (size_t i = 0; i < n.node[0].nchild; i++) {
			uint64_t v = n.node[0].child[i].sa.soft_bytes;
			T_OK(v >= 1000000 && v <= 2000000, "capped jitter: soft bytes %llu",
			     (unsigned long long)v);
		}
		xnet_cleanup(&n);
	}
	rand_bytes = 0;
}

/* Soft on either side: CREATE_CHILD_SA at once, new SPIs, the old SA deleted after; a second
 * soft event for the same child while its rekey runs starts nothing more. */
static void test_soft(void)
{
	for (int who = 0; who < 2; who++) {
		struct xnet n;
		uint32_t id, spi0 = 0, spi1 = 0;
		unsigned seq0;

		if (setup(&n))
			continue;
		id = child_id(&n.node[who], &spi0);
		seq0 = n.seq;
		T_EQ(ike_engine_child_expired(n.node[who].e, n.now, id, false), 0);
		T_EQ(n.seq, seq0 + 1); /* the CREATE_CHILD_SA request left at once */
		T_EQ(ike_engine_child_expired(n.node[who].e, n.now, id, false), 0);
		T_EQ(n.seq, seq0 + 1); /* nothing more */
		xnet_flush(&n, 100);
		for (int k = 0; k < 2; k++) {
			T_EQ(xnet_events(&n.node[k], IKE_EV_CHILD_UP), 2);
			T_EQ(xnet_events(&n.node[k], IKE_EV_CHILD_DOWN), 1);
			T_EQ(xnet_events(&n.node[k], IKE_EV_IKE_DOWN), 0);
		}
		T_OK(child_id(&n.node[who], &spi1) != id, "a new Child SA");
		T_OK(spi1 != spi0, "new SPI %08x (old %08x)", spi1, spi0);
		/* the old child is gone now */
		T_EQ(ike_engine_child_expired(n.node[who].e, n.now, id, false), ERR_NOTFOUND);
		T_EQ(ike_engine_child_expired(n.node[who].e, n.now, id, true), ERR_NOTFOUND);
		xnet_cleanup(&n);
	}
}

/* Soft while the IKE SA is busy with another exchange: the rekey follows once it is free. */
static void test_soft_busy(void)
{
	struct xnet n;
	uint32_t id;
	unsigned seq0;

	if (setup(&n))
		return;
	id = child_id(&n.node[0], NULL);
	T_EQ(ike_engine_rekey_child(n.node[0].e, n.now, id), 0); /* in flight */
	seq0 = n.seq;
	T_EQ(ike_engine_child_expired(n.node[0].e, n.now, id, false), 0);
	T_EQ(n.seq, seq0);
	xnet_flush(&n, 100);
	for (int s = 0; s < 5; s++) {
		n.now += 1000;
		ike_engine_timeout(n.node[0].e, n.now);
		ike_engine_timeout(n.node[1].e, n.now);
		xnet_flush(&n, 100);
	}
	/* exactly one rekey: the soft event did not start a second one for the replaced SA */
	T_EQ(xnet_events(&n.node[0], IKE_EV_CHILD_UP), 2);
	T_EQ(xnet_events(&n.node[1], IKE_EV_CHILD_UP), 2);
	T_EQ(xnet_events(&n.node[0], IKE_EV_CHILD_DOWN), 1);
	xnet_cleanup(&n);
}

/* Hard: the Child SA is deleted on both sides, the IKE SA stays. */
static void test_hard(void)
{
	struct ike_sa_info info;
	size_t cnt = 0, total = 0;
	struct xnet n;
	uint32_t id;

	if (setup(&n))
		return;
	id = child_id(&n.node[1], NULL);
	T_EQ(ike_engine_child_expired(n.node[1].e, n.now, id, true), 0);
	xnet_flush(&n, 100);
	for (int k = 0; k < 2; k++) {
		T_EQ(xnet_events(&n.node[k], IKE_EV_CHILD_DOWN), 1);
		T_EQ(xnet_events(&n.node[k], IKE_EV_IKE_DOWN), 0);
		T_EQ(n.node[k].child[0].deleted && n.node[k].child[1].deleted, 1);
		ike_engine_list(n.node[k].e, &info, 1, &cnt, &total);
		T_EQ(cnt, 1);
		T_EQ(info.nchildren, 0);
		T_OK(strcmp(info.state, "ESTABLISHED") == 0, "IKE SA %s", info.state);
	}
	T_EQ(ike_engine_child_expired(n.node[1].e, n.now, id, true), ERR_NOTFOUND);
	T_EQ(ike_engine_child_expired(n.node[0].e, n.now, 4242, false), ERR_NOTFOUND);
	xnet_cleanup(&n);
}

/* Exchange counters: ours (the response arrived) and the peer's (its request handled). */
static void test_stats(void)
{
	struct ike_stats s0, s1;
	struct xnet n;
	uint32_t id;

	if (setup(&n))
		return;
	ike_engine_stats(n.node[0].e, &s0);
	ike_engine_stats(n.node[1].e, &s1);
	T_EQ(s0.exchanges[IKE_STATS_EXCH(IKEV2_EXCH_IKE_SA_INIT)][0], 1);
	T_EQ(s0.exchanges[IKE_STATS_EXCH(IKEV2_EXCH_IKE_AUTH)][0], 1);
	T_EQ(s0.exchanges[IKE_STATS_EXCH(IKEV2_EXCH_IKE_SA_INIT)][1], 0);
	T_EQ(s1.exchanges[IKE_STATS_EXCH(IKEV2_EXCH_IKE_SA_INIT)][1], 1);
	T_EQ(s1.exchanges[IKE_STATS_EXCH(IKEV2_EXCH_IKE_AUTH)][1], 1);
	T_EQ(s1.exchanges[IKE_STATS_EXCH(IKEV2_EXCH_IKE_AUTH)][0], 0);
	for (int k = 0; k < 2; k++) {
		struct ike_stats *s = k ? &s1 : &s0;
		T_EQ(s->sas, 1);
		T_EQ(s->established, 1);
		T_EQ(s->ike_established, 1);
		T_EQ(s->half_open, 0);
	}
	id = child_id(&n.node[0], NULL);
	T_EQ(ike_engine_child_expired(n.node[0].e, n.now, id, false), 0);
	xnet_flush(&n, 100);
	ike_engine_stats(n.node[0].e, &s0);
	ike_engine_stats(n.node[1].e, &s1);
	T_EQ(s0.exchanges[IKE_STATS_EXCH(IKEV2_EXCH_CREATE_CHILD_SA)][0], 1);
	T_EQ(s1.exchanges[IKE_STATS_EXCH(IKEV2_EXCH_CREATE_CHILD_SA)][1], 1);
	/* the old SA's delete: one INFORMATIONAL exchange, whoever sent it */
	T_EQ(s0.exchanges[IKE_STATS_EXCH(IKEV2_EXCH_INFORMATIONAL)][0] +
		 s1.exchanges[IKE_STATS_EXCH(IKEV2_EXCH_INFORMATIONAL)][0],
	     s0.exchanges[IKE_STATS_EXCH(IKEV2_EXCH_INFORMATIONAL)][1] +
		 s1.exchanges[IKE_STATS_EXCH(IKEV2_EXCH_INFORMATIONAL)][1]);
	T_OK(s0.exchanges[IKE_STATS_EXCH(IKEV2_EXCH_INFORMATIONAL)][0] +
		     s1.exchanges[IKE_STATS_EXCH(IKEV2_EXCH_INFORMATIONAL)][0] >=
		 1,
	     "an INFORMATIONAL delete was counted");
	xnet_cleanup(&n);
}

static enum xnet_action drop_all(void *ctx, const struct xnet_dgram *d)
{
	(void)ctx;
	(void)d;
	return XNET_DROP;
}

/* The listed state of node's only Child SA ("" when there is none). */
static const char *child_state(const struct xnet_node *nd, struct ike_child_info *out)
{
	static struct ike_sa_info info;
	size_t cnt = 0, total = 0;

	ike_engine_list(nd->e, &info, 1, &cnt, &total);
	if (cnt != 1 || info.nchildren != 1)
		return "";
	if (out)
		*out = info.children[0];
	return info.children[0].state;
}

/* What is being done to a Child SA shows in list-sas until the peer answers (strongSwan's
 * DELETING / REKEYING), not INSTALLED. */
static void test_states(void)
{
	struct ike_child_info ci;
	struct xnet n;
	uint32_t id;
	size_t d0;

	/* a hard event from the data plane: DELETING until the peer answers */
	if (setup(&n))
		return;
	T_OK(strcmp(child_state(&n.node[0], &ci), "INSTALLED") == 0, "installed: %s",
	     child_state(&n.node[0], NULL));
	T_OK(ci.installed_ms != 0 && ci.installed_ms <= n.now, "install time");
	T_EQ(ci.rekey_at_ms, 0);  /* no rekey_time */
	T_EQ(ci.expire_at_ms, 0); /* no life_time */
	id = child_id(&n.node[0], NULL);
	n.filter = drop_all;
	T_EQ(ike_engine_child_expired(n.node[0].e, n.now, id, true), 0);
	xnet_flush(&n, 10);
	T_OK(strcmp(child_state(&n.node[0], NULL), "DELETING") == 0, "hard event: %s",
	     child_state(&n.node[0], NULL));
	T_OK(strcmp(child_state(&n.node[1], NULL), "INSTALLED") == 0, "peer: %s",
	     child_state(&n.node[1], NULL));
	n.filter = NULL;
	xnet_run(&n, 10000);
	T_OK(strcmp(child_state(&n.node[0], NULL), "") == 0, "gone: %s",
	     child_state(&n.node[0], NULL));
	T_OK(strcmp(child_state(&n.node[1], NULL), "") == 0, "gone at the peer: %s",
	     child_state(&n.node[1], NULL));
	xnet_cleanup(&n);

	/* life_time passed: out of the data plane at once, DELETING until the peer answers */
	life_time = 10;
	if (setup(&n) == 0) {
		T_OK(strcmp(child_state(&n.node[0], &ci), "INSTALLED") == 0, "installed");
		T_EQ(ci.expire_at_ms, ci.installed_ms + 10000);
		n.filter = drop_all;
		d0 = n.node[0].deletes;
		xnet_run(&n, 10000); /* the Delete goes at 10 s, its retransmit later */
		T_EQ(n.node[0].deletes, d0 + 1);
		T_OK(strcmp(child_state(&n.node[0], NULL), "DELETING") == 0, "expired: %s",
		     child_state(&n.node[0], NULL));
		n.filter = NULL;
		xnet_run(&n, 10000);
		T_OK(strcmp(child_state(&n.node[0], NULL), "") == 0, "expired and gone: %s",
		     child_state(&n.node[0], NULL));
		T_EQ(n.node[0].deletes, d0 + 1);
		xnet_cleanup(&n);
	}
	life_time = 0;

	/* our Delete unanswered: DELETING, still in the data plane until the answer */
	if (setup(&n))
		return;
	id = child_id(&n.node[1], NULL);
	n.filter = drop_all;
	d0 = n.node[1].deletes;
	T_EQ(ike_engine_terminate_child(n.node[1].e, n.now, id), 0);
	xnet_flush(&n, 10);
	T_OK(strcmp(child_state(&n.node[1], NULL), "DELETING") == 0, "deleting: %s",
	     child_state(&n.node[1], NULL));
	T_EQ(n.node[1].deletes, d0);
	n.filter = NULL;
	xnet_run(&n, 10000);
	T_OK(strcmp(child_state(&n.node[1], NULL), "") == 0, "deleted: %s",
	     child_state(&n.node[1], NULL));
	T_EQ(n.node[1].deletes, d0 + 1);
	xnet_cleanup(&n);

	/* our rekey unanswered: REKEYING; INSTALLED (the new SA) once done */
	if (setup(&n))
		return;
	id = child_id(&n.node[0], NULL);
	n.filter = drop_all;
	T_EQ(ike_engine_rekey_child(n.node[0].e, n.now, id), 0);
	xnet_flush(&n, 10);
	T_OK(strcmp(child_state(&n.node[0], NULL), "REKEYING") == 0, "rekeying: %s",
	     child_state(&n.node[0], NULL));
	n.filter = NULL;
	xnet_run(&n, 10000);
	T_OK(strcmp(child_state(&n.node[0], &ci), "INSTALLED") == 0, "rekeyed: %s",
	     child_state(&n.node[0], NULL));
	T_OK(ci.child_id != id, "a new Child SA");
	xnet_cleanup(&n);
}

int main(void)
{
	log_set_level_all(LOG_LVL_ERROR);
	test_limits_installed();
	test_limits_jitter();
	test_soft();
	test_soft_busy();
	test_hard();
	test_stats();
	test_states();
	return t_finish();
}
