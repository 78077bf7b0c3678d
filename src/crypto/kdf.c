#include "crypto/kdf.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "crypto/prf.h"
#include "lib/err.h"
#include "wire/iana.h"

/* A new secret holding the next len octets of km (NULL for len 0); advances *off. */
static int take(const uint8_t *km, size_t *off, size_t len, struct secret **out)
{
	*out = NULL;
	if (len == 0)
		return 0;
	*out = secret_new(km + *off, len);
	if (!*out)
		return ERR_NOMEM;
	*off += len;
	return 0;
}

/* One PRF computation into a new secret. */
static int prf_to_secret(uint16_t prf_id, const uint8_t *key, size_t key_len,
			 const struct crypto_span *parts, size_t n, struct secret **out)
{
	struct prf_info info;
	struct secret *s = NULL;
	int err = prf_lookup(prf_id, &info);

	if (err)
		return err;
	s = secret_new(NULL, info.out_len);
	if (!s)
		return ERR_NOMEM;
	err = prf_oneshot(prf_id, key, key_len, parts, n, s->p);
	if (err) {
		secret_free(s);
		return err;
	}
	*out = s;
	return 0;
}

/* prf+(key, seed...) into a new secret of len octets. */
static int prf_plus_secret(uint16_t prf_id, const struct secret *key,
			   const struct crypto_span *seed, size_t nseed, size_t len,
			   struct secret **out)
{
	struct prf *p = NULL;
	struct secret *s = NULL;
	int err = prf_new(prf_id, key->p, key->len, &p);

	if (err)
		goto out;
	s = secret_new(NULL, len);
	if (!s) {
		err = ERR_NOMEM;
		goto out;
	}
	err = prf_plus(p, seed, nseed, s->p, len);
out:
	prf_free(p);
	if (err) {
		secret_free(s);
		return err;
	}
	*out = s;
	return 0;
}

int kdf_ikev2_skeyseed(uint16_t prf_id, const uint8_t *ni, size_t ni_len, const uint8_t *nr,
		       size_t nr_len, const struct secret *g_ir, struct secret **out)
{
	struct prf_info info;
	uint8_t key[2 * 256];
	size_t ki, kr;
	int err = prf_lookup(prf_id, &info);

	if (err)
		return err;
	/* RFC 7296 §2.14: fixed-key PRFs use the first 64 bits of each nonce. */
	ki = info.fixed_key ? 8 : ni_len;
	kr = info.fixed_key ? 8 : nr_len;
	if (ni_len < 8 || nr_len < 8 || ni_len > 256 || nr_len > 256)
		return ERR_INVAL;
	memcpy(key, ni, ki);
	memcpy(key + ki, nr, kr);
	struct crypto_span part = {g_ir->p, g_ir->len};
	err = prf_to_secret(prf_id, key, ki + kr, &part, 1, out);
	OPENSSL_cleanse(key, sizeof(key));
	return err;
}

int kdf_ikev2_skeyseed_rekey(uint16_t prf_id, const struct secret *sk_d_old,
			     const struct secret *g_ir, const uint8_t *ni, size_t ni_len,
			     const uint8_t *nr, size_t nr_len, struct secret **out)
{
	if (!sk_d_old || !g_ir)
		return ERR_INVAL;
	struct crypto_span parts[3] = {{g_ir->p, g_ir->len}, {ni, ni_len}, {nr, nr_len}};
	return prf_to_secret(prf_id, sk_d_old->p, sk_d_old->len, parts, 3, out);
}

void kdf_ikev2_sa_keys_cleanup(struct kdf_ikev2_sa_keys *k)
{
	if (!k)
		return;
	secret_free(k->sk_d);
	secret_free(k->sk_ai);
	secret_free(k->sk_ar);
	secret_free(k->sk_ei);
	secret_free(k->sk_er);
	secret_free(k->sk_pi);
	secret_free(k->sk_pr);
	memset(k, 0, sizeof(*k));
}

int kdf_ikev2_sa_keys(uint16_t prf_id, const struct secret *skeyseed, const uint8_t *ni,
		      size_t ni_len, const uint8_t *nr, size_t nr_len, const uint8_t spi_i[8],
		      const uint8_t spi_r[8], size_t integ_key_len, size_t enc_key_len,
		      struct kdf_ikev2_sa_keys *out)
{
	struct kdf_ikev2_sa_keys k = {0};
	struct secret *km = NULL;
	struct prf_info info;
	size_t off = 0, total;
	int err = prf_lookup(prf_id, &info);

