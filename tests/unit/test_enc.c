/* Encryption transforms against the RFC vectors in IPsec keying form (key || salt, nonce =
 * salt || IV), Wycheproof AEAD files (every invalid case must be rejected), in-place operation
 * and tampering. */
#include <stdlib.h>
#include <string.h>

#include "crypto/enc.h"
#include "lib/err.h"
#include "support/test.h"
#include "support/vec.h"
#include "wire/iana.h"

/* Seals and opens one message both out-of-place and in place and checks the result against
 * want = ciphertext || ICV; then flips a bit of the ICV (AEAD) and checks the open fails. */
static void check_case(int row, const char *label, uint16_t id, unsigned key_bits,
		       const uint8_t *keymat, size_t keymat_len, const uint8_t *iv,
		       const uint8_t *aad, size_t aad_len, const uint8_t *pt, size_t pt_len,
		       const uint8_t *want, size_t want_len)
{
	struct enc *se = NULL, *de = NULL;
	struct enc_info info;
	uint8_t *buf = NULL, *buf2 = NULL;
	uint8_t icv[ENC_MAX_ICV_LEN];

	T_OK_ROW(row, enc_lookup(id, key_bits, &info) == 0, "%s: lookup", label);
	T_OK_ROW(row, enc_new(id, key_bits, ENC_ENCRYPT, keymat, keymat_len, &se) == 0,
		 "%s: new enc", label);
	T_OK_ROW(row, enc_new(id, key_bits, ENC_DECRYPT, keymat, keymat_len, &de) == 0,
		 "%s: new dec", label);
	if (!se || !de)
		goto out;
	T_EQ_ROW(row, want_len, pt_len + info.icv_len);
	if (want_len != pt_len + info.icv_len)
		goto out;
	buf = malloc(pt_len + 1);
	buf2 = malloc(pt_len + 1);

	/* out of place */
	T_EQ_ROW(row, enc_seal(se, iv, aad, aad_len, pt, pt_len, buf, icv), 0);
	T_MEM_ROW(row, buf, pt_len, want, pt_len);
	if (info.icv_len)
		T_MEM_ROW(row, icv, info.icv_len, want + pt_len, info.icv_len);
	T_EQ_ROW(row, enc_open(de, iv, aad, aad_len, want, pt_len, buf2, want + pt_len), 0);
	T_MEM_ROW(row, buf2, pt_len, pt, pt_len);

	/* in place, twice (the per-message state must reset) */
	for (int pass = 0; pass < 2; pass++) {
		memcpy(buf, pt, pt_len);
		T_EQ_ROW(row, enc_seal(se, iv, aad, aad_len, buf, pt_len, buf, icv), 0);
		T_MEM_ROW(row, buf, pt_len, want, pt_len);
		T_EQ_ROW(row, enc_open(de, iv, aad, aad_len, buf, pt_len, buf, icv), 0);
		T_MEM_ROW(row, buf, pt_len, pt, pt_len);
	}

	if (info.aead) {
		memcpy(icv, want + pt_len, info.icv_len);
		icv[info.icv_len - 1] ^= 0x01;
		memcpy(buf, want, pt_len);
		T_EQ_ROW(row, enc_open(de, iv, aad, aad_len, buf, pt_len, buf, icv), ERR_AUTH);
		if (pt_len) {
			memcpy(buf, want, pt_len);
			buf[0] ^= 0x80;
			T_EQ_ROW(row,
				 enc_open(de, iv, aad, aad_len, buf, pt_len, buf, want + pt_len),
				 ERR_AUTH);
		}
		/* and a good message still opens after failures */
		T_EQ_ROW(row, enc_open(de, iv, aad, aad_len, want, pt_len, buf, want + pt_len), 0);
		T_MEM_ROW(row, buf, pt_len, pt, pt_len);
		/* the wrong direction is refused */
		T_EQ_ROW(row, enc_seal(de, iv, aad, aad_len, pt, pt_len, buf, icv), ERR_INVAL);
	}
out:
	free(buf);
	free(buf2);
	enc_free(se);
	enc_free(de);
}

