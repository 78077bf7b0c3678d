/* Encryption transforms for ESP and the IKE SK payload, over OpenSSL EVP ciphers.
 *
 * An enc object is keyed once (per SA and direction): the EVP_CIPHER_CTX is created and keyed
 * in enc_new; each enc_seal/enc_open call only sets the per-message nonce, so the packet path
 * allocates nothing. Algorithms are named by their IKEv2 ENCR transform ID (wire/iana.h) and
 * key size in bits; IKEv1 and IPsec-DOI numbers are mapped to these by their callers.
 *
 * | id                          | key_bits      | keying material   | IV | block | ICV      |
 * |-----------------------------|---------------|-------------------|----|-------|----------|
 * | ENCR_NULL (RFC 2410)        | 0             | 0                 | 0  | 1     | 0        |
 * | ENCR_3DES (RFC 2451)        | 0 or 192      | 24                | 8  | 8     | 0        |
 * | ENCR_AES_CBC (RFC 3602)     | 128, 192, 256 | key               | 16 | 16    | 0        |
 * | ENCR_AES_CTR (RFC 3686)     | 128, 192, 256 | key || nonce(4)   | 8  | 1     | 0        |
 * | ENCR_AES_CCM_8/12/16 (4309) | 128, 192, 256 | key || salt(3)    | 8  | 1     | 8/12/16  |
 * | ENCR_AES_GCM_8/12/16 (4106) | 128, 192, 256 | key || salt(4)    | 8  | 1     | 8/12/16  |
 * | ENCR_NULL_AUTH_AES_GMAC     | 128, 192, 256 | key || salt(4)    | 8  | 1     | 16       |
 * |   (RFC 4543)                |               |                   |    |       |          |
 * | ENCR_CHACHA20_POLY1305      | 0 or 256      | key || salt(4)    | 8  | 1     | 16       |
 * |   (RFC 7634)                |               |                   |    |       |          |
 *
 * Nonces are formed as the RFCs say: CTR counter block = nonce || IV || 0x00000001 (RFC 3686
 * §4); GCM/GMAC/ChaCha20-Poly1305 nonce = salt || IV (RFC 4106 §4, RFC 4543 §3.1, RFC 7634 §2);
 * CCM nonce = salt || IV with L = 4 (RFC 4309 §4). The same objects serve the IKEv2 SK payload
 * (RFC 5282 for GCM/CCM, RFC 7634 §3 for ChaCha20-Poly1305).
 *
 * AEAD semantics: seal encrypts `in` into `out` and writes icv_len ICV octets to `icv`,
 * authenticating `aad` too. GMAC (auth_only) encrypts nothing: it copies `in` to `out` and
 * authenticates aad || iv || in, which is exactly RFC 4543 §3.3's ESP AAD when the caller
 * passes aad = SPI || sequence number (32 bits, or 64 with ESN).
 *
 * Buffers: out == in (in-place) works; otherwise they must not overlap. len and aad_len are at
 * most ENC_MAX_LEN. An object is not safe for concurrent use; give each thread its own copy
 * (enc_dup).
 */
#ifndef RAMPART_CRYPTO_ENC_H
#define RAMPART_CRYPTO_ENC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest message (and AAD) length one call accepts. */
#define ENC_MAX_LEN (1u << 30)
/* Upper bounds over every supported algorithm, for stack buffers. */
#define ENC_MAX_KEY_LEN	  36 /* AES-256 key + 4-byte salt */
#define ENC_MAX_IV_LEN	  16
#define ENC_MAX_ICV_LEN	  16
#define ENC_MAX_BLOCK_LEN 16

