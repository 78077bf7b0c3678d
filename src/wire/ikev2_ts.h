/* IKEv2 Traffic Selector payloads TSi/TSr (RFC 7296 §3.13).
 *
 * Decoding checks "Number of TSs" against the bytes before looping, each selector's length
 * against its type (TS_IPV4_ADDR_RANGE 16, TS_IPV6_ADDR_RANGE 40) and that the payload is
 * consumed exactly. Selectors of other types (RFC 4595 FC, RFC 9478 SECLABEL) are skipped by
 * their length and counted in n_unknown. A start above its end is semantic, not syntax: it is
 * reported per selector (`inverted`) and left to the engine (RFC 7296 §3.13.1 narrowing).
 */
#ifndef RAMPART_WIRE_IKEV2_TS_H
#define RAMPART_WIRE_IKEV2_TS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"

#define IKEV2_MAX_TS	  16 /* selectors accepted per TS payload */
#define IKEV2_TS_IPV4_LEN 16 /* RFC 7296 §3.13.1 */
#define IKEV2_TS_IPV6_LEN 40

struct ikev2_ts {
	uint8_t type;	  /* IKEV2_TS_IPV4_ADDR_RANGE or IKEV2_TS_IPV6_ADDR_RANGE */
	uint8_t ip_proto; /* 0 = any */
	uint16_t start_port, end_port;
	uint8_t start[16], end[16]; /* 4 or 16 octets used, network order */
	bool inverted; /* decode only: start port > end port or start address > end address */
};

struct ikev2_ts_payload {
	uint8_t count;	   /* known selectors stored in ts[] */
	uint8_t n_unknown; /* selectors of unknown types, skipped */
	struct ikev2_ts ts[IKEV2_MAX_TS];
};

/* Decodes a TSi/TSr body. Filled in place: on failure out->count is 0. */
int ikev2_ts_decode(struct buf_reader *body, struct ikev2_ts_payload *out);
/* Encodes count selectors from ts[] (unknown ones are not re-encoded). */
int ikev2_ts_encode(struct buf_writer *w, const struct ikev2_ts_payload *tsp);

/* Address length for a TS type (4 or 16), 0 for types not decoded here. */
size_t ikev2_ts_addr_len(uint8_t type);

#endif
