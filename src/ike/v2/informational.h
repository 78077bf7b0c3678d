/* INFORMATIONAL (RFC 7296 §1.4): deleting the IKE SA (§1.4.1: Delete payload with protocol
 * IKE, answered by an empty message), deleting Child SAs the peer names (answered with the
 * SPIs of our halves of the pairs), and empty requests (liveness checks, §2.4) answered empty.
 * Either end of an IKE SA may send these requests, so both roles handle both directions.
 */
#ifndef RAMPART_IKE_V2_INFORMATIONAL_H
#define RAMPART_IKE_V2_INFORMATIONAL_H

#include <stdint.h>

#include "ike/dispatch.h"

struct ike_engine;
struct ike_sa;

/* Removes the SA's Child SAs from the data plane, moves the SA to DELETING and sends
 * HDR, SK {D(IKE)}; the SA dies on the answer or when retransmission gives up. */
int informational_delete_ike(struct ike_engine *e, struct ike_sa *sa, uint64_t now_ms);
/* HDR, SK {[D,] ...}: answers and applies the deletes. */
int informational_on_request(struct ike_engine *e, struct ike_sa *sa, const struct ike_rx *rx);
/* HDR, SK {[D,] ...}: the answer to our request (an IKE SA delete completes here). */
int informational_on_response(struct ike_engine *e, struct ike_sa *sa, const struct ike_rx *rx);

#endif
