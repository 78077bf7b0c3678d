/* The engine's public entry points (ike/ike.h). */
#include "ike/ike.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include <stdio.h>

#include "crypto/enc.h"
#include "ike/action.h"
#include "ike/child.h"
#include "ike/dispatch.h"
#include "ike/engine.h"
#include "ike/nat.h"
#include "ike/sa.h"
#include "ike/sk.h"
#include "ike/trap.h"
#include "ike/expire.h"
#include "ike/v2/child_new.h"
#include "ike/v2/reauth.h"
#include "ike/v2/create_child_sa.h"
#include "ike/v2/ike_sa_init.h"
#include "ike/v2/informational.h"
#include "ike/v2/mobike.h"
#include "ike/v2/rekey_ike.h"
#include "lib/err.h"
#include "lib/log.h"
#include "wire/iana.h"
#include "wire/ikev2_const.h"

struct ike_engine *ike_engine_new(const struct ike_callbacks *cb, void *ctx)
{
	struct ike_engine *e;

	if (!cb || !cb->send || !cb->event)
		return NULL;
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->cb = *cb;
	e->ctx = ctx;
	e->next_id = 1;
	e->next_reqid = 1;
	e->keepalive_ms = IKE_KEEPALIVE_MS;
	log_ratelimit_init(&e->rl, 1000, 20);
	e->rt_timeout_ms = IKE_RETRANSMIT_TIMEOUT;
	e->rt_base_x10 = IKE_RETRANSMIT_BASE_X10;
	e->rt_tries = IKE_RETRANSMIT_TRIES;
	if (eng_table_init(e) != 0) {
		eng_table_cleanup(e);
		free(e);
		return NULL;
	}
	return e;
}

static void drop_config(struct ike_engine *e)
{
	for (size_t i = 0; i < e->nconns; i++)
		conn_free(e->conns[i]);
	free(e->conns);
	e->conns = NULL;
	e->nconns = 0;
	conn_secrets_free(e->secrets);
	e->secrets = NULL;
	OPENSSL_cleanse(e->pad_key, sizeof(e->pad_key));
	e->pad_psk = NULL;
}

void ike_engine_free(struct ike_engine *e)
{
	if (!e)
		return;
	eng_table_cleanup(e);
	drop_config(e);
	trap_free_all(e);
	action_free(e);
	enc_free(e->sk_enc[0]);
	enc_free(e->sk_enc[1]);
	OPENSSL_cleanse(e->rpool, sizeof(e->rpool));
	OPENSSL_cleanse(e->cookie_secret, sizeof(e->cookie_secret));
	free(e);
}

/* Whether the engine can run c; logs why not. */
static int conn_check(const struct conn *c)
{
	if (c->version == CONN_VERSION_1) {
		log_error(LOG_IKE, "connection '%s': IKEv1 is not handled by the IKEv2 engine",
			  c->name);
		return ERR_INVAL;
	}
	if (c->nproposals == 0) {
		log_error(LOG_IKE, "connection '%s': no IKE proposal", c->name);
		return ERR_INVAL;
	}
	if (c->nlocal_auth < 1 || c->nlocal_auth > CONN_MAX_ROUNDS || c->nremote_auth < 1 ||
	    c->nremote_auth > CONN_MAX_ROUNDS) {
		log_error(LOG_IKE, "connection '%s': 1 or 2 local and remote auth rounds needed",
			  c->name);
		return ERR_INVAL;
	}
	for (size_t i = 0; i < c->nchildren; i++) {
		const struct conn_child *ch = c->children[i];
		if (ch->nesp == 0 && ch->nah == 0) {
			log_error(LOG_IKE, "connection '%s' child '%s': no ESP or AH proposal",
				  c->name, ch->name);
			return ERR_INVAL;
		}
		if (ch->ipcomp) {
			log_error(LOG_IKE, "connection '%s' child '%s': IPComp is not supported",
				  c->name, ch->name);
			return ERR_INVAL;
		}
	}
	return 0;
}

int ike_engine_set_config(struct ike_engine *e, struct conn *const *conns, size_t n,
			  struct conn_secrets *secrets)
{
	struct conn **arr = NULL;

