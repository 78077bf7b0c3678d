/* Encryption transforms against the RFC vectors in IPsec keying form (key || salt, nonce =
 * salt || IV), Wycheproof AEAD files (every invalid case must be rejected), in-place operation
 * and tampering. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/enc.h"
#include "crypto/rand.h"
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
	e = NULL;
	/* ENCR_NULL has no key: a NULL pointer is fine */
	T_EQ(enc_new(IKEV2_ENCR_NULL, 0, ENC_DECRYPT, NULL, 0, &e), 0);
	T_EQ(enc_open(e, NULL, NULL, 0, buf, 16, buf, NULL), 0);
	enc_free(e);
	e = NULL;
	T_EQ(enc_new(IKEV2_ENCR_AES_CBC, 128, ENC_DECRYPT, NULL, 16, &e), ERR_INVAL);
	enc_free(NULL);
}

/* Wycheproof AEAD files: nonce sizes IPsec uses (12 = salt 4 + IV 8 for GCM and ChaCha20-
 * Poly1305, 11 = salt 3 + IV 8 for CCM) and tag sizes that are transforms. Valid cases must
 * seal to ct || tag and open; invalid ones must fail to open (ERR_AUTH). Others are counted. */
static void test_wycheproof(int row, const char *file, size_t salt_len, size_t want_valid,
			    size_t want_invalid)
{
	json_t *root = vec_load(file);
	json_t *g, *t;
	size_t gi, ti, valid = 0, invalid = 0, filtered = 0;

	if (!root)
		return;
	json_array_foreach(json_object_get(root, "testGroups"), gi, g)
	{
		size_t iv_bits = json_integer_value(json_object_get(g, "ivSize"));
		size_t key_bits = json_integer_value(json_object_get(g, "keySize"));
		size_t tag_bits = json_integer_value(json_object_get(g, "tagSize"));
		uint16_t id = 0;

		if (salt_len == 3 && iv_bits == 88)
			id = tag_bits == 64    ? IKEV2_ENCR_AES_CCM_8
			     : tag_bits == 96  ? IKEV2_ENCR_AES_CCM_12
			     : tag_bits == 128 ? IKEV2_ENCR_AES_CCM_16
					       : 0;
		else if (salt_len == 4 && iv_bits == 96 && tag_bits == 128)
			id = strstr(file, "chacha") ? IKEV2_ENCR_CHACHA20_POLY1305
						    : IKEV2_ENCR_AES_GCM_16;
		json_array_foreach(json_object_get(g, "tests"), ti, t)
		{
			uint8_t *key = NULL, *iv = NULL, *aad = NULL, *msg = NULL, *ct = NULL,
				*tag = NULL, *km = NULL, *out = NULL;
			size_t key_len, iv_len, aad_len, msg_len, ct_len, tag_len;
			struct enc *se = NULL, *de = NULL;
			int tc = (int)json_integer_value(json_object_get(t, "tcId"));
			bool want_ok = strcmp(vec_str(t, "result"), "valid") == 0;
			unsigned bits = id == IKEV2_ENCR_CHACHA20_POLY1305 ? 0 : (unsigned)key_bits;

			if (!id) {
				filtered++;
				continue;
			}
			if (vec_hex_member(t, "key", &key, &key_len) ||
			    vec_hex_member(t, "iv", &iv, &iv_len) ||
			    vec_hex_member(t, "aad", &aad, &aad_len) ||
			    vec_hex_member(t, "msg", &msg, &msg_len) ||
			    vec_hex_member(t, "ct", &ct, &ct_len) ||
			    vec_hex_member(t, "tag", &tag, &tag_len) || iv_len != salt_len + 8 ||
			    ct_len != msg_len) {
				T_OK_ROW(row, 0, "%s tc %d: unreadable", file, tc);
				goto next;
			}
			/* keying material = key || salt, explicit IV = the nonce's last 8 octets */
			km = malloc(key_len + salt_len);
			out = malloc(msg_len + 1);
			memcpy(km, key, key_len);
			memcpy(km + key_len, iv, salt_len);
			if (enc_new(id, bits, ENC_ENCRYPT, km, key_len + salt_len, &se) ||
			    enc_new(id, bits, ENC_DECRYPT, km, key_len + salt_len, &de)) {
				T_OK_ROW(row, 0, "%s tc %d: enc_new", file, tc);
				goto next;
			}
			int err = enc_open(de, iv + salt_len, aad, aad_len, ct, ct_len, out, tag);
			if (want_ok) {
				uint8_t icv[ENC_MAX_ICV_LEN];
				T_OK_ROW(row, err == 0, "%s tc %d: valid case fails to open (%d)",
					 file, tc, err);
				T_MEM_ROW(row, out, msg_len, msg, msg_len);
				T_EQ_ROW(row,
					 enc_seal(se, iv + salt_len, aad, aad_len, msg, msg_len,
						  out, icv),
					 0);
				T_MEM_ROW(row, out, msg_len, ct, ct_len);
				T_MEM_ROW(row, icv, tag_len, tag, tag_len);
				valid++;
			} else {
				T_OK_ROW(row, err == ERR_AUTH,
					 "%s tc %d (%s): invalid case opens (%d)", file, tc,
					 vec_str(t, "comment"), err);
				invalid++;
			}
		next:
			enc_free(se);
			enc_free(de);
			free(key);
			free(iv);
			free(aad);
			free(msg);
			free(ct);
			free(tag);
			free(km);
			free(out);
		}
	}
	T_EQ_ROW(row, valid, want_valid);
	T_EQ_ROW(row, invalid, want_invalid);
	printf("%s: %zu valid and %zu invalid run, %zu filtered (nonce or tag size IPsec doesn't "
	       "use)\n",
	       file, valid, invalid, filtered);
	json_decref(root);
}

