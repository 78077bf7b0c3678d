/* INFORMATIONAL (DPD and Child SA deletes) between two engines over the fake network and clock:
 * liveness checks sent and answered, dead peer detection (every datagram dropped) with dpd_action
 * clear and restart, Delete of the IKE SA and of Child SAs from either side, crossing Child SA
 * deletes, a Delete that is never answered, and retransmitted requests answered from the response
 * cache byte for byte.
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

#define A0 "192.0.2.1"
#define A1 "192.0.2.2"

struct opts {
	uint32_t dpd_delay;
	enum conn_action dpd_action;
	uint32_t keyingtries; /* 0: the default (1) */
};

static void configure(struct xnet *n, int i, const struct opts *o)
{
	/* lifetimes are CREATE_CHILD_SA's business: xnet_psk_* keep them out of these timelines */
	struct conn *c = xnet_psk_conn(n, i, "gw", "aes128gcm16-prfsha256-ecp256");
	struct conn_child *ch = xnet_psk_child(c, "net", "aes128gcm16");

	c->dpd_delay = o ? o->dpd_delay : 0;
	if (o && o->keyingtries)
		c->keyingtries = o->keyingtries;
	ch->dpd_action = o ? o->dpd_action : CONN_ACTION_NONE;
	T_EQ(xnet_configure(n, i, &c, 1), 0);
	conn_free(c);
}

/* Both engines configured and an IKE SA with one child up; *id the initiator's SA id. */
static int setup(struct xnet *n, const struct opts *o0, const struct opts *o1, uint32_t *id)
{
	if (xnet_init(n, A0, A1) != 0)
		return -1;
	n->quiet = true;
	configure(n, 0, o0);
	configure(n, 1, o1);
	T_EQ(ike_engine_initiate(n->node[0].e, n->now, "gw", NULL, id), 0);
	xnet_flush(n, 100);
	T_EQ(xnet_events(&n->node[0], IKE_EV_CHILD_UP), 1);
	T_EQ(xnet_events(&n->node[1], IKE_EV_CHILD_UP), 1);
	return xnet_events(&n->node[1], IKE_EV_CHILD_UP) == 1 ? 0 : -1;
}

static size_t nsas(struct ike_engine *e, struct ike_sa_info *info)
{
	size_t cnt = 0, total = 0;

	ike_engine_list(e, info, 1, &cnt, &total);
	return total;
}

static bool all_deleted(const struct xnet_node *nd)
{
	for (size_t i = 0; i < nd->nchild; i++)
		if (!nd->child[i].deleted)
			return false;
	return nd->nchild > 0;
}

static const char *last_msg(const struct xnet_node *nd, enum ike_event_kind kind)
{
	for (size_t i = nd->nev; i-- > 0;)
		if (nd->ev[i].kind == kind)
			return nd->ev[i].msg;
	return "";
}

/* Runs both engines for ms of fake time (xnet_run only moves the clock to deadlines). */
/* ---- recording filter ------------------------------------------------------------------ */

struct rec {
	unsigned drop_from;   /* drop every datagram with seq >= drop_from (0: none) */
	unsigned drop_seq;    /* drop this one datagram */
	unsigned ninfo;	      /* INFORMATIONAL requests seen */
	unsigned nresp;	      /* INFORMATIONAL responses seen */
	uint8_t resp[2][512]; /* the first two INFORMATIONAL responses */
	size_t resp_len[2];
};

static enum xnet_action rec_filter(void *ctx, const struct xnet_dgram *d)
{
	struct rec *r = ctx;

	if (xnet_exchange(d) == IKEV2_EXCH_INFORMATIONAL) {
		if (xnet_is_response(d)) {
			if (r->nresp < 2 && d->len <= sizeof(r->resp[0])) {
				memcpy(r->resp[r->nresp], d->data, d->len);
				r->resp_len[r->nresp] = d->len;
			}
			r->nresp++;
		} else {
			r->ninfo++;
		}
	}
	if ((r->drop_from && d->seq >= r->drop_from) || d->seq == r->drop_seq)
		return XNET_DROP;
	return XNET_DELIVER;
}

