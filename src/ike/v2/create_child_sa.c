/* CREATE_CHILD_SA: Child SA rekeying (RFC 7296 §1.3.3, §2.17), make-before-break.
 *
 *   Initiator                                   Responder
 *   HDR, SK {N(REKEY_SA), SA, Ni, TSi, TSr}  -->
 *                                           <--  HDR, SK {SA, Nr, TSi, TSr}
 *   (new SA installed on both sides; then)
 *   HDR, SK {D(old inbound SPI)}             -->  (INFORMATIONAL, v2/informational.c)
 *
 * KEYMAT = prf+(SK_d, Ni | Nr) with the nonces of this exchange.
 */
#include "ike/v2/create_child_sa.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/kex.h"
#include "ike/child.h"
#include "ike/engine.h"
#include "ike/proposal.h"
#include "ike/sa.h"
#include "ike/sk.h"
#include "ike/v2/child_new.h"
#include "ike/v2/informational.h"
#include "lib/err.h"
#include "lib/log.h"
#include "wire/ikev2_build.h"
#include "wire/ikev2_const.h"

/* As rekey responder, the new outbound SA is installed at the latest this long after our
 * answer, when the initiator has not deleted the replaced SA by then. */
#define CHILD_OUT_DELAY_MS 10000

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

static const struct alg_proposal *props_of(const struct conn_child *ch, uint8_t proto, size_t *n)
{
	if (proto == IKEV2_PROTO_AH) {
		*n = ch->nah;
		return ch->ah;
	}
	*n = ch->nesp;
	return ch->esp;
}

/* A Child SA slot for the successor of old: a deleted slot reused, else a new one. The new
 * child keeps old's reqid (the policies stay), configuration, protocol and mode. */
static struct ike_child *successor(struct ike_engine *e, struct ike_sa *sa,
				   const struct ike_child *old)
{
	struct ike_child *c = NULL;

	for (size_t i = 0; i < sa->nchildren && !c; i++)
		if (sa->children[i]->state == IKE_CHILD_DELETED &&
		    sa->children[i]->del == INFO_DEL_NONE && sa->children[i] != old)
			c = sa->children[i];
	if (c) {
		free(c->lts); /* a deleted slot reused: its selectors go */
		free(c->rts);
		memset(c, 0, sizeof(*c));
	} else
		c = ike_sa_child_add(sa);
	if (!c)
		return NULL;
	c->id = e->next_id++;
	c->cfg = old->cfg;
	c->from_rekey = true; /* replaces old: no updown */
	c->peer_no_tfc = old->peer_no_tfc;
	c->reqid = old->reqid;
	c->proto = old->proto;
	c->mode = old->mode;
	{
		struct ts_list l, r;
		ike_child_ts(old, &l, &r);
		if (ike_child_set_ts(c, &l, &r) != 0) {
			c->state = IKE_CHILD_DELETED; /* a free slot again */
			return NULL;
		}
	}
	return c;
}

/* Nonce order for §2.8.1: octet-wise, a shorter prefix first. */
static int nonce_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	return c ? c : (alen > blen) - (alen < blen);
}

/* The lowest of two nonces. */
static void nonce_min(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
		      const uint8_t **m, size_t *mlen)
{
	bool first = nonce_cmp(a, alen, b, blen) <= 0;

	*m = first ? a : b;
	*mlen = first ? alen : blen;
}

/* §2.8.1 simultaneous rekeys of one Child SA: both exchanges created a new SA; "the SA created
 * with the lowest of the four nonces SHOULD be deleted by the endpoint that created it" (its
 * initiator). True when that is ours (mine: the SA our exchange with nonces ni, nr created). */
static bool we_lose(const struct ike_sa *sa, const uint8_t *ni, size_t ni_len, const uint8_t *nr,
		    size_t nr_len)
{
	const uint8_t *ours, *theirs;
	size_t ours_len, theirs_len;

	nonce_min(ni, ni_len, nr, nr_len, &ours, &ours_len);
	nonce_min(sa->ccs.coll_ni, sa->ccs.coll_ni_len, sa->ccs.coll_nr, IKE_NONCE_LEN, &theirs,
		  &theirs_len);
	return nonce_cmp(ours, ours_len, theirs, theirs_len) < 0;
}