static int transform_id(const char *name, uint16_t *id)
{
	static const struct {
		const char *name;
		uint16_t id;
	} map[] = {
	    {"ENCR_AES_GCM_ICV8", IKEV2_ENCR_AES_GCM_8},
	    {"ENCR_AES_GCM_ICV12", IKEV2_ENCR_AES_GCM_12},
	    {"ENCR_AES_GCM_ICV16", IKEV2_ENCR_AES_GCM_16},
	    {"ENCR_AES_CCM_ICV8", IKEV2_ENCR_AES_CCM_8},
	    {"ENCR_AES_CCM_ICV12", IKEV2_ENCR_AES_CCM_12},
	    {"ENCR_AES_CCM_ICV16", IKEV2_ENCR_AES_CCM_16},
	    {"ENCR_CHACHA20_POLY1305", IKEV2_ENCR_CHACHA20_POLY1305},
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (strcmp(map[i].name, name) == 0) {
			*id = map[i].id;
			return 0;
		}
	}
	return -1;
}

/* Files in keymat form: aes_gcm / ccm / chacha20poly1305 _ipsec_keymat.json. */
static void test_keymat_file(int row, const char *file)
{
	json_t *root = vec_load(file);
	json_t *v;
	size_t i, ran = 0;

	if (!root)
		return;
	json_array_foreach(json_object_get(root, "vectors"), i, v)
	{
		uint8_t *keymat = NULL, *key = NULL, *iv = NULL, *aad = NULL, *pt = NULL,
			*ct = NULL;
		size_t keymat_len, key_len, iv_len, aad_len, pt_len, ct_len;
		uint16_t id;
		const char *name = vec_str(v, "id");

		if (transform_id(vec_str(v, "ikev2_transform"), &id) != 0 ||
		    vec_hex_member(v, "keymat", &keymat, &keymat_len) ||
		    vec_hex_member(v, "key", &key, &key_len) ||
		    vec_hex_member(v, "iv", &iv, &iv_len) ||
		    vec_hex_member(v, "aad", &aad, &aad_len) ||
		    vec_hex_member(v, "plaintext", &pt, &pt_len) ||
		    vec_hex_member(v, "ciphertext_and_icv", &ct, &ct_len)) {
			T_OK_ROW(row, 0, "%s %s: unreadable vector", file, name);
		} else {
			unsigned bits = id == IKEV2_ENCR_CHACHA20_POLY1305 ? 0 : key_len * 8;
			T_EQ_ROW(row, iv_len, 8);
			check_case(row, name, id, bits, keymat, keymat_len, iv, aad, aad_len, pt,
				   pt_len, ct, ct_len);
			ran++;
		}
		free(keymat);
		free(key);
		free(iv);
		free(aad);
		free(pt);
		free(ct);
	}
	T_OK_ROW(row, ran == json_array_size(json_object_get(root, "vectors")) && ran > 0,
		 "%s: ran %zu vectors", file, ran);
	json_decref(root);
}

/* RFC 3686 §6: AES-CTR with the 4-octet nonce appended to the key. */
static void test_rfc3686(void)
{
	json_t *root = vec_load("rfc/rfc3686_aes_ctr.json");
	json_t *v;
	size_t i, ran = 0;

	if (!root)
		return;
	json_array_foreach(json_object_get(root, "vectors"), i, v)
	{
		uint8_t *keymat = NULL, *key = NULL, *iv = NULL, *pt = NULL, *ct = NULL;
		size_t keymat_len, key_len, iv_len, pt_len, ct_len;

		if (vec_hex_member(v, "keymat_ike", &keymat, &keymat_len) ||
		    vec_hex_member(v, "key", &key, &key_len) ||
		    vec_hex_member(v, "iv", &iv, &iv_len) ||
		    vec_hex_member(v, "plaintext", &pt, &pt_len) ||
		    vec_hex_member(v, "ciphertext", &ct, &ct_len)) {
			T_OK(0, "rfc3686 %s unreadable", vec_str(v, "id"));
		} else {
			check_case(__LINE__, vec_str(v, "id"), IKEV2_ENCR_AES_CTR, key_len * 8,
				   keymat, keymat_len, iv, NULL, 0, pt, pt_len, ct, ct_len);
			ran++;
		}
		free(keymat);
		free(key);
		free(iv);
		free(pt);
		free(ct);
	}
	T_EQ(ran, 9);
	json_decref(root);
}

