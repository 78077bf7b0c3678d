/* CREATE_CHILD_SA creating a new Child SA (RFC 7296 §1.3.1, §2.9, §2.17), initiator and
 * responder. KEYMAT = prf+(SK_d, [g^ir (new) |] Ni | Nr) with this exchange's nonces.
 */
#include "ike/v2/child_new.h"

#include <stdio.h>
#include <string.h>

#include "crypto/kex.h"
#include "ike/child.h"
#include "ike/engine.h"
#include "ike/proposal.h"
#include "ike/sa.h"
#include "ike/sk.h"
#include "ike/trap.h"
#include "ike/v2/informational.h"
#include "lib/err.h"
#include "lib/log.h"
#include "wire/ikev2_build.h"
#include "wire/ikev2_const.h"

#define CHILD_NEW_KE_RETRIES 2 /* INVALID_KE_PAYLOAD answers followed per child */

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static const struct alg_proposal *props_of(const struct conn_child *ch, size_t *n, uint8_t *proto)
{
	if (ch->nesp) {
		*n = ch->nesp;
		*proto = IKEV2_PROTO_ESP;
		return ch->esp;
	}
	*n = ch->nah;
	*proto = IKEV2_PROTO_AH;
	return ch->ah;
}

static int cfg_index(const struct ike_sa *sa, const struct conn_child *cfg)
{
	for (size_t i = 0; i < sa->conn->nchildren && i < 32; i++)
		if (sa->conn->children[i] == cfg)
			return (int)i;
	return -1;
}

/* Whether sa has a live Child SA of cfg (installed and not being replaced away). */
static bool has_child(const struct ike_sa *sa, const struct conn_child *cfg)
{
	for (size_t i = 0; i < sa->nchildren; i++)
		if (sa->children[i]->cfg == cfg && sa->children[i]->state == IKE_CHILD_INSTALLED &&
		    sa->children[i]->del == INFO_DEL_NONE)
			return true;
	return false;
}

int child_new_want(struct ike_engine *e, struct ike_sa *sa, const struct conn_child *cfg,
		   uint64_t now_ms)
{
	int idx = cfg_index(sa, cfg);

	if (idx < 0)
		return ERR_NOTFOUND;
	if (sa->state > IKE_ST_ESTABLISHED || sa->delete_pending || sa->rk.replaced ||
	    sa->reauth_by)
		return ERR_BADSTATE;
	if (has_child(sa, cfg) || (sa->cn_want & (1u << idx)) ||
	    (sa->cn.active && sa->cn.cfg == idx) ||
	    (sa->state != IKE_ST_ESTABLISHED && sa->want_child == cfg))
		return ERR_EXISTS;
	sa->cn_want |= 1u << idx;
	child_new_poll(e, sa, now_ms);
	return 0;
}

static bool window_free(const struct ike_sa *sa)
{
	return sa->state == IKE_ST_ESTABLISHED && !sa->req && !sa->ccs.active && !sa->cn.active &&
	       !sa->rk.active && !sa->rk.replaced && !sa->delete_pending && !sa->reauth_by;
}

uint64_t child_new_deadline(const struct ike_sa *sa)
{
	return sa->cn_want && window_free(sa) ? 0 : UINT64_MAX;
}

/* The selectors we propose for ch: its configuration resolved against the IKE SA's addresses
 * (computed again for the answer rather than kept on the SA). */
static int proposed_ts(const struct ike_sa *sa, const struct conn_child *ch, struct ts_list *tsi,
		       struct ts_list *tsr)
{
	int rc = child_ts_resolve(&ch->local_ts, &sa->path.local, tsi);

	return rc ? rc : child_ts_resolve(&ch->remote_ts, &sa->path.remote, tsr);
}

