/* IKE_SA_INIT, initiator and responder (RFC 7296 §1.2, §2.6, §2.7, §2.23). */
#include "ike/v2/ike_sa_init.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/kex.h"
#include "crypto/prf.h"
#include "ike/auth.h"
#include "ike/engine.h"
#include "ike/nat.h"
#include "ike/proposal.h"
#include "ike/sa.h"
#include "ike/v2/ike_auth.h"
#include "lib/err.h"
#include "lib/log.h"
#include "wire/ikev2_build.h"
#include "wire/ikev2_const.h"

#define NATD_LEN   NAT_NATD_LEN
#define COOKIE_LEN 32

/* RFC 7427 §4 hash algorithm identifiers we verify with: SHA2-256, -384, -512, Identity. */
static const uint8_t sighash_data[] = {0, 2, 0, 3, 0, 4, 0, 5};

static int put_notify(struct ikev2_builder *b, uint16_t type, const void *data, size_t len)
{
	struct ikev2_notify n = {.type = type, .data = data, .len = len};
	return ikev2_build_notify(b, &n);
}

static bool wants_pubkey(const struct conn *c)
{
	for (size_t i = 0; i < c->nlocal_auth; i++)
		if (c->local_auth[i].method == CONN_AUTH_PUBKEY)
			return true;
	for (size_t i = 0; i < c->nremote_auth; i++)
		if (c->remote_auth[i].method == CONN_AUTH_PUBKEY)
			return true;
	return false;
}

/* N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP), fragmentation, hash algs. */
static int put_tail(struct ike_engine *e, struct ike_sa *sa, struct ikev2_builder *b)
{
	uint8_t src[NATD_LEN], dst[NATD_LEN];
	int rc = 0;

	if (!(e->have_hooks && e->hooks.no_nat_detection)) {
		if (sa->conn->encap)
			rc = eng_rand(e, IKE_RAND_NONCE, src, sizeof(src)); /* fake: force NAT-T */
		else
			rc = nat_natd_hash(sa->spi_i, sa->spi_r, &sa->path.local,
					   sa->path.local_port, src);
		if (rc == 0)
			rc = nat_natd_hash(sa->spi_i, sa->spi_r, &sa->path.remote,
					   sa->path.remote_port, dst);
		if (rc)
			return rc;
		put_notify(b, IKEV2_N_NAT_DETECTION_SOURCE_IP, src, sizeof(src));
		put_notify(b, IKEV2_N_NAT_DETECTION_DESTINATION_IP, dst, sizeof(dst));
	}
	if (sa->conn->fragmentation != CONN_FRAG_NO)
		put_notify(b, IKEV2_N_IKEV2_FRAGMENTATION_SUPPORTED, NULL, 0);
	if (sa->conn->childless != CONN_CHILDLESS_NEVER) /* RFC 6023 */
		put_notify(b, IKEV2_N_CHILDLESS_IKEV2_SUPPORTED, NULL, 0);
	if (wants_pubkey(sa->conn) && !(e->have_hooks && e->hooks.no_sighash))
		put_notify(b, IKEV2_N_SIGNATURE_HASH_ALGORITHMS, sighash_data,
			   sizeof(sighash_data));
	return 0;
}

/* Records the peer's NAT_DETECTION_* notifies (§2.23). */
static void natd_check(struct ike_sa *sa, const struct ike_path *path, const struct ikev2_digest *d)
{
	uint8_t want_src[NATD_LEN], want_dst[NATD_LEN];
	bool any_src = false, src_ok = false;
	const struct ikev2_payload *p;

	if (nat_natd_hash(sa->spi_i, sa->spi_r, &path->remote, path->remote_port, want_src) ||
	    nat_natd_hash(sa->spi_i, sa->spi_r, &path->local, path->local_port, want_dst))
		return;
	for (p = ikev2_digest_first(d, IKEV2_PT_N); p; p = ikev2_digest_next(d, p)) {
		const struct ikev2_notify *n = &p->u.n;
		if (n->type == IKEV2_N_NAT_DETECTION_SOURCE_IP) {
			any_src = true;
			if (n->len == NATD_LEN && memcmp(n->data, want_src, NATD_LEN) == 0)
				src_ok = true;
		} else if (n->type == IKEV2_N_NAT_DETECTION_DESTINATION_IP) {
			sa->nat_local =
			    !(n->len == NATD_LEN && memcmp(n->data, want_dst, NATD_LEN) == 0);
		} else if (n->type == IKEV2_N_IKEV2_FRAGMENTATION_SUPPORTED) {
			sa->peer_frag = true;
		} else if (n->type == IKEV2_N_SIGNATURE_HASH_ALGORITHMS) {
			sa->peer_sighash = true;
		} else if (n->type == IKEV2_N_CHILDLESS_IKEV2_SUPPORTED) {
			sa->peer_childless = true;
		}
	}
	if (any_src)
		sa->nat_remote = !src_ok;
	if (ikev2_digest_first(d, IKEV2_PT_CERTREQ))
		sa->peer_certreq = true;
	/* encap = yes (strongSwan's COND_NAT_FAKE): UDP encapsulation without a real NAT; our
	 * fake NAT_DETECTION_SOURCE_IP makes the peer see one. No keepalives for it. */
	sa->nat_fake = sa->conn->encap && !sa->nat_local && !sa->nat_remote;
}

