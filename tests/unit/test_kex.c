/* Key exchange: RFC 5903 / RFC 5114 / RFC 7748 / RFC 8031 / strongSwan known answers (public
 * values and shared secrets from fixed private keys), Wycheproof ECDH / X25519 / X448 (every
 * case), MODP range and subgroup checks, wrong-length KE data for every group.
 *
 * Wycheproof "acceptable" X25519/X448 cases: RFC 8031 §2 requires rejecting an all-zero shared
 * secret, so acceptable cases whose shared value is all zeros (small-order / low-order public
 * keys) must be rejected with ERR_INVAL; every other acceptable case (twist points,
 * non-canonical u >= p, edge-case multiplication) must produce the listed shared secret, as
 * RFC 7748 §5 requires accepting any 32/56-byte u. Wycheproof ECDH "acceptable" cases are
 * compressed points, which the IKE x||y encoding cannot carry: they must be rejected (length).
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "crypto/kex.h"
#include "lib/err.h"
#include "support/test.h"
#include "support/vec.h"

static const struct {
	const char *name;
	uint16_t group;
} group_names[] = {
    {"ECP_192_BIT", IKEV2_KE_ECP192},	       {"ECP_224_BIT", IKEV2_KE_ECP224},
    {"ECP_256_BIT", IKEV2_KE_ECP256},	       {"ECP_384_BIT", IKEV2_KE_ECP384},
    {"ECP_521_BIT", IKEV2_KE_ECP521},	       {"MODP_1024_160", IKEV2_KE_MODP1024_S160},
    {"MODP_2048_224", IKEV2_KE_MODP2048_S224}, {"MODP_2048_256", IKEV2_KE_MODP2048_S256},
    {"ECP_224_BP", IKEV2_KE_ECP224_BP},	       {"ECP_256_BP", IKEV2_KE_ECP256_BP},
    {"ECP_384_BP", IKEV2_KE_ECP384_BP},	       {"ECP_512_BP", IKEV2_KE_ECP512_BP},
    {"CURVE_25519", IKEV2_KE_CURVE25519},      {"CURVE_448", IKEV2_KE_CURVE448},
    {"MODP_768_BIT", IKEV2_KE_MODP768},	       {"MODP_1024_BIT", IKEV2_KE_MODP1024},
    {"MODP_1536_BIT", IKEV2_KE_MODP1536},      {"MODP_2048_BIT", IKEV2_KE_MODP2048},
    {"MODP_3072_BIT", IKEV2_KE_MODP3072},      {"MODP_4096_BIT", IKEV2_KE_MODP4096},
    {"MODP_6144_BIT", IKEV2_KE_MODP6144},      {"MODP_8192_BIT", IKEV2_KE_MODP8192},
};

static int group_by_name(const char *name)
{
	for (size_t i = 0; i < sizeof(group_names) / sizeof(group_names[0]); i++)
		if (strcmp(group_names[i].name, name) == 0)
			return group_names[i].group;
	return -1;
}

/* One fixed-key exchange: both public values and both derived secrets must match. */
static int known_answer(int row, uint16_t group, const json_t *v, const char *shared_key)
{
	uint8_t *pi = NULL, *pr = NULL, *kei = NULL, *ker = NULL, *shared = NULL;
	size_t pil, prl, keil, kerl, sharedl, len;
	struct kex *ki = NULL, *kr = NULL;
	struct secret *si = NULL, *sr = NULL;
	const uint8_t *pub;
	int ok = 0;

	if (vec_hex_member(v, "priv_i", &pi, &pil) || vec_hex_member(v, "priv_r", &pr, &prl) ||
	    vec_hex_member(v, "ke_payload_i", &kei, &keil) ||
	    vec_hex_member(v, "ke_payload_r", &ker, &kerl) ||
	    vec_hex_member(v, shared_key, &shared, &sharedl)) {
		T_OK_ROW(row, 0, "bad vector");
		goto out;
	}
	ki = kex_new_from_private(group, pi, pil);
	kr = kex_new_from_private(group, pr, prl);
	T_OK_ROW(row, ki && kr, "group %u: kex_new_from_private", group);
	if (!ki || !kr)
		goto out;
	T_EQ_ROW(row, kex_public_len(group), keil);
	T_EQ_ROW(row, kex_secret_len(group), sharedl);
	pub = kex_public(ki, &len);
	T_MEM_ROW(row, pub, len, kei, keil);
	pub = kex_public(kr, &len);
	T_MEM_ROW(row, pub, len, ker, kerl);
	T_EQ_ROW(row, kex_derive(ki, ker, kerl, &si), 0);
	T_EQ_ROW(row, kex_derive(kr, kei, keil, &sr), 0);
	if (si && sr) {
		T_MEM_ROW(row, si->p, si->len, shared, sharedl);
		T_MEM_ROW(row, sr->p, sr->len, shared, sharedl);
		ok = 1;
	}
out:
	secret_free(si);
	secret_free(sr);
	kex_free(ki);
	kex_free(kr);
	free(pi);
	free(pr);
	free(kei);
	free(ker);
	free(shared);
	return ok;
}

