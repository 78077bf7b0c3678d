#include "crypto/mac.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "lib/err.h"

#define XCBC_BLOCK 16

struct mac {
	enum mac_alg alg;
	size_t out_len;
	EVP_MAC_CTX *mctx;   /* HMAC, CMAC */
	EVP_CIPHER_CTX *cbc; /* XCBC: AES-128-CBC keyed with K1, IV reset per message */
	uint8_t k2[XCBC_BLOCK], k3[XCBC_BLOCK];
};

static const char *digest_name(enum mac_alg alg)
{
	switch (alg) {
	case MAC_HMAC_MD5:
		return "MD5";
	case MAC_HMAC_SHA1:
		return "SHA1";
	case MAC_HMAC_SHA256:
		return "SHA2-256";
	case MAC_HMAC_SHA384:
		return "SHA2-384";
	case MAC_HMAC_SHA512:
		return "SHA2-512";
	default:
		return NULL;
	}
}

size_t mac_alg_out_len(enum mac_alg alg)
{
	switch (alg) {
	case MAC_HMAC_MD5:
		return 16;
	case MAC_HMAC_SHA1:
		return 20;
	case MAC_HMAC_SHA256:
		return 32;
	case MAC_HMAC_SHA384:
		return 48;
	case MAC_HMAC_SHA512:
		return 64;
	case MAC_AES128_XCBC:
	case MAC_AES128_CMAC:
		return 16;
	}
	return 0;
}

/* One keyed EVP_MAC_CTX per HMAC digest and for CMAC, made once per process (an all-zero key;
 * never used to compute): a new object is a copy of it re-keyed. Fetching the MAC and its digest
 * by name per object costs OpenSSL 3 a method-store lookup each (a third of an IKE_SA_INIT's
 * HMAC work); a copy shares the fetched methods. The templates are only read after
 * mac_templates_init (EVP_MAC_CTX_dup does not change its source), so any thread may copy them.
 */
#define MAC_NALGS (MAC_AES128_CMAC + 1)
static EVP_MAC_CTX *templates[MAC_NALGS];
static CRYPTO_ONCE templates_once = CRYPTO_ONCE_STATIC_INIT;

static EVP_MAC_CTX *template_new(enum mac_alg alg)
{
	static const uint8_t zero[16];
	EVP_MAC *mac = EVP_MAC_fetch(NULL, alg == MAC_AES128_CMAC ? "CMAC" : "HMAC", NULL);
	EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
	OSSL_PARAM params[2];

	if (alg == MAC_AES128_CMAC)
		params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER,
							     (char *)"AES-128-CBC", 0);
	else
		params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
							     (char *)digest_name(alg), 0);
	params[1] = OSSL_PARAM_construct_end();
	if (ctx && EVP_MAC_init(ctx, zero, sizeof(zero), params) != 1) {
		EVP_MAC_CTX_free(ctx);
		ctx = NULL;
	}
	EVP_MAC_free(mac);
	return ctx;
}

static void templates_free(void)
{
	for (size_t i = 0; i < MAC_NALGS; i++) {
		EVP_MAC_CTX_free(templates[i]);
		templates[i] = NULL;
	}
}

static void mac_templates_init(void)
{
	for (int a = 0; a < MAC_NALGS; a++)
		if (a != MAC_AES128_XCBC)
			templates[a] = template_new((enum mac_alg)a);
	atexit(templates_free); /* not a leak for the sanitizers' exit check */
}

static int new_evp_mac(struct mac *m, const uint8_t *key, size_t key_len)
{
	static const uint8_t empty[1];

	if (!CRYPTO_THREAD_run_once(&templates_once, mac_templates_init) || !templates[m->alg])
		return ERR_CRYPTO;
	m->mctx = EVP_MAC_CTX_dup(templates[m->alg]);
	if (!m->mctx)
		return ERR_NOMEM;
	/* A zero-length HMAC key is legal (RFC 2104); OpenSSL wants a non-NULL pointer. */
	if (EVP_MAC_init(m->mctx, key_len ? key : empty, key_len, NULL) != 1)
		return ERR_CRYPTO;
	return 0;
}