	for (size_t i = 0; i < n; i++) {
		int rc = conn_check(conns[i]);
		if (rc)
			return rc;
		for (size_t j = 0; j < i; j++)
			if (strcmp(conns[i]->name, conns[j]->name) == 0) {
				log_error(LOG_IKE, "connection '%s' defined twice", conns[i]->name);
				return ERR_INVAL;
			}
	}
	if (n) {
		arr = calloc(n, sizeof(*arr));
		if (!arr)
			return ERR_NOMEM;
	}
	/* the previous connections stay referenced until the actions compared them */
	struct conn **old = e->conns;
	size_t nold = e->nconns;
	e->conns = NULL;
	e->nconns = 0;
	drop_config(e);
	for (size_t i = 0; i < n; i++)
		arr[i] = conn_ref(conns[i]);
	e->conns = arr;
	e->nconns = n;
	e->secrets = secrets;
	if (action_config_changed(e, old, nold) != 0)
		log_error(LOG_IKE,
			  "start/trap actions of the new configuration not applied (ENOMEM)");
	for (size_t i = 0; i < nold; i++)
		conn_free(old[i]);
	free(old);
	return 0;
}

const struct conn *ike_engine_conn(const struct ike_engine *e, const char *name)
{
	for (size_t i = 0; i < e->nconns; i++)
		if (strcmp(e->conns[i]->name, name) == 0)
			return e->conns[i];
	return NULL;
}

/* Frees SAs marked DEAD, files and times the others touched (end of every entry point). */
static void reap(struct ike_engine *e)
{
	eng_settle(e);
}

static void drop(struct ike_engine *e, uint64_t *counter, uint64_t now, const char *why,
		 const struct ike_path *path)
{
	char peer[ADDR_STRLEN];

	(*counter)++;
	log_peer(&e->rl, now, LOG_IKE, LOG_LVL_INFO, "datagram from %s dropped: %s",
		 addr_str(&path->remote, peer, sizeof(peer)), why);
}

/* RFC 7383 §2.6: one SKF fragment. Returns 1 when the message is complete (its inner
 * digest in e->inner), 0 while waiting or when the fragment was dropped. */
static int reassemble(struct ike_engine *e, struct ike_sa *sa, uint64_t now,
		      const struct ike_path *path, const struct ikev2_hdr *hdr, const uint8_t *data,
		      size_t len)
{
	const struct ikev2_sk *sk = &e->outer.sk->u.sk;
	size_t inner_len = 0, base = 0, total = 0;
	uint16_t num = sk->frag_num, cnt = sk->frag_total;
	int rc;

	if (e->outer.n != 1 || sa->conn->fragmentation == CONN_FRAG_NO) {
		drop(e, &e->stats.drop_malformed, now, "unexpected fragment", path);
		return 0;
	}
	rc = sk_decrypt(e, sa, data, len, &e->outer, e->plain, sizeof(e->plain), &inner_len, &base);
	if (rc) {
		drop(e, rc == ERR_AUTH ? &e->stats.drop_auth : &e->stats.drop_malformed, now,
		     rc == ERR_AUTH ? "fragment integrity check failed" : "bad SKF payload", path);
		return 0;
	}
	if (!(hdr->flags & IKEV2_FLAG_RESPONSE) && sa->have_resp && hdr->msgid == sa->resp_msgid) {
		if (num == 1) /* a retransmitted request: answer once, on its first fragment */
			ike_sa_resend_response(e, sa);
		return 0;
	}
	if (sa->frag && (sa->frag->msgid != hdr->msgid || sa->frag->total != cnt))
		ike_sa_frag_reset(sa);
	if (cnt > IKE_MAX_FRAGS || num == 0 || num > cnt || (num == 1 && sk->first_inner == 0) ||
	    (num != 1 && sk->first_inner != 0)) {
		drop(e, &e->stats.drop_limit, now, "fragment numbering or count refused", path);
		return 0;
	}
	if (!sa->frag && !(sa->frag = calloc(1, sizeof(*sa->frag))))
		return ERR_NOMEM;
	if (sa->frag->part[num - 1])
		return 0; /* duplicate */
	if (sa->frag->bytes + inner_len > IKE_MAX_MSG) {
		ike_sa_frag_reset(sa);
		drop(e, &e->stats.drop_limit, now, "reassembled message too large", path);
		return 0;
	}
	sa->frag->part[num - 1] = malloc(inner_len ? inner_len : 1);
	if (!sa->frag->part[num - 1])
		return ERR_NOMEM;
	memcpy(sa->frag->part[num - 1], e->plain, inner_len);
	sa->frag->len[num - 1] = inner_len;
	sa->frag->active = true;
	sa->frag->msgid = hdr->msgid;
	sa->frag->total = cnt;
	sa->frag->bytes += inner_len;
	sa->frag->nrecv++;
	if (num == 1)
		sa->frag->first_inner = sk->first_inner;
	if (sa->frag->nrecv < cnt)
		return 0;
	for (uint16_t i = 0; i < cnt; i++) {
		memcpy(e->plain + total, sa->frag->part[i], sa->frag->len[i]);
		total += sa->frag->len[i];
	}
	rc = ikev2_decode_inner(e->plain, total, 0, sa->frag->first_inner, &e->inner, NULL);
	ike_sa_frag_reset(sa);
	if (rc) {
		drop(e, &e->stats.drop_malformed, now, "reassembled message malformed", path);
		return 0;
	}
	return 1;
}

