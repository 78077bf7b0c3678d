/* Key exchange by IKE group number over OpenSSL 3 EVP_PKEY (see kex.h for the contract). */
#include "crypto/kex.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/dh.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>

#include "lib/err.h"

enum kex_kind { KIND_MODP, KIND_ECP, KIND_XDH };

struct group_desc {
	uint16_t id;
	enum kex_kind kind;
	/* MODP: OpenSSL named group or NULL (then prime() with g = 2); ECP: curve name;
	 * XDH: key type name */
	const char *ossl;
	BIGNUM *(*prime)(BIGNUM *bn);
	size_t publen;
	size_t secretlen;
	bool need_q; /* RFC 5114 groups: check the peer value lies in the order-q subgroup */
};

/* The largest public value: MODP 8192 (1024 bytes); ECP 521 is 132, X448 56. */
#define KEX_MAX_PUBLIC 1024

static const struct group_desc groups[] = {
    {IKEV2_KE_MODP768, KIND_MODP, NULL, BN_get_rfc2409_prime_768, 96, 96, false},
    {IKEV2_KE_MODP1024, KIND_MODP, NULL, BN_get_rfc2409_prime_1024, 128, 128, false},
    {IKEV2_KE_MODP1536, KIND_MODP, "modp_1536", NULL, 192, 192, false},
    {IKEV2_KE_MODP2048, KIND_MODP, "modp_2048", NULL, 256, 256, false},
    {IKEV2_KE_MODP3072, KIND_MODP, "modp_3072", NULL, 384, 384, false},
    {IKEV2_KE_MODP4096, KIND_MODP, "modp_4096", NULL, 512, 512, false},
    {IKEV2_KE_MODP6144, KIND_MODP, "modp_6144", NULL, 768, 768, false},
    {IKEV2_KE_MODP8192, KIND_MODP, "modp_8192", NULL, 1024, 1024, false},
    {IKEV2_KE_ECP256, KIND_ECP, "prime256v1", NULL, 64, 32, false},
    {IKEV2_KE_ECP384, KIND_ECP, "secp384r1", NULL, 96, 48, false},
    {IKEV2_KE_ECP521, KIND_ECP, "secp521r1", NULL, 132, 66, false},
    {IKEV2_KE_MODP1024_S160, KIND_MODP, "dh_1024_160", NULL, 128, 128, true},
    {IKEV2_KE_MODP2048_S224, KIND_MODP, "dh_2048_224", NULL, 256, 256, true},
    {IKEV2_KE_MODP2048_S256, KIND_MODP, "dh_2048_256", NULL, 256, 256, true},
    {IKEV2_KE_ECP192, KIND_ECP, "prime192v1", NULL, 48, 24, false},
    {IKEV2_KE_ECP224, KIND_ECP, "secp224r1", NULL, 56, 28, false},
    {IKEV2_KE_ECP224_BP, KIND_ECP, "brainpoolP224r1", NULL, 56, 28, false},
    {IKEV2_KE_ECP256_BP, KIND_ECP, "brainpoolP256r1", NULL, 64, 32, false},
    {IKEV2_KE_ECP384_BP, KIND_ECP, "brainpoolP384r1", NULL, 96, 48, false},
    {IKEV2_KE_ECP512_BP, KIND_ECP, "brainpoolP512r1", NULL, 128, 64, false},
    {IKEV2_KE_CURVE25519, KIND_XDH, "X25519", NULL, 32, 32, false},
    {IKEV2_KE_CURVE448, KIND_XDH, "X448", NULL, 56, 56, false},
};

struct kex {
	const struct group_desc *g;
	EVP_PKEY *pkey;
	BIGNUM *p; /* MODP only */
	BIGNUM *q; /* MODP 22-24 only */
	size_t publen;
	uint8_t pub[KEX_MAX_PUBLIC];
};

static const struct group_desc *group_find(uint16_t id)
{
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		if (groups[i].id == id)
			return &groups[i];
	return NULL;
}

bool kex_group_supported(uint16_t group)
{
	return group_find(group) != NULL;
}