int create_child_sa_rekey(struct ike_engine *e, struct ike_sa *sa, struct ike_child *c,
			  uint64_t now_ms)
{
	struct ikev2_notify rn = {.type = IKEV2_N_REKEY_SA, .proto = c->proto, .spi_size = 4};
	struct ikev2_blob nonce = {.data = sa->ccs.ni, .len = IKE_NONCE_LEN};
	const struct alg_proposal *props;
	struct ikev2_builder b;
	struct ikev2_hdr h;
	uint8_t spi_old[4], spi_new[4];
	size_t n = 0, len = 0;
	int rc;

	if (sa->state != IKE_ST_ESTABLISHED || sa->req || sa->ccs.active ||
	    c->state != IKE_CHILD_INSTALLED || c->rekeyed || c->del != INFO_DEL_NONE)
		return ERR_BADSTATE;
	rc = child_new_spi(e, &sa->ccs.spi);
	if (rc == 0)
		rc = eng_rand(e, IKE_RAND_NONCE, sa->ccs.ni, IKE_NONCE_LEN);
	if (rc)
		return rc;
	put32(spi_old, c->spi_in);
	put32(spi_new, sa->ccs.spi);
	rn.spi = spi_old;
	props = props_of(c->cfg, c->proto, &n);
	e->sa_a.nproposals = 0;
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = prop_to_wire(&props[i], (uint8_t)(i + 1), c->proto, spi_new, 4, 0, &e->sa_a);
	kex_free(sa->ccs.kex);
	sa->ccs.kex = NULL;
	if (rc == 0 && n && props[0].n[IKEV2_TRANS_KE]) {
		/* PFS: a KE of the first proposal's first group */
		sa->ccs.kex = eng_kex_new(e, props[0].t[IKEV2_TRANS_KE][0].id);
		if (!sa->ccs.kex)
			rc = ERR_CRYPTO;
	}
	if (rc)
		return rc;
	/* HDR, SK {N(REKEY_SA), [N(USE_TRANSPORT_MODE),] SA, Ni, TSi, TSr} */
	ike_sa_hdr(sa, IKEV2_EXCH_CREATE_CHILD_SA, false, sa->next_req_id, &h);
	ikev2_build_init(&b, e->tx, sizeof(e->tx));
	ikev2_build_hdr(&b, &h);
	sk_begin(sa, &b);
	ikev2_build_notify(&b, &rn);
	if (c->mode == CONN_MODE_TRANSPORT) {
		struct ikev2_notify tn = {.type = IKEV2_N_USE_TRANSPORT_MODE};
		ikev2_build_notify(&b, &tn);
	}
	ikev2_build_sa(&b, &e->sa_a);
	ikev2_build_nonce(&b, &nonce);
	if (sa->ccs.kex) {
		struct ikev2_ke_payload ke = {.group = kex_group(sa->ccs.kex)};
		ke.data = kex_public(sa->ccs.kex, &ke.len);
		ikev2_build_ke(&b, &ke);
	}
	child_ts_wire(c, true, &e->ts_a); /* TSi: our end, we initiate */
	child_ts_wire(c, false, &e->ts_b);
	ikev2_build_ts(&b, IKEV2_PT_TSi, &e->ts_a);
	ikev2_build_ts(&b, IKEV2_PT_TSr, &e->ts_b);
	rc = sk_end_seal(e, sa, &b, e->tx, &len);
	if (rc == 0)
		rc = ike_sa_send_request(e, sa, now_ms, e->tx, len, sa->next_req_id,
					 IKEV2_EXCH_CREATE_CHILD_SA);
	if (rc)
		return rc;
	sa->next_req_id++;
	sa->ccs.active = true;
	sa->ccs.old = c;
	log_info(LOG_IKE, "#%u: rekeying CHILD_SA %s{%u} (SPIs %08x_i %08x_o)", sa->id,
		 c->cfg->name, c->reqid, c->spi_in, c->spi_out);
	return 0;
}

/* Responder: an encrypted answer HDR, SK {N(type[, group])}; group != 0 for
 * INVALID_KE_PAYLOAD (§1.3: the group we accept). */
static int answer_error(struct ike_engine *e, struct ike_sa *sa, const struct ike_rx *rx,
			uint16_t type, uint16_t group)
{
	uint8_t g[2] = {(uint8_t)(group >> 8), (uint8_t)group};

	return sk_answer_notify(e, sa, IKEV2_EXCH_CREATE_CHILD_SA, rx->hdr->msgid, type,
				group ? g : NULL, group ? 2 : 0);
}