/* RFC 3602 §4 cases 1-4: raw AES-CBC. */
static void test_rfc3602(void)
{
	json_t *root = vec_load("rfc/rfc3602_aes_cbc.json");
	json_t *v;
	size_t i, ran = 0;

	if (!root)
		return;
	json_array_foreach(json_object_get(root, "vectors"), i, v)
	{
		uint8_t *key = NULL, *iv = NULL, *pt = NULL, *ct = NULL;
		size_t key_len, iv_len, pt_len, ct_len;

		if (strcmp(vec_str(v, "kind"), "aes-cbc") != 0)
			continue;
		if (vec_hex_member(v, "key", &key, &key_len) ||
		    vec_hex_member(v, "iv", &iv, &iv_len) ||
		    vec_hex_member(v, "plaintext", &pt, &pt_len) ||
		    vec_hex_member(v, "ciphertext", &ct, &ct_len)) {
			T_OK(0, "rfc3602 %s unreadable", vec_str(v, "id"));
		} else {
			check_case(__LINE__, vec_str(v, "id"), IKEV2_ENCR_AES_CBC, key_len * 8, key,
				   key_len, iv, NULL, 0, pt, pt_len, ct, ct_len);
			ran++;
		}
		free(key);
		free(iv);
		free(pt);
		free(ct);
	}
	T_EQ(ran, 4);
	json_decref(root);
}

/* enc_lookup: the sizes the ESP and IKE code build packets from. */
static const struct {
	int line;
	uint16_t id;
	unsigned key_bits;
	int err;
	size_t key_len, iv_len, block, align, icv;
	bool aead;
} lookups[] = {
    {__LINE__, IKEV2_ENCR_NULL, 0, 0, 0, 0, 1, 4, 0, false},
    {__LINE__, IKEV2_ENCR_NULL, 128, ERR_INVAL, 0, 0, 0, 0, 0, false},
    {__LINE__, IKEV2_ENCR_3DES, 0, 0, 24, 8, 8, 8, 0, false},
    {__LINE__, IKEV2_ENCR_3DES, 128, ERR_INVAL, 0, 0, 0, 0, 0, false},
    {__LINE__, IKEV2_ENCR_AES_CBC, 128, 0, 16, 16, 16, 16, 0, false},
    {__LINE__, IKEV2_ENCR_AES_CBC, 256, 0, 32, 16, 16, 16, 0, false},
    {__LINE__, IKEV2_ENCR_AES_CBC, 0, ERR_INVAL, 0, 0, 0, 0, 0, false},
    {__LINE__, IKEV2_ENCR_AES_CBC, 64, ERR_INVAL, 0, 0, 0, 0, 0, false},
    {__LINE__, IKEV2_ENCR_AES_CTR, 192, 0, 28, 8, 1, 4, 0, false},
    {__LINE__, IKEV2_ENCR_AES_GCM_16, 128, 0, 20, 8, 1, 4, 16, true},
    {__LINE__, IKEV2_ENCR_AES_GCM_8, 256, 0, 36, 8, 1, 4, 8, true},
    {__LINE__, IKEV2_ENCR_AES_GCM_12, 192, 0, 28, 8, 1, 4, 12, true},
    {__LINE__, IKEV2_ENCR_AES_CCM_8, 128, 0, 19, 8, 1, 4, 8, true},
    {__LINE__, IKEV2_ENCR_AES_CCM_16, 256, 0, 35, 8, 1, 4, 16, true},
    {__LINE__, IKEV2_ENCR_NULL_AUTH_AES_GMAC, 128, 0, 20, 8, 1, 4, 16, true},
    {__LINE__, IKEV2_ENCR_CHACHA20_POLY1305, 0, 0, 36, 8, 1, 4, 16, true},
    {__LINE__, IKEV2_ENCR_CHACHA20_POLY1305, 256, 0, 36, 8, 1, 4, 16, true},
    {__LINE__, IKEV2_ENCR_CHACHA20_POLY1305, 128, ERR_INVAL, 0, 0, 0, 0, 0, false},
    {__LINE__, IKEV2_ENCR_DES, 0, ERR_UNSUPPORTED, 0, 0, 0, 0, 0, false},
    {__LINE__, 17, 128, ERR_UNSUPPORTED, 0, 0, 0, 0, 0, false},
    {__LINE__, 1024, 128, ERR_UNSUPPORTED, 0, 0, 0, 0, 0, false},
};

