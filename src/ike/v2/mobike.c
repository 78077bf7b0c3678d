/* MOBIKE (RFC 4555): negotiation, UPDATE_SA_ADDRESSES both ways, additional addresses
 * (ike/v2/mobike.h). */
#include "ike/v2/mobike.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ike/engine.h"
#include "ike/nat.h"
#include "ike/sa.h"
#include "ike/sk.h"
#include "lib/buf.h"
#include "lib/err.h"
#include "lib/log.h"
#include "wire/ikev2_build.h"
#include "wire/ikev2_const.h"

void mobike_free(struct ike_mobike *m)
{
	free(m);
}

static int put_notify(struct ikev2_builder *b, uint16_t type, const void *data, size_t len)
{
	struct ikev2_notify n = {.type = type, .data = data, .len = len};
	return ikev2_build_notify(b, &n);
}

int mobike_put_supported(const struct ike_sa *sa, const struct ikev2_digest *d,
			 struct ikev2_builder *b)
{
	if (!sa->conn->mobike || (d && !ikev2_digest_notify(d, IKEV2_N_MOBIKE_SUPPORTED)))
		return 0;
	return put_notify(b, IKEV2_N_MOBIKE_SUPPORTED, NULL, 0);
}

/* ---- additional addresses (§3.6, §4.2.2-4.2.4) ----------------------------------------- */

/* Whether d's MOBIKE notifies are well-formed: ADDITIONAL_IP4_ADDRESS 4 octets,
 * ADDITIONAL_IP6_ADDRESS 16, COOKIE2 8..64, NO_NATS_ALLOWED 12 or 36, the others empty. */
static bool well_formed(const struct ikev2_digest *d)
{
	for (const struct ikev2_payload *p = ikev2_digest_first(d, IKEV2_PT_N); p;
	     p = ikev2_digest_next(d, p)) {
		const struct ikev2_notify *n = &p->u.n;
		switch (n->type) {
		case IKEV2_N_ADDITIONAL_IP4_ADDRESS:
			if (n->len != 4)
				return false;
			break;
		case IKEV2_N_ADDITIONAL_IP6_ADDRESS:
			if (n->len != 16)
				return false;
			break;
		case IKEV2_N_COOKIE2:
			if (n->len < IKE_MOBIKE_COOKIE2_MIN || n->len > IKE_MOBIKE_COOKIE2_MAX)
				return false;
			break;
		case IKEV2_N_NO_NATS_ALLOWED:
			if (n->len != 12 && n->len != 36)
				return false;
			break;
		case IKEV2_N_UPDATE_SA_ADDRESSES:
		case IKEV2_N_NO_ADDITIONAL_ADDRESSES:
		case IKEV2_N_MOBIKE_SUPPORTED:
			if (n->len != 0)
				return false;
			break;
		default:
			break;
		}
	}
	return true;
}

/* The peer's additional addresses from d, when d lists any or says there are none: the list
 * is replaced (§3.6), at most IKE_MOBIKE_ADDR_MAX kept. d is well-formed. */
static void take_addresses(struct ike_sa *sa, const struct ikev2_digest *d)
{
	struct ike_mobike *m = sa->mob;
	bool any = false;
	size_t dropped = 0;

	for (const struct ikev2_payload *p = ikev2_digest_first(d, IKEV2_PT_N); p;
	     p = ikev2_digest_next(d, p)) {
		const struct ikev2_notify *n = &p->u.n;
		uint8_t raw[16];
		struct buf_reader r;
		struct addr a;
		int fam;

		if (n->type == IKEV2_N_NO_ADDITIONAL_ADDRESSES) {
			if (!any)
				m->naddl = 0;
			any = true;
			m->peer_no_addl = true;
			continue;
		}
		if (n->type != IKEV2_N_ADDITIONAL_IP4_ADDRESS &&
		    n->type != IKEV2_N_ADDITIONAL_IP6_ADDRESS)
			continue;
		if (!any)
			m->naddl = 0;
		any = true;
		m->peer_no_addl = false;
		fam = n->type == IKEV2_N_ADDITIONAL_IP4_ADDRESS ? AF_INET : AF_INET6;
		buf_reader_init(&r, n->data, n->len);
		if (buf_get_bytes(&r, raw, addr_family_len(fam)) != 0 ||
		    addr_from_bytes(&a, fam, raw, addr_family_len(fam)) != 0)
			continue;
		if (m->naddl >= IKE_MOBIKE_ADDR_MAX) {
			dropped++;
			continue;
		}
		m->addl[m->naddl++] = a;
	}
	if (dropped)
		log_info(LOG_IKE, "#%u: %zu additional peer addresses beyond %d ignored", sa->id,
			 dropped, IKE_MOBIKE_ADDR_MAX);
}

