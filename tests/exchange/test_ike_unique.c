/* The uniqueness policy (swanctl.conf `unique`, strongSwan's check_uniqueness) between two
 * engines over the fake network: a second IKE SA between the same identities is refused with
 * keep (the first stays), replaces the first with replace (Delete sent for the old one), is
 * let be with no and never; INITIAL_CONTACT from a rebooted peer removes the old SAs silently
 * unless unique = never, even with keep.
 *
 * The initiator (node 0) has two identical connections "gw" and "gw2" so it can set up a
 * second IKE SA to the same responder connection "gw" on node 1.
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

static struct conn *make_conn(struct xnet *n, int i, const char *name, enum conn_unique u)
{
	struct conn *c = xnet_psk_conn(n, i, name, "aes128gcm16-prfsha256-x25519");

	conn_id_parse(i == 0 ? "@client.example" : "@gw.example", &c->local_auth[0].id, NULL, 0);
	if (i == 0) /* a configured remote identity: INITIAL_CONTACT when there is no contact */
		conn_id_parse("@gw.example", &c->remote_auth[0].id, NULL, 0);
	c->unique = u;
	xnet_psk_child(c, "net", "aes128gcm16");
	return c;
}

/* Node i: "gw" (and "gw2" on node 0) with unique policy u. */
static void configure(struct xnet *n, int i, enum conn_unique u)
{
	static const char psk[] = "a shared secret of some length";
	struct conn_secrets *sec = conn_secrets_new();
	struct conn *c[2];
	size_t nc = i == 0 ? 2 : 1;

	c[0] = make_conn(n, i, "gw", u);
	c[1] = i == 0 ? make_conn(n, i, "gw2", u) : NULL;
	conn_secrets_add_psk(sec, psk, strlen(psk), NULL, 0);
	T_EQ(ike_engine_set_config(n->node[i].e, c, nc, sec), 0);
	conn_free(c[0]);
	conn_free(c[1]);
}

static size_t count_sas(struct ike_engine *e, struct ike_sa_info *info, size_t cap)
{
	size_t cnt = 0, total = 0;

	ike_engine_list(e, info, cap, &cnt, &total);
	return total;
}

static bool has_sa(struct ike_engine *e, uint32_t id)
{
	struct ike_sa_info info[4];
	size_t cnt = 0, total = 0;

	ike_engine_list(e, info, 4, &cnt, &total);
	for (size_t i = 0; i < cnt; i++)
		if (info[i].id == id && strcmp(info[i].state, "ESTABLISHED") == 0)
			return true;
	return false;
}

static const char *last_msg(const struct xnet_node *nd, enum ike_event_kind kind)
{
	for (size_t i = nd->nev; i-- > 0;)
		if (nd->ev[i].kind == kind)
			return nd->ev[i].msg;
	return "";
}

/* Node 0 sets up "gw" then "gw2" to node 1 (policy u there); returns the two initiator ids. */
static int two_sas(struct xnet *n, enum conn_unique u, uint32_t *id1, uint32_t *id2)
{
	if (xnet_init(n, A0, A1) != 0)
		return -1;
	n->quiet = true;
	configure(n, 0, CONN_UNIQUE_NO);
	configure(n, 1, u);
	T_EQ(ike_engine_initiate(n->node[0].e, n->now, "gw", NULL, id1), 0);
	xnet_run(n, 1000);
	T_EQ(xnet_events(&n->node[1], IKE_EV_IKE_UP), 1);
	T_EQ(ike_engine_initiate(n->node[0].e, n->now, "gw2", NULL, id2), 0);
	xnet_run(n, 1000);
	return 0;
}