static int new_nonce(struct ike_engine *e, uint8_t *buf, size_t *len)
{
	int rc = eng_rand(e, IKE_RAND_NONCE, buf, IKE_NONCE_LEN);

	if (rc == 0)
		*len = IKE_NONCE_LEN;
	return rc;
}

static int new_kex(struct ike_engine *e, struct ike_sa *sa, uint16_t group)
{
	struct kex *k = eng_kex_new(e, group);

	if (!k)
		return ERR_CRYPTO;
	kex_free(sa->hs->kex);
	sa->hs->kex = k;
	sa->ke_group = group;
	return 0;
}

static int keep_copy(uint8_t **dst, size_t *dlen, const uint8_t *src, size_t len)
{
	uint8_t *p = malloc(len);

	if (!p)
		return ERR_NOMEM;
	memcpy(p, src, len);
	free(*dst);
	*dst = p;
	*dlen = len;
	return 0;
}

int ike_sa_init_start(struct ike_engine *e, struct ike_sa *sa, uint64_t now_ms)
{
	const struct conn *c = sa->conn;
	struct ikev2_builder b;
	struct ikev2_hdr h;
	struct ikev2_ke_payload ke;
	struct ikev2_blob nonce;
	size_t len = 0;
	int rc = 0;

	if (sa->ni_len == 0) {
		rc = eng_new_spi(e, sa->spi_i);
		if (rc == 0)
			rc = new_nonce(e, sa->ni, &sa->ni_len);
	}
	if (rc == 0 && (!sa->hs->kex || kex_group(sa->hs->kex) != sa->ke_group)) {
		uint16_t g = sa->ke_group;
		if (g == 0 && c->proposals[0].n[IKEV2_TRANS_KE])
			g = c->proposals[0].t[IKEV2_TRANS_KE][0].id;
		rc = new_kex(e, sa, g);
	}
	if (rc)
		goto out;
	memset(sa->spi_r, 0, 8);
	e->sa_a.nproposals = 0;
	for (size_t i = 0; i < c->nproposals && rc == 0; i++)
		rc = prop_to_wire(&c->proposals[i], (uint8_t)(i + 1), IKEV2_PROTO_IKE, NULL, 0, 0,
				  &e->sa_a);
	if (rc)
		goto out;
	ike_sa_hdr(sa, IKEV2_EXCH_IKE_SA_INIT, false, 0, &h);
	ikev2_build_init(&b, e->tx, sizeof(e->tx));
	ikev2_build_hdr(&b, &h);
	if (sa->hs->cookie_len)
		put_notify(&b, IKEV2_N_COOKIE, sa->hs->cookie, sa->hs->cookie_len);
	ikev2_build_sa(&b, &e->sa_a);
	ke.group = sa->ke_group;
	ke.data = kex_public(sa->hs->kex, &ke.len);
	ikev2_build_ke(&b, &ke);
	nonce.data = sa->ni;
	nonce.len = sa->ni_len;
	ikev2_build_nonce(&b, &nonce);
	rc = put_tail(e, sa, &b);
	if (rc == 0)
		rc = ikev2_build_finish(&b, &len);
	if (rc == 0)
		rc = keep_copy(&sa->hs->init_req, &sa->hs->init_req_len, e->tx, len);
	if (rc == 0 && sa->state != IKE_ST_INIT_SENT)
		rc = ike_sa_set_state(e, sa, IKE_ST_INIT_SENT);
	if (rc == 0)
		rc = ike_sa_send_request(e, sa, now_ms, e->tx, len, 0, IKEV2_EXCH_IKE_SA_INIT);
	sa->next_req_id = 1;
out:
	return rc;
}

