/* INFORMATIONAL exchanges between two engines over the fake network (RFC 7296 §1.4):
 * `down` from either end deletes the IKE SA at both ends and takes the Child SAs out of both
 * data planes; a lost Delete is retransmitted, a lost answer re-sent from the cache; a peer that
 * never answers is given up on; simultaneous deletes both complete.
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

static int setup(struct xnet *n)
{
	if (xnet_init(n, A0, A1) != 0)
		return -1;
	n->quiet = true;
	for (int i = 0; i < 2; i++) {
		struct conn *c = xnet_psk_conn(n, i, "gw", "aes128gcm16-prfsha256-x25519");
		struct conn_child *ch = xnet_psk_child(c, "net", "aes128gcm16");

		ch->mode = CONN_MODE_TUNNEL;
		ts_parse_list(i == 0 ? "10.1.0.0/24" : "10.2.0.0/24", &ch->local_ts, NULL, 0);
		ts_parse_list(i == 0 ? "10.2.0.0/24" : "10.1.0.0/24", &ch->remote_ts, NULL, 0);
		T_EQ(xnet_configure(n, i, &c, 1), 0);
		conn_free(c);
	}
	return 0;
}

/* The IKE SA id node idx knows (the only one), 0 when none. */
static uint32_t sa_id(struct xnet *n, int idx, size_t *total)
{
	struct ike_sa_info info;
	size_t cnt = 0;

	ike_engine_list(n->node[idx].e, &info, 1, &cnt, total);
	return cnt ? info.id : 0;
}

/* Up, with the Child SA installed on both sides. */
static int establish(struct xnet *n)
{
	uint32_t id = 0;

	if (setup(n))
		return -1;
	T_EQ(ike_engine_initiate(n->node[0].e, n->now, "gw", NULL, &id), 0);
	xnet_run(n, 1000);
	T_EQ(xnet_events(&n->node[0], IKE_EV_CHILD_UP), 1);
	T_EQ(xnet_events(&n->node[1], IKE_EV_CHILD_UP), 1);
	T_EQ(xnet_live(&n->node[0]), 2);
	T_EQ(xnet_live(&n->node[1]), 2);
	return 0;
}

struct fault {
	unsigned seq;
	enum xnet_action act;
	unsigned from_seq;
};

static enum xnet_action fault_filter(void *ctx, const struct xnet_dgram *d)
{
	const struct fault *f = ctx;

	if (f->from_seq && d->seq >= f->from_seq)
		return XNET_DROP;
	return d->seq == f->seq ? f->act : XNET_DELIVER;
}

/* down from node `who` (0 initiator, 1 responder), with datagram 4+k faulted. */
static void test_delete(void)
{
	static const struct {
		int line;
		int who;
		unsigned seq; /* 5: the Delete, 6: its answer */
		enum xnet_action act;
		unsigned want_seq;
	} rows[] = {
	    {__LINE__, 0, 0, XNET_DELIVER, 6},
	    {__LINE__, 1, 0, XNET_DELIVER, 6},
	    {__LINE__, 0, 5, XNET_DROP, 7}, /* Delete lost: retransmitted */
	    {__LINE__, 1, 5, XNET_DUP, 6},  /* duplicated Delete: the SA is gone, dropped */
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct fault f = {.seq = rows[i].seq, .act = rows[i].act};
		int line = rows[i].line, who = rows[i].who;
		size_t total = 0;
		struct xnet n;
		uint32_t id;

		if (establish(&n))
			continue;
		n.filter = fault_filter;
		n.filter_ctx = &f;
		id = sa_id(&n, who, &total);
		T_OK_ROW(line, id != 0, "SA listed");
		T_EQ_ROW(line, ike_engine_terminate(n.node[who].e, n.now, id), 0);
		/* our half goes out of the data plane at once */
		T_EQ_ROW(line, xnet_live(&n.node[who]), 0);
		xnet_run(&n, 60000);
		for (int k = 0; k < 2; k++) {
			T_EQ_ROW(line, sa_id(&n, k, &total), 0);
			T_EQ_ROW(line, total, 0);
			T_EQ_ROW(line, xnet_live(&n.node[k]), 0);
			T_EQ_ROW(line, n.node[k].deletes, 1);
			T_EQ_ROW(line, xnet_events(&n.node[k], IKE_EV_IKE_DOWN), 1);
			T_EQ_ROW(line, xnet_events(&n.node[k], IKE_EV_CHILD_DOWN), 1);
			T_EQ_ROW(line, ike_engine_next_deadline(n.node[k].e), UINT64_MAX);
		}
		T_EQ_ROW(line, n.seq, rows[i].want_seq);
		int ev = xnet_event(&n.node[1 - who], IKE_EV_IKE_DOWN, 0);
		if (ev >= 0)
			T_OK_ROW(line,
				 strstr(n.node[1 - who].ev[ev].msg, "deleted by 192.0.2.") != NULL,
				 "'%s'", n.node[1 - who].ev[ev].msg);
		xnet_cleanup(&n);
	}
}

/* The peer never answers the Delete (from_seq 5), or its answer is lost (seq 6: the peer
 * deleted its SA and cannot answer the retransmissions): given up on after the retransmissions,
 * as strongSwan does. */
static void test_delete_no_answer(void)
{
	for (int row = 0; row < 2; row++) {
		struct fault f = {.from_seq = row ? 0 : 5, .seq = row ? 6 : 0, .act = XNET_DROP};
		size_t total = 0;
		struct xnet n;

		if (establish(&n))
			continue;
		n.filter = fault_filter;
		n.filter_ctx = &f;
		T_EQ(ike_engine_terminate(n.node[0].e, n.now, sa_id(&n, 0, &total)), 0);
		xnet_run(&n, 400000);
		T_EQ(sa_id(&n, 0, &total), 0);
		T_EQ(total, 0);
		T_EQ(n.node[0].deletes, 1);
		int ev = xnet_event(&n.node[0], IKE_EV_IKE_FAILED, 0);
		T_OK(ev >= 0, "give-up event");
		if (ev >= 0)
			T_OK(strstr(n.node[0].ev[ev].msg, "(INFORMATIONAL)") != NULL, "'%s'",
			     n.node[0].ev[ev].msg);
		/* the responder keeps its SA when it heard nothing */
		T_EQ(sa_id(&n, 1, &total) != 0, row == 0);
		T_EQ(n.seq, row ? 11u : 10u); /* 4 + Delete + [answer] + 5 retransmits */
		xnet_cleanup(&n);
	}
}

/* Both ends delete at once: each answers the other's Delete and both SAs go. */
static void test_delete_crossing(void)
{
	size_t total = 0;
	struct xnet n;

	if (establish(&n))
		return;
	T_EQ(ike_engine_terminate(n.node[0].e, n.now, sa_id(&n, 0, &total)), 0);
	T_EQ(ike_engine_terminate(n.node[1].e, n.now, sa_id(&n, 1, &total)), 0);
	xnet_run(&n, 60000);
	for (int k = 0; k < 2; k++) {
		T_EQ(sa_id(&n, k, &total), 0);
		T_EQ(total, 0);
		T_EQ(n.node[k].deletes, 1);
		T_EQ(ike_engine_next_deadline(n.node[k].e), UINT64_MAX);
	}
	xnet_cleanup(&n);
}

int main(void)
{
	log_set_level_all(LOG_LVL_ERROR);
	test_delete();
	test_delete_no_answer();
	test_delete_crossing();
	return t_finish();
}
