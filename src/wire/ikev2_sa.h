/* IKEv2 SA payload (RFC 7296 §3.3): proposals, transforms and transform attributes.
 *
 * Decoding checks every length and count against the bytes (proposal and transform lengths,
 * "# of Transforms", last-substructure markers 0/2 and 0/3), the SPI size against the protocol
 * (IKE: 0 or 8, AH/ESP: 4), the proposal numbering (several proposals are numbered 1, 2, 3 ...;
 * a single proposal, as in a response, may carry any non-zero number) and the attribute format
 * (Key Length is TV; a TLV Key Length is rejected). Unknown attribute types are counted per
 * transform: RFC 7296 §3.3.6 makes such a transform unacceptable, which is the engine's call.
 * Everything is bounded by the limits below; exceeding one is ERR_LIMIT.
 *
 * SPIs are borrowed from the message.
 */
#ifndef RAMPART_WIRE_IKEV2_SA_H
#define RAMPART_WIRE_IKEV2_SA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"

#define IKEV2_MAX_PROPOSALS  16 /* proposals accepted per SA payload */
#define IKEV2_MAX_TRANSFORMS 64 /* transforms accepted per proposal */
#define IKEV2_MAX_ATTRS	     8	/* attributes accepted per transform */
#define IKEV2_MAX_SPI	     8

/* Proposal "Last Substructure" (RFC 7296 §3.3.1) and transform (§3.3.2) markers. */
enum {
	IKEV2_LAST = 0,
	IKEV2_MORE_PROPOSALS = 2,
	IKEV2_MORE_TRANSFORMS = 3,
};

#define IKEV2_ATTR_AF 0x8000 /* Attribute Format bit: 1 = TV, 0 = TLV (RFC 7296 §3.3.5) */

struct ikev2_transform {
	uint8_t type; /* IKEV2_TRANS_* (wire/iana.h) */
	uint16_t id;  /* algorithm ID, registry per type (src/wire/iana.h) */
	bool has_key_len;
	uint16_t key_len;  /* Key Length attribute, bits */
	uint8_t n_unknown; /* attributes of types this decoder does not know */
};

struct ikev2_proposal {
	uint8_t num;
	uint8_t proto; /* enum ikev2_proto */
	uint8_t spi_size;
	const uint8_t *spi; /* spi_size octets, NULL when 0 */
	uint8_t ntransforms;
	struct ikev2_transform t[IKEV2_MAX_TRANSFORMS];
};

struct ikev2_sa {
	uint8_t nproposals;
	struct ikev2_proposal p[IKEV2_MAX_PROPOSALS];
};

/* Decodes an SA payload body into *out (about 9 KB: keep it off small stacks or reuse it).
 * Filled in place: on failure out->nproposals is 0 and the rest unspecified. */
int ikev2_sa_decode(struct buf_reader *body, struct ikev2_sa *out);
/* Encodes the body. Proposal numbers, SPI sizes and markers are taken from / derived for `sa`:
 * markers and counts are computed, numbers and SPI sizes are checked as on decoding. */
int ikev2_sa_encode(struct buf_writer *w, const struct ikev2_sa *sa);

/* Checks a proposal's SPI size against its protocol (shared with decoding). */
bool ikev2_sa_spi_size_ok(uint8_t proto, uint8_t spi_size);

#endif
