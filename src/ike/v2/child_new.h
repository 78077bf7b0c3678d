/* Extra Child SAs through CREATE_CHILD_SA (RFC 7296 §1.3.1), initiator and responder.
 *
 *   Initiator                                        Responder
 *   HDR, SK {[N(USE_TRANSPORT_MODE),] SA, Ni,   -->
 *            [KEi,] TSi, TSr}
 *                                               <--  HDR, SK {[N(USE_TRANSPORT_MODE),] SA, Nr,
 *                                                             [KEr,] TSi, TSr}
 *
 * The initiator keeps a set of wanted children per IKE SA (sa->cn_want: the children of an
 * `up` on an established IKE SA, the children after the first of a new one, every child of a
 * childless IKE SA) and creates them one exchange at a time once the window is free. PFS: when
 * the child's first proposal has a KE group, KEi goes in it; an INVALID_KE_PAYLOAD answer
 * naming another group of our proposals is retried once in that group.
 *
 * The responder picks the child configuration by the proposed selectors as IKE_AUTH does
 * (child_select, §2.9 narrowing), selects a proposal (KE demanded in the chosen proposal's
 * group), installs and answers. Failures (NO_PROPOSAL_CHOSEN, TS_UNACCEPTABLE,
 * INVALID_KE_PAYLOAD, NO_ADDITIONAL_SAS) leave the IKE SA up; both ends report them with an
 * IKE_EV_CHILD_FAILED sentence (INVALID_KE_PAYLOAD only when the initiator cannot retry).
 */
#ifndef RAMPART_IKE_V2_CHILD_NEW_H
#define RAMPART_IKE_V2_CHILD_NEW_H

#include <stdint.h>

#include "ike/dispatch.h"

struct ike_engine;
struct ike_sa;
struct conn_child;
struct ike_child;
struct ikev2_blob;
struct kex;
struct prop_choice;

/* Asks for child cfg (a child of sa->conn) on sa: created by CREATE_CHILD_SA once sa is
 * established and its window is free (at once when it is). ERR_EXISTS when sa already has
 * it installed or under way, ERR_NOTFOUND when cfg is not a child of sa's connection,
 * ERR_BADSTATE when sa is going away. */
int child_new_want(struct ike_engine *e, struct ike_sa *sa, const struct conn_child *cfg,
		   uint64_t now_ms);
/* Timer work: starts the next wanted child when the window is free. */
void child_new_poll(struct ike_engine *e, struct ike_sa *sa, uint64_t now_ms);
/* 0 when child_new_poll has work now, else UINT64_MAX. */
uint64_t child_new_deadline(const struct ike_sa *sa);

/* A CREATE_CHILD_SA request without REKEY_SA / its answer to our request (called from
 * v2/create_child_sa.c, which owns the dispatch rows). */
int child_new_on_request(struct ike_engine *e, struct ike_sa *sa, const struct ike_rx *rx);
int child_new_on_response(struct ike_engine *e, struct ike_sa *sa, const struct ike_rx *rx);

/* Responder, for a new or a rekeyed Child SA c (its inbound SPI, mode and selectors set):
 * seals the answer to rx, HDR, SK {[N(USE_TRANSPORT_MODE),] SA (choice with c's SPI), Nr,
 * [KEr of k,] TSi, TSr}, into e->tx; its length goes to *len. Sends nothing. */
int child_new_seal_answer(struct ike_engine *e, struct ike_sa *sa, const struct ike_rx *rx,
			  const struct ike_child *c, const struct prop_choice *choice,
			  const struct ikev2_blob *nonce, const struct kex *k, size_t *len);

#endif
