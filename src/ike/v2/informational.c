/* INFORMATIONAL exchanges (RFC 7296 §1.4): IKE SA and Child SA deletes, empty requests.
 *
 *   Initiator                         Responder
 *   HDR, SK {[N,] [D,] [CP,] ...}  -->
 *                                  <--  HDR, SK {[N,] [D,] [CP], ...}
 *
 * Delete payload (§3.11): Protocol ID, SPI Size, Num of SPIs, SPIs. For the IKE SA: protocol 1,
 * no SPI (the header names the SA). For ESP/AH: the 4-octet SPIs of the sender's inbound SAs.
 */
#include "ike/v2/informational.h"

#include <string.h>

#include "ike/engine.h"
#include "ike/sa.h"
#include "ike/sk.h"
#include "lib/err.h"
#include "lib/log.h"
#include "wire/ikev2_build.h"
#include "wire/ikev2_const.h"

#define INFO_MAX_SPIS IKE_MAX_CHILDREN

/* Takes a child out of the data plane and reports it. */
static void child_gone(struct ike_engine *e, struct ike_sa *sa, struct ike_child *c,
		       const char *why)
{
	if (c->state == IKE_CHILD_INSTALLED && e->cb.child_delete)
		e->cb.child_delete(e->ctx, c->reqid, c->proto, c->spi_in, c->spi_out);
	if (c->state != IKE_CHILD_DELETED)
		eng_event(e, sa->id, c->id, IKE_EV_CHILD_DOWN,
			  "CHILD_SA %s{%u} with SPIs %08x_i %08x_o deleted %s",
			  c->cfg ? c->cfg->name : "?", c->id, c->spi_in, c->spi_out, why);
	c->state = IKE_CHILD_DELETED;
}

int informational_delete_ike(struct ike_engine *e, struct ike_sa *sa, uint64_t now_ms)
{
	struct ikev2_delete d = {.proto = IKEV2_PROTO_IKE};
	struct ikev2_builder b;
	struct ikev2_hdr h;
	size_t len = 0;
	int rc;

	if (sa->state != IKE_ST_ESTABLISHED)
		return ERR_BADSTATE;
	for (size_t i = 0; i < sa->nchildren; i++)
		child_gone(e, sa, &sa->children[i], "locally");
	ike_sa_request_done(sa);
	ike_sa_hdr(sa, IKEV2_EXCH_INFORMATIONAL, false, sa->next_req_id, &h);
	ikev2_build_init(&b, e->tx, sizeof(e->tx));
	ikev2_build_hdr(&b, &h);
	sk_begin(sa, &b);
	ikev2_build_delete(&b, &d);
	rc = sk_end_seal(e, sa, &b, e->tx, &len);
	if (rc == 0)
		rc = ike_sa_set_state(e, sa, IKE_ST_DELETING);
	if (rc == 0)
		rc = ike_sa_send_request(e, sa, now_ms, e->tx, len, sa->next_req_id,
					 IKEV2_EXCH_INFORMATIONAL);
	if (rc == 0)
		sa->next_req_id++;
	return rc;
}

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

int informational_on_request(struct ike_engine *e, struct ike_sa *sa, const struct ike_rx *rx)
{
	uint8_t spis[2][INFO_MAX_SPIS * 4];
	size_t nspis[2] = {0, 0}; /* [0] ESP, [1] AH: our inbound halves, for the answer */
	bool delete_ike = false;
	struct ikev2_builder b;
	struct ikev2_hdr h;
	char peer[ADDR_STRLEN];
	size_t len = 0;
	int rc;

	ike_sa_peer_str(sa, peer, sizeof(peer));
	for (const struct ikev2_payload *p = ikev2_digest_first(rx->d, IKEV2_PT_D); p;
	     p = ikev2_digest_next(rx->d, p)) {
		const struct ikev2_delete *d = &p->u.d;
		if (d->proto == IKEV2_PROTO_IKE) {
			delete_ike = true;
			continue;
		}
		if ((d->proto != IKEV2_PROTO_ESP && d->proto != IKEV2_PROTO_AH) || d->spi_size != 4)
			continue;
		for (uint16_t k = 0; k < d->count; k++) {
			uint32_t spi = get32(d->spis + 4 * (size_t)k);
			int w = d->proto == IKEV2_PROTO_AH;
			for (size_t i = 0; i < sa->nchildren; i++) {
				struct ike_child *c = &sa->children[i];
				if (c->state == IKE_CHILD_DELETED || c->proto != d->proto ||
				    c->spi_out != spi)
					continue;
				if (nspis[w] < INFO_MAX_SPIS)
					put32(spis[w] + 4 * nspis[w]++, c->spi_in);
				child_gone(e, sa, c, "by the peer");
			}
		}
	}
	ike_sa_hdr(sa, IKEV2_EXCH_INFORMATIONAL, true, rx->hdr->msgid, &h);
	ikev2_build_init(&b, e->tx, sizeof(e->tx));
	ikev2_build_hdr(&b, &h);
	sk_begin(sa, &b);
	for (int w = 0; w < 2 && !delete_ike; w++) {
		struct ikev2_delete d = {.proto = w ? IKEV2_PROTO_AH : IKEV2_PROTO_ESP,
					 .spi_size = 4,
					 .count = (uint16_t)nspis[w],
					 .spis = spis[w]};
		if (nspis[w])
			ikev2_build_delete(&b, &d);
	}
	rc = sk_end_seal(e, sa, &b, e->tx, &len);
	sa->next_peer_id = rx->hdr->msgid + 1;
	if (rc == 0)
		rc = ike_sa_send_response(e, sa, e->tx, len, rx->hdr->msgid);
	if (delete_ike) {
		/* §1.4.1: the answer is sent; the SA and its children are gone */
		for (size_t i = 0; i < sa->nchildren; i++)
			child_gone(e, sa, &sa->children[i], "with the IKE SA");
		eng_event(e, sa->id, 0, IKE_EV_IKE_DOWN, "IKE_SA %s[%u] deleted by %s",
			  sa->conn->name, sa->id, peer);
		ike_sa_kill(e, sa);
	}
	return rc;
}

int informational_on_response(struct ike_engine *e, struct ike_sa *sa, const struct ike_rx *rx)
{
	(void)rx;
	ike_sa_request_done(sa);
	if (sa->state == IKE_ST_DELETING) {
		eng_event(e, sa->id, 0, IKE_EV_IKE_DOWN, "IKE_SA %s[%u] deleted", sa->conn->name,
			  sa->id);
		ike_sa_kill(e, sa);
	}
	return 0;
}
