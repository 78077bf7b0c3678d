/* IKE key derivation: the two IKEv2 exchanges of ike/ikev2_exchange_vectors.json (SKEYSEED,
 * SK_*, child keys byte for byte from the given g^ir), the NIST SP 800-135 IKEv2 and IKEv1
 * samples, and the RFC 2409 expansions checked against their defining formulas. The derived
 * keys must also open the exchanges' IKE_AUTH SK payloads and ESP packets in both directions. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/enc.h"
#include "crypto/integ.h"
#include "crypto/kdf.h"
#include "crypto/prf.h"
#include "lib/buf.h"
#include "lib/err.h"
#include "support/test.h"
#include "support/vec.h"
#include "wire/iana.h"

/* A secret from a hex member (NULL on failure, recorded). */
static struct secret *hex_secret(const json_t *obj, const char *key)
{
	uint8_t *p = NULL;
	size_t len;
	struct secret *s = NULL;

	if (vec_hex_member(obj, key, &p, &len) == 0)
		s = secret_new(p, len);
	T_OK(s != NULL, "member %s", key);
	free(p);
	return s;
}

static void expect_secret(int row, const char *what, const struct secret *got, const json_t *obj,
			  const char *key)
{
	uint8_t *want = NULL;
	size_t len;

	if (vec_hex_member(obj, key, &want, &len) != 0) {
		T_OK_ROW(row, 0, "%s: no member %s", what, key);
		return;
	}
	if (len == 0)
		T_OK_ROW(row, got == NULL, "%s: empty key comes back as NULL", what);
	else if (!got)
		T_OK_ROW(row, 0, "%s: missing", what);
	else
		T_MEM_ROW(row, got->p, got->len, want, len);
	free(want);
}

/* The derived keys open the exchange's own messages: the SK payloads of IKE_AUTH (RFC 7296
 * §3.14 with AES-CBC + HMAC-SHA2-256-128; RFC 5282 with AES-GCM-16) and the ESP packets of the
 * Child SA, both directions. */
static void open_sk(int row, const char *what, const uint8_t *msg, size_t len, uint16_t encr,
		    unsigned bits, const struct secret *sk_e, uint16_t integ,
		    const struct secret *sk_a)
{
	struct enc *e = NULL;
	struct integ *m = NULL;
	struct enc_info ei;
	uint8_t pt[1024];
	size_t icv_len = 0;

	T_EQ_ROW(row, enc_lookup(encr, bits, &ei), 0);
	T_EQ_ROW(row, enc_new(encr, bits, ENC_DECRYPT, sk_e->p, sk_e->len, &e), 0);
	if (integ) {
		T_EQ_ROW(row, integ_new(integ, sk_a->p, sk_a->len, &m), 0);
		icv_len = m ? integ_get_info(m)->icv_len : 0;
	} else {
		icv_len = ei.icv_len;
	}
	/* IKE header (28) | SK generic header (4) | IV | ciphertext | ICV; SK first */
	if (!e || (integ && !m) || len < 32 + ei.iv_len + icv_len || msg[16] != 46 ||
	    buf_load_be32(msg + 24) != len || buf_load_be16(msg + 30) != len - 28) {
		T_OK_ROW(row, 0, "%s: not an SK message", what);
		goto out;
	}
	const uint8_t *iv = msg + 32, *ct = iv + ei.iv_len;
	size_t ct_len = len - 32 - ei.iv_len - icv_len;
	const uint8_t *icv = ct + ct_len;
	if (m) {
		struct crypto_span all = {msg, len - icv_len};
		T_EQ_ROW(row, integ_verify(m, &all, 1, icv), 0);
		T_EQ_ROW(row, enc_open(e, iv, NULL, 0, ct, ct_len, pt, NULL), 0);
	} else {
		T_EQ_ROW(row, enc_open(e, iv, msg, 32, ct, ct_len, pt, icv), 0);
	}
	/* the plaintext ends with the pad length; the first inner payload is IDi or IDr */
	T_OK_ROW(row, ct_len > 0 && pt[ct_len - 1] < ct_len, "%s: pad length %u of %zu", what,
		 ct_len ? pt[ct_len - 1] : 0, ct_len);
	T_OK_ROW(row, msg[32 - 4] == 35 || msg[32 - 4] == 36, "%s: first inner payload ID", what);
out:
	enc_free(e);
	integ_free(m);
}

