/* The dispatch table and its checks. */
#include "ike/dispatch.h"

#include "ike/engine.h"
#include "ike/sa.h"
#include "ike/v2/ike_auth.h"
#include "ike/v2/create_child_sa.h"
#include "ike/v2/ike_sa_init.h"
#include "ike/v2/informational.h"
#include "ike/v2/rekey_ike.h"
#include "lib/err.h"
#include "lib/log.h"
#include "wire/ikev2_const.h"

#define ST(s) (1u << (s))

#define CCS_REQ_STATES (ST(IKE_ST_ESTABLISHED) | ST(IKE_ST_REKEYED) | ST(IKE_ST_DELETING))
#define CCS_REQ	       (PL(IKEV2_PT_SA) | PL(IKEV2_PT_Nx))
#define CCS_OPT	       (PL(IKEV2_PT_KE) | PL(IKEV2_PT_TSi) | PL(IKEV2_PT_TSr))
#define INFO_STATES    (ST(IKE_ST_ESTABLISHED) | ST(IKE_ST_DELETING) | ST(IKE_ST_REKEYED))

/* Child SA work through CREATE_CHILD_SA carries TSi and TSr. */
static bool has_ts(struct ike_engine *e, struct ike_sa *sa, const struct ike_rx *rx)
{
	if (ikev2_digest_first(rx->d, IKEV2_PT_TSi) && ikev2_digest_first(rx->d, IKEV2_PT_TSr))
		return true;
	e->stats.drop_malformed++;
	log_peer(&e->rl, rx->now, LOG_IKE, LOG_LVL_INFO,
		 "#%u: CREATE_CHILD_SA without TSi/TSr for a Child SA: dropped", sa->id);
	return false;
}

/* An IKE SA rekey (v2/rekey_ike.c) or Child SA work (v2/create_child_sa.c); none while the
 * IKE SA is being rekeyed by us, replaced or deleted (§2.25: TEMPORARY_FAILURE). */
static int ccs_request(struct ike_engine *e, struct ike_sa *sa, const struct ike_rx *rx)
{
	if (rekey_ike_is_request(e, rx))
		return rekey_ike_on_request(e, sa, rx);
	if (!has_ts(e, sa, rx))
		return ERR_INVAL;
	if (sa->state != IKE_ST_ESTABLISHED || sa->rk.active || sa->rk.replaced)
		return rekey_ike_refuse(e, sa, rx);
	return create_child_sa_on_request(e, sa, rx);
}

static int ccs_response(struct ike_engine *e, struct ike_sa *sa, const struct ike_rx *rx)
{
	if (sa->rk.active)
		return rekey_ike_on_response(e, sa, rx);
	if (!rx->error_only && !has_ts(e, sa, rx))
		return ERR_INVAL;
	return create_child_sa_on_response(e, sa, rx);
}

