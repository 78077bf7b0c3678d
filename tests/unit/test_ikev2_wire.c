/* IKEv2 message decoding: the real exchanges in ../shared/vectors (structure checked against the
 * JSON, SK payloads decrypted with the published keys and their inner chains decoded), the fuzz
 * corpus, and the malformed-input table (RFC 7296 §3 wire MUSTs), one row per case.
 * With "--decode HEXFILE [KEYFILE]" it decodes captured messages instead (see decode_file). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dirent.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "lib/err.h"
#include "lib/log.h"
#include "support/test.h"
#include "support/vec.h"
#include "wire/iana.h"
#include "wire/ikev2_const.h"
#include "wire/ikev2_msg.h"

static struct ikev2_digest dg; /* large: keep off the stack */
static struct ikev2_digest inner;
static struct ikev2_sa sa;

/* ---- the published exchanges ---- */

struct want_transform {
	uint8_t type;
	uint16_t id;
	uint16_t key_len; /* 0: no Key Length attribute */
};

/* Checks an SA payload's single proposal against the expected transforms. */
static void check_proposal(int row, const struct ikev2_payload *p, uint8_t proto,
			   const uint8_t *spi, size_t spi_len, const struct want_transform *t,
			   size_t nt)
{
	T_OK_ROW(row, p != NULL, "SA payload present");
	if (!p)
		return;
	T_EQ_ROW(row, ikev2_payload_sa(p, &sa), 0);
	T_EQ_ROW(row, sa.nproposals, 1);
	T_EQ_ROW(row, sa.p[0].num, 1);
	T_EQ_ROW(row, sa.p[0].proto, proto);
	T_MEM_ROW(row, sa.p[0].spi, sa.p[0].spi_size, spi, spi_len);
	T_EQ_ROW(row, sa.p[0].ntransforms, nt);
	for (size_t i = 0; i < nt && i < sa.p[0].ntransforms; i++) {
		T_EQ_ROW(row, sa.p[0].t[i].type, t[i].type);
		T_EQ_ROW(row, sa.p[0].t[i].id, t[i].id);
		T_EQ_ROW(row, sa.p[0].t[i].has_key_len, t[i].key_len != 0);
		T_EQ_ROW(row, sa.p[0].t[i].key_len, t[i].key_len);
		T_EQ_ROW(row, sa.p[0].t[i].n_unknown, 0);
	}
}

/* Decrypts an SK payload (AES-256-CBC + HMAC-SHA-256-128, or AES-256-GCM-16 when integ_key is
 * NULL) with the vector's keys and returns the inner payload chain in a malloc'd buffer. */
static uint8_t *decrypt_sk(int row, const uint8_t *msg, const struct ikev2_sk *sk,
			   const uint8_t *ekey, size_t ekey_len, const uint8_t *akey, size_t *n)
{
	bool gcm = akey == NULL;
	struct ikev2_sk_parts parts = {0};
	int split = ikev2_sk_split(sk, gcm ? 8 : 16, 16, gcm ? 1 : 16, &parts);
	T_EQ_ROW(row, split, 0);
	const uint8_t *iv = parts.iv, *ct = parts.ct, *icv = parts.icv;
	size_t ct_len = parts.ct_len;
	T_EQ_ROW(row, parts.ct_offset, sk->enc_offset + (gcm ? 8 : 16));
	uint8_t *pt = malloc(ct_len + 16);
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int l1 = 0, l2 = 0, ok;

	if (gcm) {
		uint8_t nonce[12];
		memcpy(nonce, ekey + 32, 4); /* RFC 5282 §4: salt || IV */
		memcpy(nonce + 4, iv, 8);
		ok = EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, NULL, NULL) &&
		     EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) &&
		     EVP_DecryptInit_ex(c, NULL, NULL, ekey, nonce) &&
		     EVP_DecryptUpdate(c, NULL, &l1, msg, (int)sk->aad_len) &&
		     EVP_DecryptUpdate(c, pt, &l1, ct, (int)ct_len) &&
		     EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16, (void *)icv) &&
		     EVP_DecryptFinal_ex(c, pt + l1, &l2);
		T_OK_ROW(row, ok, "GCM tag over AAD [0, %zu) verifies", sk->aad_len);
		(void)ekey_len;
	} else {
		uint8_t mac[32];
		unsigned mlen = 0;
		HMAC(EVP_sha256(), akey, 32, msg, (size_t)(icv - msg), mac, &mlen);
		T_MEM_ROW(row, mac, 16, icv, 16);
		ok = EVP_DecryptInit_ex(c, EVP_aes_256_cbc(), NULL, ekey, iv) &&
		     EVP_CIPHER_CTX_set_padding(c, 0) &&
		     EVP_DecryptUpdate(c, pt, &l1, ct, (int)ct_len) &&
		     EVP_DecryptFinal_ex(c, pt + l1, &l2);
		T_OK_ROW(row, ok, "CBC decrypt");
	}
	EVP_CIPHER_CTX_free(c);
	size_t len = (size_t)l1 + (size_t)l2;
	*n = 0;
	T_EQ_ROW(row, ikev2_sk_unpad(pt, len, n), 0);
	return pt;
}

static void check_inner(int row, bool initiator, const uint8_t *auth, size_t auth_len,
			const struct want_transform *child, size_t nchild, uint32_t child_spi)
{
	const struct ikev2_payload *p;
	uint8_t spi[4];
	const char *name = initiator ? "initiator.example" : "responder.example";

	p = ikev2_digest_first(&inner, initiator ? IKEV2_PT_IDi : IKEV2_PT_IDr);
	T_OK_ROW(row, p != NULL, "ID payload");
	if (p) {
		T_EQ_ROW(row, p->u.id.type, IKEV2_ID_FQDN);
		T_MEM_ROW(row, p->u.id.data, p->u.id.len, name, strlen(name));
	}
	p = ikev2_digest_first(&inner, IKEV2_PT_AUTH);
	T_OK_ROW(row, p != NULL, "AUTH payload");
	if (p) {
		T_EQ_ROW(row, p->u.auth.method, IKEV2_AUTH_SHARED_KEY_MIC);
		T_MEM_ROW(row, p->u.auth.data, p->u.auth.len, auth, auth_len);
	}
	buf_store_be32(spi, child_spi);
	check_proposal(row, ikev2_digest_first(&inner, IKEV2_PT_SA), IKEV2_PROTO_ESP, spi, 4, child,
		       nchild);
	T_EQ_ROW(row, ikev2_digest_count(&inner, IKEV2_PT_TSi), 1);
	T_EQ_ROW(row, ikev2_digest_count(&inner, IKEV2_PT_TSr), 1);
	for (uint8_t t = IKEV2_PT_TSi; t <= IKEV2_PT_TSr; t++) {
		struct ikev2_ts_payload ts;
		p = ikev2_digest_first(&inner, t);
		if (!p)
			continue;
		T_EQ_ROW(row, ikev2_payload_ts(p, &ts), 0);
		T_OK_ROW(row, ts.count >= 1, "at least one selector");
		T_EQ_ROW(row, ts.ts[0].inverted, 0);
	}
	T_EQ_ROW(row, inner.n_unknown, 0);
}