static void open_esp(int row, const char *what, const uint8_t *ip, size_t len, uint16_t encr,
		     unsigned bits, const struct secret *ekey, uint16_t integ,
		     const struct secret *akey)
{
	struct enc *e = NULL;
	struct integ *m = NULL;
	struct enc_info ei;
	uint8_t pt[1024];
	size_t icv_len;

	T_EQ_ROW(row, enc_lookup(encr, bits, &ei), 0);
	T_EQ_ROW(row, enc_new(encr, bits, ENC_DECRYPT, ekey->p, ekey->len, &e), 0);
	if (integ)
		T_EQ_ROW(row, integ_new(integ, akey->p, akey->len, &m), 0);
	icv_len = m ? integ_get_info(m)->icv_len : ei.icv_len;
	if (!e || (integ && !m) || len < 20 + 8 + ei.iv_len + icv_len || ip[9] != 50) {
		T_OK_ROW(row, 0, "%s: not an ESP packet", what);
		goto out;
	}
	const uint8_t *esp = ip + 20, *iv = esp + 8, *ct = iv + ei.iv_len;
	size_t ct_len = len - 20 - 8 - ei.iv_len - icv_len;
	const uint8_t *icv = ct + ct_len;
	if (m) {
		struct crypto_span all = {esp, 8 + ei.iv_len + ct_len};
		T_EQ_ROW(row, integ_verify(m, &all, 1, icv), 0);
		T_EQ_ROW(row, enc_open(e, iv, NULL, 0, ct, ct_len, pt, NULL), 0);
	} else {
		T_EQ_ROW(row, enc_open(e, iv, esp, 8, ct, ct_len, pt, icv), 0);
	}
	/* RFC 4303 §2.4 trailer; these packets carry UDP in transport mode (next header 17),
	 * and the UDP length matches what the padding leaves */
	size_t pad = ct_len ? pt[ct_len - 2] : 0;
	T_OK_ROW(row,
		 ct_len >= 10 && pt[ct_len - 1] == 17 && pad + 2 + 8 <= ct_len &&
		     buf_load_be16(pt + 4) == ct_len - 2 - pad,
		 "%s: UDP payload and trailer", what);
out:
	enc_free(e);
	integ_free(m);
}

/* Exchange e: "ENCR_AES_CBC-256/PRF_HMAC_SHA2_256/AUTH_HMAC_SHA2_256_128/19" with a child
 * "ESP ENCR_AES_GCM_16-256" and the reverse. Sizes from the proposals. */
struct suite {
	uint16_t encr;
	unsigned bits;
	uint16_t integ; /* 0 with an AEAD */
};