/* ---- tests ------------------------------------------------------------------------------ */

/* dpd_delay 30 s on the initiator: a liveness check after 30 s of silence, answered; the SA
 * stays up; none without dpd_delay. */
static void test_liveness(void)
{
	struct opts o = {.dpd_delay = 30};
	struct ike_sa_info info;
	struct rec r = {0};
	struct xnet n;
	uint32_t id = 0;
	uint64_t t0;

	if (setup(&n, &o, NULL, &id))
		return;
	n.filter = rec_filter;
	n.filter_ctx = &r;
	t0 = n.now;
	T_EQ(ike_engine_next_deadline(n.node[0].e), t0 + 30000);
	T_EQ(ike_engine_next_deadline(n.node[1].e), UINT64_MAX);
	xnet_advance(&n, 29000);
	T_EQ(r.ninfo, 0);
	xnet_advance(&n, 2000);
	T_EQ(r.ninfo, 1);
	T_EQ(r.nresp, 1);
	/* 100 s more: one check every 30 s of silence */
	xnet_advance(&n, 100000);
	T_EQ(r.ninfo, 4);
	T_EQ(r.nresp, 4);
	T_EQ(xnet_events(&n.node[0], IKE_EV_IKE_DOWN), 0);
	T_EQ(xnet_events(&n.node[1], IKE_EV_IKE_DOWN), 0);
	T_EQ(nsas(n.node[0].e, &info), 1);
	T_OK(strcmp(info.state, "ESTABLISHED") == 0, "state %s", info.state);
	T_EQ(nsas(n.node[1].e, &info), 1);
	T_OK(!all_deleted(&n.node[0]), "children kept");
	xnet_cleanup(&n);
}

/* The peer goes silent: the liveness check is retransmitted 5 times, then the SA is declared
 * dead with a sentence, its children leave the data plane (dpd_action clear). */
static void test_dpd_dead(void)
{
	struct opts o = {.dpd_delay = 10};
	struct ike_sa_info info;
	struct ike_stats st;
	struct rec r = {0};
	struct xnet n;
	uint32_t id = 0;
	int ev;

	if (setup(&n, &o, NULL, &id))
		return;
	r.drop_from = n.seq + 1;
	n.filter = rec_filter;
	n.filter_ctx = &r;
	xnet_advance(&n, 400000);
	ev = xnet_event(&n.node[0], IKE_EV_IKE_DOWN, 0);
	T_OK(ev >= 0, "IKE_DOWN reported");
	if (ev >= 0) {
		T_EQ(n.node[0].ev[ev].id, id);
		T_OK(strstr(n.node[0].ev[ev].msg,
			    "peer 192.0.2.2 did not answer liveness checks") != NULL,
		     "%s", n.node[0].ev[ev].msg);
		T_OK(strstr(n.node[0].ev[ev].msg, "dpd_action clear") != NULL, "%s",
		     n.node[0].ev[ev].msg);
	}
	T_EQ(r.ninfo, 6); /* the check and 5 retransmissions */
	T_EQ(xnet_events(&n.node[0], IKE_EV_CHILD_DOWN), 1);
	T_OK(all_deleted(&n.node[0]), "children deleted");
	T_EQ(nsas(n.node[0].e, &info), 0);
	T_EQ(xnet_events(&n.node[0], IKE_EV_IKE_FAILED), 0);
	ike_engine_stats(n.node[0].e, &st);
	T_EQ(st.retransmits, 5);
	T_EQ(ike_engine_next_deadline(n.node[0].e), UINT64_MAX);
	xnet_cleanup(&n);
}

/* ike_engine_set_retransmit (rampartd's retransmit_timeout/_base/_tries): 1 s, factor 1.5,
 * 2 retransmits: the check goes at 10 s, again at 11 s and 12.5 s, and the peer is declared
 * dead at 14.75 s; out-of-range settings are refused and change nothing. */