	if (err)
		return err;
	total = 3 * info.key_len + 2 * integ_key_len + 2 * enc_key_len;
	struct crypto_span seed[4] = {{ni, ni_len}, {nr, nr_len}, {spi_i, 8}, {spi_r, 8}};
	err = prf_plus_secret(prf_id, skeyseed, seed, 4, total, &km);
	if (err)
		goto out;
	if ((err = take(km->p, &off, info.key_len, &k.sk_d)) ||
	    (err = take(km->p, &off, integ_key_len, &k.sk_ai)) ||
	    (err = take(km->p, &off, integ_key_len, &k.sk_ar)) ||
	    (err = take(km->p, &off, enc_key_len, &k.sk_ei)) ||
	    (err = take(km->p, &off, enc_key_len, &k.sk_er)) ||
	    (err = take(km->p, &off, info.key_len, &k.sk_pi)) ||
	    (err = take(km->p, &off, info.key_len, &k.sk_pr)))
		goto out;
out:
	secret_free(km);
	if (err) {
		kdf_ikev2_sa_keys_cleanup(&k);
		return err;
	}
	*out = k;
	return 0;
}

void kdf_child_keys_cleanup(struct kdf_child_keys *k)
{
	if (!k)
		return;
	secret_free(k->encr_i);
	secret_free(k->integ_i);
	secret_free(k->encr_r);
	secret_free(k->integ_r);
	memset(k, 0, sizeof(*k));
}

int kdf_ikev2_child_keys(uint16_t prf_id, const struct secret *sk_d, const struct secret *g_ir,
			 const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len,
			 size_t enc_key_len, size_t integ_key_len, struct kdf_child_keys *out)
{
	struct kdf_child_keys k = {0};
	struct secret *km = NULL;
	struct crypto_span seed[3];
	size_t nseed = 0, off = 0;
	int err;

	if (!sk_d)
		return ERR_INVAL;
	if (g_ir)
		seed[nseed++] = (struct crypto_span){g_ir->p, g_ir->len};
	seed[nseed++] = (struct crypto_span){ni, ni_len};
	seed[nseed++] = (struct crypto_span){nr, nr_len};
	err = prf_plus_secret(prf_id, sk_d, seed, nseed, 2 * (enc_key_len + integ_key_len), &km);
	if (err)
		goto out;
	if ((err = take(km->p, &off, enc_key_len, &k.encr_i)) ||
	    (err = take(km->p, &off, integ_key_len, &k.integ_i)) ||
	    (err = take(km->p, &off, enc_key_len, &k.encr_r)) ||
	    (err = take(km->p, &off, integ_key_len, &k.integ_r)))
		goto out;
out:
	secret_free(km);
	if (err) {
		kdf_child_keys_cleanup(&k);
		return err;
	}
	*out = k;
	return 0;
}

int kdf_ikev1_prf_for_hash(uint16_t ikev1_hash, uint16_t *prf_id)
{
	switch (ikev1_hash) {
	case IKEV1_HASH_MD5:
		*prf_id = IKEV2_PRF_HMAC_MD5;
		return 0;
	case IKEV1_HASH_SHA1:
		*prf_id = IKEV2_PRF_HMAC_SHA1;
		return 0;
	case IKEV1_HASH_SHA2_256:
		*prf_id = IKEV2_PRF_HMAC_SHA2_256;
		return 0;
	case IKEV1_HASH_SHA2_384:
		*prf_id = IKEV2_PRF_HMAC_SHA2_384;
		return 0;
	case IKEV1_HASH_SHA2_512:
		*prf_id = IKEV2_PRF_HMAC_SHA2_512;
		return 0;
	default:
		return ERR_UNSUPPORTED;
	}
}

int kdf_ikev1_skeyid_psk(uint16_t prf_id, const struct secret *psk, const uint8_t *ni,
			 size_t ni_len, const uint8_t *nr, size_t nr_len, struct secret **out)
{
	if (!psk)
		return ERR_INVAL;
	struct crypto_span parts[2] = {{ni, ni_len}, {nr, nr_len}};
	return prf_to_secret(prf_id, psk->p, psk->len, parts, 2, out);
}