static void test_exchange(int row, const json_t *e, struct suite ike, struct suite child)
{
	struct enc_info ike_ei, child_ei;
	struct integ_info ike_ii = {0}, child_ii = {0};
	const json_t *in = json_object_get(e, "inputs");
	const json_t *d = json_object_get(e, "derived");
	uint8_t *ni = NULL, *nr = NULL, *spii = NULL, *spir = NULL;
	size_t ni_len, nr_len, spii_len, spir_len;
	struct secret *g_ir = hex_secret(d, "g^ir");
	struct secret *skeyseed = NULL;
	struct kdf_ikev2_sa_keys k = {0};
	struct kdf_child_keys c = {0};

	T_EQ_ROW(row, enc_lookup(ike.encr, ike.bits, &ike_ei), 0);
	T_EQ_ROW(row, enc_lookup(child.encr, child.bits, &child_ei), 0);
	if (ike.integ)
		T_EQ_ROW(row, integ_lookup(ike.integ, &ike_ii), 0);
	if (child.integ)
		T_EQ_ROW(row, integ_lookup(child.integ, &child_ii), 0);
	size_t ike_integ = ike_ii.key_len, ike_enc = ike_ei.key_len;
	size_t child_integ = child_ii.key_len, child_enc = child_ei.key_len;
	if (vec_hex_member(in, "Ni", &ni, &ni_len) || vec_hex_member(in, "Nr", &nr, &nr_len) ||
	    vec_hex_member(in, "SPIi", &spii, &spii_len) ||
	    vec_hex_member(in, "SPIr", &spir, &spir_len) || !g_ir || spii_len != 8 ||
	    spir_len != 8) {
		T_OK_ROW(row, 0, "exchange inputs unreadable");
		goto out;
	}
	T_EQ_ROW(
	    row,
	    kdf_ikev2_skeyseed(IKEV2_PRF_HMAC_SHA2_256, ni, ni_len, nr, nr_len, g_ir, &skeyseed),
	    0);
	expect_secret(row, "SKEYSEED", skeyseed, d, "SKEYSEED");
	if (!skeyseed)
		goto out;
	T_EQ_ROW(row,
		 kdf_ikev2_sa_keys(IKEV2_PRF_HMAC_SHA2_256, skeyseed, ni, ni_len, nr, nr_len, spii,
				   spir, ike_integ, ike_enc, &k),
		 0);
	expect_secret(row, "SK_d", k.sk_d, d, "SK_d");
	expect_secret(row, "SK_ai", k.sk_ai, d, "SK_ai");
	expect_secret(row, "SK_ar", k.sk_ar, d, "SK_ar");
	expect_secret(row, "SK_ei", k.sk_ei, d, "SK_ei");
	expect_secret(row, "SK_er", k.sk_er, d, "SK_er");
	expect_secret(row, "SK_pi", k.sk_pi, d, "SK_pi");
	expect_secret(row, "SK_pr", k.sk_pr, d, "SK_pr");
	if (!k.sk_d)
		goto out;
	T_EQ_ROW(row,
		 kdf_ikev2_child_keys(IKEV2_PRF_HMAC_SHA2_256, k.sk_d, NULL, ni, ni_len, nr, nr_len,
				      child_enc, child_integ, &c),
		 0);
	expect_secret(row, "child encr i", c.encr_i, d, "child_encr_i");
	expect_secret(row, "child integ i", c.integ_i, d, "child_integ_i");
	expect_secret(row, "child encr r", c.encr_r, d, "child_encr_r");
	expect_secret(row, "child integ r", c.integ_r, d, "child_integ_r");

	/* the keys open the exchange's messages */
	const json_t *msgs = json_object_get(e, "messages");
	static const struct {
		const char *name;
		bool ike, initiator;
	} m[] = {
	    {"IKE_AUTH_req", true, true},
	    {"IKE_AUTH_resp", true, false},
	    {"ESP_i_to_r", false, true},
	    {"ESP_r_to_i", false, false},
	};
	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		uint8_t *bytes = NULL;
		size_t len;
		if (vec_hex_member(msgs, m[i].name, &bytes, &len)) {
			T_OK_ROW(row, 0, "no message %s", m[i].name);
			continue;
		}
		if (m[i].ike)
			open_sk(row, m[i].name, bytes, len, ike.encr, ike.bits,
				m[i].initiator ? k.sk_ei : k.sk_er, ike.integ,
				m[i].initiator ? k.sk_ai : k.sk_ar);
		else
			open_esp(row, m[i].name, bytes, len, child.encr, child.bits,
				 m[i].initiator ? c.encr_i : c.encr_r, child.integ,
				 m[i].initiator ? c.integ_i : c.integ_r);
		free(bytes);
	}

	/* the PSK AUTH pad: prf(PSK, "Key Pad for IKEv2") (RFC 7296 §2.15) */
	const char *psk = vec_str(in, "psk_ascii");
	uint8_t *pad_want = NULL, pad[PRF_MAX_OUT_LEN];
	size_t pad_len;
	struct crypto_span kp = {"Key Pad for IKEv2", 17};
	if (vec_hex_member(d, "prf(PSK,'Key Pad for IKEv2')", &pad_want, &pad_len) == 0) {
		T_EQ_ROW(row,
			 prf_oneshot(IKEV2_PRF_HMAC_SHA2_256, (const uint8_t *)psk, strlen(psk),
				     &kp, 1, pad),
			 0);
		T_MEM_ROW(row, pad, pad_len, pad_want, pad_len);
	}
	free(pad_want);