/* keep: the second IKE SA is refused with AUTHENTICATION_FAILED; the first carries on. */
static void test_keep(void)
{
	struct ike_sa_info info[4];
	struct xnet n;
	uint32_t id1 = 0, id2 = 0;

	if (two_sas(&n, CONN_UNIQUE_KEEP, &id1, &id2))
		return;
	T_EQ(count_sas(n.node[1].e, info, 4), 1);
	T_EQ(xnet_events(&n.node[1], IKE_EV_IKE_UP), 1);
	T_EQ(xnet_events(&n.node[1], IKE_EV_IKE_FAILED), 1);
	T_OK(strstr(last_msg(&n.node[1], IKE_EV_IKE_FAILED), "unique = keep") != NULL, "%s",
	     last_msg(&n.node[1], IKE_EV_IKE_FAILED));
	T_EQ(xnet_events(&n.node[1], IKE_EV_IKE_DOWN), 0);
	T_EQ(n.node[1].deletes, 0);
	/* the initiator learns why */
	T_OK(has_sa(n.node[0].e, id1), "first SA up");
	T_OK(!has_sa(n.node[0].e, id2), "second SA gone");
	T_EQ(count_sas(n.node[0].e, info, 4), 1);
	T_OK(strstr(last_msg(&n.node[0], IKE_EV_IKE_FAILED), "AUTHENTICATION_FAILED") != NULL, "%s",
	     last_msg(&n.node[0], IKE_EV_IKE_FAILED));
	T_EQ(xnet_events(&n.node[0], IKE_EV_CHILD_UP), 1);
	xnet_cleanup(&n);

	/* INITIAL_CONTACT from a rebooted peer wins over keep: the old SA goes, the new stays */
	if (two_sas(&n, CONN_UNIQUE_KEEP, &id1, &id2))
		return;
	T_EQ(xnet_reset_node(&n, 0), 0);
	configure(&n, 0, CONN_UNIQUE_NO);
	T_EQ(ike_engine_initiate(n.node[0].e, n.now, "gw", NULL, &id1), 0);
	xnet_run(&n, 1000);
	T_EQ(count_sas(n.node[1].e, info, 4), 1);
	T_EQ(xnet_events(&n.node[1], IKE_EV_IKE_UP), 2);
	T_OK(strstr(last_msg(&n.node[1], IKE_EV_IKE_DOWN), "INITIAL_CONTACT") != NULL, "%s",
	     last_msg(&n.node[1], IKE_EV_IKE_DOWN));
	T_EQ(n.node[1].deletes, 1);
	xnet_cleanup(&n);
}

/* replace: the second IKE SA stays; the first is deleted with an INFORMATIONAL Delete (the
 * initiator sees it deleted by the peer). */
static void test_replace(void)
{
	struct ike_sa_info info[4];
	struct xnet n;
	uint32_t id1 = 0, id2 = 0;

	if (two_sas(&n, CONN_UNIQUE_REPLACE, &id1, &id2))
		return;
	T_EQ(count_sas(n.node[1].e, info, 4), 1);
	T_EQ(xnet_events(&n.node[1], IKE_EV_IKE_UP), 2);
	T_EQ(n.node[1].deletes, 1);
	T_OK(!has_sa(n.node[0].e, id1), "first SA deleted by the peer");
	T_OK(has_sa(n.node[0].e, id2), "second SA up");
	T_EQ(xnet_events(&n.node[0], IKE_EV_IKE_DOWN), 1);
	T_OK(strstr(last_msg(&n.node[0], IKE_EV_IKE_DOWN), "deleted by") != NULL, "%s",
	     last_msg(&n.node[0], IKE_EV_IKE_DOWN));
	T_EQ(n.node[0].deletes, 1);
	xnet_cleanup(&n);
}

/* no: both stay (no INITIAL_CONTACT in the second); never: both stay even when the rebooted
 * peer says INITIAL_CONTACT. */
static void test_no_never(void)
{
	struct ike_sa_info info[4];
	struct xnet n;
	uint32_t id1 = 0, id2 = 0;

	if (two_sas(&n, CONN_UNIQUE_NO, &id1, &id2))
		return;
	T_EQ(count_sas(n.node[1].e, info, 4), 2);
	T_OK(has_sa(n.node[0].e, id1) && has_sa(n.node[0].e, id2), "both up");
	xnet_cleanup(&n);

	if (two_sas(&n, CONN_UNIQUE_NEVER, &id1, &id2))
		return;
	T_EQ(count_sas(n.node[1].e, info, 4), 2);
	T_EQ(xnet_reset_node(&n, 0), 0);
	configure(&n, 0, CONN_UNIQUE_NO);
	T_EQ(ike_engine_initiate(n.node[0].e, n.now, "gw", NULL, &id1), 0);
	xnet_run(&n, 1000);
	T_EQ(count_sas(n.node[1].e, info, 4), 3);
	T_EQ(xnet_events(&n.node[1], IKE_EV_IKE_DOWN), 0);
	T_EQ(n.node[1].deletes, 0);
	xnet_cleanup(&n);
}

int main(void)
{
	log_set_level_all(LOG_LVL_ERROR);
	test_keep();
	test_replace();
	test_no_never();
	return t_finish();
}
