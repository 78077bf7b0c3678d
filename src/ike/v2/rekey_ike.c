/* IKE SA rekeying (RFC 7296 §1.3.2, §2.8, §2.18), make-before-break:
 *
 *   Initiator                                   Responder
 *   HDR(old), SK {SA(IKE, SPIi'), Ni, KEi}  -->
 *                                           <--  HDR(old), SK {SA(IKE, SPIr'), Nr, KEr}
 *   (new SA SPIi'/SPIr' established on both sides, Child SAs moved to it; then)
 *   HDR(old), SK {D(IKE)}                   -->  (INFORMATIONAL, v2/informational.c)
 *
 * SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr), SK_* = prf+(SKEYSEED, Ni | Nr | SPIi' |
 * SPIr') with the new SA's PRF (§2.18).
 */
#include "ike/v2/rekey_ike.h"

#include <string.h>

#include "crypto/kex.h"
#include "ike/child.h"
#include "ike/engine.h"
#include "ike/proposal.h"
#include "ike/sa.h"
#include "ike/sk.h"
#include "ike/v2/informational.h"
#include "ike/v2/mobike.h"
#include "lib/err.h"
#include "lib/log.h"
#include "wire/ikev2_build.h"
#include "wire/ikev2_const.h"

static uint64_t jitter_ms(struct ike_engine *e, uint64_t max_ms)
{
	uint8_t r[4];

	if (max_ms == 0 || eng_rand(e, IKE_RAND_JITTER, r, sizeof(r)) != 0)
		return 0;
	return ((uint64_t)r[0] << 24 | (uint64_t)r[1] << 16 | (uint64_t)r[2] << 8 | r[3]) %
	       (max_ms + 1);
}

static void hex8(const uint8_t spi[8], char out[17])
{
	static const char digits[] = "0123456789abcdef";

	for (int i = 0; i < 8; i++) {
		out[2 * i] = digits[spi[i] >> 4];
		out[2 * i + 1] = digits[spi[i] & 15];
	}
	out[16] = '\0';
}

/* Nonce order for §2.8.2: octet-wise, a shorter prefix first. */
static int nonce_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	return c ? c : (alen > blen) - (alen < blen);
}

/* The lowest nonce of the exchange that created x (its Ni and Nr). */
static void lowest(const struct ike_sa *x, const uint8_t **p, size_t *len)
{
	bool ni = nonce_cmp(x->ni, x->ni_len, x->nr, x->nr_len) <= 0;

	*p = ni ? x->ni : x->nr;
	*len = ni ? x->ni_len : x->nr_len;
}

/* Whether a's exchange holds a lower nonce than b's. */
static bool lower_nonce(const struct ike_sa *a, const struct ike_sa *b)
{
	const uint8_t *pa, *pb;
	size_t la, lb;

	lowest(a, &pa, &la);
	lowest(b, &pb, &lb);
	return nonce_cmp(pa, la, pb, lb) < 0;
}

/* A CREATE_CHILD_SA request of ours other than an IKE SA rekey, or a Child SA delete of ours,
 * is in flight (§2.25.2: the peer's IKE SA rekey gets TEMPORARY_FAILURE meanwhile). */
static bool child_work_in_flight(const struct ike_sa *sa)
{
	if (sa->ccs.active ||
	    (sa->req && sa->req_exchange == IKEV2_EXCH_CREATE_CHILD_SA && !sa->rk.active))
		return true;
	for (size_t i = 0; i < sa->nchildren; i++)
		if (sa->children[i]->del == INFO_DEL_SENT)
			return true;
	return false;
}

/* The KE group of our next rekey: asked for by INVALID_KE_PAYLOAD, else the SA's own when we
 * still propose it, else the first proposal's first. */
static uint16_t rekey_group(const struct ike_sa *sa)
{
	const struct conn *c = sa->conn;

	if (sa->rk.group)
		return sa->rk.group;
	if (sa->alg.ke && prop_has_ke(c->proposals, c->nproposals, sa->alg.ke))
		return sa->alg.ke;
	return c->nproposals && c->proposals[0].n[IKEV2_TRANS_KE]
		   ? c->proposals[0].t[IKEV2_TRANS_KE][0].id
		   : 0;
}

/* What the new SA takes over from the old one besides keys: path, identities, NAT state and
 * the peer's capabilities; message IDs start at 0 (ike_sa_new). */