/* ---- responder ---------------------------------------------------------------------------- */

static int cookie_compute(struct ike_engine *e, const struct ike_rx *rx,
			  const struct ikev2_blob *ni, uint8_t out[COOKIE_LEN])
{
	struct crypto_span parts[3];
	int rc;

	if (!e->cookie_secret_set) {
		rc = eng_rand(e, IKE_RAND_COOKIE, e->cookie_secret, sizeof(e->cookie_secret));
		if (rc)
			return rc;
		e->cookie_secret_set = true;
	}
	/* §2.6: Cookie = Hash(Ni | IPi | SPIi | <secret>), as an HMAC keyed by the secret */
	parts[0] = (struct crypto_span){ni->data, ni->len};
	parts[1] = (struct crypto_span){rx->path->remote.bytes, addr_len(&rx->path->remote)};
	parts[2] = (struct crypto_span){rx->hdr->spi_i, 8};
	return prf_oneshot(IKEV2_PRF_HMAC_SHA2_256, e->cookie_secret, sizeof(e->cookie_secret),
			   parts, 3, out);
}

void ike_sa_init_answer(struct ike_engine *e, const struct ike_path *path,
			const struct ikev2_hdr *req, uint16_t type, const void *data, size_t len)
{
	struct ikev2_builder b;
	struct ikev2_hdr h = *req;
	size_t n = 0;

	memset(h.spi_r, 0, 8);
	h.flags = IKEV2_FLAG_RESPONSE;
	ikev2_build_init(&b, e->tx, sizeof(e->tx));
	ikev2_build_hdr(&b, &h);
	put_notify(&b, type, data, len);
	if (ikev2_build_finish(&b, &n) == 0)
		eng_send(e, path, e->tx, n);
}

/* A stateless answer carrying one notify: HDR(SPIi, 0), N(type, data). */
static void answer_notify(struct ike_engine *e, const struct ike_rx *rx, uint16_t type,
			  const void *data, size_t len)
{
	ike_sa_init_answer(e, rx->path, rx->hdr, type, data, len);
}

static bool addr_in(const struct addr *list, size_t n, const struct addr *a)
{
	if (n == 0)
		return true;
	for (size_t i = 0; i < n; i++)
		if (addr_equal(&list[i], a) || addr_is_zero(&list[i]))
			return true;
	return false;
}

/* The first connection for this path whose proposals accept the offer; *any_conn receives the
 * first connection matching the addresses (for the failure sentence). */
static struct conn *find_conn(struct ike_engine *e, const struct ike_path *path,
			      const struct ikev2_sa *offered, struct prop_choice *choice,
			      struct conn **any_conn)
{
	*any_conn = NULL;
	for (size_t i = 0; i < e->nconns; i++) {
		struct conn *c = e->conns[i];
		if (!addr_in(c->local_addrs, c->nlocal_addrs, &path->local) ||
		    !addr_in(c->remote_addrs, c->nremote_addrs, &path->remote))
			continue;
		if (!*any_conn)
			*any_conn = c;
		if (prop_select(offered, IKEV2_PROTO_IKE, c->proposals, c->nproposals, 0, choice) ==
		    0)
			return c;
	}
	return NULL;
}

/* Whether proposal num of offered lists KE group g. */
static bool offered_has_ke(const struct ikev2_sa *offered, uint8_t num, uint16_t g)
{
	for (size_t i = 0; i < offered->nproposals; i++) {
		if (offered->p[i].num != num)
			continue;
		for (size_t j = 0; j < offered->p[i].ntransforms; j++)
			if (offered->p[i].t[j].type == IKEV2_TRANS_KE && offered->p[i].t[j].id == g)
				return true;
	}
	return false;
}