static void test_exchange_vectors(void)
{
	json_t *root = vec_load("ike/ikev2_exchange_vectors.json");
	json_t *ex;
	size_t i;

	if (!root)
		return;
	json_array_foreach(json_object_get(root, "exchanges"), i, ex)
	{
		int row = (int)i + 1;
		json_t *in = json_object_get(ex, "inputs"), *msgs = json_object_get(ex, "messages");
		json_t *der = json_object_get(ex, "derived");
		bool gcm = strstr(vec_str(ex, "ike_proposal"), "GCM") != NULL;
		uint8_t *spii, *spir, *ni, *nr, *kei, *ker, *m[4], *iv3, *iv4, *ei, *er,
		    *ai = NULL, *ar = NULL, *authi, *authr;
		size_t l_spii, l_spir, l_ni, l_nr, l_kei, l_ker, lm[4], l_iv3, l_iv4, l_ei, l_er,
		    l_a, l_authi, l_authr;
		static const char *const names[4] = {"IKE_SA_INIT_req", "IKE_SA_INIT_resp",
						     "IKE_AUTH_req", "IKE_AUTH_resp"};
		static const uint8_t zero8[8];
		struct ikev2_decode_err e;
		int bad = vec_hex_member(in, "SPIi", &spii, &l_spii) |
			  vec_hex_member(in, "SPIr", &spir, &l_spir) |
			  vec_hex_member(in, "Ni", &ni, &l_ni) |
			  vec_hex_member(in, "Nr", &nr, &l_nr) |
			  vec_hex_member(in, "iv_msg3", &iv3, &l_iv3) |
			  vec_hex_member(in, "iv_msg4", &iv4, &l_iv4) |
			  vec_hex_member(der, "KEi", &kei, &l_kei) |
			  vec_hex_member(der, "KEr", &ker, &l_ker) |
			  vec_hex_member(der, "SK_ei", &ei, &l_ei) |
			  vec_hex_member(der, "SK_er", &er, &l_er) |
			  vec_hex_member(der, "AUTH_i", &authi, &l_authi) |
			  vec_hex_member(der, "AUTH_r", &authr, &l_authr);
		for (int k = 0; k < 4; k++)
			bad |= vec_hex_member(msgs, names[k], &m[k], &lm[k]);
		if (!gcm)
			bad |= vec_hex_member(der, "SK_ai", &ai, &l_a) |
			       vec_hex_member(der, "SK_ar", &ar, &l_a);
		T_OK_ROW(row, bad == 0, "vector fields present");
		if (bad)
			break;

		/* HDR, SAi1, KEi, Ni  /  HDR, SAr1, KEr, Nr */
		const struct want_transform ike_cbc[] = {{IKEV2_TRANS_ENCR, 12, 256},
							 {IKEV2_TRANS_PRF, 5, 0},
							 {IKEV2_TRANS_INTEG, 12, 0},
							 {IKEV2_TRANS_KE, 19, 0}};
		const struct want_transform ike_gcm[] = {
		    {IKEV2_TRANS_ENCR, 20, 256}, {IKEV2_TRANS_PRF, 5, 0}, {IKEV2_TRANS_KE, 19, 0}};
		const struct want_transform esp_gcm[] = {{IKEV2_TRANS_ENCR, 20, 256},
							 {IKEV2_TRANS_ESN, 0, 0}};
		const struct want_transform esp_cbc[] = {{IKEV2_TRANS_ENCR, 12, 128},
							 {IKEV2_TRANS_INTEG, 12, 0},
							 {IKEV2_TRANS_ESN, 0, 0}};
		for (int k = 0; k < 2; k++) {
			const struct ikev2_payload *p;
			T_EQ_ROW(row, ikev2_decode(m[k], lm[k], &dg, &e), 0);
			T_MEM_ROW(row, dg.hdr.spi_i, 8, spii, l_spii);
			T_MEM_ROW(row, dg.hdr.spi_r, 8, k ? spir : zero8, 8);
			T_EQ_ROW(row, dg.hdr.exchange, IKEV2_EXCH_IKE_SA_INIT);
			T_EQ_ROW(row, dg.hdr.flags, k ? IKEV2_FLAG_RESPONSE : IKEV2_FLAG_INITIATOR);
			T_EQ_ROW(row, dg.hdr.msgid, 0);
			T_EQ_ROW(row, dg.hdr.length, lm[k]);
			T_EQ_ROW(row, dg.pl[0].type, IKEV2_PT_SA);
			T_EQ_ROW(row, dg.pl[1].type, IKEV2_PT_KE);
			T_EQ_ROW(row, dg.pl[2].type, IKEV2_PT_Nx);
			T_EQ_ROW(row, ikev2_digest_count(&dg, IKEV2_PT_SA), 1);
			T_OK_ROW(row, dg.sk == NULL, "no SK in IKE_SA_INIT");
			if (gcm)
				check_proposal(row, ikev2_digest_first(&dg, IKEV2_PT_SA),
					       IKEV2_PROTO_IKE, NULL, 0, ike_gcm, 3);
			else
				check_proposal(row, ikev2_digest_first(&dg, IKEV2_PT_SA),
					       IKEV2_PROTO_IKE, NULL, 0, ike_cbc, 4);
			p = ikev2_digest_first(&dg, IKEV2_PT_KE);
			if (p) {
				T_EQ_ROW(row, p->u.ke.group, 19);
				T_MEM_ROW(row, p->u.ke.data, p->u.ke.len, k ? ker : kei,
					  k ? l_ker : l_kei);
				const struct ikev2_ke_len groups[] = {
				    {14, 256}, {19, 64}, {31, 32}};
				T_EQ_ROW(row, ikev2_ke_check_len(&p->u.ke, groups, 3), 0);
			}
			p = ikev2_digest_first(&dg, IKEV2_PT_Nx);
			if (p)
				T_MEM_ROW(row, p->u.nonce.data, p->u.nonce.len, k ? nr : ni,
					  k ? l_nr : l_ni);
		}
		/* HDR, SK {IDi, AUTH, SAi2, TSi, TSr}  /  HDR, SK {IDr, AUTH, SAr2, TSi, TSr} */
		for (int k = 2; k < 4; k++) {
			bool init = k == 2;
			T_EQ_ROW(row, ikev2_decode(m[k], lm[k], &dg, &e), 0);
			T_EQ_ROW(row, dg.hdr.exchange, IKEV2_EXCH_IKE_AUTH);
			T_EQ_ROW(row, dg.hdr.msgid, 1);
			T_EQ_ROW(row, dg.n, 1);
			T_OK_ROW(row, dg.sk == &dg.pl[0], "SK is the payload");
			if (!dg.sk)
				continue;
			const struct ikev2_sk *sk = &dg.sk->u.sk;
			T_EQ_ROW(row, sk->first_inner, init ? IKEV2_PT_IDi : IKEV2_PT_IDr);
			T_EQ_ROW(row, sk->enc_offset, IKEV2_HDR_LEN + 4);
			T_EQ_ROW(row, sk->aad_len, IKEV2_HDR_LEN + 4);
			T_EQ_ROW(row, sk->enc_len + sk->enc_offset, lm[k]);
			T_MEM_ROW(row, sk->enc, init ? l_iv3 : l_iv4, init ? iv3 : iv4,
				  init ? l_iv3 : l_iv4);
			size_t n = 0;
			uint8_t *pt = decrypt_sk(row, m[k], sk, init ? ei : er, init ? l_ei : l_er,
						 gcm ? NULL : (init ? ai : ar), &n);
			T_EQ_ROW(row,
				 ikev2_decode_inner(pt, n, sk->enc_offset + (gcm ? 8 : 16),
						    sk->first_inner, &inner, &e),
				 0);
			check_inner(row, init, init ? authi : authr, init ? l_authi : l_authr,
				    gcm ? esp_cbc : esp_gcm, gcm ? 3 : 2,
				    init ? 0xc1000001 : 0xc2000002);
			free(pt);
		}
		free(spii), free(spir), free(ni), free(nr), free(kei), free(ker), free(iv3);
		free(iv4), free(ei), free(er), free(ai), free(ar), free(authi), free(authr);
		for (int k = 0; k < 4; k++)
			free(m[k]);
	}
	json_decref(root);
}