/* HDR, SK {[N(USE_TRANSPORT_MODE),] SA, Ni, [KEi,] TSi, TSr} for conn->children[idx]. */
static int start(struct ike_engine *e, struct ike_sa *sa, uint8_t idx, uint64_t now_ms)
{
	const struct conn_child *ch = sa->conn->children[idx];
	struct ikev2_blob nonce = {.data = sa->cn.ni, .len = IKE_NONCE_LEN};
	const struct alg_proposal *props;
	struct ts_list tsi, tsr;
	struct ikev2_builder b;
	struct ikev2_hdr h;
	uint16_t group = 0;
	uint8_t proto, spi[4];
	size_t n = 0, len = 0;
	int rc;

	props = props_of(ch, &n, &proto);
	rc = child_new_spi(e, &sa->pending_spi);
	if (rc == 0)
		rc = eng_rand(e, IKE_RAND_NONCE, sa->cn.ni, IKE_NONCE_LEN);
	if (rc == 0)
		rc = proposed_ts(sa, ch, &tsi, &tsr);
	if (rc == 0)
		trap_packet_ts(e, sa->conn->name, ch->name, &tsi, &tsr);
	put32(spi, sa->pending_spi);
	e->sa_a.nproposals = 0;
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = prop_to_wire(&props[i], (uint8_t)(i + 1), proto, spi, 4, 0, &e->sa_a);
	kex_free(sa->cn.kex);
	sa->cn.kex = NULL;
	if (sa->cn.ke_group)
		group = sa->cn.ke_group;
	else if (n && props[0].n[IKEV2_TRANS_KE])
		group = props[0].t[IKEV2_TRANS_KE][0].id;
	if (rc == 0 && group) {
		/* PFS (§1.3.1) */
		sa->cn.kex = eng_kex_new(e, group);
		if (!sa->cn.kex)
			rc = ERR_CRYPTO;
	}
	if (rc)
		return rc;
	ike_sa_hdr(sa, IKEV2_EXCH_CREATE_CHILD_SA, false, sa->next_req_id, &h);
	ikev2_build_init(&b, e->tx, sizeof(e->tx));
	ikev2_build_hdr(&b, &h);
	sk_begin(sa, &b);
	if (ch->mode == CONN_MODE_TRANSPORT) {
		struct ikev2_notify tn = {.type = IKEV2_N_USE_TRANSPORT_MODE};
		ikev2_build_notify(&b, &tn);
	}
	ikev2_build_sa(&b, &e->sa_a);
	ikev2_build_nonce(&b, &nonce);
	if (sa->cn.kex) {
		struct ikev2_ke_payload ke = {.group = kex_group(sa->cn.kex)};
		ke.data = kex_public(sa->cn.kex, &ke.len);
		ikev2_build_ke(&b, &ke);
	}
	child_ts_to_wire(&tsi, &e->ts_a);
	child_ts_to_wire(&tsr, &e->ts_b);
	ikev2_build_ts(&b, IKEV2_PT_TSi, &e->ts_a);
	ikev2_build_ts(&b, IKEV2_PT_TSr, &e->ts_b);
	rc = sk_end_seal(e, sa, &b, e->tx, &len);
	if (rc == 0)
		rc = ike_sa_send_request(e, sa, now_ms, e->tx, len, sa->next_req_id,
					 IKEV2_EXCH_CREATE_CHILD_SA);
	if (rc)
		return rc;
	sa->next_req_id++;
	sa->cn.active = true;
	sa->cn.cfg = idx;
	log_info(LOG_IKE, "#%u: creating CHILD_SA %s (CREATE_CHILD_SA%s)", sa->id, ch->name,
		 group ? ", PFS" : "");
	return 0;
}

void child_new_poll(struct ike_engine *e, struct ike_sa *sa, uint64_t now_ms)
{
	while (sa->cn_want && window_free(sa)) {
		uint8_t idx = 0;
		int rc;
		while (!(sa->cn_want & (1u << idx)))
			idx++;
		sa->cn_want &= ~(1u << idx);
		if (idx >= sa->conn->nchildren)
			continue;
		sa->cn.ke_group = 0;
		sa->cn.retries = 0;
		rc = start(e, sa, idx, now_ms);
		if (rc)
			eng_event(e, sa->id, 0, IKE_EV_CHILD_FAILED,
				  "CHILD_SA %s could not be requested: %s",
				  sa->conn->children[idx]->name, err_str(rc));
	}
}

/* The first error notify of a message, or NULL. */
static const struct ikev2_payload *error_notify(const struct ikev2_digest *d)
{
	for (const struct ikev2_payload *p = ikev2_digest_first(d, IKEV2_PT_N); p;
	     p = ikev2_digest_next(d, p))
		if (ikev2_notify_is_error(p->u.n.type))
			return p;
	return NULL;
}

