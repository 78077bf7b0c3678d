/* PRFs and prf+: RFC 2202, 4434 (incl. 10/18-octet keys), 4615 (incl. non-16-octet keys),
 * 4868 PRF vectors; Wycheproof HMAC (every key size; invalid tags must not match) and AES-CMAC
 * with 128-bit keys; NIST SP 800-135 SKEYSEED and prf+ samples. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/prf.h"
#include "lib/err.h"
#include "support/test.h"
#include "support/vec.h"
#include "wire/iana.h"

static int prf_id(const char *name, uint16_t *id)
{
	static const struct {
		const char *name;
		uint16_t id;
	} map[] = {
	    {"PRF_HMAC_MD5", IKEV2_PRF_HMAC_MD5},
	    {"PRF_HMAC_SHA1", IKEV2_PRF_HMAC_SHA1},
	    {"PRF_AES128_XCBC", IKEV2_PRF_AES128_XCBC},
	    {"PRF_HMAC_SHA2_256", IKEV2_PRF_HMAC_SHA2_256},
	    {"PRF_HMAC_SHA2_384", IKEV2_PRF_HMAC_SHA2_384},
	    {"PRF_HMAC_SHA2_512", IKEV2_PRF_HMAC_SHA2_512},
	    {"PRF_AES128_CMAC", IKEV2_PRF_AES128_CMAC},
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (strcmp(map[i].name, name) == 0) {
			*id = map[i].id;
			return 0;
		}
	}
	return -1;
}

static void test_rfc_file(int row, const char *file, size_t want_ran)
{
	json_t *root = vec_load(file);
	json_t *v;
	size_t i, ran = 0;

	if (!root)
		return;
	json_array_foreach(json_object_get(root, "vectors"), i, v)
	{
		uint8_t *key = NULL, *data = NULL, *exp = NULL;
		size_t key_len, data_len, exp_len;
		uint8_t out[PRF_MAX_OUT_LEN];
		uint16_t id;
		struct prf *p = NULL;

		if (strcmp(vec_str(v, "kind"), "prf") != 0)
			continue;
		if (prf_id(vec_str(v, "ikev2_transform"), &id) ||
		    vec_hex_member(v, "key", &key, &key_len) ||
		    vec_hex_member(v, "data", &data, &data_len) ||
		    vec_hex_member(v, "expected", &exp, &exp_len) ||
		    prf_new(id, key, key_len, &p) != 0) {
			T_OK_ROW(row, 0, "%s: setup failed", vec_str(v, "id"));
		} else {
			struct crypto_span part = {data, data_len};
			T_EQ_ROW(row, prf_get_info(p)->out_len, exp_len);
			T_EQ_ROW(row, prf_compute(p, &part, 1, out), 0);
			T_MEM_ROW(row, out, exp_len, exp, exp_len);
			/* a second computation with the same object gives the same result */
			memset(out, 0, sizeof(out));
			T_EQ_ROW(row, prf_compute(p, &part, 1, out), 0);
			T_MEM_ROW(row, out, exp_len, exp, exp_len);
			memset(out, 0, sizeof(out));
			T_EQ_ROW(row, prf_oneshot(id, key, key_len, &part, 1, out), 0);
			T_MEM_ROW(row, out, exp_len, exp, exp_len);
			ran++;
		}
		prf_free(p);
		free(key);
		free(data);
		free(exp);
	}
	T_EQ_ROW(row, ran, want_ran);
	json_decref(root);
}

/* Wycheproof MAC files through a PRF: the (possibly truncated) tag must equal the PRF output's
 * prefix for valid cases and differ for invalid ones. Only key sizes the PRF defines apply
 * (HMAC: all; AES128-CMAC: 128-bit keys, since other sizes are AES-192/256-CMAC). */
