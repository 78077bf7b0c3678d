/* IKE_AUTH with PSK authentication and the first Child SA, initiator and responder (RFC 7296
 * §1.2, §2.9, §2.15, §2.17). */
#include "ike/v2/ike_auth.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ike/auth.h"
#include "ike/child.h"
#include "ike/engine.h"
#include "ike/proposal.h"
#include "ike/sa.h"
#include "ike/sk.h"
#include "ike/trap.h"
#include "ike/v2/informational.h"
#include "ike/v2/mobike.h"
#include "lib/err.h"
#include "lib/log.h"
#include "wire/ikev2_build.h"
#include "wire/ikev2_const.h"

static int put_notify(struct ikev2_builder *b, uint16_t type, uint8_t proto)
{
	struct ikev2_notify n = {.type = type, .proto = proto};
	return ikev2_build_notify(b, &n);
}

static void put_id(struct ikev2_builder *b, uint8_t pt, const struct conn_id *id)
{
	struct ikev2_id w = {.type = id->type, .data = id->data, .len = id->len};
	ikev2_build_id(b, pt, &w);
}

static void put_ts(struct ike_engine *e, struct ikev2_builder *b, const struct ts_list *tsi,
		   const struct ts_list *tsr)
{
	child_ts_to_wire(tsi, &e->ts_a);
	child_ts_to_wire(tsr, &e->ts_b);
	ikev2_build_ts(b, IKEV2_PT_TSi, &e->ts_a);
	ikev2_build_ts(b, IKEV2_PT_TSr, &e->ts_b);
}

static const struct alg_proposal *child_props(const struct conn_child *ch, size_t *n,
					      uint8_t *proto)
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

/* Whether two identities are the same (type and value; FQDN/RFC822 without case, DNs by
 * dn_equal). */
static bool id_same(const struct conn_id *a, const struct conn_id *b)
{
	return a->type == b->type && conn_id_match(a, b->type, b->data, b->len);
}

/* strongSwan's rule for INITIAL_CONTACT (§3.10.1) from the initiator: unless unique = never,
 * when the remote identity of the first round is configured (not %any) and no established
 * IKE SA, of any connection, is between our identity and that one (has_contact). */
static bool want_initial_contact(const struct ike_engine *e, const struct ike_sa *sa)
{
	const struct conn_id *rid = &sa->conn->remote_auth[0].id;

	if (sa->conn->unique == CONN_UNIQUE_NEVER || rid->type == 0)
		return false;
	for (const struct ike_sa *o = e->sas; o; o = o->next)
		if (o != sa && o->state == IKE_ST_ESTABLISHED &&
		    id_same(&o->local_id, &sa->local_id) && id_same(&o->remote_id, rid) &&
		    o->path.remote.family == sa->path.remote.family)
			return false;
	return true;
}

/* strongSwan's uniqueness policy (ike_sa_manager check_uniqueness), once the peer is
 * authenticated. Duplicates are our other established SAs between the same identities, with a
 * peer of the same address family:
 *   - INITIAL_CONTACT received (§3.10.1, unless unique = never): the peer lost its state;
 *     every duplicate goes silently (its Child SAs leave the data plane);
 *   - unique = replace: duplicates of the same connection are deleted (INFORMATIONAL Delete);
 *   - unique = keep: sa is refused when a duplicate of the same connection exists (the first
 *     one stays; any further duplicates are deleted as with replace).
 * Returns true when sa must be refused. */