/* Opens esp = SPI | seq | IV | ciphertext | ICV with AAD aad and checks the plaintext, then
 * reseals and checks the bytes. */
static void check_esp(int row, const char *label, uint16_t id, unsigned bits, const uint8_t *km,
		      size_t km_len, const uint8_t *aad, size_t aad_len, const uint8_t *esp,
		      size_t esp_len, const uint8_t *want_pt, size_t want_len)
{
	struct enc *se = NULL, *de = NULL;
	uint8_t buf[2048], icv[ENC_MAX_ICV_LEN];
	struct enc_info info;

	T_EQ_ROW(row, enc_lookup(id, bits, &info), 0);
	if (esp_len < 8 + info.iv_len + info.icv_len || want_len > sizeof(buf) ||
	    esp_len - 8 - info.iv_len - info.icv_len != want_len) {
		T_OK_ROW(row, 0, "%s: ESP packet length %zu inconsistent", label, esp_len);
		return;
	}
	const uint8_t *iv = esp + 8, *ct = esp + 8 + info.iv_len, *tag = ct + want_len;
	T_EQ_ROW(row, enc_new(id, bits, ENC_DECRYPT, km, km_len, &de), 0);
	T_EQ_ROW(row, enc_new(id, bits, ENC_ENCRYPT, km, km_len, &se), 0);
	if (!de || !se)
		goto out;
	T_EQ_ROW(row, enc_open(de, iv, aad, aad_len, ct, want_len, buf, tag), 0);
	T_MEM_ROW(row, buf, want_len, want_pt, want_len);
	T_EQ_ROW(row, enc_seal(se, iv, aad, aad_len, want_pt, want_len, buf, icv), 0);
	T_MEM_ROW(row, buf, want_len, ct, want_len);
	T_MEM_ROW(row, icv, info.icv_len, tag, info.icv_len);
	if (info.aead) {
		/* a different sequence number in the AAD must fail */
		uint8_t aad2[16];
		memcpy(aad2, aad, aad_len);
		aad2[aad_len - 1] ^= 1;
		T_EQ_ROW(row, enc_open(de, iv, aad2, aad_len, ct, want_len, buf, tag), ERR_AUTH);
	}
out:
	enc_free(se);
	enc_free(de);
}