static void inherit(struct ike_sa *nsa, const struct ike_sa *old, uint64_t now_ms)
{
	nsa->path = old->path;
	nsa->local_id = old->local_id;
	nsa->remote_id = old->remote_id;
	nsa->nat_local = old->nat_local;
	nsa->nat_remote = old->nat_remote;
	nsa->nat_fake = old->nat_fake;
	nsa->peer_frag = old->peer_frag;
	nsa->peer_sighash = old->peer_sighash;
	nsa->peer_certreq = old->peer_certreq;
	if (mobike_inherit(nsa, old) != 0)
		log_warn(LOG_IKE, "#%u: MOBIKE state not carried over to the rekeyed SA (ENOMEM)",
			 old->id);
	nsa->ke_group = nsa->alg.ke;
	nsa->established_ms = now_ms;
	nsa->last_rx_ms = now_ms;
}

/* Links nsa as an established IKE SA. */
static int establish(struct ike_engine *e, struct ike_sa *old, struct ike_sa *nsa, uint64_t now_ms)
{
	inherit(nsa, old, now_ms);
	eng_sa_link(e, nsa);
	return ike_sa_set_state(e, nsa, IKE_ST_ESTABLISHED);
}

/* The Child SAs of old move to nsa as they are (same SPIs, keys, reqids: nothing changes in
 * the data plane); old is marked replaced and the rekey reported on nsa's id. */
static void hand_over(struct ike_engine *e, struct ike_sa *old, struct ike_sa *nsa, uint64_t now_ms)
{
	char si[17], sr[17];
	size_t moved = 0, keep = 0;

	/* the Child SA objects change owner; deleted ones stay to be freed with old */
	for (size_t i = 0; i < old->nchildren; i++) {
		struct ike_child *c = old->children[i];
		if (c->state == IKE_CHILD_DELETED || nsa->nchildren >= IKE_MAX_CHILDREN) {
			old->children[keep++] = c; /* full: cannot happen, nsa is new */
			continue;
		}
		nsa->children[nsa->nchildren++] = c;
		moved++;
	}
	for (size_t i = keep; i < old->nchildren; i++)
		old->children[i] = NULL;
	old->nchildren = keep;
	old->rk.replaced = true;
	old->rk.at_ms = 0;
	/* children still to create and the reauthentication time go along (v2/child_new.c,
	 * v2/reauth.c) */
	nsa->cn_want = old->cn_want;
	old->cn_want = 0;
	nsa->reauth_at_ms = old->reauth_at_ms;
	rekey_ike_arm(e, nsa, now_ms);
	hex8(nsa->spi_i, si);
	hex8(nsa->spi_r, sr);
	eng_event(e, nsa->id, 0, IKE_EV_IKE_REKEYED,
		  "IKE_SA %s[%u] rekeyed: now %s[%u] with SPIs %s_i %s_r, %zu CHILD_SA%s moved",
		  old->conn->name, old->id, nsa->conn->name, nsa->id, si, sr, moved,
		  moved == 1 ? "" : "s");
}

/* old stays until the peer deletes it (or REKEY_IKE_REKEYED_MS pass). */
static void wait_for_delete(struct ike_engine *e, struct ike_sa *old, uint64_t now_ms)
{
	old->rk.replaced = true;
	old->rk.at_ms = 0;
	old->rk.expire_ms = now_ms + REKEY_IKE_REKEYED_MS;
	if (old->state == IKE_ST_ESTABLISHED)
		ike_sa_set_state(e, old, IKE_ST_REKEYED);
}

bool rekey_ike_is_request(struct ike_engine *e, const struct ike_rx *rx)
{
	const struct ikev2_payload *psa = ikev2_digest_first(rx->d, IKEV2_PT_SA);

	return psa && ikev2_payload_sa(psa, &e->sa_b) == 0 && e->sa_b.nproposals > 0 &&
	       e->sa_b.p[0].proto == IKEV2_PROTO_IKE;
}

