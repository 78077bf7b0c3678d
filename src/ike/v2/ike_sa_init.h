/* IKE_SA_INIT (RFC 7296 §1.2): proposals, KE, nonces, NAT detection (§2.23), cookies (§2.6),
 * INVALID_KE_PAYLOAD retries, NO_PROPOSAL_CHOSEN; initiator and responder.
 */
#ifndef RAMPART_IKE_V2_IKE_SA_INIT_H
#define RAMPART_IKE_V2_IKE_SA_INIT_H

#include <stdint.h>

#include "ike/dispatch.h"
#include "wire/ikev2_msg.h"

struct ike_engine;
struct ike_sa;

/* Initiator: sends (or re-sends, after COOKIE / INVALID_KE_PAYLOAD) the request
 *   HDR, [N(COOKIE),] SAi1, KEi, Ni, N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP)
 *   [, N(IKEV2_FRAGMENTATION_SUPPORTED)] [, N(SIGNATURE_HASH_ALGORITHMS)]
 * with a fresh KE for sa->ke_group (chosen from the first proposal when 0). */
int ike_sa_init_start(struct ike_engine *e, struct ike_sa *sa, uint64_t now_ms);
/* Responder: a request that belongs to no SA. Answers statelessly (COOKIE, INVALID_KE_PAYLOAD,
 * NO_PROPOSAL_CHOSEN) or creates a half-open SA and answers HDR, SAr1, KEr, Nr, N(NAT_D)... */
int ike_sa_init_on_request(struct ike_engine *e, const struct ike_rx *rx);
/* A stateless answer HDR(SPIi, 0, response), N(type, data) to the IKE_SA_INIT request req
 * (malformed requests: INVALID_SYNTAX, UNSUPPORTED_CRITICAL_PAYLOAD with the payload type). */
void ike_sa_init_answer(struct ike_engine *e, const struct ike_path *path,
			const struct ikev2_hdr *req, uint16_t type, const void *data, size_t len);
/* Initiator: the response (dispatch table handler). On success derives the keys, floats to
 * port 4500 when a NAT was detected (or encap is forced) and starts IKE_AUTH. */
int ike_sa_init_on_response(struct ike_engine *e, struct ike_sa *sa, const struct ike_rx *rx);

#endif
