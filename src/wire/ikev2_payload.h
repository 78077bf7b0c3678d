/* IKEv2 payload bodies (RFC 7296 §3.4-§3.16) other than SA (ikev2_sa.h), TS (ikev2_ts.h) and
 * SK/SKF (ikev2_sk.h): decoded into structs that borrow from the message,
 * encoded from the same structs.
 *
 * Decoders take a reader over the payload body (the bytes after the 4-byte generic payload
 * header, as carved by ikev2_msg.c) and must consume it exactly. They return 0 or a negative
 * ERR_* and log the payload and absolute offset of the failing field at debug level (the caller
 * counts and rate-limits drops). The output is written only on success. Borrowed pointers are
 * valid as long as the message bytes are.
 *
 * Encoders write the body only (the builder in ikev2_build.h writes the generic header and
 * patches lengths). Reserved fields are written as zero and ignored on receipt (RFC 7296 §3.2).
 */
#ifndef RAMPART_WIRE_IKEV2_PAYLOAD_H
#define RAMPART_WIRE_IKEV2_PAYLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"

#define IKEV2_GENERIC_HDR_LEN 4	   /* RFC 7296 §3.2 */
#define IKEV2_CRITICAL_BIT    0x80 /* RFC 7296 §3.2, in the byte after Next Payload */
#define IKEV2_NONCE_MIN	      16   /* RFC 7296 §3.9 */
#define IKEV2_NONCE_MAX	      256  /* RFC 7296 §3.9 */
#define IKEV2_MAX_CP_ATTRS    64   /* configuration attributes accepted per CP payload */

/* RFC 7296 §3.4 KE: Diffie-Hellman Group Num, RESERVED, Key Exchange Data. */
struct ikev2_ke_payload {
	uint16_t group;
	const uint8_t *data;
	size_t len;
};

/* RFC 7296 §3.5 IDi/IDr: ID Type, RESERVED (3 octets), Identification Data. */
struct ikev2_id {
	uint8_t type;
	const uint8_t *data;
	size_t len;
};

/* RFC 7296 §3.6 CERT and §3.7 CERTREQ: Cert Encoding, then data (for CERTREQ the
 * Certification Authority field: concatenated SHA-1 hashes of trusted CA keys). */
struct ikev2_cert {
	uint8_t encoding;
	const uint8_t *data;
	size_t len;
};

/* RFC 7296 §3.8 AUTH: Auth Method, RESERVED (3 octets), Authentication Data. */
struct ikev2_auth {
	uint8_t method;
	const uint8_t *data;
	size_t len;
};

/* RFC 7296 §3.9 Ni/Nr: 16..256 octets. Also used for the Vendor ID data (§3.12). */
struct ikev2_blob {
	const uint8_t *data;
	size_t len;
};

/* RFC 7296 §3.10 N: Protocol ID, SPI Size, Notify Message Type, SPI, Notification Data. */
struct ikev2_notify {
	uint8_t proto;
	uint8_t spi_size;
	uint16_t type;
	const uint8_t *spi; /* spi_size octets */
	const uint8_t *data;
	size_t len;
};

/* RFC 7296 §3.11 D: Protocol ID, SPI Size, Num of SPIs, SPIs (count * spi_size octets). */
struct ikev2_delete {
	uint8_t proto;
	uint8_t spi_size;
	uint16_t count;
	const uint8_t *spis;
};

/* RFC 7296 §3.15.1 configuration attribute: R bit (reserved), Attribute Type (15 bits),
 * Length, Value. */
struct ikev2_cp_attr {
	uint16_t type;
	const uint8_t *data;
	uint16_t len;
};

/* RFC 7296 §3.15 CP: CFG Type, RESERVED (3 octets), attributes. Decoding checks every attribute
 * and keeps the raw region; ikev2_cp_attrs() lists them. */
struct ikev2_cp {
	uint8_t type;
	uint16_t nattrs;
	const uint8_t *raw;
	size_t raw_len;
};

/* RFC 7296 §3.16 EAP payload carrying one EAP message (RFC 3748 §4): Code, Identifier, Length,
 * and for Request/Response a Type and Type-Data. `msg` spans the whole EAP message. */