/* The answer carried an error notify: retry INVALID_KE_PAYLOAD in the asked group, else say
 * why the child was not created. */
static void on_refused(struct ike_engine *e, struct ike_sa *sa, const struct conn_child *ch,
		       const struct ikev2_payload *p, uint64_t now)
{
	char peer[ADDR_STRLEN], a[400], b[256];
	const struct alg_proposal *props;
	struct ts_list tsi, tsr;
	uint8_t proto;
	size_t n;

	ike_sa_peer_str(sa, peer, sizeof(peer));
	props = props_of(ch, &n, &proto);
	if (proposed_ts(sa, ch, &tsi, &tsr) != 0)
		tsi.n = tsr.n = 0;
	if (p && p->u.n.type == IKEV2_N_INVALID_KE_PAYLOAD) {
		uint16_t g = p->u.n.len == 2 ? (uint16_t)(p->u.n.data[0] << 8 | p->u.n.data[1]) : 0;
		if (g && prop_has_ke(props, n, g) && g != sa->cn.ke_group &&
		    sa->cn.retries < CHILD_NEW_KE_RETRIES) {
			log_info(LOG_IKE, "#%u: %s asks for DH group %u for CHILD_SA %s: retrying",
				 sa->id, peer, g, ch->name);
			sa->cn.ke_group = g;
			sa->cn.retries++;
			if (start(e, sa, sa->cn.cfg, now) == 0)
				return;
		}
		eng_event(e, sa->id, 0, IKE_EV_CHILD_FAILED,
			  "INVALID_KE_PAYLOAD from %s for CHILD_SA %s: it wants DH group %u, we "
			  "proposed %s",
			  peer, ch->name, g, prop_list_str(props, n, a, sizeof(a)));
	} else if (p && p->u.n.type == IKEV2_N_NO_PROPOSAL_CHOSEN) {
		eng_event(e, sa->id, 0, IKE_EV_CHILD_FAILED,
			  "NO_PROPOSAL_CHOSEN from %s for CHILD_SA %s: we proposed %s", peer,
			  ch->name, prop_list_str(props, n, a, sizeof(a)));
	} else if (p && p->u.n.type == IKEV2_N_TS_UNACCEPTABLE) {
		eng_event(e, sa->id, 0, IKE_EV_CHILD_FAILED,
			  "TS_UNACCEPTABLE from %s for CHILD_SA %s: we proposed TSi %s TSr %s",
			  peer, ch->name, child_ts_str(&tsi, a, sizeof(a)),
			  child_ts_str(&tsr, b, sizeof(b)));
	} else {
		eng_event(e, sa->id, 0, IKE_EV_CHILD_FAILED, "CHILD_SA %s not created by %s: %s",
			  ch->name, peer,
			  p ? ikev2_notify_str(p->u.n.type) : "an unacceptable answer");
	}
}

