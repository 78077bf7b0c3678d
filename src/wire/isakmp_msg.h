/* ISAKMP message decoding: the fixed header (RFC 2408 §3.1), the generic payload chain
 * (RFC 2408 §3.2) and the digest the IKEv1 engine dispatches on.
 *
 * A message is decoded into a struct isakmp_msg that borrows from the caller's bytes: payloads
 * in order, counted per type, with first-of-type accessors. IKEv1 has no critical bit: a payload
 * type that is not valid at the top level makes the message invalid (RFC 2408 §5.2,
 * INVALID-PAYLOAD-TYPE) unless the caller asks to record it (ISAKMP_DEC_ALLOW_UNKNOWN).
 *
 * When the E flag is set the bytes after the header are ciphertext: isakmp_msg_decode checks
 * the header only and returns the encrypted region; the engine decrypts it (src/crypto) and
 * calls isakmp_msg_decode_plain on the plaintext, where bytes after the last payload are
 * padding (RFC 2409 Appendix B) and are tolerated up to ISAKMP_MAX_PADDING.
 *
 * Every failure returns a negative ERR_* code, fills the optional struct isakmp_err with the
 * notify the engine may answer with (RFC 2408 §3.14.1) and the absolute offset of the offending
 * field, and logs one debug line naming the payload and the offset.
 */
#ifndef RAMPART_WIRE_ISAKMP_MSG_H
#define RAMPART_WIRE_ISAKMP_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"

#define ISAKMP_HDR_LEN		  28 /* RFC 2408 §3.1 */
#define ISAKMP_GENERIC_HDR_LEN	  4  /* RFC 2408 §3.2 */
#define ISAKMP_COOKIE_LEN	  8
#define ISAKMP_MAX_MSG_LEN	  65535 /* longer messages are refused (ERR_LIMIT) */
#define ISAKMP_MAX_PAYLOADS	  48	/* top-level payloads per message */
#define ISAKMP_MAX_PADDING	  256	/* bytes tolerated after the last decrypted payload */
#define ISAKMP_NON_ESP_MARKER_LEN 4	/* RFC 3948 §2.2 */

/* Decode options. */
#define ISAKMP_DEC_ALLOW_UNKNOWN 0x1 /* record unknown payload types instead of failing */

/* Where and why decoding failed. notify is an enum isakmp_notify value (0: nothing to say). */
struct isakmp_err {
	uint16_t notify;
	uint8_t payload; /* payload type being decoded; ISAKMP_PT_NONE for the header */
	uint32_t offset; /* absolute offset of the offending field within the message */
};

/* RFC 2408 §3.1 ISAKMP header.
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * !                          Initiator                            !
 * !                            Cookie                             !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * !                          Responder                            !
 * !                            Cookie                             !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * !  Next Payload ! MjVer ! MnVer ! Exchange Type !     Flags     !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * !                          Message ID                           !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * !                            Length                             !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
struct isakmp_hdr {
	uint8_t icookie[ISAKMP_COOKIE_LEN];
	uint8_t rcookie[ISAKMP_COOKIE_LEN];
	uint8_t next_payload;
	uint8_t major;
	uint8_t minor;
	uint8_t exch;
	uint8_t flags;
	uint32_t msg_id;
	uint32_t length;
};

/* Decodes and checks the header of the datagram p[0..len): version 1.0 (INVALID-MAJOR-VERSION,
 * INVALID-MINOR-VERSION), no unknown flag bits (INVALID-FLAGS), Length equal to the datagram
 * length (UNEQUAL-PAYLOAD-LENGTHS, RFC 2408 §5.1), at most ISAKMP_MAX_MSG_LEN. The exchange
 * type is not checked here: the engine answers UNSUPPORTED-EXCHANGE-TYPE. */
int isakmp_hdr_decode(const uint8_t *p, size_t len, struct isakmp_hdr *h, struct isakmp_err *err);
/* Writes the 28-byte header as given (Length included). */
int isakmp_hdr_encode(struct buf_writer *w, const struct isakmp_hdr *h);

