/* IKE SA rekeying (RFC 7296 §1.3.2, §2.8, §2.18) through CREATE_CHILD_SA, as initiator and
 * responder, with the collisions of §2.8.2 and §2.25.
 *
 * The new IKE SA takes the SPIs and nonces of the rekey exchange, SKEYSEED = prf(SK_d (old),
 * g^ir (new) | Ni | Nr), message IDs from 0, and its initiator is the rekey's initiator. The
 * Child SAs move to it unchanged (no data-plane change). The rekey initiator then deletes the
 * old IKE SA (INFORMATIONAL Delete); the responder keeps it in state REKEYED until that Delete
 * comes (or REKEY_IKE_REKEYED_MS pass). The new SA gets a new unique id; the event
 * IKE_EV_IKE_REKEYED carries it. The end of a replaced SA is no IKE_EV_IKE_DOWN.
 *
 * Collisions:
 * - both ends rekey the IKE SA at once (§2.8.2): both answer; once our answer arrives, the new
 *   SA with the lowest of the four nonces is deleted by its initiator, the children move to the
 *   other one, whose initiator deletes the old SA;
 * - a Child SA rekey, creation or delete of ours in flight when the peer rekeys the IKE SA, or
 *   a Delete of the IKE SA of ours pending: the peer gets TEMPORARY_FAILURE (§2.25.2), and so
 *   does a Child SA request while our IKE SA rekey is in flight or on a replaced/deleting SA;
 *   a rekey refused with TEMPORARY_FAILURE is tried again after REKEY_IKE_RETRY_MS plus jitter;
 * - the peer deletes the IKE SA while our rekey is in flight: answered, our rekey forgotten;
 *   when we had answered its own rekey (collision pending), the children go to that SA;
 * - the IKE SA is terminated locally while our rekey is in flight: once the answer comes, the
 *   new SA (to which the peer moved the Child SAs) is deleted as well.
 */
#ifndef RAMPART_IKE_V2_REKEY_IKE_H
#define RAMPART_IKE_V2_REKEY_IKE_H

#include <stdbool.h>
#include <stdint.h>

#include "ike/dispatch.h"

struct ike_engine;
struct ike_sa;

#define REKEY_IKE_RETRY_MS   10000  /* after TEMPORARY_FAILURE (+ up to 5 s jitter) */
#define REKEY_IKE_FAILED_MS  60000  /* after a refused or unacceptable rekey */
#define REKEY_IKE_REKEYED_MS 180000 /* a REKEYED SA waits this long for its Delete */

/* Whether a CREATE_CHILD_SA request rekeys the IKE SA (its SA payload proposes protocol IKE).
 * Decodes the SA payload into e->sa_b. */
bool rekey_ike_is_request(struct ike_engine *e, const struct ike_rx *rx);
/* HDR, SK {SA, Ni, KEi} on sa: answered HDR, SK {SA, Nr, KEr}, or with an error notify. */
int rekey_ike_on_request(struct ike_engine *e, struct ike_sa *sa, const struct ike_rx *rx);
/* The answer to our rekey of sa (sa->rk.active). */
int rekey_ike_on_response(struct ike_engine *e, struct ike_sa *sa, const struct ike_rx *rx);
/* Answers a CREATE_CHILD_SA request with TEMPORARY_FAILURE (§2.25): sa is being rekeyed or
 * deleted. */
int rekey_ike_refuse(struct ike_engine *e, struct ike_sa *sa, const struct ike_rx *rx);

/* Starts rekeying sa. ERR_BADSTATE unless established with the window free and no rekey or
 * delete of it pending. */
int rekey_ike_start(struct ike_engine *e, struct ike_sa *sa, uint64_t now_ms);
/* The peer deleted sa (D(IKE) received, before it goes): Child SAs of a pending collision go to
 * the SA we created answering the peer's rekey. */
void rekey_ike_on_delete(struct ike_engine *e, struct ike_sa *sa, uint64_t now_ms);

/* Arms sa's rekey timer when it has none: now + rekey_time - random(rand_time). */
void rekey_ike_arm(struct ike_engine *e, struct ike_sa *sa, uint64_t now_ms);
/* Timer work: a due rekey when the window is free; a REKEYED SA whose Delete never came. */
void rekey_ike_poll(struct ike_engine *e, struct ike_sa *sa, uint64_t now_ms);
/* When rekey_ike_poll has work for sa, or UINT64_MAX. */
uint64_t rekey_ike_deadline(const struct ike_sa *sa);

#endif
