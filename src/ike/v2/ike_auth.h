/* IKE_AUTH (RFC 7296 §1.2, §2.15): identities, PSK authentication, INITIAL_CONTACT and the
 * first Child SA (SAi2/SAr2, TSi/TSr narrowed per §2.9, USE_TRANSPORT_MODE), initiator and
 * responder. Child SA failures (NO_PROPOSAL_CHOSEN, TS_UNACCEPTABLE) leave the IKE SA up.
 */
#ifndef RAMPART_IKE_V2_IKE_AUTH_H
#define RAMPART_IKE_V2_IKE_AUTH_H

#include <stdint.h>

#include "ike/dispatch.h"

struct ike_engine;
struct ike_sa;

/* Initiator: HDR, SK {IDi, [N(INITIAL_CONTACT),] [IDr,] AUTH, [N(USE_TRANSPORT_MODE),]
 * SAi2, TSi, TSr} (the Child SA part only when sa->want_child is set). */
int ike_auth_start(struct ike_engine *e, struct ike_sa *sa, uint64_t now_ms);
int ike_auth_on_request(struct ike_engine *e, struct ike_sa *sa, const struct ike_rx *rx);
int ike_auth_on_response(struct ike_engine *e, struct ike_sa *sa, const struct ike_rx *rx);

#endif
