/* The packet that triggers an acquire, proposed first (RFC 7296 §2.9), between two engines:
 *   - node 0 traps 10.1.0.0/16 === 10.2.0.0/16; node 1 (the responder) has two children for
 *     parts of that, "one" (10.2.1.0/24) and "two" (10.2.2.0/24);
 *   - an acquire for a packet to 10.2.2.9 brings up "two" (narrowed to 10.2.2.0/24 on both
 *     ends, the host selectors gone), one to 10.2.1.9 "one"; an acquire without addresses,
 *     or with addresses outside the trap, gets the first child that fits ("one"), as before;
 *   - the packet's selectors are proposed once: after its Child SA came up and went, a plain
 *     acquire proposes the configured selectors only;
 *   - the same through CREATE_CHILD_SA when the IKE SA is already up for another child.
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

static struct conn_child *child(struct conn *c, const char *name, const char *lts, const char *rts,
				enum conn_action start)
{
	struct conn_child *ch = xnet_psk_child(c, name, "aes128gcm16");

	if (!ch)
		return NULL;
	ts_parse_list(lts, &ch->local_ts, NULL, 0);
	ts_parse_list(rts, &ch->remote_ts, NULL, 0);
	ch->start_action = start;
	return ch;
}

/* Node 0 traps "net"; with other, it also has child "x" (10.3/16 === 10.4/16, no action).
 * Node 1 answers "x", "one" and "two". */
static int init(struct xnet *n, bool other)
{
	struct conn *c0, *c1;
	int rc = -1;

	if (xnet_init(n, A0, A1) != 0)
		return -1;
	n->quiet = true;
	c0 = xnet_psk_conn(n, 0, "gw", "aes128gcm16-prfsha256-x25519");
	c1 = xnet_psk_conn(n, 1, "gw", "aes128gcm16-prfsha256-x25519");
	if (!c0 || !c1)
		goto out;
	if (other && !child(c0, "x", "10.3.0.0/16", "10.4.0.0/16", CONN_ACTION_NONE))
		goto out;
	if (!child(c0, "net", "10.1.0.0/16", "10.2.0.0/16", CONN_ACTION_TRAP) ||
	    !child(c1, "x", "10.4.0.0/16", "10.3.0.0/16", CONN_ACTION_NONE) ||
	    !child(c1, "one", "10.2.1.0/24", "10.1.0.0/16", CONN_ACTION_NONE) ||
	    !child(c1, "two", "10.2.2.0/24", "10.1.0.0/16", CONN_ACTION_NONE))
		goto out;
	if (xnet_configure(n, 0, &c0, 1) == 0 && xnet_configure(n, 1, &c1, 1) == 0)
		rc = 0;
out:
	conn_free(c0);
	conn_free(c1);
	T_OK(rc == 0, "configuration");
	if (rc)
		xnet_cleanup(n);
	return rc;
}

/* The installed child called name in node's list-sas (copied to *out), or false. */
static bool listed(struct ike_engine *e, const char *name, struct ike_child_info *out)
{
	struct ike_sa_info info[2];
	size_t cnt = 0, total = 0;

	ike_engine_list(e, info, 2, &cnt, &total);
	for (size_t i = 0; i < cnt; i++)
		for (size_t j = 0; j < info[i].nchildren; j++)
			if (strcmp(info[i].children[j].name, name) == 0 &&
			    strcmp(info[i].children[j].state, "INSTALLED") == 0) {
				*out = info[i].children[j];
				return true;
			}
	return false;
}

static const char *ts_text(const struct ts_list *l, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = 0;
	for (size_t i = 0; i < l->n && off < len; i++) {
		char t[TS_STRLEN];
		off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? " " : "",
					ts_format(&l->ts[i], t, sizeof(t)));
	}
	return buf;
}

/* After an acquire: the responder's child is want, and both ends list the narrowed selectors
 * (responder: local 10.2.X.0/24, remote 10.1.0.0/16; initiator the reverse). */
static void expect_child(int row, struct xnet *n, const char *want, const char *subnet)
{
	struct ike_child_info r, i;
	char a[512], b[512];

	T_OK_ROW(row, listed(n->node[1].e, want, &r), "responder has child %s", want);
	T_OK_ROW(row, listed(n->node[0].e, "net", &i), "initiator has child net");
	if (!listed(n->node[1].e, want, &r) || !listed(n->node[0].e, "net", &i))
		return;
	T_OK_ROW(row, strcmp(ts_text(&r.local_ts, a, sizeof(a)), subnet) == 0,
		 "responder local-ts %s, want %s", a, subnet);
	T_OK_ROW(row, strcmp(ts_text(&r.remote_ts, a, sizeof(a)), "10.1.0.0/16") == 0,
		 "responder remote-ts %s", a);
	T_OK_ROW(row, strcmp(ts_text(&i.remote_ts, b, sizeof(b)), subnet) == 0,
		 "initiator remote-ts %s, want %s", b, subnet);
	T_OK_ROW(row, strcmp(ts_text(&i.local_ts, b, sizeof(b)), "10.1.0.0/16") == 0,
		 "initiator local-ts %s", b);
}