size_t kex_public_len(uint16_t group)
{
	const struct group_desc *g = group_find(group);
	return g ? g->publen : 0;
}

size_t kex_secret_len(uint16_t group)
{
	const struct group_desc *g = group_find(group);
	return g ? g->secretlen : 0;
}

uint16_t kex_group(const struct kex *k)
{
	return k->g->id;
}

const uint8_t *kex_public(const struct kex *k, size_t *len)
{
	*len = k->publen;
	return k->pub;
}

void kex_free(struct kex *k)
{
	if (!k)
		return;
	EVP_PKEY_free(k->pkey);
	BN_free(k->p);
	BN_free(k->q);
	OPENSSL_cleanse(k, sizeof(*k));
	free(k);
}

/* EVP_PKEY_fromdata for key type `type` with the built params; NULL on failure. */
static EVP_PKEY *pkey_fromdata(const char *type, int selection, OSSL_PARAM_BLD *bld)
{
	OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;

	if (!params)
		goto out;
	ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
	if (!ctx || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pkey, selection, params) <= 0)
		pkey = NULL;
out:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params); /* clears private material: OSSL_PARAM_BLD used secure push */
	return pkey;
}

/* ---- MODP ---- */

/* A DH key over g's domain parameters: parameters only, or with priv and/or pub. */
static EVP_PKEY *dh_fromdata(const struct group_desc *g, const BIGNUM *priv, const BIGNUM *pub)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	BIGNUM *p = NULL, *gen = NULL;
	EVP_PKEY *pkey = NULL;
	int sel = EVP_PKEY_KEY_PARAMETERS;

	if (!bld)
		goto out;
	if (g->ossl) {
		if (!OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, g->ossl, 0))
			goto out;
	} else {
		p = g->prime(NULL);
		gen = BN_new();
		if (!p || !gen || !BN_set_word(gen, 2) ||
		    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_P, p) ||
		    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_G, gen))
			goto out;
	}
	if (priv) {
		sel = EVP_PKEY_KEYPAIR;
		if (!OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, priv))
			goto out;
	}
	if (pub) {
		if (!priv)
			sel = EVP_PKEY_PUBLIC_KEY;
		if (!OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, pub))
			goto out;
	}
	pkey = pkey_fromdata("DH", sel, bld);
out:
	BN_free(p);
	BN_free(gen);
	OSSL_PARAM_BLD_free(bld);
	return pkey;
}

/* Fills k->p, k->q (when the group needs it) and k->pub from k->pkey. */
static int dh_finish(struct kex *k)
{
	BIGNUM *pub = NULL;
	int err = ERR_CRYPTO;

	if (!EVP_PKEY_get_bn_param(k->pkey, OSSL_PKEY_PARAM_FFC_P, &k->p))
		goto out;
	if (k->g->need_q && !EVP_PKEY_get_bn_param(k->pkey, OSSL_PKEY_PARAM_FFC_Q, &k->q))
		goto out;
	if ((size_t)BN_num_bytes(k->p) != k->g->publen)
		goto out;
	if (!EVP_PKEY_get_bn_param(k->pkey, OSSL_PKEY_PARAM_PUB_KEY, &pub))
		goto out;
	if (BN_bn2binpad(pub, k->pub, (int)k->g->publen) < 0)
		goto out;
	k->publen = k->g->publen;
	err = 0;
out:
	BN_free(pub);
	return err;
}

static int dh_generate(struct kex *k)
{
	EVP_PKEY *params = dh_fromdata(k->g, NULL, NULL);
	EVP_PKEY_CTX *ctx = NULL;
	int err = ERR_CRYPTO;

	if (!params)
		goto out;
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, params, NULL);
	if (!ctx || EVP_PKEY_keygen_init(ctx) <= 0 || EVP_PKEY_generate(ctx, &k->pkey) <= 0)
		goto out;
	err = dh_finish(k);
out:
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(params);
	return err;
}

