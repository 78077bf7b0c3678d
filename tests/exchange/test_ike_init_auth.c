/* IKE_SA_INIT + IKE_AUTH between two engines over a fake network and clock: PSK handshakes
 * with several proposals and groups, loss, duplication, retransmission and give-up,
 * INVALID_KE_PAYLOAD, NO_PROPOSAL_CHOSEN, wrong PSK, TS narrowing and TS_UNACCEPTABLE,
 * cookies, crossing IKE_SA_INIT, NAT detection, and garbage aimed at an established SA.
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
#include "wire/iana.h"
#include "wire/ikev2_const.h"

#define A0 "192.0.2.1"
#define A1 "192.0.2.2"

struct side {
	const char *ike, *esp, *lts, *rts, *psk;
	const char *ah; /* AH proposals instead of ESP */
	const char *lid, *rid;
	enum conn_mode mode;
	bool encap;
};

static struct conn *mkconn(const char *name, const char *local, const char *remote,
			   const struct side *s)
{
	struct conn *c = conn_new(name);
	struct conn_child *ch = NULL;
	size_t n = 0;

	c->version = CONN_VERSION_2;
	c->nlocal_addrs = c->nremote_addrs = 1;
	addr_parse(local, &c->local_addrs[0], NULL, 0);
	addr_parse(remote, &c->remote_addrs[0], NULL, 0);
	alg_parse(ALG_PROTO_IKE, s->ike ? s->ike : "aes128gcm16-prfsha256-ecp256", c->proposals,
		  ALG_MAX_PROPOSALS, &n, NULL, 0);
	c->nproposals = n;
	c->local_auth[0].method = CONN_AUTH_PSK;
	c->remote_auth[0].method = CONN_AUTH_PSK;
	if (s->lid)
		conn_id_parse(s->lid, &c->local_auth[0].id, NULL, 0);
	if (s->rid)
		conn_id_parse(s->rid, &c->remote_auth[0].id, NULL, 0);
	c->encap = s->encap;
	conn_child_add(c, "net", &ch);
	alg_parse(ALG_PROTO_ESP, s->esp ? s->esp : "aes128gcm16", ch->esp, ALG_MAX_PROPOSALS, &n,
		  NULL, 0);
	ch->nesp = n;
	if (s->ah) {
		alg_parse(ALG_PROTO_AH, s->ah, ch->ah, ALG_MAX_PROPOSALS, &n, NULL, 0);
		ch->nah = n;
		ch->nesp = 0;
	}
	ch->mode = s->mode;
	if (s->lts)
		ts_parse_list(s->lts, &ch->local_ts, NULL, 0);
	if (s->rts)
		ts_parse_list(s->rts, &ch->remote_ts, NULL, 0);
	return c;
}