struct enc_info {
	uint16_t id;	   /* IKEV2_ENCR_* */
	uint16_t key_bits; /* cipher key size in bits (0 for NULL) */
	size_t key_len;	   /* keying material octets: cipher key + salt (SK_e / KEYMAT share) */
	size_t salt_len;   /* trailing salt/nonce octets included in key_len */
	size_t iv_len;	   /* explicit IV octets carried in each message */
	size_t block_size; /* cipher block: 16 AES-CBC, 8 3DES, 1 for counter/stream modes */
	size_t
	    pad_align; /* ESP alignment of the encrypted part: max(block_size, 4) (RFC 4303 §2.4) */
	size_t icv_len; /* ICV octets produced by the cipher itself; 0 when an INTEG is needed */
	bool aead;	/* combined mode (incl. GMAC): no separate integrity transform */
	bool auth_only; /* GMAC: integrity without confidentiality */
};

enum enc_dir {
	ENC_ENCRYPT = 0, /* object used with enc_seal only */
	ENC_DECRYPT = 1, /* object used with enc_open only */
};

struct enc;

/* Describes algorithm id with key size key_bits (0 where the size is fixed: NULL, 3DES,
 * ChaCha20-Poly1305; AES modes need 128, 192 or 256). Returns 0, ERR_UNSUPPORTED for an
 * unknown or unimplemented id, ERR_INVAL for a key size the algorithm doesn't have. */
int enc_lookup(uint16_t id, unsigned key_bits, struct enc_info *out);

/* Creates an object for one direction, keyed with key (exactly info.key_len octets, salt last;
 * key may be NULL when key_len is 0, i.e. for ENCR_NULL).
 * The key is copied into OpenSSL; the caller keeps ownership of its buffer. On success *out
 * owns the object (free with enc_free). Errors: as enc_lookup, ERR_INVAL for a wrong key_len,
 * ERR_NOMEM, ERR_CRYPTO. */
int enc_new(uint16_t id, unsigned key_bits, enum enc_dir dir, const uint8_t *key, size_t key_len,
	    struct enc **out);

/* An independent object with the same algorithm, key and direction (for another thread). */
int enc_dup(const struct enc *e, struct enc **out);

/* Re-keys e in place for another SA of the same algorithm and key size (enc_get_info(e)->id
 * and key_bits), in direction dir, with key (info.key_len octets, salt last). OpenSSL keeps
 * its cipher context: no allocation (this is the data plane's context-cache miss path).
 * Returns 0, ERR_INVAL (key_len, direction), ERR_CRYPTO. */
int enc_rekey(struct enc *e, enum enc_dir dir, const uint8_t *key, size_t key_len);

/* Wipes and frees; accepts NULL. */
void enc_free(struct enc *e);

/* The algorithm description; valid as long as e. */
const struct enc_info *enc_get_info(const struct enc *e);

/* Encrypts len octets of in into out with the explicit IV iv (info.iv_len octets). For AEAD
 * algorithms also authenticates aad (aad_len octets, may be 0) and writes info.icv_len octets
 * to icv; for the others aad_len must be 0 and icv is ignored (may be NULL). For block ciphers
 * (CBC) len must be a multiple of info.block_size: the caller pads. Returns 0, ERR_INVAL (bad
 * length, wrong direction), ERR_CRYPTO. */
int enc_seal(struct enc *e, const uint8_t *iv, const uint8_t *aad, size_t aad_len,
	     const uint8_t *in, size_t len, uint8_t *out, uint8_t *icv);

/* Decrypts len octets of in (ICV excluded) into out. For AEAD algorithms verifies icv
 * (info.icv_len octets) over aad and the message inside OpenSSL (constant time) and returns
 * ERR_AUTH on mismatch, in which case out (len octets) is zeroed and must be dropped. For the
 * others aad_len must be 0 and icv is ignored; the caller verifies integrity first. Returns 0,
 * ERR_AUTH, ERR_INVAL, ERR_CRYPTO. */
int enc_open(struct enc *e, const uint8_t *iv, const uint8_t *aad, size_t aad_len,
	     const uint8_t *in, size_t len, uint8_t *out, const uint8_t *icv);

#endif
