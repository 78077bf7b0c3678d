/* IKE_AUTH with certificates between two engines: RFC 7427 signatures (ECDSA, Ed25519, RSA),
 * the classic methods when SIGNATURE_HASH_ALGORITHMS is not announced, intermediates sent in
 * CERT, CERTREQ, identities from subjectAltNames and subject DNs, and the failures: unknown
 * CA, identity not in the certificate, expired certificate, a key that cannot sign classically.
 */
#include <stdio.h>
#include <string.h>

#include "crypto/pkey.h"
#include "crypto/x509.h"
#include "ike/conn.h"
#include "ike/ike.h"
#include "lib/log.h"
#include "support/pki.h"
#include "support/test.h"
#include "support/xnet.h"
#include "wire/ikev2_const.h"

#define T0  1767225600LL /* 2026-01-01T00:00:00Z */
#define DAY 86400LL

enum { ROOT, INTER, MOON, SUN, CAROL, ROGUE, ROGUE_MOON, NPKI };
static struct pki_cert pki[NPKI];

static int build_pki(void)
{
	int64_t nb = T0 - DAY, na = T0 + 365 * DAY;

	return pki_make(&pki[ROOT], "RSA", "C=CH,O=Test,CN=Root CA", NULL, true, NULL, nb, na) ||
	       pki_make(&pki[INTER], "EC", "C=CH,O=Test,CN=Intermediate", &pki[ROOT], true, NULL,
			nb, na) ||
	       pki_make(&pki[MOON], "EC", "C=CH,O=Test,CN=moon", &pki[ROOT], false,
			"DNS:moon.example", nb, na) ||
	       pki_make(&pki[SUN], "ED25519", "C=CH,O=Test,CN=sun", &pki[INTER], false,
			"DNS:sun.example", nb, na) ||
	       pki_make(&pki[CAROL], "RSA", "C=CH,O=Test,CN=carol", &pki[ROOT], false,
			"email:carol@example.org", nb, na) ||
	       pki_make(&pki[ROGUE], "ED25519", "C=XX,O=Mallory,CN=Root CA", NULL, true, NULL, nb,
			na) ||
	       pki_make(&pki[ROGUE_MOON], "EC", "C=CH,O=Test,CN=moon", &pki[ROGUE], false,
			"DNS:moon.example", nb, na);
}

static bool no_frag1; /* node 1 configured with fragmentation=no */

struct side {
	int cert;  /* our end entity */
	int inter; /* -1 or an intermediate we send */
	int ca;	   /* the CA we trust */
	const char *lid, *rid;
	bool no_sighash;
};

static void configure(struct xnet *n, int i, const struct side *s)
{
	struct xnet_node *nd = &n->node[i];
	struct conn_secrets *sec = conn_secrets_new();
	struct conn *c = conn_new("gw");
	struct conn_child *ch;
	char l[ADDR_STRLEN], r[ADDR_STRLEN];
	size_t k = 0;

	c->version = CONN_VERSION_2;
	c->nlocal_addrs = c->nremote_addrs = 1;
	c->local_addrs[0] = nd->addr;
	c->remote_addrs[0] = n->node[1 - i].addr;
	(void)l, (void)r;
	alg_parse(ALG_PROTO_IKE, "aes128gcm16-prfsha256-ecp256", c->proposals, ALG_MAX_PROPOSALS,
		  &k, NULL, 0);
	c->nproposals = k;
	c->local_auth[0].method = c->remote_auth[0].method = CONN_AUTH_PUBKEY;
	if (i == 1 && no_frag1)
		c->fragmentation = CONN_FRAG_NO;
	c->local_auth[0].certs[c->local_auth[0].ncerts++] = x509_dup(pki[s->cert].cert);
	if (s->inter >= 0)
		c->local_auth[0].certs[c->local_auth[0].ncerts++] = x509_dup(pki[s->inter].cert);
	if (s->lid)
		conn_id_parse(s->lid, &c->local_auth[0].id, NULL, 0);
	if (s->rid)
		conn_id_parse(s->rid, &c->remote_auth[0].id, NULL, 0);
	conn_child_add(c, "net", &ch);
	conn_secrets_add_key(sec, pkey_dup(pki[s->cert].key));
	conn_secrets_add_ca(sec, pki[s->ca].cert);
	T_EQ(ike_engine_set_config(nd->e, &c, 1, sec), 0);
	ike_engine_set_wall_offset(nd->e, T0 * 1000);
	if (s->no_sighash) {
		static const struct ike_test_hooks h = {.no_sighash = true};
		ike_engine_set_test_hooks(nd->e, &h, NULL);
	}
	conn_free(c);
}

static xnet_filter_fn run_filter;
static void *run_filter_ctx;

