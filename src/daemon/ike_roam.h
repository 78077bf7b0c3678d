/* MOBIKE (RFC 4555) in rampartd: our own address changed. For the IKE SAs the engine may move
 * (ike_engine_mobike_sas: established, MOBIKE, initiated by us), the kernel is asked which
 * source address it would use toward the peer now (RTM_GETROUTE with the data plane's fwmark,
 * so Rampart's own routing table is bypassed as for IKE and ESP); when that differs from the
 * SA's local address (the old one disappeared, or a better route appeared), the SA moves there
 * and the peer is told (ike_engine_mobike_update). Called on every address change the netmon
 * cache reports and by `rampart mobike`.
 */
#ifndef RAMPART_DAEMON_IKE_ROAM_H
#define RAMPART_DAEMON_IKE_ROAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/addr.h"

struct ike_engine;

#define IKE_ROAM_MAX 4096 /* IKE SAs looked at per address change */

/* Moves the SAs (only the one with unique id only_id when non-zero) whose kernel source toward
 * the peer changed, or to forced (non-NULL: that address, no route lookup); always: send an
 * update even when the address stays (a NAT on the way may have changed). A sentence per SA
 * (or why none moved) goes to msg when msg is non-NULL. Returns how many updates were started. */
size_t ike_roam(struct ike_engine *eng, uint64_t now_ms, uint32_t fwmark, uint32_t only_id,
		const struct addr *forced, bool always, char *msg, size_t msglen);

#endif