int rekey_ike_refuse(struct ike_engine *e, struct ike_sa *sa, const struct ike_rx *rx)
{
	const char *why = sa->state != IKE_ST_ESTABLISHED     ? ike_state_name(sa->state)
			  : sa->rk.active		      ? "being rekeyed by us"
			  : sa->rk.replaced || sa->rk.coll_id ? "being replaced"
			  : sa->delete_pending		      ? "about to be deleted"
							      : "busy with a Child SA exchange";

	log_info(LOG_IKE, "#%u: CREATE_CHILD_SA request while the IKE_SA is %s: TEMPORARY_FAILURE",
		 sa->id, why);
	sa->next_peer_id = rx->hdr->msgid + 1;
	return sk_answer_notify(e, sa, IKEV2_EXCH_CREATE_CHILD_SA, rx->hdr->msgid,
				IKEV2_N_TEMPORARY_FAILURE, NULL, 0);
}

int rekey_ike_start(struct ike_engine *e, struct ike_sa *sa, uint64_t now_ms)
{
	const struct conn *c = sa->conn;
	struct ike_sa *nsa = NULL;
	struct ikev2_blob nonce;
	struct ikev2_ke_payload ke;
	struct ikev2_builder b;
	struct ikev2_hdr h;
	uint16_t group = rekey_group(sa);
	size_t len = 0;
	int rc;

	if (sa->state != IKE_ST_ESTABLISHED || sa->req || sa->ccs.active || sa->rk.active ||
	    sa->rk.coll_id || sa->delete_pending || sa->rk.replaced)
		return ERR_BADSTATE;
	if (group == 0)
		return ERR_INVAL; /* §1.3.2: KEi is mandatory */
	if (e->nsas >= IKE_MAX_SAS)
		return ERR_LIMIT;
	nsa = ike_sa_new(e, sa->conn, true, &sa->path, now_ms);
	if (!nsa)
		return ERR_NOMEM;
	rc = eng_new_spi(e, nsa->spi_i);
	if (rc == 0)
		rc = eng_rand(e, IKE_RAND_NONCE, nsa->ni, IKE_NONCE_LEN);
	if (rc)
		goto out;
	nsa->ni_len = IKE_NONCE_LEN;
	nsa->ke_group = group;
	nsa->hs->kex = eng_kex_new(e, group);
	if (!nsa->hs->kex) {
		rc = ERR_CRYPTO;
		goto out;
	}
	e->sa_a.nproposals = 0;
	for (size_t i = 0; i < c->nproposals && rc == 0; i++)
		rc = prop_to_wire(&c->proposals[i], (uint8_t)(i + 1), IKEV2_PROTO_IKE, nsa->spi_i,
				  8, 0, &e->sa_a);
	if (rc)
		goto out;
	/* HDR, SK {SA, Ni, KEi} */
	ike_sa_hdr(sa, IKEV2_EXCH_CREATE_CHILD_SA, false, sa->next_req_id, &h);
	ikev2_build_init(&b, e->tx, sizeof(e->tx));
	ikev2_build_hdr(&b, &h);
	sk_begin(sa, &b);
	ikev2_build_sa(&b, &e->sa_a);
	nonce.data = nsa->ni;
	nonce.len = nsa->ni_len;
	ikev2_build_nonce(&b, &nonce);
	ke.group = group;
	ke.data = kex_public(nsa->hs->kex, &ke.len);
	ikev2_build_ke(&b, &ke);
	rc = sk_end_seal(e, sa, &b, e->tx, &len);
	if (rc == 0)
		rc = ike_sa_send_request(e, sa, now_ms, e->tx, len, sa->next_req_id,
					 IKEV2_EXCH_CREATE_CHILD_SA);
	if (rc)
		goto out;
	sa->next_req_id++;
	sa->rk.active = true;
	sa->rk.nsa = nsa;
	nsa = NULL;
	log_info(LOG_IKE, "#%u: rekeying IKE_SA %s[%u] (KE group %u)", sa->id, c->name, sa->id,
		 group);
out:
	ike_sa_free(nsa);
	return rc;
}

/* Responder: the new SA for the accepted request, keyed; not linked. NULL with *err set to the
 * notify to answer. */