static int dh_from_private(struct kex *k, const uint8_t *priv, size_t len)
{
	EVP_PKEY *params = dh_fromdata(k->g, NULL, NULL);
	BIGNUM *p = NULL, *gen = NULL, *x = NULL, *y = NULL;
	BN_CTX *bnctx = BN_CTX_new();
	int err = ERR_CRYPTO;

	if (!params || !bnctx)
		goto out;
	if (!EVP_PKEY_get_bn_param(params, OSSL_PKEY_PARAM_FFC_P, &p) ||
	    !EVP_PKEY_get_bn_param(params, OSSL_PKEY_PARAM_FFC_G, &gen))
		goto out;
	x = BN_secure_new();
	y = BN_new();
	if (!x || !y || !BN_bin2bn(priv, (int)len, x))
		goto out;
	BN_set_flags(x, BN_FLG_CONSTTIME);
	err = ERR_INVAL;
	if (BN_is_zero(x) || BN_cmp(x, p) >= 0)
		goto out;
	err = ERR_CRYPTO;
	if (!BN_mod_exp_mont_consttime(y, gen, x, p, bnctx, NULL))
		goto out;
	k->pkey = dh_fromdata(k->g, x, y);
	if (!k->pkey)
		goto out;
	err = dh_finish(k);
out:
	BN_CTX_free(bnctx);
	BN_free(p);
	BN_free(gen);
	BN_clear_free(x);
	BN_free(y);
	EVP_PKEY_free(params);
	return err;
}

/* RFC 7296 §2.14 / SP 800-56A 5.6.2.3.1: 2 <= y <= p-2, and y^q == 1 mod p where q is known. */
static int dh_peer(const struct kex *k, const uint8_t *peer, size_t len, EVP_PKEY **out)
{
	BIGNUM *y = BN_bin2bn(peer, (int)len, NULL);
	BIGNUM *pm1 = BN_new(), *t = BN_new();
	BN_CTX *bnctx = BN_CTX_new();
	int err = ERR_NOMEM;

	if (!y || !pm1 || !t || !bnctx)
		goto out;
	err = ERR_CRYPTO;
	if (!BN_sub(pm1, k->p, BN_value_one()))
		goto out;
	err = ERR_INVAL;
	if (BN_is_zero(y) || BN_is_one(y) || BN_cmp(y, pm1) >= 0)
		goto out;
	if (k->q) {
		err = ERR_CRYPTO;
		if (!BN_mod_exp(t, y, k->q, k->p, bnctx))
			goto out;
		err = ERR_INVAL;
		if (!BN_is_one(t))
			goto out;
	}
	err = ERR_INVAL;
	*out = dh_fromdata(k->g, NULL, y);
	if (*out)
		err = 0;
out:
	BN_CTX_free(bnctx);
	BN_free(y);
	BN_free(pm1);
	BN_free(t);
	return err;
}

/* ---- ECP ---- */

static int ec_finish(struct kex *k)
{
	BIGNUM *x = NULL, *y = NULL;
	size_t flen = k->g->publen / 2;
	int err = ERR_CRYPTO;

	if (!EVP_PKEY_get_bn_param(k->pkey, OSSL_PKEY_PARAM_EC_PUB_X, &x) ||
	    !EVP_PKEY_get_bn_param(k->pkey, OSSL_PKEY_PARAM_EC_PUB_Y, &y))
		goto out;
	if (BN_bn2binpad(x, k->pub, (int)flen) < 0 || BN_bn2binpad(y, k->pub + flen, (int)flen) < 0)
		goto out;
	k->publen = k->g->publen;
	err = 0;
out:
	BN_free(x);
	BN_free(y);
	return err;
}

static int ec_generate(struct kex *k)
{
	k->pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", k->g->ossl);
	if (!k->pkey)
		return ERR_CRYPTO;
	return ec_finish(k);
}

