/* Receive-side coalescing of decrypted TCP segments into one GSO super-packet for the TUN (the
 * inverse of daemon/gso.h): the kernel then walks its stack once per super-packet instead of
 * once per segment. Segments join a chain when they continue it exactly, as Linux's TCP GRO
 * requires (tcp_gro_receive): same addresses, ports, IP version, TOS/traffic class, TTL/hop
 * limit, IPv4 DF and no IPv4 options or fragments; same TCP header length and options, ACK
 * number and window; flags ACK only (PSH ends a chain); the sequence number follows on; every
 * segment but the last is exactly gso_size long. The ESP ICV has authenticated each segment,
 * so the TCP checksum is left to the kernel (VIRTIO_NET_HDR_F_NEEDS_CSUM).
 */
#ifndef RAMPART_DAEMON_GRO_H
#define RAMPART_DAEMON_GRO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/gso.h"

#define GRO_MAX_BYTES 65535 /* IP packet size limit of a super-packet */
#define GRO_MAX_SEGS  64

struct gro {
	uint8_t *buf; /* GSO_VNET_HDR_LEN + GRO_MAX_BYTES, owned */
	size_t len;   /* bytes of the IP packet at buf + GSO_VNET_HDR_LEN; 0 = no chain */
	size_t l4off, thl;
	uint16_t mss;
	unsigned nseg;
	uint32_t next_seq;
	bool v6;
	bool closed; /* a PSH or short segment ended the chain */
};

int gro_init(struct gro *g);
void gro_cleanup(struct gro *g);

/* Appends the clear IP packet p[0..len) to the chain, or starts a chain with it when there is
 * none. Returns 1 when taken, 0 when it does not fit the current chain (flush first and offer
 * it again) or cannot be coalesced at all (not TCP with payload: write it as it is). */
int gro_add(struct gro *g, const uint8_t *p, size_t len);
/* Whether p could start a chain (TCP with payload, plain header): tells "flush and retry"
 * from "write directly" after gro_add returned 0. */
bool gro_candidate(const uint8_t *p, size_t len);
/* The chain as virtio_net_hdr + packet in buf[0..*len) and resets the chain; NULL when empty.
 * A one-segment chain is returned as a plain packet (no GSO, checksum left as received). */
const uint8_t *gro_take(struct gro *g, size_t *len);

#endif