static struct ike_sa *responder_sa(struct ike_engine *e, struct ike_sa *sa, const struct ike_rx *rx,
				   uint16_t *err, uint16_t *err_group)
{
	const struct ikev2_payload *pke = ikev2_digest_first(rx->d, IKEV2_PT_KE);
	const struct ikev2_payload *pn = ikev2_digest_first(rx->d, IKEV2_PT_Nx);
	const struct conn *c = sa->conn;
	static const uint8_t zero[8];
	struct secret *g_ir = NULL;
	struct prop_choice choice;
	struct ike_sa *nsa = NULL;
	uint16_t g;

	/* e->sa_b holds the offer (rekey_ike_is_request) */
	if (prop_select(&e->sa_b, IKEV2_PROTO_IKE, c->proposals, c->nproposals, 0, &choice) != 0 ||
	    choice.spi_len != 8 || memcmp(choice.spi, zero, 8) == 0 || choice.ke == 0) {
		*err = IKEV2_N_NO_PROPOSAL_CHOSEN;
		goto out;
	}
	if (!pke || !pn || pn->u.nonce.len < 16 || pn->u.nonce.len > IKEV2_NONCE_MAX) {
		*err = IKEV2_N_INVALID_SYNTAX;
		goto out;
	}
	/* the initiator's guess when its chosen proposal and we allow it (as in IKE_SA_INIT) */
	g = pke->u.ke.group;
	if (g != choice.ke && prop_has_ke(c->proposals, c->nproposals, g) &&
	    kex_group_supported(g)) {
		for (size_t i = 0; i < e->sa_b.nproposals; i++)
			for (size_t j = 0;
			     e->sa_b.p[i].num == choice.num && j < e->sa_b.p[i].ntransforms; j++)
				if (e->sa_b.p[i].t[j].type == IKEV2_TRANS_KE &&
				    e->sa_b.p[i].t[j].id == g)
					choice.ke = g;
	}
	if (g != choice.ke) {
		*err = IKEV2_N_INVALID_KE_PAYLOAD;
		*err_group = choice.ke;
		goto out;
	}
	if (ikev2_ke_check_fn(&pke->u.ke, kex_public_len) != 0) {
		*err = IKEV2_N_INVALID_SYNTAX;
		goto out;
	}
	nsa = e->nsas < IKE_MAX_SAS ? ike_sa_new(e, sa->conn, false, &sa->path, rx->now) : NULL;
	if (!nsa) {
		*err = IKEV2_N_NO_ADDITIONAL_SAS;
		goto out;
	}
	memcpy(nsa->spi_i, choice.spi, 8);
	nsa->alg = choice;
	nsa->alg.spi_len = 0;
	memcpy(nsa->ni, pn->u.nonce.data, pn->u.nonce.len);
	nsa->ni_len = pn->u.nonce.len;
	nsa->nr_len = IKE_NONCE_LEN;
	nsa->hs->kex = eng_kex_new(e, g);
	if (!nsa->hs->kex || eng_new_spi(e, nsa->spi_r) != 0 ||
	    eng_rand(e, IKE_RAND_NONCE, nsa->nr, IKE_NONCE_LEN) != 0) {
		*err = IKEV2_N_NO_ADDITIONAL_SAS;
		goto out;
	}
	if (kex_derive(nsa->hs->kex, pke->u.ke.data, pke->u.ke.len, &g_ir) != 0) {
		*err = IKEV2_N_INVALID_SYNTAX;
		goto out;
	}
	if (ike_sa_derive_keys_rekey(nsa, sa, g_ir) != 0)
		*err = IKEV2_N_NO_ADDITIONAL_SAS;
out:
	secret_free(g_ir);
	if (*err) {
		ike_sa_free(nsa);
		return NULL;
	}
	return nsa;
}

