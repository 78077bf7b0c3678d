/* IKE SA lifecycle: state transitions, key derivation, requests, retransmission, responses. */
#include "ike/sa.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/integ.h"
#include "crypto/kex.h"
#include "crypto/prf.h"
#include "ike/engine.h"
#include "lib/err.h"
#include "lib/log.h"
#include "wire/ikev2_const.h"

static const char *const state_names[] = {
    [IKE_ST_NEW] = "NEW",
    [IKE_ST_INIT_SENT] = "INIT_SENT",
    [IKE_ST_INIT_DONE] = "INIT_DONE",
    [IKE_ST_AUTH_SENT] = "AUTH_SENT",
    [IKE_ST_ESTABLISHED] = "ESTABLISHED",
    [IKE_ST_DELETING] = "DELETING",
    [IKE_ST_DEAD] = "DEAD",
};

const char *ike_state_name(enum ike_state s)
{
	return (unsigned)s <= IKE_ST_DEAD ? state_names[s] : "?";
}

const char *ike_state_vici(enum ike_state s)
{
	switch (s) {
	case IKE_ST_ESTABLISHED:
		return "ESTABLISHED";
	case IKE_ST_DELETING:
		return "DELETING";
	case IKE_ST_DEAD:
		return "DESTROYING";
	case IKE_ST_NEW:
		return "CREATED";
	default:
		return "CONNECTING";
	}
}

/* Legal transitions: allowed[from] is a bit set of target states. */
#define B(s) (1u << (s))
static const unsigned allowed[] = {
    [IKE_ST_NEW] = B(IKE_ST_INIT_SENT) | B(IKE_ST_INIT_DONE) | B(IKE_ST_DEAD),
    [IKE_ST_INIT_SENT] = B(IKE_ST_INIT_SENT) | B(IKE_ST_AUTH_SENT) | B(IKE_ST_DEAD),
    [IKE_ST_INIT_DONE] = B(IKE_ST_ESTABLISHED) | B(IKE_ST_DEAD),
    [IKE_ST_AUTH_SENT] = B(IKE_ST_ESTABLISHED) | B(IKE_ST_DEAD),
    [IKE_ST_ESTABLISHED] = B(IKE_ST_DELETING) | B(IKE_ST_DEAD),
    [IKE_ST_DELETING] = B(IKE_ST_DEAD),
    [IKE_ST_DEAD] = 0,
};

int ike_sa_set_state(struct ike_engine *e, struct ike_sa *sa, enum ike_state to)
{
	enum ike_state from = sa->state;

	if ((unsigned)to > IKE_ST_DEAD || !(allowed[from] & B(to))) {
		log_error(LOG_IKE, "#%u: illegal state change %s -> %s", sa->id,
			  ike_state_name(from), ike_state_name(to));
		return ERR_BADSTATE;
	}
	log_debug(LOG_IKE, "#%u: %s -> %s", sa->id, ike_state_name(from), ike_state_name(to));
	if (!sa->initiator && from == IKE_ST_INIT_DONE && e->nhalf_open > 0)
		e->nhalf_open--;
	if (!sa->initiator && to == IKE_ST_INIT_DONE)
		e->nhalf_open++;
	sa->state = to;
	return 0;
}

struct ike_sa *ike_sa_new(struct ike_engine *e, struct conn *conn, bool initiator,
			  const struct ike_path *path, uint64_t now_ms)
{
	struct ike_sa *sa = calloc(1, sizeof(*sa));

	if (!sa)
		return NULL;
	sa->id = e->next_id++;
	if (e->next_id == 0)
		e->next_id = 1;
	sa->conn = conn ? conn_ref(conn) : NULL;
	sa->initiator = initiator;
	sa->path = *path;
	sa->created_ms = now_ms;
	sa->deadline_ms = UINT64_MAX;
	return sa;
}

void ike_sa_free(struct ike_sa *sa)
{
	if (!sa)
		return;
	kex_free(sa->kex);
	kdf_ikev2_sa_keys_cleanup(&sa->keys);
	enc_free(sa->enc_in);
	enc_free(sa->enc_out);
	integ_free(sa->integ_in);
	integ_free(sa->integ_out);
	free(sa->init_req);
	free(sa->init_resp);
	free(sa->req);
	free(sa->resp);
	conn_free(sa->conn);
	secret_wipe(sa, sizeof(*sa));
	free(sa);
}

