/* The algorithm names of iproute2's `ip xfrm` (the Linux crypto API names) and what Rampart
 * accepts for each: key lengths, ICV/truncation lengths, and the IKEv2 transform ID
 * (RFC 7296 §3.3.2, IANA "Transform Type 1/3") the data plane is configured with.
 *
 * Key lengths follow Linux: for the AEADs and rfc3686(ctr(aes)) the key includes the salt or
 * nonce (4 bytes for GCM, GMAC, ChaCha20-Poly1305 and CTR, 3 bytes for CCM).
 */
#ifndef RAMPART_DAEMON_XFRM_ALG_H
#define RAMPART_DAEMON_XFRM_ALG_H

#include <stddef.h>
#include <stdint.h>

enum xfrm_alg_kind {
	XFRM_ALG_AEAD = 0, /* "aead NAME KEY ICV-BITS" (ESP only) */
	XFRM_ALG_ENC,	   /* "enc NAME KEY" (ESP only) */
	XFRM_ALG_AUTH,	   /* "auth NAME KEY" or "auth-trunc NAME KEY BITS" */
};

#define XFRM_ALG_MAX_KEYLENS 3
#define XFRM_ALG_MAX_ICVS    3
#define XFRM_ALG_KEY_MAX     64 /* bytes; the longest key any entry accepts */

struct xfrm_alg {
	const char *name;  /* canonical Linux name, e.g. "rfc4106(gcm(aes))" */
	const char *alias; /* a second accepted spelling or NULL, e.g. "cipher_null" */
	enum xfrm_alg_kind kind;
	uint16_t ikev2_id; /* IKEv2 transform ID; for AEADs the ID of the default ICV */
	uint8_t salt_len;  /* bytes at the end of the key that are salt/nonce */
	uint8_t n_keylens; /* accepted key lengths in bytes (including the salt) */
	uint8_t keylens[XFRM_ALG_MAX_KEYLENS];
	uint8_t n_icvs; /* accepted ICV / truncation lengths in bits */
	uint16_t icvs[XFRM_ALG_MAX_ICVS];
	uint16_t icv_default; /* bits used by "auth NAME KEY" (RFC values, see README) */
};

/* The entry named `name` (canonical name or alias) of the given kind, or NULL. */
const struct xfrm_alg *xfrm_alg_find(enum xfrm_alg_kind kind, const char *name);
/* The entry named `name` of any kind, or NULL (for "did you mean enc?" hints). */
const struct xfrm_alg *xfrm_alg_find_any(const char *name);
int xfrm_alg_keylen_ok(const struct xfrm_alg *a, size_t keylen);
int xfrm_alg_icv_ok(const struct xfrm_alg *a, unsigned bits);
/* The IKEv2 transform ID for an AEAD with a given ICV length (GCM and CCM have one ID per ICV
 * length, RFC 4106 §8, RFC 4309 §7); for other kinds the entry's ID. 0 when not representable. */
uint16_t xfrm_alg_ikev2_id(const struct xfrm_alg *a, unsigned icv_bits);
/* "kind" as written on the command line: "aead", "enc", "auth". */
const char *xfrm_alg_kind_name(enum xfrm_alg_kind kind);
/* Writes the accepted key lengths as text ("20, 28 or 36") into out. */
void xfrm_alg_keylens_str(const struct xfrm_alg *a, char *out, size_t out_size);
void xfrm_alg_icvs_str(const struct xfrm_alg *a, char *out, size_t out_size);

/* All entries, for listings and tests. */
size_t xfrm_alg_count(void);
const struct xfrm_alg *xfrm_alg_at(size_t i);

#endif