int child_new_on_response(struct ike_engine *e, struct ike_sa *sa, const struct ike_rx *rx)
{
	const struct ikev2_payload *psa = ikev2_digest_first(rx->d, IKEV2_PT_SA);
	const struct ikev2_payload *pn = ikev2_digest_first(rx->d, IKEV2_PT_Nx);
	const struct ikev2_payload *pke = ikev2_digest_first(rx->d, IKEV2_PT_KE);
	const struct ikev2_payload *ptsi = ikev2_digest_first(rx->d, IKEV2_PT_TSi);
	const struct ikev2_payload *ptsr = ikev2_digest_first(rx->d, IKEV2_PT_TSr);
	const struct conn_child *ch;
	const struct alg_proposal *props;
	struct secret *g_ir = NULL;
	struct prop_choice choice;
	struct ts_list tsi, tsr, ptsi_l, ptsr_l;
	struct ike_child *c;
	char peer[ADDR_STRLEN], a[256], b[256];
	const char *why = NULL;
	bool transport;
	uint8_t proto;
	size_t n;

	ike_sa_request_done(sa);
	sa->cn.active = false;
	if (sa->cn.cfg >= sa->conn->nchildren)
		goto out;
	ch = sa->conn->children[sa->cn.cfg];
	ike_sa_peer_str(sa, peer, sizeof(peer));
	if (rx->error_only || !psa || !pn || !ptsi || !ptsr) {
		on_refused(e, sa, ch, error_notify(rx->d), rx->now);
		goto out;
	}
	props = props_of(ch, &n, &proto);
	transport = ch->mode == CONN_MODE_TRANSPORT;
	ts_list_init(&ptsi_l);
	ts_list_init(&ptsr_l);
	if (proposed_ts(sa, ch, &ptsi_l, &ptsr_l) != 0)
		why = "selectors we cannot resolve any more";
	else if (ikev2_payload_sa(psa, &e->sa_b) != 0 ||
		 prop_check_response(&e->sa_b, proto, props, n, 0, &choice) != 0 ||
		 choice.spi_len != 4)
		why = "a proposal we did not offer";
	else if (pn->u.nonce.len < 16 || pn->u.nonce.len > IKEV2_NONCE_MAX)
		why = "a nonce of a bad length";
	else if (sa->cn.kex ? (choice.ke != kex_group(sa->cn.kex) || !pke ||
			       pke->u.ke.group != choice.ke ||
			       kex_derive(sa->cn.kex, pke->u.ke.data, pke->u.ke.len, &g_ir) != 0)
			    : (choice.ke != 0 || pke != NULL))
		why = "a key exchange that does not match ours (PFS)";
	else if (ikev2_payload_ts(ptsi, &e->ts_a) != 0 || ikev2_payload_ts(ptsr, &e->ts_b) != 0 ||
		 child_ts_from_wire(&e->ts_a, &tsi) != 0 ||
		 child_ts_from_wire(&e->ts_b, &tsr) != 0 || tsi.n == 0 || tsr.n == 0)
		why = "malformed selectors";
	else if (transport && !ikev2_digest_notify(rx->d, IKEV2_N_USE_TRANSPORT_MODE))
		why = "tunnel mode where we asked for transport mode";
	if (!why) {
		for (size_t i = 0; i < tsi.n && !why; i++)
			if (!ts_list_covers(&ptsi_l, &tsi.ts[i]))
				why = "selectors outside what we proposed";
		for (size_t i = 0; i < tsr.n && !why; i++)
			if (!ts_list_covers(&ptsr_l, &tsr.ts[i]))
				why = "selectors outside what we proposed";
	}
	if (why) {
		eng_event(e, sa->id, 0, IKE_EV_CHILD_FAILED,
			  "CHILD_SA %s not created: %s answered %s (TSi %s TSr %s)", ch->name, peer,
			  why, child_ts_str(&ptsi_l, a, sizeof(a)),
			  child_ts_str(&ptsr_l, b, sizeof(b)));
		goto out;
	}
	if (child_new(e, sa, ch, &c) != 0) {
		eng_event(e, sa->id, 0, IKE_EV_CHILD_FAILED,
			  "CHILD_SA %s not created: too many CHILD_SAs on IKE_SA %s[%u]", ch->name,
			  sa->conn->name, sa->id);
		goto out;
	}
	c->alg = choice;
	c->spi_in = sa->pending_spi;
	c->spi_out = get32(choice.spi);
	c->mode = transport ? CONN_MODE_TRANSPORT : CONN_MODE_TUNNEL;
	if (ike_child_set_ts(c, &tsi, &tsr) != 0 ||
	    child_install_nonces(e, sa, c, g_ir, sa->cn.ni, IKE_NONCE_LEN, pn->u.nonce.data,
				 pn->u.nonce.len, true) != 0)
		ike_sa_child_remove(sa, c);
out:
	secret_free(g_ir);
	if (!sa->cn.active) {
		kex_free(sa->cn.kex);
		sa->cn.kex = NULL;
	}
	return 0;
}

