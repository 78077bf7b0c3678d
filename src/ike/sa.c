/* IKE SA lifecycle: state transitions, key derivation, requests, retransmission, responses. */
#include "ike/action.h"
#include "ike/sa.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/integ.h"
#include "crypto/kex.h"
#include "crypto/prf.h"
#include "ike/engine.h"
#include "ike/v2/mobike.h"
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
    [IKE_ST_REKEYED] = "REKEYED",
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
	case IKE_ST_REKEYED:
		return "REKEYED";
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
    /* NEW -> ESTABLISHED: an IKE SA created by rekeying another (v2/rekey_ike.c) */
    [IKE_ST_NEW] =
	B(IKE_ST_INIT_SENT) | B(IKE_ST_INIT_DONE) | B(IKE_ST_ESTABLISHED) | B(IKE_ST_DEAD),
    [IKE_ST_INIT_SENT] = B(IKE_ST_INIT_SENT) | B(IKE_ST_AUTH_SENT) | B(IKE_ST_DEAD),
    [IKE_ST_INIT_DONE] = B(IKE_ST_ESTABLISHED) | B(IKE_ST_DEAD),
    [IKE_ST_AUTH_SENT] = B(IKE_ST_ESTABLISHED) | B(IKE_ST_DEAD),
    [IKE_ST_ESTABLISHED] = B(IKE_ST_DELETING) | B(IKE_ST_REKEYED) | B(IKE_ST_DEAD),
    [IKE_ST_DELETING] = B(IKE_ST_DEAD),
    [IKE_ST_REKEYED] = B(IKE_ST_DEAD),
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
	if (to == IKE_ST_ESTABLISHED)
		e->stats.ike_established++;
	sa->state = to;
	eng_sa_touch(e, sa);
	return 0;
}

struct ike_sa *ike_sa_new(struct ike_engine *e, struct conn *conn, bool initiator,
			  const struct ike_path *path, uint64_t now_ms)
{
	struct ike_sa *sa = calloc(1, sizeof(*sa));

	if (!sa)
		return NULL;
	sa->hs = calloc(1, sizeof(*sa->hs));
	if (!sa->hs) {
		free(sa);
		return NULL;
	}
	sa->id = e->next_id++;
	if (e->next_id == 0)
		e->next_id = 1;
	sa->conn = conn ? conn_ref(conn) : NULL;
	sa->initiator = initiator;
	sa->path = *path;
	sa->created_ms = now_ms;
	sa->deadline_ms = UINT64_MAX;
	sa->attempt = 1;
	return sa;
}

struct ike_ts {
	size_t n;
	struct ts ts[];
};

static struct ike_ts *ts_compact(const struct ts_list *l)
{
	struct ike_ts *t = malloc(sizeof(*t) + l->n * sizeof(t->ts[0]));

	if (!t)
		return NULL;
	t->n = l->n;
	memcpy(t->ts, l->ts, l->n * sizeof(t->ts[0]));
	return t;
}

static void ts_expand(const struct ike_ts *t, struct ts_list *out)
{
	ts_list_init(out);
	if (!t)
		return;
	out->n = t->n;
	memcpy(out->ts, t->ts, t->n * sizeof(t->ts[0]));
}

int ike_child_set_ts(struct ike_child *c, const struct ts_list *local, const struct ts_list *remote)
{
	struct ike_ts *l = local ? ts_compact(local) : NULL;
	struct ike_ts *r = remote ? ts_compact(remote) : NULL;

	if ((local && !l) || (remote && !r)) {
		free(l);
		free(r);
		return ERR_NOMEM;
	}
	if (local) {
		free(c->lts);
		c->lts = l;
	}
	if (remote) {
		free(c->rts);
		c->rts = r;
	}
	return 0;
}

void ike_child_ts(const struct ike_child *c, struct ts_list *local, struct ts_list *remote)
{
	if (local)
		ts_expand(c->lts, local);
	if (remote)
		ts_expand(c->rts, remote);
}

