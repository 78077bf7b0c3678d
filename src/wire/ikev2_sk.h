/* IKEv2 SK (RFC 7296 §3.14) and SKF (RFC 7383 §2.5) payloads: the encrypted region exposed for
 * the engine to decrypt with src/crypto, its split into IV, ciphertext and ICV once the
 * algorithms are known, and the Pad Length check on the decrypted plaintext. Decoders follow the
 * contract of ikev2_payload.h.
 */
#ifndef RAMPART_WIRE_IKEV2_SK_H
#define RAMPART_WIRE_IKEV2_SK_H

#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"

/* RFC 7296 §3.14 SK and RFC 7383 §2.5 SKF. The encrypted region is IV || ciphertext (inner
 * payloads, padding, pad length) || ICV; ikev2_sk_split() cuts it once the engine knows the
 * negotiated algorithms. Integrity (non-AEAD) covers the message from its first octet to the
 * ICV. For AEAD (RFC 5282 §5.1) the associated data is the message from its first octet
 * up to the IV, i.e. aad_len == enc_offset (absolute offsets: the message starts at 0). */
struct ikev2_sk {
	uint8_t first_inner; /* Next Payload of the SK/SKF header: first inner payload type */
	uint16_t frag_num;   /* SKF only: Fragment Number (1..total) */
	uint16_t frag_total; /* SKF only: Total Fragments */
	const uint8_t *enc;
	size_t enc_len;
	size_t enc_offset; /* absolute offset of the IV within the message */
	size_t aad_len;	   /* octets of the message that precede the IV */
};

/* SK/SKF decoders need the Next Payload of the generic header (first_inner) and, for SKF, check
 * 1 <= Fragment Number <= Total Fragments. An empty encrypted region is rejected. */
int ikev2_sk_decode(struct buf_reader *body, uint8_t first_inner, struct ikev2_sk *out);
int ikev2_skf_decode(struct buf_reader *body, uint8_t first_inner, struct ikev2_sk *out);

/* The parts of an SK/SKF encrypted region once the negotiated IV and ICV lengths are known:
 * IV || ciphertext || ICV. ct_offset is the absolute offset of the ciphertext (the base for
 * ikev2_decode_inner once decrypted in place or copied). */
struct ikev2_sk_parts {
	const uint8_t *iv;
	const uint8_t *ct;
	size_t ct_len;
	size_t ct_offset;
	const uint8_t *icv;
};

/* Splits sk's region for an algorithm with the given IV, ICV and block lengths (block_len 0 or
 * 1 for stream/AEAD modes without block alignment). ERR_INVAL when the region cannot hold IV,
 * ICV and at least the Pad Length octet, or the ciphertext is not a whole number of blocks. */
int ikev2_sk_split(const struct ikev2_sk *sk, size_t iv_len, size_t icv_len, size_t block_len,
		   struct ikev2_sk_parts *out);
/* Given decrypted plaintext (inner payloads || Padding || Pad Length), the length of the inner
 * payloads. Any padding content is accepted (RFC 7296 §3.14); ERR_INVAL when Pad Length does not
 * fit. */
int ikev2_sk_unpad(const uint8_t *plain, size_t len, size_t *inner_len);

#endif
