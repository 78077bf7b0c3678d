/* Signatures for IKE authentication over OpenSSL 3 EVP_DigestSign / EVP_DigestVerify.
 *
 *   RSA PKCS#1 v1.5 with SHA-1/256/384/512   IKEv2 method 1 (SHA-1), RFC 7427, IKEv1
 *   RSASSA-PSS with SHA-256/384/512          RFC 7427 / RFC 8247: MGF1 with the same hash,
 *                                            salt length = hash length, trailer 1
 *   ECDSA with SHA-256/384/512, DER          RFC 7427 (Ecdsa-Sig-Value, as in X.509)
 *   ECDSA with SHA-256/384/512, r || s       IKEv2 methods 9/10/11 (RFC 4754): IEEE P1363,
 *                                            r and s each left-padded to the order length
 *   Ed25519, Ed448 (pure, no prehash)        RFC 8420
 *   RSA PKCS#1 v1.5 "raw"                    IKEv1 RSA signatures (RFC 2409 §5.1): type 1
 *                                            padding around the data (HASH_I/HASH_R) itself,
 *                                            no hash, no DigestInfo; data <= modulus - 11
 *
 * RFC 7427 carries the scheme as a DER AlgorithmIdentifier in front of the signature:
 * sign_algid gives the bytes we send, sign_algid_parse maps received bytes to a scheme.
 */
#ifndef RAMPART_CRYPTO_SIGN_H
#define RAMPART_CRYPTO_SIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/pkey.h"

enum sign_scheme {
	SIGN_NONE = 0,
	SIGN_RSA_PKCS1_SHA1,
	SIGN_RSA_PKCS1_SHA256,
	SIGN_RSA_PKCS1_SHA384,
	SIGN_RSA_PKCS1_SHA512,
	SIGN_RSA_PSS_SHA256,
	SIGN_RSA_PSS_SHA384,
	SIGN_RSA_PSS_SHA512,
	SIGN_ECDSA_SHA256, /* DER */
	SIGN_ECDSA_SHA384,
	SIGN_ECDSA_SHA512,
	SIGN_ECDSA_P1363_SHA256, /* r || s */
	SIGN_ECDSA_P1363_SHA384,
	SIGN_ECDSA_P1363_SHA512,
	SIGN_ED25519,
	SIGN_ED448,
	SIGN_RSA_PKCS1_RAW, /* IKEv1 */
	SIGN_SCHEME_COUNT,
};

/* "RSA_PKCS1_SHA256", "ECDSA_P1363_SHA384", ...; "unknown" otherwise. */
const char *sign_scheme_name(enum sign_scheme s);

/* The digest a scheme hashes with ("SHA1", "SHA256", "SHA384", "SHA512"), or NULL for
 * EdDSA, RSA raw and unknown schemes (RFC 7427 §4 "Identity" for EdDSA). For choosing what
 * to announce in SIGNATURE_HASH_ALGORITHMS. */
const char *sign_scheme_digest(enum sign_scheme s);

/* The RFC 7427 schemes key k can sign with, most preferred first, into out[0..return):
 *   RSA      PSS SHA-256/384/512, then PKCS#1 SHA-256/384/512 (RFC 8247 §3.2)
 *   RSA-PSS  PSS SHA-256/384/512
 *   EC       ECDSA with the hash of the curve's size first (P-256: SHA-256, ...), then the rest
 *   Ed25519 / Ed448  their own scheme
 * At most cap entries are written; the return value is the number written. */
size_t sign_schemes_for_key(const struct pkey *k, enum sign_scheme *out, size_t cap);

/* True when key k can make / check signatures of scheme s (RSA keys: PKCS#1 and PSS; RSA-PSS
 * keys: PSS only; EC keys: ECDSA on any of the three curves; Ed25519/Ed448 their own). */
bool sign_scheme_fits(enum sign_scheme s, const struct pkey *k);

/* Signs data with private key k. 0 and *sig (malloc'd, caller frees) of *siglen bytes;
 * ERR_INVAL when the scheme does not fit the key or the key has no private half (or, for RSA
 * raw, the data is longer than the modulus length - 11);
 * ERR_CRYPTO / ERR_NOMEM on failure. */
int sign_create(const struct pkey *k, enum sign_scheme s, const void *data, size_t len,
		uint8_t **sig, size_t *siglen);

/* Verifies sig over data with k's public key. 0 when valid; ERR_AUTH when the signature does
 * not verify or is malformed (any length, any bytes: never crashes); ERR_INVAL when the
 * scheme does not fit the key. */
int sign_verify(const struct pkey *k, enum sign_scheme s, const void *data, size_t len,
		const uint8_t *sig, size_t siglen);

/* RFC 7427 §3: the DER AlgorithmIdentifier for scheme s (static bytes). ERR_UNSUPPORTED for
 * the r || s ECDSA schemes, RSA raw and SIGN_NONE, which have none. */
int sign_algid(enum sign_scheme s, const uint8_t **der, size_t *len);

/* Maps a received DER AlgorithmIdentifier to a scheme. RSA PKCS#1 identifiers may carry NULL
 * or absent parameters; ECDSA and EdDSA identifiers absent (or NULL) parameters; RSASSA-PSS
 * parameters must name SHA-256/384/512 with MGF1 over the same hash, salt length equal to the
 * hash length and trailer 1 (defaults omitted or explicit). ECDSA maps to the DER schemes.
 * 0 and *out; ERR_INVAL when not a DER AlgorithmIdentifier (or trailing bytes);
 * ERR_UNSUPPORTED for any other algorithm or parameters. */
int sign_algid_parse(const uint8_t *der, size_t len, enum sign_scheme *out);

#endif