int mobike_auth_done(struct ike_sa *sa, const struct ikev2_digest *d)
{
	if (!sa->conn->mobike || !ikev2_digest_notify(d, IKEV2_N_MOBIKE_SUPPORTED) || sa->mob)
		return 0;
	sa->mob = calloc(1, sizeof(*sa->mob));
	if (!sa->mob)
		return ERR_NOMEM;
	if (well_formed(d))
		take_addresses(sa, d);
	log_info(LOG_IKE, "#%u: MOBIKE supported by both ends", sa->id);
	return 0;
}

int mobike_inherit(struct ike_sa *nsa, const struct ike_sa *old)
{
	if (!old->mob || nsa->mob)
		return 0;
	nsa->mob = calloc(1, sizeof(*nsa->mob));
	if (!nsa->mob)
		return ERR_NOMEM;
	nsa->mob->peer_no_addl = old->mob->peer_no_addl;
	nsa->mob->naddl = old->mob->naddl;
	memcpy(nsa->mob->addl, old->mob->addl, sizeof(nsa->mob->addl));
	/* an update the old SA still owed goes out on the new one */
	nsa->mob->update_due = old->mob->update_due || old->mob->update_sent;
	return 0;
}

/* ---- responder (§3.5) ---------------------------------------------------------------------
 */

static bool same_path(const struct ike_path *a, const struct ike_path *b)
{
	return addr_equal(&a->remote, &b->remote) && a->remote_port == b->remote_port &&
	       addr_equal(&a->local, &b->local) && a->local_port == b->local_port;
}

/* §3.9 / §4.2.6: NO_NATS_ALLOWED data is the request's source address, destination address,
 * source port and destination port as the sender put them in the IP and UDP headers. Whether
 * they are the ones the request arrived with. */
static bool nonat_matches(const struct ikev2_notify *n, const struct ike_path *path)
{
	uint8_t src[16], dst[16];
	uint16_t sport, dport;
	struct addr s, d;
	struct buf_reader r;
	int fam = n->len == 12 ? AF_INET : AF_INET6;
	size_t alen = addr_family_len(fam);

	buf_reader_init(&r, n->data, n->len);
	if (buf_get_bytes(&r, src, alen) || buf_get_bytes(&r, dst, alen) ||
	    buf_get_u16(&r, &sport) || buf_get_u16(&r, &dport) || !buf_empty(&r))
		return false;
	if (addr_from_bytes(&s, fam, src, alen) || addr_from_bytes(&d, fam, dst, alen))
		return false;
	return addr_equal(&s, &path->remote) && addr_equal(&d, &path->local) &&
	       sport == path->remote_port && dport == path->local_port;
}

int mobike_on_request(struct ike_engine *e, struct ike_sa *sa, const struct ike_rx *rx,
		      struct mobike_answer *ans)
{
	const struct ikev2_payload *pu, *pc, *pn;
	bool seen = false, nat_local = sa->nat_local, nat_remote = sa->nat_remote, encap;
	struct ike_mobike *m = sa->mob;

	memset(ans, 0, sizeof(*ans));
	if (!m)
		return 0; /* not negotiated: MOBIKE notifies are ignored (§3.3) */
	if (!well_formed(rx->d)) {
		ans->error = IKEV2_N_INVALID_SYNTAX;
		e->stats.drop_malformed++;
		log_peer(&e->rl, rx->now, LOG_IKE, LOG_LVL_INFO,
			 "#%u: malformed MOBIKE notify: INVALID_SYNTAX, nothing changed", sa->id);
		return 0;
	}
	pc = ikev2_digest_notify(rx->d, IKEV2_N_COOKIE2);
	if (pc) { /* §3.5: echoed unchanged */
		memcpy(ans->cookie2, pc->u.n.data, pc->u.n.len);
		ans->cookie2_len = pc->u.n.len;
	}
	take_addresses(sa, rx->d);
	nat_natd_eval(sa, rx->path, rx->d, &seen, &nat_local, &nat_remote);
	ans->natd = seen;
	pu = ikev2_digest_notify(rx->d, IKEV2_N_UPDATE_SA_ADDRESSES);
	if (!pu)
		return 0;
	if (sa->initiator) {
		/* §3.1: only the initiator of the IKE SA decides which addresses it uses */
		log_peer(&e->rl, rx->now, LOG_IKE, LOG_LVL_INFO,
			 "#%u: UPDATE_SA_ADDRESSES from the responder of the IKE SA ignored",
			 sa->id);
		return 0;
	}
	if (m->have_update && rx->hdr->msgid <= m->update_peer_msgid)
		return 0; /* an older request than one already followed (§3.5) */
	pn = ikev2_digest_notify(rx->d, IKEV2_N_NO_NATS_ALLOWED);
	if (pn && ((seen && (nat_local || nat_remote)) || !nonat_matches(&pn->u.n, rx->path))) {
		ans->error = IKEV2_N_UNEXPECTED_NAT_DETECTED; /* §3.9 */
		log_info(LOG_IKE,
			 "#%u: UPDATE_SA_ADDRESSES with NO_NATS_ALLOWED through a NAT: "
			 "UNEXPECTED_NAT_DETECTED, path unchanged",
			 sa->id);
		return 0;
	}
	m->have_update = true;
	m->update_peer_msgid = rx->hdr->msgid;
	m->updates++;
	encap = sa->nat_local || sa->nat_remote || sa->conn->encap;
	if (seen) {
		sa->nat_local = nat_local;
		sa->nat_remote = nat_remote;
		sa->nat_fake = sa->conn->encap && !nat_local && !nat_remote;
	}
	/* the IKE SA and its Child SAs to where the request came from (also when only the NAT
	 * flags changed: the encapsulation follows them) */
	if (!same_path(&sa->path, rx->path) ||
	    encap != (sa->nat_local || sa->nat_remote || sa->conn->encap))
		nat_move(e, sa, rx->path, rx->now, "UPDATE_SA_ADDRESSES (MOBIKE)");
	return 0;
}

