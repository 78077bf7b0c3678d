/* IKE key derivation: IKEv2 SKEYSEED and SK_* (RFC 7296 §2.14), IKE SA rekey (§2.18), Child SA
 * KEYMAT (§2.17); IKEv1 SKEYID / SKEYID_d/a/e (RFC 2409 §5), the phase-1 encryption key
 * expansion (Appendix B), phase-1/2 IVs (Appendix B) and Quick Mode KEYMAT (§5.5).
 *
 * PRFs are named by IKEv2 PRF transform ID (crypto/prf.h). IKEv1's PRF is the HMAC of the
 * negotiated hash (RFC 2409 §4); kdf_ikev1_prf_for_hash maps the hash attribute to that ID.
 *
 * Every derived key is returned in a new struct secret owned by the caller (or collected in a
 * struct whose *_cleanup frees them). Outputs are written only on success. A key of length 0
 * (SK_a with an AEAD cipher, no integrity key) comes back as NULL.
 */
#ifndef RAMPART_CRYPTO_KDF_H
#define RAMPART_CRYPTO_KDF_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/span.h"
#include "lib/secret.h"

/* ---- IKEv2 ---------------------------------------------------------------------------- */

/* SKEYSEED = prf(Ni | Nr, g^ir) (RFC 7296 §2.14). For the fixed-key PRFs (AES128-XCBC,
 * AES128-CMAC) the key is the first 8 octets of Ni and of Nr, as §2.14 requires. ERR_INVAL if a
 * nonce is shorter than 8 octets (IKE enforces the 16-octet minimum of §2.10 itself). */
int kdf_ikev2_skeyseed(uint16_t prf_id, const uint8_t *ni, size_t ni_len, const uint8_t *nr,
		       size_t nr_len, const struct secret *g_ir, struct secret **out);

/* Rekeyed SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr) with the new exchange's nonces
 * (RFC 7296 §2.18). prf_id is the PRF of the old IKE SA; g_ir is required. RFC 9370's
 * additional key exchanges use the same formula: SKEYSEED(n) = prf(SK_d(n-1), SK(n) | Ni | Nr).
 */
int kdf_ikev2_skeyseed_rekey(uint16_t prf_id, const struct secret *sk_d_old,
			     const struct secret *g_ir, const uint8_t *ni, size_t ni_len,
			     const uint8_t *nr, size_t nr_len, struct secret **out);

/* The seven IKE SA keys, in the order prf+ produces them. */
struct kdf_ikev2_sa_keys {
	struct secret *sk_d;  /* prf preferred key length */
	struct secret *sk_ai; /* integ key length; NULL with an AEAD */
	struct secret *sk_ar;
	struct secret *sk_ei; /* enc key length including salt (enc_info.key_len) */
	struct secret *sk_er;
	struct secret *sk_pi; /* prf preferred key length */
	struct secret *sk_pr;
};

/* {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr} = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr)
 * (RFC 7296 §2.14), with integ_key_len (0 for AEAD) and enc_key_len octets for the integrity
 * and encryption keys. spi_i and spi_r are the 8-octet IKE SPIs (for a rekey: the new SA's). */
int kdf_ikev2_sa_keys(uint16_t prf_id, const struct secret *skeyseed, const uint8_t *ni,
		      size_t ni_len, const uint8_t *nr, size_t nr_len, const uint8_t spi_i[8],
		      const uint8_t spi_r[8], size_t integ_key_len, size_t enc_key_len,
		      struct kdf_ikev2_sa_keys *out);
/* Frees (wiping) every key and NULLs the pointers; accepts a zeroed struct. */
void kdf_ikev2_sa_keys_cleanup(struct kdf_ikev2_sa_keys *k);

/* The keys of one Child SA pair: _i protects initiator-to-responder traffic, _r the reverse. */
struct kdf_child_keys {
	struct secret *encr_i;	/* NULL when enc_key_len is 0 (ENCR_NULL) */
	struct secret *integ_i; /* NULL when integ_key_len is 0 (AEAD) */
	struct secret *encr_r;
	struct secret *integ_r;
};

