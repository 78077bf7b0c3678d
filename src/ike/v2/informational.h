/* The INFORMATIONAL exchange (RFC 7296 §1.4, §1.5, §2.4): liveness checks (DPD), Delete of
 * Child SAs and of the IKE SA, both as requester and responder, in either IKE role.
 *
 * Requests of ours go out one at a time (window size 1): work asked for while another request
 * is in flight is queued on the SA (a Delete of the IKE SA, Child SA deletes) and sent by
 * informational_poll once the window is free. ike_engine_next_deadline reports such work as
 * due at once (informational_deadline).
 */
#ifndef RAMPART_IKE_V2_INFORMATIONAL_H
#define RAMPART_IKE_V2_INFORMATIONAL_H

#include <stdint.h>

#include "ike/dispatch.h"

struct ike_engine;
struct ike_sa;
struct ike_child;

/* ike_child.del: where a locally started Child SA delete stands. */
#define INFO_DEL_NONE	0
#define INFO_DEL_QUEUED 1 /* to be sent */
#define INFO_DEL_SENT	2 /* in the request in flight */

/* Dispatch handlers: HDR, SK {[N,] [D,] [CP...]} requests and their responses. */
int informational_on_request(struct ike_engine *e, struct ike_sa *sa, const struct ike_rx *rx);
int informational_on_response(struct ike_engine *e, struct ike_sa *sa, const struct ike_rx *rx);

/* Deletes an established IKE SA (ERR_BADSTATE otherwise): its Child SAs leave the data plane
 * at once, HDR, SK {D(IKE)} goes out now or once the window is free (state DELETING when
 * sent); the SA goes when the answer arrives or when the retransmissions give up (the core's
 * IKE_EV_IKE_FAILED "no answer ... (INFORMATIONAL)"). */
int informational_delete_ike(struct ike_engine *e, struct ike_sa *sa, uint64_t now_ms);
/* Deletes Child SA c of sa: HDR, SK {D(ESP/AH, our inbound SPI)}; the child leaves the data
 * plane when the answer arrives (or with the IKE SA). */
void informational_delete_child(struct ike_engine *e, struct ike_sa *sa, struct ike_child *c,
				uint64_t now_ms);

/* Timer work for sa at now_ms: gives up an unanswered INFORMATIONAL request (the peer is
 * declared dead, dpd_action applied), sends queued deletes, and sends a liveness check when
 * conn->dpd_delay > 0 and nothing was received for dpd_delay seconds. Call before the core's
 * retransmission timer. */
void informational_poll(struct ike_engine *e, struct ike_sa *sa, uint64_t now_ms);
/* When informational_poll has work for sa (0 when due now), or UINT64_MAX. */
uint64_t informational_deadline(const struct ike_sa *sa);

#endif
