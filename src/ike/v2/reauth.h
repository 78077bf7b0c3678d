/* Reauthentication (RFC 7296 §2.8.3) at reauth_time, make-before-break as strongSwan does with
 * make_before_break = yes:
 *
 *   old IKE SA (established, children installed)
 *   reauth_time - jitter (rand_time):  a new IKE SA to the same peer: IKE_SA_INIT, IKE_AUTH
 *        with the first child (none with childless = force), the other children by
 *        CREATE_CHILD_SA; they share the old children's reqids (same selectors), so the data
 *        plane's policies stay and traffic moves to the new SAs as they are installed
 *   new IKE SA up with every child: the old IKE SA is deleted (INFORMATIONAL Delete); its
 *        children leave the data plane only then.
 *
 * Either IKE role reauthenticates (we initiate the new IKE SA to the peer's current address and
 * the configured ports). A failed attempt leaves the old IKE SA alone and is tried again a
 * minute later, until over_time ends it (ike/expire.c). The peer needs nothing special: the
 * new IKE SA carries no INITIAL_CONTACT (the old one is still up).
 */
#ifndef RAMPART_IKE_V2_REAUTH_H
#define RAMPART_IKE_V2_REAUTH_H

#include <stdint.h>

struct ike_engine;
struct ike_sa;

#define REAUTH_RETRY_MS 60000 /* a failed reauthentication is tried again after this */
#define REAUTH_CHECK_MS 10000 /* how often the old SA checks its replacement is alive */

/* Arms reauth_time (minus a jitter of up to rand_time) on an established SA without one. */
void reauth_arm(struct ike_engine *e, struct ike_sa *sa, uint64_t now_ms);
/* Starts a due reauthentication; notices a failed one; deletes the old IKE SA once its
 * replacement has all its children. */
void reauth_poll(struct ike_engine *e, struct ike_sa *sa, uint64_t now_ms);
/* When reauth_poll has work for sa (0: now), or UINT64_MAX. */
uint64_t reauth_deadline(const struct ike_sa *sa);
/* Starts reauthenticating sa now (ERR_BADSTATE when it is not established or already being
 * replaced). */
int reauth_start(struct ike_engine *e, struct ike_sa *sa, uint64_t now_ms);

#endif