static void child_free(struct ike_child *c)
{
	if (!c)
		return;
	free(c->lts);
	free(c->rts);
	secret_free(c->out_ek);
	secret_free(c->out_ik);
	free(c);
}

void ike_sa_free(struct ike_sa *sa)
{
	if (!sa)
		return;
	ike_sa_handshake_done(sa);
	kex_free(sa->ccs.kex);
	ike_sa_free(sa->rk.nsa);
	kex_free(sa->cn.kex);
	kdf_ikev2_sa_keys_cleanup(&sa->keys);
	free(sa->req);
	free(sa->resp);
	ike_sa_frag_reset(sa);
	for (size_t i = 0; i < sa->nchildren; i++)
		child_free(sa->children[i]);
	mobike_free(sa->mob);
	conn_free(sa->conn);
	secret_wipe(sa, sizeof(*sa));
	free(sa);
}

void ike_sa_handshake_done(struct ike_sa *sa)
{
	if (!sa->hs)
		return;
	kex_free(sa->hs->kex);
	free(sa->hs->init_req);
	free(sa->hs->init_resp);
	secret_wipe(sa->hs, sizeof(*sa->hs));
	free(sa->hs);
	sa->hs = NULL;
	/* SK_pi and SK_pr only sign the IKE_AUTH messages (§2.15) */
	secret_free(sa->keys.sk_pi);
	secret_free(sa->keys.sk_pr);
	sa->keys.sk_pi = sa->keys.sk_pr = NULL;
}

/* SK_* from SKEYSEED (§2.14) with this SA's PRF, nonces and SPIs. The SK ciphers and MACs
 * are keyed from them per message (sk.c). */
static int keys_from_skeyseed(struct ike_sa *sa, const struct secret *skeyseed)
{
	struct integ_info ii;
	size_t integ_len = 0;
	int rc;

	rc = enc_lookup(sa->alg.encr, sa->alg.encr_bits, &sa->enc_info);
	if (rc)
		return rc;
	if (!sa->enc_info.aead) {
		rc = integ_lookup(sa->alg.integ, &ii);
		if (rc)
			return rc;
		integ_len = ii.key_len;
		sa->integ_icv_len = ii.icv_len;
	} else {
		sa->integ_icv_len = 0;
	}
	rc = kdf_ikev2_sa_keys(sa->alg.prf, skeyseed, sa->ni, sa->ni_len, sa->nr, sa->nr_len,
			       sa->spi_i, sa->spi_r, integ_len, sa->enc_info.key_len, &sa->keys);
	if (rc == 0)
		sa->keyed = true;
	return rc;
}

int ike_sa_derive_keys(struct ike_sa *sa, const struct secret *g_ir)
{
	struct secret *skeyseed = NULL;
	int rc = kdf_ikev2_skeyseed(sa->alg.prf, sa->ni, sa->ni_len, sa->nr, sa->nr_len, g_ir,
				    &skeyseed);

	if (rc == 0)
		rc = keys_from_skeyseed(sa, skeyseed);
	secret_free(skeyseed);
	return rc;
}

int ike_sa_derive_keys_rekey(struct ike_sa *sa, const struct ike_sa *old, const struct secret *g_ir)
{
	struct secret *skeyseed = NULL;
	int rc = kdf_ikev2_skeyseed_rekey(old->alg.prf, old->keys.sk_d, g_ir, sa->ni, sa->ni_len,
					  sa->nr, sa->nr_len, &skeyseed);

	if (rc == 0)
		rc = keys_from_skeyseed(sa, skeyseed);
	secret_free(skeyseed);
	return rc;
}

uint64_t ike_retransmit_delay(const struct ike_engine *e, unsigned n)
{
	uint64_t num = e->rt_timeout_ms, den = 1;

	for (unsigned i = 0; i < n && i < 16; i++) {
		num *= e->rt_base_x10;
		den *= 10;
	}
	return num / den;
}