/* Runs a handshake; returns the number of IKE SAs up on both sides (0..2). */
static int run(const struct side *s0, const struct side *s1, int64_t skew_ms, struct xnet *n)
{
	uint32_t id;

	if (xnet_init(n, "192.0.2.1", "192.0.2.2") != 0)
		return -1;
	n->quiet = true;
	n->now += (uint64_t)skew_ms;
	n->filter = run_filter;
	n->filter_ctx = run_filter_ctx;
	configure(n, 0, s0);
	configure(n, 1, s1);
	T_EQ(ike_engine_initiate(n->node[0].e, n->now, "gw", NULL, &id), 0);
	xnet_run(n, 10000);
	return (int)(xnet_events(&n->node[0], IKE_EV_IKE_UP) +
		     xnet_events(&n->node[1], IKE_EV_IKE_UP));
}

static const char *fail_msg(const struct xnet_node *nd)
{
	int ev = xnet_event(nd, IKE_EV_IKE_FAILED, 0);
	return ev >= 0 ? nd->ev[ev].msg : "";
}

static void test_ok(void)
{
	static const struct {
		int line;
		struct side s0, s1;
		const char *rid0, *rid1; /* identities each side sees */
	} rows[] = {
	    /* ECDSA <-> Ed25519 (intermediate sent), SAN identities, RFC 7427 */
	    {__LINE__,
	     {MOON, -1, ROOT, "moon.example", "sun.example", false},
	     {SUN, INTER, ROOT, "sun.example", "moon.example", false},
	     "sun.example",
	     "moon.example"},
	    /* RSA <-> ECDSA, identity by subject DN (no id configured), peer %any */
	    {__LINE__,
	     {CAROL, -1, ROOT, NULL, NULL, false},
	     {MOON, -1, ROOT, NULL, NULL, false},
	     "C=CH, O=Test, CN=moon",
	     "C=CH, O=Test, CN=carol"},
	    /* classic methods: RSA_SIG (1) and ECDSA_SHA256_P256 (9) */
	    {__LINE__,
	     {CAROL, -1, ROOT, "carol@example.org", "moon.example", true},
	     {MOON, -1, ROOT, "moon.example", "carol@example.org", true},
	     "moon.example",
	     "carol@example.org"},
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct xnet n;
		struct ike_sa_info info;
		size_t cnt = 0, total = 0;
		int line = rows[i].line;

		T_EQ_ROW(line, run(&rows[i].s0, &rows[i].s1, 0, &n), 2);
		T_EQ_ROW(line, xnet_events(&n.node[0], IKE_EV_CHILD_UP), 1);
		ike_engine_list(n.node[0].e, &info, 1, &cnt, &total);
		T_OK_ROW(line, cnt == 1 && strcmp(info.remote_id, rows[i].rid0) == 0, "'%s'",
			 info.remote_id);
		ike_engine_list(n.node[1].e, &info, 1, &cnt, &total);
		T_OK_ROW(line, cnt == 1 && strcmp(info.remote_id, rows[i].rid1) == 0, "'%s'",
			 info.remote_id);
		if (xnet_events(&n.node[0], IKE_EV_IKE_UP) == 0)
			fprintf(stderr, "  %s / %s\n", fail_msg(&n.node[0]), fail_msg(&n.node[1]));
		xnet_cleanup(&n);
	}
}

static void test_failures(void)
{
	static const struct {
		int line;
		struct side s0, s1;
		int64_t skew_ms;
		int who; /* the side that refuses */
		const char *want;
	} rows[] = {
	    /* the responder trusts only another root */
	    {__LINE__,
	     {MOON, -1, ROOT, "moon.example", NULL, false},
	     {SUN, INTER, ROGUE, "sun.example", NULL, false},
	     0,
	     1,
	     "AUTHENTICATION_FAILED for 192.0.2.1 (id moon.example): unable to get local "
	     "issuer certificate"},
	    /* a certificate from the rogue root naming moon */
	    {__LINE__,
	     {ROGUE_MOON, -1, ROOT, "moon.example", NULL, false},
	     {SUN, INTER, ROOT, "sun.example", NULL, false},
	     0,
	     1,
	     "AUTHENTICATION_FAILED for 192.0.2.1 (id moon.example): unable to get local "
	     "issuer certificate"},
	    /* an identity the certificate does not carry */
	    {__LINE__,
	     {MOON, -1, ROOT, "mars.example", NULL, false},
	     {SUN, INTER, ROOT, "sun.example", NULL, false},
	     0,
	     1,
	     "AUTHENTICATION_FAILED for 192.0.2.1 (id mars.example): the identity is not in "
	     "the certificate"},
	    /* the responder expects another identity */
	    {__LINE__,
	     {MOON, -1, ROOT, "moon.example", NULL, false},
	     {SUN, INTER, ROOT, "sun.example", "venus.example", false},
	     0,
	     1,
	     "AUTHENTICATION_FAILED for 192.0.2.1 (id moon.example): identity not accepted "
	     "by the connection (gw expects venus.example)"},
	    /* two years later every certificate has expired */
	    {__LINE__,
	     {MOON, -1, ROOT, "moon.example", NULL, false},
	     {SUN, INTER, ROOT, "sun.example", NULL, false},
	     730 * DAY * 1000,
	     1,
	     "AUTHENTICATION_FAILED for 192.0.2.1 (id moon.example): "
	     "certificate has expired"},
	    /* Ed25519 has no classic method: sun cannot answer a peer without RFC 7427 */
	    {__LINE__,
	     {MOON, -1, ROOT, "moon.example", NULL, true},
	     {SUN, INTER, ROOT, "sun.example", NULL, false},
	     0,
	     1,
	     "AUTHENTICATION_FAILED for 192.0.2.1 (id moon.example): signing failed (the "
	     "peer announced no hash we can use?)"},
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct xnet n;
		int line = rows[i].line;

		T_EQ_ROW(line, run(&rows[i].s0, &rows[i].s1, rows[i].skew_ms, &n), 0);
		T_OK_ROW(line, strcmp(fail_msg(&n.node[rows[i].who]), rows[i].want) == 0, "'%s'",
			 fail_msg(&n.node[rows[i].who]));
		/* the initiator hears AUTHENTICATION_FAILED, naming the identity refused */
		{
			char want[200];
			snprintf(want, sizeof(want),
				 "AUTHENTICATION_FAILED from 192.0.2.2: it refused us as %s "
				 "(certificate or signature not accepted)",
				 rows[i].s0.lid);
			T_OK_ROW(line, strcmp(fail_msg(&n.node[0]), want) == 0, "'%s'",
				 fail_msg(&n.node[0]));
		}
		T_EQ_ROW(line, n.node[0].nchild + n.node[1].nchild, 0);
		xnet_cleanup(&n);
	}
}