int rekey_ike_on_request(struct ike_engine *e, struct ike_sa *sa, const struct ike_rx *rx)
{
	uint16_t err = 0, err_group = 0;
	struct ike_sa *nsa = NULL;
	struct prop_choice choice;
	struct ikev2_ke_payload ke;
	struct ikev2_blob nonce;
	struct ikev2_builder b;
	struct ikev2_hdr h;
	size_t len = 0;
	int rc;

	/* §2.25.2: not while we close this IKE SA, have Child SA work in flight, or already
	 * answered a rekey of it */
	if (sa->state != IKE_ST_ESTABLISHED || sa->delete_pending || sa->rk.coll_id ||
	    sa->rk.replaced || child_work_in_flight(sa))
		return rekey_ike_refuse(e, sa, rx);
	sa->next_peer_id = rx->hdr->msgid + 1;
	nsa = responder_sa(e, sa, rx, &err, &err_group);
	if (!nsa) {
		uint8_t g[2] = {(uint8_t)(err_group >> 8), (uint8_t)err_group};
		log_peer(&e->rl, rx->now, LOG_IKE, LOG_LVL_INFO,
			 "#%u: IKE_SA rekey by the peer refused: %s", sa->id,
			 ikev2_notify_str(err));
		return sk_answer_notify(e, sa, IKEV2_EXCH_CREATE_CHILD_SA, rx->hdr->msgid, err,
					err_group ? g : NULL, err_group ? 2 : 0);
	}
	/* HDR, SK {SA, Nr, KEr} */
	choice = nsa->alg;
	choice.spi_len = 8;
	memcpy(choice.spi, nsa->spi_r, 8);
	rc = prop_choice_to_wire(&choice, &e->sa_a);
	if (rc)
		goto out;
	ike_sa_hdr(sa, IKEV2_EXCH_CREATE_CHILD_SA, true, rx->hdr->msgid, &h);
	ikev2_build_init(&b, e->tx, sizeof(e->tx));
	ikev2_build_hdr(&b, &h);
	sk_begin(sa, &b);
	ikev2_build_sa(&b, &e->sa_a);
	nonce.data = nsa->nr;
	nonce.len = nsa->nr_len;
	ikev2_build_nonce(&b, &nonce);
	ke.group = kex_group(nsa->hs->kex);
	ke.data = kex_public(nsa->hs->kex, &ke.len);
	ikev2_build_ke(&b, &ke);
	rc = sk_end_seal(e, sa, &b, e->tx, &len);
	if (rc == 0)
		rc = ike_sa_send_response(e, sa, e->tx, len, rx->hdr->msgid);
	if (rc)
		goto out;
	kex_free(nsa->hs->kex);
	nsa->hs->kex = NULL;
	rc = establish(e, sa, nsa, rx->now);
	if (rc) {
		ike_sa_kill(e, nsa); /* linked: reaped */
		nsa = NULL;
		goto out;
	}
	if (sa->rk.active) {
		/* §2.8.2: we rekey it too; decided when our answer arrives */
		log_info(LOG_IKE, "#%u: IKE_SA rekeyed by both ends: waiting for our answer (#%u)",
			 sa->id, nsa->id);
		sa->rk.coll_id = nsa->id;
	} else {
		hand_over(e, sa, nsa, rx->now);
		wait_for_delete(e, sa, rx->now);
	}
	nsa = NULL;
out:
	ike_sa_free(nsa);
	return rc;
}

/* Our rekey failed: the SA of a pending collision takes over (returned), else we try again
 * later (NULL). */
static struct ike_sa *rekey_failed(struct ike_engine *e, struct ike_sa *sa, uint64_t now_ms,
				   uint64_t retry_ms, const char *why)
{
	struct ike_sa *coll = sa->rk.coll_id ? eng_sa_by_id(e, sa->rk.coll_id) : NULL;

	sa->rk.coll_id = 0;
	sa->rk.group = 0;
	sa->rk.tries = 0;
	if (coll && coll->state == IKE_ST_ESTABLISHED) {
		log_info(LOG_IKE, "#%u: our IKE_SA rekey failed (%s): the peer's (#%u) stays",
			 sa->id, why, coll->id);
		hand_over(e, sa, coll, now_ms);
		wait_for_delete(e, sa, now_ms);
		return coll;
	}
	log_info(LOG_IKE, "#%u: rekeying IKE_SA %s[%u] failed: %s; again in %llu s", sa->id,
		 sa->conn->name, sa->id, why, (unsigned long long)(retry_ms / 1000));
	sa->rk.at_ms = now_ms + retry_ms;
	return NULL;
}

/* An error answer: INVALID_KE_PAYLOAD naming a group we propose restarts the rekey with it. */
static struct ike_sa *on_error(struct ike_engine *e, struct ike_sa *sa, const struct ike_rx *rx)
{
	const struct ikev2_payload *p = ikev2_digest_notify(rx->d, IKEV2_N_INVALID_KE_PAYLOAD);
	const struct conn *c = sa->conn;