static void test_rfc5903(void)
{
	json_t *j = vec_load("rfc/rfc5903_ecp_groups_19_20_21.json");
	size_t i, n = 0;
	json_t *v;

	if (!j)
		return;
	json_array_foreach(json_object_get(j, "vectors"), i, v)
	{
		int group = (int)json_integer_value(json_object_get(v, "ikev2_dh_group"));
		n += (size_t)known_answer(__LINE__, (uint16_t)group, v, "shared_x");
	}
	T_EQ(n, 3);
	json_decref(j);
}

static void test_ike_groups(void)
{
	json_t *j = vec_load("rfc/ike_dh_groups_ke_payloads.json");
	bool seen[64] = {false};
	size_t i, n = 0;
	json_t *v;

	if (!j)
		return;
	json_array_foreach(json_object_get(j, "vectors"), i, v)
	{
		int group = group_by_name(vec_str(v, "group"));
		T_OK(group > 0, "unknown group %s", vec_str(v, "group"));
		if (group <= 0)
			continue;
		if (known_answer(__LINE__, (uint16_t)group, v, "shared"))
			seen[group] = true;
		n++;
	}
	T_EQ(n, 23);
	/* every group this module supports has a known answer */
	for (int g = 0; g < 64; g++)
		if (kex_group_supported((uint16_t)g))
			T_OK(seen[g], "group %d has a passing known-answer vector", g);
	json_decref(j);
}

/* Wycheproof ECDH with the public key as an encoded point: 04||x||y becomes IKE's x||y, any
 * other encoding is passed as is and must be rejected by the length check. */
static void test_wycheproof_ecdh(const char *file, uint16_t group, size_t want_cases)
{
	json_t *j = vec_load(file);
	size_t gi, ti, cases = 0, valid = 0, rejected = 0;
	json_t *g, *t;

	if (!j)
		return;
	json_array_foreach(json_object_get(j, "testGroups"), gi, g)
	{
		json_array_foreach(json_object_get(g, "tests"), ti, t)
		{
			uint8_t *pub = NULL, *priv = NULL, *shared = NULL;
			size_t publ, privl, sharedl;
			int id = (int)json_integer_value(json_object_get(t, "tcId"));
			const char *result = vec_str(t, "result");
			struct secret *s = NULL;
			struct kex *k;
			int err;

			cases++;
			if (vec_hex_member(t, "public", &pub, &publ) ||
			    vec_hex_member(t, "private", &priv, &privl) ||
			    vec_hex_member(t, "shared", &shared, &sharedl)) {
				T_OK(0, "%s tc %d: bad hex", file, id);
				goto next;
			}
			k = kex_new_from_private(group, priv, privl);
			T_OK(k != NULL, "%s tc %d: private key", file, id);
			if (!k)
				goto next;
			if (publ == 1 + kex_public_len(group) && pub[0] == 0x04)
				err = kex_derive(k, pub + 1, publ - 1, &s);
			else
				err = kex_derive(k, pub, publ, &s);
			if (strcmp(result, "valid") == 0) {
				T_OK(err == 0, "%s tc %d: valid case -> %d", file, id, err);
				if (s) {
					T_MEM_ROW(id, s->p, s->len, shared, sharedl);
					valid++;
				}
			} else {
				/* invalid: off-curve points, wrong encodings; acceptable:
				 * compressed points, not expressible in IKE */
				T_OK(err == ERR_INVAL, "%s tc %d (%s) must be rejected: %d", file,
				     id, result, err);
				T_OK(s == NULL, "no secret on rejection");
				if (err == ERR_INVAL)
					rejected++;
			}
			secret_free(s);
			kex_free(k);
		next:
			free(pub);
			free(priv);
			free(shared);
		}
	}
	T_EQ(cases, want_cases);
	T_OK(valid > 0 && rejected > 0, "%s: %zu valid, %zu rejected", file, valid, rejected);
	json_decref(j);
}