/* The Child SA of sa the REKEY_SA notify names (by our outbound SPI), or NULL. */
static struct ike_child *rekeyed_child(struct ike_sa *sa, const struct ikev2_payload *prk)
{
	if (!prk || prk->u.n.spi_size != 4 || !prk->u.n.spi)
		return NULL;
	for (size_t i = 0; i < sa->nchildren; i++) {
		struct ike_child *x = sa->children[i];
		if (x->state == IKE_CHILD_INSTALLED && x->proto == prk->u.n.proto &&
		    x->spi_out == get32(prk->u.n.spi))
			return x;
	}
	return NULL;
}

int create_child_sa_on_request(struct ike_engine *e, struct ike_sa *sa, const struct ike_rx *rx)
{
	const struct ikev2_payload *prk = ikev2_digest_notify(rx->d, IKEV2_N_REKEY_SA);
	const struct ikev2_payload *pn = ikev2_digest_first(rx->d, IKEV2_PT_Nx);
	const struct ikev2_payload *pke = ikev2_digest_first(rx->d, IKEV2_PT_KE);
	uint8_t nr[IKE_NONCE_LEN];
	struct ikev2_blob nonce = {.data = nr, .len = sizeof(nr)};
	struct ike_child *old, *c = NULL;
	struct prop_choice choice;
	const struct alg_proposal *props;
	struct kex *k = NULL;
	struct secret *g_ir = NULL;
	uint16_t err = 0, err_group = 0;
	size_t n = 0, len = 0;
	int rc = 0;

	sa->next_peer_id = rx->hdr->msgid + 1;
	if (!prk)
		return child_new_on_request(e, sa, rx); /* a new Child SA (v2/child_new.c) */
	old = rekeyed_child(sa, prk);
	if (!old) {
		err = IKEV2_N_CHILD_SA_NOT_FOUND;
		goto out;
	}
	if (old->del != INFO_DEL_NONE) {
		err = IKEV2_N_TEMPORARY_FAILURE; /* §2.25.1: we are closing it */
		goto out;
	}
	props = props_of(old->cfg, old->proto, &n);
	if (ikev2_payload_sa(ikev2_digest_first(rx->d, IKEV2_PT_SA), &e->sa_b) != 0 ||
	    prop_select(&e->sa_b, old->proto, props, n, 0, &choice) != 0 || choice.spi_len != 4 ||
	    (!choice.ke && pke)) {
		err = IKEV2_N_NO_PROPOSAL_CHOSEN;
		goto out;
	}
	if (choice.ke && (!pke || pke->u.ke.group != choice.ke)) {
		err = IKEV2_N_INVALID_KE_PAYLOAD;
		err_group = choice.ke;
		goto out;
	}
	if (!pn || pn->u.nonce.len < 16 || pn->u.nonce.len > IKEV2_NONCE_MAX) {
		err = IKEV2_N_INVALID_SYNTAX;
		goto out;
	}
	if (choice.ke) {
		/* PFS (§1.3.1): our KEr and g^ir (new) */
		k = eng_kex_new(e, choice.ke);
		if (!k || kex_derive(k, pke->u.ke.data, pke->u.ke.len, &g_ir) != 0) {
			err = k ? IKEV2_N_INVALID_SYNTAX : IKEV2_N_NO_ADDITIONAL_SAS;
			goto out;
		}
	}
	c = successor(e, sa, old);
	if (!c || child_new_spi(e, &c->spi_in) != 0 ||
	    eng_rand(e, IKE_RAND_NONCE, nr, sizeof(nr)) != 0) {
		err = IKEV2_N_NO_ADDITIONAL_SAS;
		goto out;
	}
	c->alg = choice;
	c->spi_out = get32(choice.spi);
	/* the selectors of the SA being rekeyed */
	rc = child_new_seal_answer(e, sa, rx, c, &choice, &nonce, k, &len);
	if (!(sa->ccs.active && sa->ccs.old == old)) {
		/* the initiator installs the new SA when our answer arrives: keep sending with the
		 * old one until it deletes that (a collision settles who keeps what instead) */
		c->out_pending = true;
		c->replaces = old->id;
		c->out_due_ms = rx->now + CHILD_OUT_DELAY_MS;
	}
	if (rc == 0)
		rc = child_install_nonces(e, sa, c, g_ir, pn->u.nonce.data, pn->u.nonce.len, nr,
					  sizeof(nr), false);
	if (rc) {
		err = IKEV2_N_NO_ADDITIONAL_SAS;
		goto out;
	}
	old->rekeyed = true; /* the initiator deletes it */
	if (sa->ccs.active && sa->ccs.old == old) {
		/* §2.8.1: both ends rekey this Child SA; decided when our answer arrives */
		sa->ccs.coll = true;
		sa->ccs.coll_child = c;
		memcpy(sa->ccs.coll_ni, pn->u.nonce.data, pn->u.nonce.len);
		sa->ccs.coll_ni_len = pn->u.nonce.len;
		memcpy(sa->ccs.coll_nr, nr, sizeof(nr));
	}
	create_child_sa_arm(e, sa, rx->now);
	rc = ike_sa_send_response(e, sa, e->tx, len, rx->hdr->msgid);
out:
	if (err) {
		if (c)
			c->state = IKE_CHILD_DELETED;
		rc = answer_error(e, sa, rx, err, err_group);
	}
	kex_free(k);
	secret_free(g_ir);
	secret_wipe(nr, sizeof(nr));
	return rc;
}