/* Every message of the fuzz corpus decodes; truncating it by one octet never does. */
static void test_corpus(void)
{
	const char *dir = vec_path("corpus/ike");
	char path[4096];
	DIR *dp = opendir(dir);
	struct dirent *de;
	int files = 0;

	T_OK(dp != NULL, "open %s", dir);
	if (!dp)
		return;
	while ((de = readdir(dp)) != NULL) {
		uint8_t *b;
		size_t n;
		struct ikev2_decode_err e;

		if (!strstr(de->d_name, ".bin"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (vec_read_file(path, &b, &n)) {
			T_OK(0, "read %s", path);
			continue;
		}
		files++;
		T_OK(ikev2_decode(b, n, &dg, &e) == 0, "%s decodes", de->d_name);
		T_OK(dg.n >= 1, "%s has payloads", de->d_name);
		if (dg.sk)
			T_EQ(dg.sk->u.sk.enc_offset + dg.sk->u.sk.enc_len, n);
		T_OK(ikev2_decode(b, n - 1, &dg, &e) == ERR_INVAL, "%s minus one octet",
		     de->d_name);
		free(b);
	}
	closedir(dp);
	T_OK(files >= 5, "corpus has %d messages", files);
}

/* ---- malformed input, one row per wire rule ---- */

#define NOTE_SYNTAX IKEV2_N_INVALID_SYNTAX

static const struct bad_row {
	int line;
	uint8_t np;	  /* header Next Payload */
	uint8_t major;	  /* 0: 2 */
	int len_delta;	  /* added to the header Length */
	const char *body; /* payloads, hex */
	int want;	  /* return */
	uint16_t notify;  /* err.notify */
	uint8_t pt;	  /* err.payload_type */
	uint16_t n_unknown;
} bad[] = {
    /* baseline: N(INITIAL_CONTACT) */
    {__LINE__, 41, 0, 0, "00000008 00004000", 0, 0, 0, 0},
    /* no payloads at all */
    {__LINE__, 0, 0, 0, "", 0, 0, 0, 0},
    /* payload length below the generic header */
    {__LINE__, 41, 0, 0, "00000003 00004000", ERR_INVAL, NOTE_SYNTAX, 41, 0},
    {__LINE__, 41, 0, 0, "00000000 00004000", ERR_INVAL, NOTE_SYNTAX, 41, 0},
    /* payload length past the end of the message */
    {__LINE__, 41, 0, 0, "00000009 00004000", ERR_TRUNC, NOTE_SYNTAX, 41, 0},
    /* truncated generic header */
    {__LINE__, 41, 0, 0, "000000", ERR_TRUNC, NOTE_SYNTAX, 41, 0},
    /* chain ends early: bytes after the last payload */
    {__LINE__, 41, 0, 0, "00000008 00004000 00000008 00004000", ERR_INVAL, NOTE_SYNTAX, 0, 0},
    /* chain points past the end: Next Payload N with nothing left */
    {__LINE__, 41, 0, 0, "29000008 00004000", ERR_TRUNC, NOTE_SYNTAX, 41, 0},
    /* header Next Payload with no payload bytes */
    {__LINE__, 33, 0, 0, "", ERR_TRUNC, NOTE_SYNTAX, 33, 0},
    /* SA: valid, 1 proposal (IKE) with ENCR AES-CBC-256 and KE 19 */
    {__LINE__, 33, 0, 0, "00000020 0000001c 01010002 0300000c 0100000c 800e0100 00000008 04000013",
     0, 0, 0, 0},
    /* SA: reserved octets of proposal and transforms set: ignored on receipt */
    {__LINE__, 33, 0, 0, "00000020 00ff001c 01010002 03ff000c 01ff000c 800e0100 00ff0008 04ff0013",
     0, 0, 0, 0},
    /* TS, CP, AUTH reserved octets set: ignored on receipt */
    {__LINE__, 44, 0, 0, "00000018 01ffffff 07000010 0000ffff c0000200 c00002ff", 0, 0, 0, 0},
    {__LINE__, 47, 0, 0, "0000000c 01ffffff 00010000", 0, 0, 0, 0},
    {__LINE__, 39, 0, 0, "00000009 02ffffff 01", 0, 0, 0, 0},
    /* N: with no SPI the Protocol ID is ignored */
    {__LINE__, 41, 0, 0, "00000008 07004000", 0, 0, 0, 0},
    /* SA: transform count 3 but only 2 transforms' bytes */
    {__LINE__, 33, 0, 0, "00000020 0000001c 01010003 0300000c 0100000c 800e0100 00000008 04000013",
     ERR_INVAL, NOTE_SYNTAX, 33, 0},
    /* SA: transform count 1 but 2 transforms (marker says more, count says last) */
    {__LINE__, 33, 0, 0, "00000020 0000001c 01010001 0300000c 0100000c 800e0100 00000008 04000013",
     ERR_INVAL, NOTE_SYNTAX, 33, 0},
    /* SA: first transform marked last while the count says 2 */
    {__LINE__, 33, 0, 0, "00000020 0000001c 01010002 0000000c 0100000c 800e0100 00000008 04000013",
     ERR_INVAL, NOTE_SYNTAX, 33, 0},
    /* SA: proposal marker 1 (neither 0 nor 2) */
    {__LINE__, 33, 0, 0, "00000020 0100001c 01010002 0300000c 0100000c 800e0100 00000008 04000013",
     ERR_INVAL, NOTE_SYNTAX, 33, 0},
    /* SA: proposal says more follow, none does */
    {__LINE__, 33, 0, 0, "00000020 0200001c 01010002 0300000c 0100000c 800e0100 00000008 04000013",
     ERR_TRUNC, NOTE_SYNTAX, 33, 0},
    /* SA: proposal length past the payload */
    {__LINE__, 33, 0, 0, "00000020 0000001d 01010002 0300000c 0100000c 800e0100 00000008 04000013",
     ERR_TRUNC, NOTE_SYNTAX, 33, 0},
    /* SA: transform length past the proposal */
    {__LINE__, 33, 0, 0, "00000020 0000001c 01010002 0300000d 0100000c 800e0100 00000008 04000013",
     ERR_TRUNC, NOTE_SYNTAX, 33, 0},
    /* SA: transform length below its header */
    {__LINE__, 33, 0, 0, "00000020 0000001c 01010002 03000007 0100000c 800e0100 00000008 04000013",
     ERR_INVAL, NOTE_SYNTAX, 33, 0},
    /* SA: IKE proposal with a 4-octet SPI */
    {__LINE__, 33, 0, 0, "00000018 00000014 01010401 01020304 00000008 04000013", ERR_INVAL,
     NOTE_SYNTAX, 33, 0},
    /* SA: IKE proposal with an 8-octet SPI (rekey) is fine */
    {__LINE__, 33, 0, 0, "0000001c 00000018 01010801 01020304 05060708 00000008 04000013", 0, 0, 0,
     0},
    /* SA: ESP proposal with an 8-octet SPI */
    {__LINE__, 33, 0, 0, "0000001c 00000018 01030801 01020304 05060708 00000008 05000000",
     ERR_INVAL, NOTE_SYNTAX, 33, 0},
    /* SA: ESP proposal without SPI */
    {__LINE__, 33, 0, 0, "00000014 00000010 01030001 00000008 05000000", ERR_INVAL, NOTE_SYNTAX, 33,
     0},
    /* SA: ESP proposal with its 4-octet SPI */
    {__LINE__, 33, 0, 0, "00000018 00000014 01030401 c1000001 00000008 05000000", 0, 0, 0, 0},
    /* SA: Key Length sent as TLV (AF=0): TV/TLV confusion */
    {__LINE__, 33, 0, 0, "0000001a 00000016 01010001 0000000e 0100000c 000e0002 0100", ERR_INVAL,
     NOTE_SYNTAX, 33, 0},
    /* SA: unknown TLV attribute whose length runs past the transform */
    {__LINE__, 33, 0, 0, "00000018 00000014 01010001 0000000c 0100000c 00100009", ERR_TRUNC,
     NOTE_SYNTAX, 33, 0},
    /* SA: two proposals numbered 1 and 3 */
    {__LINE__, 33, 0, 0,
     "00000024 02000010 01010001 00000008 04000013 00000010 03010001 00000008 04000013", ERR_INVAL,
     NOTE_SYNTAX, 33, 0},
    /* SA: proposal number 0 */
    {__LINE__, 33, 0, 0, "00000014 00000010 00010001 00000008 04000013", ERR_INVAL, NOTE_SYNTAX, 33,
     0},
    /* SA: proposal with no transforms */
    {__LINE__, 33, 0, 0, "0000000c 00000008 01010000", ERR_INVAL, NOTE_SYNTAX, 33, 0},
    /* KE: group 19 with 4 octets of data (length vs group is checked by ikev2_ke_check_len) */
    {__LINE__, 34, 0, 0, "0000000c 00130000 01020304", 0, 0, 0, 0},
    /* KE: no data */
    {__LINE__, 34, 0, 0, "00000008 00130000", ERR_INVAL, NOTE_SYNTAX, 34, 0},
    /* KE: reserved octets set are ignored */
    {__LINE__, 34, 0, 0, "0000000c 0013ffff 01020304", 0, 0, 0, 0},
    /* Nonce: zero length */
    {__LINE__, 40, 0, 0, "00000004", ERR_INVAL, NOTE_SYNTAX, 40, 0},
    /* Nonce: 15 octets */
    {__LINE__, 40, 0, 0, "00000013 000102030405060708090a0b0c0d0e", ERR_INVAL, NOTE_SYNTAX, 40, 0},
    /* Nonce: 16 octets */
    {__LINE__, 40, 0, 0, "00000014 000102030405060708090a0b0c0d0e0f", 0, 0, 0, 0},
    /* ID: IPv4 address of 3 octets */
    {__LINE__, 35, 0, 0, "0000000b 01000000 c00002", ERR_INVAL, NOTE_SYNTAX, 35, 0},
    /* ID: reserved octets set are ignored */
    {__LINE__, 35, 0, 0, "0000000c 01ffffff c0000201", 0, 0, 0, 0},
    /* ID: shorter than its fixed fields */
    {__LINE__, 36, 0, 0, "00000007 020000", ERR_TRUNC, NOTE_SYNTAX, 36, 0},
    /* AUTH: empty authentication data */
    {__LINE__, 39, 0, 0, "00000008 02000000", ERR_INVAL, NOTE_SYNTAX, 39, 0},
    /* CERT: no data; CERTREQ may be empty */
    {__LINE__, 37, 0, 0, "00000005 04", ERR_INVAL, NOTE_SYNTAX, 37, 0},
    {__LINE__, 38, 0, 0, "00000005 04", 0, 0, 0, 0},
    /* N: ESP with an 8-octet SPI */
    {__LINE__, 41, 0, 0, "00000010 03084000 01020304 05060708", ERR_INVAL, NOTE_SYNTAX, 41, 0},
    /* N: SPI longer than the payload */
    {__LINE__, 41, 0, 0, "0000000a 03044000 0102", ERR_TRUNC, NOTE_SYNTAX, 41, 0},
    /* N: ESP REKEY_SA with its SPI */
    {__LINE__, 41, 0, 0, "0000000c 03044009 01020304", 0, 0, 0, 0},
    /* D: ESP, 3 SPIs of 4 octets but 8 octets follow */
    {__LINE__, 42, 0, 0, "00000010 03040003 01020304 05060708", ERR_TRUNC, NOTE_SYNTAX, 42, 0},
    /* D: ESP, 1 SPI but 8 octets follow */
    {__LINE__, 42, 0, 0, "00000010 03040001 01020304 05060708", ERR_INVAL, NOTE_SYNTAX, 42, 0},
    /* D: ESP with an 8-octet SPI size */
    {__LINE__, 42, 0, 0, "00000010 03080001 01020304 05060708", ERR_INVAL, NOTE_SYNTAX, 42, 0},
    /* D: count * size overflowing 16 bits must not wrap: 0xffff SPIs of 4 */
    {__LINE__, 42, 0, 0, "0000000c 0304ffff 01020304", ERR_TRUNC, NOTE_SYNTAX, 42, 0},
    /* D: IKE with SPIs */
    {__LINE__, 42, 0, 0, "00000010 01080001 01020304 05060708", ERR_INVAL, NOTE_SYNTAX, 42, 0},
    /* D: IKE */
    {__LINE__, 42, 0, 0, "00000008 01000000", 0, 0, 0, 0},
    /* TS: count 2, one IPv4 selector */
    {__LINE__, 44, 0, 0, "00000018 02000000 07000010 0000ffff c0000200 c00002ff", ERR_TRUNC,
     NOTE_SYNTAX, 44, 0},
    /* TS: count 5, room for at most 4 headers */
    {__LINE__, 44, 0, 0, "00000018 05000000 07000010 0000ffff c0000200 c00002ff", ERR_INVAL,
     NOTE_SYNTAX, 44, 0},
    /* TS: count 0 */
    {__LINE__, 45, 0, 0, "00000008 00000000", ERR_INVAL, NOTE_SYNTAX, 45, 0},
    /* TS: IPv4 selector with length 40 */
    {__LINE__, 44, 0, 0, "00000018 01000000 07000028 0000ffff c0000200 c00002ff", ERR_INVAL,
     NOTE_SYNTAX, 44, 0},
    /* TS: IPv6 selector with length 16 */
    {__LINE__, 44, 0, 0, "00000018 01000000 08000010 0000ffff c0000200 c00002ff", ERR_INVAL,
     NOTE_SYNTAX, 44, 0},
    /* TS: valid, plus a selector of an unknown type skipped by its length */
    {__LINE__, 44, 0, 0, "0000001c 02000000 07000010 0000ffff c0000200 c00002ff 0a000004", 0, 0, 0,
     0},
    /* TS: start above end is semantic: decodes (reported per selector) */
    {__LINE__, 44, 0, 0, "00000018 01000000 07000010 ffff0000 c00002ff c0000200", 0, 0, 0, 0},
    /* CP: attribute value past the payload */
    {__LINE__, 47, 0, 0, "0000000c 01000000 00010004", ERR_TRUNC, NOTE_SYNTAX, 47, 0},
    /* CP: request for INTERNAL_IP4_ADDRESS and DNS (empty values), R bit ignored */
    {__LINE__, 47, 0, 0, "00000010 01000000 80010000 00030000", 0, 0, 0, 0},
    /* EAP: length 6 in a 5-octet message */
    {__LINE__, 48, 0, 0, "00000009 02010006 01", ERR_INVAL, NOTE_SYNTAX, 48, 0},
    /* EAP: success with data */
    {__LINE__, 48, 0, 0, "00000009 03010005 01", ERR_INVAL, NOTE_SYNTAX, 48, 0},
    /* EAP: response/identity */
    {__LINE__, 48, 0, 0, "0000000a 02010006 0161", 0, 0, 0, 0},
    /* unknown payload 200 with the critical bit */
    {__LINE__, 200, 0, 0, "00800004", ERR_CRITICAL, IKEV2_N_UNSUPPORTED_CRITICAL_PAYLOAD, 200, 0},
    /* unknown payload (IKEv1 Hash, 8) with the critical bit, after a known one */
    {__LINE__, 41, 0, 0, "08000008 00004000 00800006 abcd", ERR_CRITICAL,
     IKEV2_N_UNSUPPORTED_CRITICAL_PAYLOAD, 8, 0},
    /* unknown payloads without it are skipped and recorded */
    {__LINE__, 200, 0, 0, "29000006 abcd 00000008 00004000", 0, 0, 0, 1},
    {__LINE__, 54, 0, 0, "c87f0004 00000004", 0, 0, 0, 2},
    /* critical bit (and reserved bits) on a known payload are ignored */
    {__LINE__, 41, 0, 0, "00ff0008 00004000", 0, 0, 0, 0},
    /* wrong major version: 3 answers INVALID_MAJOR_VERSION, 1 is not ours */
    {__LINE__, 41, 3, 0, "00000008 00004000", ERR_UNSUPPORTED, IKEV2_N_INVALID_MAJOR_VERSION, 0, 0},
    {__LINE__, 41, 1, 0, "00000008 00004000", ERR_UNSUPPORTED, 0, 0, 0},
    /* header length != datagram length */
    {__LINE__, 41, 0, 1, "00000008 00004000", ERR_INVAL, 0, 0, 0},
    {__LINE__, 41, 0, -1, "00000008 00004000", ERR_INVAL, 0, 0, 0},
    /* SK: last payload, any first inner type */
    {__LINE__, 46, 0, 0, "23000008 01020304", 0, 0, 0, 0},
    /* SK: empty */
    {__LINE__, 46, 0, 0, "23000004", ERR_INVAL, NOTE_SYNTAX, 46, 0},
    /* SK: followed by more bytes */
    {__LINE__, 46, 0, 0, "29000008 01020304 00000008 00004000", ERR_INVAL, NOTE_SYNTAX, 46, 0},
    /* SKF: fragment 1 of 2 */
    {__LINE__, 53, 0, 0, "2300000c 00010002 01020304", 0, 0, 0, 0},
    /* SKF: fragment 0 */
    {__LINE__, 53, 0, 0, "2300000c 00000002 01020304", ERR_INVAL, NOTE_SYNTAX, 53, 0},
    /* SKF: fragment 3 of 2 */
    {__LINE__, 53, 0, 0, "0000000c 00030002 01020304", ERR_INVAL, NOTE_SYNTAX, 53, 0},
    /* SKF: not the only payload */
    {__LINE__, 41, 0, 0, "35000008 00004000 2300000c 00010001 01020304", ERR_INVAL, NOTE_SYNTAX, 53,
     0},
};

static size_t mkmsg(uint8_t *out, size_t cap, const struct bad_row *r)
{
	uint8_t *body;
	size_t blen;

	if (vec_hex(r->body, &body, &blen) || blen + IKEV2_HDR_LEN > cap) {
		T_OK_ROW(r->line, 0, "row hex");
		return 0;
	}
	memset(out, 0, IKEV2_HDR_LEN);
	memset(out, 0x11, 8);
	out[16] = r->np;
	out[17] = (uint8_t)((r->major ? r->major : 2) << 4);
	out[18] = IKEV2_EXCH_INFORMATIONAL;
	out[19] = IKEV2_FLAG_INITIATOR;
	buf_store_be32(out + 24, (uint32_t)((int)(blen + IKEV2_HDR_LEN) + r->len_delta));
	memcpy(out + IKEV2_HDR_LEN, body, blen);
	free(body);
	return blen + IKEV2_HDR_LEN;
}

static void test_bad_inputs(void)
{
	static uint8_t msg[512];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const struct bad_row *r = &bad[i];
		struct ikev2_decode_err e = {0xffff, 0xff, 0};
		size_t n = mkmsg(msg, sizeof(msg), r);
		int err = ikev2_decode(msg, n, &dg, &e);

		T_EQ_ROW(r->line, err, r->want);
		if (err) {
			T_EQ_ROW(r->line, e.notify, r->notify);
			T_EQ_ROW(r->line, e.payload_type, r->pt);
		} else {
			T_EQ_ROW(r->line, dg.n_unknown, r->n_unknown);
		}
	}
}

/* Offsets in error reports are absolute: the failing payload's generic header. */
static void test_error_offsets(void)
{
	static uint8_t msg[128];
	const struct bad_row r = {__LINE__, 41, 0, 0, "28000008 00004000 00000004", 0, 0, 0, 0};
	struct ikev2_decode_err e;
	size_t n = mkmsg(msg, sizeof(msg), &r);

	T_EQ(ikev2_decode(msg, n, &dg, &e), ERR_INVAL);
	T_EQ(e.payload_type, IKEV2_PT_Nx);
	T_EQ(e.offset, IKEV2_HDR_LEN + 8);
	T_EQ(ikev2_decode(msg, 27, &dg, &e), ERR_TRUNC);
	T_EQ(e.notify, 0);
}

/* Digest indexing: order, duplicates, first/next accessors, notify lookup; reserved header
 * flag bits ignored (kept as received). */
static void test_digest(void)
{
	static uint8_t msg[256];
	const struct bad_row r = {__LINE__,
				  41,
				  0,
				  0,
				  "29000008 00004000 2b000008 00004005 "
				  "29000008 05060708 00000008 00004004",
				  0,
				  0,
				  0,
				  0};
	struct ikev2_decode_err e;
	size_t n = mkmsg(msg, sizeof(msg), &r);
	const struct ikev2_payload *p;

	msg[19] |= 0x87; /* reserved flag bits */
	T_EQ(ikev2_decode(msg, n, &dg, &e), 0);
	T_EQ(dg.hdr.flags & IKEV2_FLAG_INITIATOR, IKEV2_FLAG_INITIATOR);
	T_EQ(dg.n, 4);
	T_EQ(ikev2_digest_count(&dg, IKEV2_PT_N), 3);
	T_EQ(ikev2_digest_count(&dg, IKEV2_PT_V), 1);
	T_EQ(ikev2_digest_count(&dg, IKEV2_PT_SA), 0);
	T_OK(ikev2_digest_first(&dg, IKEV2_PT_SA) == NULL, "no SA");
	p = ikev2_digest_first(&dg, IKEV2_PT_N);
	T_OK(p == &dg.pl[0], "first N");
	p = p ? ikev2_digest_next(&dg, p) : NULL;
	T_OK(p == &dg.pl[1], "second N");
	p = p ? ikev2_digest_next(&dg, p) : NULL;
	T_OK(p == &dg.pl[3], "third N skips V");
	T_OK(p && ikev2_digest_next(&dg, p) == NULL, "no fourth N");
	p = ikev2_digest_notify(&dg, IKEV2_N_NAT_DETECTION_SOURCE_IP);
	T_OK(p == &dg.pl[3], "notify lookup");
	T_OK(ikev2_digest_notify(&dg, IKEV2_N_COOKIE) == NULL, "absent notify");
	T_EQ(dg.pl[2].offset, IKEV2_HDR_LEN + 16);
	T_EQ(dg.pl[2].u.vendor.len, 4);

	/* the limit on payloads per message */
	static uint8_t big[IKEV2_HDR_LEN + 8 * (IKEV2_MAX_PAYLOADS + 1)];
	memcpy(big, msg, IKEV2_HDR_LEN);
	for (int k = 0; k <= IKEV2_MAX_PAYLOADS; k++) {
		uint8_t *q = big + IKEV2_HDR_LEN + 8 * k;
		q[0] = k == IKEV2_MAX_PAYLOADS ? 0 : IKEV2_PT_N;
		q[1] = 0;
		buf_store_be16(q + 2, 8);
		buf_store_be32(q + 4, 0x00004000);
	}
	buf_store_be32(big + 24, sizeof(big));
	T_EQ(ikev2_decode(big, sizeof(big), &dg, &e), ERR_LIMIT);
	buf_store_be32(big + 24, sizeof(big) - 8);
	big[IKEV2_HDR_LEN + 8 * (IKEV2_MAX_PAYLOADS - 1)] = 0;
	T_EQ(ikev2_decode(big, sizeof(big) - 8, &dg, &e), 0);
	T_EQ(dg.n, IKEV2_MAX_PAYLOADS);
}

static void test_inner(void)
{
	/* IDi(FQDN "a"), N(INITIAL_CONTACT) */
	static const uint8_t plain[] = {0x29, 0, 0, 9, 2, 0, 0, 0, 'a', 0, 0, 0, 8, 0, 0, 0x40, 0};
	/* an SK inside SK */
	static const uint8_t nested[] = {0, 0, 0, 8, 1, 2, 3, 4};
	struct ikev2_decode_err e;

	T_EQ(ikev2_decode_inner(plain, sizeof(plain), 100, IKEV2_PT_IDi, &inner, &e), 0);
	T_EQ(inner.n, 2);
	T_EQ(inner.pl[0].offset, 100);
	T_EQ(inner.pl[1].offset, 109);
	T_EQ(inner.pl[1].u.n.type, IKEV2_N_INITIAL_CONTACT);
	T_EQ(ikev2_decode_inner(plain, sizeof(plain) - 1, 100, IKEV2_PT_IDi, &inner, &e),
	     ERR_TRUNC);
	T_EQ(e.offset, 109);
	T_EQ(ikev2_decode_inner(nested, sizeof(nested), 0, IKEV2_PT_SK, &inner, &e), ERR_INVAL);
	T_EQ(e.payload_type, IKEV2_PT_SK);
	T_EQ(ikev2_decode_inner(NULL, 0, 0, IKEV2_PT_NONE, &inner, &e), 0);
	T_EQ(inner.n, 0);
}

static char last_line[1024];
static int lines;

static void capture(void *ctx, enum log_subsys ss, enum log_level lvl, const char *line)
{
	(void)ctx;
	(void)ss;
	(void)lvl;
	snprintf(last_line, sizeof(last_line), "%s", line);
	lines++;
}

/* A decode failure logs one line naming the payload and its absolute offset. */
static void test_log_lines(void)
{
	static uint8_t msg[128];
	static const struct {
		int line;
		const char *body;
		uint8_t np;
		const char *want1, *want2;
	} rows[] = {
	    {__LINE__, "28000008 00004000 00000004", 41, "Nonce", "offset 40"},
	    {__LINE__, "00000010 03040003 01020304 05060708", 42, "bad D", "offset 36"},
	    {__LINE__, "00000020 0000001c 01010002 0000000c 0100000c 800e0100 00000008 04000013",
	     33, "SA transform", "offset 52"},
	    {__LINE__, "00800004", 201, "critical payload 201", "offset 28"},
	};
	enum log_level saved = log_get_level(LOG_WIRE);

	log_set_sink(capture, NULL);
	log_set_level(LOG_WIRE, LOG_LVL_DEBUG);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct bad_row r = {rows[i].line, rows[i].np, 0, 0, rows[i].body, 0, 0, 0, 0};
		size_t n = mkmsg(msg, sizeof(msg), &r);
		int err;

		lines = 0;
		last_line[0] = 0;
		err = ikev2_decode(msg, n, &dg, NULL);
		T_OK_ROW(rows[i].line, err < 0, "decode fails");
		T_EQ_ROW(rows[i].line, lines, 1);
		T_OK_ROW(rows[i].line,
			 strstr(last_line, rows[i].want1) && strstr(last_line, rows[i].want2),
			 "log line \"%s\"", last_line);
	}
	log_set_sink(NULL, NULL);
	log_set_level(LOG_WIRE, saved);
}