static void test_wycheproof(int row, const char *file, uint16_t id, size_t only_key_bits)
{
	json_t *root = vec_load(file);
	json_t *g, *t;
	size_t gi, ti, valid = 0, invalid = 0, filtered = 0;

	if (!root)
		return;
	json_array_foreach(json_object_get(root, "testGroups"), gi, g)
	{
		size_t key_bits = json_integer_value(json_object_get(g, "keySize"));

		json_array_foreach(json_object_get(g, "tests"), ti, t)
		{
			uint8_t *key = NULL, *msg = NULL, *tag = NULL;
			size_t key_len, msg_len, tag_len;
			uint8_t out[PRF_MAX_OUT_LEN];
			int tc = (int)json_integer_value(json_object_get(t, "tcId"));
			bool want_ok = strcmp(vec_str(t, "result"), "valid") == 0;

			if (only_key_bits && key_bits != only_key_bits) {
				filtered++;
				continue;
			}
			if (vec_hex_member(t, "key", &key, &key_len) ||
			    vec_hex_member(t, "msg", &msg, &msg_len) ||
			    vec_hex_member(t, "tag", &tag, &tag_len) || tag_len > sizeof(out)) {
				T_OK_ROW(row, 0, "%s tc %d: unreadable", file, tc);
			} else {
				struct crypto_span part = {msg, msg_len};
				int err = prf_oneshot(id, key, key_len, &part, 1, out);
				bool match = !err && CRYPTO_memcmp(out, tag, tag_len) == 0;
				T_OK_ROW(row, !err && match == want_ok, "%s tc %d (%s): err %d",
					 file, tc, vec_str(t, "result"), err);
				want_ok ? valid++ : invalid++;
			}
			free(key);
			free(msg);
			free(tag);
		}
	}
	T_OK_ROW(row, valid > 0 && invalid > 0, "%s: ran %zu valid, %zu invalid", file, valid,
		 invalid);
	printf("%s: %zu valid and %zu invalid run, %zu filtered (key size not this PRF's)\n", file,
	       valid, invalid, filtered);
	json_decref(root);
}

/* SP 800-135 samples: SKEYSEED = prf(salt, key) and prf+(key, salt). */
static void test_cavp(void)
{
	json_t *root = vec_load("rfc/ike_kdf_prfplus_cavp.json");
	json_t *v;
	size_t i, skeyseed = 0, plus = 0;

	if (!root)
		return;
	json_array_foreach(json_object_get(root, "vectors"), i, v)
	{
		uint8_t *key = NULL, *salt = NULL, *exp = NULL, *out = NULL;
		size_t key_len, salt_len, exp_len;
		const char *what = vec_str(v, "what");
		uint16_t id;
		struct prf *p = NULL;

		if (!json_object_get(v, "key"))
			continue; /* the composite samples are test_kdf's */
		if (prf_id(vec_str(v, "prf"), &id) || vec_hex_member(v, "key", &key, &key_len) ||
		    vec_hex_member(v, "salt", &salt, &salt_len) ||
		    vec_hex_member(v, "out", &exp, &exp_len)) {
			T_OK(0, "%s: unreadable", vec_str(v, "id"));
			goto next;
		}
		out = malloc(exp_len);
		struct crypto_span s = {salt, salt_len};
		struct crypto_span k = {key, key_len};
		if (strncmp(what, "SKEYSEED", 8) == 0) {
			T_EQ(prf_new(id, salt, salt_len, &p), 0);
			T_EQ(prf_compute(p, &k, 1, out), 0);
			skeyseed++;
		} else if (strncmp(what, "prf+", 4) == 0) {
			T_EQ(prf_new(id, key, key_len, &p), 0);
			T_EQ(prf_plus(p, &s, 1, out, exp_len), 0);
			plus++;
		} else {
			T_OK(0, "%s: unknown kind %s", vec_str(v, "id"), what);
			goto next;
		}
		T_MEM(out, exp_len, exp, exp_len);
	next:
		prf_free(p);
		free(key);
		free(salt);
		free(exp);
		free(out);
	}
	T_EQ(skeyseed, 6);
	T_EQ(plus, 7);
	json_decref(root);
}