out:
	kdf_child_keys_cleanup(&c);
	kdf_ikev2_sa_keys_cleanup(&k);
	secret_free(skeyseed);
	secret_free(g_ir);
	free(ni);
	free(nr);
	free(spii);
	free(spir);
}

static void test_exchanges(void)
{
	json_t *root = vec_load("ike/ikev2_exchange_vectors.json");
	const json_t *ex;

	if (!root)
		return;
	ex = json_object_get(root, "exchanges");
	T_EQ(json_array_size(ex), 2);
	if (json_array_size(ex) == 2) {
		/* AES-CBC-256 + HMAC-SHA2-256-128 IKE SA; child AES-GCM-16-256 (key + salt). */
		T_OK(strcmp(vec_str(json_array_get(ex, 0), "ike_proposal"),
			    "ENCR_AES_CBC-256/PRF_HMAC_SHA2_256/AUTH_HMAC_SHA2_256_128/19") == 0,
		     "exchange 0 proposal");
		test_exchange(
		    __LINE__, json_array_get(ex, 0),
		    (struct suite){IKEV2_ENCR_AES_CBC, 256, IKEV2_INTEG_HMAC_SHA2_256_128},
		    (struct suite){IKEV2_ENCR_AES_GCM_16, 256, 0});
		/* AES-GCM-16-256 IKE SA; child AES-CBC-128 + HMAC-SHA2-256-128. */
		T_OK(strcmp(vec_str(json_array_get(ex, 1), "ike_proposal"),
			    "ENCR_AES_GCM_16-256/PRF_HMAC_SHA2_256/19") == 0,
		     "exchange 1 proposal");
		test_exchange(
		    __LINE__, json_array_get(ex, 1), (struct suite){IKEV2_ENCR_AES_GCM_16, 256, 0},
		    (struct suite){IKEV2_ENCR_AES_CBC, 128, IKEV2_INTEG_HMAC_SHA2_256_128});
	}
	json_decref(root);
}

static const json_t *find_vector(const json_t *root, const char *id)
{
	const json_t *v;
	size_t i;

	json_array_foreach(json_object_get(root, "vectors"), i, v)
	{
		if (strcmp(vec_str(v, "id"), id) == 0)
			return v;
	}
	T_OK(0, "vector %s not found", id);
	return NULL;
}

/* Concatenates secrets (NULLs skipped) and compares with want. */
static void expect_concat(int row, const char *what, struct secret *const *s, size_t n,
			  const json_t *obj, const char *key)
{
	uint8_t buf[1024];
	size_t len = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] && len + s[i]->len <= sizeof(buf)) {
			memcpy(buf + len, s[i]->p, s[i]->len);
			len += s[i]->len;
		}
	}
	struct secret *all = secret_new(buf, len);
	expect_secret(row, what, all, obj, key);
	secret_free(all);
}