static void test_wycheproof_xdh(const char *file, uint16_t group, size_t want_cases)
{
	json_t *j = vec_load(file);
	size_t gi, ti, cases = 0, zero_rejected = 0;
	json_t *g, *t;

	if (!j)
		return;
	json_array_foreach(json_object_get(j, "testGroups"), gi, g)
	{
		json_array_foreach(json_object_get(g, "tests"), ti, t)
		{
			uint8_t *pub = NULL, *priv = NULL, *shared = NULL;
			size_t publ, privl, sharedl;
			int id = (int)json_integer_value(json_object_get(t, "tcId"));
			const char *result = vec_str(t, "result");
			struct secret *s = NULL;
			struct kex *k;
			bool zero = true;
			int err;

			cases++;
			if (vec_hex_member(t, "public", &pub, &publ) ||
			    vec_hex_member(t, "private", &priv, &privl) ||
			    vec_hex_member(t, "shared", &shared, &sharedl)) {
				T_OK(0, "%s tc %d: bad hex", file, id);
				goto next;
			}
			for (size_t b = 0; b < sharedl; b++)
				if (shared[b])
					zero = false;
			k = kex_new_from_private(group, priv, privl);
			T_OK(k != NULL, "%s tc %d: private key", file, id);
			if (!k)
				goto next;
			err = kex_derive(k, pub, publ, &s);
			if (strcmp(result, "invalid") == 0 || zero) {
				T_OK(err == ERR_INVAL, "%s tc %d (%s) must be rejected: %d", file,
				     id, result, err);
				T_OK(s == NULL, "no secret on rejection");
				if (zero && err == ERR_INVAL)
					zero_rejected++;
			} else {
				/* valid, and acceptable with a non-zero result (see top) */
				T_OK(err == 0, "%s tc %d (%s) -> %d", file, id, result, err);
				if (s)
					T_MEM_ROW(id, s->p, s->len, shared, sharedl);
			}
			secret_free(s);
			kex_free(k);
		next:
			free(pub);
			free(priv);
			free(shared);
		}
	}
	T_EQ(cases, want_cases);
	T_OK(zero_rejected > 0, "%s: %zu all-zero results rejected", file, zero_rejected);
	json_decref(j);
}

static const uint16_t all_groups[] = {
    IKEV2_KE_MODP768,	    IKEV2_KE_MODP1024,	    IKEV2_KE_MODP1536,	IKEV2_KE_MODP2048,
    IKEV2_KE_MODP3072,	    IKEV2_KE_MODP4096,	    IKEV2_KE_MODP6144,	IKEV2_KE_MODP8192,
    IKEV2_KE_ECP256,	    IKEV2_KE_ECP384,	    IKEV2_KE_ECP521,	IKEV2_KE_MODP1024_S160,
    IKEV2_KE_MODP2048_S224, IKEV2_KE_MODP2048_S256, IKEV2_KE_ECP192,	IKEV2_KE_ECP224,
    IKEV2_KE_ECP224_BP,	    IKEV2_KE_ECP256_BP,	    IKEV2_KE_ECP384_BP, IKEV2_KE_ECP512_BP,
    IKEV2_KE_CURVE25519,    IKEV2_KE_CURVE448,
};