static bool unique_check(struct ike_engine *e, struct ike_sa *sa, bool initial_contact,
			 uint64_t now)
{
	enum conn_unique policy = sa->conn->unique;
	bool cancel = false;
	char rid[IKE_ID_STRLEN];

	if (policy == CONN_UNIQUE_NEVER || (policy == CONN_UNIQUE_NO && !initial_contact))
		return false;
	conn_id_str(&sa->remote_id, rid, sizeof(rid));
	for (struct ike_sa *o = e->sas; o; o = o->next) {
		if (o == sa || o->state != IKE_ST_ESTABLISHED ||
		    !id_same(&o->local_id, &sa->local_id) ||
		    !id_same(&o->remote_id, &sa->remote_id) ||
		    o->path.remote.family != sa->path.remote.family)
			continue;
		if (initial_contact) {
			eng_event(e, o->id, 0, IKE_EV_IKE_DOWN,
				  "IKE_SA %s[%u] replaced by IKE_SA %s[%u]: peer '%s' sent "
				  "INITIAL_CONTACT",
				  o->conn->name, o->id, sa->conn->name, sa->id, rid);
			ike_sa_kill(e, o);
			continue;
		}
		if (strcmp(o->conn->name, sa->conn->name) != 0)
			continue;
		if (policy == CONN_UNIQUE_KEEP) {
			log_info(LOG_IKE,
				 "#%u: IKE_SA %s[%u] with peer '%s' exists (unique = keep): "
				 "refusing IKE_SA %s[%u]",
				 sa->id, o->conn->name, o->id, rid, sa->conn->name, sa->id);
			cancel = true;
			policy = CONN_UNIQUE_REPLACE; /* the first stays, further duplicates go */
			continue;
		}
		log_info(LOG_IKE,
			 "#%u: deleting duplicate IKE_SA %s[%u] for peer '%s' (unique = %s)",
			 sa->id, o->conn->name, o->id, rid,
			 sa->conn->unique == CONN_UNIQUE_KEEP ? "keep" : "replace");
		informational_delete_ike(e, o, now);
	}
	return cancel;
}

static void ike_up(struct ike_engine *e, struct ike_sa *sa, uint64_t now)
{
	char peer[ADDR_STRLEN], lid[IKE_ID_STRLEN], rid[IKE_ID_STRLEN];

	sa->established_ms = now;
	if (!sa->req)
		sa->deadline_ms = UINT64_MAX; /* no half-open expiry any more */
	ike_sa_set_state(e, sa, IKE_ST_ESTABLISHED);
	eng_event(e, sa->id, 0, IKE_EV_IKE_UP, "IKE_SA %s[%u] established between %s[%s]...%s[%s]",
		  sa->conn->name, sa->id, addr_str(&sa->path.local, lid, sizeof(lid)),
		  conn_id_str(&sa->local_id, lid, sizeof(lid)),
		  ike_sa_peer_str(sa, peer, sizeof(peer)),
		  conn_id_str(&sa->remote_id, rid, sizeof(rid)));
}

