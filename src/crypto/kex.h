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
 * Every peer value is validated before use (kex_derive): wrong length, MODP outside [2, p-2],
 * for groups 22-24 not in the order-q subgroup (y^q mod p != 1, RFC 5114 / SP 800-56A), an ECP
 * point off the curve, and an X25519/X448 all-zero shared secret (small-order point,
 * RFC 8031 §2) are all ERR_INVAL. The private key is wiped when the kex is freed.
 */
#ifndef RAMPART_CRYPTO_KEX_H
#define RAMPART_CRYPTO_KEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/secret.h"

/* IKE group numbers this module knows (IANA "Transform Type 4 - Key Exchange Method").
 * Local until src/wire/iana.h defines them. */
enum kex_group {
	KEX_MODP_768 = 1,
	KEX_MODP_1024 = 2,
	KEX_MODP_1536 = 5,
	KEX_MODP_2048 = 14,
	KEX_MODP_3072 = 15,
	KEX_MODP_4096 = 16,
	KEX_MODP_6144 = 17,
	KEX_MODP_8192 = 18,
	KEX_ECP_256 = 19,
	KEX_ECP_384 = 20,
	KEX_ECP_521 = 21,
	KEX_MODP_1024_160 = 22,
	KEX_MODP_2048_224 = 23,
	KEX_MODP_2048_256 = 24,
	KEX_ECP_192 = 25,
	KEX_ECP_224 = 26,
	KEX_ECP_224_BP = 27,
	KEX_ECP_256_BP = 28,
	KEX_ECP_384_BP = 29,
	KEX_ECP_512_BP = 30,
	KEX_CURVE25519 = 31,
	KEX_CURVE448 = 32,
};

struct kex;

/* True when group is implemented here. */
bool kex_group_supported(uint16_t group);
/* Length of the KE payload data for group (what a received KE must carry); 0 if unsupported. */
size_t kex_public_len(uint16_t group);
/* Length of the shared secret for group; 0 if unsupported. */
size_t kex_secret_len(uint16_t group);
/* A short name for logs ("MODP_2048", "ECP_256", "CURVE25519"), "unknown" otherwise. */
const char *kex_group_name(uint16_t group);

/* A fresh local key pair for group. NULL when the group is unsupported or on failure.
 * The caller owns the result and releases it with kex_free. */
struct kex *kex_new(uint16_t group);

/* FOR DETERMINISTIC TESTS ONLY (fixed known-answer vectors): a kex whose private key is given.
 *   MODP: big-endian exponent x (1 <= x, any length up to that of p)
 *   ECP:  big-endian scalar d, 1 <= d < n
 *   X25519/X448: the 32 / 56 byte scalar as in RFC 7748
 * NULL when the group is unsupported, the key is out of range, or on failure. */
struct kex *kex_new_from_private(uint16_t group, const uint8_t *priv, size_t len);

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
