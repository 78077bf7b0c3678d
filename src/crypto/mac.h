/* Keyed MAC engine behind integ (truncated ICVs) and prf (PRFs, prf+): HMAC over MD5/SHA-1/
 * SHA-2 and AES-CMAC via OpenSSL's EVP_MAC, AES-XCBC-MAC (RFC 3566 §4) assembled from OpenSSL
 * AES block operations (the construction only; AES itself is OpenSSL's).
 *
 * An object is keyed once; each mac_compute re-initialises the keyed context in place, so the
 * key schedule is never redone per message. Output is always the untruncated MAC. Not safe for
 * concurrent use: give each thread its own copy (mac_dup).
 */
#ifndef RAMPART_CRYPTO_MAC_H
#define RAMPART_CRYPTO_MAC_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/span.h"

#define MAC_MAX_OUT_LEN 64 /* SHA-512 */

enum mac_alg {
	MAC_HMAC_MD5,
	MAC_HMAC_SHA1,
	MAC_HMAC_SHA256,
	MAC_HMAC_SHA384,
	MAC_HMAC_SHA512,
	MAC_AES128_XCBC, /* RFC 3566: key exactly 16 octets */
	MAC_AES128_CMAC, /* RFC 4493: key exactly 16 octets */
};

struct mac;

/* Output length of alg in octets (0 for an unknown alg). */
size_t mac_alg_out_len(enum mac_alg alg);

/* Keys a new object (HMAC: any key length, including 0; XCBC/CMAC: 16). The key is copied.
 * Returns 0, ERR_INVAL (key length), ERR_NOMEM, ERR_CRYPTO. */
int mac_new(enum mac_alg alg, const uint8_t *key, size_t key_len, struct mac **out);
int mac_dup(const struct mac *m, struct mac **out);
/* Re-keys m in place with key_len octets (same algorithm), without allocating. Returns 0,
 * ERR_UNSUPPORTED (AES-XCBC derives subkeys with a temporary context: make a new object),
 * ERR_CRYPTO. */
int mac_rekey(struct mac *m, const uint8_t *key, size_t key_len);
/* Wipes and frees; accepts NULL. */
void mac_free(struct mac *m);
size_t mac_out_len(const struct mac *m);

/* MAC over the concatenation of parts[0..n) into out (mac_out_len octets). Returns 0 or
 * ERR_CRYPTO / ERR_INVAL. */
int mac_compute(struct mac *m, const struct crypto_span *parts, size_t n, uint8_t *out);

#endif
