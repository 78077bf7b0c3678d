/* Pseudorandom functions for IKE (RFC 7296 §2.13, §3.3.2) and prf+, named by IKEv2 PRF
 * transform ID (wire/iana.h). IKEv1 uses the HMAC of its negotiated hash (RFC 2409 §4) and maps
 * its hash number to the matching PRF here.
 *
 * | id                  | out | preferred key | key rule                                     |
 * |---------------------|-----|---------------|----------------------------------------------|
 * | PRF_HMAC_MD5        | 16  | 16            | any length (RFC 2104)                        |
 * | PRF_HMAC_SHA1       | 20  | 20            | any length                                   |
 * | PRF_AES128_XCBC     | 16  | 16            | RFC 4434 §2: <16 zero-padded, >16 K = XCBC(0, key)
 * | | PRF_HMAC_SHA2_256   | 32  | 32            | any length (RFC 4868 §2.1.2)                 | |
 * PRF_HMAC_SHA2_384   | 48  | 48            | any length                                   | |
 * PRF_HMAC_SHA2_512   | 64  | 64            | any length                                   | |
 * PRF_AES128_CMAC     | 16  | 16            | RFC 4615 §3: !=16 K = AES-CMAC(0, key)       |
 *
 * The preferred key length is the size of SK_d, SK_pi and SK_pr (RFC 7296 §2.14). The AES-based
 * PRFs take a fixed-size key; for SKEYSEED RFC 7296 §2.14 then keys them with the first 8 octets
 * of Ni and of Nr (info.fixed_key tells the KDF to do so).
 *
 * An object is keyed once and may be used for any number of computations; not safe for
 * concurrent use.
 */
#ifndef RAMPART_CRYPTO_PRF_H
#define RAMPART_CRYPTO_PRF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/span.h"

#define PRF_MAX_OUT_LEN 64
/* prf+ produces at most 255 blocks (RFC 7296 §2.13: the counter is one octet). */
#define PRF_PLUS_MAX_BLOCKS 255

struct prf_info {
	uint16_t id;	/* IKEV2_PRF_* */
	size_t out_len; /* output octets of one invocation */
	size_t key_len; /* preferred key length (SK_d, SK_pi, SK_pr) */
	bool fixed_key; /* AES-based: key is exactly 16 octets after the key rule */
};

struct prf;

/* Describes id. Returns 0 or ERR_UNSUPPORTED. */
int prf_lookup(uint16_t id, struct prf_info *out);

/* Keys a new object with key_len octets of key (any length: the table's key rule applies).
 * The key is copied. Returns 0, ERR_UNSUPPORTED, ERR_INVAL, ERR_NOMEM, ERR_CRYPTO. */
int prf_new(uint16_t id, const uint8_t *key, size_t key_len, struct prf **out);
/* Wipes and frees; accepts NULL. */
void prf_free(struct prf *p);
const struct prf_info *prf_get_info(const struct prf *p);

/* prf(key, parts[0] | ... | parts[n-1]) into out (info.out_len octets). */
int prf_compute(struct prf *p, const struct crypto_span *parts, size_t n, uint8_t *out);

/* One-shot prf(key, parts...) without keeping an object. */
int prf_oneshot(uint16_t id, const uint8_t *key, size_t key_len, const struct crypto_span *parts,
		size_t n, uint8_t *out);

/* prf+ (RFC 7296 §2.13): the first len octets of T1 | T2 | ... with
 *   T1 = prf(K, S | 0x01), Tn = prf(K, Tn-1 | S | n),
 * where S is the concatenation of seed[0..nseed). len may be at most
 * PRF_PLUS_MAX_BLOCKS * info.out_len (else ERR_INVAL). out must not overlap the seed. */
int prf_plus(struct prf *p, const struct crypto_span *seed, size_t nseed, uint8_t *out, size_t len);

#endif