static int respond(struct ike_engine *e, struct ike_sa *sa, const struct ike_rx *rx,
		   const struct ikev2_ke_payload *peer_ke)
{
	struct ikev2_builder b;
	struct ikev2_hdr h;
	struct ikev2_ke_payload ke;
	struct ikev2_blob nonce;
	struct secret *g_ir = NULL;
	size_t len = 0;
	int rc;

	natd_check(sa, rx->path, rx->outer); /* hashed with SPIr = 0 */
	rc = eng_new_spi(e, sa->spi_r);
	if (rc == 0)
		rc = new_nonce(e, sa->nr, &sa->nr_len);
	if (rc == 0)
		rc = new_kex(e, sa, sa->alg.ke);
	if (rc == 0)
		rc = kex_derive(sa->hs->kex, peer_ke->data, peer_ke->len, &g_ir);
	if (rc) {
		log_peer(&e->rl, rx->now, LOG_IKE, LOG_LVL_INFO,
			 "IKE_SA_INIT: key exchange failed (%d): dropped", rc);
		goto out;
	}
	rc = ike_sa_derive_keys(sa, g_ir);
	if (rc)
		goto out;
	sa->alg.spi_len = 0;
	rc = prop_choice_to_wire(&sa->alg, &e->sa_a);
	if (rc)
		goto out;
	ike_sa_hdr(sa, IKEV2_EXCH_IKE_SA_INIT, true, 0, &h);
	ikev2_build_init(&b, e->tx, sizeof(e->tx));
	ikev2_build_hdr(&b, &h);
	ikev2_build_sa(&b, &e->sa_a);
	ke.group = sa->ke_group;
	ke.data = kex_public(sa->hs->kex, &ke.len);
	ikev2_build_ke(&b, &ke);
	nonce.data = sa->nr;
	nonce.len = sa->nr_len;
	ikev2_build_nonce(&b, &nonce);
	auth_put_certreq(e, sa, &b); /* HDR, SAr1, KEr, Nr, [CERTREQ] */
	rc = put_tail(e, sa, &b);
	if (rc == 0)
		rc = ikev2_build_finish(&b, &len);
	if (rc == 0)
		rc = keep_copy(&sa->hs->init_resp, &sa->hs->init_resp_len, e->tx, len);
	if (rc == 0)
		rc = keep_copy(&sa->hs->init_req, &sa->hs->init_req_len, rx->msg, rx->len);
	if (rc == 0)
		rc = ike_sa_set_state(e, sa, IKE_ST_INIT_DONE);
	if (rc == 0) {
		sa->next_peer_id = 1;
		rc = ike_sa_send_response(e, sa, e->tx, len, 0);
	}
out:
	secret_free(g_ir);
	return rc;
}

