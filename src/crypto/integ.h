/* Integrity transforms for ESP, AH and the IKE SK payload: truncated MACs named by their IKEv2
 * INTEG transform ID (wire/iana.h); IKEv1 / IPsec-DOI auth algorithm numbers are mapped to these
 * by their callers.
 *
 * | id                            | key | ICV | reference        |
 * |-------------------------------|-----|-----|------------------|
 * | INTEG_HMAC_MD5_96             | 16  | 12  | RFC 2403         |
 * | INTEG_HMAC_SHA1_96            | 20  | 12  | RFC 2404         |
 * | INTEG_AES_XCBC_96             | 16  | 12  | RFC 3566         |
 * | INTEG_HMAC_MD5_128            | 16  | 16  | RFC 4595         |
 * | INTEG_HMAC_SHA1_160           | 20  | 20  | RFC 4595         |
 * | INTEG_AES_CMAC_96             | 16  | 12  | RFC 4494         |
 * | INTEG_HMAC_SHA2_256_128       | 32  | 16  | RFC 4868 §2      |
 * | INTEG_HMAC_SHA2_384_192       | 48  | 24  | RFC 4868 §2      |
 * | INTEG_HMAC_SHA2_512_256       | 64  | 32  | RFC 4868 §2      |
 *
 * An object is keyed once per SA and direction; integ_compute/integ_verify re-initialise the
 * keyed OpenSSL context in place (no key schedule per packet). Input is a list of parts, e.g.
 * the ESP header..trailer followed by the high 32 sequence bits with ESN (RFC 4303 §2.2.1).
 * Not safe for concurrent use: give each thread its own copy (integ_dup).
 *
 * Allocation (measured with bench/crypto_bench on OpenSSL 3.0): AES-XCBC and AES-CMAC make no
 * heap allocation per call; the HMAC transforms make 2, because OpenSSL 3.0 re-initialises a
 * keyed HMAC by duplicating its digest context. The AEAD ciphers in enc.h make none.
 */
#ifndef RAMPART_CRYPTO_INTEG_H
#define RAMPART_CRYPTO_INTEG_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/span.h"

#define INTEG_MAX_KEY_LEN 64
#define INTEG_MAX_ICV_LEN 32

struct integ_info {
	uint16_t id;	/* IKEV2_INTEG_* */
	size_t key_len; /* key octets (SK_a / KEYMAT share) */
	size_t icv_len; /* truncated ICV octets on the wire */
};

struct integ;

/* Describes id. Returns 0 or ERR_UNSUPPORTED (unknown, unimplemented, or INTEG_NONE). */
int integ_lookup(uint16_t id, struct integ_info *out);

/* Keys a new object with exactly info.key_len octets of key (copied). Returns 0,
 * ERR_UNSUPPORTED, ERR_INVAL (key length), ERR_NOMEM, ERR_CRYPTO. */
int integ_new(uint16_t id, const uint8_t *key, size_t key_len, struct integ **out);
int integ_dup(const struct integ *m, struct integ **out);
/* Re-keys m in place with exactly info.key_len octets, without allocating. Returns 0,
 * ERR_INVAL (key length), ERR_UNSUPPORTED (AES-XCBC: make a new object), ERR_CRYPTO. */
int integ_rekey(struct integ *m, const uint8_t *key, size_t key_len);
/* Wipes and frees; accepts NULL. */
void integ_free(struct integ *m);
const struct integ_info *integ_get_info(const struct integ *m);

/* ICV over the concatenation of parts[0..n) into icv (info.icv_len octets). */
int integ_compute(struct integ *m, const struct crypto_span *parts, size_t n, uint8_t *icv);

/* Recomputes the ICV and compares it with icv (info.icv_len octets) in constant time
 * (CRYPTO_memcmp). Returns 0 when it matches, ERR_AUTH when not, ERR_CRYPTO. */
int integ_verify(struct integ *m, const struct crypto_span *parts, size_t n, const uint8_t *icv);

#endif