int kdf_ikev1_skeyid_sig(uint16_t prf_id, const uint8_t *ni, size_t ni_len, const uint8_t *nr,
			 size_t nr_len, const struct secret *g_xy, struct secret **out)
{
	struct secret *key = NULL;
	int err;

	if (!g_xy)
		return ERR_INVAL;
	key = secret_new(NULL, ni_len + nr_len);
	if (!key)
		return ERR_NOMEM;
	if (ni_len)
		memcpy(key->p, ni, ni_len);
	if (nr_len)
		memcpy(key->p + ni_len, nr, nr_len);
	struct crypto_span part = {g_xy->p, g_xy->len};
	err = prf_to_secret(prf_id, key->p, key->len, &part, 1, out);
	secret_free(key);
	return err;
}

void kdf_ikev1_keys_cleanup(struct kdf_ikev1_keys *k)
{
	if (!k)
		return;
	secret_free(k->skeyid_d);
	secret_free(k->skeyid_a);
	secret_free(k->skeyid_e);
	memset(k, 0, sizeof(*k));
}

int kdf_ikev1_keys(uint16_t prf_id, const struct secret *skeyid, const struct secret *g_xy,
		   const uint8_t cky_i[8], const uint8_t cky_r[8], struct kdf_ikev1_keys *out)
{
	static const uint8_t n0 = 0, n1 = 1, n2 = 2;
	struct kdf_ikev1_keys k = {0};
	int err;

	if (!skeyid || !g_xy)
		return ERR_INVAL;
	struct crypto_span d[4] = {{g_xy->p, g_xy->len}, {cky_i, 8}, {cky_r, 8}, {&n0, 1}};
	err = prf_to_secret(prf_id, skeyid->p, skeyid->len, d, 4, &k.skeyid_d);
	if (err)
		goto out;
	struct crypto_span a[5] = {{k.skeyid_d->p, k.skeyid_d->len},
				   {g_xy->p, g_xy->len},
				   {cky_i, 8},
				   {cky_r, 8},
				   {&n1, 1}};
	err = prf_to_secret(prf_id, skeyid->p, skeyid->len, a, 5, &k.skeyid_a);
	if (err)
		goto out;
	struct crypto_span e[5] = {{k.skeyid_a->p, k.skeyid_a->len},
				   {g_xy->p, g_xy->len},
				   {cky_i, 8},
				   {cky_r, 8},
				   {&n2, 1}};
	err = prf_to_secret(prf_id, skeyid->p, skeyid->len, e, 5, &k.skeyid_e);
out:
	if (err) {
		kdf_ikev1_keys_cleanup(&k);
		return err;
	}
	*out = k;
	return 0;
}

/* The feedback expansions of RFC 2409: Kn = prf(key, [Kn-1 |] fixed...), K1 without Kn-1. */
static int ikev1_expand(uint16_t prf_id, const struct secret *key, const struct crypto_span *fixed,
			size_t nfixed, size_t len, struct secret **out)
{
	struct crypto_span parts[8];
	uint8_t k[PRF_MAX_OUT_LEN];
	struct prf *p = NULL;
	struct secret *s = NULL;
	size_t olen, done = 0;
	int err = ERR_INVAL;

	if (nfixed + 1 > sizeof(parts) / sizeof(parts[0]))
		goto out;
	err = prf_new(prf_id, key->p, key->len, &p);
	if (err)
		goto out;
	olen = prf_get_info(p)->out_len;
	err = ERR_INVAL;
	if (len == 0 || len > PRF_PLUS_MAX_BLOCKS * olen)
		goto out;
	err = ERR_NOMEM;
	s = secret_new(NULL, len);
	if (!s)
		goto out;
	err = 0;
	while (done < len) {
		size_t np = 0;
		if (done > 0)
			parts[np++] = (struct crypto_span){k, olen};
		for (size_t i = 0; i < nfixed; i++)
			parts[np++] = fixed[i];
		err = prf_compute(p, parts, np, k);
		if (err)
			goto out;
		size_t n = len - done < olen ? len - done : olen;
		memcpy(s->p + done, k, n);
		done += n;
	}
out:
	OPENSSL_cleanse(k, sizeof(k));
	prf_free(p);
	if (err) {
		secret_free(s);
		return err;
	}
	*out = s;
	return 0;
}