/* draft-mcgrew-gcm-test-01: AES-GCM-16 ESP packets, ESN or not (AAD given by the file). */
static void test_mcgrew(void)
{
	json_t *root = vec_load("rfc/draft-mcgrew-gcm-test-01_esp.json");
	json_t *v;
	size_t i, ran = 0;

	if (!root)
		return;
	json_array_foreach(json_object_get(root, "vectors"), i, v)
	{
		uint8_t *km = NULL, *key = NULL, *aad = NULL, *esp = NULL, *pt = NULL;
		size_t km_len, key_len, aad_len, esp_len, pt_len;

		if (vec_hex_member(v, "keymat_rfc4106", &km, &km_len) ||
		    vec_hex_member(v, "key", &key, &key_len) ||
		    vec_hex_member(v, "aad", &aad, &aad_len) ||
		    vec_hex_member(v, "esp_packet", &esp, &esp_len) ||
		    vec_hex_member(v, "plaintext_with_esp_trailer", &pt, &pt_len) || aad_len < 8) {
			T_OK(0, "%s unreadable", vec_str(v, "id"));
		} else {
			check_esp(__LINE__, vec_str(v, "id"), IKEV2_ENCR_AES_GCM_16,
				  (unsigned)key_len * 8, km, km_len, aad, aad_len, esp, esp_len, pt,
				  pt_len);
			ran++;
		}
		free(km);
		free(key);
		free(aad);
		free(esp);
		free(pt);
	}
	T_EQ(ran, 14);
	json_decref(root);
}

/* RFC 7634 Appendix A (ESP) and B (IKEv2 SK payload). */
static void test_rfc7634(void)
{
	json_t *root = vec_load("rfc/rfc7634_chacha20poly1305.json");
	json_t *v;
	size_t i, ran = 0;

	if (!root)
		return;
	json_array_foreach(json_object_get(root, "vectors"), i, v)
	{
		uint8_t *km = NULL, *iv = NULL, *aad = NULL, *pt = NULL, *ct = NULL;
		size_t km_len, iv_len, aad_len, pt_len, ct_len;

		if (vec_hex_member(v, "keymat", &km, &km_len) ||
		    vec_hex_member(v, "iv", &iv, &iv_len) ||
		    vec_hex_member(v, "aad", &aad, &aad_len) ||
		    vec_hex_member(v, "plaintext", &pt, &pt_len) ||
		    vec_hex_member(v, "ciphertext_and_icv16", &ct, &ct_len)) {
			T_OK(0, "%s unreadable", vec_str(v, "id"));
		} else {
			check_case(__LINE__, vec_str(v, "id"), IKEV2_ENCR_CHACHA20_POLY1305, 0, km,
				   km_len, iv, aad, aad_len, pt, pt_len, ct, ct_len);
			ran++;
		}
		free(km);
		free(iv);
		free(aad);
		free(pt);
		free(ct);
	}
	T_EQ(ran, 2);
	json_decref(root);
}

/* RFC 3602 §4 cases 5-8: whole ESP packets with AES-CBC (no ICV). The decrypted payload is the
 * inner packet (tunnel) or its payload (transport) followed by the RFC 4303 trailer. */
