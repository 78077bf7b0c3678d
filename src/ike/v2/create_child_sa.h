/* CREATE_CHILD_SA (RFC 7296 §1.3): rekeying a Child SA (§1.3.3) as initiator and responder,
 * make-before-break: the initiator installs the new SA, then deletes the old one with an
 * INFORMATIONAL Delete. Rekeys start when a child's rekey_time (minus a random jitter of up to
 * rand_time) has passed, or through ike_engine_rekey_child.
 *
 * PFS (§1.3.1): when the child's first ESP/AH proposal has a KE group, KEi goes with the
 * request and KEYMAT takes g^ir (new); a responder whose chosen proposal has a group demands KE
 * in it (INVALID_KE_PAYLOAD naming the group), and refuses KE without one.
 *
 * Simultaneous rekeys of one Child SA (§2.8.1): both exchanges complete; the SA created with
 * the lowest of the four nonces is deleted by its initiator, the old SA by both ends (their
 * Deletes cross, §1.4.1).
 *
 * A rekey of a Child SA we are deleting is answered TEMPORARY_FAILURE (§2.25.1); a rekey
 * refused with TEMPORARY_FAILURE is tried again after 5 s. IKE SA rekeys and their collisions
 * with Child SA work: v2/rekey_ike.c. New Child SAs (requests without REKEY_SA, answers to our
 * own) are handed to v2/child_new.c.
 *
 * Not handled yet: an
 * INVALID_KE_PAYLOAD retry by the initiator (it tries again a minute later with the same
 * group).
 */
#ifndef RAMPART_IKE_V2_CREATE_CHILD_SA_H
#define RAMPART_IKE_V2_CREATE_CHILD_SA_H

#include <stdint.h>

#include "ike/dispatch.h"

struct ike_engine;
struct ike_sa;
struct ike_child;

/* HDR, SK {[N(REKEY_SA),] SA, Ni, [KEi,] TSi, TSr} and its answer. */
int create_child_sa_on_request(struct ike_engine *e, struct ike_sa *sa, const struct ike_rx *rx);
int create_child_sa_on_response(struct ike_engine *e, struct ike_sa *sa, const struct ike_rx *rx);

/* Starts rekeying child c of sa. ERR_BADSTATE when the SA is not established, a request is in
 * flight or the child is not installed (the timer tries again later). */
int create_child_sa_rekey(struct ike_engine *e, struct ike_sa *sa, struct ike_child *c,
			  uint64_t now_ms);
/* Arms the rekey timers of installed children that have none (now_ms + rekey_time - jitter). */
void create_child_sa_arm(struct ike_engine *e, struct ike_sa *sa, uint64_t now_ms);
/* Timer work: starts due rekeys when the window is free. */
void create_child_sa_poll(struct ike_engine *e, struct ike_sa *sa, uint64_t now_ms);
/* The earliest due rekey of sa, or UINT64_MAX. */
uint64_t create_child_sa_deadline(const struct ike_sa *sa);

#endif
