/* IKEv2 message decoding (RFC 7296 §3.1, §3.2): the header, the generic payload chain and the
 * digest the engine dispatches on ("decode, then dispatch", STYLE.md).
 *
 * ikev2_decode() checks the header (version 2.x, Length equal to the datagram), walks the
 * Next Payload chain with a sub-reader per payload, decodes and validates every payload type
 * this module knows (ikev2_payload.h, ikev2_sa.h, ikev2_ts.h) and indexes them by type in
 * arrival order. Unknown payloads are recorded and skipped unless their critical bit is set,
 * which fails the decode with ERR_CRITICAL and the payload type in the error report (the engine
 * answers a request with UNSUPPORTED_CRITICAL_PAYLOAD carrying that type, RFC 7296 §2.5).
 * SK and SKF end the outer chain (RFC 7296 §3.14, RFC 7383 §2.5); after the engine decrypted
 * the SK payload, ikev2_decode_inner() decodes the plaintext payload chain into a digest of the
 * same form.
 *
 * The digest borrows from the message: keep the bytes alive while it is used. On failure the
 * digest is unspecified and the error report says what went wrong and where.
 */
#ifndef RAMPART_WIRE_IKEV2_MSG_H
#define RAMPART_WIRE_IKEV2_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"
#include "wire/ikev2_payload.h"
#include "wire/ikev2_sa.h"
#include "wire/ikev2_sk.h"
#include "wire/ikev2_ts.h"

#define IKEV2_HDR_LEN	   28 /* RFC 7296 §3.1 */
#define IKEV2_SPI_LEN	   8
#define IKEV2_MAJOR	   2
#define IKEV2_MAX_PAYLOADS 64 /* payloads accepted per message or per SK plaintext */

/* RFC 7296 §3.1 IKE header. */
struct ikev2_hdr {
	uint8_t spi_i[IKEV2_SPI_LEN];
	uint8_t spi_r[IKEV2_SPI_LEN];
	uint8_t next_payload;
	uint8_t major, minor;
	uint8_t exchange;
	uint8_t flags; /* IKEV2_FLAG_*; reserved bits kept as received */
	uint32_t msgid;
	uint32_t length;
};

/* One payload of a digest, in message order. */
struct ikev2_payload {
	uint8_t type;
	uint8_t next;		/* Next Payload field as received */
	bool critical;		/* C bit as received (ignored for known types) */
	bool known;		/* decoded by this module; false: unknown, skipped */
	size_t offset;		/* absolute offset of the generic payload header */
	struct buf_reader body; /* the body (after the generic header), unread */
	union {
		struct ikev2_ke_payload ke; /* KE */
		struct ikev2_id id;	    /* IDi, IDr */
		struct ikev2_cert cert;	    /* CERT, CERTREQ */
		struct ikev2_auth auth;	    /* AUTH */
		struct ikev2_blob nonce;    /* Nx */
		struct ikev2_notify n;	    /* N */
		struct ikev2_delete d;	    /* D */
		struct ikev2_blob vendor;   /* V */
		struct ikev2_cp cp;	    /* CP */
		struct ikev2_eap eap;	    /* EAP */
		struct ikev2_sk sk;	    /* SK, SKF */
	} u; /* SA, TSi, TSr: validated; decode with ikev2_payload_sa / ikev2_payload_ts */
};

struct ikev2_digest {
	struct ikev2_hdr hdr; /* ikev2_decode only */
	uint16_t n;
	struct ikev2_payload pl[IKEV2_MAX_PAYLOADS];
	uint8_t count[256];		/* payloads per type, duplicates included */
	uint8_t first[256];		/* index + 1 of the first payload of each type, 0 if none */
	uint16_t n_unknown;		/* unknown non-critical payloads skipped */
	const struct ikev2_payload *sk; /* the SK or SKF payload (always the last), or NULL */
};

/* What the engine needs to answer a message that failed to decode. */
struct ikev2_decode_err {
	uint16_t notify;      /* IKEV2_N_* to answer a request with, 0 to drop silently */
	uint8_t payload_type; /* payload being decoded; for ERR_CRITICAL the notify data */
	size_t offset;	      /* absolute offset of the failing payload (or header) */
};

/* Decodes the IKE header of a datagram of len octets. ERR_TRUNC below 28 octets; ERR_INVAL when
 * Length differs from len; ERR_UNSUPPORTED when the major version is not 2. */
int ikev2_hdr_decode(const uint8_t *msg, size_t len, struct ikev2_hdr *h);
/* Writes 28 octets; the Length field is written as h->length (the builder patches it). */
int ikev2_hdr_encode(struct buf_writer *w, const struct ikev2_hdr *h);

/* Decodes a whole message. Errors: ERR_TRUNC/ERR_INVAL/ERR_LIMIT (malformed; notify
 * INVALID_SYNTAX), ERR_UNSUPPORTED (major version: notify INVALID_MAJOR_VERSION when it is above
 * 2, else 0), ERR_CRITICAL (notify UNSUPPORTED_CRITICAL_PAYLOAD, payload_type set). *err may be
 * NULL. */
int ikev2_decode(const uint8_t *msg, size_t len, struct ikev2_digest *d,
		 struct ikev2_decode_err *err);

/* Decodes the plaintext inner payload chain of a decrypted SK payload (inner payloads only: the
 * padding and Pad Length already removed) starting with payload type `first`. base is the
 * absolute offset of plain[0] in the message, for error reports. SK/SKF inside are rejected. */
int ikev2_decode_inner(const uint8_t *plain, size_t len, size_t base, uint8_t first,
		       struct ikev2_digest *d, struct ikev2_decode_err *err);

/* Digest accessors: first payload of a type, the next one of the same type, the count. */
const struct ikev2_payload *ikev2_digest_first(const struct ikev2_digest *d, uint8_t type);
const struct ikev2_payload *ikev2_digest_next(const struct ikev2_digest *d,
					      const struct ikev2_payload *p);
unsigned ikev2_digest_count(const struct ikev2_digest *d, uint8_t type);
/* First Notify payload of the given notify message type, or NULL. */
const struct ikev2_payload *ikev2_digest_notify(const struct ikev2_digest *d, uint16_t ntype);

/* Decode the SA / TS payload of a digest entry (already validated by ikev2_decode). */
int ikev2_payload_sa(const struct ikev2_payload *p, struct ikev2_sa *out);
int ikev2_payload_ts(const struct ikev2_payload *p, struct ikev2_ts_payload *out);

#endif
