/* start_action, close_action, dpd_action and updown between two engines over the fake network
 * (strongSwan's semantics):
 *   - updown: one "up" per Child SA established and one "down" when it goes (deleted by either
 *     side, with its IKE SA), none for rekeying;
 *   - start_action trap: the trap is installed with the configuration (dynamic selectors
 *     resolved), an acquire initiates the child with the trap's reqid, acquires meanwhile are
 *     ignored, the trap stays when the SA goes and a later acquire brings it back; reloads keep
 *     unchanged traps and remove those of removed connections;
 *   - start_action start: initiated by ike_engine_start_actions after the first configuration,
 *     not again after an identical reload, closed and initiated again when the connection
 *     changed; trap|start does both;
 *   - close_action trap/start when the peer deletes the Child SA or the IKE SA, nothing when we
 *     delete it ourselves; dpd_action trap installs the trap when the peer is dead.
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

#define A0 "192.0.2.1"
#define A1 "192.0.2.2"

struct opts {
	enum conn_action start, close, dpd;
	uint32_t dpd_delay;
	const char *esp; /* ESP proposal (default aes128gcm16) */
	const char *lts, *rts;
	const char *updown;
	uint32_t tfc;
};

static struct conn *make_conn(struct xnet *n, int i, const struct opts *o)
{
	struct conn *c = xnet_psk_conn(n, i, "gw", "aes128gcm16-prfsha256-x25519");
	struct conn_child *ch = xnet_psk_child(c, "net", o && o->esp ? o->esp : "aes128gcm16");

	c->dpd_delay = o ? o->dpd_delay : 0;
	if (o && o->lts)
		ts_parse_list(o->lts, &ch->local_ts, NULL, 0);
	if (o && o->rts)
		ts_parse_list(o->rts, &ch->remote_ts, NULL, 0);
	if (o) {
		ch->start_action = o->start;
		ch->close_action = o->close;
		ch->dpd_action = o->dpd;
		if (o->updown)
			snprintf(ch->updown, sizeof(ch->updown), "%s", o->updown);
		ch->tfc_padding = o->tfc;
	}
	return c;
}

static void configure(struct xnet *n, int i, const struct opts *o)
{
	static const char psk[] = "a shared secret of some length";
	struct conn_secrets *sec = conn_secrets_new();
	struct conn *c = make_conn(n, i, o);

	conn_secrets_add_psk(sec, psk, strlen(psk), NULL, 0);
	T_EQ(ike_engine_set_config(n->node[i].e, &c, 1, sec), 0);
	conn_free(c);
}

static int init(struct xnet *n, const struct opts *o0, const struct opts *o1)
{
	if (xnet_init(n, A0, A1) != 0)
		return -1;
	n->quiet = true;
	configure(n, 0, o0);
	configure(n, 1, o1);
	return 0;
}

static size_t count_sas(struct ike_engine *e)
{
	struct ike_sa_info info;
	size_t cnt = 0, total = 0;

	ike_engine_list(e, &info, 1, &cnt, &total);
	return total;
}

/* The installed Child SAs (not deleted) of a node, and the first one's reqid. */
static size_t live_children(const struct xnet_node *nd, uint32_t *reqid)
{
	size_t k = 0;

	for (size_t i = 0; i < nd->nchild; i++)
		if (!nd->child[i].deleted) {
			if (reqid && k == 0)
				*reqid = nd->child[i].sa.reqid;
			k++;
		}
	return k / 2; /* two directions each */
}

static size_t updowns(const struct xnet_node *nd, bool up)
{
	size_t k = 0;

	for (size_t i = 0; i < nd->nupdown; i++)
		k += nd->updown[i].up == up;
	return k;
}

static size_t live_traps(const struct xnet_node *nd)
{
	size_t k = 0;

	for (size_t i = 0; i < nd->ntrap; i++)
		k += !nd->trap[i].removed;
	return k;
}

static const struct ike_child_info *first_child(struct ike_engine *e, struct ike_sa_info *info)
{
	size_t cnt = 0, total = 0;

	ike_engine_list(e, info, 1, &cnt, &total);
	return cnt && info->nchildren ? &info->children[0] : NULL;
}

/* ---- updown ------------------------------------------------------------------------------ */