/* UDP port 4500 demultiplexing, RFC 3948 §2.2-2.3: an IKE message starts with four zero octets
 * (the non-ESP marker), a single 0xFF octet is a NAT-keepalive, anything else with at least
 * eight octets is ESP. */
enum isakmp_udp4500_kind {
	ISAKMP_UDP4500_IKE,
	ISAKMP_UDP4500_ESP,
	ISAKMP_UDP4500_KEEPALIVE,
	ISAKMP_UDP4500_INVALID,
};
/* Classifies a port-4500 datagram; for ISAKMP_UDP4500_IKE, *ike and *ike_len (optional) receive the
 * message after the marker. */
enum isakmp_udp4500_kind isakmp_udp4500_classify(const uint8_t *p, size_t len, const uint8_t **ike,
						 size_t *ike_len);
/* Prepends the non-ESP marker: writes four zero octets. */
int isakmp_put_non_esp_marker(struct buf_writer *w);

/* One top-level payload, borrowing from the message (or the decrypted body). */
struct isakmp_pld {
	uint8_t type;
	uint8_t next;	     /* Next Payload as received */
	uint16_t len;	     /* body length: Payload Length minus the generic header */
	uint32_t off;	     /* absolute offset of the generic header in the message */
	const uint8_t *body; /* len bytes after the generic header */
};

#define ISAKMP_PLD_NONE 0xff /* isakmp_msg.first[] value for "no payload of this type" */

struct isakmp_msg {
	struct isakmp_hdr hdr;
	const uint8_t *raw; /* the whole message (borrowed) */
	size_t raw_len;
	bool encrypted;	       /* E flag: cipher/cipher_len hold the body to decrypt */
	const uint8_t *cipher; /* bytes after the header (borrowed) */
	size_t cipher_len;
	bool have_payloads; /* the payload chain has been decoded */
	size_t padding;	    /* bytes after the last payload (decrypted body only) */
	unsigned n;	    /* payloads in pld[] */
	struct isakmp_pld pld[ISAKMP_MAX_PAYLOADS];
	uint8_t count[256]; /* payloads per type, saturating at 255 */
	uint8_t first[256]; /* index in pld[] of the first payload per type, or ISAKMP_PLD_NONE */
	unsigned n_unknown; /* payloads of a type not valid at the top level */
	uint8_t first_unknown;
};

/* Decodes a whole datagram (after any non-ESP marker). Plaintext messages have their payload
 * chain decoded and must end exactly with the last payload; encrypted ones only get the header
 * checked and cipher/cipher_len set. On failure *m is left unchanged. */
int isakmp_msg_decode(struct isakmp_msg *m, const uint8_t *p, size_t len, unsigned flags,
		      struct isakmp_err *err);
/* Decodes the decrypted body plain[0..len) of an encrypted message m (decoded with
 * isakmp_msg_decode), starting with payload type m->hdr.next_payload. Offsets are reported as
 * if plain sat at ISAKMP_HDR_LEN in the message. The digest borrows from plain. On failure *m
 * is left unchanged. */
int isakmp_msg_decode_plain(struct isakmp_msg *m, const uint8_t *plain, size_t len, unsigned flags,
			    struct isakmp_err *err);

/* First payload of a type, or NULL. */
const struct isakmp_pld *isakmp_msg_first(const struct isakmp_msg *m, uint8_t type);
/* The next payload of the same type after prev (from this message), or NULL. */
const struct isakmp_pld *isakmp_msg_next(const struct isakmp_msg *m, const struct isakmp_pld *prev);
unsigned isakmp_msg_count(const struct isakmp_msg *m, uint8_t type);

/* Whether a payload type may appear in the top-level chain (Proposal and Transform only occur
 * inside an SA; GDOI payloads are not IKEv1). */
bool isakmp_payload_toplevel(uint8_t type);

/* Records a decode failure: fills err (if non-NULL), logs a debug line naming the payload and
 * the offset, and returns code. For the ISAKMP codecs. */
int isakmp_fail(struct isakmp_err *err, int code, uint16_t notify, uint8_t payload, size_t off,
		const char *fmt, ...) __attribute__((format(printf, 6, 7)));

#endif