static const struct ike_transition table[] = {
    /* HDR, SAr1, KEr, Nr, [CERTREQ] */
    {"IKE_SA_INIT response", IKEV2_EXCH_IKE_SA_INIT, true, true, ST(IKE_ST_INIT_SENT),
     PL(IKEV2_PT_SA) | PL(IKEV2_PT_KE) | PL(IKEV2_PT_Nx), PL(IKEV2_PT_CERTREQ),
     ike_sa_init_on_response},
    /* HDR, SK {IDi, [CERT,] [CERTREQ,] [IDr,] AUTH, SAi2, TSi, TSr} */
    {"IKE_AUTH request", IKEV2_EXCH_IKE_AUTH, false, false, ST(IKE_ST_INIT_DONE),
     PL(IKEV2_PT_IDi) | PL(IKEV2_PT_AUTH),
     PL(IKEV2_PT_CERT) | PL(IKEV2_PT_CERTREQ) | PL(IKEV2_PT_IDr) | PL(IKEV2_PT_SA) |
	 PL(IKEV2_PT_TSi) | PL(IKEV2_PT_TSr) | PL(IKEV2_PT_CP),
     ike_auth_on_request},
    /* HDR, SK {IDr, [CERT,] AUTH, SAr2, TSi, TSr} */
    {"IKE_AUTH response", IKEV2_EXCH_IKE_AUTH, true, true, ST(IKE_ST_AUTH_SENT),
     PL(IKEV2_PT_IDr) | PL(IKEV2_PT_AUTH),
     PL(IKEV2_PT_CERT) | PL(IKEV2_PT_SA) | PL(IKEV2_PT_TSi) | PL(IKEV2_PT_TSr) | PL(IKEV2_PT_CP),
     ike_auth_on_response},
    /* HDR, SK {[N(REKEY_SA),] SA, Ni, [KEi,] TSi, TSr} / HDR, SK {SA, Nr, [KEr,] TSi, TSr},
     * from either end (§1.3); HDR, SK {SA, Ni, KEi} rekeys the IKE SA (§1.3.2): see ccs_*;
     * requests on an IKE SA being replaced or deleted get TEMPORARY_FAILURE (§2.25) */
    {"CREATE_CHILD_SA request", IKEV2_EXCH_CREATE_CHILD_SA, false, true, CCS_REQ_STATES, CCS_REQ,
     CCS_OPT, ccs_request},
    {"CREATE_CHILD_SA request", IKEV2_EXCH_CREATE_CHILD_SA, false, false, CCS_REQ_STATES, CCS_REQ,
     CCS_OPT, ccs_request},
    {"CREATE_CHILD_SA response", IKEV2_EXCH_CREATE_CHILD_SA, true, true, ST(IKE_ST_ESTABLISHED),
     CCS_REQ, CCS_OPT, ccs_response},
    {"CREATE_CHILD_SA response", IKEV2_EXCH_CREATE_CHILD_SA, true, false, ST(IKE_ST_ESTABLISHED),
     CCS_REQ, CCS_OPT, ccs_response},
    /* HDR, SK {[N,] [D,] [CP,] ...}, from either end (§1.4); while DELETING we still answer
     * (a simultaneous delete) */
    {"INFORMATIONAL request", IKEV2_EXCH_INFORMATIONAL, false, true, INFO_STATES, 0,
     PL(IKEV2_PT_D) | PL(IKEV2_PT_CP), informational_on_request},
    {"INFORMATIONAL request", IKEV2_EXCH_INFORMATIONAL, false, false, INFO_STATES, 0,
     PL(IKEV2_PT_D) | PL(IKEV2_PT_CP), informational_on_request},
    {"INFORMATIONAL response", IKEV2_EXCH_INFORMATIONAL, true, true, INFO_STATES, 0,
     PL(IKEV2_PT_D) | PL(IKEV2_PT_CP), informational_on_response},
    {"INFORMATIONAL response", IKEV2_EXCH_INFORMATIONAL, true, false, INFO_STATES, 0,
     PL(IKEV2_PT_D) | PL(IKEV2_PT_CP), informational_on_response},
};

static bool has_error_notify(const struct ikev2_digest *d)
{
	for (const struct ikev2_payload *p = ikev2_digest_first(d, IKEV2_PT_N); p;
	     p = ikev2_digest_next(d, p))
		if (ikev2_notify_is_error(p->u.n.type) || p->u.n.type == IKEV2_N_COOKIE)
			return true;
	return false;
}

int ike_dispatch(struct ike_engine *e, struct ike_sa *sa, struct ike_rx *rx)
{
	bool response = rx->hdr->flags & IKEV2_FLAG_RESPONSE;

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		const struct ike_transition *t = &table[i];
		uint32_t present = 0, allowed;

		if (t->exchange != rx->hdr->exchange || t->response != response ||
		    t->initiator != sa->initiator || !(t->states & ST(sa->state)))
			continue;
		for (uint16_t k = 0; k < rx->d->n; k++) {
			uint8_t type = rx->d->pl[k].type;
			if (type >= 33 && type <= 54 && rx->d->pl[k].known)
				present |= PL(type);
		}
		allowed =
		    t->required | t->optional | PL(IKEV2_PT_N) | PL(IKEV2_PT_V) | PL(IKEV2_PT_SK);
		rx->error_only = false;
		if ((present & t->required) != t->required || (present & ~allowed)) {
			if (response && has_error_notify(rx->d)) {
				rx->error_only = true;
			} else {
				e->stats.drop_malformed++;
				log_peer(&e->rl, rx->now, LOG_IKE, LOG_LVL_INFO,
					 "#%u: %s lacks a required payload or carries one not "
					 "allowed: dropped",
					 sa->id, t->name);
				return ERR_INVAL;
			}
		}
		log_debug(LOG_IKE, "#%u: %s", sa->id, t->name);
		return t->handler(e, sa, rx);
	}
	e->stats.drop_state++;
	log_peer(&e->rl, rx->now, LOG_IKE, LOG_LVL_INFO, "#%u: unexpected %s %s in state %s",
		 sa->id, ikev2_exchange_str(rx->hdr->exchange), response ? "response" : "request",
		 ike_state_name(sa->state));
	return ERR_BADSTATE;
}