int create_child_sa_on_response(struct ike_engine *e, struct ike_sa *sa, const struct ike_rx *rx)
{
	const struct ikev2_payload *pn = ikev2_digest_first(rx->d, IKEV2_PT_Nx);
	const struct ikev2_payload *psa = ikev2_digest_first(rx->d, IKEV2_PT_SA);
	const struct ikev2_payload *pke = ikev2_digest_first(rx->d, IKEV2_PT_KE);
	struct secret *g_ir = NULL;
	struct ike_child *old, *c;
	struct prop_choice choice;
	const struct alg_proposal *props;
	char peer[ADDR_STRLEN];
	bool ok;
	size_t n = 0;

	if (sa->cn.active)
		return child_new_on_response(e, sa, rx); /* a new Child SA (v2/child_new.c) */
	ike_sa_request_done(sa);
	if (!sa->ccs.active || !sa->ccs.old)
		goto out;
	sa->ccs.active = false;
	old = sa->ccs.old;
	ike_sa_peer_str(sa, peer, sizeof(peer));
	if (old->state != IKE_CHILD_INSTALLED)
		goto out; /* deleted meanwhile */
	props = props_of(old->cfg, old->proto, &n);
	ok = !rx->error_only && psa && pn && ikev2_payload_sa(psa, &e->sa_b) == 0 &&
	     prop_check_response(&e->sa_b, old->proto, props, n, 0, &choice) == 0 &&
	     choice.spi_len == 4 && pn->u.nonce.len >= 16 && pn->u.nonce.len <= IKEV2_NONCE_MAX;
	/* PFS: KEr in the group we offered, g^ir (new) */
	if (ok && sa->ccs.kex)
		ok = choice.ke == kex_group(sa->ccs.kex) && pke && pke->u.ke.group == choice.ke &&
		     kex_derive(sa->ccs.kex, pke->u.ke.data, pke->u.ke.len, &g_ir) == 0;
	else if (ok)
		ok = choice.ke == 0 && !pke;
	if (!ok) {
		const struct ikev2_payload *p;
		if (rx->error_only && ikev2_digest_notify(rx->d, IKEV2_N_TEMPORARY_FAILURE)) {
			/* §2.25: the peer is rekeying or closing something; soon again */
			log_info(LOG_IKE,
				 "#%u: rekeying CHILD_SA %s{%u}: TEMPORARY_FAILURE, again "
				 "in 5 s",
				 sa->id, old->cfg->name, old->reqid);
			old->rekey_at_ms = rx->now + 5000;
			goto out;
		}
		for (p = ikev2_digest_first(rx->d, IKEV2_PT_N); p; p = ikev2_digest_next(rx->d, p))
			if (ikev2_notify_is_error(p->u.n.type))
				break;
		eng_event(e, sa->id, old->id, IKE_EV_CHILD_FAILED,
			  "rekeying CHILD_SA %s{%u} failed: %s answered %s", old->cfg->name,
			  old->reqid, peer,
			  p ? ikev2_notify_str(p->u.n.type) : "an unacceptable proposal");
		/* the old SA stays; try again in a minute */
		old->rekey_at_ms = rx->now + 60000;
		goto out;
	}
	c = successor(e, sa, old);
	if (!c)
		goto out;
	c->alg = choice;
	c->spi_in = sa->ccs.spi;
	c->spi_out = get32(choice.spi);
	if (child_install_nonces(e, sa, c, g_ir, sa->ccs.ni, IKE_NONCE_LEN, pn->u.nonce.data,
				 pn->u.nonce.len, true) != 0) {
		c->state = IKE_CHILD_DELETED;
		goto out;
	}
	create_child_sa_arm(e, sa, rx->now);
	/* make-before-break: the new SA is installed, the old one goes */
	old->rekeyed = true;
	informational_delete_child(e, sa, old, rx->now);
	if (sa->ccs.coll &&
	    we_lose(sa, sa->ccs.ni, IKE_NONCE_LEN, pn->u.nonce.data, pn->u.nonce.len)) {
		log_info(LOG_IKE,
			 "#%u: CHILD_SA %s rekeyed by both ends: ours has the lowest nonce, "
			 "deleting it (§2.8.1)",
			 sa->id, c->cfg->name);
		c->rekeyed = true;
		informational_delete_child(e, sa, c, rx->now);
	}
out:
	sa->ccs.coll = false;
	secret_free(g_ir);
	kex_free(sa->ccs.kex);
	sa->ccs.kex = NULL;
	return 0;
}