static void test_lookup(void)
{
	for (size_t i = 0; i < sizeof(lookups) / sizeof(lookups[0]); i++) {
		struct enc_info info;
		int row = lookups[i].line;

		memset(&info, 0xa5, sizeof(info));
		T_EQ_ROW(row, enc_lookup(lookups[i].id, lookups[i].key_bits, &info),
			 lookups[i].err);
		if (lookups[i].err)
			continue;
		T_EQ_ROW(row, info.key_len, lookups[i].key_len);
		T_EQ_ROW(row, info.iv_len, lookups[i].iv_len);
		T_EQ_ROW(row, info.block_size, lookups[i].block);
		T_EQ_ROW(row, info.pad_align, lookups[i].align);
		T_EQ_ROW(row, info.icv_len, lookups[i].icv);
		T_EQ_ROW(row, info.aead, lookups[i].aead);
	}
}

/* Argument checks: key length, CBC block multiple, AAD on a non-AEAD cipher. */
static void test_args(void)
{
	static const uint8_t key[36] = {1, 2, 3};
	static const uint8_t iv[16] = {0};
	uint8_t buf[64] = {0}, icv[16];
	struct enc *e = NULL;

	T_EQ(enc_new(IKEV2_ENCR_AES_GCM_16, 128, ENC_ENCRYPT, key, 16, &e), ERR_INVAL);
	T_EQ(enc_new(IKEV2_ENCR_AES_GCM_16, 128, ENC_ENCRYPT, key, 21, &e), ERR_INVAL);
	T_OK(e == NULL, "no object on failure");
	T_EQ(enc_new(IKEV2_ENCR_AES_CBC, 128, ENC_ENCRYPT, key, 16, &e), 0);
	T_EQ(enc_seal(e, iv, NULL, 0, buf, 17, buf, NULL), ERR_INVAL);
	T_EQ(enc_seal(e, iv, buf, 8, buf, 16, buf, NULL), ERR_INVAL);
	T_EQ(enc_seal(e, iv, NULL, 0, buf, 32, buf, NULL), 0);
	T_EQ(enc_get_info(e)->block_size, 16);
	enc_free(e);
	e = NULL;
	T_EQ(enc_new(IKEV2_ENCR_AES_GCM_16, 128, ENC_ENCRYPT, key, 20, &e), 0);
	T_EQ(enc_seal(e, iv, NULL, 0, buf, 16, buf, NULL),
	     ERR_INVAL); /* AEAD needs an ICV buffer */
	T_EQ(enc_seal(e, iv, NULL, 0, buf, 16, buf, icv), 0);
	enc_free(e);
	enc_free(NULL);
}

int main(void)
{
	test_lookup();
	test_args();
	test_keymat_file(__LINE__, "rfc/aes_gcm_ipsec_keymat.json");
	test_keymat_file(__LINE__, "rfc/rfc4309_aes_ccm_ipsec_keymat.json");
	test_keymat_file(__LINE__, "rfc/chacha20poly1305_ipsec_keymat.json");
	test_rfc3686();
	test_rfc3602();
	return t_finish();
}