static void count_exchange(struct ike_engine *e, uint8_t exchange, bool response);

static int input(struct ike_engine *e, uint64_t now, const struct ike_path *path,
		 const uint8_t *data, size_t len)
{
	struct ikev2_decode_err derr = {0};
	struct ikev2_hdr hdr;
	struct ike_rx rx;
	struct ike_sa *sa;
	bool response;
	int rc;

	if (len > IKE_MAX_MSG || ikev2_hdr_decode(data, len, &hdr) != 0) {
		drop(e, &e->stats.drop_malformed, now, "not an IKEv2 message", path);
		return 0;
	}
	if (ikev2_decode(data, len, &e->outer, &derr) != 0) {
		static const uint8_t zero[8];
		drop(e, &e->stats.drop_malformed, now, "malformed", path);
		/* an IKE_SA_INIT request may be told why (§2.5, §3.10.1); others are dropped
		 * silently: they cannot be authenticated */
		if (hdr.exchange == IKEV2_EXCH_IKE_SA_INIT && !(hdr.flags & IKEV2_FLAG_RESPONSE) &&
		    memcmp(hdr.spi_r, zero, 8) == 0 && hdr.msgid == 0 && derr.notify)
			ike_sa_init_answer(e, path, &hdr, derr.notify, &derr.payload_type,
					   derr.notify == IKEV2_N_UNSUPPORTED_CRITICAL_PAYLOAD ? 1
											       : 0);
		return 0;
	}
	response = hdr.flags & IKEV2_FLAG_RESPONSE;
	memset(&rx, 0, sizeof(rx));
	rx.now = now;
	rx.path = path;
	rx.msg = data;
	rx.len = len;
	rx.hdr = &hdr;
	rx.outer = &e->outer;
	rx.d = &e->outer;
	if (hdr.exchange == IKEV2_EXCH_IKE_SA_INIT && !response) {
		static const uint8_t zero[8];
		if (memcmp(hdr.spi_r, zero, 8) != 0 || hdr.msgid != 0 ||
		    !(hdr.flags & IKEV2_FLAG_INITIATOR)) {
			drop(e, &e->stats.drop_malformed, now, "bad IKE_SA_INIT request header",
			     path);
			return 0;
		}
		sa = eng_sa_by_init(e, hdr.spi_i, path);
		if (sa) {
			/* a retransmitted request: the same answer again */
			if (sa->have_resp && sa->resp_msgid == 0 && sa->hs && sa->hs->init_req &&
			    sa->hs->init_req_len == len && memcmp(sa->hs->init_req, data, len) == 0)
				ike_sa_resend_response(e, sa);
			else
				drop(e, &e->stats.drop_state, now, "IKE_SA_INIT for a known SA",
				     path);
			return 0;
		}
		count_exchange(e, hdr.exchange, false);
		return ike_sa_init_on_request(e, &rx);
	}
	/* the I flag says who sent it; our SPI is the other one */
	sa = eng_sa_by_local_spi(e, (hdr.flags & IKEV2_FLAG_INITIATOR) ? hdr.spi_r : hdr.spi_i);
	if (!sa || sa->initiator == !!(hdr.flags & IKEV2_FLAG_INITIATOR) ||
	    sa->state == IKE_ST_DEAD) {
		drop(e, &e->stats.drop_no_sa, now, "no such IKE SA", path);
		return 0;
	}
	eng_sa_touch(e, sa); /* its timers may change */
	if (!response && sa->mob)
		e->reply_path = path; /* MOBIKE: answers go back where requests come from */
	if (hdr.exchange != IKEV2_EXCH_IKE_SA_INIT && sa->state != IKE_ST_INIT_SENT &&
	    memcmp(sa->initiator ? hdr.spi_r : hdr.spi_i, sa->initiator ? sa->spi_r : sa->spi_i,
		   8) != 0) {
		drop(e, &e->stats.drop_no_sa, now, "SPI mismatch", path);
		return 0;
	}
	if (response) {
		if (!sa->req || hdr.msgid != sa->req_msgid || hdr.exchange != sa->req_exchange) {
			drop(e, &e->stats.drop_msgid, now, "unexpected response message ID", path);
			return 0;
		}
	} else if (hdr.msgid != sa->next_peer_id &&
		   !(sa->have_resp && hdr.msgid == sa->resp_msgid)) {
		drop(e, &e->stats.drop_msgid, now, "request message ID outside the window", path);
		return 0;
	}
	if (hdr.exchange != IKEV2_EXCH_IKE_SA_INIT && e->outer.sk &&
	    e->outer.sk->type == IKEV2_PT_SKF) {
		rc = reassemble(e, sa, now, path, &hdr, data, len);
		if (rc <= 0)
			return rc == ERR_NOMEM ? rc : 0;
		rx.d = &e->inner;
		sa->last_rx_ms = now;
		nat_path_seen(e, sa, path, now);
	} else if (hdr.exchange != IKEV2_EXCH_IKE_SA_INIT) {
		memset(&derr, 0, sizeof(derr));
		rc = sk_open(e, sa, data, len, &e->outer, e->plain, sizeof(e->plain), &e->inner,
			     &derr);
		if ((rc == ERR_CRITICAL || derr.notify) && !response &&
		    hdr.msgid == sa->next_peer_id && sa->state >= IKE_ST_INIT_DONE) {
			/* authentic but unacceptable: §2.5 / §2.21.2, answered under SK */
			drop(e, &e->stats.drop_malformed, now, "bad payload inside SK", path);
			sk_answer_notify(
			    e, sa, hdr.exchange, hdr.msgid,
			    derr.notify ? derr.notify : IKEV2_N_INVALID_SYNTAX, &derr.payload_type,
			    derr.notify == IKEV2_N_UNSUPPORTED_CRITICAL_PAYLOAD ? 1 : 0);
			return 0;
		}
		if (rc) {
			drop(e, rc == ERR_AUTH ? &e->stats.drop_auth : &e->stats.drop_malformed,
			     now, rc == ERR_AUTH ? "integrity check failed" : "bad SK payload",
			     path);
			return 0;
		}
		rx.d = &e->inner;
		sa->last_rx_ms = now;
		if (!response && sa->have_resp && hdr.msgid == sa->resp_msgid) {
			/* a retransmitted request: our cached answer again (§2.1) */
			ike_sa_resend_response(e, sa);
			return 0;
		}
		nat_path_seen(e, sa, path, now);
	}
	count_exchange(e, hdr.exchange, response);
	rc = ike_dispatch(e, sa, &rx);
	if (sa->state == IKE_ST_ESTABLISHED) {
		create_child_sa_arm(e, sa, now);
		rekey_ike_arm(e, sa, now);
		child_new_poll(e, sa, now);
		reauth_arm(e, sa, now);
		expire_arm(e, sa, now);
		reauth_poll(e, sa, now);
	}
	return rc == ERR_NOMEM ? rc : 0;
}