int child_new_seal_answer(struct ike_engine *e, struct ike_sa *sa, const struct ike_rx *rx,
			  const struct ike_child *c, const struct prop_choice *choice,
			  const struct ikev2_blob *nonce, const struct kex *k, size_t *len)
{
	struct prop_choice ours = *choice;
	struct ikev2_builder b;
	struct ikev2_hdr h;

	/* HDR, SK {[N(USE_TRANSPORT_MODE),] SA, Nr, [KEr,] TSi, TSr} */
	put32(ours.spi, c->spi_in);
	prop_choice_to_wire(&ours, &e->sa_a);
	ike_sa_hdr(sa, IKEV2_EXCH_CREATE_CHILD_SA, true, rx->hdr->msgid, &h);
	ikev2_build_init(&b, e->tx, sizeof(e->tx));
	ikev2_build_hdr(&b, &h);
	sk_begin(sa, &b);
	if (c->mode == CONN_MODE_TRANSPORT) {
		struct ikev2_notify tn = {.type = IKEV2_N_USE_TRANSPORT_MODE};
		ikev2_build_notify(&b, &tn);
	}
	ikev2_build_sa(&b, &e->sa_a);
	ikev2_build_nonce(&b, nonce);
	if (k) {
		struct ikev2_ke_payload ke = {.group = kex_group(k)};
		ke.data = kex_public(k, &ke.len);
		ikev2_build_ke(&b, &ke);
	}
	child_ts_wire(c, false, &e->ts_a); /* TSi: the initiator's end, the peer's */
	child_ts_wire(c, true, &e->ts_b);
	ikev2_build_ts(&b, IKEV2_PT_TSi, &e->ts_a);
	ikev2_build_ts(&b, IKEV2_PT_TSr, &e->ts_b);
	return sk_end_seal(e, sa, &b, e->tx, len);
}

/* Responder: an encrypted answer HDR, SK {N(type[, group])}. */
static int answer_error(struct ike_engine *e, struct ike_sa *sa, const struct ike_rx *rx,
			uint16_t type, uint16_t group)
{
	uint8_t g[2] = {(uint8_t)(group >> 8), (uint8_t)group};

	return sk_answer_notify(e, sa, IKEV2_EXCH_CREATE_CHILD_SA, rx->hdr->msgid, type,
				group ? g : NULL, group ? 2 : 0);
}

