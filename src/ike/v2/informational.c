/* The INFORMATIONAL exchange: liveness checks, Delete of Child SAs and of the IKE SA (RFC 7296
 * §1.4, §1.5, §2.4), and dead peer detection with dpd_action.
 */
#include "ike/v2/informational.h"

#include <string.h>

#include "ike/action.h"
#include "ike/child.h"
#include "ike/engine.h"
#include "ike/sa.h"
#include "ike/sk.h"
#include "ike/v2/ike_sa_init.h"
#include "ike/v2/mobike.h"
#include "ike/v2/rekey_ike.h"
#include "lib/err.h"
#include "lib/log.h"
#include "wire/ikev2_build.h"
#include "wire/ikev2_const.h"

/* SPIs of one protocol for a Delete payload (network order, 4 octets each). */
struct spi_set {
	uint16_t n;
	uint8_t b[IKE_MAX_CHILDREN * 4];
};

static void spi_add(struct spi_set *s, uint32_t spi)
{
	if (s->n >= IKE_MAX_CHILDREN)
		return;
	s->b[s->n * 4] = (uint8_t)(spi >> 24);
	s->b[s->n * 4 + 1] = (uint8_t)(spi >> 16);
	s->b[s->n * 4 + 2] = (uint8_t)(spi >> 8);
	s->b[s->n * 4 + 3] = (uint8_t)spi;
	s->n++;
}

static void put_delete(struct ikev2_builder *b, uint8_t proto, const struct spi_set *s)
{
	struct ikev2_delete d = {.proto = proto, .spi_size = 4, .count = s->n, .spis = s->b};

	if (s->n)
		ikev2_build_delete(b, &d);
}

/* HDR, SK {payloads} of an INFORMATIONAL message: del_ike for D(IKE), else the ESP and AH
 * SPI sets (either may be NULL). Sealed into e->tx; *len its length. */
static int build(struct ike_engine *e, struct ike_sa *sa, bool response, uint32_t msgid,
		 bool del_ike, const struct spi_set *esp, const struct spi_set *ah,
		 const struct mobike_answer *mob, size_t *len)
{
	struct ikev2_builder b;
	struct ikev2_hdr h;
	int rc;

	ike_sa_hdr(sa, IKEV2_EXCH_INFORMATIONAL, response, msgid, &h);
	ikev2_build_init(&b, e->tx, sizeof(e->tx));
	ikev2_build_hdr(&b, &h);
	sk_begin(sa, &b);
	if (del_ike) {
		struct ikev2_delete d = {.proto = IKEV2_PROTO_IKE};
		ikev2_build_delete(&b, &d);
	}
	if (esp)
		put_delete(&b, IKEV2_PROTO_ESP, esp);
	if (ah)
		put_delete(&b, IKEV2_PROTO_AH, ah);
	if (mob && (rc = mobike_put_answer(e, sa, mob, &b)) != 0)
		return rc;
	if (!response && !del_ike && !esp && !ah && (rc = mobike_put_dpd(e, sa, msgid, &b)) != 0)
		return rc;
	return sk_end_seal(e, sa, &b, e->tx, len);
}

static int send_request(struct ike_engine *e, struct ike_sa *sa, uint64_t now, bool del_ike,
			const struct spi_set *esp, const struct spi_set *ah)
{
	size_t len = 0;
	int rc = build(e, sa, false, sa->next_req_id, del_ike, esp, ah, NULL, &len);

	if (rc == 0)
		rc = ike_sa_send_request(e, sa, now, e->tx, len, sa->next_req_id,
					 IKEV2_EXCH_INFORMATIONAL);
	if (rc == 0)
		sa->next_req_id++;
	return rc;
}

/* Removes an installed child from the data plane and reports it. */
static void child_gone(struct ike_engine *e, struct ike_sa *sa, struct ike_child *c,
		       const char *how)
{
	if (c->state == IKE_CHILD_INSTALLED)
		child_replaced(e, sa, c); /* its successor's outbound SA takes over first */
	if (c->state == IKE_CHILD_INSTALLED && !c->expired && e->cb.child_delete)
		e->cb.child_delete(e->ctx, c->reqid, c->proto, c->spi_in, c->spi_out);
	if (c->state == IKE_CHILD_INSTALLED && !c->rekeyed)
		action_child_updown(e, sa, c, false);
	if (c->state == IKE_CHILD_INSTALLED && !c->expired) /* expired: told already */
		eng_event(e, sa->id, c->id, IKE_EV_CHILD_DOWN,
			  "CHILD_SA %s{%u} with SPIs %08x_i %08x_o deleted %s", c->cfg->name,
			  c->reqid, c->spi_in, c->spi_out, how);
	c->state = IKE_CHILD_DELETED;
	c->del = INFO_DEL_NONE;
}