static void test_updown(void)
{
	struct opts o = {.updown = "/usr/local/bin/notify --all"};
	struct ike_sa_info info;
	const struct ike_child_info *ci;
	struct xnet n;
	uint32_t id = 0;

	if (init(&n, &o, &o))
		return;
	T_EQ(ike_engine_initiate(n.node[0].e, n.now, "gw", NULL, &id), 0);
	xnet_run(&n, 1000);
	for (int i = 0; i < 2; i++) {
		T_EQ(n.node[i].nupdown, 1);
		T_OK(n.node[i].updown[0].up, "node %d: up", i);
		T_OK(strcmp(n.node[i].updown[0].updown, o.updown) == 0, "script %s",
		     n.node[i].updown[0].updown);
		T_OK(strcmp(n.node[i].updown[0].child, "net") == 0, "child name");
	}
	T_EQ(n.node[0].updown[0].ike_id, id);
	/* a rekey replaces the SA silently */
	ci = first_child(n.node[0].e, &info);
	T_OK(ci != NULL, "child listed");
	if (ci)
		T_EQ(ike_engine_rekey_child(n.node[0].e, n.now, ci->child_id), 0);
	xnet_run(&n, 1000);
	T_EQ(xnet_events(&n.node[0], IKE_EV_CHILD_UP), 2);
	T_EQ(n.node[0].nupdown, 1);
	T_EQ(n.node[1].nupdown, 1);
	/* the rekeyed SA is deleted by the peer: down on both sides, with the first reqid */
	ci = first_child(n.node[1].e, &info);
	T_OK(ci != NULL, "child listed");
	if (ci)
		T_EQ(ike_engine_terminate_child(n.node[1].e, n.now, ci->child_id), 0);
	xnet_run(&n, 1000);
	for (int i = 0; i < 2; i++) {
		T_EQ(n.node[i].nupdown, 2);
		T_OK(!n.node[i].updown[1].up, "node %d: down", i);
		T_EQ(n.node[i].updown[1].reqid, n.node[i].updown[0].reqid);
	}
	xnet_cleanup(&n);

	/* the IKE SA goes with its child: one down each */
	if (init(&n, &o, &o))
		return;
	T_EQ(ike_engine_initiate(n.node[0].e, n.now, "gw", NULL, &id), 0);
	xnet_run(&n, 1000);
	T_EQ(ike_engine_terminate(n.node[0].e, n.now, id), 0);
	xnet_run(&n, 1000);
	for (int i = 0; i < 2; i++) {
		T_EQ(updowns(&n.node[i], true), 1);
		T_EQ(updowns(&n.node[i], false), 1);
	}
	xnet_cleanup(&n);
}

#define IKE_ACQUIRE_HOLD_MS_TEST 30001 /* ike/trap.h IKE_ACQUIRE_HOLD_MS + 1 */

static enum xnet_action drop_all(void *ctx, const struct xnet_dgram *d)
{
	(void)ctx;
	(void)d;
	return XNET_DROP;
}

/* ---- start_action trap ------------------------------------------------------------------- */