int ike_sa_init_on_request(struct ike_engine *e, const struct ike_rx *rx)
{
	const struct ikev2_digest *d = rx->outer;
	const struct ikev2_payload *psa = ikev2_digest_first(d, IKEV2_PT_SA);
	const struct ikev2_payload *pke = ikev2_digest_first(d, IKEV2_PT_KE);
	const struct ikev2_payload *pn = ikev2_digest_first(d, IKEV2_PT_Nx);
	struct prop_choice choice;
	struct conn *c, *any = NULL;
	struct ike_sa *sa = NULL;
	char peer[ADDR_STRLEN];
	int rc;

	addr_str(&rx->path->remote, peer, sizeof(peer));
	if (!psa || !pke || !pn || ikev2_payload_sa(psa, &e->sa_b) != 0) {
		e->stats.drop_malformed++;
		return ERR_INVAL;
	}
	if (e->nhalf_open >= IKE_HALF_OPEN_MAX || e->nsas >= IKE_MAX_SAS) {
		e->stats.drop_limit++;
		log_peer(&e->rl, rx->now, LOG_IKE, LOG_LVL_WARN,
			 "IKE_SA_INIT from %s dropped: %zu half-open SAs", peer, e->nhalf_open);
		return ERR_LIMIT;
	}
	if (e->nhalf_open >= IKE_COOKIE_THRESHOLD) {
		/* §2.6: the COOKIE must be the first payload */
		uint8_t want[COOKIE_LEN];
		const struct ikev2_payload *first = d->n ? &d->pl[0] : NULL;
		rc = cookie_compute(e, rx, &pn->u.nonce, want);
		if (rc)
			return rc;
		if (!first || first->type != IKEV2_PT_N || first->u.n.type != IKEV2_N_COOKIE ||
		    first->u.n.len != COOKIE_LEN ||
		    !secret_equal(first->u.n.data, COOKIE_LEN, want, COOKIE_LEN)) {
			answer_notify(e, rx, IKEV2_N_COOKIE, want, COOKIE_LEN);
			return 0;
		}
	}
	c = find_conn(e, rx->path, &e->sa_b, &choice, &any);
	if (!c) {
		char theirs[512], ours[512];
		prop_wire_str(&e->sa_b, theirs, sizeof(theirs));
		if (any)
			prop_list_str(any->proposals, any->nproposals, ours, sizeof(ours));
		else
			snprintf(ours, sizeof(ours), "nothing (no connection for %s)", peer);
		eng_event_peer(e, rx->now, 0, 0, IKE_EV_IKE_FAILED,
			       "no proposal chosen for %s: we accept %s, peer proposed %s", peer,
			       ours, theirs);
		answer_notify(e, rx, IKEV2_N_NO_PROPOSAL_CHOSEN, NULL, 0);
		return 0;
	}
	/* prefer the group the initiator guessed when its chosen proposal and we allow it */
	if (pke->u.ke.group != choice.ke && offered_has_ke(&e->sa_b, choice.num, pke->u.ke.group) &&
	    prop_has_ke(c->proposals, c->nproposals, pke->u.ke.group) &&
	    kex_group_supported(pke->u.ke.group))
		choice.ke = pke->u.ke.group;
	if (pke->u.ke.group != choice.ke) {
		uint8_t g[2] = {(uint8_t)(choice.ke >> 8), (uint8_t)choice.ke};
		log_info(LOG_IKE, "IKE_SA_INIT from %s: KE group %u, asking for %u", peer,
			 pke->u.ke.group, choice.ke);
		answer_notify(e, rx, IKEV2_N_INVALID_KE_PAYLOAD, g, 2);
		return 0;
	}
	if (ikev2_ke_check_fn(&pke->u.ke, kex_public_len) != 0) {
		e->stats.drop_malformed++;
		answer_notify(e, rx, IKEV2_N_INVALID_SYNTAX, NULL, 0);
		return ERR_INVAL;
	}
	sa = ike_sa_new(e, c, false, rx->path, rx->now);
	if (!sa)
		return ERR_NOMEM;
	memcpy(sa->spi_i, rx->hdr->spi_i, 8);
	sa->alg = choice;
	memcpy(sa->ni, pn->u.nonce.data, pn->u.nonce.len);
	sa->ni_len = pn->u.nonce.len;
	sa->deadline_ms = rx->now + IKE_HALF_OPEN_TIMEOUT_MS;
	eng_sa_link(e, sa);
	rc = respond(e, sa, rx, &pke->u.ke);
	if (rc) {
		if (sa->state == IKE_ST_NEW)
			ike_sa_set_state(e, sa, IKE_ST_DEAD);
		else
			ike_sa_kill(e, sa);
	}
	return rc;
}

/* ---- initiator: the response --------------------------------------------------------------- */