static void ike_gone(struct ike_engine *e, struct ike_sa *sa, bool by_peer, const char *how)
{
	char peer[ADDR_STRLEN];

	for (size_t i = 0; i < sa->nchildren; i++)
		child_gone(e, sa, sa->children[i], how);
	ike_sa_peer_str(sa, peer, sizeof(peer));
	if (sa->rk.replaced) /* rekeyed (v2/rekey_ike.c): its successor lives on */
		log_info(LOG_IKE, "#%u: rekeyed IKE_SA %s[%u] deleted %s", sa->id, sa->conn->name,
			 sa->id, by_peer ? "by the peer" : how);
	else if (by_peer)
		eng_event(e, sa->id, 0, IKE_EV_IKE_DOWN, "IKE_SA %s[%u] deleted by %s",
			  sa->conn->name, sa->id, peer);
	else
		eng_event(e, sa->id, 0, IKE_EV_IKE_DOWN, "IKE_SA %s[%u] with %s deleted %s",
			  sa->conn->name, sa->id, peer, how);
	ike_sa_kill(e, sa);
}

/* HDR, SK {[D]...} from the peer: D(IKE) deletes this IKE SA (empty answer); D(ESP/AH) lists
 * the peer's inbound SPIs (our outbound): the answer lists our inbound SPIs of those pairs,
 * except pairs we are deleting ourselves (crossing deletes, §1.4.1). SPIs we do not know are
 * ignored. An empty request is a liveness check, answered empty. */
int informational_on_request(struct ike_engine *e, struct ike_sa *sa, const struct ike_rx *rx)
{
	struct spi_set esp = {0}, ah = {0};
	struct action_closed closed[IKE_MAX_CHILDREN]; /* close_action (ike/action.h) */
	struct mobike_answer mob;
	size_t nclosed = 0;
	bool del_ike = false;
	size_t len = 0;
	int rc;

	sa->next_peer_id = rx->hdr->msgid + 1;
	/* MOBIKE (RFC 4555) first: an address update moves the SA, and the answer goes out on
	 * the new path */
	rc = mobike_on_request(e, sa, rx, &mob);
	if (rc)
		return rc;
	for (const struct ikev2_payload *p = ikev2_digest_first(rx->d, IKEV2_PT_D); p;
	     p = ikev2_digest_next(rx->d, p)) {
		const struct ikev2_delete *d = &p->u.d;
		if (d->proto == IKEV2_PROTO_IKE) {
			del_ike = true;
			continue;
		}
		if ((d->proto != IKEV2_PROTO_ESP && d->proto != IKEV2_PROTO_AH) || d->spi_size != 4)
			continue;
		for (uint16_t i = 0; i < d->count; i++) {
			uint32_t spi;
			if (ikev2_delete_spi(d, i, &spi) != 0)
				break;
			for (size_t k = 0; k < sa->nchildren; k++) {
				struct ike_child *c = sa->children[k];
				if (c->state != IKE_CHILD_INSTALLED || c->proto != d->proto ||
				    c->spi_out != spi)
					continue;
				if (c->del != INFO_DEL_SENT)
					spi_add(d->proto == IKEV2_PROTO_ESP ? &esp : &ah,
						c->spi_in);
				/* closed by the peer, not a rekey's old SA nor a crossing
				 * delete of ours */
				if (c->del != INFO_DEL_SENT && !c->rekeyed &&
				    nclosed < IKE_MAX_CHILDREN)
					closed[nclosed++] =
					    (struct action_closed){c->cfg, c->reqid};
				child_gone(e, sa, c, "by the peer");
			}
		}
	}
	if (del_ike) {
		esp.n = ah.n = 0;
		rekey_ike_on_delete(e, sa, rx->now);
		for (size_t k = 0; k < sa->nchildren && nclosed < IKE_MAX_CHILDREN; k++)
			if (sa->children[k]->state == IKE_CHILD_INSTALLED &&
			    !sa->children[k]->rekeyed)
				closed[nclosed++] = (struct action_closed){sa->children[k]->cfg,
									   sa->children[k]->reqid};
	}
	rc = build(e, sa, true, rx->hdr->msgid, false, &esp, &ah, &mob, &len);
	if (rc == 0)
		rc = ike_sa_send_response(e, sa, e->tx, len, rx->hdr->msgid);
	if (del_ike)
		ike_gone(e, sa, true, "by the peer");
	action_peer_closed(e, sa, closed, nclosed);
	return rc;
}