static void test_trap(void)
{
	struct opts t = {.start = CONN_ACTION_TRAP, .lts = "10.1.0.0/16", .rts = "10.2.0.0/16"};
	struct opts r = {.lts = "10.2.0.0/16", .rts = "10.1.0.0/16"};
	struct ike_sa_info info;
	const struct ike_child_info *ci;
	char buf[TS_STRLEN];
	struct xnet n;
	uint32_t reqid, got = 0;

	if (init(&n, &t, &r))
		return;
	T_EQ(n.node[0].ntrap, 1);
	T_EQ(n.node[1].ntrap, 0);
	reqid = n.node[0].trap[0].t.reqid;
	T_OK(reqid != 0, "trap reqid");
	T_OK(strcmp(n.node[0].trap[0].conn, "gw") == 0 &&
		 strcmp(n.node[0].trap[0].child, "net") == 0,
	     "trap names");
	T_OK(strcmp(ts_format(&n.node[0].trap[0].t.remote_ts.ts[0], buf, sizeof(buf)),
		    "10.2.0.0/16") == 0,
	     "remote_ts %s", buf);
	T_OK(addr_equal(&n.node[0].trap[0].t.remote, &n.node[1].addr), "tunnel endpoint");
	/* loading traps initiates nothing */
	ike_engine_start_actions(n.node[0].e, n.now);
	T_EQ(n.nq, 0);
	T_EQ(count_sas(n.node[0].e), 0);
	T_EQ(ike_engine_acquire(n.node[0].e, n.now, reqid + 100), ERR_NOTFOUND);
	/* the acquire initiates; further acquires while it is set up are ignored */
	T_EQ(ike_engine_acquire(n.node[0].e, n.now, reqid), 0);
	T_EQ(count_sas(n.node[0].e), 1);
	T_EQ(ike_engine_acquire(n.node[0].e, n.now, reqid), 0);
	T_EQ(count_sas(n.node[0].e), 1);
	xnet_run(&n, 1000);
	T_EQ(live_children(&n.node[0], &got), 1);
	T_EQ(got, reqid);
	ci = first_child(n.node[0].e, &info);
	T_OK(ci && ci->reqid == reqid, "list-sas reqid");
	/* an acquire with the SA up initiates nothing new */
	T_EQ(ike_engine_acquire(n.node[0].e, n.now, reqid), 0);
	xnet_run(&n, 1000);
	T_EQ(xnet_events(&n.node[0], IKE_EV_CHILD_UP), 1);
	/* the peer deletes the child: the trap stays, the next acquire brings it back at once */
	ci = first_child(n.node[1].e, &info);
	if (ci)
		T_EQ(ike_engine_terminate_child(n.node[1].e, n.now, ci->child_id), 0);
	xnet_run(&n, 1000);
	T_EQ(live_children(&n.node[0], NULL), 0);
	T_EQ(live_traps(&n.node[0]), 1);
	T_EQ(ike_engine_acquire(n.node[0].e, n.now, reqid), 0);
	xnet_run(&n, 1000);
	T_EQ(live_children(&n.node[0], &got), 1);
	T_EQ(got, reqid);
	T_EQ(xnet_events(&n.node[0], IKE_EV_CHILD_UP), 2);

	/* an identical reload keeps the trap; removing the connection removes it */
	configure(&n, 0, &t);
	T_EQ(n.node[0].ntrap, 1);
	T_EQ(live_traps(&n.node[0]), 1);
	{
		struct conn_secrets *sec = conn_secrets_new();
		T_EQ(ike_engine_set_config(n.node[0].e, NULL, 0, sec), 0);
	}
	T_EQ(live_traps(&n.node[0]), 0);
	T_EQ(ike_engine_acquire(n.node[0].e, n.now, reqid), ERR_NOTFOUND);
	xnet_cleanup(&n);

	/* an acquire whose SA fails at once (no proposal) holds further ones back for
	 * IKE_ACQUIRE_HOLD_MS, as Linux's larval acquire state does */
	{
		struct opts bad = r;
		bad.esp = "aes256-sha256";
		if (init(&n, &t, &bad))
			return;
	}
	reqid = n.node[0].trap[0].t.reqid;
	T_EQ(ike_engine_acquire(n.node[0].e, n.now, reqid), 0);
	xnet_run(&n, 1000);
	T_EQ(xnet_events(&n.node[0], IKE_EV_CHILD_FAILED), 1);
	T_EQ(ike_engine_acquire(n.node[0].e, n.now, reqid), 0);
	xnet_run(&n, 1000);
	T_EQ(xnet_events(&n.node[0], IKE_EV_CHILD_FAILED), 1);
	n.now += IKE_ACQUIRE_HOLD_MS_TEST;
	T_EQ(ike_engine_acquire(n.node[0].e, n.now, reqid), 0);
	xnet_run(&n, 1000);
	T_EQ(xnet_events(&n.node[0], IKE_EV_CHILD_FAILED), 2);
	xnet_cleanup(&n);

	/* an unanswered acquire: ignored while its IKE SA retransmits, free again once it gave
	 * up */
	if (init(&n, &t, &r))
		return;
	reqid = n.node[0].trap[0].t.reqid;
	n.filter = drop_all;
	T_EQ(ike_engine_acquire(n.node[0].e, n.now, reqid), 0);
	xnet_run(&n, 60000);
	T_EQ(count_sas(n.node[0].e), 1);
	T_EQ(ike_engine_acquire(n.node[0].e, n.now, reqid), 0);
	T_EQ(count_sas(n.node[0].e), 1);
	xnet_run(&n, 300000);
	T_EQ(count_sas(n.node[0].e), 0);
	n.filter = NULL;
	T_EQ(ike_engine_acquire(n.node[0].e, n.now, reqid), 0);
	xnet_run(&n, 1000);
	T_EQ(live_children(&n.node[0], NULL), 1);
	xnet_cleanup(&n);
}

/* ---- start_action start ------------------------------------------------------------------ */