struct frag_ctx {
	unsigned auth_dgrams[2]; /* IKE_AUTH datagrams sent by node 0 / node 1 */
	size_t max_len;
	size_t max_ip; /* the largest IP datagram carrying one: IP, UDP, non-ESP marker counted */
	unsigned drop_seq;
};

static enum xnet_action frag_filter(void *ctx, const struct xnet_dgram *d)
{
	struct frag_ctx *f = ctx;

	if (xnet_exchange(d) == IKEV2_EXCH_IKE_AUTH) {
		f->auth_dgrams[d->from]++;
		size_t ip = d->len + (d->path.remote.family == AF_INET6 ? 40 : 20) + 8 +
			    (d->path.local_port == 4500 || d->path.remote_port == 4500 ? 4 : 0);
		if (d->len > f->max_len)
			f->max_len = d->len;
		if (ip > f->max_ip)
			f->max_ip = ip;
	}
	return d->seq == f->drop_seq ? XNET_DROP : XNET_DELIVER;
}

/* RFC 7383: RSA certificates and an extra intermediate make IKE_AUTH exceed 1280 octets. */
static void test_fragments(void)
{
	static const struct {
		int line;
		bool no_frag;
		unsigned drop_seq;
		bool want_frag;
	} rows[] = {
	    {__LINE__, false, 0, true},
	    {__LINE__, false, 4, true}, /* the second fragment of the request is lost */
	    {__LINE__, true, 0, false}, /* the responder does not support fragmentation */
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct side s0 = {CAROL, INTER, ROOT, "carol@example.org", NULL, false};
		struct side s1 = {CAROL, INTER, ROOT, "carol@example.org", NULL, false};
		struct frag_ctx f = {.drop_seq = rows[i].drop_seq};
		struct xnet n;
		int line = rows[i].line;

		run_filter = frag_filter;
		run_filter_ctx = &f;
		no_frag1 = rows[i].no_frag;
		T_EQ_ROW(line, run(&s0, &s1, 0, &n), 2);
		T_EQ_ROW(line, xnet_events(&n.node[0], IKE_EV_CHILD_UP), 1);
		T_EQ_ROW(line, xnet_events(&n.node[1], IKE_EV_CHILD_UP), 1);
		if (rows[i].want_frag) {
			T_OK_ROW(line, f.auth_dgrams[0] >= 2 && f.auth_dgrams[1] >= 2,
				 "fragments %u/%u", f.auth_dgrams[0], f.auth_dgrams[1]);
			/* each fragment crosses a 1280-octet path unfragmented (strongSwan's
			 * fragment_size counts the IP datagram) */
			T_OK_ROW(line, f.max_ip <= 1280, "largest IP datagram %zu", f.max_ip);
		} else {
			T_EQ_ROW(line, f.auth_dgrams[0], 1);
			T_EQ_ROW(line, f.auth_dgrams[1], 1);
			T_OK_ROW(line, f.max_len > 1280, "largest %zu", f.max_len);
		}
		if (rows[i].drop_seq)
			T_OK_ROW(line, f.auth_dgrams[0] >= 4, "retransmitted all fragments");
		xnet_cleanup(&n);
		run_filter = NULL;
		run_filter_ctx = NULL;
		no_frag1 = false;
	}
}

int main(void)
{
	log_set_level_all(LOG_LVL_ERROR);
	T_EQ(build_pki(), 0);
	test_ok();
	test_failures();
	test_fragments();
	for (int i = 0; i < NPKI; i++)
		pki_free(&pki[i]);
	return t_finish();
}