static void test_dpd_retransmit_settings(void)
{
	struct opts o = {.dpd_delay = 10};
	struct ike_stats st;
	struct rec r = {0};
	struct xnet n;
	uint32_t id = 0;
	uint64_t t0;

	if (setup(&n, &o, NULL, &id))
		return;
	T_EQ(ike_engine_set_retransmit(n.node[0].e, 99, 15, 2), ERR_INVAL);
	T_EQ(ike_engine_set_retransmit(n.node[0].e, 1000, 9, 2), ERR_INVAL);
	T_EQ(ike_engine_set_retransmit(n.node[0].e, 1000, 15, IKE_RETRANSMIT_TRIES_MAX + 1),
	     ERR_INVAL);
	T_EQ(ike_engine_set_retransmit(n.node[0].e, 1000, 15, 2), 0);
	r.drop_from = n.seq + 1;
	n.filter = rec_filter;
	n.filter_ctx = &r;
	t0 = n.now;
	xnet_advance(&n, 14700);
	T_EQ(r.ninfo, 3);
	T_EQ(xnet_events(&n.node[0], IKE_EV_IKE_DOWN), 0);
	xnet_advance(&n, 100);
	T_EQ(xnet_events(&n.node[0], IKE_EV_IKE_DOWN), 1);
	T_OK(strstr(last_msg(&n.node[0], IKE_EV_IKE_DOWN), "after 2 retransmits") != NULL, "%s",
	     last_msg(&n.node[0], IKE_EV_IKE_DOWN));
	T_OK(n.now <= t0 + 14800, "dead at +%llu ms", (unsigned long long)(n.now - t0));
	ike_engine_stats(n.node[0].e, &st);
	T_EQ(st.retransmits, 2);
	xnet_cleanup(&n);
}

/* dpd_action restart: the dead SA goes and a new one is initiated; once the network is back
 * it comes up. */
static void test_dpd_restart(void)
{
	struct opts o = {.dpd_delay = 10, .dpd_action = CONN_ACTION_START};
	struct ike_sa_info info;
	struct rec r = {0};
	struct xnet n;
	uint32_t id = 0;

	if (setup(&n, &o, NULL, &id))
		return;
	r.drop_from = n.seq + 1;
	n.filter = rec_filter;
	n.filter_ctx = &r;
	/* up to the death: 10 s + the retransmission sequence (about 165 s) */
	for (int i = 0; i < 400 && xnet_events(&n.node[0], IKE_EV_IKE_DOWN) == 0; i++)
		xnet_advance(&n, 1000);
	T_OK(n.now < 180000 + 10000, "dead after %llu ms", (unsigned long long)n.now);
	T_EQ(xnet_events(&n.node[0], IKE_EV_IKE_DOWN), 1);
	T_OK(strstr(last_msg(&n.node[0], IKE_EV_IKE_DOWN), "dpd_action restart") != NULL, "%s",
	     last_msg(&n.node[0], IKE_EV_IKE_DOWN));
	T_EQ(nsas(n.node[0].e, &info), 1);
	T_OK(strcmp(info.state, "CONNECTING") == 0, "state %s", info.state);
	T_OK(info.id != id, "a new IKE SA");
	r.drop_from = 0; /* the network is back; the responder still holds its old SA */
	xnet_advance(&n, 60000);
	T_EQ(xnet_events(&n.node[0], IKE_EV_IKE_UP), 2);
	T_EQ(xnet_events(&n.node[0], IKE_EV_CHILD_UP), 2);
	T_EQ(nsas(n.node[0].e, &info), 1);
	T_OK(strcmp(info.state, "ESTABLISHED") == 0, "state %s", info.state);
	xnet_cleanup(&n);
}

/* ike_engine_terminate on either side: D(IKE) answered, both sides report IKE_DOWN and
 * CHILD_DOWN and remove both directions of the child. */
