/* Public and private keys for IKE authentication (RSA, RSA-PSS, ECDSA P-256/384/521, Ed25519,
 * Ed448) over OpenSSL 3 EVP_PKEY: loading from PEM or DER, generation, the SubjectPublicKeyInfo
 * and its SHA-1 (RFC 7296 §3.7 CERTREQ Certification Authority hashes).
 *
 * A struct pkey is immutable once built; signing and verification are in sign.h. Private keys
 * are held by OpenSSL, which wipes them when the last reference is freed.
 */
#ifndef RAMPART_CRYPTO_PKEY_H
#define RAMPART_CRYPTO_PKEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/types.h>

enum pkey_type {
	PKEY_NONE = 0,
	PKEY_RSA,     /* rsaEncryption: PKCS#1 v1.5 and PSS */
	PKEY_RSA_PSS, /* id-RSASSA-PSS keys: PSS only */
	PKEY_EC,      /* ECDSA on P-256, P-384, P-521 */
	PKEY_ED25519,
	PKEY_ED448,
};

#define PKEY_SHA1_LEN 20

struct pkey;

/* A private key (with its public half) from PEM or DER: PKCS#8 (encrypted when passphrase is
 * given), or the traditional RSA / EC forms. Never prompts. 0 and *out (caller frees with
 * pkey_free); ERR_INVAL when the bytes hold no private key we can read (or the passphrase is
 * wrong); ERR_UNSUPPORTED for a key type or curve not listed above; ERR_NOMEM. */
int pkey_load_private(const void *data, size_t len, const char *passphrase, struct pkey **out);
/* The same from a file; ERR_IO when it cannot be read. */
int pkey_load_private_file(const char *path, const char *passphrase, struct pkey **out);

/* A public key from PEM or DER: SubjectPublicKeyInfo ("PUBLIC KEY") or PKCS#1
 * ("RSA PUBLIC KEY"). Errors as pkey_load_private. */
int pkey_load_public(const void *data, size_t len, struct pkey **out);
int pkey_load_public_file(const char *path, struct pkey **out);

/* A public key from exactly one DER SubjectPublicKeyInfo, nothing else accepted: for keys a
 * peer sends (RFC 7670 raw public keys, CERT encoding 15). ERR_INVAL when malformed or with
 * trailing bytes; ERR_UNSUPPORTED for other key types or curves. */
int pkey_from_spki_der(const uint8_t *der, size_t len, struct pkey **out);

/* A fresh key: PKEY_RSA / PKEY_RSA_PSS with param = modulus bits (2048..16384), PKEY_EC with
 * param = 256, 384 or 521, PKEY_ED25519 / PKEY_ED448 with param 0. */
int pkey_generate(enum pkey_type type, unsigned param, struct pkey **out);

/* Wraps an EVP_PKEY, taking over the caller's reference (freed on error too). Used by x509.
 * ERR_UNSUPPORTED for key types or curves not listed above. */
int pkey_from_evp(EVP_PKEY *evp, struct pkey **out);
/* The underlying EVP_PKEY, borrowed (valid until pkey_free). */
EVP_PKEY *pkey_evp(const struct pkey *k);
/* Another reference to the same key; NULL on ENOMEM. */
struct pkey *pkey_dup(const struct pkey *k);
void pkey_free(struct pkey *k);

enum pkey_type pkey_type(const struct pkey *k);
/* RSA: modulus bits; EC: order bits (256, 384, 521); Ed25519: 256, Ed448: 456. */
unsigned pkey_bits(const struct pkey *k);
bool pkey_has_private(const struct pkey *k);
/* Same public key (type, parameters and value). */
bool pkey_public_equal(const struct pkey *a, const struct pkey *b);

/* The DER SubjectPublicKeyInfo, malloc'd, caller frees. */
int pkey_spki_der(const struct pkey *k, uint8_t **der, size_t *len);
/* SHA-1 over the DER SubjectPublicKeyInfo (RFC 7296 §3.7 and §3.6 "Hash and URL"). */
int pkey_spki_sha1(const struct pkey *k, uint8_t out[PKEY_SHA1_LEN]);

#endif