	if (p && p->u.n.len == 2 && !sa->rk.coll_id && sa->rk.tries < 2) {
		uint16_t g = (uint16_t)(p->u.n.data[0] << 8 | p->u.n.data[1]);
		if (g && g != rekey_group(sa) && prop_has_ke(c->proposals, c->nproposals, g) &&
		    kex_group_supported(g)) {
			uint8_t tries = sa->rk.tries;
			log_info(LOG_IKE, "#%u: peer wants KE group %u for the IKE_SA rekey",
				 sa->id, g);
			sa->rk.group = g;
			if (rekey_ike_start(e, sa, rx->now) == 0) {
				sa->rk.tries = (uint8_t)(tries + 1);
				return NULL;
			}
		}
	}
	if (ikev2_digest_notify(rx->d, IKEV2_N_TEMPORARY_FAILURE))
		return rekey_failed(e, sa, rx->now, REKEY_IKE_RETRY_MS + jitter_ms(e, 5000),
				    "TEMPORARY_FAILURE");
	for (p = ikev2_digest_first(rx->d, IKEV2_PT_N); p; p = ikev2_digest_next(rx->d, p))
		if (ikev2_notify_is_error(p->u.n.type))
			break;
	return rekey_failed(e, sa, rx->now, REKEY_IKE_FAILED_MS,
			    p ? ikev2_notify_str(p->u.n.type) : "malformed answer");
}

/* Completes nsa from the answer: the responder's SPI, choice, Nr and g^ir; keys. */
static int complete(struct ike_engine *e, struct ike_sa *sa, struct ike_sa *nsa,
		    const struct ike_rx *rx)
{
	const struct ikev2_payload *pn = ikev2_digest_first(rx->d, IKEV2_PT_Nx);
	const struct ikev2_payload *pke = ikev2_digest_first(rx->d, IKEV2_PT_KE);
	const struct ikev2_payload *psa = ikev2_digest_first(rx->d, IKEV2_PT_SA);
	const struct conn *c = sa->conn;
	static const uint8_t zero[8];
	struct secret *g_ir = NULL;
	struct prop_choice choice;
	int rc = ERR_INVAL;

	if (!psa || !pn || !pke || ikev2_payload_sa(psa, &e->sa_b) != 0 ||
	    prop_check_response(&e->sa_b, IKEV2_PROTO_IKE, c->proposals, c->nproposals, 0,
				&choice) != 0 ||
	    choice.spi_len != 8 || memcmp(choice.spi, zero, 8) == 0 || choice.ke != nsa->ke_group ||
	    pke->u.ke.group != choice.ke || pn->u.nonce.len < 16 ||
	    pn->u.nonce.len > IKEV2_NONCE_MAX || ikev2_ke_check_fn(&pke->u.ke, kex_public_len) != 0)
		goto out;
	rc = kex_derive(nsa->hs->kex, pke->u.ke.data, pke->u.ke.len, &g_ir);
	if (rc)
		goto out;
	memcpy(nsa->spi_r, choice.spi, 8);
	nsa->alg = choice;
	nsa->alg.spi_len = 0;
	memcpy(nsa->nr, pn->u.nonce.data, pn->u.nonce.len);
	nsa->nr_len = pn->u.nonce.len;
	rc = ike_sa_derive_keys_rekey(nsa, sa, g_ir);
	kex_free(nsa->hs->kex);
	nsa->hs->kex = NULL;
out:
	secret_free(g_ir);
	return rc;
}