static void test_sk_split(void)
{
	static const uint8_t enc[64];
	struct ikev2_sk sk = {IKEV2_PT_IDi, 0, 0, enc, 64, 32, 32};
	struct ikev2_sk_parts parts;
	static const uint8_t padded[8] = {1, 2, 3, 0, 0, 0, 0, 4}, bad_pad[4] = {1, 2, 3, 4};
	size_t n = 99;

	/* AES-CBC + HMAC-SHA-256-128: IV 16, ICV 16, 32 octets of ciphertext */
	T_EQ(ikev2_sk_split(&sk, 16, 16, 16, &parts), 0);
	T_OK(parts.iv == enc && parts.ct == enc + 16 && parts.icv == enc + 48, "split points");
	T_EQ(parts.ct_len, 32);
	T_EQ(parts.ct_offset, 48);
	/* ciphertext of 31 octets is not whole blocks */
	sk.enc_len = 63;
	T_EQ(ikev2_sk_split(&sk, 16, 16, 16, &parts), ERR_INVAL);
	/* AEAD: any length holding IV, ICV and the Pad Length octet */
	T_EQ(ikev2_sk_split(&sk, 8, 16, 1, &parts), 0);
	T_EQ(parts.ct_len, 39);
	sk.enc_len = 24;
	T_EQ(ikev2_sk_split(&sk, 8, 16, 1, &parts), ERR_INVAL);
	sk.enc_len = 4;
	T_EQ(ikev2_sk_split(&sk, 8, 16, 1, &parts), ERR_INVAL);

	T_EQ(ikev2_sk_unpad(padded, 8, &n), 0);
	T_EQ(n, 3);
	T_EQ(ikev2_sk_unpad(bad_pad, 4, &n), ERR_INVAL); /* Pad Length 4 in 4 octets */
	T_EQ(ikev2_sk_unpad(bad_pad, 0, &n), ERR_INVAL);
	T_EQ(ikev2_sk_unpad(padded + 3, 5, &n), 0); /* padding only */
	T_EQ(n, 0);
}