static int ec_from_private(struct kex *k, const uint8_t *priv, size_t len)
{
	EC_GROUP *grp = EC_GROUP_new_by_curve_name(OBJ_txt2nid(k->g->ossl));
	EC_POINT *pt = NULL;
	BIGNUM *d = BN_secure_new();
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	uint8_t enc[1 + KEX_MAX_PUBLIC];
	size_t enclen;
	int err = ERR_CRYPTO;

	if (!grp || !d || !bld || !BN_bin2bn(priv, (int)len, d))
		goto out;
	err = ERR_INVAL;
	if (BN_is_zero(d) || BN_cmp(d, EC_GROUP_get0_order(grp)) >= 0)
		goto out;
	err = ERR_CRYPTO;
	pt = EC_POINT_new(grp);
	if (!pt || !EC_POINT_mul(grp, pt, d, NULL, NULL, NULL))
		goto out;
	enclen = EC_POINT_point2oct(grp, pt, POINT_CONVERSION_UNCOMPRESSED, enc, sizeof(enc), NULL);
	if (enclen != 1 + k->g->publen)
		goto out;
	if (!OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, k->g->ossl, 0) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, enc, enclen))
		goto out;
	k->pkey = pkey_fromdata("EC", EVP_PKEY_KEYPAIR, bld);
	if (!k->pkey)
		goto out;
	err = ec_finish(k);
out:
	OSSL_PARAM_BLD_free(bld);
	BN_clear_free(d);
	EC_POINT_free(pt);
	EC_GROUP_free(grp);
	return err;
}

/* RFC 5903 §7: the KE data is x || y; the point must be on the curve (OpenSSL's import checks
 * it, and the point at infinity has no such encoding). */
static int ec_peer(const struct kex *k, const uint8_t *peer, size_t len, EVP_PKEY **out)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	uint8_t enc[1 + KEX_MAX_PUBLIC];
	int err = ERR_NOMEM;

	if (!bld)
		goto out;
	enc[0] = POINT_CONVERSION_UNCOMPRESSED;
	memcpy(enc + 1, peer, len);
	err = ERR_CRYPTO;
	if (!OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, k->g->ossl, 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, enc, len + 1))
		goto out;
	err = ERR_INVAL;
	*out = pkey_fromdata("EC", EVP_PKEY_PUBLIC_KEY, bld);
	if (*out)
		err = 0;
out:
	OSSL_PARAM_BLD_free(bld);
	return err;
}

/* ---- X25519 / X448 ---- */

static int xdh_finish(struct kex *k)
{
	size_t len = k->g->publen;

	if (EVP_PKEY_get_raw_public_key(k->pkey, k->pub, &len) <= 0 || len != k->g->publen)
		return ERR_CRYPTO;
	k->publen = len;
	return 0;
}

static int xdh_generate(struct kex *k)
{
	k->pkey = EVP_PKEY_Q_keygen(NULL, NULL, k->g->ossl);
	if (!k->pkey)
		return ERR_CRYPTO;
	return xdh_finish(k);
}

static int xdh_from_private(struct kex *k, const uint8_t *priv, size_t len)
{
	if (len != k->g->secretlen)
		return ERR_INVAL;
	k->pkey = EVP_PKEY_new_raw_private_key_ex(NULL, k->g->ossl, NULL, priv, len);
	if (!k->pkey)
		return ERR_CRYPTO;
	return xdh_finish(k);
}

/* The peer key through ctx (made from our key: its key manager is already fetched, where
 * EVP_PKEY_new_raw_public_key_ex would fetch one by name, a third of the cost of the X25519
 * import). ctx is then re-initialised for the derivation. */
static int xdh_peer(EVP_PKEY_CTX *ctx, const uint8_t *peer, size_t len, EVP_PKEY **out)
{
	OSSL_PARAM params[2];

	params[0] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, (void *)peer, len);
	params[1] = OSSL_PARAM_construct_end();
	if (EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, out, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		return ERR_INVAL;
	return 0;
}

/* ---- common ---- */

static struct kex *kex_create(uint16_t group, const uint8_t *priv, size_t len)
{
	const struct group_desc *g = group_find(group);
	struct kex *k = NULL;
	int err;