static void test_start(void)
{
	struct opts s = {.start = CONN_ACTION_START};
	struct opts s2 = {.start = CONN_ACTION_START, .esp = "aes256gcm16"};
	struct opts ts = {.start = CONN_ACTION_TRAP | CONN_ACTION_START};
	struct opts r = {.esp = "aes128gcm16,aes256gcm16"};
	struct xnet n;

	if (init(&n, &s, &r))
		return;
	T_EQ(count_sas(n.node[0].e), 0);
	ike_engine_start_actions(n.node[0].e, n.now);
	xnet_run(&n, 1000);
	T_EQ(live_children(&n.node[0], NULL), 1);
	/* the same configuration again: nothing happens */
	configure(&n, 0, &s);
	ike_engine_start_actions(n.node[0].e, n.now);
	xnet_run(&n, 1000);
	T_EQ(count_sas(n.node[0].e), 1);
	T_EQ(xnet_events(&n.node[0], IKE_EV_CHILD_UP), 1);
	/* changed: the old IKE SA is closed, a new one started with the new proposal */
	configure(&n, 0, &s2);
	ike_engine_start_actions(n.node[0].e, n.now);
	xnet_run(&n, 1000);
	T_EQ(count_sas(n.node[0].e), 1);
	T_EQ(count_sas(n.node[1].e), 1);
	T_EQ(xnet_events(&n.node[0], IKE_EV_CHILD_UP), 2);
	T_EQ(xnet_events(&n.node[0], IKE_EV_IKE_DOWN), 1);
	T_EQ(live_children(&n.node[0], NULL), 1);
	{
		struct ike_sa_info info;
		const struct ike_child_info *ci = first_child(n.node[0].e, &info);
		T_OK(ci && ci->encr_keysize == 256, "new proposal in use");
	}
	xnet_cleanup(&n);

	/* trap|start: trap installed and the connection started */
	if (init(&n, &ts, &r))
		return;
	ike_engine_start_actions(n.node[0].e, n.now);
	xnet_run(&n, 1000);
	T_EQ(live_traps(&n.node[0]), 1);
	T_EQ(live_children(&n.node[0], NULL), 1);
	T_EQ(n.node[0].child[0].sa.reqid, n.node[0].trap[0].t.reqid);
	xnet_cleanup(&n);
}

/* ---- close_action / dpd_action ----------------------------------------------------------- */

/* The responder (node 1) deletes the child or the IKE SA; node 0 has close_action act. */
static void close_case(enum conn_action act, bool ike, bool ours, size_t want_traps,
		       size_t want_children, int line)
{
	struct opts o = {.close = act};
	struct ike_sa_info info;
	const struct ike_child_info *ci;
	struct xnet n;
	uint32_t id = 0, reqid = 0;

	if (init(&n, &o, NULL))
		return;
	T_EQ_ROW(line, ike_engine_initiate(n.node[0].e, n.now, "gw", NULL, &id), 0);
	xnet_run(&n, 1000);
	live_children(&n.node[0], &reqid);
	if (ours) {
		T_EQ_ROW(line, ike_engine_terminate(n.node[0].e, n.now, id), 0);
	} else if (ike) {
		size_t cnt = 0, total = 0;
		ike_engine_list(n.node[1].e, &info, 1, &cnt, &total);
		T_EQ_ROW(line, ike_engine_terminate(n.node[1].e, n.now, info.id), 0);
	} else {
		ci = first_child(n.node[1].e, &info);
		T_OK_ROW(line, ci != NULL, "child");
		if (ci)
			T_EQ_ROW(line, ike_engine_terminate_child(n.node[1].e, n.now, ci->child_id),
				 0);
	}
	xnet_run(&n, 2000);
	T_EQ_ROW(line, live_traps(&n.node[0]), want_traps);
	if (want_traps)
		T_EQ_ROW(line, n.node[0].trap[0].t.reqid, reqid);
	T_EQ_ROW(line, live_children(&n.node[0], NULL), want_children);
	T_EQ_ROW(line, live_children(&n.node[1], NULL), want_children);
	xnet_cleanup(&n);
}

static void test_close_action(void)
{
	close_case(CONN_ACTION_NONE, false, false, 0, 0, __LINE__);
	close_case(CONN_ACTION_NONE, true, false, 0, 0, __LINE__);
	close_case(CONN_ACTION_TRAP, false, false, 1, 0, __LINE__);
	close_case(CONN_ACTION_TRAP, true, false, 1, 0, __LINE__);
	close_case(CONN_ACTION_START, false, false, 0, 1, __LINE__);
	close_case(CONN_ACTION_START, true, false, 0, 1, __LINE__);
	/* our own delete is no close by the peer */
	close_case(CONN_ACTION_START, true, true, 0, 0, __LINE__);
	close_case(CONN_ACTION_TRAP, true, true, 0, 0, __LINE__);
}

