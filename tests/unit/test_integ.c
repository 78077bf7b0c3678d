/* Integrity transforms: RFC 2202/2403/2404, 3566, 4494, 4868 ICVs, Wycheproof HMAC cases whose
 * key and tag sizes are an IPsec transform (invalid ones must fail verification), scatter input
 * split at every position, tampering, duplicated objects. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/integ.h"
#include "lib/err.h"
#include "support/test.h"
#include "support/vec.h"
#include "wire/iana.h"

static int transform_id(const char *name, uint16_t *id)
{
	static const struct {
		const char *name;
		uint16_t id;
	} map[] = {
	    {"AUTH_HMAC_MD5_96", IKEV2_INTEG_HMAC_MD5_96},
	    {"AUTH_HMAC_MD5_128", IKEV2_INTEG_HMAC_MD5_128},
	    {"AUTH_HMAC_SHA1_96", IKEV2_INTEG_HMAC_SHA1_96},
	    {"AUTH_HMAC_SHA1_160", IKEV2_INTEG_HMAC_SHA1_160},
	    {"AUTH_AES_XCBC_96", IKEV2_INTEG_AES_XCBC_96},
	    {"AUTH_AES_CMAC_96", IKEV2_INTEG_AES_CMAC_96},
	    {"AUTH_HMAC_SHA2_256_128", IKEV2_INTEG_HMAC_SHA2_256_128},
	    {"AUTH_HMAC_SHA2_384_192", IKEV2_INTEG_HMAC_SHA2_384_192},
	    {"AUTH_HMAC_SHA2_512_256", IKEV2_INTEG_HMAC_SHA2_512_256},
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (strcmp(map[i].name, name) == 0) {
			*id = map[i].id;
			return 0;
		}
	}
	return -1;
}

/* Computes over data as one part and split into two parts at every position (and three parts
 * at a few), compares with want, and checks verify accepts want and rejects a flipped bit. */