/* prf+ structure (RFC 7296 §2.13): prefix-consistent, seed parts concatenate, 255-block cap. */
static void test_prf_plus(void)
{
	static const uint8_t key[20] = {0x0b};
	static const uint8_t seed[] = "Ni|Nr|SPIi|SPIr";
	uint8_t a[255 * 20 + 1], b[100], t1[20];
	struct prf *p = NULL;

	T_EQ(prf_new(IKEV2_PRF_HMAC_SHA1, key, sizeof(key), &p), 0);
	if (!p)
		return;
	struct crypto_span one = {seed, sizeof(seed)};
	struct crypto_span three[3] = {{seed, 3}, {NULL, 0}, {seed + 3, sizeof(seed) - 3}};
	T_EQ(prf_plus(p, &one, 1, a, 255 * 20), 0);
	T_EQ(prf_plus(p, three, 3, b, sizeof(b)), 0);
	T_MEM(b, sizeof(b), a, sizeof(b));
	T_EQ(prf_plus(p, &one, 1, b, 1), 0);
	T_MEM(b, 1, a, 1);
	/* T1 = prf(K, S | 0x01) */
	struct crypto_span t1parts[2] = {{seed, sizeof(seed)}, {"\x01", 1}};
	T_EQ(prf_compute(p, t1parts, 2, t1), 0);
	T_MEM(t1, sizeof(t1), a, 20);
	/* T2 = prf(K, T1 | S | 0x02) */
	struct crypto_span t2parts[3] = {{t1, 20}, {seed, sizeof(seed)}, {"\x02", 1}};
	T_EQ(prf_compute(p, t2parts, 3, t1), 0);
	T_MEM(t1, sizeof(t1), a + 20, 20);
	T_EQ(prf_plus(p, &one, 1, a, 255 * 20 + 1), ERR_INVAL);
	prf_free(p);
}

static const struct {
	int line;
	uint16_t id;
	int err;
	size_t out_len, key_len;
	bool fixed;
} lookups[] = {
    {__LINE__, IKEV2_PRF_HMAC_MD5, 0, 16, 16, false},
    {__LINE__, IKEV2_PRF_HMAC_SHA1, 0, 20, 20, false},
    {__LINE__, IKEV2_PRF_AES128_XCBC, 0, 16, 16, true},
    {__LINE__, IKEV2_PRF_HMAC_SHA2_256, 0, 32, 32, false},
    {__LINE__, IKEV2_PRF_HMAC_SHA2_384, 0, 48, 48, false},
    {__LINE__, IKEV2_PRF_HMAC_SHA2_512, 0, 64, 64, false},
    {__LINE__, IKEV2_PRF_AES128_CMAC, 0, 16, 16, true},
    {__LINE__, IKEV2_PRF_HMAC_TIGER, ERR_UNSUPPORTED, 0, 0, false},
    {__LINE__, 0, ERR_UNSUPPORTED, 0, 0, false},
};

static void test_lookup(void)
{
	for (size_t i = 0; i < sizeof(lookups) / sizeof(lookups[0]); i++) {
		struct prf_info info = {0};
		int row = lookups[i].line;

		T_EQ_ROW(row, prf_lookup(lookups[i].id, &info), lookups[i].err);
		if (lookups[i].err)
			continue;
		T_EQ_ROW(row, info.out_len, lookups[i].out_len);
		T_EQ_ROW(row, info.key_len, lookups[i].key_len);
		T_EQ_ROW(row, info.fixed_key, lookups[i].fixed);
	}
	prf_free(NULL);
}

int main(void)
{
	test_lookup();
	test_rfc_file(__LINE__, "rfc/rfc2202_hmac_sha1_md5.json", 12);
	test_rfc_file(__LINE__, "rfc/rfc3566_4434_aes_xcbc.json", 7);
	test_rfc_file(__LINE__, "rfc/rfc4493_4494_4615_aes_cmac.json", 7);
	test_rfc_file(__LINE__, "rfc/rfc4868_hmac_sha2.json", 15);
	test_wycheproof(__LINE__, "wycheproof/hmac_sha1_test.json", IKEV2_PRF_HMAC_SHA1, 0);
	test_wycheproof(__LINE__, "wycheproof/hmac_sha256_test.json", IKEV2_PRF_HMAC_SHA2_256, 0);
	test_wycheproof(__LINE__, "wycheproof/hmac_sha384_test.json", IKEV2_PRF_HMAC_SHA2_384, 0);
	test_wycheproof(__LINE__, "wycheproof/hmac_sha512_test.json", IKEV2_PRF_HMAC_SHA2_512, 0);
	test_wycheproof(__LINE__, "wycheproof/aes_cmac_test.json", IKEV2_PRF_AES128_CMAC, 128);
	test_cavp();
	test_prf_plus();
	return t_finish();
}