/* dpd_action trap: the dead peer's child leaves a trap with its reqid behind. */
static void test_dpd_trap(void)
{
	struct opts o = {.dpd = CONN_ACTION_TRAP, .dpd_delay = 10};
	struct xnet n;
	uint32_t id = 0, reqid = 0;

	if (init(&n, &o, NULL))
		return;
	T_EQ(ike_engine_initiate(n.node[0].e, n.now, "gw", NULL, &id), 0);
	xnet_run(&n, 1000);
	live_children(&n.node[0], &reqid);
	T_EQ(live_traps(&n.node[0]), 0);
	xnet_reset_node(&n, 1); /* the peer loses everything and stays silent */
	xnet_run(&n, 400000);
	T_EQ(count_sas(n.node[0].e), 0);
	T_EQ(live_traps(&n.node[0]), 1);
	T_EQ(n.node[0].trap[0].t.reqid, reqid);
	T_EQ(updowns(&n.node[0], false), 1);
	xnet_cleanup(&n);
}

/* The outbound SA of node nd (the first installed one), or NULL. */
static const struct ike_child_sa *out_sa(const struct xnet_node *nd)
{
	for (size_t i = 0; i < nd->nchild; i++)
		if (!nd->child[i].sa.inbound && !nd->child[i].deleted)
			return &nd->child[i].sa;
	return NULL;
}

/* tfc_padding reaches the outbound SA (tunnel mode), never the inbound one; a peer's
 * ESP_TFC_PADDING_NOT_SUPPORTED (either role) turns it off, also for the rekeyed SA. */
static void test_tfc(void)
{
	struct opts o = {.tfc = 1000};
	struct opts m = {.tfc = CONN_TFC_MTU};
	struct ike_test_hooks h = {.no_tfc = true};
	struct ike_sa_info info;
	const struct ike_child_info *ci;
	const struct ike_child_sa *s;
	struct xnet n;
	uint32_t id = 0;

	if (init(&n, &o, &m))
		return;
	T_EQ(ike_engine_initiate(n.node[0].e, n.now, "gw", NULL, &id), 0);
	xnet_run(&n, 1000);
	s = out_sa(&n.node[0]);
	T_OK(s && s->tfc_pad == 1000, "initiator pads to 1000");
	s = out_sa(&n.node[1]);
	T_OK(s && s->tfc_pad == CONN_TFC_MTU, "responder pads to the MTU");
	for (size_t i = 0; i < n.node[0].nchild; i++)
		if (n.node[0].child[i].sa.inbound)
			T_EQ(n.node[0].child[i].sa.tfc_pad, 0);
	xnet_cleanup(&n);

	/* the responder says it takes no TFC padding: the initiator pads nothing */
	if (init(&n, &o, &m))
		return;
	ike_engine_set_test_hooks(n.node[1].e, &h, NULL);
	T_EQ(ike_engine_initiate(n.node[0].e, n.now, "gw", NULL, &id), 0);
	xnet_run(&n, 1000);
	s = out_sa(&n.node[0]);
	T_OK(s && s->tfc_pad == 0, "no padding towards a peer without TFC");
	s = out_sa(&n.node[1]);
	T_OK(s && s->tfc_pad == CONN_TFC_MTU, "the other direction still pads");
	/* and after a rekey */
	ci = first_child(n.node[0].e, &info);
	if (ci)
		T_EQ(ike_engine_rekey_child(n.node[0].e, n.now, ci->child_id), 0);
	xnet_run(&n, 1000);
	T_EQ(xnet_events(&n.node[0], IKE_EV_CHILD_UP), 2);
	for (size_t i = 0; i < n.node[0].nchild; i++)
		if (!n.node[0].child[i].sa.inbound)
			T_EQ(n.node[0].child[i].sa.tfc_pad, 0);
	xnet_cleanup(&n);

	/* the initiator says it: the responder pads nothing */
	if (init(&n, &o, &m))
		return;
	ike_engine_set_test_hooks(n.node[0].e, &h, NULL);
	T_EQ(ike_engine_initiate(n.node[0].e, n.now, "gw", NULL, &id), 0);
	xnet_run(&n, 1000);
	s = out_sa(&n.node[1]);
	T_OK(s && s->tfc_pad == 0, "responder: no padding towards a peer without TFC");
	s = out_sa(&n.node[0]);
	T_OK(s && s->tfc_pad == 1000, "initiator still pads");
	xnet_cleanup(&n);
}

int main(void)
{
	log_set_level_all(LOG_LVL_ERROR);
	test_updown();
	test_trap();
	test_start();
	test_close_action();
	test_dpd_trap();
	test_tfc();
	return t_finish();
}