static void test_rfc3602_esp(void)
{
	json_t *root = vec_load("rfc/rfc3602_aes_cbc.json");
	json_t *v;
	size_t i, ran = 0;

	if (!root)
		return;
	json_array_foreach(json_object_get(root, "vectors"), i, v)
	{
		uint8_t *key = NULL, *esp = NULL, *ip = NULL, *want = NULL;
		size_t key_len, esp_len, ip_len;

		if (strcmp(vec_str(v, "kind"), "esp-packet") != 0)
			continue;
		if (vec_hex_member(v, "key", &key, &key_len) ||
		    vec_hex_member(v, "esp_payload", &esp, &esp_len) ||
		    vec_hex_member(v, "plain_ip_packet", &ip, &ip_len) || ip_len < 20) {
			T_OK(0, "%s unreadable", vec_str(v, "id"));
			goto next;
		}
		size_t pad = json_integer_value(json_object_get(v, "pad_len"));
		size_t nh = json_integer_value(json_object_get(v, "next_header"));
		bool tunnel = strcmp(vec_str(v, "mode"), "tunnel") == 0;
		const uint8_t *inner = tunnel ? ip : ip + (ip[0] & 0x0f) * 4;
		size_t inner_len = tunnel ? ip_len : ip_len - (ip[0] & 0x0f) * 4;
		size_t len = inner_len + pad + 2;
		want = malloc(len);
		memcpy(want, inner, inner_len);
		for (size_t k = 0; k < pad; k++)
			want[inner_len + k] = (uint8_t)(k + 1); /* RFC 4303 §2.4 default padding */
		want[inner_len + pad] = (uint8_t)pad;
		want[inner_len + pad + 1] = (uint8_t)nh;
		check_esp(__LINE__, vec_str(v, "id"), IKEV2_ENCR_AES_CBC, (unsigned)key_len * 8,
			  key, key_len, NULL, 0, esp, esp_len, want, len);
		ran++;
	next:
		free(key);
		free(esp);
		free(ip);
		free(want);
	}
	T_EQ(ran, 4);
	json_decref(root);
}

/* AES-GMAC ESP (RFC 4543) from ODP's inbound cases: the payload stays in clear, the ICV covers
 * SPI | seq | IV | payload. */
static void test_gmac(void)
{
	json_t *root = vec_load("esp/odp_ipsec_vectors.json");
	json_t *t;
	size_t i, ran = 0;

	if (!root)
		return;
	json_array_foreach(json_object_get(root, "inbound_tests"), i, t)
	{
		uint8_t *key = NULL, *extra = NULL, *ip = NULL, km[36];
		size_t key_len, extra_len, ip_len;

		if (strcmp(vec_str(t, "auth_algo"), "AES-GMAC") != 0 ||
		    strcmp(vec_str(t, "proto"), "ESP") != 0)
			continue;
		const json_t *pkt =
		    json_object_get(json_object_get(root, "packets"), vec_str(t, "pkt_in"));
		if (!pkt || vec_hex_member(t, "auth_key", &key, &key_len) ||
		    vec_hex_member(t, "auth_extra", &extra, &extra_len) ||
		    vec_hex_member(pkt, "ip_hex", &ip, &ip_len) || extra_len != 4 ||
		    key_len + 4 > sizeof(km) || ip_len < 20 + 8 + 8 + 16) {
			T_OK(0, "%s unreadable", vec_str(t, "test"));
			goto next;
		}
		memcpy(km, key, key_len);
		memcpy(km + key_len, extra, 4);
		size_t hl = (ip[0] & 0x0f) * 4;
		const uint8_t *esp = ip + hl;
		size_t esp_len = ip_len - hl;
		/* GMAC leaves the payload as it is: the "plaintext" is the payload itself */
		check_esp(__LINE__, vec_str(t, "test"), IKEV2_ENCR_NULL_AUTH_AES_GMAC,
			  (unsigned)key_len * 8, km, key_len + 4, esp, 8, esp, esp_len, esp + 16,
			  esp_len - 16 - 16);
		ran++;
	next:
		free(key);
		free(extra);
		free(ip);
	}
	T_EQ(ran, 2);
	json_decref(root);
}