int ike_engine_input(struct ike_engine *e, uint64_t now_ms, const struct ike_path *path,
		     const uint8_t *data, size_t len)
{
	int rc;

	e->stats.rx++;
	rc = input(e, now_ms, path, data, len);
	e->reply_path = NULL;
	reap(e);
	action_run(e, now_ms);
	return rc;
}

/* Whether the connection has a usable local and remote address to initiate with. */
static int initiate_path(const struct conn *c, struct ike_path *p)
{
	memset(p, 0, sizeof(*p));
	if (c->nremote_addrs == 0 || addr_is_zero(&c->remote_addrs[0]) || c->nlocal_addrs == 0 ||
	    addr_is_zero(&c->local_addrs[0]))
		return ERR_INVAL;
	p->local = c->local_addrs[0];
	p->remote = c->remote_addrs[0];
	p->local_port = c->local_port;
	p->remote_port = c->remote_port;
	return 0;
}

/* An IKE SA of connection c that can take another Child SA: an established one (either
 * role) not being replaced, else one we are setting up. */
static struct ike_sa *sa_of_conn(struct ike_engine *e, const struct conn *c)
{
	struct ike_sa *setting_up = NULL;

	for (struct ike_sa *sa = e->sas; sa; sa = sa->next) {
		if (strcmp(sa->conn->name, c->name) != 0 || sa->reauth_by || sa->delete_pending ||
		    sa->rk.replaced)
			continue;
		if (sa->state == IKE_ST_ESTABLISHED)
			return sa;
		if (!setting_up && sa->initiator && sa->state <= IKE_ST_AUTH_SENT)
			setting_up = sa;
	}
	return setting_up;
}