void create_child_sa_arm(struct ike_engine *e, struct ike_sa *sa, uint64_t now_ms)
{
	for (size_t i = 0; i < sa->nchildren; i++) {
		struct ike_child *c = sa->children[i];
		uint64_t life, jitter = 0;
		uint8_t r[4];
		if (c->state != IKE_CHILD_INSTALLED || c->rekey_at_ms || !c->cfg ||
		    !c->cfg->rekey_time || c->rekeyed)
			continue;
		life = (uint64_t)c->cfg->rekey_time * 1000;
		if (c->cfg->rand_time && eng_rand(e, IKE_RAND_JITTER, r, sizeof(r)) == 0)
			jitter = get32(r) % ((uint64_t)c->cfg->rand_time * 1000 + 1);
		if (jitter >= life)
			jitter = life - 1;
		c->rekey_at_ms = now_ms + life - jitter;
	}
}

uint64_t create_child_sa_deadline(const struct ike_sa *sa)
{
	uint64_t d = UINT64_MAX;

	for (size_t i = 0; i < sa->nchildren; i++)
		if (sa->children[i]->out_pending && sa->children[i]->out_due_ms < d)
			d = sa->children[i]->out_due_ms;
	if (sa->state != IKE_ST_ESTABLISHED || sa->req || sa->ccs.active)
		return d;
	for (size_t i = 0; i < sa->nchildren; i++) {
		const struct ike_child *c = sa->children[i];
		if (c->state == IKE_CHILD_INSTALLED && !c->rekeyed && c->del == INFO_DEL_NONE &&
		    c->rekey_at_ms && c->rekey_at_ms < d)
			d = c->rekey_at_ms;
	}
	return d;
}

void create_child_sa_poll(struct ike_engine *e, struct ike_sa *sa, uint64_t now_ms)
{
	/* a rekey initiator that never deletes the replaced SA: send with the new one anyway */
	for (size_t i = 0; i < sa->nchildren; i++)
		if (sa->children[i]->out_pending && now_ms >= sa->children[i]->out_due_ms)
			child_install_out(e, sa, sa->children[i]);
	for (size_t i = 0; i < sa->nchildren; i++) {
		struct ike_child *c = sa->children[i];
		if (sa->state != IKE_ST_ESTABLISHED || sa->req || sa->ccs.active)
			return;
		if (c->state == IKE_CHILD_INSTALLED && !c->rekeyed && c->del == INFO_DEL_NONE &&
		    c->rekey_at_ms && now_ms >= c->rekey_at_ms &&
		    create_child_sa_rekey(e, sa, c, now_ms) != 0)
			c->rekey_at_ms = now_ms + 60000; /* could not start: later */
	}
}