static void test_delete_ike(void)
{
	for (int side = 0; side < 2; side++) {
		struct ike_sa_info info;
		struct rec r = {0};
		struct xnet n;
		uint32_t id = 0;

		if (setup(&n, NULL, NULL, &id))
			continue;
		n.filter = rec_filter;
		n.filter_ctx = &r;
		T_EQ(nsas(n.node[side].e, &info), 1);
		T_EQ(ike_engine_terminate(n.node[side].e, n.now, info.id), 0);
		T_EQ(nsas(n.node[side].e, &info), 1); /* DELETING until answered */
		T_OK(strcmp(info.state, "DELETING") == 0, "state %s", info.state);
		xnet_flush(&n, 100);
		T_EQ_ROW(side, r.ninfo, 1);
		T_EQ_ROW(side, r.nresp, 1);
		for (int k = 0; k < 2; k++) {
			T_EQ_ROW(side, xnet_events(&n.node[k], IKE_EV_IKE_DOWN), 1);
			T_EQ_ROW(side, xnet_events(&n.node[k], IKE_EV_CHILD_DOWN), 1);
			T_OK_ROW(side, all_deleted(&n.node[k]), "node %d children deleted", k);
			T_EQ_ROW(side, nsas(n.node[k].e, &info), 0);
			T_EQ_ROW(side, ike_engine_next_deadline(n.node[k].e), UINT64_MAX);
		}
		T_OK_ROW(
		    side,
		    strstr(last_msg(&n.node[1 - side], IKE_EV_IKE_DOWN), "deleted by 192.0.2."),
		    "%s", last_msg(&n.node[1 - side], IKE_EV_IKE_DOWN));
		T_EQ_ROW(side, ike_engine_terminate(n.node[side].e, n.now, 4242), ERR_NOTFOUND);
		xnet_cleanup(&n);
	}
}

/* A Delete nobody answers: retransmitted, then the SA goes anyway. */
static void test_delete_unanswered(void)
{
	/* keyingtries 3: retrying applies to setting an SA up, never to the Delete the user asked
	 * for (rampartd re-created the SA after `rampart down` against a silent peer) */
	struct opts o = {.keyingtries = 3};
	struct ike_sa_info info;
	struct rec r = {0};
	struct xnet n;
	uint32_t id = 0;

	if (setup(&n, &o, NULL, &id))
		return;
	r.drop_from = n.seq + 1;
	n.filter = rec_filter;
	n.filter_ctx = &r;
	T_EQ(ike_engine_terminate(n.node[0].e, n.now, id), 0);
	xnet_advance(&n, 400000);
	T_EQ(r.ninfo, 6);
	T_EQ(xnet_events(&n.node[0], IKE_EV_CHILD_DOWN), 1);
	T_OK(strstr(last_msg(&n.node[0], IKE_EV_IKE_FAILED), "(INFORMATIONAL)") != NULL, "%s",
	     last_msg(&n.node[0], IKE_EV_IKE_FAILED));
	T_OK(all_deleted(&n.node[0]), "children deleted");
	T_OK(strstr(last_msg(&n.node[0], IKE_EV_IKE_FAILED), "trying again") == NULL, "%s",
	     last_msg(&n.node[0], IKE_EV_IKE_FAILED));
	T_EQ(nsas(n.node[0].e, &info), 0);
	T_EQ(xnet_events(&n.node[0], IKE_EV_IKE_UP), 1);
	T_EQ(nsas(n.node[1].e, &info), 1); /* never told */
	xnet_cleanup(&n);
}

/* Child SA deletes from either side; then both at once (crossing, §1.4.1). The IKE SA stays
 * and keeps working (a liveness exchange after). */