static const struct {
	int line;
	uint16_t group;
	size_t publen, secretlen;
} lengths[] = {
    {__LINE__, IKEV2_KE_MODP768, 96, 96},
    {__LINE__, IKEV2_KE_MODP1024, 128, 128},
    {__LINE__, IKEV2_KE_MODP1536, 192, 192},
    {__LINE__, IKEV2_KE_MODP2048, 256, 256},
    {__LINE__, IKEV2_KE_MODP3072, 384, 384},
    {__LINE__, IKEV2_KE_MODP4096, 512, 512},
    {__LINE__, IKEV2_KE_MODP6144, 768, 768},
    {__LINE__, IKEV2_KE_MODP8192, 1024, 1024},
    {__LINE__, IKEV2_KE_ECP256, 64, 32},
    {__LINE__, IKEV2_KE_ECP384, 96, 48},
    {__LINE__, IKEV2_KE_ECP521, 132, 66},
    {__LINE__, IKEV2_KE_MODP1024_S160, 128, 128},
    {__LINE__, IKEV2_KE_MODP2048_S224, 256, 256},
    {__LINE__, IKEV2_KE_MODP2048_S256, 256, 256},
    {__LINE__, IKEV2_KE_ECP192, 48, 24},
    {__LINE__, IKEV2_KE_ECP224, 56, 28},
    {__LINE__, IKEV2_KE_ECP224_BP, 56, 28},
    {__LINE__, IKEV2_KE_ECP256_BP, 64, 32},
    {__LINE__, IKEV2_KE_ECP384_BP, 96, 48},
    {__LINE__, IKEV2_KE_ECP512_BP, 128, 64},
    {__LINE__, IKEV2_KE_CURVE25519, 32, 32},
    {__LINE__, IKEV2_KE_CURVE448, 56, 56},
    {__LINE__, 0, 0, 0},
    {__LINE__, 3, 0, 0},
    {__LINE__, 4, 0, 0},
    {__LINE__, 33, 0, 0},
    {__LINE__, 35, 0, 0},
    {__LINE__, 0xffff, 0, 0},
};

static void test_lengths(void)
{
	for (size_t i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
		int row = lengths[i].line;
		uint16_t grp = lengths[i].group;

		T_EQ_ROW(row, kex_public_len(grp), lengths[i].publen);
		T_EQ_ROW(row, kex_secret_len(grp), lengths[i].secretlen);
		T_EQ_ROW(row, kex_group_supported(grp), lengths[i].publen != 0);
		if (!lengths[i].publen) {
			T_OK_ROW(row, kex_new(grp) == NULL, "unsupported group refused");
		}
	}
}

/* Fresh key pairs on both sides agree; wrong-length KE data is refused for every group. */
static void test_roundtrip_and_lengths(void)
{
	for (size_t i = 0; i < sizeof(all_groups) / sizeof(all_groups[0]); i++) {
		uint16_t grp = all_groups[i];
		struct kex *a = kex_new(grp), *b = kex_new(grp);
		struct secret *sa = NULL, *sb = NULL, *s = NULL;
		const uint8_t *pa, *pb;
		size_t la, lb, n = kex_public_len(grp);
		uint8_t *big = calloc(1, n + 2);

		T_OK(a && b && big, "group %u: kex_new", grp);
		if (!a || !b || !big)
			goto next;
		T_EQ(kex_group(a), grp);
		pa = kex_public(a, &la);
		pb = kex_public(b, &lb);
		T_EQ(la, n);
		T_EQ(lb, n);
		T_OK(la != lb || memcmp(pa, pb, la) != 0, "group %u: distinct keys", grp);
		T_EQ(kex_derive(a, pb, lb, &sa), 0);
		T_EQ(kex_derive(b, pa, la, &sb), 0);
		if (sa && sb) {
			T_EQ(sa->len, kex_secret_len(grp));
			T_MEM(sa->p, sa->len, sb->p, sb->len);
		}
		/* wrong lengths: one short, one long (a valid value with a leading zero byte,
		 * or trailing garbage), none at all */
		T_EQ(kex_derive(a, pb, lb - 1, &s), ERR_INVAL);
		memcpy(big + 1, pb, lb);
		T_EQ(kex_derive(a, big, lb + 1, &s), ERR_INVAL);
		memcpy(big, pb, lb);
		T_EQ(kex_derive(a, big, lb + 1, &s), ERR_INVAL);
		T_EQ(kex_derive(a, pb, 0, &s), ERR_INVAL);
		T_EQ(kex_derive(a, NULL, 0, &s), ERR_INVAL);
		/* all zeros: MODP 0, ECP (0,0) not on the curve, XDH small order */
		memset(big, 0, n);
		T_EQ(kex_derive(a, big, n, &s), ERR_INVAL);
		T_OK(s == NULL, "no output on failure");
	next:
		free(big);
		secret_free(sa);
		secret_free(sb);
		kex_free(a);
		kex_free(b);
	}
}