int ike_auth_start(struct ike_engine *e, struct ike_sa *sa, uint64_t now_ms)
{
	const struct conn *c = sa->conn;
	const struct conn_auth *ra = &c->remote_auth[0];
	uint8_t auth[AUTH_MAX_DATA];
	struct ike_dgrams dg;
	struct ikev2_builder b;
	struct ikev2_hdr h;
	struct ikev2_auth ap;
	char peer[ADDR_STRLEN];
	const char *why = NULL;
	int rc;

	ike_sa_peer_str(sa, peer, sizeof(peer));
	if (!sa->want_child && sa->conn->childless == CONN_CHILDLESS_FORCE && !sa->peer_childless) {
		eng_event(e, sa->id, 0, IKE_EV_IKE_FAILED,
			  "%s does not support childless IKE_SAs (RFC 6023), which childless = "
			  "force requires",
			  peer);
		ike_sa_kill(e, sa);
		return 0;
	}
	auth_local_id(sa, &sa->local_id);
	rc = auth_build(e, sa, &sa->local_id, &ap, auth, &why);
	if (rc) {
		char lid[IKE_ID_STRLEN];
		eng_event(e, sa->id, 0, IKE_EV_IKE_FAILED, "cannot authenticate as %s to %s: %s",
			  conn_id_str(&sa->local_id, lid, sizeof(lid)), peer, why);
		ike_sa_kill(e, sa);
		return 0;
	}
	/* HDR, SK {IDi, [CERT,] [N(INITIAL_CONTACT),] [CERTREQ,] [IDr,] AUTH, [SAi2, TSi, TSr]} */
	ike_sa_hdr(sa, IKEV2_EXCH_IKE_AUTH, false, sa->next_req_id, &h);
	ikev2_build_init(&b, e->tx, sizeof(e->tx));
	ikev2_build_hdr(&b, &h);
	sk_begin(sa, &b);
	put_id(&b, IKEV2_PT_IDi, &sa->local_id);
	auth_put_certs(e, sa, &b);
	if (want_initial_contact(e, sa))
		put_notify(&b, IKEV2_N_INITIAL_CONTACT, 0);
	mobike_put_supported(sa, NULL, &b); /* RFC 4555 §3.3 */
	auth_put_certreq(e, sa, &b);
	if (ra->id.type != 0)
		put_id(&b, IKEV2_PT_IDr, &ra->id);
	ikev2_build_auth(&b, &ap);
	if (sa->want_child) {
		const struct conn_child *ch = sa->want_child;
		const struct alg_proposal *props;
		uint8_t proto, spi[4];
		size_t n;

		props = child_props(ch, &n, &proto);
		rc = child_new_spi(e, &sa->pending_spi);
		if (rc)
			goto out;
		spi[0] = (uint8_t)(sa->pending_spi >> 24);
		spi[1] = (uint8_t)(sa->pending_spi >> 16);
		spi[2] = (uint8_t)(sa->pending_spi >> 8);
		spi[3] = (uint8_t)sa->pending_spi;
		sa->pending_transport = ch->mode == CONN_MODE_TRANSPORT;
		if (sa->pending_transport)
			put_notify(&b, IKEV2_N_USE_TRANSPORT_MODE, 0);
		if (e->have_hooks && e->hooks.no_tfc)
			put_notify(&b, IKEV2_N_ESP_TFC_PADDING_NOT_SUPPORTED, 0);
		e->sa_a.nproposals = 0;
		for (size_t i = 0; i < n && rc == 0; i++)
			rc = prop_to_wire(&props[i], (uint8_t)(i + 1), proto, spi, 4, PROP_NO_KE,
					  &e->sa_a);
		if (rc == 0)
			rc = child_ts_resolve(&ch->local_ts, &sa->path.local, &sa->hs->pending_tsi);
		if (rc == 0)
			rc = child_ts_resolve(&ch->remote_ts, &sa->path.remote,
					      &sa->hs->pending_tsr);
		if (rc)
			goto out;
		trap_packet_ts(e, sa->conn->name, ch->name, &sa->hs->pending_tsi,
			       &sa->hs->pending_tsr);
		ikev2_build_sa(&b, &e->sa_a);
		put_ts(e, &b, &sa->hs->pending_tsi, &sa->hs->pending_tsr);
	}
	rc = sk_end_seal_frag(e, sa, &b, e->tx, &dg);
	if (rc == 0)
		rc = ike_sa_set_state(e, sa, IKE_ST_AUTH_SENT);
	if (rc == 0)
		rc =
		    ike_sa_send_request_v(e, sa, now_ms, &dg, sa->next_req_id, IKEV2_EXCH_IKE_AUTH);
	if (rc == 0)
		sa->next_req_id++;
out:
	secret_wipe(auth, sizeof(auth));
	if (rc) {
		eng_event(e, sa->id, 0, IKE_EV_IKE_FAILED, "IKE_AUTH to %s failed locally (%s)",
			  peer, err_str(rc));
		ike_sa_kill(e, sa);
	}
	return rc;
}

static int id_from_payload(const struct ikev2_payload *p, struct conn_id *out)
{
	if (p->u.id.len > CONN_ID_MAX)
		return ERR_LIMIT;
	memset(out, 0, sizeof(*out));
	out->type = p->u.id.type;
	out->len = p->u.id.len;
	if (out->len)
		memcpy(out->data, p->u.id.data, out->len);
	return 0;
}

/* Responder: an encrypted answer HDR, SK {N(type)}. */
static int answer_error(struct ike_engine *e, struct ike_sa *sa, const struct ike_rx *rx,
			uint16_t type)
{
	struct ikev2_builder b;
	struct ikev2_hdr h;
	size_t len = 0;
	int rc;

	ike_sa_hdr(sa, IKEV2_EXCH_IKE_AUTH, true, rx->hdr->msgid, &h);
	ikev2_build_init(&b, e->tx, sizeof(e->tx));
	ikev2_build_hdr(&b, &h);
	sk_begin(sa, &b);
	put_notify(&b, type, 0);
	rc = sk_end_seal(e, sa, &b, e->tx, &len);
	if (rc == 0)
		rc = ike_sa_send_response(e, sa, e->tx, len, rx->hdr->msgid);
	return rc;
}