int kdf_ikev1_enc_key(uint16_t prf_id, const struct secret *skeyid_e, size_t key_len,
		      struct secret **out)
{
	static const uint8_t zero = 0;
	struct prf_info info;
	int err;

	if (!skeyid_e || key_len == 0)
		return ERR_INVAL;
	err = prf_lookup(prf_id, &info);
	if (err)
		return err;
	if (skeyid_e->len >= key_len) {
		*out = secret_new(skeyid_e->p, key_len);
		return *out ? 0 : ERR_NOMEM;
	}
	/* Appendix B: K1 = prf(SKEYID_e, 0), K2 = prf(SKEYID_e, K1), ... */
	struct crypto_span first = {&zero, 1};
	struct prf *p = NULL;
	struct secret *s = NULL;
	uint8_t k[PRF_MAX_OUT_LEN];
	size_t done = 0;

	if (key_len > PRF_PLUS_MAX_BLOCKS * info.out_len)
		return ERR_INVAL;
	err = prf_new(prf_id, skeyid_e->p, skeyid_e->len, &p);
	if (err)
		goto out;
	s = secret_new(NULL, key_len);
	if (!s) {
		err = ERR_NOMEM;
		goto out;
	}
	while (done < key_len) {
		struct crypto_span prev = {k, info.out_len};
		err = prf_compute(p, done ? &prev : &first, 1, k);
		if (err)
			goto out;
		size_t n = key_len - done < info.out_len ? key_len - done : info.out_len;
		memcpy(s->p + done, k, n);
		done += n;
	}
out:
	OPENSSL_cleanse(k, sizeof(k));
	prf_free(p);
	if (err) {
		secret_free(s);
		return err;
	}
	*out = s;
	return 0;
}

int kdf_ikev1_keymat(uint16_t prf_id, const struct secret *skeyid_d, const struct secret *g_qm,
		     uint8_t protocol, const uint8_t spi[4], const uint8_t *ni, size_t ni_len,
		     const uint8_t *nr, size_t nr_len, size_t len, struct secret **out)
{
	struct crypto_span fixed[5];
	size_t n = 0;

	if (!skeyid_d)
		return ERR_INVAL;
	if (g_qm)
		fixed[n++] = (struct crypto_span){g_qm->p, g_qm->len};
	fixed[n++] = (struct crypto_span){&protocol, 1};
	fixed[n++] = (struct crypto_span){spi, 4};
	fixed[n++] = (struct crypto_span){ni, ni_len};
	fixed[n++] = (struct crypto_span){nr, nr_len};
	return ikev1_expand(prf_id, skeyid_d, fixed, n, len, out);
}

int kdf_ikev1_iv(uint16_t prf_id, const struct crypto_span *parts, size_t n, size_t iv_len,
		 uint8_t *iv)
{
	const char *name;
	EVP_MD *md = NULL;
	EVP_MD_CTX *ctx = NULL;
	uint8_t h[EVP_MAX_MD_SIZE];
	unsigned hl = 0;
	int err = ERR_CRYPTO;

	switch (prf_id) {
	case IKEV2_PRF_HMAC_MD5:
		name = "MD5";
		break;
	case IKEV2_PRF_HMAC_SHA1:
		name = "SHA1";
		break;
	case IKEV2_PRF_HMAC_SHA2_256:
		name = "SHA2-256";
		break;
	case IKEV2_PRF_HMAC_SHA2_384:
		name = "SHA2-384";
		break;
	case IKEV2_PRF_HMAC_SHA2_512:
		name = "SHA2-512";
		break;
	default:
		return ERR_UNSUPPORTED;
	}
	md = EVP_MD_fetch(NULL, name, NULL);
	ctx = EVP_MD_CTX_new();
	if (!md || !ctx || EVP_DigestInit_ex2(ctx, md, NULL) != 1)
		goto out;
	for (size_t i = 0; i < n; i++) {
		if (parts[i].len && EVP_DigestUpdate(ctx, parts[i].p, parts[i].len) != 1)
			goto out;
	}
	if (EVP_DigestFinal_ex(ctx, h, &hl) != 1)
		goto out;
	err = ERR_INVAL;
	if (iv_len > hl)
		goto out;
	memcpy(iv, h, iv_len);
	err = 0;
out:
	EVP_MD_CTX_free(ctx);
	EVP_MD_free(md);
	return err;
}