int rekey_ike_on_response(struct ike_engine *e, struct ike_sa *sa, const struct ike_rx *rx)
{
	struct ike_sa *nsa = sa->rk.nsa, *coll, *heir = NULL;
	bool deleting = sa->delete_pending; /* ike_engine_terminate while the rekey was out */
	int rc = 0;

	ike_sa_request_done(sa);
	sa->rk.active = false;
	sa->rk.nsa = NULL;
	if (!nsa || sa->state != IKE_ST_ESTABLISHED)
		goto out;
	if (rx->error_only) {
		heir = on_error(e, sa, rx);
		goto out;
	}
	if (complete(e, sa, nsa, rx) != 0) {
		heir = rekey_failed(e, sa, rx->now, REKEY_IKE_FAILED_MS, "unacceptable answer");
		goto out;
	}
	sa->rk.group = 0;
	sa->rk.tries = 0;
	rc = establish(e, sa, nsa, rx->now);
	if (rc) {
		ike_sa_kill(e, nsa);
		nsa = NULL;
		goto out;
	}
	coll = sa->rk.coll_id ? eng_sa_by_id(e, sa->rk.coll_id) : NULL;
	sa->rk.coll_id = 0;
	if (coll && coll->state == IKE_ST_ESTABLISHED && lower_nonce(nsa, coll)) {
		/* §2.8.2: ours has the lowest nonce: we delete it; the peer's SA gets the
		 * children and its initiator deletes the old one */
		log_info(LOG_IKE,
			 "#%u: IKE_SA rekeyed by both ends: ours (#%u) has the lowest nonce, "
			 "deleting it; #%u stays (§2.8.2)",
			 sa->id, nsa->id, coll->id);
		hand_over(e, sa, coll, rx->now);
		wait_for_delete(e, sa, rx->now);
		nsa->rk.replaced = true;
		informational_delete_ike(e, nsa, rx->now);
		heir = coll;
	} else {
		if (coll && coll->state == IKE_ST_ESTABLISHED) {
			log_info(
			    LOG_IKE,
			    "#%u: IKE_SA rekeyed by both ends: the peer's (#%u) has the lowest "
			    "nonce and goes; #%u stays (§2.8.2)",
			    sa->id, coll->id, nsa->id);
			wait_for_delete(e, coll, rx->now);
		}
		/* make-before-break: the new SA carries the children, the old one goes */
		hand_over(e, sa, nsa, rx->now);
		informational_delete_ike(e, sa, rx->now);
		heir = nsa;
	}
	nsa = NULL;
out:
	if (deleting && heir) {
		/* terminated while the rekey was in flight: its successor goes too (the peer
		 * moved the Child SAs to it) */
		log_info(LOG_IKE, "#%u: deleted during its rekey: deleting #%u too", sa->id,
			 heir->id);
		informational_delete_ike(e, heir, rx->now);
	}
	ike_sa_free(nsa);
	return rc;
}

void rekey_ike_on_delete(struct ike_engine *e, struct ike_sa *sa, uint64_t now_ms)
{
	struct ike_sa *coll = sa->rk.coll_id ? eng_sa_by_id(e, sa->rk.coll_id) : NULL;

	sa->rk.coll_id = 0;
	if (coll && coll->state == IKE_ST_ESTABLISHED && !sa->rk.replaced) {
		/* the peer's rekey won before our answer came: its SA takes the children */
		log_info(LOG_IKE, "#%u: deleted by the peer during a rekey collision: #%u stays",
			 sa->id, coll->id);
		hand_over(e, sa, coll, now_ms);
	}
}

void rekey_ike_arm(struct ike_engine *e, struct ike_sa *sa, uint64_t now_ms)
{
	uint64_t life, jitter;

	if (sa->state != IKE_ST_ESTABLISHED || sa->rk.at_ms || sa->rk.replaced ||
	    !sa->conn->rekey_time)
		return;
	life = (uint64_t)sa->conn->rekey_time * 1000;
	jitter = jitter_ms(e, (uint64_t)sa->conn->rand_time * 1000);
	if (jitter >= life)
		jitter = life - 1;
	sa->rk.at_ms = now_ms + life - jitter;
}

uint64_t rekey_ike_deadline(const struct ike_sa *sa)
{
	if (sa->state == IKE_ST_REKEYED)
		return sa->rk.expire_ms;
	if (sa->state != IKE_ST_ESTABLISHED || sa->req || sa->ccs.active || sa->rk.active ||
	    sa->rk.replaced || sa->delete_pending || !sa->rk.at_ms)
		return UINT64_MAX;
	return sa->rk.at_ms;
}

void rekey_ike_poll(struct ike_engine *e, struct ike_sa *sa, uint64_t now_ms)
{
	if (sa->state == IKE_ST_REKEYED && now_ms >= sa->rk.expire_ms) {
		log_info(LOG_IKE, "#%u: rekeyed IKE_SA %s[%u] not deleted by the peer: freed",
			 sa->id, sa->conn->name, sa->id);
		ike_sa_kill(e, sa);
		return;
	}
	if (rekey_ike_deadline(sa) > now_ms || sa->state != IKE_ST_ESTABLISHED)
		return;
	if (rekey_ike_start(e, sa, now_ms) != 0)
		sa->rk.at_ms = now_ms + REKEY_IKE_FAILED_MS; /* could not start: later */
}