/* Packs the datagrams of d into one heap buffer with their lengths. */
static int pack(const struct ike_dgrams *d, uint8_t **out, size_t *out_len, uint16_t *parts,
		size_t *nparts)
{
	size_t total = 0, off = 0;
	uint8_t *p;

	if (d->n == 0 || d->n > IKE_MAX_FRAGS)
		return ERR_INVAL;
	for (size_t i = 0; i < d->n; i++) {
		if (d->len[i] > UINT16_MAX)
			return ERR_INVAL;
		total += d->len[i];
	}
	p = malloc(total);
	if (!p)
		return ERR_NOMEM;
	for (size_t i = 0; i < d->n; i++) {
		memcpy(p + off, d->p[i], d->len[i]);
		parts[i] = (uint16_t)d->len[i];
		off += d->len[i];
	}
	*out = p;
	*out_len = total;
	*nparts = d->n;
	return 0;
}

static void send_parts(struct ike_engine *e, const struct ike_path *path, const uint8_t *p,
		       const uint16_t *parts, size_t n)
{
	size_t off = 0;

	for (size_t i = 0; i < n; i++) {
		eng_send(e, path, p + off, parts[i]);
		off += parts[i];
	}
}

int ike_sa_send_request_v(struct ike_engine *e, struct ike_sa *sa, uint64_t now_ms,
			  const struct ike_dgrams *d, uint32_t msgid, uint8_t exchange)
{
	uint8_t *copy = NULL;
	uint16_t parts[IKE_MAX_FRAGS];
	size_t len = 0, n = 0;
	int rc = pack(d, &copy, &len, parts, &n);

	if (rc)
		return rc;
	free(sa->req);
	sa->req = copy;
	sa->req_len = len;
	memcpy(sa->req_parts, parts, n * sizeof(parts[0]));
	sa->nreq_parts = n;
	sa->req_msgid = msgid;
	sa->req_exchange = exchange;
	sa->tries = 0;
	sa->req_sent_ms = now_ms;
	sa->deadline_ms = now_ms + ike_retransmit_delay(e, 0);
	send_parts(e, &sa->path, sa->req, sa->req_parts, sa->nreq_parts);
	return 0;
}

int ike_sa_send_request(struct ike_engine *e, struct ike_sa *sa, uint64_t now_ms,
			const uint8_t *msg, size_t len, uint32_t msgid, uint8_t exchange)
{
	struct ike_dgrams d = {.n = 1, .p = {msg}, .len = {len}};
	return ike_sa_send_request_v(e, sa, now_ms, &d, msgid, exchange);
}

void ike_sa_request_done(struct ike_sa *sa)
{
	free(sa->req);
	sa->req = NULL;
	sa->req_len = 0;
	sa->deadline_ms = UINT64_MAX;
}

int ike_sa_send_response_v(struct ike_engine *e, struct ike_sa *sa, const struct ike_dgrams *d,
			   uint32_t msgid)
{
	uint8_t *copy = NULL;
	uint16_t parts[IKE_MAX_FRAGS];
	size_t len = 0, n = 0;
	int rc = pack(d, &copy, &len, parts, &n);

	if (rc)
		return rc;
	free(sa->resp);
	sa->resp = copy;
	sa->resp_len = len;
	memcpy(sa->resp_parts, parts, n * sizeof(parts[0]));
	sa->nresp_parts = n;
	sa->resp_msgid = msgid;
	sa->have_resp = true;
	send_parts(e, e->reply_path ? e->reply_path : &sa->path, sa->resp, sa->resp_parts,
		   sa->nresp_parts);
	return 0;
}

int ike_sa_send_response(struct ike_engine *e, struct ike_sa *sa, const uint8_t *msg, size_t len,
			 uint32_t msgid)
{
	struct ike_dgrams d = {.n = 1, .p = {msg}, .len = {len}};
	return ike_sa_send_response_v(e, sa, &d, msgid);
}