static void test_delete_child(void)
{
	for (int side = 0; side < 3; side++) {
		struct ike_sa_info info[2];
		struct ike_stats st;
		struct rec r = {0};
		struct xnet n;
		uint32_t id = 0;

		if (setup(&n, NULL, NULL, &id))
			continue;
		n.filter = rec_filter;
		n.filter_ctx = &r;
		for (int k = 0; k < 2; k++) {
			T_EQ_ROW(side, nsas(n.node[k].e, &info[k]), 1);
			T_EQ_ROW(side, info[k].nchildren, 1);
		}
		T_EQ_ROW(side, info[0].children[0].spi_in, info[1].children[0].spi_out);
		if (side != 1)
			T_EQ_ROW(side,
				 ike_engine_terminate_child(n.node[0].e, n.now,
							    info[0].children[0].child_id),
				 0);
		if (side != 0)
			T_EQ_ROW(side,
				 ike_engine_terminate_child(n.node[1].e, n.now,
							    info[1].children[0].child_id),
				 0);
		xnet_flush(&n, 100);
		T_EQ_ROW(side, r.ninfo, side == 2 ? 2 : 1);
		T_EQ_ROW(side, r.nresp, side == 2 ? 2 : 1);
		for (int k = 0; k < 2; k++) {
			struct ike_sa_info after;
			T_EQ_ROW(side, xnet_events(&n.node[k], IKE_EV_CHILD_DOWN), 1);
			T_EQ_ROW(side, xnet_events(&n.node[k], IKE_EV_IKE_DOWN), 0);
			T_OK_ROW(side, all_deleted(&n.node[k]), "node %d child gone", k);
			T_EQ_ROW(side, n.node[k].deletes, 1);
			T_EQ_ROW(side, nsas(n.node[k].e, &after), 1);
			T_EQ_ROW(side, after.nchildren, 0);
			T_OK_ROW(side, strcmp(after.state, "ESTABLISHED") == 0, "%s", after.state);
			ike_engine_stats(n.node[k].e, &st);
			T_EQ_ROW(side, st.drop_msgid + st.drop_state + st.drop_malformed, 0);
		}
		T_EQ_ROW(
		    side,
		    ike_engine_terminate_child(n.node[0].e, n.now, info[0].children[0].child_id),
		    ERR_NOTFOUND);
		/* the IKE SA still works: delete it */
		T_EQ_ROW(side, ike_engine_terminate(n.node[0].e, n.now, id), 0);
		xnet_flush(&n, 100);
		T_EQ_ROW(side, xnet_events(&n.node[1], IKE_EV_IKE_DOWN), 1);
		xnet_cleanup(&n);
	}
}

/* The answer to a liveness check is lost: the retransmitted request is answered from the
 * responder's cache (the same octets, not a new encryption) and not processed again. */
static void test_retransmit_cached(void)
{
	struct opts o = {.dpd_delay = 20};
	struct ike_sa_info info;
	struct ike_stats st0, st1;
	struct rec r = {0};
	struct xnet n;
	uint32_t id = 0;

	if (setup(&n, &o, NULL, &id))
		return;
	r.drop_seq = n.seq + 2; /* the first answer */
	n.filter = rec_filter;
	n.filter_ctx = &r;
	xnet_advance(&n, 20000);
	T_EQ(r.ninfo, 1);
	T_EQ(r.nresp, 1);
	xnet_advance(&n, 4000); /* first retransmission after 4 s */
	T_EQ(r.ninfo, 2);
	T_EQ(r.nresp, 2);
	T_EQ(r.resp_len[0], r.resp_len[1]);
	T_MEM(r.resp[0], r.resp_len[0], r.resp[1], r.resp_len[1]);
	ike_engine_stats(n.node[0].e, &st0);
	ike_engine_stats(n.node[1].e, &st1);
	T_EQ(st0.retransmits, 1);
	T_EQ(st1.drop_msgid, 0);
	T_EQ(xnet_events(&n.node[0], IKE_EV_IKE_DOWN), 0);
	T_EQ(nsas(n.node[0].e, &info), 1);
	T_OK(strcmp(info.state, "ESTABLISHED") == 0, "state %s", info.state);
	/* the next check uses the next message ID and is answered normally */
	xnet_advance(&n, 21000);
	T_EQ(r.ninfo, 3);
	T_EQ(r.nresp, 3);
	ike_engine_stats(n.node[1].e, &st1);
	T_EQ(st1.drop_msgid + st1.drop_state, 0);
	xnet_cleanup(&n);
}

int main(void)
{
	log_set_level_all(LOG_LVL_ERROR);
	test_liveness();
	test_dpd_dead();
	test_dpd_restart();
	test_dpd_retransmit_settings();
	test_delete_ike();
	test_delete_unanswered();
	test_delete_child();
	test_retransmit_cached();
	return t_finish();
}