static void test_ke_len(void)
{
	static const uint8_t data[64];
	const struct ikev2_ke_len groups[] = {{14, 256}, {19, 64}, {31, 32}};
	struct ikev2_ke_payload ke = {19, data, 64};

	T_EQ(ikev2_ke_check_len(&ke, groups, 3), 0);
	ke.len = 63;
	T_EQ(ikev2_ke_check_len(&ke, groups, 3), ERR_INVAL);
	ke.group = 31;
	ke.len = 32;
	T_EQ(ikev2_ke_check_len(&ke, groups, 3), 0);
	ke.group = 99;
	T_EQ(ikev2_ke_check_len(&ke, groups, 3), ERR_UNSUPPORTED);
}

/* ---- --decode mode, for tests/interop/test_charon_ikev2_wire.sh ---- */

/* Decrypts an AES-256-GCM-16 SK payload with a 36-octet key (key || salt); the inner payload
 * chain goes to pt, its length to *n. 0 when the ICV verifies. */
static int gcm_open(const uint8_t *msg, const struct ikev2_sk *sk, const uint8_t *key, uint8_t *pt,
		    size_t *n)
{
	struct ikev2_sk_parts parts;
	uint8_t nonce[12];
	int l1 = 0, l2 = 0, ok;
	EVP_CIPHER_CTX *c;

	if (ikev2_sk_split(sk, 8, 16, 1, &parts))
		return -1;
	memcpy(nonce, key + 32, 4);
	memcpy(nonce + 4, parts.iv, 8);
	c = EVP_CIPHER_CTX_new();
	ok = c && EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, NULL, NULL) &&
	     EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) &&
	     EVP_DecryptInit_ex(c, NULL, NULL, key, nonce) &&
	     EVP_DecryptUpdate(c, NULL, &l1, msg, (int)sk->aad_len) &&
	     EVP_DecryptUpdate(c, pt, &l1, parts.ct, (int)parts.ct_len) &&
	     EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16, (void *)parts.icv) &&
	     EVP_DecryptFinal_ex(c, pt + l1, &l2);
	EVP_CIPHER_CTX_free(c);
	if (!ok)
		return -1;
	return ikev2_sk_unpad(pt, (size_t)l1 + (size_t)l2, n) ? -1 : 0;
}

