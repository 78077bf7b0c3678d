/* The SK payload (RFC 7296 §3.14): protecting a message built with ikev2_build_sk_begin/end
 * (RFC 5282 AEAD or CBC/CTR + integrity) and unprotecting a received one into an inner
 * digest. The SA's SK_e/SK_a objects must be keyed (ike_sa_derive_keys).
 */
#ifndef RAMPART_IKE_SK_H
#define RAMPART_IKE_SK_H

#include <stddef.h>
#include <stdint.h>

#include "wire/ikev2_build.h"
#include "wire/ikev2_msg.h"

struct ike_engine;
struct ike_sa;
struct ike_dgrams;

/* IV, padding block and ICV lengths of the SA's SK payloads. */
void sk_lengths(const struct ike_sa *sa, size_t *iv_len, size_t *block_len, size_t *icv_len);
/* Opens the SK payload of a message under construction (after the header). */
int sk_begin(const struct ike_sa *sa, struct ikev2_builder *b);
/* Closes SK, patches the length, writes a fresh IV, encrypts in place and writes the ICV.
 * *len receives the message length. */
int sk_end_seal(struct ike_engine *e, struct ike_sa *sa, struct ikev2_builder *b, uint8_t *buf,
		size_t *len);
/* As sk_end_seal, but when the message would make an IP datagram larger than IKE_FRAG_SIZE
 * (IP, UDP and non-ESP marker counted) and both sides support RFC 7383
 * (sa->peer_frag, fragmentation not "no"), the inner payload chain goes out in SKF fragments
 * built in the engine's fragment buffer. *out lists the datagrams (buf itself when not
 * fragmented). */
int sk_end_seal_frag(struct ike_engine *e, struct ike_sa *sa, struct ikev2_builder *b, uint8_t *buf,
		     struct ike_dgrams *out);
/* Verifies and decrypts an SK or SKF payload into plain; *inner_len is the length of the
 * inner payloads (padding removed), *base the absolute offset of the ciphertext. */
int sk_decrypt(struct ike_engine *e, struct ike_sa *sa, const uint8_t *msg, size_t len,
	       const struct ikev2_digest *d, uint8_t *plain, size_t cap, size_t *inner_len,
	       size_t *base);
/* Verifies and decrypts the SK payload of a decoded message msg (len octets, outer digest d)
 * into plain (cap octets, must outlive *inner) and decodes the inner payload chain into
 * *inner. ERR_AUTH when the ICV does not verify, ERR_INVAL / ERR_TRUNC when malformed,
 * ERR_CRITICAL for an unknown critical inner payload. */
int sk_open(struct ike_engine *e, struct ike_sa *sa, const uint8_t *msg, size_t len,
	    const struct ikev2_digest *d, uint8_t *plain, size_t cap, struct ikev2_digest *inner,
	    struct ikev2_decode_err *err);
/* Answers the peer's request msgid of exchange with HDR, SK {N(type, data)} and caches it as
 * the response (§2.5 UNSUPPORTED_CRITICAL_PAYLOAD, §2.21.2 INVALID_SYNTAX). */
int sk_answer_notify(struct ike_engine *e, struct ike_sa *sa, uint8_t exchange, uint32_t msgid,
		     uint16_t type, const void *data, size_t len);

#endif