static void test_cavp_ikev2(void)
{
	json_t *root = vec_load("rfc/ike_kdf_prfplus_cavp.json");
	const json_t *v = root ? find_vector(root, "cavp-ikev2-sha1-libreswan") : NULL;
	uint8_t *ni = NULL, *nr = NULL, *spii = NULL, *spir = NULL;
	size_t ni_len, nr_len, l1, l2;
	struct secret *g_ir = NULL, *g_new = NULL, *skeyseed = NULL, *rekey = NULL;
	struct kdf_ikev2_sa_keys k = {0};
	struct kdf_child_keys c = {0}, cdh = {0};

	if (!v)
		goto out;
	const json_t *x = json_object_get(v, "expected");
	g_ir = hex_secret(v, "g^ir");
	g_new = hex_secret(v, "g^ir_new");
	if (vec_hex_member(v, "Ni", &ni, &ni_len) || vec_hex_member(v, "Nr", &nr, &nr_len) ||
	    vec_hex_member(v, "SPIi", &spii, &l1) || vec_hex_member(v, "SPIr", &spir, &l2) ||
	    l1 != 8 || l2 != 8 || !g_ir || !g_new) {
		T_OK(0, "cavp ikev2 unreadable");
		goto out;
	}
	T_EQ(kdf_ikev2_skeyseed(IKEV2_PRF_HMAC_SHA1, ni, ni_len, nr, nr_len, g_ir, &skeyseed), 0);
	expect_secret(__LINE__, "SKEYSEED", skeyseed, x, "SKEYSEED");
	if (!skeyseed)
		goto out;
	/* DKM of 132 octets = 3 * 20 (SK_d, SK_pi, SK_pr) + 2 * 20 (integ) + 2 * 16 (enc) */
	T_EQ(kdf_ikev2_sa_keys(IKEV2_PRF_HMAC_SHA1, skeyseed, ni, ni_len, nr, nr_len, spii, spir,
			       20, 16, &k),
	     0);
	struct secret *dkm[7] = {k.sk_d, k.sk_ai, k.sk_ar, k.sk_ei, k.sk_er, k.sk_pi, k.sk_pr};
	expect_concat(__LINE__, "DKM", dkm, 7, x, "DKM");
	if (!k.sk_d)
		goto out;
	/* child DKM of 132 octets = 2 * (46 + 20) */
	T_EQ(kdf_ikev2_child_keys(IKEV2_PRF_HMAC_SHA1, k.sk_d, NULL, ni, ni_len, nr, nr_len, 46, 20,
				  &c),
	     0);
	struct secret *ck[4] = {c.encr_i, c.integ_i, c.encr_r, c.integ_r};
	expect_concat(__LINE__, "DKM_child", ck, 4, x, "DKM_child");
	T_EQ(kdf_ikev2_child_keys(IKEV2_PRF_HMAC_SHA1, k.sk_d, g_new, ni, ni_len, nr, nr_len, 66, 0,
				  &cdh),
	     0);
	T_OK(cdh.integ_i == NULL && cdh.integ_r == NULL, "no integ keys of length 0");
	struct secret *ckdh[2] = {cdh.encr_i, cdh.encr_r};
	expect_concat(__LINE__, "DKM_child_dh", ckdh, 2, x, "DKM_child_dh");
	T_EQ(kdf_ikev2_skeyseed_rekey(IKEV2_PRF_HMAC_SHA1, k.sk_d, g_new, ni, ni_len, nr, nr_len,
				      &rekey),
	     0);
	expect_secret(__LINE__, "SKEYSEED_rekey", rekey, x, "SKEYSEED_rekey");
out:
	kdf_ikev2_sa_keys_cleanup(&k);
	kdf_child_keys_cleanup(&c);
	kdf_child_keys_cleanup(&cdh);
	secret_free(g_ir);
	secret_free(g_new);
	secret_free(skeyseed);
	secret_free(rekey);
	free(ni);
	free(nr);
	free(spii);
	free(spir);
	json_decref(root);
}

