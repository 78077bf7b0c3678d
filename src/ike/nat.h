/* NAT traversal after IKE_SA_INIT (RFC 7296 §2.23, RFC 3948 §2.3): following a NATed peer to a
 * new address or port, and NAT keepalives.
 *
 * Path updates. A message that authenticated (SK verified; a request the peer has not sent
 * before, or the response to our request in flight: never a retransmission, so a replayed old
 * message cannot move the SA back) may come from another address or port than the SA's path:
 * - during IKE_AUTH (the float to port 4500, §2.23) the path follows it unconditionally;
 * - afterwards only when the peer is behind a NAT and we are not (or we are the original
 *   responder, assumed behind a static NAT: strongSwan's rule). A host behind a NAT does not
 *   follow (§2.23: it would let one forged packet break the SA), nor does anyone when nobody
 *   is behind a NAT.
 * Unauthenticated datagrams never reach this code. When the path moves, every installed Child
 * SA of the IKE SA moves with it through child_update; a Child SA the data plane cannot move is
 * rekeyed instead (its replacement is installed on the new path).
 *
 * The data plane may report the same for ESP in UDP (ike_engine_peer_moved): an ESP packet of
 * a Child SA that authenticated and was the newest seen (so not a replay) from a new address
 * or port. The same rule applies (peer behind a NAT, we are not), as strongSwan does with the
 * kernel's XFRM mapping events.
 *
 * Keepalives (RFC 3948 §2.3): while an IKE SA is established and we are behind a NAT (a real
 * one: NAT_DETECTION_DESTINATION_IP did not match; not a NAT faked with encap = yes), a
 * one-octet 0xFF datagram goes to the peer's port 4500 every keep-alive interval (default 20
 * s, strongSwan's charon.keep_alive) to keep the NAT's mapping alive.
 */
#ifndef RAMPART_IKE_NAT_H
#define RAMPART_IKE_NAT_H

#include <stdbool.h>
#include <stdint.h>

#include "ike/ike.h"

struct ike_engine;
struct ike_sa;
struct ikev2_builder;
struct ikev2_digest;

#define NAT_NATD_LEN 20 /* SHA-1 */

/* §2.23: SHA-1(SPIi | SPIr | IP | Port) into out. 0, ERR_NOMEM or ERR_CRYPTO. */
int nat_natd_hash(const uint8_t spi_i[8], const uint8_t spi_r[8], const struct addr *a,
		  uint16_t port, uint8_t out[NAT_NATD_LEN]);
/* N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP) for path with sa's SPIs (a random
 * source hash when conn->encap fakes a NAT, as in IKE_SA_INIT). 0 or an error. */
int nat_put_natd(struct ike_engine *e, const struct ike_sa *sa, const struct ike_path *path,
		 struct ikev2_builder *b);
/* The NAT_DETECTION_* notifies of d received on path: *seen when both were present (a source
 * and a destination hash), then *nat_local (the destination hash does not match our address
 * and port) and *nat_remote (the source hash does not match the peer's). Outputs are written
 * only when both were present. */
void nat_natd_eval(const struct ike_sa *sa, const struct ike_path *path,
		   const struct ikev2_digest *d, bool *seen, bool *nat_local, bool *nat_remote);

/* Moves sa to path (both ends may change) and every installed Child SA with it through
 * child_update with encapsulation when a NAT is detected or faked; a Child SA the data plane
 * cannot move (or whose encapsulation changes) is rekeyed onto the new path. why is logged. */
void nat_move(struct ike_engine *e, struct ike_sa *sa, const struct ike_path *path, uint64_t now_ms,
	      const char *why);

/* An authenticated message of sa (see above) arrived on path: follow it when allowed. With
 * MOBIKE (RFC 4555 §3.5) an established SA never follows implicitly: only the initiator's
 * UPDATE_SA_ADDRESSES moves it (v2/mobike.c). */
void nat_path_seen(struct ike_engine *e, struct ike_sa *sa, const struct ike_path *path,
		   uint64_t now_ms);

/* Keepalive timer work for sa at now_ms. */
void nat_poll(struct ike_engine *e, struct ike_sa *sa, uint64_t now_ms);
/* When nat_poll has work for sa (0: at once), or UINT64_MAX. */
uint64_t nat_deadline(const struct ike_engine *e, const struct ike_sa *sa);

#endif