	if (!g)
		return NULL;
	k = calloc(1, sizeof(*k));
	if (!k)
		return NULL;
	k->g = g;
	switch (g->kind) {
	case KIND_MODP:
		err = priv ? dh_from_private(k, priv, len) : dh_generate(k);
		break;
	case KIND_ECP:
		err = priv ? ec_from_private(k, priv, len) : ec_generate(k);
		break;
	case KIND_XDH:
	default:
		err = priv ? xdh_from_private(k, priv, len) : xdh_generate(k);
		break;
	}
	if (err) {
		kex_free(k);
		return NULL;
	}
	return k;
}

struct kex *kex_new(uint16_t group)
{
	return kex_create(group, NULL, 0);
}

struct kex *kex_new_from_private(uint16_t group, const uint8_t *priv, size_t len)
{
	if (!priv || len == 0)
		return NULL;
	return kex_create(group, priv, len);
}

struct kex *kex_dup(const struct kex *k)
{
	struct kex *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->g = k->g;
	d->publen = k->publen;
	memcpy(d->pub, k->pub, k->publen);
	if ((k->p && !(d->p = BN_dup(k->p))) || (k->q && !(d->q = BN_dup(k->q))) ||
	    EVP_PKEY_up_ref(k->pkey) != 1) {
		kex_free(d);
		return NULL;
	}
	d->pkey = k->pkey;
	return d;
}

static bool all_zero(const uint8_t *p, size_t len)
{
	uint8_t acc = 0;
	for (size_t i = 0; i < len; i++)
		acc |= p[i];
	return acc == 0;
}

int kex_derive(const struct kex *k, const uint8_t *peer, size_t peer_len, struct secret **out)
{
	const struct group_desc *g = k->g;
	EVP_PKEY *peerkey = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	struct secret *s = NULL;
	size_t len;
	int err = ERR_INVAL;

	if (!peer || peer_len != g->publen)
		goto out;
	err = ERR_NOMEM;
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, k->pkey, NULL);
	if (!ctx)
		goto out;
	switch (g->kind) {
	case KIND_MODP:
		err = dh_peer(k, peer, peer_len, &peerkey);
		break;
	case KIND_ECP:
		err = ec_peer(k, peer, peer_len, &peerkey);
		break;
	case KIND_XDH:
	default:
		err = xdh_peer(ctx, peer, peer_len, &peerkey);
		break;
	}
	if (err)
		goto out;
	err = ERR_CRYPTO;
	if (EVP_PKEY_derive_init(ctx) <= 0)
		goto out;
	if (g->kind == KIND_MODP && EVP_PKEY_CTX_set_dh_pad(ctx, 1) <= 0)
		goto out;
	/* The peer value is already validated: MODP by dh_peer (range; subgroup for 22-24),
	 * ECP by OpenSSL's import (on the curve; every curve here has cofactor 1, so that is
	 * full validation), X25519/X448 below (all-zero result). OpenSSL's own check would
	 * repeat it at the price of a second exponentiation (y^q for the safe-prime groups,
	 * n*Q for ECP): half the exchanges per second a responder can do. */
	if (EVP_PKEY_derive_set_peer_ex(ctx, peerkey, 0) <= 0) {
		err = ERR_INVAL;
		goto out;
	}
	if (EVP_PKEY_derive(ctx, NULL, &len) <= 0 || len != g->secretlen)
		goto out;
	err = ERR_NOMEM;
	s = secret_new(NULL, len);
	if (!s)
		goto out;
	if (EVP_PKEY_derive(ctx, s->p, &len) <= 0) {
		/* X25519/X448 fail exactly when the result is all zeros (small-order point) */
		err = g->kind == KIND_XDH ? ERR_INVAL : ERR_CRYPTO;
		goto out;
	}
	err = ERR_CRYPTO;
	if (len != g->secretlen)
		goto out;
	/* RFC 8031 §2: an all-zero X25519/X448 result MUST be rejected */
	err = ERR_INVAL;
	if (g->kind == KIND_XDH && all_zero(s->p, s->len))
		goto out;
	*out = s;
	s = NULL;
	err = 0;
out:
	secret_free(s);
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(peerkey);
	return err;
}
