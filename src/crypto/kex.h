/* Key exchange by IKE Diffie-Hellman group number (IKEv2 transform type 4, IKEv1 group
 * description), over OpenSSL 3 EVP_PKEY.
 *
 * Groups: MODP 1, 2 (RFC 2409), 5, 14-18 (RFC 3526), MODP with prime-order subgroup 22-24
 * (RFC 5114), ECP 19-21 (RFC 5903) and 25/26 (RFC 5114), brainpool 27-30 (RFC 6954),
 * Curve25519 31 and Curve448 32 (RFC 8031).
 *
 * KE payload data (the "public value") has a fixed length per group (kex_public_len):
 *   MODP     g^x mod p, big-endian, left-padded with zeros to the length of p (RFC 7296 §3.4)
 *   ECP      x || y, each coordinate the field length, no 0x04 prefix (RFC 5903 §7)
 *   X25519/X448  the u-coordinate, little-endian, 32 / 56 bytes (RFC 8031 §2)
 * The shared secret g^ir has a fixed length too (kex_secret_len):
 *   MODP     left-padded with zeros to the length of p (RFC 7296 §2.14)
 *   ECP      the x coordinate only (RFC 5903 §9)
 *   X25519/X448  the 32 / 56 byte output (RFC 8031 §2)
 *
 * Group numbers are enum ikev2_ke (src/wire/iana.h; names for logs: iana_name with
 * IANA_REG_IKEV2_KE). Every peer value is validated before use (kex_derive): wrong length, MODP
 * outside [2, p-2], for groups 22-24 not in the order-q subgroup (y^q mod p != 1, RFC 5114 / SP
 * 800-56A), an ECP point off the curve, and an X25519/X448 all-zero shared secret (small-order
 * point, RFC 8031 §2) are all ERR_INVAL. The private key is wiped when the kex is freed.
 */
#ifndef RAMPART_CRYPTO_KEX_H
#define RAMPART_CRYPTO_KEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/secret.h"
#include "wire/iana.h"

struct kex;

/* True when group is implemented here. */
bool kex_group_supported(uint16_t group);
/* Length of the KE payload data for group (what a received KE must carry); 0 if unsupported. */
size_t kex_public_len(uint16_t group);
/* Length of the shared secret for group; 0 if unsupported. */
size_t kex_secret_len(uint16_t group);

/* A fresh local key pair for group. NULL when the group is unsupported or on failure.
 * The caller owns the result and releases it with kex_free. */
struct kex *kex_new(uint16_t group);

/* FOR DETERMINISTIC TESTS ONLY (fixed known-answer vectors): a kex whose private key is given.
 *   MODP: big-endian exponent x (1 <= x, any length up to that of p)
 *   ECP:  big-endian scalar d, 1 <= d < n
 *   X25519/X448: the 32 / 56 byte scalar as in RFC 7748
 * NULL when the group is unsupported, the key is out of range, or on failure. */
struct kex *kex_new_from_private(uint16_t group, const uint8_t *priv, size_t len);

/* A second handle on k's key pair: the same private and public value (the EVP_PKEY is shared
 * by reference count, not copied); each handle is freed with kex_free. For a load generator
 * that reuses one DH value across exchanges, as RFC 7296 §2.12 permits (bench/ike_load.c);
 * the engine itself makes a fresh key pair per exchange. NULL on failure. */
struct kex *kex_dup(const struct kex *k);

uint16_t kex_group(const struct kex *k);

/* The local public value exactly as it goes into the KE payload; *len = kex_public_len.
 * The pointer is valid until kex_free. */
const uint8_t *kex_public(const struct kex *k, size_t *len);

/* Computes the shared secret from the peer's KE payload data.
 * 0 and *out (owned by the caller, secret_free) of kex_secret_len bytes;
 * ERR_INVAL when the peer value is malformed or fails validation (see above);
 * ERR_NOMEM / ERR_CRYPTO on local failures. *out is written only on success. */
int kex_derive(const struct kex *k, const uint8_t *peer, size_t peer_len, struct secret **out);

/* Frees the key pair, wiping the private key. Accepts NULL. */
void kex_free(struct kex *k);

#endif