static void print_chain(const struct ikev2_digest *d)
{
	for (unsigned i = 0; i < d->n; i++) {
		const struct ikev2_payload *p = &d->pl[i];

		printf(" %s", ikev2_payload_str(p->type));
		if (p->type == IKEV2_PT_N && p->u.n.len && p->u.n.len <= 4) {
			char hex[16];
			printf("(%s:%s)", ikev2_notify_str(p->u.n.type),
			       log_hex(hex, sizeof(hex), p->u.n.data, p->u.n.len));
		} else if (p->type == IKEV2_PT_N) {
			printf("(%s)", ikev2_notify_str(p->u.n.type));
		}
		if (p->type == IKEV2_PT_D)
			printf("(%s,%u)",
			       ikev2_proto_name(p->u.d.proto) ? ikev2_proto_name(p->u.d.proto)
							      : "?",
			       p->u.d.count);
		if (p->type == IKEV2_PT_SA && ikev2_payload_sa(p, &sa) == 0)
			printf("(props=%u,%s)", sa.nproposals,
			       ikev2_proto_name(sa.p[0].proto) ? ikev2_proto_name(sa.p[0].proto)
							       : "?");
		if (!p->known)
			printf("(unknown)");
	}
}

/* Each line of hexfile is one UDP payload carrying an IKE message (a leading non-ESP marker is
 * stripped); each line of keyfile a 36-octet AES-256-GCM-16 SK_e key in hex. Prints one line per
 * message and "decoded N, encrypted E, decrypted K, failed F". 0 when nothing failed. */