/* The answer to our request: completes a Delete of the IKE SA or of Child SAs (§1.4.1: the
 * children we asked to delete go now, whatever the answer lists), or a liveness check. */
int informational_on_response(struct ike_engine *e, struct ike_sa *sa, const struct ike_rx *rx)
{
	mobike_on_response(e, sa, rx);
	ike_sa_request_done(sa);
	if (sa->state == IKE_ST_DELETING) {
		ike_gone(e, sa, false, "(the peer confirmed)");
		return 0;
	}
	for (size_t k = 0; k < sa->nchildren; k++)
		if (sa->children[k]->del == INFO_DEL_SENT)
			child_gone(e, sa, sa->children[k], "(the peer confirmed)");
	return 0;
}

int informational_delete_ike(struct ike_engine *e, struct ike_sa *sa, uint64_t now_ms)
{
	if (sa->state != IKE_ST_ESTABLISHED)
		return ERR_BADSTATE;
	for (size_t i = 0; i < sa->nchildren; i++)
		child_gone(e, sa, sa->children[i], "locally");
	sa->delete_pending = true;
	informational_poll(e, sa, now_ms);
	return 0;
}

void informational_delete_child(struct ike_engine *e, struct ike_sa *sa, struct ike_child *c,
				uint64_t now_ms)
{
	if (c->state != IKE_CHILD_INSTALLED || c->del != INFO_DEL_NONE)
		return;
	c->del = INFO_DEL_QUEUED;
	informational_poll(e, sa, now_ms);
}

/* Re-initiates conn after its IKE SA died (dpd_action / restart). */
static void restart(struct ike_engine *e, struct ike_sa *old, uint64_t now_ms)
{
	struct ike_sa *sa;
	struct ike_path path = old->path;

	if (e->nsas >= IKE_MAX_SAS)
		return;
	path.local_port = old->conn->local_port;
	path.remote_port = old->conn->remote_port;
	sa = ike_sa_new(e, old->conn, true, &path, now_ms);
	if (!sa)
		return;
	sa->want_child = old->conn->nchildren ? old->conn->children[0] : NULL;
	for (size_t i = 0; i < old->nchildren; i++)
		if (old->children[i]->cfg) {
			sa->want_child = old->children[i]->cfg;
			break;
		}
	/* the other children it had come back by CREATE_CHILD_SA (v2/child_new.c) */
	for (size_t i = 0; i < old->conn->nchildren && i < 32; i++)
		for (size_t k = 0; k < old->nchildren; k++)
			if (old->children[k]->cfg == old->conn->children[i] &&
			    old->conn->children[i] != sa->want_child)
				sa->cn_want |= 1u << i;
	eng_sa_link(e, sa);
	log_info(LOG_IKE, "#%u: dpd_action restart: IKE_SA %s[%u] initiated", old->id,
		 sa->conn->name, sa->id);
	if (ike_sa_init_start(e, sa, now_ms) != 0)
		ike_sa_kill(e, sa);
}

/* dpd_action is per child in swanctl.conf: restart when any child of the SA (or, for a
 * childless SA, of the connection) says restart, else trap when one says trap, else clear. */
static enum conn_action dpd_action(const struct ike_sa *sa)
{
	enum conn_action act = CONN_ACTION_NONE;
	size_t n = sa->nchildren ? sa->nchildren : sa->conn->nchildren;

	for (size_t i = 0; i < n; i++) {
		const struct conn_child *ch =
		    sa->nchildren ? sa->children[i]->cfg : sa->conn->children[i];
		if (ch && ch->dpd_action == CONN_ACTION_START)
			return CONN_ACTION_START;
		if (ch && ch->dpd_action == CONN_ACTION_TRAP)
			act = CONN_ACTION_TRAP;
	}
	return act;
}