/* Every algorithm: seal/open round trips over many lengths with a random key, through
 * duplicated objects too (enc_dup), in place; NULL leaves the bytes as they are, the others
 * change them. 3DES has no vector file; this is its only coverage besides enc_lookup. */
static const struct {
	int line;
	uint16_t id;
	unsigned bits;
} all_algs[] = {
    {__LINE__, IKEV2_ENCR_NULL, 0},
    {__LINE__, IKEV2_ENCR_3DES, 0},
    {__LINE__, IKEV2_ENCR_AES_CBC, 192},
    {__LINE__, IKEV2_ENCR_AES_CTR, 256},
    {__LINE__, IKEV2_ENCR_AES_GCM_12, 128},
    {__LINE__, IKEV2_ENCR_AES_CCM_12, 192},
    {__LINE__, IKEV2_ENCR_NULL_AUTH_AES_GMAC, 256},
    {__LINE__, IKEV2_ENCR_CHACHA20_POLY1305, 256},
};

static void test_roundtrip(void)
{
	for (size_t a = 0; a < sizeof(all_algs) / sizeof(all_algs[0]); a++) {
		int row = all_algs[a].line;
		struct enc *se = NULL, *de = NULL, *sd = NULL, *dd = NULL;
		struct enc_info info;
		uint8_t key[ENC_MAX_KEY_LEN], iv[ENC_MAX_IV_LEN], aad[12], icv[ENC_MAX_ICV_LEN];
		uint8_t pt[256], buf[256], buf2[256];

		T_EQ_ROW(row, enc_lookup(all_algs[a].id, all_algs[a].bits, &info), 0);
		T_EQ_ROW(row, crypto_rand_bytes(key, sizeof(key)), 0);
		T_EQ_ROW(row, crypto_rand_bytes(pt, sizeof(pt)), 0);
		T_EQ_ROW(row, crypto_rand_bytes(aad, sizeof(aad)), 0);
		T_EQ_ROW(
		    row,
		    enc_new(all_algs[a].id, all_algs[a].bits, ENC_ENCRYPT, key, info.key_len, &se),
		    0);
		T_EQ_ROW(
		    row,
		    enc_new(all_algs[a].id, all_algs[a].bits, ENC_DECRYPT, key, info.key_len, &de),
		    0);
		if (!se || !de)
			goto next;
		T_EQ_ROW(row, enc_dup(se, &sd), 0);
		T_EQ_ROW(row, enc_dup(de, &dd), 0);
		if (!sd || !dd)
			goto next;
		size_t aad_len = info.aead ? sizeof(aad) : 0;
		for (size_t len = 0; len <= sizeof(pt); len += info.block_size * 3 + 1) {
			len -= len % info.block_size;
			T_EQ_ROW(row, crypto_rand_bytes(iv, sizeof(iv)), 0);
			T_EQ_ROW(row, enc_seal(se, iv, aad, aad_len, pt, len, buf, icv), 0);
			memcpy(buf2, pt, len);
			uint8_t icv2[ENC_MAX_ICV_LEN];
			T_EQ_ROW(row, enc_seal(sd, iv, aad, aad_len, buf2, len, buf2, icv2), 0);
			T_MEM_ROW(row, buf2, len, buf, len);
			T_MEM_ROW(row, icv2, info.icv_len, icv, info.icv_len);
			if (len >= 16)
				T_OK_ROW(row,
					 (memcmp(buf, pt, len) == 0) ==
					     (info.key_len == 0 || info.auth_only),
					 "ciphertext differs from plaintext except for NULL/GMAC");
			T_EQ_ROW(row, enc_open(dd, iv, aad, aad_len, buf, len, buf, icv), 0);
			T_MEM_ROW(row, buf, len, pt, len);
			if (info.aead) {
				iv[0] ^= 1; /* another IV must not verify */
				T_EQ_ROW(row, enc_open(de, iv, aad, aad_len, buf2, len, buf, icv2),
					 ERR_AUTH);
			}
		}
	next:
		enc_free(se);
		enc_free(de);
		enc_free(sd);
		enc_free(dd);
	}
}