/* The group's p and g, fetched independently through OpenSSL's named groups / RFC 2409 primes. */
static int modp_params(uint16_t grp, BIGNUM **p, BIGNUM **g)
{
	static const struct {
		uint16_t group;
		const char *name;
	} named[] = {
	    {IKEV2_KE_MODP1536, "modp_1536"},	     {IKEV2_KE_MODP2048, "modp_2048"},
	    {IKEV2_KE_MODP3072, "modp_3072"},	     {IKEV2_KE_MODP4096, "modp_4096"},
	    {IKEV2_KE_MODP6144, "modp_6144"},	     {IKEV2_KE_MODP8192, "modp_8192"},
	    {IKEV2_KE_MODP1024_S160, "dh_1024_160"}, {IKEV2_KE_MODP2048_S224, "dh_2048_224"},
	    {IKEV2_KE_MODP2048_S256, "dh_2048_256"},
	};
	const char *name = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pk = NULL;
	OSSL_PARAM params[2];
	int ok = 0;

	if (grp == IKEV2_KE_MODP768 || grp == IKEV2_KE_MODP1024) {
		*p = grp == IKEV2_KE_MODP768 ? BN_get_rfc2409_prime_768(NULL)
					     : BN_get_rfc2409_prime_1024(NULL);
		*g = BN_new();
		return *p && *g && BN_set_word(*g, 2);
	}
	for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++)
		if (named[i].group == grp)
			name = named[i].name;
	if (!name)
		return 0;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)name, 0);
	params[1] = OSSL_PARAM_construct_end();
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL);
	if (ctx && EVP_PKEY_fromdata_init(ctx) > 0 &&
	    EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_KEY_PARAMETERS, params) > 0 &&
	    EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_FFC_P, p) &&
	    EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_FFC_G, g))
		ok = 1;
	EVP_PKEY_free(pk);
	EVP_PKEY_CTX_free(ctx);
	return ok;
}

enum mval { V_ZERO, V_ONE, V_TWO, V_G, V_P_MINUS_G, V_P_MINUS_2, V_P_MINUS_1, V_P, V_ALL_FF };

/* MODP peer values: 0, 1, p-1, p (and anything >= p) are refused everywhere; for the RFC 5114
 * groups 22-24 an in-range value outside the order-q subgroup is refused too. */
