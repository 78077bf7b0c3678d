/* IP header helpers for the data plane: Internet checksum (RFC 1071) and its incremental update
 * (RFC 1624), IPv4/IPv6 header parsing bounded by the packet, and the IPv6 extension header walk
 * that finds where ESP/AH sits (RFC 8200 §4.1 order).
 *
 * All functions work on caller buffers whose length is given; none reads past it.
 */
#ifndef RAMPART_ESP_IP_H
#define RAMPART_ESP_IP_H

#include <stddef.h>
#include <stdint.h>

#define ESP_IPV4_HDR_LEN 20
#define ESP_IPV6_HDR_LEN 40

/* IP protocol numbers used by the data plane (IANA "Assigned Internet Protocol Numbers"). */
enum {
	ESP_IPPROTO_HOPOPTS = 0,
	ESP_IPPROTO_ICMP = 1,
	ESP_IPPROTO_IPIP = 4,
	ESP_IPPROTO_TCP = 6,
	ESP_IPPROTO_UDP = 17,
	ESP_IPPROTO_IPV6 = 41,
	ESP_IPPROTO_ROUTING = 43,
	ESP_IPPROTO_FRAGMENT = 44,
	ESP_IPPROTO_ESP = 50,
	ESP_IPPROTO_AH = 51,
	ESP_IPPROTO_ICMPV6 = 58,
	ESP_IPPROTO_NONE = 59,
	ESP_IPPROTO_DSTOPTS = 60,
};

/* Sums 16-bit big-endian words of p into a 32-bit accumulator (folded by esp_csum_fold). */
uint32_t esp_csum_add(uint32_t sum, const void *p, size_t len);
/* Folds and complements: the value to store in a checksum field. */
uint16_t esp_csum_fold(uint32_t sum);
/* RFC 1624 eqn. 3: the checksum after a 16-bit word changed from old to new. */
uint16_t esp_csum_replace16(uint16_t csum, uint16_t old, uint16_t new_);
/* Same for a run of bytes (even length) replaced in place, e.g. an address. */
uint16_t esp_csum_replace(uint16_t csum, const void *old, const void *new_, size_t len);

/* Recomputes the IPv4 header checksum of hdr (ihl bytes). */
void esp_ipv4_set_csum(uint8_t *hdr, size_t ihl);

/* A parsed IP header: where the upper-layer/IPsec header starts and what it is. */
struct esp_iphdr {
	uint8_t version; /* 4 or 6 */
	uint8_t proto;	 /* protocol of the header at off (after v6 extension headers) */
	uint16_t nh_off; /* offset of the next-header byte that holds proto */
	uint16_t off;	 /* offset of the header after the IP (and v6 extension) headers */
	uint32_t total;	 /* total length per the IP header (<= packet length) */
	uint16_t frag;	 /* v4: MF/offset bits nonzero, v6: fragment header seen -> 1 */
};

/* Parses the IP header at p[0..len). For IPv6 walks hop-by-hop, routing, fragment and
 * destination options headers until a header of another kind (ESP, AH, upper layer); with
 * stop_at_ipsec_pos (transport-mode outbound) it stops where ESP/AH is to be inserted: after
 * hop-by-hop, routing and fragment headers and a destination options header that precedes a
 * routing header (RFC 4303 §3.1.1). ERR_TRUNC/ERR_INVAL on anything inconsistent; total must
 * not exceed len (trailing bytes beyond total are allowed and ignored). */
int esp_ip_parse(const uint8_t *p, size_t len, int stop_at_ipsec_pos, struct esp_iphdr *out);

/* Sets the IP total/payload length of the header at p to total bytes (v4 also its checksum). */
void esp_ip_set_len(uint8_t *p, size_t total);

#endif