/* RFC 3566 §4 steps 1: K1 = E(K, 0x01..), K2 = E(K, 0x02..), K3 = E(K, 0x03..). */
static int new_xcbc(struct mac *m, const uint8_t *key)
{
	static const uint8_t zero_iv[XCBC_BLOCK];
	EVP_CIPHER *ecb = NULL, *cbc = NULL;
	EVP_CIPHER_CTX *kctx = NULL;
	uint8_t in[3 * XCBC_BLOCK], k[3 * XCBC_BLOCK];
	int outl, err = ERR_CRYPTO;

	memset(in, 0x01, XCBC_BLOCK);
	memset(in + XCBC_BLOCK, 0x02, XCBC_BLOCK);
	memset(in + 2 * XCBC_BLOCK, 0x03, XCBC_BLOCK);
	ecb = EVP_CIPHER_fetch(NULL, "AES-128-ECB", NULL);
	cbc = EVP_CIPHER_fetch(NULL, "AES-128-CBC", NULL);
	kctx = EVP_CIPHER_CTX_new();
	m->cbc = EVP_CIPHER_CTX_new();
	if (!ecb || !cbc || !kctx || !m->cbc)
		goto out;
	if (EVP_EncryptInit_ex2(kctx, ecb, key, NULL, NULL) != 1 ||
	    EVP_CIPHER_CTX_set_padding(kctx, 0) != 1 ||
	    EVP_EncryptUpdate(kctx, k, &outl, in, sizeof(in)) != 1 || outl != (int)sizeof(k))
		goto out;
	if (EVP_EncryptInit_ex2(m->cbc, cbc, k, zero_iv, NULL) != 1 ||
	    EVP_CIPHER_CTX_set_padding(m->cbc, 0) != 1)
		goto out;
	memcpy(m->k2, k + XCBC_BLOCK, XCBC_BLOCK);
	memcpy(m->k3, k + 2 * XCBC_BLOCK, XCBC_BLOCK);
	err = 0;
out:
	OPENSSL_cleanse(k, sizeof(k));
	EVP_CIPHER_CTX_free(kctx);
	EVP_CIPHER_free(ecb);
	EVP_CIPHER_free(cbc);
	return err;
}

int mac_new(enum mac_alg alg, const uint8_t *key, size_t key_len, struct mac **out)
{
	struct mac *m = NULL;
	int err;

	if (mac_alg_out_len(alg) == 0)
		return ERR_INVAL;
	if ((alg == MAC_AES128_XCBC || alg == MAC_AES128_CMAC) && key_len != 16)
		return ERR_INVAL;
	if (key_len && !key)
		return ERR_INVAL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return ERR_NOMEM;
	m->alg = alg;
	m->out_len = mac_alg_out_len(alg);
	if (alg == MAC_AES128_XCBC)
		err = new_xcbc(m, key);
	else
		err = new_evp_mac(m, key, key_len);
	if (err) {
		mac_free(m);
		return err;
	}
	*out = m;
	return 0;
}

int mac_rekey(struct mac *m, const uint8_t *key, size_t key_len)
{
	static const uint8_t empty[1];

	if (m->mctx == NULL)
		return ERR_UNSUPPORTED;
	if (EVP_MAC_init(m->mctx, key_len ? key : empty, key_len, NULL) != 1)
		return ERR_CRYPTO;
	return 0;
}

int mac_dup(const struct mac *m, struct mac **out)
{
	struct mac *d = calloc(1, sizeof(*d));
	int err = ERR_CRYPTO;

	if (!d)
		return ERR_NOMEM;
	d->alg = m->alg;
	d->out_len = m->out_len;
	memcpy(d->k2, m->k2, sizeof(d->k2));
	memcpy(d->k3, m->k3, sizeof(d->k3));
	if (m->mctx) {
		d->mctx = EVP_MAC_CTX_dup(m->mctx);
		if (!d->mctx)
			goto out;
	}
	if (m->cbc) {
		d->cbc = EVP_CIPHER_CTX_new();
		if (!d->cbc || EVP_CIPHER_CTX_copy(d->cbc, m->cbc) != 1)
			goto out;
	}
	err = 0;
out:
	if (err) {
		mac_free(d);
		return err;
	}
	*out = d;
	return 0;
}

