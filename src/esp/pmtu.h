/* Path MTU handling for tunnel traffic: ICMP "fragmentation needed" (RFC 792, RFC 1191) and
 * ICMPv6 "packet too big" (RFC 4443 §3.2) for inner packets that don't fit the tunnel, and
 * fragmentation of inner IPv4 packets without DF (RFC 791) before they are protected.
 */
#ifndef RAMPART_ESP_PMTU_H
#define RAMPART_ESP_PMTU_H

#include <stddef.h>
#include <stdint.h>

#include "esp/pkt.h"
#include "esp/sel.h"

/* Replaces the clear packet in pkt with an ICMP error for its sender reporting mtu (clamped to
 * 68 / 1280). The error quotes as much of the packet as fits 576 (v4) / 1280 (v6) octets. The
 * error's source is from when given (same family), else the packet's destination. Needs 28 /
 * 48 octets of headroom. ERR_NOSPACE, ERR_INVAL (unparseable packet). Never answers an ICMP
 * error with an ICMP error (ERR_INVAL). */
int esp_icmp_too_big(struct esp_buf *pkt, size_t mtu, const struct addr *from);

/* Splits the IPv4 packet p[0..len) (DF clear) into fragments of at most mtu octets (RFC 791
 * §3.2: fragment data a multiple of 8, options copied only when their copy flag is set - here
 * options are not copied: fragments carry a plain 20-octet header when the original had
 * options, which RFC 791 allows for non-copied options only; packets with copied options are
 * refused with ERR_UNSUPPORTED). Fragment i is written to out[i] at out[i].off (its len set).
 * *count receives the number. ERR_NOSPACE when n or a buffer is too small, ERR_INVAL. */
int esp_ip4_fragment(const uint8_t *p, size_t len, size_t mtu, struct esp_buf *out, size_t n,
		     size_t *count);

#endif