static void test_cavp_ikev1(void)
{
	json_t *root = vec_load("rfc/ike_kdf_prfplus_cavp.json");
	const json_t *v = root ? find_vector(root, "cavp-ikev1-psk-sha1-libreswan") : NULL;
	uint8_t *ni = NULL, *nr = NULL, *ckyi = NULL, *ckyr = NULL;
	size_t ni_len, nr_len, l1, l2;
	struct secret *psk = NULL, *g_xy = NULL, *skeyid = NULL;
	struct kdf_ikev1_keys k = {0};
	uint16_t prf_id = 0;

	if (!v)
		goto out;
	const json_t *x = json_object_get(v, "expected");
	psk = hex_secret(v, "pre_shared_key");
	g_xy = hex_secret(v, "g^xy");
	if (vec_hex_member(v, "Ni", &ni, &ni_len) || vec_hex_member(v, "Nr", &nr, &nr_len) ||
	    vec_hex_member(v, "CKY_I", &ckyi, &l1) || vec_hex_member(v, "CKY_R", &ckyr, &l2) ||
	    l1 != 8 || l2 != 8 || !psk || !g_xy) {
		T_OK(0, "cavp ikev1 unreadable");
		goto out;
	}
	T_EQ(kdf_ikev1_prf_for_hash(IKEV1_HASH_SHA1, &prf_id), 0);
	T_EQ(prf_id, IKEV2_PRF_HMAC_SHA1);
	T_EQ(kdf_ikev1_skeyid_psk(prf_id, psk, ni, ni_len, nr, nr_len, &skeyid), 0);
	expect_secret(__LINE__, "SKEYID", skeyid, x, "SKEYID");
	if (!skeyid)
		goto out;
	T_EQ(kdf_ikev1_keys(prf_id, skeyid, g_xy, ckyi, ckyr, &k), 0);
	expect_secret(__LINE__, "SKEYID_d", k.skeyid_d, x, "SKEYID_d");
	expect_secret(__LINE__, "SKEYID_a", k.skeyid_a, x, "SKEYID_a");
	expect_secret(__LINE__, "SKEYID_e", k.skeyid_e, x, "SKEYID_e");
out:
	kdf_ikev1_keys_cleanup(&k);
	secret_free(psk);
	secret_free(g_xy);
	secret_free(skeyid);
	free(ni);
	free(nr);
	free(ckyi);
	free(ckyr);
	json_decref(root);
}

/* The RFC 2409 expansions against their formulas, computed step by step with prf_compute. */
static void test_ikev1_expansions(void)
{
	static const uint8_t e_key[20] = {1, 2, 3, 4, 5};
	static const uint8_t d_key[20] = {9, 8, 7};
	static const uint8_t gqm[32] = {0x42};
	static const uint8_t spi[4] = {0xc0, 0x01, 0x02, 0x03};
	static const uint8_t ni[16] = {0x11}, nr[16] = {0x22};
	struct secret *skeyid_e = secret_new(e_key, sizeof(e_key));
	struct secret *skeyid_d = secret_new(d_key, sizeof(d_key));
	struct secret *g = secret_new(gqm, sizeof(gqm));
	struct secret *key = NULL, *km = NULL, *km_pfs = NULL;
	uint8_t k1[20], k2[20];
	struct prf *p = NULL;

	/* AES-256 needs 32 octets from a 20-octet SKEYID_e: Ka = K1 | K2 */
	T_EQ(kdf_ikev1_enc_key(IKEV2_PRF_HMAC_SHA1, skeyid_e, 32, &key), 0);
	T_EQ(prf_new(IKEV2_PRF_HMAC_SHA1, e_key, sizeof(e_key), &p), 0);
	struct crypto_span zero = {"\0", 1};
	T_EQ(prf_compute(p, &zero, 1, k1), 0);
	struct crypto_span prev = {k1, 20};
	T_EQ(prf_compute(p, &prev, 1, k2), 0);
	prf_free(p);
	p = NULL;
	if (key) {
		T_EQ(key->len, 32);
		T_MEM(key->p, 20, k1, 20);
		T_MEM(key->p + 20, 12, k2, 12);
	}
	secret_free(key);
	key = NULL;
	/* AES-128 from a 20-octet SKEYID_e: its first 16 octets */
	T_EQ(kdf_ikev1_enc_key(IKEV2_PRF_HMAC_SHA1, skeyid_e, 16, &key), 0);
	if (key)
		T_MEM(key->p, key->len, e_key, 16);
	secret_free(key);

	/* Quick Mode KEYMAT with and without PFS, 36 octets (two SHA-1 blocks) */
	T_EQ(kdf_ikev1_keymat(IKEV2_PRF_HMAC_SHA1, skeyid_d, NULL, IPSEC_PROTO_ESP, spi, ni,
			      sizeof(ni), nr, sizeof(nr), 36, &km),
	     0);
	T_EQ(kdf_ikev1_keymat(IKEV2_PRF_HMAC_SHA1, skeyid_d, g, IPSEC_PROTO_ESP, spi, ni,
			      sizeof(ni), nr, sizeof(nr), 36, &km_pfs),
	     0);
	T_EQ(prf_new(IKEV2_PRF_HMAC_SHA1, d_key, sizeof(d_key), &p), 0);
	uint8_t proto = IPSEC_PROTO_ESP;
	struct crypto_span f1[4] = {{&proto, 1}, {spi, 4}, {ni, 16}, {nr, 16}};
	struct crypto_span f2[5] = {{k1, 20}, {&proto, 1}, {spi, 4}, {ni, 16}, {nr, 16}};
	T_EQ(prf_compute(p, f1, 4, k1), 0);
	T_EQ(prf_compute(p, f2, 5, k2), 0);
	if (km) {
		T_MEM(km->p, 20, k1, 20);
		T_MEM(km->p + 20, 16, k2, 16);
	}
	struct crypto_span g1[5] = {{gqm, 32}, {&proto, 1}, {spi, 4}, {ni, 16}, {nr, 16}};
	struct crypto_span g2[6] = {{k1, 20}, {gqm, 32}, {&proto, 1}, {spi, 4}, {ni, 16}, {nr, 16}};
	T_EQ(prf_compute(p, g1, 5, k1), 0);
	T_EQ(prf_compute(p, g2, 6, k2), 0);
	if (km_pfs) {
		T_MEM(km_pfs->p, 20, k1, 20);
		T_MEM(km_pfs->p + 20, 16, k2, 16);
	}
	prf_free(p);

	/* IV = hash(g^xi | g^xr) truncated: SHA-1("abc") is a FIPS 180 known answer */
	static const uint8_t sha1_abc[] = {0xa9, 0x99, 0x3e, 0x36, 0x47, 0x06, 0x81, 0x6a,
					   0xba, 0x3e, 0x25, 0x71, 0x78, 0x50, 0xc2, 0x6c};
	uint8_t iv[16];
	struct crypto_span abc[2] = {{"a", 1}, {"bc", 2}};
	T_EQ(kdf_ikev1_iv(IKEV2_PRF_HMAC_SHA1, abc, 2, 16, iv), 0);
	T_MEM(iv, 16, sha1_abc, 16);
	T_EQ(kdf_ikev1_iv(IKEV2_PRF_HMAC_SHA1, abc, 2, 21, iv), ERR_INVAL);
	T_EQ(kdf_ikev1_iv(IKEV2_PRF_AES128_XCBC, abc, 2, 16, iv), ERR_UNSUPPORTED);

	secret_free(km);
	secret_free(km_pfs);
	secret_free(skeyid_e);
	secret_free(skeyid_d);
	secret_free(g);
}