static const struct {
	int line;
	uint16_t group;
	enum mval v;
	int want;
} modp_checks[] = {
    {__LINE__, IKEV2_KE_MODP768, V_ZERO, ERR_INVAL},
    {__LINE__, IKEV2_KE_MODP768, V_ONE, ERR_INVAL},
    {__LINE__, IKEV2_KE_MODP768, V_TWO, 0},
    {__LINE__, IKEV2_KE_MODP768, V_P_MINUS_1, ERR_INVAL},
    {__LINE__, IKEV2_KE_MODP768, V_P, ERR_INVAL},
    {__LINE__, IKEV2_KE_MODP768, V_ALL_FF, ERR_INVAL},
    {__LINE__, IKEV2_KE_MODP1024, V_ONE, ERR_INVAL},
    {__LINE__, IKEV2_KE_MODP1024, V_P_MINUS_1, ERR_INVAL},
    {__LINE__, IKEV2_KE_MODP1024, V_P, ERR_INVAL},
    {__LINE__, IKEV2_KE_MODP1024, V_TWO, 0},
    {__LINE__, IKEV2_KE_MODP1536, V_ZERO, ERR_INVAL},
    {__LINE__, IKEV2_KE_MODP1536, V_ONE, ERR_INVAL},
    {__LINE__, IKEV2_KE_MODP1536, V_P_MINUS_1, ERR_INVAL},
    {__LINE__, IKEV2_KE_MODP1536, V_P, ERR_INVAL},
    {__LINE__, IKEV2_KE_MODP1536, V_TWO, 0},
    {__LINE__, IKEV2_KE_MODP2048, V_ZERO, ERR_INVAL},
    {__LINE__, IKEV2_KE_MODP2048, V_ONE, ERR_INVAL},
    {__LINE__, IKEV2_KE_MODP2048, V_TWO, 0},
    {__LINE__, IKEV2_KE_MODP2048, V_P_MINUS_1, ERR_INVAL},
    {__LINE__, IKEV2_KE_MODP2048, V_P, ERR_INVAL},
    {__LINE__, IKEV2_KE_MODP2048, V_ALL_FF, ERR_INVAL},
    {__LINE__, IKEV2_KE_MODP3072, V_ONE, ERR_INVAL},
    {__LINE__, IKEV2_KE_MODP3072, V_P_MINUS_1, ERR_INVAL},
    {__LINE__, IKEV2_KE_MODP3072, V_P, ERR_INVAL},
    {__LINE__, IKEV2_KE_MODP4096, V_ONE, ERR_INVAL},
    {__LINE__, IKEV2_KE_MODP4096, V_P_MINUS_1, ERR_INVAL},
    {__LINE__, IKEV2_KE_MODP4096, V_P, ERR_INVAL},
    {__LINE__, IKEV2_KE_MODP6144, V_P_MINUS_1, ERR_INVAL},
    {__LINE__, IKEV2_KE_MODP6144, V_P, ERR_INVAL},
    {__LINE__, IKEV2_KE_MODP8192, V_ZERO, ERR_INVAL},
    {__LINE__, IKEV2_KE_MODP8192, V_P_MINUS_1, ERR_INVAL},
    {__LINE__, IKEV2_KE_MODP8192, V_P, ERR_INVAL},
    {__LINE__, IKEV2_KE_MODP8192, V_TWO, 0},
    {__LINE__, IKEV2_KE_MODP1024_S160, V_ZERO, ERR_INVAL},
    {__LINE__, IKEV2_KE_MODP1024_S160, V_ONE, ERR_INVAL},
    {__LINE__, IKEV2_KE_MODP1024_S160, V_P_MINUS_1, ERR_INVAL},
    {__LINE__, IKEV2_KE_MODP1024_S160, V_P, ERR_INVAL},
    {__LINE__, IKEV2_KE_MODP1024_S160, V_G, 0},
    {__LINE__, IKEV2_KE_MODP1024_S160, V_TWO, ERR_INVAL},	/* not in the subgroup */
    {__LINE__, IKEV2_KE_MODP1024_S160, V_P_MINUS_G, ERR_INVAL}, /* order 2q */
    {__LINE__, IKEV2_KE_MODP2048_S224, V_ONE, ERR_INVAL},
    {__LINE__, IKEV2_KE_MODP2048_S224, V_P_MINUS_1, ERR_INVAL},
    {__LINE__, IKEV2_KE_MODP2048_S224, V_P, ERR_INVAL},
    {__LINE__, IKEV2_KE_MODP2048_S224, V_G, 0},
    {__LINE__, IKEV2_KE_MODP2048_S224, V_TWO, ERR_INVAL},
    {__LINE__, IKEV2_KE_MODP2048_S224, V_P_MINUS_G, ERR_INVAL},
    {__LINE__, IKEV2_KE_MODP2048_S256, V_ZERO, ERR_INVAL},
    {__LINE__, IKEV2_KE_MODP2048_S256, V_P_MINUS_1, ERR_INVAL},
    {__LINE__, IKEV2_KE_MODP2048_S256, V_P, ERR_INVAL},
    {__LINE__, IKEV2_KE_MODP2048_S256, V_G, 0},
    {__LINE__, IKEV2_KE_MODP2048_S256, V_TWO, ERR_INVAL},
    {__LINE__, IKEV2_KE_MODP2048_S256, V_P_MINUS_G, ERR_INVAL},
    {__LINE__, IKEV2_KE_MODP2048_S256, V_P_MINUS_2, ERR_INVAL}, /* in range, -2 has order 2q */
};

static void test_modp_range(void)
{
	for (size_t i = 0; i < sizeof(modp_checks) / sizeof(modp_checks[0]); i++) {
		int row = modp_checks[i].line;
		uint16_t grp = modp_checks[i].group;
		size_t n = kex_public_len(grp);
		BIGNUM *p = NULL, *g = NULL, *v = BN_new();
		uint8_t *buf = calloc(1, n);
		struct kex *k = kex_new(grp);
		struct secret *s = NULL;
		int ok = k && buf && v && modp_params(grp, &p, &g);

		T_OK_ROW(row, ok, "setup");
		if (!ok)
			goto next;
		switch (modp_checks[i].v) {
		case V_ZERO:
			BN_zero(v);
			ok = 1;
			break;
		case V_ONE:
			ok = BN_one(v);
			break;
		case V_TWO:
			ok = BN_set_word(v, 2);
			break;
		case V_G:
			ok = BN_copy(v, g) != NULL;
			break;
		case V_P_MINUS_G:
			ok = BN_sub(v, p, g);
			break;
		case V_P_MINUS_2:
			ok = BN_copy(v, p) && BN_sub_word(v, 2);
			break;
		case V_P_MINUS_1:
			ok = BN_copy(v, p) && BN_sub_word(v, 1);
			break;
		case V_P:
			ok = BN_copy(v, p) != NULL;
			break;
		case V_ALL_FF:
			memset(buf, 0xff, n);
			ok = BN_bin2bn(buf, (int)n, v) != NULL;
			break;
		}
		T_OK_ROW(row, ok && BN_bn2binpad(v, buf, (int)n) == (int)n, "value");
		T_EQ_ROW(row, kex_derive(k, buf, n, &s), modp_checks[i].want);
		T_OK_ROW(row, (s != NULL) == (modp_checks[i].want == 0), "output iff success");
	next:
		secret_free(s);
		kex_free(k);
		BN_free(p);
		BN_free(g);
		BN_free(v);
		free(buf);
	}
}

