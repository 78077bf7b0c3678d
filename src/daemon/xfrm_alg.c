#include "daemon/xfrm_alg.h"

#include <stdio.h>
#include <string.h>

/* IKEv2 transform IDs (RFC 7296 §3.3.2 and the IANA registry). Defined here only to name the
 * algorithm a manual SA uses; src/wire owns the IANA numbers for the IKE codecs. */
enum {
	ID_ENCR_3DES = 3,
	ID_ENCR_NULL = 11,
	ID_ENCR_AES_CBC = 12,
	ID_ENCR_AES_CTR = 13,
	ID_ENCR_AES_CCM_8 = 14,
	ID_ENCR_AES_CCM_12 = 15,
	ID_ENCR_AES_CCM_16 = 16,
	ID_ENCR_AES_GCM_8 = 18,
	ID_ENCR_AES_GCM_12 = 19,
	ID_ENCR_AES_GCM_16 = 20,
	ID_ENCR_NULL_AUTH_AES_GMAC = 21,
	ID_ENCR_CHACHA20_POLY1305 = 28,
	ID_AUTH_HMAC_SHA1_96 = 2,
	ID_AUTH_AES_XCBC_96 = 5,
	ID_AUTH_AES_CMAC_96 = 8,
	ID_AUTH_HMAC_SHA2_256_128 = 12,
	ID_AUTH_HMAC_SHA2_384_192 = 13,
	ID_AUTH_HMAC_SHA2_512_256 = 14,
};

static const struct xfrm_alg algs[] = {
    /* AEADs: RFC 4106 (GCM), RFC 4309 (CCM), RFC 7634 (ChaCha20-Poly1305), RFC 4543 (GMAC) */
    {"rfc4106(gcm(aes))",
     NULL,
     XFRM_ALG_AEAD,
     ID_ENCR_AES_GCM_16,
     4,
     3,
     {20, 28, 36},
     3,
     {64, 96, 128},
     128},
    {"rfc4309(ccm(aes))",
     NULL,
     XFRM_ALG_AEAD,
     ID_ENCR_AES_CCM_16,
     3,
     3,
     {19, 27, 35},
     3,
     {64, 96, 128},
     128},
    {"rfc7539esp(chacha20,poly1305)",
     NULL,
     XFRM_ALG_AEAD,
     ID_ENCR_CHACHA20_POLY1305,
     4,
     1,
     {36},
     1,
     {128},
     128},
    {"rfc4543(gcm(aes))",
     NULL,
     XFRM_ALG_AEAD,
     ID_ENCR_NULL_AUTH_AES_GMAC,
     4,
     3,
     {20, 28, 36},
     1,
     {128},
     128},
    /* Ciphers: RFC 3602 (CBC), RFC 3686 (CTR, key includes the 4-byte nonce), RFC 2451, 2410 */
    {"cbc(aes)", NULL, XFRM_ALG_ENC, ID_ENCR_AES_CBC, 0, 3, {16, 24, 32}, 0, {0}, 0},
    {"rfc3686(ctr(aes))", NULL, XFRM_ALG_ENC, ID_ENCR_AES_CTR, 4, 3, {20, 28, 36}, 0, {0}, 0},
    {"cbc(des3_ede)", "des3_ede", XFRM_ALG_ENC, ID_ENCR_3DES, 0, 1, {24}, 0, {0}, 0},
    {"ecb(cipher_null)", "cipher_null", XFRM_ALG_ENC, ID_ENCR_NULL, 0, 1, {0}, 0, {0}, 0},
    /* Integrity: RFC 2404, RFC 4868, RFC 3566, RFC 4494 */
    {"hmac(sha1)", "sha1", XFRM_ALG_AUTH, ID_AUTH_HMAC_SHA1_96, 0, 1, {20}, 1, {96}, 96},
    {"hmac(sha256)", "sha256", XFRM_ALG_AUTH, ID_AUTH_HMAC_SHA2_256_128, 0, 1, {32}, 1, {128}, 128},
    {"hmac(sha384)", "sha384", XFRM_ALG_AUTH, ID_AUTH_HMAC_SHA2_384_192, 0, 1, {48}, 1, {192}, 192},
    {"hmac(sha512)", "sha512", XFRM_ALG_AUTH, ID_AUTH_HMAC_SHA2_512_256, 0, 1, {64}, 1, {256}, 256},
    {"xcbc(aes)", NULL, XFRM_ALG_AUTH, ID_AUTH_AES_XCBC_96, 0, 1, {16}, 1, {96}, 96},
    {"cmac(aes)", NULL, XFRM_ALG_AUTH, ID_AUTH_AES_CMAC_96, 0, 1, {16}, 1, {96}, 96},
};