/* RFC 7296 §2.14: fixed-key PRFs use only the first 8 octets of each nonce for SKEYSEED. */
static void test_fixed_key_skeyseed(void)
{
	uint8_t ni[32], nr[32], key[16], want[16];
	struct secret *g = secret_new("shared secret g^ir", 18), *s = NULL;

	for (int i = 0; i < 32; i++) {
		ni[i] = (uint8_t)i;
		nr[i] = (uint8_t)(0x80 + i);
	}
	memcpy(key, ni, 8);
	memcpy(key + 8, nr, 8);
	struct crypto_span part = {g->p, g->len};
	T_EQ(prf_oneshot(IKEV2_PRF_AES128_CMAC, key, 16, &part, 1, want), 0);
	T_EQ(kdf_ikev2_skeyseed(IKEV2_PRF_AES128_CMAC, ni, 32, nr, 32, g, &s), 0);
	if (s)
		T_MEM(s->p, s->len, want, 16);
	secret_free(s);
	s = NULL;
	T_EQ(kdf_ikev2_skeyseed(IKEV2_PRF_AES128_XCBC, ni, 7, nr, 32, g, &s), ERR_INVAL);
	T_OK(s == NULL, "no output on failure");
	secret_free(g);
}

int main(void)
{
	test_exchanges();
	test_cavp_ikev2();
	test_cavp_ikev1();
	test_ikev1_expansions();
	test_fixed_key_skeyseed();
	return t_finish();
}