/* The per-packet path allocates nothing: OpenSSL's allocations are counted through
 * CRYPTO_set_mem_functions (installed first thing in main) around many seal/open calls. */
static unsigned long ossl_allocs;

static void *count_malloc(size_t n, const char *file, int line)
{
	(void)file;
	(void)line;
	ossl_allocs++;
	return malloc(n);
}

static void *count_realloc(void *p, size_t n, const char *file, int line)
{
	(void)file;
	(void)line;
	ossl_allocs++;
	return realloc(p, n);
}

static void count_free(void *p, const char *file, int line)
{
	(void)file;
	(void)line;
	free(p);
}

static void test_no_alloc(int counting)
{
	if (!counting) {
		T_OK(0, "CRYPTO_set_mem_functions refused: allocation counting unavailable");
		return;
	}
	for (size_t a = 0; a < sizeof(all_algs) / sizeof(all_algs[0]); a++) {
		int row = all_algs[a].line;
		static const uint8_t key[ENC_MAX_KEY_LEN] = {7};
		static const uint8_t iv[ENC_MAX_IV_LEN] = {1};
		static const uint8_t aad[8] = {2};
		uint8_t buf[1408] = {0}, icv[ENC_MAX_ICV_LEN];
		struct enc *se = NULL, *de = NULL;
		struct enc_info info;

		T_EQ_ROW(row, enc_lookup(all_algs[a].id, all_algs[a].bits, &info), 0);
		unsigned long at_new = ossl_allocs;
		T_EQ_ROW(
		    row,
		    enc_new(all_algs[a].id, all_algs[a].bits, ENC_ENCRYPT, key, info.key_len, &se),
		    0);
		T_EQ_ROW(
		    row,
		    enc_new(all_algs[a].id, all_algs[a].bits, ENC_DECRYPT, key, info.key_len, &de),
		    0);
		if (!se || !de)
			goto next;
		/* the counter sees OpenSSL's allocations: keying allocates (except NULL) */
		T_OK_ROW(row, info.key_len == 0 || ossl_allocs > at_new, "allocations are counted");
		size_t aad_len = info.aead ? sizeof(aad) : 0;
		unsigned long before = ossl_allocs;
		int errs = 0;
		for (int i = 0; i < 100; i++) {
			errs |= enc_seal(se, iv, aad, aad_len, buf, sizeof(buf), buf, icv);
			errs |= enc_open(de, iv, aad, aad_len, buf, sizeof(buf), buf, icv);
		}
		T_EQ_ROW(row, errs, 0);
		T_EQ_ROW(row, ossl_allocs - before, 0);
	next:
		enc_free(se);
		enc_free(de);
	}
}

int main(void)
{
	int counting = CRYPTO_set_mem_functions(count_malloc, count_realloc, count_free) == 1;

	test_lookup();
	test_args();
	test_roundtrip();
	test_keymat_file(__LINE__, "rfc/aes_gcm_ipsec_keymat.json");
	test_keymat_file(__LINE__, "rfc/rfc4309_aes_ccm_ipsec_keymat.json");
	test_keymat_file(__LINE__, "rfc/chacha20poly1305_ipsec_keymat.json");
	test_rfc3686();
	test_rfc3602();
	test_rfc3602_esp();
	test_rfc7634();
	test_mcgrew();
	test_gmac();
	test_wycheproof(__LINE__, "wycheproof/aes_gcm_test.json", 4, 116, 81);
	test_wycheproof(__LINE__, "wycheproof/aes_ccm_test.json", 3, 18, 0);
	test_wycheproof(__LINE__, "wycheproof/chacha20_poly1305_test.json", 4, 256, 60);
	test_no_alloc(counting);
	return t_finish();
}