/* Asks sa for the children of the request (child_name, or every child): 0 when at least one
 * was added, ERR_EXISTS when all are there or under way, another error else. */
static int want_on(struct ike_engine *e, struct ike_sa *sa, const char *child_name, uint64_t now_ms)
{
	int rc = ERR_NOTFOUND, any = ERR_EXISTS;

	for (size_t i = 0; i < sa->conn->nchildren; i++) {
		const struct conn_child *ch = sa->conn->children[i];
		if (child_name && strcmp(ch->name, child_name) != 0)
			continue;
		rc = child_new_want(e, sa, ch, now_ms);
		if (rc == 0)
			any = 0;
		else if (rc != ERR_EXISTS && any == ERR_EXISTS)
			any = rc;
	}
	return rc == ERR_NOTFOUND ? rc : any;
}

int ike_engine_initiate(struct ike_engine *e, uint64_t now_ms, const char *conn_name,
			const char *child_name, uint32_t *id)
{
	struct conn *c = eng_conn(e, conn_name);
	struct ike_path path;
	struct ike_sa *sa;
	int rc;

	if (!c)
		return ERR_NOTFOUND;
	if (child_name && !conn_child_find(c, child_name))
		return ERR_NOTFOUND;
	/* §1.3.1: another Child SA of an IKE SA we have goes through CREATE_CHILD_SA */
	sa = child_name ? sa_of_conn(e, c) : NULL;
	if (sa) {
		rc = want_on(e, sa, child_name, now_ms);
		eng_sa_touch(e, sa); /* a CREATE_CHILD_SA may be due */
		if (rc == 0 || rc == ERR_EXISTS) {
			if (rc == 0)
				*id = sa->id;
			reap(e);
			return rc;
		}
	}
	rc = initiate_path(c, &path);
	if (rc)
		return rc;
	if (e->nsas >= IKE_MAX_SAS)
		return ERR_LIMIT;
	sa = ike_sa_new(e, c, true, &path, now_ms);
	if (!sa)
		return ERR_NOMEM;
	/* the first child with IKE_AUTH (none with childless = force, RFC 6023), the others
	 * by CREATE_CHILD_SA once the IKE SA is up */
	for (size_t i = 0; i < c->nchildren && i < 32; i++) {
		if (child_name && strcmp(c->children[i]->name, child_name) != 0)
			continue;
		if (!sa->want_child && c->childless != CONN_CHILDLESS_FORCE)
			sa->want_child = c->children[i];
		else
			sa->cn_want |= 1u << i;
	}
	eng_sa_link(e, sa);
	rc = ike_sa_init_start(e, sa, now_ms);
	if (rc) {
		ike_sa_kill(e, sa);
		reap(e);
		return rc;
	}
	*id = sa->id;
	reap(e);
	return 0;
}