int mobike_put_answer(struct ike_engine *e, const struct ike_sa *sa,
		      const struct mobike_answer *ans, struct ikev2_builder *b)
{
	int rc = 0;

	if (ans->error)
		rc = put_notify(b, ans->error, NULL, 0);
	if (rc == 0 && ans->natd) /* for the path the request came on, which we answer on */
		rc = nat_put_natd(e, sa, e->reply_path ? e->reply_path : &sa->path, b);
	if (rc == 0 && ans->cookie2_len)
		rc = put_notify(b, IKEV2_N_COOKIE2, ans->cookie2, ans->cookie2_len);
	return rc;
}

/* ---- initiator (§3.5) ------------------------------------------------------------------------
 */

int mobike_put_dpd(struct ike_engine *e, struct ike_sa *sa, uint32_t msgid, struct ikev2_builder *b)
{
	struct ike_mobike *m = sa->mob;

	if (!m || !sa->initiator || !sa->nat_local)
		return 0;
	m->dpd_sent = true;
	m->dpd_msgid = msgid;
	return nat_put_natd(e, sa, &sa->path, b);
}

/* The peer's NAT_DETECTION_DESTINATION_IP in d (the hash of our address and port as it sees
 * them): whether it differs from the last one recorded; it is recorded. */
static bool mapping_changed(struct ike_mobike *m, const struct ikev2_digest *d)
{
	const struct ikev2_payload *p =
	    ikev2_digest_notify(d, IKEV2_N_NAT_DETECTION_DESTINATION_IP);
	bool changed;

	if (!p || p->u.n.len != sizeof(m->natd_dst))
		return false;
	changed = m->have_natd_dst && memcmp(m->natd_dst, p->u.n.data, sizeof(m->natd_dst)) != 0;
	memcpy(m->natd_dst, p->u.n.data, sizeof(m->natd_dst));
	m->have_natd_dst = true;
	return changed;
}

void mobike_on_response(struct ike_engine *e, struct ike_sa *sa, const struct ike_rx *rx)
{
	struct ike_mobike *m = sa->mob;
	const struct ikev2_payload *pc;
	bool seen = false, nat_local = sa->nat_local, nat_remote = sa->nat_remote, encap;

	if (m && m->dpd_sent && rx->hdr->msgid == m->dpd_msgid) {
		m->dpd_sent = false;
		if (mapping_changed(m, rx->d)) {
			log_info(LOG_IKE, "#%u: our NAT mapping changed: address update due",
				 sa->id);
			m->update_due = true;
		}
		return;
	}
	if (!m || !m->update_sent || rx->hdr->msgid != m->update_msgid)
		return;
	m->update_sent = false;
	pc = ikev2_digest_notify(rx->d, IKEV2_N_COOKIE2);
	if (!pc || pc->u.n.len != sizeof(m->cookie2) ||
	    CRYPTO_memcmp(pc->u.n.data, m->cookie2, sizeof(m->cookie2)) != 0) {
		log_peer(&e->rl, rx->now, LOG_IKE, LOG_LVL_INFO,
			 "#%u: UPDATE_SA_ADDRESSES answered without our COOKIE2: its NAT "
			 "detection ignored",
			 sa->id);
		return;
	}
	if (ikev2_digest_notify(rx->d, IKEV2_N_UNEXPECTED_NAT_DETECTED)) {
		log_info(LOG_IKE, "#%u: the peer reports UNEXPECTED_NAT_DETECTED", sa->id);
		return;
	}
	m->updates++;
	mapping_changed(m, rx->d); /* the new baseline */
	nat_natd_eval(sa, &sa->path, rx->d, &seen, &nat_local, &nat_remote);
	if (!seen || (nat_local == sa->nat_local && nat_remote == sa->nat_remote))
		return;
	encap = sa->nat_local || sa->nat_remote || sa->conn->encap;
	sa->nat_local = nat_local;
	sa->nat_remote = nat_remote;
	sa->nat_fake = sa->conn->encap && !nat_local && !nat_remote;
	log_info(LOG_IKE, "#%u: NAT %s after the address update", sa->id,
		 nat_local    ? "on our side"
		 : nat_remote ? "on the peer's side"
			      : "gone");
	if (encap != (sa->nat_local || sa->nat_remote || sa->conn->encap)) {
		struct ike_path p = sa->path;
		nat_move(e, sa, &p, rx->now, "UDP encapsulation changed (MOBIKE)");
	}
}