static int failf(struct ike_engine *e, struct ike_sa *sa, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int failf(struct ike_engine *e, struct ike_sa *sa, const char *fmt, ...)
{
	char msg[IKE_EVENT_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	eng_event(e, sa->id, 0, IKE_EV_IKE_FAILED, "%s", msg);
	ike_sa_kill(e, sa);
	return 0;
}

static int on_error(struct ike_engine *e, struct ike_sa *sa, const struct ike_rx *rx)
{
	const struct ikev2_payload *p;
	char ours[512], peer[ADDR_STRLEN];

	ike_sa_peer_str(sa, peer, sizeof(peer));

	p = ikev2_digest_notify(rx->d, IKEV2_N_COOKIE);
	if (p) {
		if (p->u.n.len == 0 || p->u.n.len > IKE_COOKIE_MAX || sa->hs->init_retries >= 5)
			return failf(e, sa, "IKE_SA_INIT with %s failed: bad or repeated COOKIE",
				     peer);
		memcpy(sa->hs->cookie, p->u.n.data, p->u.n.len);
		sa->hs->cookie_len = p->u.n.len;
		sa->hs->init_retries++;
		ike_sa_request_done(sa);
		return ike_sa_init_start(e, sa, rx->now);
	}
	p = ikev2_digest_notify(rx->d, IKEV2_N_INVALID_KE_PAYLOAD);
	if (p) {
		uint16_t g = p->u.n.len == 2 ? (uint16_t)(p->u.n.data[0] << 8 | p->u.n.data[1]) : 0;
		char gs[16];
		snprintf(gs, sizeof(gs), "%u", g);
		if (g == 0 || g == sa->ke_group || sa->hs->init_retries >= 5 ||
		    !prop_has_ke(sa->conn->proposals, sa->conn->nproposals, g) ||
		    !kex_group_supported(g))
			return failf(e, sa,
				     "INVALID_KE_PAYLOAD from %s asks for group %s, which we "
				     "do not propose",
				     peer, gs);
		log_info(LOG_IKE, "#%u: peer wants KE group %u instead of %u: retrying", sa->id, g,
			 sa->ke_group);
		sa->ke_group = g;
		sa->hs->init_retries++;
		ike_sa_request_done(sa);
		return ike_sa_init_start(e, sa, rx->now);
	}
	prop_list_str(sa->conn->proposals, sa->conn->nproposals, ours, sizeof(ours));
	if (ikev2_digest_notify(rx->d, IKEV2_N_NO_PROPOSAL_CHOSEN))
		return failf(e, sa,
			     "NO_PROPOSAL_CHOSEN from %s: no proposal chosen, we proposed %s", peer,
			     ours);
	for (p = ikev2_digest_first(rx->d, IKEV2_PT_N); p; p = ikev2_digest_next(rx->d, p))
		if (ikev2_notify_is_error(p->u.n.type))
			return failf(e, sa, "IKE_SA_INIT with %s failed: %s", peer,
				     ikev2_notify_str(p->u.n.type));
	return failf(e, sa, "IKE_SA_INIT with %s failed: malformed response", peer);
}

int ike_sa_init_on_response(struct ike_engine *e, struct ike_sa *sa, const struct ike_rx *rx)
{
	const struct ikev2_payload *pke, *pn;
	struct secret *g_ir = NULL;
	char peer[ADDR_STRLEN];
	int rc;

	ike_sa_peer_str(sa, peer, sizeof(peer));
	if (rx->error_only)
		return on_error(e, sa, rx);
	pke = ikev2_digest_first(rx->d, IKEV2_PT_KE);
	pn = ikev2_digest_first(rx->d, IKEV2_PT_Nx);
	if (ikev2_payload_sa(ikev2_digest_first(rx->d, IKEV2_PT_SA), &e->sa_b) != 0 ||
	    prop_check_response(&e->sa_b, IKEV2_PROTO_IKE, sa->conn->proposals,
				sa->conn->nproposals, 0, &sa->alg) != 0) {
		char theirs[512];
		prop_wire_str(&e->sa_b, theirs, sizeof(theirs));
		return failf(e, sa, "%s chose a proposal we did not offer: %s", peer, theirs);
	}
	if (pke->u.ke.group != sa->ke_group || sa->alg.ke != sa->ke_group) {
		return failf(e, sa, "IKE_SA_INIT response from %s has KE group %u, we sent %u",
			     peer, pke->u.ke.group, sa->ke_group);
	}
	if (ikev2_ke_check_fn(&pke->u.ke, kex_public_len) != 0) {
		e->stats.drop_malformed++;
		return ERR_INVAL; /* may be forged: keep waiting for the real answer */
	}
	rc = kex_derive(sa->hs->kex, pke->u.ke.data, pke->u.ke.len, &g_ir);
	if (rc) {
		e->stats.drop_malformed++;
		return rc;
	}
	memcpy(sa->spi_r, rx->hdr->spi_r, 8);
	memcpy(sa->nr, pn->u.nonce.data, pn->u.nonce.len);
	sa->nr_len = pn->u.nonce.len;
	rc = ike_sa_derive_keys(sa, g_ir);
	secret_free(g_ir);
	if (rc)
		return failf(e, sa, "IKE_SA_INIT with %s failed: key derivation", peer);
	rc = keep_copy(&sa->hs->init_resp, &sa->hs->init_resp_len, rx->msg, rx->len);
	if (rc)
		return rc;
	natd_check(sa, rx->path, rx->d);
	ike_sa_request_done(sa);
	/* to port 4500 behind a NAT (§2.23), and with MOBIKE whenever the peer does NAT-T (RFC
	 * 4555 §3.3: the address may change later; strongSwan floats then too) */
	if ((sa->nat_local || sa->nat_remote || sa->conn->encap ||
	     (sa->conn->mobike && ikev2_digest_notify(rx->d, IKEV2_N_NAT_DETECTION_SOURCE_IP))) &&
	    sa->path.remote_port == IKE_PORT) {
		sa->path.local_port = IKE_PORT_NATT;
		sa->path.remote_port = IKE_PORT_NATT;
	}
	return ike_auth_start(e, sa, rx->now);
}