int ike_engine_terminate(struct ike_engine *e, uint64_t now_ms, uint32_t id)
{
	struct ike_sa *sa = eng_sa_by_id(e, id);

	if (!sa || sa->state == IKE_ST_DEAD)
		return ERR_NOTFOUND;
	/* an established SA is deleted at the peer too (INFORMATIONAL Delete, §1.4.1); one not
	 * yet established, or already deleting, goes silently */
	eng_sa_touch(e, sa);
	if (sa->state == IKE_ST_ESTABLISHED && informational_delete_ike(e, sa, now_ms) == 0) {
		reap(e);
		return 0;
	}
	if (sa->state == IKE_ST_ESTABLISHED)
		eng_event(e, sa->id, 0, IKE_EV_IKE_DOWN, "IKE_SA %s[%u] deleted locally",
			  sa->conn->name, sa->id);
	ike_sa_kill(e, sa);
	reap(e);
	return 0;
}

int ike_engine_terminate_child(struct ike_engine *e, uint64_t now_ms, uint32_t child_id)
{
	for (struct ike_sa *sa = e->sas; sa; sa = sa->next) {
		if (sa->state != IKE_ST_ESTABLISHED)
			continue;
		for (size_t i = 0; i < sa->nchildren; i++) {
			struct ike_child *c = sa->children[i];
			if (c->id != child_id || c->state != IKE_CHILD_INSTALLED)
				continue;
			informational_delete_child(e, sa, c, now_ms);
			eng_sa_touch(e, sa);
			reap(e);
			return 0;
		}
	}
	return ERR_NOTFOUND;
}

int ike_engine_rekey_child(struct ike_engine *e, uint64_t now_ms, uint32_t child_id)
{
	for (struct ike_sa *sa = e->sas; sa; sa = sa->next)
		for (size_t i = 0; i < sa->nchildren; i++)
			if (sa->children[i]->id == child_id &&
			    sa->children[i]->state == IKE_CHILD_INSTALLED) {
				int rc = create_child_sa_rekey(e, sa, sa->children[i], now_ms);
				eng_sa_touch(e, sa);
				reap(e);
				return rc;
			}
	return ERR_NOTFOUND;
}

int ike_engine_rekey_ike(struct ike_engine *e, uint64_t now_ms, uint32_t id)
{
	struct ike_sa *sa = eng_sa_by_id(e, id);

	int rc;

	if (!sa || sa->state == IKE_ST_DEAD)
		return ERR_NOTFOUND;
	eng_sa_touch(e, sa);
	rc = rekey_ike_start(e, sa, now_ms);
	reap(e);
	return rc;
}

int ike_engine_child_expired(struct ike_engine *e, uint64_t now_ms, uint32_t child_id, bool hard)
{
	if (hard)
		return ike_engine_terminate_child(e, now_ms, child_id);
	for (struct ike_sa *sa = e->sas; sa; sa = sa->next) {
		for (size_t i = 0; i < sa->nchildren; i++) {
			struct ike_child *c = sa->children[i];
			if (c->id != child_id || c->state != IKE_CHILD_INSTALLED)
				continue;
			if (c->rekeyed || c->del != INFO_DEL_NONE)
				return 0; /* a rekey or delete already replaces it */
			log_info(LOG_IKE,
				 "#%u: Child SA %s #%u reached its soft lifetime: rekeying", sa->id,
				 c->cfg ? c->cfg->name : "?", c->id);
			/* the timer runs it now, or once the IKE SA's window is free */
			c->rekey_at_ms = now_ms ? now_ms : 1;
			create_child_sa_poll(e, sa, now_ms);
			return 0;
		}
	}
	return ERR_NOTFOUND;
}

