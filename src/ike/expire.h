/* Hard lifetimes, with strongSwan's meanings (swanctl.conf):
 *   - a Child SA not rekeyed by its life_time (default: rekey_time + 10 %; 0 with rekey_time 0:
 *     none) leaves the data plane at once and is deleted with an INFORMATIONAL Delete;
 *   - an IKE SA neither rekeyed (v2/rekey_ike.c) nor reauthenticated (v2/reauth.c) over_time
 *     after the earlier of its rekey_time and reauth_time is deleted (Delete, its children
 *     with it); over_time 0 sets no such limit. A rekeyed or reauthenticated SA is replaced before that and gets its own
 *     deadline.
 * Deadlines are armed when an SA is first seen established / a child installed.
 */
#ifndef RAMPART_IKE_EXPIRE_H
#define RAMPART_IKE_EXPIRE_H

#include <stdint.h>

struct ike_engine;
struct ike_sa;

/* Arms the deadlines of sa and of its installed children that have none. */
void expire_arm(struct ike_engine *e, struct ike_sa *sa, uint64_t now_ms);
/* Deletes what is due at now_ms. */
void expire_poll(struct ike_engine *e, struct ike_sa *sa, uint64_t now_ms);
/* The earliest hard deadline of sa, or UINT64_MAX. */
uint64_t expire_deadline(const struct ike_sa *sa);

#endif