struct ikev2_eap {
	uint8_t code;
	uint8_t id;
	uint8_t type; /* 0 for Success/Failure */
	const uint8_t *type_data;
	size_t type_data_len;
	const uint8_t *msg;
	size_t msg_len;
};

/* Logs a decode failure of `what` at the reader's current absolute offset (debug level). */
void ikev2_log_bad(const struct buf_reader *r, const char *what, const char *why);

int ikev2_ke_decode(struct buf_reader *body, struct ikev2_ke_payload *out);
int ikev2_ke_encode(struct buf_writer *w, const struct ikev2_ke_payload *ke);

/* A table the key-exchange module provides: public value length per group (RFC 7296 §3.4:
 * the KE data length MUST match the group). */
struct ikev2_ke_len {
	uint16_t group;
	uint16_t len;
};
/* 0 when ke->len matches its group's entry; ERR_UNSUPPORTED when the group is absent from the
 * table (the engine answers INVALID_KE_PAYLOAD or NO_PROPOSAL_CHOSEN); ERR_INVAL on a length
 * mismatch (INVALID_SYNTAX). */
int ikev2_ke_check_len(const struct ikev2_ke_payload *ke, const struct ikev2_ke_len *table,
		       size_t n);
/* The same check against a length function such as kex_public_len (src/crypto/kex.h), which
 * returns 0 for a group it does not support. */
int ikev2_ke_check_fn(const struct ikev2_ke_payload *ke, size_t (*public_len)(uint16_t group));

int ikev2_id_decode(struct buf_reader *body, struct ikev2_id *out);
int ikev2_id_encode(struct buf_writer *w, const struct ikev2_id *id);

int ikev2_cert_decode(struct buf_reader *body, struct ikev2_cert *out);
int ikev2_cert_encode(struct buf_writer *w, const struct ikev2_cert *c);

int ikev2_auth_decode(struct buf_reader *body, struct ikev2_auth *out);
int ikev2_auth_encode(struct buf_writer *w, const struct ikev2_auth *a);

/* Nonce: rejects lengths outside 16..256 (a zero-length nonce included). */
int ikev2_nonce_decode(struct buf_reader *body, struct ikev2_blob *out);
int ikev2_nonce_encode(struct buf_writer *w, const struct ikev2_blob *n);

int ikev2_vendor_decode(struct buf_reader *body, struct ikev2_blob *out);
int ikev2_vendor_encode(struct buf_writer *w, const struct ikev2_blob *v);

/* Notify: a non-empty SPI must have the protocol's size (IKE 8, AH/ESP 4). */
int ikev2_notify_decode(struct buf_reader *body, struct ikev2_notify *out);
int ikev2_notify_encode(struct buf_writer *w, const struct ikev2_notify *n);

/* Delete: IKE has SPI size 0 and no SPIs; AH/ESP have SPI size 4; count * size must equal the
 * octets that follow. */
int ikev2_delete_decode(struct buf_reader *body, struct ikev2_delete *out);
int ikev2_delete_encode(struct buf_writer *w, const struct ikev2_delete *d);
/* The i-th 4-octet SPI of an AH/ESP delete (host order). ERR_INVAL when out of range. */
int ikev2_delete_spi(const struct ikev2_delete *d, uint16_t i, uint32_t *spi);

int ikev2_cp_decode(struct buf_reader *body, struct ikev2_cp *out);
/* Lists the attributes of a decoded CP payload into out[0..max); *n receives the count. */
int ikev2_cp_attrs(const struct ikev2_cp *cp, struct ikev2_cp_attr *out, size_t max, size_t *n);
int ikev2_cp_encode(struct buf_writer *w, uint8_t cfg_type, const struct ikev2_cp_attr *attrs,
		    size_t nattrs);

int ikev2_eap_decode(struct buf_reader *body, struct ikev2_eap *out);
/* Writes the EAP message from code, id, type and type_data (msg/msg_len are ignored). */
int ikev2_eap_encode(struct buf_writer *w, const struct ikev2_eap *e);

#endif