void ike_sa_resend_response(struct ike_engine *e, struct ike_sa *sa)
{
	if (sa->have_resp)
		send_parts(e, e->reply_path ? e->reply_path : &sa->path, sa->resp, sa->resp_parts,
			   sa->nresp_parts);
}

void ike_sa_frag_reset(struct ike_sa *sa)
{
	if (!sa->frag)
		return;
	for (size_t i = 0; i < IKE_MAX_FRAGS; i++)
		free(sa->frag->part[i]);
	free(sa->frag);
	sa->frag = NULL;
}

const char *ike_sa_peer_str(const struct ike_sa *sa, char *buf, size_t len)
{
	return addr_str(&sa->path.remote, buf, len);
}

struct ike_child *ike_sa_child_add(struct ike_sa *sa)
{
	struct ike_child *c;

	if (sa->nchildren >= IKE_MAX_CHILDREN)
		return NULL;
	c = calloc(1, sizeof(*c));
	if (c)
		sa->children[sa->nchildren++] = c;
	return c;
}

void ike_sa_child_remove(struct ike_sa *sa, struct ike_child *c)
{
	size_t i;

	for (i = 0; i < sa->nchildren && sa->children[i] != c; i++)
		;
	if (i == sa->nchildren)
		return;
	memmove(&sa->children[i], &sa->children[i + 1],
		(sa->nchildren - i - 1) * sizeof(sa->children[0]));
	sa->children[--sa->nchildren] = NULL;
	if (sa->ccs.old == c) {
		sa->ccs.old = NULL;
		sa->ccs.active = false;
	}
	if (sa->ccs.coll_child == c)
		sa->ccs.coll_child = NULL;
	child_free(c);
}

void ike_sa_kill(struct ike_engine *e, struct ike_sa *sa)
{
	for (size_t i = 0; i < sa->nchildren; i++) {
		struct ike_child *c = sa->children[i];
		if (c->state == IKE_CHILD_INSTALLED && !c->expired && e->cb.child_delete)
			e->cb.child_delete(e->ctx, c->reqid, c->proto, c->spi_in, c->spi_out);
		if (c->state == IKE_CHILD_INSTALLED && !c->rekeyed)
			action_child_updown(e, sa, c, false);
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
	if (sa->tries >= e->rt_tries) {
		/* keyingtries retries setting the SA up, never a Delete (DELETING) */
		bool retry = sa->initiator &&
			     (sa->state == IKE_ST_INIT_SENT || sa->state == IKE_ST_AUTH_SENT) &&
			     (sa->conn->keyingtries == 0 || sa->attempt < sa->conn->keyingtries);
		ike_sa_peer_str(sa, peer, sizeof(peer));
		if (sa->rk.replaced) { /* a rekeyed SA (v2/rekey_ike.c): nothing is lost */
			log_info(LOG_IKE, "#%u: no answer from %s on the rekeyed IKE_SA: freed",
				 sa->id, peer);
			ike_sa_kill(e, sa);
			return;
		}
		eng_event(e, sa->id, 0, IKE_EV_IKE_FAILED,
			  "no answer from %s after %u retransmits (%s)%s", peer, sa->tries,
			  ikev2_exchange_str(sa->req_exchange),
			  retry ? ", trying again (keyingtries)" : "");
		sa->gave_up = retry;
		ike_sa_kill(e, sa);
		return;
	}
	sa->tries++;
	e->stats.retransmits++;
	log_debug(LOG_IKE, "#%u: retransmit %u of %s request %u", sa->id, sa->tries,
		  ikev2_exchange_str(sa->req_exchange), sa->req_msgid);
	sa->deadline_ms = now_ms + ike_retransmit_delay(e, sa->tries);
	send_parts(e, &sa->path, sa->req, sa->req_parts, sa->nreq_parts);
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
