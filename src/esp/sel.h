/* Traffic selectors of the data plane (RFC 4301 §4.4.1.1): the flow key of a clear IP packet and
 * the selector it is matched against, used by the SPD and by the per-SA inbound policy check
 * (an inner packet must match the selectors of the SA that carried it, RFC 4301 §5.2 step 4).
 *
 * Ports: TCP, UDP, SCTP and UDP-Lite carry ports. For ICMP and ICMPv6 the type and code form one
 * 16-bit value (type in the high byte, RFC 7296 §3.13.1) which is used as both the source and
 * the destination "port". Non-initial fragments and other protocols have no ports: they match
 * only selectors whose port ranges are the full range (RFC 4301 §4.4.1 OPAQUE).
 */
#ifndef RAMPART_ESP_SEL_H
#define RAMPART_ESP_SEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/addr.h"

/* Directions of policies and SAs. */
enum esp_dir {
	ESP_DIR_IN = 0,
	ESP_DIR_OUT = 1,
	ESP_DIR_FWD = 2,
};

/* A flow: what the SPD looks at in a clear packet. */
struct esp_flow {
	uint8_t family; /* AF_INET or AF_INET6 */
	uint8_t proto;	/* upper-layer protocol after IPv6 extension headers */
	bool ports_known;
	uint16_t sport, dport;
	uint8_t src[16], dst[16];
};

/* A selector. family 0 matches both families (and then the prefixes must be /0). */
struct esp_sel {
	uint8_t family;
	uint8_t src_len, dst_len; /* prefix lengths (<= 32 or 128) */
	uint8_t proto;		  /* 0 = any */
	uint8_t src[16], dst[16]; /* prefixes, host bits zero */
	uint16_t sport_lo, sport_hi;
	uint16_t dport_lo, dport_hi;
};

/* Extracts the flow of the clear IP packet p[0..len). ERR_TRUNC/ERR_INVAL on a packet whose IP
 * header is not well formed; a missing transport header just leaves ports_known false. */
int esp_flow_from_packet(const uint8_t *p, size_t len, struct esp_flow *out);
/* The flow with source and destination (and their ports) exchanged. */
void esp_flow_reverse(const struct esp_flow *in, struct esp_flow *out);

/* A selector that matches everything of one family (0 = both). */
void esp_sel_any(struct esp_sel *s, uint8_t family);
/* Validates and normalises (zeroes host bits). ERR_INVAL on bad lengths/ranges/family. */
int esp_sel_normalise(struct esp_sel *s);
bool esp_sel_match(const struct esp_sel *s, const struct esp_flow *f);
/* Whether addr (16 bytes) lies in prefix/len. */
bool esp_prefix_match(const uint8_t *prefix, unsigned len, const uint8_t *addr);

#endif