int child_new_on_request(struct ike_engine *e, struct ike_sa *sa, const struct ike_rx *rx)
{
	const struct ikev2_payload *psa = ikev2_digest_first(rx->d, IKEV2_PT_SA);
	const struct ikev2_payload *pn = ikev2_digest_first(rx->d, IKEV2_PT_Nx);
	const struct ikev2_payload *pke = ikev2_digest_first(rx->d, IKEV2_PT_KE);
	const struct ikev2_payload *ptsi = ikev2_digest_first(rx->d, IKEV2_PT_TSi);
	const struct ikev2_payload *ptsr = ikev2_digest_first(rx->d, IKEV2_PT_TSr);
	bool transport = ikev2_digest_notify(rx->d, IKEV2_N_USE_TRANSPORT_MODE) != NULL;
	uint8_t nr[IKE_NONCE_LEN], proto;
	struct ikev2_blob nonce = {.data = nr, .len = sizeof(nr)};
	struct ts_list tsi, tsr, ntsi, ntsr;
	const struct conn_child *ch = NULL;
	const struct alg_proposal *props;
	struct prop_choice choice;
	struct ike_child *c = NULL;
	struct kex *k = NULL;
	struct secret *g_ir = NULL;
	char peer[ADDR_STRLEN], why[IKE_EVENT_MSG_MAX] = "";
	char x[400], y[400], ours[400];
	uint16_t err = 0, err_group = 0;
	size_t n = 0, len = 0;
	int rc = 0;

	sa->next_peer_id = rx->hdr->msgid + 1;
	ike_sa_peer_str(sa, peer, sizeof(peer));
	if (!psa || !pn || !ptsi || !ptsr || ikev2_payload_sa(psa, &e->sa_b) != 0 ||
	    ikev2_payload_ts(ptsi, &e->ts_a) != 0 || ikev2_payload_ts(ptsr, &e->ts_b) != 0 ||
	    child_ts_from_wire(&e->ts_a, &tsi) != 0 || child_ts_from_wire(&e->ts_b, &tsr) != 0 ||
	    pn->u.nonce.len < 16 || pn->u.nonce.len > IKEV2_NONCE_MAX) {
		err = IKEV2_N_INVALID_SYNTAX;
		snprintf(why, sizeof(why), "malformed CREATE_CHILD_SA request from %s", peer);
		goto out;
	}
	if (child_select(sa, &tsi, &tsr, &ch, &ntsi, &ntsr) != 0) {
		err = IKEV2_N_TS_UNACCEPTABLE;
		snprintf(why, sizeof(why),
			 "TS_UNACCEPTABLE: %s proposed TSi %s TSr %s, none of our children of "
			 "'%s' allows them (we allow %s)",
			 peer, child_ts_str(&tsi, x, sizeof(x)), child_ts_str(&tsr, y, sizeof(y)),
			 sa->conn->name, child_allowed_str(sa, ours, sizeof(ours)));
		goto out;
	}
	props = props_of(ch, &n, &proto);
	if (prop_select(&e->sa_b, proto, props, n, 0, &choice) != 0 || (!choice.ke && pke)) {
		err = IKEV2_N_NO_PROPOSAL_CHOSEN;
		snprintf(why, sizeof(why),
			 "no proposal chosen for CHILD_SA %s: we accept %s, %s proposed %s%s",
			 ch->name, prop_list_str(props, n, x, sizeof(x)), peer,
			 prop_wire_str(&e->sa_b, y, sizeof(y)),
			 choice.ke || !pke ? "" : " with a KE we do not want");
		goto out;
	}
	if (choice.spi_len != 4) {
		err = IKEV2_N_INVALID_SYNTAX;
		snprintf(why, sizeof(why), "CHILD_SA proposal from %s without a 4-octet SPI", peer);
		goto out;
	}
	if (choice.ke && (!pke || pke->u.ke.group != choice.ke)) {
		/* §1.3: the group we want; the initiator retries (no event: not a failure yet) */
		log_info(LOG_IKE,
			 "#%u: CHILD_SA %s: asking %s for DH group %u (INVALID_KE_PAYLOAD)", sa->id,
			 ch->name, peer, choice.ke);
		rc = answer_error(e, sa, rx, IKEV2_N_INVALID_KE_PAYLOAD, choice.ke);
		goto done;
	}
	if (choice.ke) {
		k = eng_kex_new(e, choice.ke);
		if (!k || kex_derive(k, pke->u.ke.data, pke->u.ke.len, &g_ir) != 0) {
			err = k ? IKEV2_N_INVALID_SYNTAX : IKEV2_N_NO_ADDITIONAL_SAS;
			snprintf(why, sizeof(why), "CHILD_SA %s: key exchange with %s failed",
				 ch->name, peer);
			goto out;
		}
	}
	if (child_new(e, sa, ch, &c) != 0 || child_new_spi(e, &c->spi_in) != 0 ||
	    eng_rand(e, IKE_RAND_NONCE, nr, sizeof(nr)) != 0) {
		err = IKEV2_N_NO_ADDITIONAL_SAS;
		snprintf(why, sizeof(why), "CHILD_SA %s for %s: too many CHILD_SAs", ch->name,
			 peer);
		goto out;
	}
	c->alg = choice;
	c->spi_out = get32(choice.spi);
	c->mode =
	    (ch->mode == CONN_MODE_TRANSPORT && transport) ? CONN_MODE_TRANSPORT : CONN_MODE_TUNNEL;
	if (ike_child_set_ts(c, &ntsr, &ntsi) != 0) {
		err = IKEV2_N_NO_ADDITIONAL_SAS;
		snprintf(why, sizeof(why), "CHILD_SA %s for %s: out of memory", ch->name, peer);
		goto out;
	}
	rc = child_new_seal_answer(e, sa, rx, c, &choice, &nonce, k, &len);
	if (rc == 0)
		rc = child_install_nonces(e, sa, c, g_ir, pn->u.nonce.data, pn->u.nonce.len, nr,
					  sizeof(nr), false);
	if (rc) {
		err = IKEV2_N_NO_ADDITIONAL_SAS;
		snprintf(why, sizeof(why), "CHILD_SA %s for %s could not be installed", ch->name,
			 peer);
		goto out;
	}
	rc = ike_sa_send_response(e, sa, e->tx, len, rx->hdr->msgid);
out:
	if (err) {
		if (c)
			ike_sa_child_remove(sa, c);
		eng_event(e, sa->id, 0, IKE_EV_CHILD_FAILED, "%s", why);
		rc = answer_error(e, sa, rx, err, err_group);
	}
done:
	kex_free(k);
	secret_free(g_ir);
	secret_wipe(nr, sizeof(nr));
	return rc;
}
