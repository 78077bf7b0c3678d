/* Data-plane counters: per SA (traffic, drops by reason) and per worker (drops that happen
 * before an SA is known). Counters shared between workers are updated with relaxed atomic adds;
 * readers (status output) may see a counter a few packets behind. */
#ifndef RAMPART_ESP_STATS_H
#define RAMPART_ESP_STATS_H

#include <stdint.h>

enum esp_drop {
	ESP_DROP_REPLAY = 0,   /* anti-replay: duplicate, too old, or sequence number 0 */
	ESP_DROP_AUTH,	       /* ICV / AEAD tag mismatch */
	ESP_DROP_NO_SA,	       /* no SA for SPI + destination + protocol */
	ESP_DROP_POLICY,       /* inner packet outside the SA's selectors */
	ESP_DROP_PAD,	       /* RFC 4303 §2.4 padding not 1, 2, 3, ... or longer than payload */
	ESP_DROP_MALFORMED,    /* truncated or inconsistent headers, bad next header */
	ESP_DROP_PROTO,	       /* packet of the wrong protocol for the SA (ESP vs AH) */
	ESP_DROP_SEQ_OVERFLOW, /* outbound: sequence number space exhausted */
	ESP_DROP_HARD_EXPIRED, /* SA past a hard lifetime */
	ESP_DROP_DUMMY,	       /* next header 59 (RFC 4303 §2.6): dropped silently */
	ESP_DROP_KEEPALIVE,    /* NAT keepalive 0xFF (RFC 3948 §2.3): dropped silently */
	ESP_DROP_NOSPACE,      /* caller buffer lacks headroom/tailroom */
	ESP_DROP_CRYPTO,       /* the crypto layer failed (not the peer's fault) */
	ESP_DROP_MTU,	       /* too big for the path: an ICMP error was produced instead */
	ESP_DROP_COUNT,
};

struct esp_stats {
	uint64_t in_packets, in_bytes;	 /* authenticated inbound packets, inner bytes */
	uint64_t out_packets, out_bytes; /* protected outbound packets, inner bytes */
	uint64_t drops[ESP_DROP_COUNT];
};

/* Short name of a drop reason for status output ("replay", "auth", ...). */
const char *esp_drop_name(enum esp_drop d);
/* Relaxed atomic add of n to *counter. */
void esp_stats_add(uint64_t *counter, uint64_t n);
void esp_stats_drop(struct esp_stats *s, enum esp_drop d);
/* A consistent-enough copy for output (each field read atomically). */
void esp_stats_read(const struct esp_stats *s, struct esp_stats *out);

#endif