/* keyingtries: a new IKE SA (new SPI, nonce, KE) takes the place of one that got no answer,
 * keeping its unique id so "rampart up" can follow it. */
static void retry(struct ike_engine *e, struct ike_sa *old, uint64_t now_ms)
{
	struct ike_sa *sa = ike_sa_new(e, old->conn, true, &old->path, now_ms);

	if (!sa)
		return;
	e->next_id--; /* the id is not used: the retry keeps the old one */
	sa->id = old->id;
	sa->attempt = old->attempt + 1;
	sa->want_child = old->want_child;
	sa->cn_want = old->cn_want;
	sa->path.local_port = sa->conn->local_port;
	sa->path.remote_port = sa->conn->remote_port;
	old->gave_up = false;
	eng_sa_link(e, sa);
	if (ike_sa_init_start(e, sa, now_ms) != 0)
		ike_sa_kill(e, sa);
}

void ike_engine_timeout(struct ike_engine *e, uint64_t now_ms)
{
	struct ike_sa *sa;

	/* SAs due leave the heap (touched: back in it when settled), so each runs once */
	while ((sa = eng_sa_due(e, now_ms)) != NULL) {
		if (sa->state == IKE_ST_DEAD)
			continue;
		mobike_poll(e, sa, now_ms);
		informational_poll(e, sa, now_ms);
		create_child_sa_poll(e, sa, now_ms);
		rekey_ike_poll(e, sa, now_ms);
		nat_poll(e, sa, now_ms);
		child_new_poll(e, sa, now_ms);
		reauth_arm(e, sa, now_ms);
		expire_arm(e, sa, now_ms);
		expire_poll(e, sa, now_ms);
		reauth_poll(e, sa, now_ms);
		if (sa->state == IKE_ST_DEAD || now_ms < sa->deadline_ms)
			continue;
		if (!sa->initiator && sa->state == IKE_ST_INIT_DONE) {
			/* half-open responder SA: the initiator never authenticated */
			log_peer(&e->rl, now_ms, LOG_IKE, LOG_LVL_INFO,
				 "#%u: half-open IKE SA expired", sa->id);
			ike_sa_kill(e, sa);
			continue;
		}
		ike_sa_timeout(e, sa, now_ms);
		if (sa->gave_up && e->nsas < IKE_MAX_SAS)
			retry(e, sa, now_ms); /* timed when settled: not visited again this round */
	}
	reap(e);
	action_run(e, now_ms);
	reap(e);
}

uint64_t eng_sa_deadline(const struct ike_engine *e, const struct ike_sa *sa)
{
	uint64_t d = sa->deadline_ms, t[8];

	if (sa->state == IKE_ST_DEAD)
		return UINT64_MAX;
	t[0] = informational_deadline(sa);
	t[1] = create_child_sa_deadline(sa);
	t[2] = rekey_ike_deadline(sa);
	t[3] = nat_deadline(e, sa);
	t[4] = child_new_deadline(sa);
	t[5] = expire_deadline(sa);
	t[6] = reauth_deadline(sa);
	t[7] = mobike_deadline(sa);
	for (size_t i = 0; i < 8; i++)
		if (t[i] < d)
			d = t[i];
	return d;
}

uint64_t ike_engine_next_deadline(const struct ike_engine *e)
{
	uint64_t d = eng_next_due(e), a = action_deadline(e);

	return a < d ? a : d;
}