/* KEYMAT = prf+(SK_d, Ni | Nr), or prf+(SK_d, g^ir (new) | Ni | Nr) when g_ir is non-NULL
 * (PFS), split as encr_i | integ_i | encr_r | integ_r (RFC 7296 §2.17). For the Child SA
 * created with IKE_AUTH, Ni and Nr are the IKE_SA_INIT nonces. */
int kdf_ikev2_child_keys(uint16_t prf_id, const struct secret *sk_d, const struct secret *g_ir,
			 const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len,
			 size_t enc_key_len, size_t integ_key_len, struct kdf_child_keys *out);
void kdf_child_keys_cleanup(struct kdf_child_keys *k);

/* ---- IKEv1 ---------------------------------------------------------------------------- */

/* The PRF for an IKEv1 Hash Algorithm attribute value (IKEV1_HASH_*): its HMAC. 0 or
 * ERR_UNSUPPORTED. */
int kdf_ikev1_prf_for_hash(uint16_t ikev1_hash, uint16_t *prf_id);

/* SKEYID for pre-shared keys: prf(pre-shared-key, Ni_b | Nr_b) (RFC 2409 §5). */
int kdf_ikev1_skeyid_psk(uint16_t prf_id, const struct secret *psk, const uint8_t *ni,
			 size_t ni_len, const uint8_t *nr, size_t nr_len, struct secret **out);

/* SKEYID for signatures: prf(Ni_b | Nr_b, g^xy) (RFC 2409 §5). */
int kdf_ikev1_skeyid_sig(uint16_t prf_id, const uint8_t *ni, size_t ni_len, const uint8_t *nr,
			 size_t nr_len, const struct secret *g_xy, struct secret **out);

struct kdf_ikev1_keys {
	struct secret *skeyid_d;
	struct secret *skeyid_a;
	struct secret *skeyid_e;
};

/* RFC 2409 §5:
 *   SKEYID_d = prf(SKEYID, g^xy | CKY-I | CKY-R | 0)
 *   SKEYID_a = prf(SKEYID, SKEYID_d | g^xy | CKY-I | CKY-R | 1)
 *   SKEYID_e = prf(SKEYID, SKEYID_a | g^xy | CKY-I | CKY-R | 2)
 * cky_i and cky_r are the 8-octet ISAKMP cookies. */
int kdf_ikev1_keys(uint16_t prf_id, const struct secret *skeyid, const struct secret *g_xy,
		   const uint8_t cky_i[8], const uint8_t cky_r[8], struct kdf_ikev1_keys *out);
void kdf_ikev1_keys_cleanup(struct kdf_ikev1_keys *k);

/* The phase-1 encryption key of key_len octets (RFC 2409 Appendix B): the first key_len octets
 * of SKEYID_e when it is long enough, else of Ka = K1 | K2 | ... with K1 = prf(SKEYID_e, 0x00)
 * and Kn = prf(SKEYID_e, Kn-1). key_len is at most 255 PRF outputs. */
int kdf_ikev1_enc_key(uint16_t prf_id, const struct secret *skeyid_e, size_t key_len,
		      struct secret **out);

/* Quick Mode KEYMAT of len octets for one SA (RFC 2409 §5.5):
 *   K1 = prf(SKEYID_d, [g(qm)^xy |] protocol | SPI | Ni_b | Nr_b)
 *   Kn = prf(SKEYID_d, Kn-1 | [g(qm)^xy |] protocol | SPI | Ni_b | Nr_b)
 * g_qm is NULL without PFS; protocol is IPSEC_PROTO_*; spi is the 4-octet SPI the receiving
 * side chose for this SA. */
int kdf_ikev1_keymat(uint16_t prf_id, const struct secret *skeyid_d, const struct secret *g_qm,
		     uint8_t protocol, const uint8_t spi[4], const uint8_t *ni, size_t ni_len,
		     const uint8_t *nr, size_t nr_len, size_t len, struct secret **out);

/* An IKEv1 IV (RFC 2409 Appendix B): the first iv_len octets of hash(parts...), where hash is
 * the digest underlying prf_id (an HMAC PRF). Phase 1: parts = g^xi, g^xr; Phase 2 and
 * informational: parts = last phase-1 CBC block, M-ID. iv_len is at most the digest length. */
int kdf_ikev1_iv(uint16_t prf_id, const struct crypto_span *parts, size_t n, size_t iv_len,
		 uint8_t *iv);

#endif