void mac_free(struct mac *m)
{
	if (!m)
		return;
	EVP_MAC_CTX_free(m->mctx);
	EVP_CIPHER_CTX_free(m->cbc);
	OPENSSL_cleanse(m, sizeof(*m));
	free(m);
}

size_t mac_out_len(const struct mac *m)
{
	return m->out_len;
}

/* CBC-encrypts len (a multiple of 16) octets, discarding all but the chaining state. */
static int xcbc_blocks(EVP_CIPHER_CTX *cbc, const uint8_t *p, size_t len)
{
	uint8_t scratch[256];
	int outl;

	while (len > 0) {
		size_t n = len > sizeof(scratch) ? sizeof(scratch) : len;
		if (EVP_EncryptUpdate(cbc, scratch, &outl, p, (int)n) != 1 || (size_t)outl != n)
			return ERR_CRYPTO;
		p += n;
		len -= n;
	}
	return 0;
}

/* RFC 3566 §4: CBC-MAC with K1 over all blocks but the last; the last block is XORed with K2
 * when complete, or padded with 10* and XORed with K3. */
static int xcbc_compute(struct mac *m, const struct crypto_span *parts, size_t n, uint8_t *out)
{
	static const uint8_t zero_iv[XCBC_BLOCK];
	uint8_t pend[XCBC_BLOCK];
	size_t pl = 0;
	int outl, err = ERR_CRYPTO;

	if (EVP_EncryptInit_ex2(m->cbc, NULL, NULL, zero_iv, NULL) != 1)
		goto out;
	for (size_t i = 0; i < n; i++) {
		const uint8_t *p = parts[i].p;
		size_t len = parts[i].len;

		while (len > 0) {
			if (pl == XCBC_BLOCK) { /* more data follows: pend is not the last block */
				if (xcbc_blocks(m->cbc, pend, XCBC_BLOCK))
					goto out;
				pl = 0;
			}
			if (pl == 0 && len > XCBC_BLOCK) {
				size_t bulk = (len - 1) / XCBC_BLOCK * XCBC_BLOCK;
				if (xcbc_blocks(m->cbc, p, bulk))
					goto out;
				p += bulk;
				len -= bulk;
			}
			size_t take = XCBC_BLOCK - pl < len ? XCBC_BLOCK - pl : len;
			memcpy(pend + pl, p, take);
			pl += take;
			p += take;
			len -= take;
		}
	}
	const uint8_t *k = m->k2;
	if (pl < XCBC_BLOCK) {
		pend[pl] = 0x80;
		memset(pend + pl + 1, 0, XCBC_BLOCK - pl - 1);
		k = m->k3;
	}
	for (size_t i = 0; i < XCBC_BLOCK; i++)
		pend[i] ^= k[i];
	if (EVP_EncryptUpdate(m->cbc, out, &outl, pend, XCBC_BLOCK) != 1 || outl != XCBC_BLOCK)
		goto out;
	err = 0;
out:
	OPENSSL_cleanse(pend, sizeof(pend));
	return err;
}

int mac_compute(struct mac *m, const struct crypto_span *parts, size_t n, uint8_t *out)
{
	size_t outl;

	if (n && !parts)
		return ERR_INVAL;
	if (m->alg == MAC_AES128_XCBC)
		return xcbc_compute(m, parts, n, out);
	/* Re-initialise with the key already set: no key schedule, no new context. */
	if (EVP_MAC_init(m->mctx, NULL, 0, NULL) != 1)
		return ERR_CRYPTO;
	for (size_t i = 0; i < n; i++) {
		if (parts[i].len && EVP_MAC_update(m->mctx, parts[i].p, parts[i].len) != 1)
			return ERR_CRYPTO;
	}
	if (EVP_MAC_final(m->mctx, out, &outl, m->out_len) != 1 || outl != m->out_len)
		return ERR_CRYPTO;
	return 0;
}