/* Our INFORMATIONAL request (a liveness check or a Child SA delete) went unanswered through
 * the whole retransmission sequence: the peer is dead (§2.4). (An unanswered Delete of the IKE
 * SA is the core's give-up.) dpd_action: clear deletes locally; restart also initiates again; trap
 * deletes locally and installs the trap policies of the children that say trap. */
static void give_up(struct ike_engine *e, struct ike_sa *sa, uint64_t now_ms)
{
	char peer[ADDR_STRLEN];
	enum conn_action act = dpd_action(sa);
	unsigned tries = sa->tries;

	ike_sa_peer_str(sa, peer, sizeof(peer));
	action_dpd_traps(e, sa);
	for (size_t i = 0; i < sa->nchildren; i++)
		child_gone(e, sa, sa->children[i], "(peer dead)");
	eng_event(e, sa->id, 0, IKE_EV_IKE_DOWN,
		  "peer %s did not answer liveness checks after %u retransmits: IKE_SA %s[%u] "
		  "declared dead (dpd_action %s)",
		  peer, tries, sa->conn->name, sa->id,
		  act == CONN_ACTION_START  ? "restart"
		  : act == CONN_ACTION_TRAP ? "trap"
					    : "clear");
	ike_sa_kill(e, sa);
	if (act == CONN_ACTION_START)
		restart(e, sa, now_ms);
}

static uint64_t dpd_due(const struct ike_sa *sa)
{
	uint64_t last = sa->last_rx_ms > sa->established_ms ? sa->last_rx_ms : sa->established_ms;

	return last + (uint64_t)sa->conn->dpd_delay * 1000;
}

uint64_t informational_deadline(const struct ike_sa *sa)
{
	if (sa->state != IKE_ST_ESTABLISHED || sa->req)
		return UINT64_MAX;
	if (sa->delete_pending)
		return 0;
	for (size_t i = 0; i < sa->nchildren; i++)
		if (sa->children[i]->del == INFO_DEL_QUEUED)
			return 0;
	if (sa->conn->dpd_delay)
		return dpd_due(sa);
	return UINT64_MAX;
}

void informational_poll(struct ike_engine *e, struct ike_sa *sa, uint64_t now_ms)
{
	struct spi_set esp = {0}, ah = {0};

	if (sa->req && sa->req_exchange == IKEV2_EXCH_INFORMATIONAL && now_ms >= sa->deadline_ms &&
	    sa->tries >= e->rt_tries && sa->state == IKE_ST_ESTABLISHED) {
		give_up(e, sa, now_ms);
		return;
	}
	if (sa->state != IKE_ST_ESTABLISHED || sa->req)
		return;
	if (sa->delete_pending) {
		/* HDR, SK {D(IKE)} */
		sa->delete_pending = false;
		if (ike_sa_set_state(e, sa, IKE_ST_DELETING) == 0 &&
		    send_request(e, sa, now_ms, true, NULL, NULL) != 0)
			ike_gone(e, sa, false, "locally (the Delete could not be sent)");
		return;
	}
	for (size_t i = 0; i < sa->nchildren; i++) {
		struct ike_child *c = sa->children[i];
		if (c->del != INFO_DEL_QUEUED)
			continue;
		if (c->state != IKE_CHILD_INSTALLED) {
			c->del = INFO_DEL_NONE;
			continue;
		}
		c->del = INFO_DEL_SENT;
		spi_add(c->proto == IKEV2_PROTO_ESP ? &esp : &ah, c->spi_in);
	}
	if (esp.n || ah.n) {
		/* HDR, SK {D(ESP/AH, our inbound SPIs)} */
		if (send_request(e, sa, now_ms, false, &esp, &ah) != 0)
			for (size_t i = 0; i < sa->nchildren; i++)
				if (sa->children[i]->del == INFO_DEL_SENT)
					child_gone(e, sa, sa->children[i], "locally");
		return;
	}
	if (sa->conn->dpd_delay && now_ms >= dpd_due(sa)) {
		/* HDR, SK {} : a liveness check */
		log_debug(LOG_IKE, "#%u: liveness check", sa->id);
		send_request(e, sa, now_ms, false, NULL, NULL);
	}
}