static void configure(struct xnet *n, int i, const struct side *s)
{
	struct conn_secrets *sec = conn_secrets_new();
	struct xnet_node *nd = &n->node[i];
	char l[ADDR_STRLEN], r[ADDR_STRLEN];
	struct conn *c;
	const char *psk = s->psk ? s->psk : "a shared secret of some length";

	addr_str(&nd->addr, l, sizeof(l));
	addr_str(&n->node[1 - i].addr, r, sizeof(r));
	if (n->nat && i == 1)
		addr_str(&n->nat_pub, r, sizeof(r));
	c = mkconn("gw", l, r, s);
	conn_secrets_add_psk(sec, psk, strlen(psk), NULL, 0);
	T_EQ(ike_engine_set_config(nd->e, &c, 1, sec), 0);
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

/* Both directions of the first child: initiator out == responder in and back. */
static void check_child_keys(struct xnet *n, int line)
{
	struct xnet_node *a = &n->node[0], *b = &n->node[1];

	T_EQ_ROW(line, a->nchild, 2);
	T_EQ_ROW(line, b->nchild, 2);
	for (size_t i = 0; i < a->nchild; i++) {
		const struct xnet_child *x = &a->child[i];
		const struct xnet_child *y = xnet_child(b, !x->sa.inbound, x->sa.spi);
		T_OK_ROW(line, y != NULL, "peer SA for SPI %08x", x->sa.spi);
		if (!y)
			continue;
		T_EQ_ROW(line, x->sa.enc_id, y->sa.enc_id);
		T_EQ_ROW(line, x->sa.integ_id, y->sa.integ_id);
		T_MEM_ROW(line, x->enc.p, x->enc.len, y->enc.p, y->enc.len);
		T_MEM_ROW(line, x->integ.p, x->integ.len, y->integ.p, y->integ.len);
		T_OK_ROW(line, addr_equal(&x->sa.src, &y->sa.src), "same src");
		T_OK_ROW(line, addr_equal(&x->sa.dst, &y->sa.dst) || n->nat, "same dst");
		T_OK_ROW(line, x->sa.reqid != 0, "reqid");
	}
}

static uint32_t up(struct xnet *n)
{
	uint32_t id = 0;

	T_EQ(ike_engine_initiate(n->node[0].e, n->now, "gw", NULL, &id), 0);
	return id;
}

static void test_handshakes(void)
{
	static const struct {
		int line;
		const char *ike, *esp;
		uint16_t encr, integ, group;
	} rows[] = {
	    {__LINE__, "aes128gcm16-prfsha256-ecp256", "aes128gcm16", IKEV2_ENCR_AES_GCM_16, 0, 19},
	    {__LINE__, "aes256-sha256-modp2048", "aes128-sha256", IKEV2_ENCR_AES_CBC,
	     IKEV2_INTEG_HMAC_SHA2_256_128, 14},
	    {__LINE__, "aes256gcm16-prfsha384-x25519", "aes256gcm16", IKEV2_ENCR_AES_GCM_16, 0, 31},
	    {__LINE__, "aes128-sha1-ecp384", "aes256-sha512", IKEV2_ENCR_AES_CBC,
	     IKEV2_INTEG_HMAC_SHA1_96, 20},
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct side s = {.ike = rows[i].ike, .esp = rows[i].esp};
		struct ike_sa_info info[2];
		size_t cnt = 0, total = 0;
		struct xnet n;
		int line = rows[i].line;

		if (setup(&n, &s, &s))
			continue;
		uint32_t id = up(&n);
		xnet_run(&n, 1000);
		T_OK_ROW(line, xnet_event(&n.node[0], IKE_EV_IKE_UP, 0) >= 0, "initiator up");
		T_OK_ROW(line, xnet_event(&n.node[1], IKE_EV_IKE_UP, 0) >= 0, "responder up");
		T_EQ_ROW(line, xnet_events(&n.node[0], IKE_EV_CHILD_UP), 1);
		T_EQ_ROW(line, xnet_events(&n.node[1], IKE_EV_CHILD_UP), 1);
		T_EQ_ROW(line, n.seq, 4); /* two exchanges, nothing retransmitted */
		check_child_keys(&n, line);
		ike_engine_list(n.node[0].e, info, 2, &cnt, &total);
		T_EQ_ROW(line, cnt, 1);
		T_EQ_ROW(line, info[0].id, id);
		T_OK_ROW(line, strcmp(info[0].state, "ESTABLISHED") == 0, "state %s",
			 info[0].state);
		T_EQ_ROW(line, info[0].encr_alg, rows[i].encr);
		T_EQ_ROW(line, info[0].integ_alg, rows[i].integ);
		T_EQ_ROW(line, info[0].dh_group, rows[i].group);
		T_EQ_ROW(line, info[0].nchildren, 1);
		T_OK_ROW(line, strcmp(info[0].local_id, A0) == 0, "local id %s", info[0].local_id);
		T_OK_ROW(line, strcmp(info[0].remote_id, A1) == 0, "remote id %s",
			 info[0].remote_id);
		T_OK_ROW(line, strcmp(info[0].children[0].state, "INSTALLED") == 0, "child state");
		T_EQ_ROW(line, info[0].children[0].local_ts.n, 1);
		/* nothing due before the child's rekey: rekey_time 3600 s less up to rand_time
		 * 360 s of jitter */
		for (int k = 0; k < 2; k++) {
			uint64_t d = ike_engine_next_deadline(n.node[k].e);
			T_OK_ROW(line, d >= n.now + 3240000 && d <= n.now + 3600000,
				 "node %d deadline %llu", k, (unsigned long long)d);
		}
		xnet_cleanup(&n);
	}
}

/* ---- loss and duplication ------------------------------------------------------------- */

struct fault {
	unsigned seq;
	enum xnet_action act;
	unsigned from_seq; /* when set: drop every datagram from this one on */
	unsigned upto;	   /* when set: drop every datagram up to this one */
};

static enum xnet_action fault_filter(void *ctx, const struct xnet_dgram *d)
{
	const struct fault *f = ctx;

	if ((f->from_seq && d->seq >= f->from_seq) || d->seq <= f->upto)
		return XNET_DROP;
	return d->seq == f->seq ? f->act : XNET_DELIVER;
}

static void test_loss(void)
{
	static const struct {
		int line;
		unsigned seq;
		enum xnet_action act;
		unsigned want_seq; /* datagrams sent in total */
		uint64_t want_ms;  /* at least this long */
	} rows[] = {
	    {__LINE__, 1, XNET_DROP, 5, 4000}, /* IKE_SA_INIT request lost */
	    {__LINE__, 2, XNET_DROP, 6, 4000}, /* IKE_SA_INIT response lost: cached resent */
	    {__LINE__, 3, XNET_DROP, 5, 4000}, /* IKE_AUTH request lost */
	    {__LINE__, 4, XNET_DROP, 6, 4000}, /* IKE_AUTH response lost: cached resent */
	    {__LINE__, 1, XNET_DUP, 5, 0},     /* duplicated IKE_SA_INIT request */
	    {__LINE__, 2, XNET_DUP, 4, 0},     /* duplicated IKE_SA_INIT response: ignored */
	    {__LINE__, 3, XNET_DUP, 5, 0},     /* duplicated IKE_AUTH request */
	    {__LINE__, 4, XNET_DUP, 4, 0},     /* duplicated IKE_AUTH response: ignored */
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct side s = {0};
		struct fault f = {.seq = rows[i].seq, .act = rows[i].act};
		struct xnet n;
		uint64_t t0;
		size_t cnt = 0, total = 0;
		struct ike_sa_info info;
		int line = rows[i].line;

		if (setup(&n, &s, &s))
			continue;
		n.filter = fault_filter;
		n.filter_ctx = &f;
		t0 = n.now;
		up(&n);
		xnet_run(&n, 200000);
		T_EQ_ROW(line, xnet_events(&n.node[0], IKE_EV_IKE_UP), 1);
		T_EQ_ROW(line, xnet_events(&n.node[1], IKE_EV_IKE_UP), 1);
		T_EQ_ROW(line, xnet_events(&n.node[0], IKE_EV_CHILD_UP), 1);
		T_EQ_ROW(line, xnet_events(&n.node[1], IKE_EV_CHILD_UP), 1);
		T_EQ_ROW(line, n.seq, rows[i].want_seq);
		T_OK_ROW(line, n.now - t0 >= rows[i].want_ms, "took %llu ms",
			 (unsigned long long)(n.now - t0));
		ike_engine_list(n.node[1].e, &info, 1, &cnt, &total);
		T_EQ_ROW(line, total, 1); /* the responder made one SA only */
		check_child_keys(&n, line);
		xnet_cleanup(&n);
	}
}

static void test_give_up(void)
{
	static const struct {
		int line;
		unsigned from_seq;
		const char *want;
	} rows[] = {
	    {__LINE__, 1, "no answer from 192.0.2.2 after 5 retransmits (IKE_SA_INIT)"},
	    {__LINE__, 3, "no answer from 192.0.2.2 after 5 retransmits (IKE_AUTH)"},
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct side s = {0};
		struct fault f = {.from_seq = rows[i].from_seq};
		struct xnet n;
		uint64_t t0;
		int ev;
		size_t cnt = 0, total = 0;
		struct ike_sa_info info;
		int line = rows[i].line;

		if (setup(&n, &s, &s))
			continue;
		n.filter = fault_filter;
		n.filter_ctx = &f;
		xnet_run(&n, 0);
		t0 = n.now;
		up(&n);
		if (rows[i].from_seq > 1)
			xnet_flush(&n, 2);
		t0 = n.now;
		xnet_run(&n, 400000);
		ev = xnet_event(&n.node[0], IKE_EV_IKE_FAILED, 0);
		T_OK_ROW(line, ev >= 0, "give-up event");
		if (ev >= 0)
			T_OK_ROW(line, strcmp(n.node[0].ev[ev].msg, rows[i].want) == 0, "'%s'",
				 n.node[0].ev[ev].msg);
		/* 4 + 7.2 + 12.96 + 23.328 + 41.99 + 75.58 s (strongSwan's 165 s) */
		T_OK_ROW(line, n.now - t0 >= 165000 && n.now - t0 <= 166000,
			 "gave up after %llu ms", (unsigned long long)(n.now - t0));
		T_EQ_ROW(line, n.seq, rows[i].from_seq + 5);
		ike_engine_list(n.node[0].e, &info, 1, &cnt, &total);
		T_EQ_ROW(line, total, 0);
		xnet_cleanup(&n);
	}
}

/* An authentic request carrying an unknown critical payload inside SK is answered with an
 * encrypted UNSUPPORTED_CRITICAL_PAYLOAD (§2.5), and the SA stays up. Built with the
 * initiator's own SA keys through the engine internals. */
static void test_critical_inside_sk(void)
{
	struct side s = {0};
	struct ike_sa_info info;
	size_t cnt = 0, total = 0;
	struct ikev2_builder b;
	struct ikev2_hdr h;
	struct ike_sa *sa;
	struct ike_path p;
	struct xnet n;
	size_t len = 0;
	uint32_t id;

	if (setup(&n, &s, &s))
		return;
	id = up(&n);
	xnet_run(&n, 1000);
	sa = eng_sa_by_id(n.node[0].e, id);
	T_OK(sa != NULL, "initiator SA");
	if (!sa) {
		xnet_cleanup(&n);
		return;
	}
	ike_sa_hdr(sa, IKEV2_EXCH_INFORMATIONAL, false, sa->next_req_id, &h);
	ikev2_build_init(&b, n.node[0].e->tx, sizeof(n.node[0].e->tx));
	ikev2_build_hdr(&b, &h);
	sk_begin(sa, &b);
	ikev2_build_raw(&b, 222, true, "zz", 2);
	T_EQ(sk_end_seal(n.node[0].e, sa, &b, n.node[0].e->tx, &len), 0);
	p.local = n.node[1].addr;
	p.remote = n.node[0].addr;
	p.local_port = p.remote_port = 500;
	ike_engine_input(n.node[1].e, n.now, &p, n.node[0].e->tx, len);
	T_EQ(n.nq, 1);
	if (n.nq == 1) {
		/* decrypt the answer with the initiator's keys */
		struct ikev2_digest outer, inner;
		uint8_t plain[512];
		T_EQ(ikev2_decode(n.q[0].data, n.q[0].len, &outer, NULL), 0);
		T_EQ(sk_open(n.node[0].e, sa, n.q[0].data, n.q[0].len, &outer, plain, sizeof(plain),
			     &inner, NULL),
		     0);
		const struct ikev2_payload *pn =
		    ikev2_digest_notify(&inner, IKEV2_N_UNSUPPORTED_CRITICAL_PAYLOAD);
		T_OK(pn && pn->u.n.len == 1 && pn->u.n.data[0] == 222,
		     "UNSUPPORTED_CRITICAL_PAYLOAD(222) under SK");
		T_OK(n.q[0].data[19] & IKEV2_FLAG_RESPONSE, "a response");
	}
	xnet_flush(&n, 10);
	ike_engine_list(n.node[1].e, &info, 1, &cnt, &total);
	T_OK(strcmp(info.state, "ESTABLISHED") == 0, "SA unharmed");
	xnet_cleanup(&n);
}

/* keyingtries 2: the first attempt gets no answer, the second succeeds with the same id */
static void test_keyingtries(void)
{
	struct side s = {0};
	struct fault f = {.upto = 6}; /* the first attempt: request and 5 retransmissions */
	struct ike_sa_info info;
	size_t cnt = 0, total = 0;
	struct xnet n;
	uint32_t id = 0;
	int ev;

	if (setup(&n, &s, &s))
		return;
	n.filter = fault_filter;
	n.filter_ctx = &f;
	/* the test owns the conn it configured; the engine holds a reference */
	((struct conn *)ike_engine_conn(n.node[0].e, "gw"))->keyingtries = 2;
	T_EQ(ike_engine_initiate(n.node[0].e, n.now, "gw", NULL, &id), 0);
	xnet_run(&n, 400000);
	T_EQ(n.seq, 10); /* 6 lost, then INIT, INIT, AUTH, AUTH */
	ev = xnet_event(&n.node[0], IKE_EV_IKE_FAILED, 0);
	T_OK(ev >= 0 && strstr(n.node[0].ev[ev].msg, "trying again (keyingtries)") != NULL, "'%s'",
	     ev >= 0 ? n.node[0].ev[ev].msg : "");
	ev = xnet_event(&n.node[0], IKE_EV_IKE_UP, 0);
	T_OK(ev >= 0 && n.node[0].ev[ev].id == id, "second attempt up with the same id");
	ike_engine_list(n.node[0].e, &info, 1, &cnt, &total);
	T_EQ(total, 1);
	T_EQ(info.id, id);
	xnet_cleanup(&n);

	/* keyingtries 1 (the default): no second attempt */
	if (setup(&n, &s, &s))
		return;
	f.upto = 0;
	f.from_seq = 1;
	n.filter = fault_filter;
	n.filter_ctx = &f;
	up(&n);
	xnet_run(&n, 400000);
	T_EQ(n.seq, 6);
	T_EQ(xnet_events(&n.node[0], IKE_EV_IKE_FAILED), 1);
	xnet_cleanup(&n);
}

/* ---- negotiation failures ------------------------------------------------------------- */

static void test_invalid_ke(void)
{
	struct side s0 = {.ike = "aes128-sha256-modp2048-ecp256"};
	struct side s1 = {.ike = "aes128-sha256-ecp256"};
	struct ike_sa_info info;
	size_t cnt = 0, total = 0;
	struct xnet n;

	if (setup(&n, &s0, &s1))
		return;
	up(&n);
	xnet_run(&n, 1000);
	T_EQ(n.seq, 6); /* INIT, INVALID_KE, INIT again, response, AUTH, response */
	T_EQ(xnet_events(&n.node[0], IKE_EV_IKE_UP), 1);
	T_EQ(xnet_events(&n.node[1], IKE_EV_IKE_UP), 1);
	ike_engine_list(n.node[0].e, &info, 1, &cnt, &total);
	T_EQ(info.dh_group, 19);
	T_EQ(total, 1);
	ike_engine_list(n.node[1].e, &info, 1, &cnt, &total);
	T_EQ(total, 1); /* INVALID_KE_PAYLOAD is stateless */
	check_child_keys(&n, __LINE__);
	xnet_cleanup(&n);
}

static void test_no_proposal(void)
{
	struct side s0 = {.ike = "aes128-sha256-modp2048"};
	struct side s1 = {.ike = "aes256gcm16-prfsha384-ecp384"};
	struct xnet n;
	int e0, e1;
	size_t cnt = 0, total = 0;
	struct ike_sa_info info;

	if (setup(&n, &s0, &s1))
		return;
	up(&n);
	xnet_run(&n, 1000);
	T_EQ(n.seq, 2);
	e0 = xnet_event(&n.node[0], IKE_EV_IKE_FAILED, 0);
	e1 = xnet_event(&n.node[1], IKE_EV_IKE_FAILED, 0);
	T_OK(e0 >= 0 && e1 >= 0, "both sides report");
	if (e0 >= 0)
		T_OK(strcmp(n.node[0].ev[e0].msg,
			    "NO_PROPOSAL_CHOSEN from 192.0.2.2: no proposal chosen, we proposed "
			    "IKE:AES_CBC_128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048") == 0,
		     "'%s'", n.node[0].ev[e0].msg);
	if (e1 >= 0)
		T_OK(strcmp(n.node[1].ev[e1].msg,
			    "no proposal chosen for 192.0.2.1: we accept "
			    "IKE:AES_GCM_16_256/PRF_HMAC_SHA2_384/ECP_384, peer proposed "
			    "IKE:AES_CBC_128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048") == 0,
		     "'%s'", n.node[1].ev[e1].msg);
	ike_engine_list(n.node[0].e, &info, 1, &cnt, &total);
	T_EQ(total, 0);
	ike_engine_list(n.node[1].e, &info, 1, &cnt, &total);
	T_EQ(total, 0);
	xnet_cleanup(&n);
}

static void test_wrong_psk(void)
{
	struct side s0 = {.psk = "one secret"}, s1 = {.psk = "another secret"};
	struct xnet n;
	int e0, e1;
	size_t cnt = 0, total = 0;
	struct ike_sa_info info;

	if (setup(&n, &s0, &s1))
		return;
	up(&n);
	xnet_run(&n, 1000);
	e0 = xnet_event(&n.node[0], IKE_EV_IKE_FAILED, 0);
	e1 = xnet_event(&n.node[1], IKE_EV_IKE_FAILED, 0);
	T_OK(e0 >= 0 && e1 >= 0, "both fail");
	if (e0 >= 0)
		T_OK(strcmp(n.node[0].ev[e0].msg,
			    "AUTHENTICATION_FAILED from 192.0.2.2: it refused us as 192.0.2.1 "
			    "(PSK mismatch, unknown identity, or unique = keep there?)") == 0,
		     "'%s'", n.node[0].ev[e0].msg);
	if (e1 >= 0)
		T_OK(strcmp(n.node[1].ev[e1].msg, "AUTHENTICATION_FAILED for 192.0.2.1 (id "
						  "192.0.2.1): PSK mismatch?") == 0,
		     "'%s'", n.node[1].ev[e1].msg);
	T_EQ(xnet_events(&n.node[0], IKE_EV_IKE_UP), 0);
	T_EQ(xnet_events(&n.node[1], IKE_EV_IKE_UP), 0);
	T_EQ(n.node[0].nchild + n.node[1].nchild, 0);
	ike_engine_list(n.node[1].e, &info, 1, &cnt, &total);
	T_EQ(total, 0);
	xnet_cleanup(&n);
}

static void test_ids(void)
{
	/* configured identities; the initiator names the responder's (IDr) */
	struct side s0 = {.lid = "@moon.example", .rid = "@sun.example"};
	struct side s1 = {.lid = "@sun.example", .rid = "@moon.example"};
	struct side s2 = {.lid = "@sun.example", .rid = "@mars.example"};
	struct ike_sa_info info;
	size_t cnt = 0, total = 0;
	struct xnet n;

	if (setup(&n, &s0, &s1))
		return;
	up(&n);
	xnet_run(&n, 1000);
	T_EQ(xnet_events(&n.node[0], IKE_EV_IKE_UP), 1);
	ike_engine_list(n.node[1].e, &info, 1, &cnt, &total);
	T_OK(strcmp(info.remote_id, "moon.example") == 0, "%s", info.remote_id);
	T_OK(strcmp(info.local_id, "sun.example") == 0, "%s", info.local_id);
	xnet_cleanup(&n);

	if (setup(&n, &s0, &s2))
		return;
	up(&n);
	xnet_run(&n, 1000);
	T_EQ(xnet_events(&n.node[0], IKE_EV_IKE_UP), 0);
	T_EQ(xnet_events(&n.node[1], IKE_EV_IKE_FAILED), 1);
	T_OK(strstr(n.node[1].ev[0].msg, "identity not accepted") != NULL, "%s",
	     n.node[1].ev[0].msg);
	xnet_cleanup(&n);
}

static void test_ts(void)
{
	struct side s0 = {.lts = "10.1.0.0/16", .rts = "10.2.0.0/16"};
	struct side s1 = {.lts = "10.2.0.0/24", .rts = "10.1.0.0/16"};
	struct side s2 = {.lts = "10.3.0.0/16", .rts = "10.1.0.0/16"};
	struct side s3 = {.esp = "aes256-sha512"};
	struct ike_sa_info info;
	size_t cnt = 0, total = 0;
	char buf[TS_STRLEN];
	struct xnet n;
	int ev;

	/* narrowing: the responder only offers 10.2.0.0/24 */
	if (setup(&n, &s0, &s1))
		return;
	up(&n);
	xnet_run(&n, 1000);
	ike_engine_list(n.node[0].e, &info, 1, &cnt, &total);
	T_EQ(info.nchildren, 1);
	T_OK(strcmp(ts_format(&info.children[0].remote_ts.ts[0], buf, sizeof(buf)),
		    "10.2.0.0/24") == 0,
	     "narrowed to %s", buf);
	T_OK(strcmp(ts_format(&info.children[0].local_ts.ts[0], buf, sizeof(buf)), "10.1.0.0/16") ==
		 0,
	     "local %s", buf);
	check_child_keys(&n, __LINE__);
	xnet_cleanup(&n);

	/* nothing in common: TS_UNACCEPTABLE, the IKE SA stays up without child */
	if (setup(&n, &s0, &s2))
		return;
	up(&n);
	xnet_run(&n, 1000);
	T_EQ(xnet_events(&n.node[0], IKE_EV_IKE_UP), 1);
	T_EQ(xnet_events(&n.node[1], IKE_EV_IKE_UP), 1);
	ev = xnet_event(&n.node[0], IKE_EV_CHILD_FAILED, 0);
	T_OK(ev >= 0 && strcmp(n.node[0].ev[ev].msg,
			       "TS_UNACCEPTABLE from 192.0.2.2 for CHILD_SA net: we proposed TSi "
			       "10.1.0.0/16 TSr 10.2.0.0/16") == 0,
	     "'%s'", ev >= 0 ? n.node[0].ev[ev].msg : "");
	ev = xnet_event(&n.node[1], IKE_EV_CHILD_FAILED, 0);
	T_OK(ev >= 0 &&
		 strcmp(n.node[1].ev[ev].msg,
			"TS_UNACCEPTABLE: peer proposed TSi 10.1.0.0/16 TSr 10.2.0.0/16, none "
			"of our children of 'gw' allows them (we allow TSi 10.1.0.0/16 TSr "
			"10.3.0.0/16 (net))") == 0,
	     "'%s'", ev >= 0 ? n.node[1].ev[ev].msg : "");
	T_EQ(n.node[0].nchild + n.node[1].nchild, 0);
	ike_engine_list(n.node[0].e, &info, 1, &cnt, &total);
	T_OK(strcmp(info.state, "ESTABLISHED") == 0, "childless IKE SA stays");
	T_EQ(info.nchildren, 0);
	xnet_cleanup(&n);

	/* child proposals disjoint: NO_PROPOSAL_CHOSEN for the child only */
	if (setup(&n, &(struct side){0}, &s3))
		return;
	up(&n);
	xnet_run(&n, 1000);
	T_EQ(xnet_events(&n.node[0], IKE_EV_IKE_UP), 1);
	ev = xnet_event(&n.node[0], IKE_EV_CHILD_FAILED, 0);
	T_OK(ev >= 0 && strcmp(n.node[0].ev[ev].msg,
			       "NO_PROPOSAL_CHOSEN from 192.0.2.2 for CHILD_SA net: we proposed "
			       "ESP:AES_GCM_16_128/NO_ESN") == 0,
	     "'%s'", ev >= 0 ? n.node[0].ev[ev].msg : "");
	ev = xnet_event(&n.node[1], IKE_EV_CHILD_FAILED, 0);
	T_OK(ev >= 0 && strcmp(n.node[1].ev[ev].msg,
			       "no proposal chosen for CHILD_SA net: we accept "
			       "ESP:AES_CBC_256/HMAC_SHA2_512_256/NO_ESN, peer proposed "
			       "ESP:AES_GCM_16_128/NO_ESN") == 0,
	     "'%s'", ev >= 0 ? n.node[1].ev[ev].msg : "");
	xnet_cleanup(&n);
}

static void test_transport(void)
{
	struct side s = {.mode = CONN_MODE_TRANSPORT};
	struct side t = {.mode = CONN_MODE_TUNNEL};
	struct ike_sa_info info;
	size_t cnt = 0, total = 0;
	struct xnet n;

	if (setup(&n, &s, &s))
		return;
	up(&n);
	xnet_run(&n, 1000);
	ike_engine_list(n.node[1].e, &info, 1, &cnt, &total);
	T_EQ(info.nchildren, 1);
	T_EQ(info.children[0].mode, CONN_MODE_TRANSPORT);
	T_EQ(n.node[0].child[0].sa.mode, CONN_MODE_TRANSPORT);
	xnet_cleanup(&n);

	/* the responder wants tunnel mode: the initiator refuses the child */
	if (setup(&n, &s, &t))
		return;
	up(&n);
	xnet_run(&n, 1000);
	T_EQ(xnet_events(&n.node[0], IKE_EV_CHILD_FAILED), 1);
	T_EQ(n.node[0].nchild, 0);
	xnet_cleanup(&n);
}

/* ---- cookies ---------------------------------------------------------------------------- */

struct cookie_ctx {
	unsigned auth_drop; /* IKE_AUTH requests to drop */
	unsigned cookies;   /* responses carrying a COOKIE */
};

static enum xnet_action cookie_filter(void *ctx, const struct xnet_dgram *d)
{
	struct cookie_ctx *c = ctx;

	if (xnet_exchange(d) == IKEV2_EXCH_IKE_AUTH && !xnet_is_response(d) && c->auth_drop) {
		c->auth_drop--;
		return XNET_DROP;
	}
	/* a COOKIE-only response: HDR, N(COOKIE) */
	if (xnet_exchange(d) == IKEV2_EXCH_IKE_SA_INIT && xnet_is_response(d) && d->len > 34 &&
	    d->data[16] == IKEV2_PT_N && d->data[34] == (IKEV2_N_COOKIE >> 8) &&
	    d->data[35] == (IKEV2_N_COOKIE & 0xff))
		c->cookies++;
	return XNET_DELIVER;
}

static void test_cookies(void)
{
	struct side s = {0};
	struct cookie_ctx cc = {.auth_drop = IKE_COOKIE_THRESHOLD};
	struct ike_sa_info info;
	size_t cnt = 0, total = 0;
	struct xnet n;
	uint32_t id = 0;

	if (setup(&n, &s, &s))
		return;
	n.filter = cookie_filter;
	n.filter_ctx = &cc;
	for (int i = 0; i < IKE_COOKIE_THRESHOLD; i++) {
		up(&n);
		xnet_flush(&n, 10);
	}
	T_EQ(cc.cookies, 0);
	ike_engine_list(n.node[1].e, &info, 1, &cnt, &total);
	T_EQ(total, IKE_COOKIE_THRESHOLD); /* half-open */
	T_EQ(ike_engine_initiate(n.node[0].e, n.now, "gw", NULL, &id), 0);
	xnet_flush(&n, 10);
	T_EQ(cc.cookies, 1);
	T_EQ(xnet_events(&n.node[0], IKE_EV_IKE_UP), 1); /* the one that echoed the cookie */
	T_EQ(n.node[0].ev[xnet_event(&n.node[0], IKE_EV_IKE_UP, 0)].id, id);
	/* half-open SAs expire after 30 s on the responder */
	cc.auth_drop = 1000;
	xnet_run(&n, 31000);
	ike_engine_list(n.node[1].e, &info, 1, &cnt, &total);
	T_EQ(total, 1);
	xnet_cleanup(&n);
}

/* ---- crossing, NAT, garbage ------------------------------------------------------------- */

static void test_crossing(void)
{
	struct side s = {0};
	struct ike_sa_info info[4];
	size_t cnt = 0, total = 0;
	struct xnet n;
	uint32_t id = 0;

	if (setup(&n, &s, &s))
		return;
	T_EQ(ike_engine_initiate(n.node[0].e, n.now, "gw", NULL, &id), 0);
	T_EQ(ike_engine_initiate(n.node[1].e, n.now, "gw", NULL, &id), 0);
	xnet_run(&n, 1000);
	/* both exchanges complete: two IKE SAs, each side initiator of one (as strongSwan) */
	T_EQ(xnet_events(&n.node[0], IKE_EV_IKE_UP), 2);
	T_EQ(xnet_events(&n.node[1], IKE_EV_IKE_UP), 2);
	ike_engine_list(n.node[0].e, info, 4, &cnt, &total);
	T_EQ(total, 2);
	T_OK(cnt == 2 && info[0].initiator != info[1].initiator, "one of each role");
	T_EQ(n.node[0].nchild, 4);
	xnet_cleanup(&n);
}

static void test_nat(void)
{
	static const struct {
		int line;
		bool nat, encap;
		bool want_local0, want_remote1;
	} rows[] = {
	    {__LINE__, false, false, false, false},
	    {__LINE__, true, false, true, true},
	    {__LINE__, false, true, true, true}, /* encap=yes fakes the NAT */
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		/* tunnel mode between subnets: "dynamic" selectors would name the private
		 * address on one side and the public one on the other (strongSwan then refuses
		 * too, outside transport mode) */
		struct side s0 = {
		    .encap = rows[i].encap, .lts = "10.1.0.0/16", .rts = "10.2.0.0/16"};
		struct side s1 = {.lts = "10.2.0.0/16", .rts = "10.1.0.0/16"};
		struct ike_sa_info info;
		size_t cnt = 0, total = 0;
		struct xnet n;
		int line = rows[i].line;

		if (xnet_init(&n, A0, A1) != 0)
			continue;
		n.quiet = true;
		n.nat = rows[i].nat;
		addr_parse("198.51.100.7", &n.nat_pub, NULL, 0);
		configure(&n, 0, &s0);
		configure(&n, 1, &s1);
		up(&n);
		xnet_run(&n, 1000);
		T_EQ_ROW(line, xnet_events(&n.node[0], IKE_EV_CHILD_UP), 1);
		T_EQ_ROW(line, xnet_events(&n.node[1], IKE_EV_CHILD_UP), 1);
		ike_engine_list(n.node[0].e, &info, 1, &cnt, &total);
		/* encap = yes is a fake NAT (strongSwan's nat-fake), not nat-local */
		T_EQ_ROW(line, info.nat_local, rows[i].nat);
		T_EQ_ROW(line, info.nat_fake, rows[i].encap && !rows[i].nat);
		/* without a NAT, MOBIKE (on by default) floats to 4500 all the same (RFC 4555 §3.3,
		 * as charon) */
		T_EQ_ROW(line, info.path.remote_port, 4500);
		T_EQ_ROW(line, n.node[0].child[0].sa.encap, rows[i].want_local0);
		ike_engine_list(n.node[1].e, &info, 1, &cnt, &total);
		T_EQ_ROW(line, info.nat_remote, rows[i].want_remote1);
		if (rows[i].nat) {
			char b[ADDR_STRLEN];
			T_OK_ROW(
			    line,
			    strcmp(addr_str(&info.path.remote, b, sizeof(b)), "198.51.100.7") == 0,
			    "peer seen at %s", b);
			T_EQ_ROW(line, info.path.remote_port, 14500);
			T_EQ_ROW(line, n.node[1].child[0].sa.src_port, 14500);
		}
		T_EQ_ROW(line, n.node[1].child[0].sa.encap, rows[i].want_remote1);
		xnet_cleanup(&n);
	}
}

static void test_garbage(void)
{
	struct side s = {0};
	struct ike_sa_info info;
	struct ike_stats st0, st1;
	size_t cnt = 0, total = 0;
	struct ike_path p;
	struct xnet n;
	uint8_t msg[512];
	struct fault f = {.seq = 4, .act = XNET_DUP};

	if (setup(&n, &s, &s))
		return;
	up(&n);
	xnet_run(&n, 1000);
	ike_engine_list(n.node[1].e, &info, 1, &cnt, &total);
	p.local = n.node[1].addr;
	p.remote = n.node[0].addr;
	p.local_port = p.remote_port = 500;
	ike_engine_stats(n.node[1].e, &st0);
	/* truncated headers and random bytes */
	for (size_t len = 0; len < 60; len++) {
		memset(msg, (int)len, sizeof(msg));
		ike_engine_input(n.node[1].e, n.now, &p, msg, len);
	}
	/* a valid header for our SA with a bad ICV, a wrong message ID and a wrong SPI */
	{
		uint8_t m[80] = {0};
		memcpy(m, info.spi_i, 8);
		memcpy(m + 8, info.spi_r, 8);
		m[16] = IKEV2_PT_SK;
		m[17] = 0x20;
		m[18] = IKEV2_EXCH_INFORMATIONAL;
		m[19] = IKEV2_FLAG_INITIATOR;
		m[23] = 2;
		m[27] = sizeof(m);
		m[28] = 0;
		m[31] = sizeof(m) - 28;
		ike_engine_input(n.node[1].e, n.now, &p, m, sizeof(m)); /* bad ICV */
		m[23] = 9;
		ike_engine_input(n.node[1].e, n.now, &p, m, sizeof(m)); /* msgid outside */
		m[23] = 2;
		m[9] ^= 1;
		ike_engine_input(n.node[1].e, n.now, &p, m, sizeof(m)); /* no such SPI */
	}
	ike_engine_stats(n.node[1].e, &st1);
	T_EQ(st1.tx, st0.tx); /* no answer to any of it */
	/* an IKE_SA_INIT request with an unknown critical payload is told so (§2.5) */
	{
		struct ikev2_builder b;
		struct ikev2_hdr h = {.spi_i = {1, 2, 3, 4, 5, 6, 7, 8},
				      .major = 2,
				      .exchange = IKEV2_EXCH_IKE_SA_INIT,
				      .flags = IKEV2_FLAG_INITIATOR};
		size_t len = 0;
		ikev2_build_init(&b, msg, sizeof(msg));
		ikev2_build_hdr(&b, &h);
		ikev2_build_raw(&b, 200, true, "x", 1);
		T_EQ(ikev2_build_finish(&b, &len), 0);
		xnet_flush(&n, 10);
		ike_engine_input(n.node[1].e, n.now, &p, msg, len);
		T_EQ(n.nq, 1);
		/* HDR(SPIi, 0, response), N(UNSUPPORTED_CRITICAL_PAYLOAD, 200) */
		T_OK(n.nq == 1 && n.q[0].len == 28 + 8 + 1 && n.q[0].data[16] == IKEV2_PT_N &&
			 n.q[0].data[19] == IKEV2_FLAG_RESPONSE &&
			 n.q[0].data[35] == IKEV2_N_UNSUPPORTED_CRITICAL_PAYLOAD &&
			 n.q[0].data[36] == 200,
		     "UNSUPPORTED_CRITICAL_PAYLOAD answer");
		xnet_flush(&n, 10);
		ike_engine_stats(n.node[1].e, &st1);
	}
	T_OK(st1.drop_malformed > st0.drop_malformed, "malformed counted");
	T_EQ(st1.drop_auth, st0.drop_auth + 1);
	T_EQ(st1.drop_msgid, st0.drop_msgid + 1);
	T_EQ(st1.drop_no_sa, st0.drop_no_sa + 1);
	ike_engine_list(n.node[1].e, &info, 1, &cnt, &total);
	T_EQ(total, 1);
	T_OK(strcmp(info.state, "ESTABLISHED") == 0, "SA unharmed");
	T_EQ(n.node[1].deletes, 0);
	xnet_cleanup(&n);

	/* a replayed IKE_AUTH response reaching an established initiator is dropped */
	if (setup(&n, &s, &s))
		return;
	n.filter = fault_filter;
	n.filter_ctx = &f;
	up(&n);
	xnet_run(&n, 1000);
	ike_engine_stats(n.node[0].e, &st1);
	T_EQ(st1.drop_msgid, 1);
	T_EQ(xnet_events(&n.node[0], IKE_EV_IKE_UP), 1);
	xnet_cleanup(&n);
}

static void test_initial_contact(void)
{
	/* strongSwan sends INITIAL_CONTACT only with a configured remote identity */
	struct side s = {.lid = "@moon.example", .rid = "@moon.example"};
	struct ike_sa_info info[3];
	size_t cnt = 0, total = 0;
	struct xnet n;
	uint32_t id = 0;
	int ev;

	if (setup(&n, &s, &s))
		return;
	up(&n);
	xnet_run(&n, 1000);
	/* a second SA from a live initiator carries no INITIAL_CONTACT: both stay */
	up(&n);
	xnet_run(&n, 1000);
	ike_engine_list(n.node[1].e, info, 3, &cnt, &total);
	T_EQ(total, 2);
	/* the initiator reboots: its first SA says INITIAL_CONTACT, the old ones go */
	T_EQ(xnet_reset_node(&n, 0), 0);
	configure(&n, 0, &s);
	T_EQ(ike_engine_initiate(n.node[0].e, n.now, "gw", NULL, &id), 0);
	xnet_run(&n, 1000);
	ike_engine_list(n.node[1].e, info, 3, &cnt, &total);
	T_EQ(total, 1);
	T_EQ(xnet_events(&n.node[1], IKE_EV_IKE_DOWN), 2);
	ev = xnet_event(&n.node[1], IKE_EV_IKE_DOWN, 0);
	T_OK(ev >= 0 && strstr(n.node[1].ev[ev].msg, "replaced by") != NULL, "%s",
	     ev >= 0 ? n.node[1].ev[ev].msg : "");
	T_EQ(n.node[1].deletes, 2); /* both old Child SAs left the data plane */
	xnet_cleanup(&n);
}

/* The responder picks its connection again by identity in IKE_AUTH (strongSwan). */
static void test_reselect(void)
{
	struct side s0 = {.lid = "@bob.example", .lts = "10.9.0.0/16", .rts = "10.0.0.0/8"};
	struct side sa = {.rid = "@alice.example", .lts = "10.1.0.0/24", .rts = "0.0.0.0/0"};
	struct side sb = {.rid = "@bob.example", .lts = "10.2.0.0/24", .rts = "0.0.0.0/0"};
	struct conn_secrets *sec = conn_secrets_new();
	struct conn *c[2];
	struct ike_sa_info info;
	size_t cnt = 0, total = 0;
	char buf[TS_STRLEN];
	struct xnet n;

	if (xnet_init(&n, A0, A1) != 0)
		return;
	n.quiet = true;
	configure(&n, 0, &s0);
	c[0] = mkconn("alice", A1, A0, &sa);
	c[1] = mkconn("bob", A1, A0, &sb);
	snprintf(c[0]->name, sizeof(c[0]->name), "alice");
	snprintf(c[1]->name, sizeof(c[1]->name), "bob");
	conn_secrets_add_psk(sec, "a shared secret of some length", 30, NULL, 0);
	T_EQ(ike_engine_set_config(n.node[1].e, c, 2, sec), 0);
	conn_free(c[0]);
	conn_free(c[1]);
	up(&n);
	xnet_run(&n, 1000);
	ike_engine_list(n.node[1].e, &info, 1, &cnt, &total);
	T_OK(cnt == 1 && strcmp(info.conn, "bob") == 0, "connection '%s'", info.conn);
	T_OK(cnt == 1 && strcmp(info.state, "ESTABLISHED") == 0, "established");
	T_OK(cnt == 1 && info.nchildren == 1 &&
		 strcmp(ts_format(&info.children[0].local_ts.ts[0], buf, sizeof(buf)),
			"10.2.0.0/24") == 0,
	     "bob's child: %s", buf);
	xnet_cleanup(&n);
}

/* IPv6 outer addresses and an AH child. */
static void test_v6_ah(void)
{
	struct side s = {.ah = "sha256"};
	struct ike_sa_info info;
	size_t cnt = 0, total = 0;
	struct xnet n;

	if (xnet_init(&n, "2001:db8::1", "2001:db8::2") != 0)
		return;
	n.quiet = true;
	configure(&n, 0, &s);
	configure(&n, 1, &s);
	up(&n);
	xnet_run(&n, 1000);
	T_EQ(xnet_events(&n.node[0], IKE_EV_CHILD_UP), 1);
	ike_engine_list(n.node[0].e, &info, 1, &cnt, &total);
	T_EQ(info.children[0].proto, IKEV2_PROTO_AH);
	T_EQ(info.children[0].integ_alg, IKEV2_INTEG_HMAC_SHA2_256_128);
	T_EQ(info.children[0].encr_alg, 0);
	T_OK(strcmp(info.local_id, "2001:db8::1") == 0, "%s", info.local_id);
	check_child_keys(&n, __LINE__);
	xnet_cleanup(&n);
}

int main(void)
{
	log_set_level_all(LOG_LVL_ERROR);
	test_handshakes();
	test_loss();
	test_give_up();
	test_keyingtries();
	test_critical_inside_sk();
	test_invalid_ke();
	test_no_proposal();
	test_wrong_psk();
	test_ids();
	test_ts();
	test_transport();
	test_cookies();
	test_crossing();
	test_nat();
	test_garbage();
	test_initial_contact();
	test_reselect();
	test_v6_ah();
	return t_finish();
}