static void check_icv(int row, const char *label, uint16_t id, const uint8_t *key, size_t key_len,
		      const uint8_t *data, size_t len, const uint8_t *want, size_t want_len)
{
	struct integ *m = NULL, *d = NULL;
	uint8_t icv[INTEG_MAX_ICV_LEN], bad[INTEG_MAX_ICV_LEN];

	T_OK_ROW(row, integ_new(id, key, key_len, &m) == 0, "%s: integ_new", label);
	if (!m)
		return;
	T_EQ_ROW(row, integ_get_info(m)->icv_len, want_len);
	if (integ_get_info(m)->icv_len != want_len)
		goto out;
	struct crypto_span one = {data, len};
	T_EQ_ROW(row, integ_compute(m, &one, 1, icv), 0);
	T_MEM_ROW(row, icv, want_len, want, want_len);
	for (size_t cut = 0; cut <= len; cut++) {
		struct crypto_span two[2] = {{data, cut}, {data + cut, len - cut}};
		memset(icv, 0, sizeof(icv));
		T_EQ_ROW(row, integ_compute(m, two, 2, icv), 0);
		if (memcmp(icv, want, want_len) != 0)
			T_OK_ROW(row, 0, "%s: split at %zu differs", label, cut);
		if (cut + 17 <= len) {
			struct crypto_span three[3] = {
			    {data, cut}, {data + cut, 17}, {data + cut + 17, len - cut - 17}};
			T_EQ_ROW(row, integ_compute(m, three, 3, icv), 0);
			if (memcmp(icv, want, want_len) != 0)
				T_OK_ROW(row, 0, "%s: 3-split at %zu differs", label, cut);
		}
	}
	T_EQ_ROW(row, integ_verify(m, &one, 1, want), 0);
	for (size_t bit = 0; bit < want_len * 8; bit += 7) {
		memcpy(bad, want, want_len);
		bad[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		T_EQ_ROW(row, integ_verify(m, &one, 1, bad), ERR_AUTH);
	}
	T_EQ_ROW(row, integ_dup(m, &d), 0);
	if (d) {
		T_EQ_ROW(row, integ_verify(d, &one, 1, want), 0);
		T_EQ_ROW(row, integ_compute(d, &one, 1, icv), 0);
		T_MEM_ROW(row, icv, want_len, want, want_len);
	}
out:
	integ_free(m);
	integ_free(d);
}

/* RFC files: rows of kind "icv". strongSwan's private AUTH_HMAC_SHA1_128 has no IANA number
 * and is skipped (counted). */
static void test_rfc_file(int row, const char *file, size_t want_ran)
{
	json_t *root = vec_load(file);
	json_t *v;
	size_t i, ran = 0, skipped = 0;

	if (!root)
		return;
	json_array_foreach(json_object_get(root, "vectors"), i, v)
	{
		uint8_t *key = NULL, *data = NULL, *exp = NULL;
		size_t key_len, data_len, exp_len;
		uint16_t id;

		if (strcmp(vec_str(v, "kind"), "icv") != 0)
			continue;
		if (transform_id(vec_str(v, "ikev2_transform"), &id) != 0) {
			skipped++;
			continue;
		}
		if (vec_hex_member(v, "key", &key, &key_len) ||
		    vec_hex_member(v, "data", &data, &data_len) ||
		    vec_hex_member(v, "expected", &exp, &exp_len)) {
			T_OK_ROW(row, 0, "%s: unreadable", vec_str(v, "id"));
		} else {
			check_icv(row, vec_str(v, "id"), id, key, key_len, data, data_len, exp,
				  exp_len);
			ran++;
		}
		free(key);
		free(data);
		free(exp);
	}
	T_EQ_ROW(row, ran, want_ran);
	if (skipped)
		printf("%s: %zu rows skipped (no IANA transform)\n", file, skipped);
	json_decref(root);
}

/* Wycheproof HMAC: groups whose (key size, tag size) is an INTEG transform. */
static void test_wycheproof(int row, const char *file, uint16_t id)
{
	struct integ_info info;
	json_t *root = vec_load(file);
	json_t *g, *t;
	size_t gi, ti, valid = 0, invalid = 0, filtered = 0;

	if (!root)
		return;
	T_EQ_ROW(row, integ_lookup(id, &info), 0);
	json_array_foreach(json_object_get(root, "testGroups"), gi, g)
	{
		size_t key_bits = json_integer_value(json_object_get(g, "keySize"));
		size_t tag_bits = json_integer_value(json_object_get(g, "tagSize"));
		bool applies = key_bits == info.key_len * 8 && tag_bits == info.icv_len * 8;

		json_array_foreach(json_object_get(g, "tests"), ti, t)
		{
			uint8_t *key = NULL, *msg = NULL, *tag = NULL;
			size_t key_len, msg_len, tag_len;
			struct integ *m = NULL;
			int tc = (int)json_integer_value(json_object_get(t, "tcId"));
			bool want_ok = strcmp(vec_str(t, "result"), "valid") == 0;

			if (!applies) {
				filtered++;
				continue;
			}
			if (vec_hex_member(t, "key", &key, &key_len) ||
			    vec_hex_member(t, "msg", &msg, &msg_len) ||
			    vec_hex_member(t, "tag", &tag, &tag_len) ||
			    integ_new(id, key, key_len, &m) != 0) {
				T_OK_ROW(row, 0, "%s tc %d: setup failed", file, tc);
			} else {
				struct crypto_span part = {msg, msg_len};
				int err = integ_verify(m, &part, 1, tag);
				T_OK_ROW(row, want_ok ? err == 0 : err == ERR_AUTH,
					 "%s tc %d (%s): verify %d", file, tc, vec_str(t, "result"),
					 err);
				want_ok ? valid++ : invalid++;
			}
			integ_free(m);
			free(key);
			free(msg);
			free(tag);
		}
	}
	T_OK_ROW(row, valid > 0 && invalid > 0, "%s: ran %zu valid, %zu invalid", file, valid,
		 invalid);
	printf("%s: %zu valid and %zu invalid run, %zu filtered (key/tag size not an IPsec "
	       "transform)\n",
	       file, valid, invalid, filtered);
	json_decref(root);
}

static const struct {
	int line;
	uint16_t id;
	int err;
	size_t key_len, icv_len;
} lookups[] = {
    {__LINE__, IKEV2_INTEG_HMAC_MD5_96, 0, 16, 12},
    {__LINE__, IKEV2_INTEG_HMAC_SHA1_96, 0, 20, 12},
    {__LINE__, IKEV2_INTEG_AES_XCBC_96, 0, 16, 12},
    {__LINE__, IKEV2_INTEG_AES_CMAC_96, 0, 16, 12},
    {__LINE__, IKEV2_INTEG_HMAC_SHA2_256_128, 0, 32, 16},
    {__LINE__, IKEV2_INTEG_HMAC_SHA2_384_192, 0, 48, 24},
    {__LINE__, IKEV2_INTEG_HMAC_SHA2_512_256, 0, 64, 32},
    {__LINE__, IKEV2_INTEG_NONE, ERR_UNSUPPORTED, 0, 0},
    {__LINE__, IKEV2_INTEG_DES_MAC, ERR_UNSUPPORTED, 0, 0},
    {__LINE__, IKEV2_INTEG_AES_128_GMAC, ERR_UNSUPPORTED, 0, 0},
    {__LINE__, 99, ERR_UNSUPPORTED, 0, 0},
};

static void test_lookup(void)
{
	static const uint8_t key[64];
	struct integ *m = NULL;

	for (size_t i = 0; i < sizeof(lookups) / sizeof(lookups[0]); i++) {
		struct integ_info info = {0};
		int row = lookups[i].line;

		T_EQ_ROW(row, integ_lookup(lookups[i].id, &info), lookups[i].err);
		if (lookups[i].err)
			continue;
		T_EQ_ROW(row, info.key_len, lookups[i].key_len);
		T_EQ_ROW(row, info.icv_len, lookups[i].icv_len);
		/* the key length is exact */
		T_EQ_ROW(row, integ_new(lookups[i].id, key, info.key_len + 1, &m), ERR_INVAL);
		T_EQ_ROW(row, integ_new(lookups[i].id, key, info.key_len - 1, &m), ERR_INVAL);
	}
	T_OK(m == NULL, "no object on failure");
	integ_free(NULL);
}

int main(void)
{
	test_lookup();
	test_rfc_file(__LINE__, "rfc/rfc2202_hmac_sha1_md5.json", 8);
	test_rfc_file(__LINE__, "rfc/rfc3566_4434_aes_xcbc.json", 5);
	test_rfc_file(__LINE__, "rfc/rfc4493_4494_4615_aes_cmac.json", 4);
	test_rfc_file(__LINE__, "rfc/rfc4868_hmac_sha2.json", 9);
	test_wycheproof(__LINE__, "wycheproof/hmac_sha1_test.json", IKEV2_INTEG_HMAC_SHA1_160);
	test_wycheproof(__LINE__, "wycheproof/hmac_sha256_test.json",
			IKEV2_INTEG_HMAC_SHA2_256_128);
	test_wycheproof(__LINE__, "wycheproof/hmac_sha384_test.json",
			IKEV2_INTEG_HMAC_SHA2_384_192);
	test_wycheproof(__LINE__, "wycheproof/hmac_sha512_test.json",
			IKEV2_INTEG_HMAC_SHA2_512_256);
	return t_finish();
}