static uint32_t trap_reqid(const struct xnet_node *nd)
{
	for (size_t i = 0; i < nd->ntrap; i++)
		if (!nd->trap[i].removed && strcmp(nd->trap[i].child, "net") == 0)
			return nd->trap[i].t.reqid;
	return 0;
}

static void acquire(struct xnet *n, const char *src, const char *dst)
{
	struct addr s, d;
	uint32_t reqid = trap_reqid(&n->node[0]);

	T_OK(reqid != 0, "trap installed");
	if (!src) {
		T_EQ(ike_engine_acquire(n->node[0].e, n->now, reqid), 0);
	} else {
		T_EQ(addr_parse(src, &s, NULL, 0), 0);
		T_EQ(addr_parse(dst, &d, NULL, 0), 0);
		T_EQ(ike_engine_acquire_packet(n->node[0].e, n->now, reqid, &s, &d), 0);
	}
	xnet_run(n, 2000);
}

/* The Child SA called name on node idx is deleted by that node. */
static void delete_child(struct xnet *n, int idx, const char *name)
{
	struct ike_child_info c;

	T_OK(listed(n->node[idx].e, name, &c), "child %s to delete", name);
	if (listed(n->node[idx].e, name, &c))
		T_EQ(ike_engine_terminate_child(n->node[idx].e, n->now, c.child_id), 0);
	xnet_run(n, 2000);
}

static const struct {
	int line;
	const char *src, *dst; /* NULL: ike_engine_acquire without the packet */
	const char *child, *subnet;
} rows[] = {
    {__LINE__, "10.1.0.7", "10.2.2.9", "two", "10.2.2.0/24"},
    {__LINE__, "10.1.0.7", "10.2.1.9", "one", "10.2.1.0/24"},
    {__LINE__, "10.1.200.1", "10.2.2.255", "two", "10.2.2.0/24"},
    /* without the packet, or with one the trap cannot have matched: the first child */
    {__LINE__, NULL, NULL, "one", "10.2.1.0/24"},
    {__LINE__, "10.1.0.7", "10.9.2.9", "one", "10.2.1.0/24"},
    {__LINE__, "10.7.0.7", "10.2.2.9", "one", "10.2.1.0/24"},
    {__LINE__, "fec1::1", "10.2.2.9", "one", "10.2.1.0/24"},
};

static void test_ike_auth(void)
{
	for (size_t k = 0; k < sizeof(rows) / sizeof(rows[0]); k++) {
		struct xnet n;
		if (init(&n, false))
			return;
		acquire(&n, rows[k].src, rows[k].dst);
		expect_child(rows[k].line, &n, rows[k].child, rows[k].subnet);
		xnet_cleanup(&n);
	}
}

/* The packet is proposed for its own acquire only: once its Child SA was up, the next one
 * (without a packet) proposes the configured selectors again. */
static void test_once(void)
{
	struct ike_child_info c;
	struct xnet n;

	if (init(&n, false))
		return;
	acquire(&n, "10.1.0.7", "10.2.2.9");
	expect_child(__LINE__, &n, "two", "10.2.2.0/24");
	delete_child(&n, 1, "two");
	T_OK(!listed(n.node[0].e, "net", &c), "initiator child gone");
	acquire(&n, NULL, NULL);
	expect_child(__LINE__, &n, "one", "10.2.1.0/24");
	xnet_cleanup(&n);
}

/* With the IKE SA up for child x, the acquire creates net by CREATE_CHILD_SA. */
static void test_create_child_sa(void)
{
	struct ike_child_info c;
	struct xnet n;
	uint32_t id = 0;

	if (init(&n, true))
		return;
	T_EQ(ike_engine_initiate(n.node[0].e, n.now, "gw", "x", &id), 0);
	xnet_run(&n, 2000);
	T_OK(listed(n.node[1].e, "x", &c), "x up");
	acquire(&n, "10.1.0.7", "10.2.2.9");
	expect_child(__LINE__, &n, "two", "10.2.2.0/24");
	T_OK(listed(n.node[0].e, "x", &c), "x still up");
	T_EQ(xnet_events(&n.node[0], IKE_EV_IKE_UP), 1);
	/* a packet for the other subnet, after net went */
	delete_child(&n, 0, "net");
	acquire(&n, "10.1.0.7", "10.2.1.9");
	expect_child(__LINE__, &n, "one", "10.2.1.0/24");
	T_EQ(xnet_events(&n.node[0], IKE_EV_IKE_UP), 1);
	xnet_cleanup(&n);
}

int main(void)
{
	log_set_level_all(LOG_LVL_ERROR);
	test_ike_auth();
	test_once();
	test_create_child_sa();
	return t_finish();
}