int ike_sa_derive_keys(struct ike_sa *sa, const struct secret *g_ir)
{
	struct secret *skeyseed = NULL;
	struct integ_info ii;
	size_t integ_len = 0;
	const struct secret *ke_out, *ke_in, *ka_out, *ka_in;
	int rc;

	rc = enc_lookup(sa->alg.encr, sa->alg.encr_bits, &sa->enc_info);
	if (rc)
		goto out;
	if (!sa->enc_info.aead) {
		rc = integ_lookup(sa->alg.integ, &ii);
		if (rc)
			goto out;
		integ_len = ii.key_len;
		sa->integ_icv_len = ii.icv_len;
	} else {
		sa->integ_icv_len = 0;
	}
	rc = kdf_ikev2_skeyseed(sa->alg.prf, sa->ni, sa->ni_len, sa->nr, sa->nr_len, g_ir,
				&skeyseed);
	if (rc)
		goto out;
	rc = kdf_ikev2_sa_keys(sa->alg.prf, skeyseed, sa->ni, sa->ni_len, sa->nr, sa->nr_len,
			       sa->spi_i, sa->spi_r, integ_len, sa->enc_info.key_len, &sa->keys);
	if (rc)
		goto out;
	ke_out = sa->initiator ? sa->keys.sk_ei : sa->keys.sk_er;
	ke_in = sa->initiator ? sa->keys.sk_er : sa->keys.sk_ei;
	ka_out = sa->initiator ? sa->keys.sk_ai : sa->keys.sk_ar;
	ka_in = sa->initiator ? sa->keys.sk_ar : sa->keys.sk_ai;
	rc = enc_new(sa->alg.encr, sa->alg.encr_bits, ENC_ENCRYPT, ke_out ? ke_out->p : NULL,
		     ke_out ? ke_out->len : 0, &sa->enc_out);
	if (rc == 0)
		rc = enc_new(sa->alg.encr, sa->alg.encr_bits, ENC_DECRYPT, ke_in ? ke_in->p : NULL,
			     ke_in ? ke_in->len : 0, &sa->enc_in);
	if (rc == 0 && !sa->enc_info.aead) {
		rc = integ_new(sa->alg.integ, ka_out->p, ka_out->len, &sa->integ_out);
		if (rc == 0)
			rc = integ_new(sa->alg.integ, ka_in->p, ka_in->len, &sa->integ_in);
	}
out:
	secret_free(skeyseed);
	return rc;
}

uint64_t ike_retransmit_delay(unsigned n)
{
	uint64_t num = IKE_RETRANSMIT_TIMEOUT, den = 1;

	for (unsigned i = 0; i < n && i < 16; i++) {
		num *= IKE_RETRANSMIT_BASE_X10;
		den *= 10;
	}
	return num / den;
}

int ike_sa_send_request(struct ike_engine *e, struct ike_sa *sa, uint64_t now_ms,
			const uint8_t *msg, size_t len, uint32_t msgid, uint8_t exchange)
{
	uint8_t *copy = malloc(len);

	if (!copy)
		return ERR_NOMEM;
	memcpy(copy, msg, len);
	free(sa->req);
	sa->req = copy;
	sa->req_len = len;
	sa->req_msgid = msgid;
	sa->req_exchange = exchange;
	sa->tries = 0;
	sa->req_sent_ms = now_ms;
	sa->deadline_ms = now_ms + ike_retransmit_delay(0);
	eng_send(e, &sa->path, copy, len);
	return 0;
}

void ike_sa_request_done(struct ike_sa *sa)
{
	free(sa->req);
	sa->req = NULL;
	sa->req_len = 0;
	sa->deadline_ms = UINT64_MAX;
}

int ike_sa_send_response(struct ike_engine *e, struct ike_sa *sa, const uint8_t *msg, size_t len,
			 uint32_t msgid)
{
	uint8_t *copy = malloc(len);

	if (!copy)
		return ERR_NOMEM;
	memcpy(copy, msg, len);
	free(sa->resp);
	sa->resp = copy;
	sa->resp_len = len;
	sa->resp_msgid = msgid;
	sa->have_resp = true;
	eng_send(e, &sa->path, copy, len);
	return 0;
}

const char *ike_sa_peer_str(const struct ike_sa *sa, char *buf, size_t len)
{
	return addr_str(&sa->path.remote, buf, len);
}

void ike_sa_kill(struct ike_engine *e, struct ike_sa *sa)
{
	for (size_t i = 0; i < sa->nchildren; i++) {
		struct ike_child *c = &sa->children[i];
		if (c->state == IKE_CHILD_INSTALLED && e->cb.child_delete)
			e->cb.child_delete(e->ctx, c->reqid, c->proto, c->spi_in, c->spi_out);
		c->state = IKE_CHILD_DELETED;
	}
	ike_sa_request_done(sa);
	if (sa->state != IKE_ST_DEAD)
		ike_sa_set_state(e, sa, IKE_ST_DEAD);
}

void ike_sa_timeout(struct ike_engine *e, struct ike_sa *sa, uint64_t now_ms)
{
	char peer[ADDR_STRLEN];

	if (!sa->req || now_ms < sa->deadline_ms)
		return;
	if (sa->tries >= IKE_RETRANSMIT_TRIES) {
		ike_sa_peer_str(sa, peer, sizeof(peer));
		eng_event(e, sa->id, 0, IKE_EV_IKE_FAILED,
			  "no answer from %s after %u retransmits (%s)", peer, sa->tries,
			  ikev2_exchange_str(sa->req_exchange));
		ike_sa_kill(e, sa);
		return;
	}
	sa->tries++;
	e->stats.retransmits++;
	log_debug(LOG_IKE, "#%u: retransmit %u of %s request %u", sa->id, sa->tries,
		  ikev2_exchange_str(sa->req_exchange), sa->req_msgid);
	sa->deadline_ms = now_ms + ike_retransmit_delay(sa->tries);
	eng_send(e, &sa->path, sa->req, sa->req_len);
}

void ike_sa_hdr(const struct ike_sa *sa, uint8_t exchange, bool response, uint32_t msgid,
		struct ikev2_hdr *h)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->spi_i, sa->spi_i, 8);
	memcpy(h->spi_r, sa->spi_r, 8);
	h->major = IKEV2_MAJOR;
	h->minor = 0;
	h->exchange = exchange;
	h->flags = (uint8_t)((sa->initiator ? IKEV2_FLAG_INITIATOR : 0) |
			     (response ? IKEV2_FLAG_RESPONSE : 0));
	h->msgid = msgid;
}