/* Responder side of the first Child SA: picks the child, proposal and narrowed selectors.
 * Returns the notify to answer with instead (0 when a child was chosen). */
static uint16_t pick_child(struct ike_engine *e, struct ike_sa *sa, const struct ike_rx *rx,
			   struct ike_child **out, char *why, size_t whylen)
{
	const struct ikev2_payload *psa = ikev2_digest_first(rx->d, IKEV2_PT_SA);
	const struct ikev2_payload *ptsi = ikev2_digest_first(rx->d, IKEV2_PT_TSi);
	const struct ikev2_payload *ptsr = ikev2_digest_first(rx->d, IKEV2_PT_TSr);
	struct ts_list tsi, tsr, ntsi, ntsr;
	const struct conn_child *ch = NULL;
	struct prop_choice choice;
	struct ike_child *c;
	bool transport = ikev2_digest_notify(rx->d, IKEV2_N_USE_TRANSPORT_MODE) != NULL;
	char a[256], b[256], ours[400];

	if (!ptsi || !ptsr || ikev2_payload_sa(psa, &e->sa_b) != 0 ||
	    ikev2_payload_ts(ptsi, &e->ts_a) != 0 || ikev2_payload_ts(ptsr, &e->ts_b) != 0 ||
	    child_ts_from_wire(&e->ts_a, &tsi) != 0 || child_ts_from_wire(&e->ts_b, &tsr) != 0) {
		snprintf(why, whylen, "malformed SA or TS payloads");
		return IKEV2_N_INVALID_SYNTAX;
	}
	child_select(sa, &tsi, &tsr, &ch, &ntsi, &ntsr);
	if (!ch) {
		snprintf(why, whylen,
			 "TS_UNACCEPTABLE: peer proposed TSi %s TSr %s, none of our "
			 "children of '%s' allows them (we allow %s)",
			 child_ts_str(&tsi, a, sizeof(a)), child_ts_str(&tsr, b, sizeof(b)),
			 sa->conn->name, child_allowed_str(sa, ours, sizeof(ours)));
		return IKEV2_N_TS_UNACCEPTABLE;
	}
	{
		size_t n;
		uint8_t proto;
		const struct alg_proposal *props = child_props(ch, &n, &proto);
		if (prop_select(&e->sa_b, proto, props, n, PROP_NO_KE, &choice) != 0) {
			char theirs[400];
			snprintf(
			    why, whylen,
			    "no proposal chosen for CHILD_SA %s: we accept %s, peer proposed %s",
			    ch->name, prop_list_str(props, n, ours, sizeof(ours)),
			    prop_wire_str(&e->sa_b, theirs, sizeof(theirs)));
			return IKEV2_N_NO_PROPOSAL_CHOSEN;
		}
	}
	if (choice.spi_len != 4) {
		snprintf(why, whylen, "CHILD_SA proposal without a 4-octet SPI");
		return IKEV2_N_INVALID_SYNTAX;
	}
	if (child_new(e, sa, ch, &c) != 0) {
		snprintf(why, whylen, "too many CHILD_SAs");
		return IKEV2_N_NO_ADDITIONAL_SAS;
	}
	c->alg = choice;
	c->spi_out = (uint32_t)choice.spi[0] << 24 | (uint32_t)choice.spi[1] << 16 |
		     (uint32_t)choice.spi[2] << 8 | choice.spi[3];
	c->mode =
	    (ch->mode == CONN_MODE_TRANSPORT && transport) ? CONN_MODE_TRANSPORT : CONN_MODE_TUNNEL;
	c->peer_no_tfc = ikev2_digest_notify(rx->d, IKEV2_N_ESP_TFC_PADDING_NOT_SUPPORTED) != NULL;
	if (ike_child_set_ts(c, &ntsr, &ntsi) != 0 || child_new_spi(e, &c->spi_in) != 0) {
		ike_sa_child_remove(sa, c);
		snprintf(why, whylen, "no SPI");
		return IKEV2_N_NO_ADDITIONAL_SAS;
	}
	*out = c;
	return 0;
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

/* Whether connection c fits this SA once the peer's identities are known: addresses, the
 * negotiated IKE proposal, IDi against its remote round and IDr against our identity. */
static bool conn_fits(struct ike_engine *e, struct ike_sa *sa, struct conn *c,
		      const struct ikev2_payload *pidr)
{
	struct prop_choice tmp;
	struct conn *saved = sa->conn;
	struct conn_id lid;

	if (!addr_in(c->local_addrs, c->nlocal_addrs, &sa->path.local) ||
	    !addr_in(c->remote_addrs, c->nremote_addrs, &sa->path.remote) ||
	    !conn_id_match(&c->remote_auth[0].id, sa->remote_id.type, sa->remote_id.data,
			   sa->remote_id.len))
		return false;
	if (prop_choice_to_wire(&sa->alg, &e->sa_b) != 0 ||
	    prop_select(&e->sa_b, IKEV2_PROTO_IKE, c->proposals, c->nproposals, 0, &tmp) != 0)
		return false;
	sa->conn = c;
	auth_local_id(sa, &lid);
	sa->conn = saved;
	return !pidr || conn_id_match(&lid, pidr->u.id.type, pidr->u.id.data, pidr->u.id.len);
}

/* strongSwan picks the connection again once IDi (and IDr) are known: the one chosen in
 * IKE_SA_INIT by address may not be the one for this peer. Keeps the current one when it
 * fits or nothing else does. */
static void reselect_conn(struct ike_engine *e, struct ike_sa *sa, const struct ikev2_payload *pidr)
{
	if (conn_fits(e, sa, sa->conn, pidr))
		return;
	for (size_t i = 0; i < e->nconns; i++) {
		struct conn *c = e->conns[i];
		if (c == sa->conn || !conn_fits(e, sa, c, pidr))
			continue;
		log_info(LOG_IKE, "#%u: switching to connection '%s' for this peer", sa->id,
			 c->name);
		conn_free(sa->conn);
		sa->conn = conn_ref(c);
		return;
	}
}

int ike_auth_on_request(struct ike_engine *e, struct ike_sa *sa, const struct ike_rx *rx)
{
	const struct ikev2_payload *pidr = ikev2_digest_first(rx->d, IKEV2_PT_IDr);
	struct ike_child *child = NULL;
	uint16_t child_err = 0;
	uint8_t auth[AUTH_MAX_DATA];
	struct ike_dgrams dg;
	const char *why = NULL;
	char peer[ADDR_STRLEN], rid[IKE_ID_STRLEN], cwhy[IKE_EVENT_MSG_MAX] = "";
	char idwhy[IKE_ID_STRLEN + CONN_NAME_MAX + 64];
	struct ikev2_builder b;
	struct ikev2_hdr h;
	struct ikev2_auth ap;
	bool initial_contact = ikev2_digest_notify(rx->d, IKEV2_N_INITIAL_CONTACT) != NULL;
	int rc;

	ike_sa_peer_str(sa, peer, sizeof(peer));
	if (id_from_payload(ikev2_digest_first(rx->d, IKEV2_PT_IDi), &sa->remote_id) != 0)
		return ERR_INVAL;
	if (ikev2_digest_first(rx->d, IKEV2_PT_CERTREQ))
		sa->peer_certreq = true;
	reselect_conn(e, sa, pidr);
	auth_local_id(sa, &sa->local_id);
	conn_id_str(&sa->remote_id, rid, sizeof(rid));
	if (!conn_id_match(&sa->conn->remote_auth[0].id, sa->remote_id.type, sa->remote_id.data,
			   sa->remote_id.len)) {
		char want[IKE_ID_STRLEN];
		snprintf(idwhy, sizeof(idwhy),
			 "identity not accepted by the connection (%s expects %s)", sa->conn->name,
			 conn_id_str(&sa->conn->remote_auth[0].id, want, sizeof(want)));
		why = idwhy;
	} else if (pidr &&
		   !conn_id_match(&sa->local_id, pidr->u.id.type, pidr->u.id.data, pidr->u.id.len))
		why = "the peer asked for another identity of ours (IDr)";
	else if (!ikev2_digest_first(rx->d, IKEV2_PT_SA) &&
		 sa->conn->childless == CONN_CHILDLESS_NEVER)
		why = "a childless IKE_SA (RFC 6023) is refused by childless = never";
	if (!why)
		auth_verify(e, sa, rx->d, rx->now, &why);
	/* we cannot prove ourselves: refuse the peer rather than answer without AUTH */
	if (!why)
		auth_build(e, sa, &sa->local_id, &ap, auth, &why);
	if (!why && unique_check(e, sa, initial_contact, rx->now))
		why = "an IKE_SA with the same identities exists (unique = keep)";
	if (why) {
		answer_error(e, sa, rx, IKEV2_N_AUTHENTICATION_FAILED);
		eng_event(e, sa->id, 0, IKE_EV_IKE_FAILED,
			  "AUTHENTICATION_FAILED for %s (id %s): %s", peer, rid, why);
		ike_sa_kill(e, sa);
		return 0;
	}
	if (ikev2_digest_first(rx->d, IKEV2_PT_SA))
		child_err = pick_child(e, sa, rx, &child, cwhy, sizeof(cwhy));
	/* HDR, SK {IDr, [CERT,] AUTH, [SAr2, TSi, TSr]} */
	ike_sa_hdr(sa, IKEV2_EXCH_IKE_AUTH, true, rx->hdr->msgid, &h);
	ikev2_build_init(&b, e->tx, sizeof(e->tx));
	ikev2_build_hdr(&b, &h);
	sk_begin(sa, &b);
	put_id(&b, IKEV2_PT_IDr, &sa->local_id);
	auth_put_certs(e, sa, &b);
	ikev2_build_auth(&b, &ap);
	mobike_put_supported(sa, rx->d, &b); /* RFC 4555 §3.3: when the request had it */
	if (child) {
		struct prop_choice rsp = child->alg;
		struct ts_list lts, rts;
		rsp.spi[0] = (uint8_t)(child->spi_in >> 24);
		rsp.spi[1] = (uint8_t)(child->spi_in >> 16);
		rsp.spi[2] = (uint8_t)(child->spi_in >> 8);
		rsp.spi[3] = (uint8_t)child->spi_in;
		if (child->mode == CONN_MODE_TRANSPORT)
			put_notify(&b, IKEV2_N_USE_TRANSPORT_MODE, 0);
		if (e->have_hooks && e->hooks.no_tfc)
			put_notify(&b, IKEV2_N_ESP_TFC_PADDING_NOT_SUPPORTED, 0);
		rc = prop_choice_to_wire(&rsp, &e->sa_a);
		if (rc)
			goto out;
		ikev2_build_sa(&b, &e->sa_a);
		ike_child_ts(child, &lts, &rts);
		put_ts(e, &b, &rts, &lts);
	} else if (child_err) {
		put_notify(&b, child_err, 0);
	}
	rc = sk_end_seal_frag(e, sa, &b, e->tx, &dg);
	if (rc)
		goto out;
	sa->next_peer_id = rx->hdr->msgid + 1;
	rc = ike_sa_send_response_v(e, sa, &dg, rx->hdr->msgid);
	if (rc)
		goto out;
	if (mobike_auth_done(sa, rx->d) != 0)
		log_warn(LOG_IKE, "#%u: MOBIKE state not allocated (ENOMEM): MOBIKE off", sa->id);
	ike_up(e, sa, rx->now);
	if (child)
		child_install(e, sa, child);
	else if (child_err)
		eng_event(e, sa->id, 0, IKE_EV_CHILD_FAILED, "%s", cwhy);
out:
	secret_wipe(auth, sizeof(auth));
	return rc;
}

/* Initiator: the Child SA part of the IKE_AUTH response. Failures leave the IKE SA up. */
static int child_response(struct ike_engine *e, struct ike_sa *sa, const struct ike_rx *rx)
{
	const struct conn_child *ch = sa->want_child;
	const struct ikev2_payload *psa = ikev2_digest_first(rx->d, IKEV2_PT_SA);
	const struct ikev2_payload *ptsi = ikev2_digest_first(rx->d, IKEV2_PT_TSi);
	const struct ikev2_payload *ptsr = ikev2_digest_first(rx->d, IKEV2_PT_TSr);
	struct prop_choice choice;
	struct ts_list tsi, tsr;
	struct ike_child *c;
	const struct alg_proposal *props;
	char peer[ADDR_STRLEN], a[256], b[256];
	uint8_t proto;
	size_t n;

	ike_sa_peer_str(sa, peer, sizeof(peer));
	if (!psa || !ptsi || !ptsr) {
		const struct ikev2_payload *p;
		for (p = ikev2_digest_first(rx->d, IKEV2_PT_N); p; p = ikev2_digest_next(rx->d, p))
			if (ikev2_notify_is_error(p->u.n.type))
				break;
		if (p && p->u.n.type == IKEV2_N_TS_UNACCEPTABLE)
			eng_event(
			    e, sa->id, 0, IKE_EV_CHILD_FAILED,
			    "TS_UNACCEPTABLE from %s for CHILD_SA %s: we proposed TSi %s TSr %s",
			    peer, ch->name, child_ts_str(&sa->hs->pending_tsi, a, sizeof(a)),
			    child_ts_str(&sa->hs->pending_tsr, b, sizeof(b)));
		else if (p && p->u.n.type == IKEV2_N_NO_PROPOSAL_CHOSEN) {
			props = child_props(ch, &n, &proto);
			eng_event(e, sa->id, 0, IKE_EV_CHILD_FAILED,
				  "NO_PROPOSAL_CHOSEN from %s for CHILD_SA %s: we proposed %s",
				  peer, ch->name, prop_list_str(props, n, a, sizeof(a)));
		} else
			eng_event(e, sa->id, 0, IKE_EV_CHILD_FAILED,
				  "CHILD_SA %s not created by %s: %s", ch->name, peer,
				  p ? ikev2_notify_str(p->u.n.type)
				    : "no SA/TS payloads in the answer");
		return 0;
	}
	props = child_props(ch, &n, &proto);
	if (ikev2_payload_sa(psa, &e->sa_b) != 0 ||
	    prop_check_response(&e->sa_b, proto, props, n, PROP_NO_KE, &choice) != 0 ||
	    choice.spi_len != 4) {
		eng_event(e, sa->id, 0, IKE_EV_CHILD_FAILED,
			  "CHILD_SA %s: %s chose a proposal we did not offer: %s", ch->name, peer,
			  prop_wire_str(&e->sa_b, a, sizeof(a)));
		return 0;
	}
	if (ikev2_payload_ts(ptsi, &e->ts_a) != 0 || ikev2_payload_ts(ptsr, &e->ts_b) != 0 ||
	    child_ts_from_wire(&e->ts_a, &tsi) != 0 || child_ts_from_wire(&e->ts_b, &tsr) != 0 ||
	    tsi.n == 0 || tsr.n == 0) {
		eng_event(e, sa->id, 0, IKE_EV_CHILD_FAILED, "CHILD_SA %s: malformed TS from %s",
			  ch->name, peer);
		return 0;
	}
	for (size_t i = 0; i < tsi.n; i++)
		if (!ts_list_covers(&sa->hs->pending_tsi, &tsi.ts[i]))
			goto widened;
	for (size_t i = 0; i < tsr.n; i++)
		if (!ts_list_covers(&sa->hs->pending_tsr, &tsr.ts[i]))
			goto widened;
	if (sa->pending_transport && !ikev2_digest_notify(rx->d, IKEV2_N_USE_TRANSPORT_MODE)) {
		eng_event(e, sa->id, 0, IKE_EV_CHILD_FAILED,
			  "CHILD_SA %s: %s refused transport mode", ch->name, peer);
		return 0;
	}
	if (child_new(e, sa, ch, &c) != 0)
		return 0;
	c->alg = choice;
	c->spi_in = sa->pending_spi;
	c->spi_out = (uint32_t)choice.spi[0] << 24 | (uint32_t)choice.spi[1] << 16 |
		     (uint32_t)choice.spi[2] << 8 | choice.spi[3];
	c->peer_no_tfc = ikev2_digest_notify(rx->d, IKEV2_N_ESP_TFC_PADDING_NOT_SUPPORTED) != NULL;
	if (ike_child_set_ts(c, &tsi, &tsr) != 0) {
		ike_sa_child_remove(sa, c);
		return 0;
	}
	child_install(e, sa, c);
	return 0;
widened:
	eng_event(e, sa->id, 0, IKE_EV_CHILD_FAILED,
		  "CHILD_SA %s: %s answered selectors TSi %s TSr %s outside what we proposed",
		  ch->name, peer, child_ts_str(&tsi, a, sizeof(a)),
		  child_ts_str(&tsr, b, sizeof(b)));
	return 0;
}

int ike_auth_on_response(struct ike_engine *e, struct ike_sa *sa, const struct ike_rx *rx)
{
	const struct ikev2_payload *p;
	char peer[ADDR_STRLEN], rid[IKE_ID_STRLEN], idwhy[IKE_ID_STRLEN + 64];
	const char *why = NULL;

	ike_sa_peer_str(sa, peer, sizeof(peer));
	if (rx->error_only) {
		for (p = ikev2_digest_first(rx->d, IKEV2_PT_N); p; p = ikev2_digest_next(rx->d, p))
			if (ikev2_notify_is_error(p->u.n.type))
				break;
		ike_sa_request_done(sa);
		if (p && p->u.n.type == IKEV2_N_AUTHENTICATION_FAILED)
			eng_event(e, sa->id, 0, IKE_EV_IKE_FAILED,
				  "AUTHENTICATION_FAILED from %s: it refused us as %s (%s)", peer,
				  conn_id_str(&sa->local_id, rid, sizeof(rid)),
				  sa->conn->local_auth[0].method == CONN_AUTH_PSK
				      ? "PSK mismatch, unknown identity, or unique = keep there?"
				      : "certificate or signature not accepted");
		else
			eng_event(e, sa->id, 0, IKE_EV_IKE_FAILED, "IKE_AUTH with %s failed: %s",
				  peer, p ? ikev2_notify_str(p->u.n.type) : "no usable answer");
		ike_sa_kill(e, sa);
		return 0;
	}
	if (id_from_payload(ikev2_digest_first(rx->d, IKEV2_PT_IDr), &sa->remote_id) != 0)
		return ERR_INVAL;
	conn_id_str(&sa->remote_id, rid, sizeof(rid));
	ike_sa_request_done(sa);
	if (!conn_id_match(&sa->conn->remote_auth[0].id, sa->remote_id.type, sa->remote_id.data,
			   sa->remote_id.len)) {
		char want[IKE_ID_STRLEN];
		snprintf(idwhy, sizeof(idwhy), "identity not the one configured (we expect %s)",
			 conn_id_str(&sa->conn->remote_auth[0].id, want, sizeof(want)));
		why = idwhy;
	} else
		auth_verify(e, sa, rx->d, rx->now, &why);
	if (why) {
		eng_event(e, sa->id, 0, IKE_EV_IKE_FAILED,
			  "AUTHENTICATION_FAILED: %s (id %s) did not authenticate: %s", peer, rid,
			  why);
		ike_sa_kill(e, sa);
		return 0;
	}
	if (unique_check(e, sa, false, rx->now)) {
		/* strongSwan cancels the new SA; the peer has it established: delete it there */
		eng_event(e, sa->id, 0, IKE_EV_IKE_FAILED,
			  "IKE_SA %s[%u] with %s cancelled: an IKE_SA with the same identities "
			  "exists (unique = keep)",
			  sa->conn->name, sa->id, peer);
		sa->established_ms = rx->now;
		if (ike_sa_set_state(e, sa, IKE_ST_ESTABLISHED) != 0 ||
		    informational_delete_ike(e, sa, rx->now) != 0)
			ike_sa_kill(e, sa);
		return 0;
	}
	if (mobike_auth_done(sa, rx->d) != 0)
		log_warn(LOG_IKE, "#%u: MOBIKE state not allocated (ENOMEM): MOBIKE off", sa->id);
	ike_up(e, sa, rx->now);
	if (!sa->want_child)
		return 0;
	return child_response(e, sa, rx);
}