/* MODP padding (RFC 7296 §2.14 / §3.4): a fixed MODP 768 exchange, computed independently with
 * Python's pow(), whose responder public value has one and shared secret two leading zero
 * bytes; both must keep the full prime length. */
static void test_modp_padding(void)
{
	static const char *priv_a =
	    "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb";
	static const char *priv_b =
	    "3e23e8160039594a33894f6564e1b1348bbd7a0088d42c4acb73eeaed59c437e";
	static const char *pub_b =
	    "00eac366606f88fea4d715c31c4d36e99371313fcc80fc20c8294f6a6953fba37a227c331f8a0c28"
	    "27a4d3352675e4790fd4b0b742fd5d038e2b7818f610305fba6b86aeca361b1b368e1e50b170e0b1"
	    "0e881524e0d7393be1e8553afc255f3e";
	static const char *pub_a =
	    "dcca40aad1dc836d8dc5914fa89efb8066e255066034f6b50498b480414f3006ed287d3374460ace"
	    "75959b515b0e1399e225c1ab64b05db9c1aacd003c317081e1f8445e4f8fdac4552358ee0951f8ce"
	    "a1b09f10a8a8044694e2fec98112765b";
	static const char *shared =
	    "0001344ff58cfe5233eb8c4a99f4a92257e69e4979affdf53afb919e6f9986f1fb57362747c632f3"
	    "9f07b289c464bf4c3a6ae3abf657e818458e8d25d7238bfd2faedeb7005b7b3d82cb13f0ab5c2d30"
	    "97675f7d12d0478862bcd678216eae78";
	uint8_t *a = NULL, *b = NULL, *pa = NULL, *pb = NULL, *s = NULL;
	size_t al, bl, pal, pbl, sl, len;
	struct kex *ka = NULL, *kb = NULL;
	struct secret *sa = NULL, *sb = NULL;
	const uint8_t *pub;

	if (vec_hex(priv_a, &a, &al) || vec_hex(priv_b, &b, &bl) || vec_hex(pub_a, &pa, &pal) ||
	    vec_hex(pub_b, &pb, &pbl) || vec_hex(shared, &s, &sl)) {
		T_OK(0, "hex");
		goto out;
	}
	ka = kex_new_from_private(IKEV2_KE_MODP768, a, al);
	kb = kex_new_from_private(IKEV2_KE_MODP768, b, bl);
	T_OK(ka && kb, "keys");
	if (!ka || !kb)
		goto out;
	pub = kex_public(ka, &len);
	T_MEM(pub, len, pa, pal);
	pub = kex_public(kb, &len);
	T_MEM(pub, len, pb, pbl);
	T_EQ(kex_derive(ka, pb, pbl, &sa), 0);
	T_EQ(kex_derive(kb, pa, pal, &sb), 0);
	if (sa && sb) {
		T_MEM(sa->p, sa->len, s, sl);
		T_MEM(sb->p, sb->len, s, sl);
	}
out:
	secret_free(sa);
	secret_free(sb);
	kex_free(ka);
	kex_free(kb);
	free(a);
	free(b);
	free(pa);
	free(pb);
	free(s);
}