/* HDR, SK {N(UPDATE_SA_ADDRESSES), N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP),
 *          N(COOKIE2)} */
static int send_update(struct ike_engine *e, struct ike_sa *sa, uint64_t now_ms)
{
	struct ike_mobike *m = sa->mob;
	struct ikev2_builder b;
	struct ikev2_hdr h;
	size_t len = 0;
	int rc;

	rc = eng_rand(e, IKE_RAND_NONCE, m->cookie2, sizeof(m->cookie2));
	if (rc)
		return rc;
	ike_sa_hdr(sa, IKEV2_EXCH_INFORMATIONAL, false, sa->next_req_id, &h);
	ikev2_build_init(&b, e->tx, sizeof(e->tx));
	ikev2_build_hdr(&b, &h);
	sk_begin(sa, &b);
	put_notify(&b, IKEV2_N_UPDATE_SA_ADDRESSES, NULL, 0);
	rc = nat_put_natd(e, sa, &sa->path, &b);
	if (rc == 0)
		rc = put_notify(&b, IKEV2_N_COOKIE2, m->cookie2, sizeof(m->cookie2));
	if (rc == 0)
		rc = sk_end_seal(e, sa, &b, e->tx, &len);
	if (rc == 0)
		rc = ike_sa_send_request(e, sa, now_ms, e->tx, len, sa->next_req_id,
					 IKEV2_EXCH_INFORMATIONAL);
	if (rc)
		return rc;
	m->update_due = false;
	m->update_sent = true;
	m->update_msgid = sa->next_req_id++;
	log_info(LOG_IKE, "#%u: UPDATE_SA_ADDRESSES sent (MOBIKE)", sa->id);
	return 0;
}

void mobike_poll(struct ike_engine *e, struct ike_sa *sa, uint64_t now_ms)
{
	if (mobike_deadline(sa) != 0)
		return;
	if (send_update(e, sa, now_ms) != 0)
		log_warn(LOG_IKE, "#%u: UPDATE_SA_ADDRESSES could not be sent", sa->id);
}

uint64_t mobike_deadline(const struct ike_sa *sa)
{
	if (!sa->mob || !sa->mob->update_due || sa->state != IKE_ST_ESTABLISHED || sa->req ||
	    sa->delete_pending)
		return UINT64_MAX;
	return 0;
}

int ike_engine_mobike_update(struct ike_engine *e, uint64_t now_ms, uint32_t id,
			     const struct addr *local)
{
	struct ike_sa *sa = eng_sa_by_id(e, id);
	struct ike_path p;

	if (!sa || sa->state == IKE_ST_DEAD)
		return ERR_NOTFOUND;
	if (sa->state != IKE_ST_ESTABLISHED || !sa->mob || !sa->initiator)
		return ERR_BADSTATE;
	if (local && local->family != sa->path.remote.family)
		return ERR_INVAL;
	eng_sa_touch(e, sa);
	p = sa->path;
	if (local && !addr_equal(local, &p.local)) {
		p.local = *local;
		/* our Child SAs leave from the new address at once; the peer follows on the
		 * update */
		nat_move(e, sa, &p, now_ms, "our address changed (MOBIKE)");
	}
	sa->mob->update_due = true;
	mobike_poll(e, sa, now_ms);
	eng_settle(e);
	return 0;
}

size_t ike_engine_mobike_sas(const struct ike_engine *e, struct ike_mobike_sa *out, size_t cap)
{
	size_t n = 0;

	for (const struct ike_sa *sa = e->sas; sa && n < cap; sa = sa->next)
		if (sa->state == IKE_ST_ESTABLISHED && sa->mob && sa->initiator) {
			out[n].id = sa->id;
			out[n].path = sa->path;
			n++;
		}
	return n;
}