#define N_ALGS (sizeof(algs) / sizeof(algs[0]))

size_t xfrm_alg_count(void)
{
	return N_ALGS;
}

const struct xfrm_alg *xfrm_alg_at(size_t i)
{
	return i < N_ALGS ? &algs[i] : NULL;
}

static int name_matches(const struct xfrm_alg *a, const char *name)
{
	return strcmp(a->name, name) == 0 || (a->alias && strcmp(a->alias, name) == 0);
}

const struct xfrm_alg *xfrm_alg_find(enum xfrm_alg_kind kind, const char *name)
{
	for (size_t i = 0; i < N_ALGS; i++)
		if (algs[i].kind == kind && name_matches(&algs[i], name))
			return &algs[i];
	return NULL;
}

const struct xfrm_alg *xfrm_alg_find_any(const char *name)
{
	for (size_t i = 0; i < N_ALGS; i++)
		if (name_matches(&algs[i], name))
			return &algs[i];
	return NULL;
}

int xfrm_alg_keylen_ok(const struct xfrm_alg *a, size_t keylen)
{
	for (unsigned i = 0; i < a->n_keylens; i++)
		if (a->keylens[i] == keylen)
			return 1;
	return 0;
}

int xfrm_alg_icv_ok(const struct xfrm_alg *a, unsigned bits)
{
	for (unsigned i = 0; i < a->n_icvs; i++)
		if (a->icvs[i] == bits)
			return 1;
	return 0;
}

uint16_t xfrm_alg_ikev2_id(const struct xfrm_alg *a, unsigned icv_bits)
{
	if (a->kind != XFRM_ALG_AEAD)
		return a->ikev2_id;
	if (!xfrm_alg_icv_ok(a, icv_bits))
		return 0;
	switch (a->ikev2_id) {
	case ID_ENCR_AES_GCM_16:
		return icv_bits == 64	? ID_ENCR_AES_GCM_8
		       : icv_bits == 96 ? ID_ENCR_AES_GCM_12
					: ID_ENCR_AES_GCM_16;
	case ID_ENCR_AES_CCM_16:
		return icv_bits == 64	? ID_ENCR_AES_CCM_8
		       : icv_bits == 96 ? ID_ENCR_AES_CCM_12
					: ID_ENCR_AES_CCM_16;
	default:
		return a->ikev2_id;
	}
}

const char *xfrm_alg_kind_name(enum xfrm_alg_kind kind)
{
	switch (kind) {
	case XFRM_ALG_AEAD:
		return "aead";
	case XFRM_ALG_ENC:
		return "enc";
	case XFRM_ALG_AUTH:
		return "auth";
	}
	return "?";
}

/* "a", "a or b", "a, b or c" */
static void list_str(const unsigned *v, unsigned n, char *out, size_t out_size)
{
	size_t o = 0;

	if (!out_size)
		return;
	out[0] = '\0';
	for (unsigned i = 0; i < n && o < out_size; i++) {
		const char *sep = i == 0 ? "" : i + 1 == n ? " or " : ", ";
		int w = snprintf(out + o, out_size - o, "%s%u", sep, v[i]);
		if (w < 0)
			break;
		o += (size_t)w;
	}
}

void xfrm_alg_keylens_str(const struct xfrm_alg *a, char *out, size_t out_size)
{
	unsigned v[XFRM_ALG_MAX_KEYLENS];

	for (unsigned i = 0; i < a->n_keylens; i++)
		v[i] = a->keylens[i];
	list_str(v, a->n_keylens, out, out_size);
}

void xfrm_alg_icvs_str(const struct xfrm_alg *a, char *out, size_t out_size)
{
	unsigned v[XFRM_ALG_MAX_ICVS];

	for (unsigned i = 0; i < a->n_icvs; i++)
		v[i] = a->icvs[i];
	list_str(v, a->n_icvs, out, out_size);
}