static void fill_info(const struct ike_sa *sa, struct ike_sa_info *o)
{
	memset(o, 0, sizeof(*o));
	o->id = sa->id;
	snprintf(o->conn, sizeof(o->conn), "%s", sa->conn->name);
	o->state = ike_state_vici(sa->state);
	o->initiator = sa->initiator;
	o->path = sa->path;
	conn_id_str(&sa->local_id, o->local_id, sizeof(o->local_id));
	conn_id_str(&sa->remote_id, o->remote_id, sizeof(o->remote_id));
	memcpy(o->spi_i, sa->spi_i, 8);
	memcpy(o->spi_r, sa->spi_r, 8);
	o->nat_local = sa->nat_local;
	o->nat_remote = sa->nat_remote;
	o->nat_fake = sa->nat_fake;
	o->mobike = sa->mob != NULL;
	if (sa->mob) {
		o->mobike_updates = sa->mob->updates;
		o->peer_addrs = sa->mob->naddl;
	}
	o->encr_alg = sa->alg.encr;
	o->encr_keysize = sa->alg.encr_bits;
	o->integ_alg = sa->alg.integ;
	o->prf_alg = sa->alg.prf;
	o->dh_group = sa->alg.ke;
	o->established_ms = sa->established_ms;
	o->rekey_at_ms = sa->rk.at_ms;
	o->reauth_at_ms = sa->reauth_at_ms;
	for (size_t i = 0; i < sa->nchildren && o->nchildren < IKE_LIST_MAX_CHILDREN; i++) {
		const struct ike_child *c = sa->children[i];
		struct ike_child_info *ci;
		if (c->state == IKE_CHILD_DELETED)
			continue;
		ci = &o->children[o->nchildren++];
		ci->child_id = c->id;
		ci->reqid = c->reqid;
		snprintf(ci->name, sizeof(ci->name), "%s", c->cfg->name);
		ci->state = child_state_of(sa, c);
		ci->mode = c->mode;
		ci->proto = c->proto;
		ci->spi_in = c->spi_in;
		ci->spi_out = c->spi_out;
		ci->encr_alg = c->alg.encr;
		ci->encr_keysize = c->alg.encr_bits;
		ci->integ_alg = c->alg.integ;
		ci->esn = c->alg.has_esn && c->alg.esn == IKEV2_ESN_YES;
		ci->encap = sa->nat_local || sa->nat_remote || sa->conn->encap;
		ike_child_ts(c, &ci->local_ts, &ci->remote_ts);
		ci->installed_ms = c->installed_ms;
		ci->rekey_at_ms = c->rekey_at_ms;
		ci->expire_at_ms = c->expire_at_ms == UINT64_MAX ? 0 : c->expire_at_ms;
	}
}

void ike_engine_list(const struct ike_engine *e, struct ike_sa_info *out, size_t cap, size_t *n,
		     size_t *total)
{
	size_t k = 0, t = 0;

	for (const struct ike_sa *sa = e->sas; sa; sa = sa->next) {
		if (sa->state == IKE_ST_DEAD)
			continue;
		if (k < cap)
			fill_info(sa, &out[k++]);
		t++;
	}
	*n = k;
	*total = t;
}

void ike_engine_set_test_hooks(struct ike_engine *e, const struct ike_test_hooks *h, void *ctx)
{
	if (h) {
		e->hooks = *h;
		e->hooks_ctx = ctx;
		e->have_hooks = true;
	} else {
		memset(&e->hooks, 0, sizeof(e->hooks));
		e->hooks_ctx = NULL;
		e->have_hooks = false;
	}
}

void ike_engine_set_wall_offset(struct ike_engine *e, int64_t offset_ms)
{
	e->wall_offset_ms = offset_ms;
}

int ike_engine_set_retransmit(struct ike_engine *e, uint32_t timeout_ms, unsigned base_x10,
			      unsigned tries)
{
	if (timeout_ms < 100 || timeout_ms > 600000 || base_x10 < 10 || base_x10 > 100 ||
	    tries > IKE_RETRANSMIT_TRIES_MAX)
		return ERR_INVAL;
	e->rt_timeout_ms = timeout_ms;
	e->rt_base_x10 = base_x10;
	e->rt_tries = tries;
	return 0;
}

void ike_engine_stats(const struct ike_engine *e, struct ike_stats *out)
{
	*out = e->stats;
	out->sas = e->nsas;
	out->half_open = e->nhalf_open;
	out->established = 0;
	for (const struct ike_sa *sa = e->sas; sa; sa = sa->next)
		out->established += sa->state == IKE_ST_ESTABLISHED;
}

/* A message that reaches its handler: a new request of the peer or the response to ours. */
static void count_exchange(struct ike_engine *e, uint8_t exchange, bool response)
{
	unsigned i = IKE_STATS_EXCH(exchange);

	if (i < 4)
		e->stats.exchanges[i][response ? 0 : 1]++;
}