/* ECP: a point with a flipped coordinate bit is off the curve; private scalars out of range. */
static void test_ecp_invalid(void)
{
	static const uint16_t ecp[] = {IKEV2_KE_ECP256,	   IKEV2_KE_ECP384,    IKEV2_KE_ECP521,
				       IKEV2_KE_ECP192,	   IKEV2_KE_ECP224,    IKEV2_KE_ECP224_BP,
				       IKEV2_KE_ECP256_BP, IKEV2_KE_ECP384_BP, IKEV2_KE_ECP512_BP};
	for (size_t i = 0; i < sizeof(ecp) / sizeof(ecp[0]); i++) {
		struct kex *a = kex_new(ecp[i]), *b = kex_new(ecp[i]);
		struct secret *s = NULL;
		uint8_t buf[132], zero[66] = {0};
		const uint8_t *pb;
		size_t lb;

		T_OK(a && b, "group %u", ecp[i]);
		if (!a || !b)
			goto next;
		pb = kex_public(b, &lb);
		memcpy(buf, pb, lb);
		buf[lb - 1] ^= 0x01; /* y changed */
		T_EQ(kex_derive(a, buf, lb, &s), ERR_INVAL);
		memcpy(buf, pb, lb);
		buf[lb / 2 - 1] ^= 0x01; /* x changed */
		T_EQ(kex_derive(a, buf, lb, &s), ERR_INVAL);
		memset(buf + lb / 2, 0xff, lb / 2); /* y = all ones, beyond the field */
		T_EQ(kex_derive(a, buf, lb, &s), ERR_INVAL);
		T_OK(s == NULL, "no output");
		/* scalar 0 is refused as a private key; 1 is the generator */
		T_OK(kex_new_from_private(ecp[i], zero, lb / 2) == NULL, "d = 0");
		zero[lb / 2 - 1] = 1;
		struct kex *one = kex_new_from_private(ecp[i], zero, lb / 2);
		T_OK(one != NULL, "d = 1");
		kex_free(one);
	next:
		kex_free(a);
		kex_free(b);
	}
	uint8_t ff[66];
	memset(ff, 0xff, sizeof(ff));
	T_OK(kex_new_from_private(IKEV2_KE_ECP256, ff, 32) == NULL, "d >= n");
	T_OK(kex_new_from_private(IKEV2_KE_CURVE25519, ff, 31) == NULL, "x25519 short key");
	T_OK(kex_new_from_private(IKEV2_KE_CURVE25519, NULL, 32) == NULL, "no key");
}

/* kex_dup: the same public value and the same shared secret with any peer, for every group,
 * each handle freed on its own (ASan sees a double free or a leak otherwise). */
static void test_dup(void)
{
	for (size_t i = 0; i < sizeof(all_groups) / sizeof(all_groups[0]); i++) {
		uint16_t grp = all_groups[i];
		struct kex *a = kex_new(grp), *b = kex_new(grp), *d = a ? kex_dup(a) : NULL;
		struct secret *sa = NULL, *sd = NULL;
		const uint8_t *pa, *pd, *pb;
		size_t la, ld, lb;

		T_OK(a && b && d, "group %u: kex_new, kex_dup", grp);
		if (!a || !b || !d)
			goto next;
		pa = kex_public(a, &la);
		pd = kex_public(d, &ld);
		pb = kex_public(b, &lb);
		T_MEM(pa, la, pd, ld);
		T_EQ(kex_group(d), grp);
		kex_free(a); /* the duplicate outlives the original */
		a = NULL;
		T_EQ(kex_derive(d, pb, lb, &sd), 0);
		T_EQ(kex_derive(b, pd, ld, &sa), 0);
		if (sa && sd)
			T_MEM(sa->p, sa->len, sd->p, sd->len);
	next:
		secret_free(sa);
		secret_free(sd);
		kex_free(a);
		kex_free(b);
		kex_free(d);
	}
}

int main(void)
{
	test_lengths();
	test_rfc5903();
	test_ike_groups();
	test_wycheproof_ecdh("wycheproof/ecdh_secp256r1_ecpoint_test.json", IKEV2_KE_ECP256, 355);
	test_wycheproof_ecdh("wycheproof/ecdh_secp384r1_ecpoint_test.json", IKEV2_KE_ECP384, 790);
	test_wycheproof_ecdh("wycheproof/ecdh_secp521r1_ecpoint_test.json", IKEV2_KE_ECP521, 661);
	test_wycheproof_xdh("wycheproof/x25519_test.json", IKEV2_KE_CURVE25519, 518);
	test_wycheproof_xdh("wycheproof/x448_test.json", IKEV2_KE_CURVE448, 510);
	test_roundtrip_and_lengths();
	test_modp_range();
	test_modp_padding();
	test_ecp_invalid();
	test_dup();
	return t_finish();
}