static int decode_file(const char *hexfile, const char *keyfile)
{
	static char line[70000];
	static uint8_t keys[32][36], pt[65536];
	unsigned nkeys = 0, decoded = 0, encrypted = 0, decrypted = 0, failed = 0, no = 0;
	FILE *f;

	if (keyfile && (f = fopen(keyfile, "r")) != NULL) {
		while (nkeys < 32 && fgets(line, sizeof(line), f)) {
			uint8_t *k = NULL;
			size_t kl = 0;
			line[strcspn(line, "\r\n")] = 0;
			if (vec_hex(line, &k, &kl) == 0 && kl == 36)
				memcpy(keys[nkeys++], k, 36);
			else if (line[0])
				fprintf(stderr, "bad key line\n");
			if (k)
				free(k);
		}
		fclose(f);
	}
	f = fopen(hexfile, "r");
	if (!f) {
		perror(hexfile);
		return 1;
	}
	while (fgets(line, sizeof(line), f)) {
		uint8_t *b;
		size_t n;
		struct ikev2_decode_err e;

		line[strcspn(line, "\r\n")] = 0;
		if (!line[0])
			continue;
		no++;
		if (vec_hex(line, &b, &n)) {
			printf("%u: bad hex\n", no);
			failed++;
			continue;
		}
		const uint8_t *m = b;
		size_t mlen = n;
		if (n > 4 && buf_load_be32(b) == 0) { /* RFC 3948 non-ESP marker */
			m = b + 4;
			mlen = n - 4;
		}
		int rc = ikev2_decode(m, mlen, &dg, &e);
		if (rc) {
			printf("%u: FAILED %s at offset %zu (payload %u)\n", no, err_str(rc),
			       e.offset, e.payload_type);
			failed++;
			free(b);
			continue;
		}
		decoded++;
		printf("%u: %s %s mid=%u:", no, ikev2_exchange_str(dg.hdr.exchange),
		       dg.hdr.flags & IKEV2_FLAG_RESPONSE ? "response" : "request", dg.hdr.msgid);
		print_chain(&dg);
		if (dg.sk) {
			size_t in_len = 0;
			unsigned k;
			encrypted++;
			for (k = 0; k < nkeys; k++) {
				if (gcm_open(m, &dg.sk->u.sk, keys[k], pt, &in_len) == 0)
					break;
			}
			if (k < nkeys) {
				rc = ikev2_decode_inner(pt, in_len, dg.sk->u.sk.enc_offset + 8,
							dg.sk->u.sk.first_inner, &inner, &e);
				if (rc) {
					printf(" {FAILED %s at offset %zu}", err_str(rc), e.offset);
					failed++;
				} else {
					const char *dir = getenv("IKEV2_INNER_DIR");
					if (dir) { /* fuzz seeds: first type || plaintext */
						char path[4096];
						FILE *o;
						snprintf(path, sizeof(path), "%s/inner-%u.bin", dir,
							 no);
						o = fopen(path, "wb");
						if (o) {
							fputc(dg.sk->u.sk.first_inner, o);
							fwrite(pt, 1, in_len, o);
							fclose(o);
						}
					}
					decrypted++;
					printf(" {");
					print_chain(&inner);
					printf(" }");
				}
			}
		}
		printf("\n");
		free(b);
	}
	fclose(f);
	printf("decoded %u, encrypted %u, decrypted %u, failed %u\n", decoded, encrypted, decrypted,
	       failed);
	return failed ? 1 : 0;
}

int main(int argc, char **argv)
{
	log_set_level_all(getenv("IKEV2_DEBUG") ? LOG_LVL_DEBUG : LOG_LVL_ERROR);
	if (argc >= 3 && strcmp(argv[1], "--decode") == 0)
		return decode_file(argv[2], argc >= 4 ? argv[3] : NULL);
	test_exchange_vectors();
	test_corpus();
	test_bad_inputs();
	test_error_offsets();
	test_digest();
	test_inner();
	test_log_lines();
	test_sk_split();
	test_ke_len();
	return t_finish();
}
