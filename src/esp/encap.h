/* UDP encapsulation of ESP (RFC 3948).
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |        Source Port            |      Destination Port         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           Length              |           Checksum            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   ESP header (SPI != 0) | Non-ESP Marker (4 zero octets) + IKE |
 * |   or a single 0xFF octet: NAT-keepalive (RFC 3948 §2.3)       |
 */
#ifndef RAMPART_ESP_ENCAP_H
#define RAMPART_ESP_ENCAP_H

#include <stddef.h>
#include <stdint.h>

#include "esp/sel.h"

enum esp_encap_kind {
	ESP_ENCAP_INVALID = 0, /* too short to be anything */
	ESP_ENCAP_ESP,	       /* an ESP packet (first four octets, the SPI, nonzero) */
	ESP_ENCAP_IKE,	       /* non-ESP marker followed by an IKE message */
	ESP_ENCAP_KEEPALIVE,   /* one 0xFF octet */
};

/* Classifies a UDP payload received on the encapsulation port (RFC 3948 §2.2, §2.3). */
int esp_encap_classify(const uint8_t *payload, size_t len);
/* Writes the UDP header at pkt[udp_off] of the IP packet pkt (whose IP length is already
 * set): ports, length to the end of the packet; checksum zero over IPv4 (RFC 3948 §2.1),
 * computed over IPv6 (RFC 8200 §8.1). */
void esp_encap_put_udp(uint8_t *pkt, size_t udp_off, uint16_t sport, uint16_t dport);
/* RFC 3948 §3.1.2 transport mode: incrementally fixes the TCP/UDP checksum of the segment
 * seg[0..len) (protocol proto) whose sender computed it with the original addresses
 * oa_src/oa_dst (NAT-OA; either may be NULL or of family 0 when that side is not behind a
 * NAT) for the addresses src/dst (4 or 16 bytes per family) now in the IP header. A UDP/IPv4
 * checksum of zero stays zero. Other protocols are left alone. */
void esp_natt_fix_csum(uint8_t *seg, size_t len, uint8_t proto, const struct addr *oa_src,
		       const struct addr *oa_dst, uint8_t family, const uint8_t *src,
		       const uint8_t *dst);

#endif
