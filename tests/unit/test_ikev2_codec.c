/* IKEv2 encoding: every payload round-trips through the builder and the decoder, reserved
 * fields are sent as zero, the SK/SKF layout supports in-place encryption (checked with
 * libcrypto), the published IKE_SA_INIT messages are rebuilt byte for byte, decoded messages
 * re-encode to the same bytes, and the name tables match their registries. With
 * "--dump-init DIR" it writes IKE_SA_INIT requests for the charon interop test instead. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dirent.h>
#include <openssl/evp.h>

#include "crypto/kex.h"
#include "crypto/rand.h"
#include "lib/err.h"
#include "lib/log.h"
#include "support/test.h"
#include "support/vec.h"
#include "wire/iana.h"
#include "wire/ikev2_build.h"
#include "wire/ikev2_const.h"
#include "wire/ikev2_msg.h"

static struct ikev2_digest dg, inner;
static struct ikev2_sa sa_in, sa_out;
static uint8_t buf[4096];

static const uint8_t spi_i[8] = {1, 2, 3, 4, 5, 6, 7, 8};
static const uint8_t spi_r[8] = {9, 10, 11, 12, 13, 14, 15, 16};
static const uint8_t esp_spi[4] = {0xc1, 0, 0, 1};
static const uint8_t blob[300] = {0x5a, 0xa5, 0x01};

/* With IKEV2_DUMP_DIR set, built messages are written there as NAME.bin for the tshark check
 * (tests/unit/test_ikev2_tshark.py). */
static void dump(const char *name, const uint8_t *m, size_t len)
{
	const char *dir = getenv("IKEV2_DUMP_DIR");
	char path[4096];
	FILE *f;

	if (!dir)
		return;
	snprintf(path, sizeof(path), "%s/%s.bin", dir, name);
	f = fopen(path, "wb");
	T_OK(f != NULL, "open %s", path);
	if (!f)
		return;
	T_OK(fwrite(m, 1, len, f) == len, "write %s", path);
	fclose(f);
}

static void hdr_init(struct ikev2_hdr *h, uint8_t exch, uint8_t flags, uint32_t msgid)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->spi_i, spi_i, 8);
	memcpy(h->spi_r, spi_r, 8);
	h->exchange = exch;
	h->flags = flags;
	h->msgid = msgid;
}

static void fill_sa(struct ikev2_sa *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->nproposals = 2;
	sa->p[0] = (struct ikev2_proposal){.num = 1, .proto = IKEV2_PROTO_IKE, .ntransforms = 4};
	sa->p[0].t[0] =
	    (struct ikev2_transform){IKEV2_TRANS_ENCR, IKEV2_ENCR_AES_CBC, true, 256, 0};
	sa->p[0].t[1] = (struct ikev2_transform){IKEV2_TRANS_PRF, IKEV2_PRF_HMAC_SHA2_256, 0, 0, 0};
	sa->p[0].t[2] = (struct ikev2_transform){IKEV2_TRANS_INTEG, 12, false, 0, 0};
	sa->p[0].t[3] = (struct ikev2_transform){IKEV2_TRANS_KE, 19, false, 0, 0};
	sa->p[1] = (struct ikev2_proposal){
	    .num = 2, .proto = IKEV2_PROTO_IKE, .spi_size = 8, .spi = spi_r, .ntransforms = 3};
	sa->p[1].t[0] =
	    (struct ikev2_transform){IKEV2_TRANS_ENCR, IKEV2_ENCR_AES_GCM_16, true, 128, 0};
	sa->p[1].t[1] = (struct ikev2_transform){IKEV2_TRANS_PRF, IKEV2_PRF_HMAC_SHA2_384, 0, 0, 0};
	sa->p[1].t[2] = (struct ikev2_transform){IKEV2_TRANS_KE, 31, false, 0, 0};
}

static void check_sa_equal(int line, const struct ikev2_sa *a, const struct ikev2_sa *b)
{
	T_EQ_ROW(line, a->nproposals, b->nproposals);
	for (unsigned i = 0; i < a->nproposals && i < b->nproposals; i++) {
		const struct ikev2_proposal *p = &a->p[i], *q = &b->p[i];
		T_EQ_ROW(line, p->num, q->num);
		T_EQ_ROW(line, p->proto, q->proto);
		T_MEM_ROW(line, p->spi, p->spi_size, q->spi, q->spi_size);
		T_EQ_ROW(line, p->ntransforms, q->ntransforms);
		for (unsigned j = 0; j < p->ntransforms && j < q->ntransforms; j++) {
			T_EQ_ROW(line, p->t[j].type, q->t[j].type);
			T_EQ_ROW(line, p->t[j].id, q->t[j].id);
			T_EQ_ROW(line, p->t[j].has_key_len, q->t[j].has_key_len);
			T_EQ_ROW(line, p->t[j].key_len, q->t[j].key_len);
		}
	}
}

static struct ikev2_ts_payload ts_fixture(void)
{
	struct ikev2_ts_payload t;

	memset(&t, 0, sizeof(t));
	t.count = 2;
	t.ts[0].type = IKEV2_TS_IPV4_ADDR_RANGE;
	t.ts[0].ip_proto = 17;
	t.ts[0].start_port = 500;
	t.ts[0].end_port = 4500;
	memcpy(t.ts[0].start, "\xc0\x00\x02\x00", 4);
	memcpy(t.ts[0].end, "\xc0\x00\x02\xff", 4);
	t.ts[1].type = IKEV2_TS_IPV6_ADDR_RANGE;
	t.ts[1].end_port = 65535;
	memset(t.ts[1].end, 0xff, 16);
	t.ts[1].start[0] = 0x20;
	return t;
}

/* HDR, SA, KE, IDi, IDr, CERT, CERTREQ, AUTH, Ni, N, N, D, D, V, TSi, TSr, CP, EAP */
static void test_roundtrip_all(void)
{
	struct ikev2_builder b;
	struct ikev2_hdr h;
	struct ikev2_ts_payload ts = ts_fixture(), ts_back;
	const struct ikev2_ke_payload ke = {31, blob, 32};
	const struct ikev2_id idi = {IKEV2_ID_FQDN, (const uint8_t *)"initiator.example", 17};
	const struct ikev2_id idr = {IKEV2_ID_IPV4_ADDR, (const uint8_t *)"\xc0\x00\x02\x02", 4};
	const struct ikev2_cert cert = {IKEV2_CERT_X509_SIGNATURE, blob, 300};
	const struct ikev2_cert certreq = {IKEV2_CERT_X509_SIGNATURE, blob, 40};
	const struct ikev2_auth auth = {IKEV2_AUTH_DIGITAL_SIGNATURE, blob, 64};
	const struct ikev2_blob nonce = {blob, 32}, vid = {blob + 1, 16};
	const struct ikev2_notify n1 = {IKEV2_PROTO_ESP, 4, IKEV2_N_REKEY_SA, esp_spi, NULL, 0};
	const struct ikev2_notify n2 = {0, 0, IKEV2_N_NAT_DETECTION_SOURCE_IP, NULL, blob, 20};
	const uint8_t spis[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	const struct ikev2_delete d1 = {IKEV2_PROTO_ESP, 4, 2, spis};
	const struct ikev2_delete d2 = {IKEV2_PROTO_IKE, 0, 0, NULL};
	const struct ikev2_cp_attr attrs[2] = {{IKEV2_CFG_ATTR_INTERNAL_IP4_ADDRESS, NULL, 0},
					       {IKEV2_CFG_ATTR_INTERNAL_IP4_DNS, blob, 4}};
	const struct ikev2_eap eap = {
	    IKEV2_EAP_RESPONSE, 7, 1, (const uint8_t *)"user", 4, NULL, 0};
	size_t len = 0;
	const struct ikev2_payload *p;
	struct ikev2_decode_err e;

	fill_sa(&sa_out);
	hdr_init(&h, IKEV2_EXCH_IKE_AUTH, IKEV2_FLAG_INITIATOR | 0x81, 1);
	ikev2_build_init(&b, buf, sizeof(buf));
	ikev2_build_hdr(&b, &h);
	ikev2_build_sa(&b, &sa_out);
	ikev2_build_ke(&b, &ke);
	ikev2_build_id(&b, IKEV2_PT_IDi, &idi);
	ikev2_build_id(&b, IKEV2_PT_IDr, &idr);
	ikev2_build_cert(&b, IKEV2_PT_CERT, &cert);
	ikev2_build_cert(&b, IKEV2_PT_CERTREQ, &certreq);
	ikev2_build_auth(&b, &auth);
	ikev2_build_nonce(&b, &nonce);
	ikev2_build_notify(&b, &n1);
	ikev2_build_notify(&b, &n2);
	ikev2_build_delete(&b, &d1);
	ikev2_build_delete(&b, &d2);
	ikev2_build_vendor(&b, &vid);
	ikev2_build_ts(&b, IKEV2_PT_TSi, &ts);
	ikev2_build_ts(&b, IKEV2_PT_TSr, &ts);
	ikev2_build_cp(&b, IKEV2_CFG_REQUEST, attrs, 2);
	ikev2_build_eap(&b, &eap);
	T_EQ(ikev2_build_finish(&b, &len), 0);
	dump("all_payloads", buf, len);

	T_EQ(ikev2_decode(buf, len, &dg, &e), 0);
	T_EQ(dg.n, 17);
	T_MEM(dg.hdr.spi_i, 8, spi_i, 8);
	T_MEM(dg.hdr.spi_r, 8, spi_r, 8);
	T_EQ(dg.hdr.exchange, IKEV2_EXCH_IKE_AUTH);
	T_EQ(dg.hdr.flags, IKEV2_FLAG_INITIATOR); /* reserved flag bits not sent */
	T_EQ(dg.hdr.msgid, 1);
	T_EQ(dg.hdr.minor, 0);
	T_EQ(dg.hdr.length, len);
	static const uint8_t order[] = {33, 34, 35, 36, 37, 38, 39, 40, 41,
					41, 42, 42, 43, 44, 45, 47, 48};
	for (unsigned i = 0; i < sizeof(order) && i < dg.n; i++) {
		T_EQ_ROW((int)i, dg.pl[i].type, order[i]);
		T_EQ_ROW((int)i, buf[dg.pl[i].offset + 1], 0); /* C and RESERVED zero */
		T_EQ_ROW((int)i, dg.pl[i].known, 1);
	}

	p = ikev2_digest_first(&dg, IKEV2_PT_SA);
	T_EQ(ikev2_payload_sa(p, &sa_in), 0);
	check_sa_equal(__LINE__, &sa_in, &sa_out);
	/* SA reserved octets: proposal byte 1, transform bytes 1 and 5 */
	T_EQ(buf[p->offset + 4 + 1], 0);
	T_EQ(buf[p->offset + 4 + 8 + 1], 0);
	T_EQ(buf[p->offset + 4 + 8 + 5], 0);

	p = ikev2_digest_first(&dg, IKEV2_PT_KE);
	T_EQ(p->u.ke.group, 31);
	T_MEM(p->u.ke.data, p->u.ke.len, blob, 32);
	T_EQ(buf[p->offset + 6] | buf[p->offset + 7], 0);
	T_EQ(ikev2_ke_check_fn(&p->u.ke, kex_public_len), 0);

	p = ikev2_digest_first(&dg, IKEV2_PT_IDi);
	T_EQ(p->u.id.type, IKEV2_ID_FQDN);
	T_MEM(p->u.id.data, p->u.id.len, idi.data, idi.len);
	T_EQ(buf[p->offset + 5] | buf[p->offset + 6] | buf[p->offset + 7], 0);
	p = ikev2_digest_first(&dg, IKEV2_PT_IDr);
	T_EQ(p->u.id.type, IKEV2_ID_IPV4_ADDR);
	T_MEM(p->u.id.data, p->u.id.len, idr.data, 4);

	p = ikev2_digest_first(&dg, IKEV2_PT_CERT);
	T_EQ(p->u.cert.encoding, IKEV2_CERT_X509_SIGNATURE);
	T_MEM(p->u.cert.data, p->u.cert.len, blob, 300);
	p = ikev2_digest_first(&dg, IKEV2_PT_CERTREQ);
	T_MEM(p->u.cert.data, p->u.cert.len, blob, 40);

	p = ikev2_digest_first(&dg, IKEV2_PT_AUTH);
	T_EQ(p->u.auth.method, IKEV2_AUTH_DIGITAL_SIGNATURE);
	T_MEM(p->u.auth.data, p->u.auth.len, blob, 64);
	T_EQ(buf[p->offset + 5] | buf[p->offset + 6] | buf[p->offset + 7], 0);

	p = ikev2_digest_first(&dg, IKEV2_PT_Nx);
	T_MEM(p->u.nonce.data, p->u.nonce.len, blob, 32);

	p = ikev2_digest_notify(&dg, IKEV2_N_REKEY_SA);
	T_OK(p != NULL, "REKEY_SA");
	if (p) {
		T_EQ(p->u.n.proto, IKEV2_PROTO_ESP);
		T_MEM(p->u.n.spi, p->u.n.spi_size, esp_spi, 4);
		T_EQ(p->u.n.len, 0);
	}
	p = ikev2_digest_notify(&dg, IKEV2_N_NAT_DETECTION_SOURCE_IP);
	T_OK(p != NULL, "NAT_DETECTION_SOURCE_IP");
	if (p) {
		T_EQ(p->u.n.spi_size, 0);
		T_MEM(p->u.n.data, p->u.n.len, blob, 20);
	}

	p = ikev2_digest_first(&dg, IKEV2_PT_D);
	uint32_t spi = 0;
	T_EQ(p->u.d.count, 2);
	T_EQ(ikev2_delete_spi(&p->u.d, 1, &spi), 0);
	T_EQ(spi, 0x05060708);
	T_EQ(ikev2_delete_spi(&p->u.d, 2, &spi), ERR_INVAL);
	p = ikev2_digest_next(&dg, p);
	T_EQ(p->u.d.proto, IKEV2_PROTO_IKE);
	T_EQ(p->u.d.count, 0);

	p = ikev2_digest_first(&dg, IKEV2_PT_V);
	T_MEM(p->u.vendor.data, p->u.vendor.len, blob + 1, 16);

	for (uint8_t t = IKEV2_PT_TSi; t <= IKEV2_PT_TSr; t++) {
		p = ikev2_digest_first(&dg, t);
		T_EQ(ikev2_payload_ts(p, &ts_back), 0);
		T_EQ(ts_back.count, 2);
		T_EQ(buf[p->offset + 5] | buf[p->offset + 6] | buf[p->offset + 7], 0);
		for (int k = 0; k < 2; k++) {
			T_EQ_ROW(k, ts_back.ts[k].type, ts.ts[k].type);
			T_EQ_ROW(k, ts_back.ts[k].ip_proto, ts.ts[k].ip_proto);
			T_EQ_ROW(k, ts_back.ts[k].start_port, ts.ts[k].start_port);
			T_EQ_ROW(k, ts_back.ts[k].end_port, ts.ts[k].end_port);
			T_MEM_ROW(k, ts_back.ts[k].start, 16, ts.ts[k].start, 16);
			T_MEM_ROW(k, ts_back.ts[k].end, 16, ts.ts[k].end, 16);
			T_EQ_ROW(k, ts_back.ts[k].inverted, 0);
		}
	}

	p = ikev2_digest_first(&dg, IKEV2_PT_CP);
	struct ikev2_cp_attr back[4];
	size_t na = 0;
	T_EQ(p->u.cp.type, IKEV2_CFG_REQUEST);
	T_EQ(p->u.cp.nattrs, 2);
	T_EQ(ikev2_cp_attrs(&p->u.cp, back, 4, &na), 0);
	T_EQ(na, 2);
	T_EQ(back[0].type, IKEV2_CFG_ATTR_INTERNAL_IP4_ADDRESS);
	T_EQ(back[0].len, 0);
	T_EQ(back[1].type, IKEV2_CFG_ATTR_INTERNAL_IP4_DNS);
	T_MEM(back[1].data, back[1].len, blob, 4);
	T_EQ(ikev2_cp_attrs(&p->u.cp, back, 1, &na), ERR_LIMIT);
	T_EQ(buf[p->offset + 5] | buf[p->offset + 6] | buf[p->offset + 7], 0);

	p = ikev2_digest_first(&dg, IKEV2_PT_EAP);
	T_EQ(p->u.eap.code, IKEV2_EAP_RESPONSE);
	T_EQ(p->u.eap.id, 7);
	T_EQ(p->u.eap.type, 1);
	T_MEM(p->u.eap.type_data, p->u.eap.type_data_len, "user", 4);
	T_EQ(p->u.eap.msg_len, 9);
}

/* Encoders refuse what decoders would reject. */
static void test_encode_refusals(void)
{
	struct ikev2_builder b;
	struct ikev2_hdr h;
	const struct ikev2_blob short_nonce = {blob, 15};
	const struct ikev2_notify bad_n = {IKEV2_PROTO_ESP, 8, IKEV2_N_REKEY_SA, spi_i, NULL, 0};
	const struct ikev2_delete bad_d = {IKEV2_PROTO_IKE, 8, 1, spi_i};
	size_t len;

	hdr_init(&h, IKEV2_EXCH_INFORMATIONAL, 0, 2);
	ikev2_build_init(&b, buf, sizeof(buf));
	ikev2_build_hdr(&b, &h);
	T_EQ(ikev2_build_nonce(&b, &short_nonce), ERR_INVAL);
	T_EQ(ikev2_build_finish(&b, &len), ERR_INVAL); /* sticky */

	ikev2_build_init(&b, buf, sizeof(buf));
	ikev2_build_hdr(&b, &h);
	T_EQ(ikev2_build_notify(&b, &bad_n), ERR_INVAL);
	ikev2_build_init(&b, buf, sizeof(buf));
	ikev2_build_hdr(&b, &h);
	T_EQ(ikev2_build_delete(&b, &bad_d), ERR_INVAL);

	fill_sa(&sa_out);
	sa_out.p[1].num = 3;
	ikev2_build_init(&b, buf, sizeof(buf));
	ikev2_build_hdr(&b, &h);
	T_EQ(ikev2_build_sa(&b, &sa_out), ERR_INVAL);
	fill_sa(&sa_out);
	sa_out.p[0].spi_size = 4;
	sa_out.p[0].spi = spi_i;
	ikev2_build_init(&b, buf, sizeof(buf));
	ikev2_build_hdr(&b, &h);
	T_EQ(ikev2_build_sa(&b, &sa_out), ERR_INVAL);

	/* too small a buffer fails, stickily, with ERR_NOSPACE */
	ikev2_build_init(&b, buf, 40);
	ikev2_build_hdr(&b, &h);
	T_EQ(ikev2_build_vendor(&b, &(struct ikev2_blob){blob, 16}), ERR_NOSPACE);
	T_EQ(ikev2_build_finish(&b, &len), ERR_NOSPACE);

	/* state: payload before the header, finish inside SK, payload after SK */
	ikev2_build_init(&b, buf, sizeof(buf));
	T_EQ(ikev2_build_vendor(&b, &(struct ikev2_blob){blob, 4}), ERR_BADSTATE);
	ikev2_build_init(&b, buf, sizeof(buf));
	ikev2_build_hdr(&b, &h);
	ikev2_build_sk_begin(&b, 16);
	T_EQ(ikev2_build_finish(&b, &len), ERR_BADSTATE);
	struct ikev2_sk_layout lay;
	ikev2_build_init(&b, buf, sizeof(buf));
	ikev2_build_hdr(&b, &h);
	ikev2_build_sk_begin(&b, 16);
	T_EQ(ikev2_build_sk_end(&b, 16, 16, &lay), 0);
	T_EQ(ikev2_build_vendor(&b, &(struct ikev2_blob){blob, 4}), ERR_BADSTATE);
}

/* HDR, SK {IDi, N}: in-place AES-GCM through the layout, then decode, decrypt, decode inner. */
static void test_sk_gcm(void)
{
	static const uint8_t key[32] = {7}, salt[4] = {1, 2, 3, 4}, iv[8] = {9, 9, 9};
	struct ikev2_builder b;
	struct ikev2_hdr h;
	struct ikev2_sk_layout lay;
	const struct ikev2_id id = {IKEV2_ID_FQDN, (const uint8_t *)"a.example", 9};
	const struct ikev2_notify n = {0, 0, IKEV2_N_INITIAL_CONTACT, NULL, NULL, 0};
	struct ikev2_decode_err e;
	size_t len = 0;
	uint8_t nonce[12], tag[16], pt[256];
	int l = 0, ok;

	hdr_init(&h, IKEV2_EXCH_IKE_AUTH, IKEV2_FLAG_INITIATOR, 1);
	ikev2_build_init(&b, buf, sizeof(buf));
	ikev2_build_hdr(&b, &h);
	T_EQ(ikev2_build_sk_begin(&b, 8), 0);
	ikev2_build_id(&b, IKEV2_PT_IDi, &id);
	ikev2_build_notify(&b, &n);
	T_EQ(ikev2_build_sk_end(&b, 1, 16, &lay), 0);
	T_EQ(ikev2_build_finish(&b, &len), 0);
	T_EQ(lay.aad_len, IKEV2_HDR_LEN + 4);
	T_EQ(lay.iv_off, IKEV2_HDR_LEN + 4);
	T_EQ(lay.plain_off, lay.iv_off + 8);
	T_EQ(lay.plain_len, 17 + 8 + 1); /* IDi 8+9, N 8, Pad Length */
	T_EQ(lay.icv_off + lay.icv_len, len);
	T_EQ(buf[lay.plain_off + lay.plain_len - 1], 0); /* Pad Length 0 */

	/* the engine: IV, encrypt in place with AAD [0, aad_len), ICV */
	memcpy(buf + lay.iv_off, iv, 8);
	memcpy(nonce, salt, 4);
	memcpy(nonce + 4, iv, 8);
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	ok = EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, NULL, NULL) &&
	     EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) &&
	     EVP_EncryptInit_ex(c, NULL, NULL, key, nonce) &&
	     EVP_EncryptUpdate(c, NULL, &l, buf, (int)lay.aad_len) &&
	     EVP_EncryptUpdate(c, buf + lay.plain_off, &l, buf + lay.plain_off,
			       (int)lay.plain_len) &&
	     EVP_EncryptFinal_ex(c, tag, &l) &&
	     EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, buf + lay.icv_off);
	T_OK(ok, "encrypt in place");
	dump("sk_gcm", buf, len);

	/* the receiver */
	T_EQ(ikev2_decode(buf, len, &dg, &e), 0);
	T_OK(dg.sk != NULL, "SK decoded");
	if (!dg.sk)
		goto out;
	const struct ikev2_sk *sk = &dg.sk->u.sk;
	T_EQ(sk->first_inner, IKEV2_PT_IDi);
	T_EQ(sk->aad_len, lay.aad_len);
	T_EQ(sk->enc_offset, lay.iv_off);
	T_EQ(sk->enc_len, lay.iv_len + lay.plain_len + lay.icv_len);
	memcpy(nonce + 4, sk->enc, 8);
	ok = EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, NULL, NULL) &&
	     EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) &&
	     EVP_DecryptInit_ex(c, NULL, NULL, key, nonce) &&
	     EVP_DecryptUpdate(c, NULL, &l, buf, (int)sk->aad_len) &&
	     EVP_DecryptUpdate(c, pt, &l, sk->enc + 8, (int)(sk->enc_len - 24)) &&
	     EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16,
				 (void *)(sk->enc + sk->enc_len - 16)) &&
	     EVP_DecryptFinal_ex(c, pt + l, &l);
	T_OK(ok, "decrypt and verify");
	size_t plen = sk->enc_len - 24;
	size_t inner_len = plen - 1 - pt[plen - 1];
	T_EQ(ikev2_decode_inner(pt, inner_len, sk->enc_offset + 8, sk->first_inner, &inner, &e), 0);
	T_EQ(inner.n, 2);
	T_EQ(inner.pl[0].type, IKEV2_PT_IDi);
	T_MEM(inner.pl[0].u.id.data, inner.pl[0].u.id.len, "a.example", 9);
	T_EQ(inner.pl[1].u.n.type, IKEV2_N_INITIAL_CONTACT);
out:
	EVP_CIPHER_CTX_free(c);
}

/* Block-cipher padding: the plaintext is a multiple of the block, Pad Length says how much. */
static void test_sk_padding(void)
{
	for (size_t vlen = 0; vlen < 20; vlen++) {
		struct ikev2_builder b;
		struct ikev2_hdr h;
		struct ikev2_sk_layout lay;
		size_t len;

		hdr_init(&h, IKEV2_EXCH_INFORMATIONAL, 0, 5);
		ikev2_build_init(&b, buf, sizeof(buf));
		ikev2_build_hdr(&b, &h);
		ikev2_build_sk_begin(&b, 16);
		if (vlen)
			ikev2_build_vendor(&b, &(struct ikev2_blob){blob, vlen});
		T_EQ_ROW((int)vlen, ikev2_build_sk_end(&b, 16, 12, &lay), 0);
		T_EQ_ROW((int)vlen, ikev2_build_finish(&b, &len), 0);
		size_t in_len = vlen ? vlen + 4 : 0;
		T_EQ_ROW((int)vlen, lay.plain_len % 16, 0);
		T_EQ_ROW((int)vlen, lay.plain_len,
			 in_len + 1 + buf[lay.plain_off + lay.plain_len - 1]);
		T_EQ_ROW((int)vlen, buf[IKEV2_HDR_LEN], vlen ? IKEV2_PT_V : IKEV2_PT_NONE);
		T_EQ_ROW((int)vlen, buf_load_be16(buf + IKEV2_HDR_LEN + 2), len - IKEV2_HDR_LEN);
		T_EQ_ROW((int)vlen, ikev2_decode(buf, len, &dg, NULL), 0);
	}
}

/* HDR, SKF: fragments 1/2 and 2/2. */
static void test_skf(void)
{
	static const uint8_t chunk[30] = {1, 2, 3};
	for (uint16_t num = 1; num <= 2; num++) {
		struct ikev2_builder b;
		struct ikev2_hdr h;
		struct ikev2_sk_layout lay;
		size_t len;

		hdr_init(&h, IKEV2_EXCH_IKE_AUTH, IKEV2_FLAG_INITIATOR, 1);
		ikev2_build_init(&b, buf, sizeof(buf));
		ikev2_build_hdr(&b, &h);
		T_EQ_ROW(num,
			 ikev2_build_skf(&b, num, 2, num == 1 ? IKEV2_PT_IDi : 0, 16, chunk, 30, 16,
					 16, &lay),
			 0);
		T_EQ_ROW(num, ikev2_build_finish(&b, &len), 0);
		dump(num == 1 ? "skf_1" : "skf_2", buf, len);
		T_EQ_ROW(num, lay.aad_len, IKEV2_HDR_LEN + 8);
		T_EQ_ROW(num, lay.plain_len, 32);
		T_MEM_ROW(num, buf + lay.plain_off, 30, chunk, 30);
		T_EQ_ROW(num, ikev2_decode(buf, len, &dg, NULL), 0);
		T_OK_ROW(num, dg.sk && dg.sk->type == IKEV2_PT_SKF, "SKF decoded");
		if (dg.sk) {
			T_EQ_ROW(num, dg.sk->u.sk.frag_num, num);
			T_EQ_ROW(num, dg.sk->u.sk.frag_total, 2);
			T_EQ_ROW(num, dg.sk->u.sk.first_inner, num == 1 ? IKEV2_PT_IDi : 0);
			T_EQ_ROW(num, dg.sk->u.sk.enc_offset, lay.iv_off);
		}
	}
	struct ikev2_builder b;
	struct ikev2_hdr h;
	struct ikev2_sk_layout lay;
	hdr_init(&h, IKEV2_EXCH_IKE_AUTH, 0, 1);
	ikev2_build_init(&b, buf, sizeof(buf));
	ikev2_build_hdr(&b, &h);
	T_EQ(ikev2_build_skf(&b, 3, 2, 0, 16, chunk, 30, 16, 16, &lay), ERR_INVAL);
	ikev2_build_init(&b, buf, sizeof(buf));
	ikev2_build_hdr(&b, &h);
	ikev2_build_vendor(&b, &(struct ikev2_blob){blob, 4});
	T_EQ(ikev2_build_skf(&b, 1, 1, 0, 16, chunk, 30, 16, 16, &lay), ERR_BADSTATE);
}

/* Appends the payloads of a decoded plaintext digest to a builder; 0 or an error. */
static int add_payloads(struct ikev2_builder *bp, const struct ikev2_digest *d)
{
	struct ikev2_builder b = *bp;
	struct ikev2_ts_payload ts;
	struct ikev2_cp_attr attrs[IKEV2_MAX_CP_ATTRS];
	size_t na;

	for (unsigned i = 0; i < d->n; i++) {
		const struct ikev2_payload *p = &d->pl[i];
		switch (p->type) {
		case IKEV2_PT_SA:
			if (ikev2_payload_sa(p, &sa_in))
				return ERR_INVAL;
			ikev2_build_sa(&b, &sa_in);
			break;
		case IKEV2_PT_KE:
			ikev2_build_ke(&b, &p->u.ke);
			break;
		case IKEV2_PT_Nx:
			ikev2_build_nonce(&b, &p->u.nonce);
			break;
		case IKEV2_PT_N:
			ikev2_build_notify(&b, &p->u.n);
			break;
		case IKEV2_PT_V:
			ikev2_build_vendor(&b, &p->u.vendor);
			break;
		case IKEV2_PT_IDi:
		case IKEV2_PT_IDr:
			ikev2_build_id(&b, p->type, &p->u.id);
			break;
		case IKEV2_PT_AUTH:
			ikev2_build_auth(&b, &p->u.auth);
			break;
		case IKEV2_PT_CERT:
		case IKEV2_PT_CERTREQ:
			ikev2_build_cert(&b, p->type, &p->u.cert);
			break;
		case IKEV2_PT_TSi:
		case IKEV2_PT_TSr:
			if (ikev2_payload_ts(p, &ts))
				return ERR_INVAL;
			ikev2_build_ts(&b, p->type, &ts);
			break;
		case IKEV2_PT_CP:
			if (ikev2_cp_attrs(&p->u.cp, attrs, IKEV2_MAX_CP_ATTRS, &na))
				return ERR_INVAL;
			ikev2_build_cp(&b, p->u.cp.type, attrs, na);
			break;
		case IKEV2_PT_D:
			ikev2_build_delete(&b, &p->u.d);
			break;
		case IKEV2_PT_EAP:
			ikev2_build_eap(&b, &p->u.eap);
			break;
		default:
			return ERR_UNSUPPORTED;
		}
	}
	*bp = b;
	return b.err;
}

/* Re-encodes a decoded plaintext message; 0 or an error. */
static int reencode(const struct ikev2_digest *d, uint8_t *out, size_t cap, size_t *len)
{
	struct ikev2_builder b;

	ikev2_build_init(&b, out, cap);
	ikev2_build_hdr(&b, &d->hdr);
	if (add_payloads(&b, d))
		return ERR_INVAL;
	return ikev2_build_finish(&b, len);
}

/* RFC 7383: an inner chain built bare, cut into SKF fragments (here with a null cipher: the
 * plaintext stays in place), each fragment decoded, split and unpadded, the pieces joined and
 * decoded as the chain again; then re-encoded from that digest to the same bytes. */
static void test_fragments(void)
{
	static uint8_t chain[2048], msg[1024], joined[2048], again[2048];
	const struct ikev2_id id = {IKEV2_ID_FQDN, (const uint8_t *)"initiator.example", 17};
	const struct ikev2_cert cert = {IKEV2_CERT_X509_SIGNATURE, blob, 300};
	const struct ikev2_auth auth = {IKEV2_AUTH_SHARED_KEY_MIC, blob, 32};
	struct ikev2_ts_payload ts = ts_fixture();
	struct ikev2_builder b;
	size_t len = 0, jlen = 0, alen = 0;
	uint8_t first = 0, first_back = 0;
	enum { TOTAL = 3 };

	fill_sa(&sa_out);
	sa_out.nproposals = 1;
	ikev2_build_init_inner(&b, chain, sizeof(chain));
	T_EQ(ikev2_build_hdr(&b, &(struct ikev2_hdr){0}), ERR_BADSTATE); /* no header inside */
	ikev2_build_init_inner(&b, chain, sizeof(chain));
	ikev2_build_id(&b, IKEV2_PT_IDi, &id);
	ikev2_build_cert(&b, IKEV2_PT_CERT, &cert);
	ikev2_build_auth(&b, &auth);
	ikev2_build_sa(&b, &sa_out);
	ikev2_build_ts(&b, IKEV2_PT_TSi, &ts);
	ikev2_build_ts(&b, IKEV2_PT_TSr, &ts);
	T_EQ(ikev2_build_inner_finish(&b, &len, &first), 0);
	T_EQ(first, IKEV2_PT_IDi);
	T_EQ(chain[0], IKEV2_PT_CERT); /* IDi's Next Payload */

	size_t piece = (len + TOTAL - 1) / TOTAL;
	for (uint16_t num = 1; num <= TOTAL; num++) {
		size_t off = (num - 1) * piece, n = off + piece > len ? len - off : piece, mlen = 0;
		struct ikev2_hdr h;
		struct ikev2_sk_layout lay;
		struct ikev2_sk_parts parts;
		size_t in_len = 0;

		hdr_init(&h, IKEV2_EXCH_IKE_AUTH, IKEV2_FLAG_INITIATOR, 1);
		ikev2_build_init(&b, msg, sizeof(msg));
		ikev2_build_hdr(&b, &h);
		ikev2_build_skf(&b, num, TOTAL, num == 1 ? first : 0, 16, chain + off, n, 16, 16,
				&lay);
		T_EQ_ROW(num, ikev2_build_finish(&b, &mlen), 0);
		T_EQ_ROW(num, ikev2_decode(msg, mlen, &dg, NULL), 0);
		T_OK_ROW(num, dg.sk != NULL, "SKF");
		if (!dg.sk)
			return;
		T_EQ_ROW(num, dg.sk->u.sk.frag_num, num);
		if (num == 1)
			first_back = dg.sk->u.sk.first_inner;
		T_EQ_ROW(num, ikev2_sk_split(&dg.sk->u.sk, 16, 16, 16, &parts), 0);
		T_EQ_ROW(num, parts.ct_offset, lay.plain_off);
		T_EQ_ROW(num, ikev2_sk_unpad(parts.ct, parts.ct_len, &in_len), 0);
		T_EQ_ROW(num, in_len, n);
		memcpy(joined + jlen, parts.ct, in_len);
		jlen += in_len;
	}
	T_MEM(joined, jlen, chain, len);
	T_EQ(ikev2_decode_inner(joined, jlen, 0, first_back, &inner, NULL), 0);
	T_EQ(inner.n, 6);
	T_EQ(ikev2_digest_count(&inner, IKEV2_PT_TSr), 1);
	ikev2_build_init_inner(&b, again, sizeof(again));
	T_EQ(add_payloads(&b, &inner), 0);
	T_EQ(ikev2_build_inner_finish(&b, &alen, &first), 0);
	T_EQ(first, IKEV2_PT_IDi);
	T_MEM(again, alen, chain, len);
}

/* The published IKE_SA_INIT messages: rebuilt from the JSON inputs byte for byte, and re-encoded
 * from their own digest byte for byte. */
static void test_vector_rebuild(void)
{
	json_t *root = vec_load("ike/ikev2_exchange_vectors.json");
	json_t *ex;
	size_t i;
	static uint8_t out[2048];

	if (!root)
		return;
	json_array_foreach(json_object_get(root, "exchanges"), i, ex)
	{
		json_t *in = json_object_get(ex, "inputs"), *der = json_object_get(ex, "derived");
		bool gcm = strstr(vec_str(ex, "ike_proposal"), "GCM") != NULL;
		static const char *const keys[2] = {"IKE_SA_INIT_req", "IKE_SA_INIT_resp"};
		for (int k = 0; k < 2; k++) {
			uint8_t *msg, *spii, *spir, *nonce, *ke;
			size_t mlen, l1, l2, nlen, klen, len = 0;
			struct ikev2_builder b;
			struct ikev2_hdr h;
			int row = (int)i * 10 + k;

			if (vec_hex_member(json_object_get(ex, "messages"), keys[k], &msg, &mlen) |
			    vec_hex_member(in, "SPIi", &spii, &l1) |
			    vec_hex_member(in, "SPIr", &spir, &l2) |
			    vec_hex_member(in, k ? "Nr" : "Ni", &nonce, &nlen) |
			    vec_hex_member(der, k ? "KEr" : "KEi", &ke, &klen)) {
				T_OK_ROW(row, 0, "vector fields");
				continue;
			}
			memset(&h, 0, sizeof(h));
			memcpy(h.spi_i, spii, 8);
			if (k)
				memcpy(h.spi_r, spir, 8);
			h.exchange = IKEV2_EXCH_IKE_SA_INIT;
			h.flags = k ? IKEV2_FLAG_RESPONSE : IKEV2_FLAG_INITIATOR;
			memset(&sa_out, 0, sizeof(sa_out));
			sa_out.nproposals = 1;
			struct ikev2_proposal *p = &sa_out.p[0];
			p->num = 1;
			p->proto = IKEV2_PROTO_IKE;
			unsigned t = 0;
			p->t[t++] = (struct ikev2_transform){
			    IKEV2_TRANS_ENCR, gcm ? IKEV2_ENCR_AES_GCM_16 : IKEV2_ENCR_AES_CBC,
			    true, 256, 0};
			p->t[t++] = (struct ikev2_transform){IKEV2_TRANS_PRF,
							     IKEV2_PRF_HMAC_SHA2_256, false, 0, 0};
			if (!gcm)
				p->t[t++] =
				    (struct ikev2_transform){IKEV2_TRANS_INTEG, 12, false, 0, 0};
			p->t[t++] = (struct ikev2_transform){IKEV2_TRANS_KE, 19, false, 0, 0};
			p->ntransforms = (uint8_t)t;

			/* HDR, SAi1, KEi, Ni  /  HDR, SAr1, KEr, Nr */
			ikev2_build_init(&b, out, sizeof(out));
			ikev2_build_hdr(&b, &h);
			ikev2_build_sa(&b, &sa_out);
			ikev2_build_ke(&b, &(struct ikev2_ke_payload){19, ke, klen});
			ikev2_build_nonce(&b, &(struct ikev2_blob){nonce, nlen});
			T_EQ_ROW(row, ikev2_build_finish(&b, &len), 0);
			T_MEM_ROW(row, out, len, msg, mlen);
			char name[64];
			snprintf(name, sizeof(name), "vector%zu_init_%s", i, k ? "resp" : "req");
			dump(name, out, len);

			T_EQ_ROW(row, ikev2_decode(msg, mlen, &dg, NULL), 0);
			T_EQ_ROW(row, reencode(&dg, out, sizeof(out), &len), 0);
			T_MEM_ROW(row, out, len, msg, mlen);
			free(msg), free(spii), free(spir), free(nonce), free(ke);
		}
	}
	json_decref(root);
}

/* Corpus messages without SK re-encode to the same bytes. */
static void test_corpus_reencode(void)
{
	const char *dir = vec_path("corpus/ike");
	char path[4096];
	static uint8_t out[4096];
	DIR *dp = opendir(dir);
	struct dirent *de;
	int plain = 0;

	if (!dp)
		return;
	while ((de = readdir(dp)) != NULL) {
		uint8_t *m;
		size_t n, len = 0;

		if (!strstr(de->d_name, ".bin"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (vec_read_file(path, &m, &n))
			continue;
		if (ikev2_decode(m, n, &dg, NULL) == 0 && !dg.sk) {
			plain++;
			T_OK(reencode(&dg, out, sizeof(out), &len) == 0, "%s re-encodes",
			     de->d_name);
			T_MEM(out, len, m, n);
		}
		free(m);
	}
	closedir(dp);
	T_OK(plain >= 2, "%d plaintext corpus messages", plain);
}

/* Name tables: each registry's values are distinct and map back to their names. */
#define CHECK_LIST(list, fn)                                                                       \
	do {                                                                                       \
		static const struct {                                                              \
			unsigned v;                                                                \
			const char *n;                                                             \
		} t[] = {list(ENTRY)};                                                             \
		size_t cnt = sizeof(t) / sizeof(t[0]);                                             \
		for (size_t a = 0; a < cnt; a++) {                                                 \
			const char *got = fn(t[a].v);                                              \
			T_OK(got &&strcmp(got, t[a].n) == 0, #fn "(%u) = %s", t[a].v, t[a].n);     \
			for (size_t z = a + 1; z < cnt; z++)                                       \
				T_OK(t[a].v != t[z].v, #list " value %u twice", t[a].v);           \
		}                                                                                  \
	} while (0)
#define ENTRY(name, val) {(val), #name},

static void test_names(void)
{
	CHECK_LIST(IKEV2_EXCHANGE_LIST, ikev2_exchange_name);
	CHECK_LIST(IKEV2_PAYLOAD_LIST, ikev2_payload_name);
	CHECK_LIST(IKEV2_NOTIFY_LIST, ikev2_notify_name);
	CHECK_LIST(IKEV2_PROTO_LIST, ikev2_proto_name);
	CHECK_LIST(IKEV2_ID_LIST, ikev2_id_name);
	CHECK_LIST(IKEV2_CERT_LIST, ikev2_cert_name);
	CHECK_LIST(IKEV2_AUTH_LIST, ikev2_auth_name);
	CHECK_LIST(IKEV2_TS_LIST, ikev2_ts_name);
	CHECK_LIST(IKEV2_CFG_TYPE_LIST, ikev2_cfg_type_name);
	CHECK_LIST(IKEV2_CFG_ATTR_LIST, ikev2_cfg_attr_name);
	CHECK_LIST(IKEV2_EAP_CODE_LIST, ikev2_eap_code_name);

	static const struct {
		int line;
		unsigned v;
		const char *name;
	} spot[] = {
	    {__LINE__, 1, "UNSUPPORTED_CRITICAL_PAYLOAD"},
	    {__LINE__, 4, "INVALID_IKE_SPI"},
	    {__LINE__, 5, "INVALID_MAJOR_VERSION"},
	    {__LINE__, 7, "INVALID_SYNTAX"},
	    {__LINE__, 9, "INVALID_MESSAGE_ID"},
	    {__LINE__, 11, "INVALID_SPI"},
	    {__LINE__, 14, "NO_PROPOSAL_CHOSEN"},
	    {__LINE__, 17, "INVALID_KE_PAYLOAD"},
	    {__LINE__, 24, "AUTHENTICATION_FAILED"},
	    {__LINE__, 34, "SINGLE_PAIR_REQUIRED"},
	    {__LINE__, 35, "NO_ADDITIONAL_SAS"},
	    {__LINE__, 36, "INTERNAL_ADDRESS_FAILURE"},
	    {__LINE__, 37, "FAILED_CP_REQUIRED"},
	    {__LINE__, 38, "TS_UNACCEPTABLE"},
	    {__LINE__, 39, "INVALID_SELECTORS"},
	    {__LINE__, 43, "TEMPORARY_FAILURE"},
	    {__LINE__, 44, "CHILD_SA_NOT_FOUND"},
	    {__LINE__, 16384, "INITIAL_CONTACT"},
	    {__LINE__, 16388, "NAT_DETECTION_SOURCE_IP"},
	    {__LINE__, 16389, "NAT_DETECTION_DESTINATION_IP"},
	    {__LINE__, 16390, "COOKIE"},
	    {__LINE__, 16391, "USE_TRANSPORT_MODE"},
	    {__LINE__, 16393, "REKEY_SA"},
	    {__LINE__, 16394, "ESP_TFC_PADDING_NOT_SUPPORTED"},
	    {__LINE__, 16396, "MOBIKE_SUPPORTED"},
	    {__LINE__, 16430, "IKEV2_FRAGMENTATION_SUPPORTED"},
	    {__LINE__, 16431, "SIGNATURE_HASH_ALGORITHMS"},
	    {__LINE__, 16442, "USE_AGGFRAG"},
	};
	for (size_t k = 0; k < sizeof(spot) / sizeof(spot[0]); k++) {
		const char *n = ikev2_notify_name(spot[k].v);
		T_OK_ROW(spot[k].line, n && strcmp(n, spot[k].name) == 0, "notify %u", spot[k].v);
	}
	/* every status type from INITIAL_CONTACT to USE_AGGFRAG is named (contiguous registry) */
	for (unsigned v = 16384; v <= 16442; v++)
		T_OK(ikev2_notify_name(v) != NULL, "status %u named", v);
	T_OK(ikev2_notify_is_error(IKEV2_N_INVALID_SYNTAX), "error type");
	T_OK(!ikev2_notify_is_error(IKEV2_N_COOKIE), "status type");
	T_OK(ikev2_notify_name(2) == NULL, "2 is reserved");
	T_OK(strcmp(ikev2_payload_str(0), "NONE") == 0, "NONE");
	T_OK(strcmp(ikev2_payload_str(99), "?") == 0, "unknown payload");
	T_OK(strcmp(ikev2_id_name(13), "NULL") == 0, "ID_NULL");
	T_EQ(IKEV2_PT_SKF, 53);
	T_EQ(IKEV2_AUTH_DIGITAL_SIGNATURE, 14);
	T_EQ(IKEV2_TS_IPV6_ADDR_RANGE, 8);
	T_EQ(IKEV2_PROTO_ESP, 3);
}

/* ---- --dump-init DIR, for tests/interop/test_charon_ikev2_wire.sh ---- */

/* HDR, SAi1, KEi, Ni [, extra payload]: AES-256-GCM-16 / PRF-HMAC-SHA2-256 / group 19 offered,
 * KE of ke_group carrying a fresh public value from src/crypto/kex. */
static int write_init(const char *dir, const char *name, uint16_t ke_group, uint8_t extra_type,
		      bool extra_critical)
{
	struct ikev2_builder b;
	struct ikev2_hdr h;
	struct kex *k = kex_new(ke_group);
	const uint8_t *pub;
	size_t plen = 0, len = 0;
	uint8_t nonce[32];
	char path[4096];
	FILE *f;
	int rc = -1;

	if (!k || crypto_rand_bytes(nonce, sizeof(nonce)))
		goto out;
	pub = kex_public(k, &plen);
	memset(&h, 0, sizeof(h));
	if (crypto_rand_bytes(h.spi_i, 8))
		goto out;
	h.exchange = IKEV2_EXCH_IKE_SA_INIT;
	h.flags = IKEV2_FLAG_INITIATOR;
	memset(&sa_out, 0, sizeof(sa_out));
	sa_out.nproposals = 1;
	sa_out.p[0].num = 1;
	sa_out.p[0].proto = IKEV2_PROTO_IKE;
	sa_out.p[0].ntransforms = 3;
	sa_out.p[0].t[0] =
	    (struct ikev2_transform){IKEV2_TRANS_ENCR, IKEV2_ENCR_AES_GCM_16, true, 256, 0};
	sa_out.p[0].t[1] =
	    (struct ikev2_transform){IKEV2_TRANS_PRF, IKEV2_PRF_HMAC_SHA2_256, false, 0, 0};
	sa_out.p[0].t[2] = (struct ikev2_transform){IKEV2_TRANS_KE, 19, false, 0, 0};
	ikev2_build_init(&b, buf, sizeof(buf));
	ikev2_build_hdr(&b, &h);
	ikev2_build_sa(&b, &sa_out);
	ikev2_build_ke(&b, &(struct ikev2_ke_payload){ke_group, pub, plen});
	ikev2_build_nonce(&b, &(struct ikev2_blob){nonce, sizeof(nonce)});
	ikev2_build_notify(
	    &b, &(struct ikev2_notify){0, 0, IKEV2_N_IKEV2_FRAGMENTATION_SUPPORTED, NULL, NULL, 0});
	if (extra_type)
		ikev2_build_raw(&b, extra_type, extra_critical, "rampart", 7);
	if (ikev2_build_finish(&b, &len))
		goto out;
	snprintf(path, sizeof(path), "%s/%s.bin", dir, name);
	f = fopen(path, "wb");
	if (!f)
		goto out;
	rc = fwrite(buf, 1, len, f) == len ? 0 : -1;
	if (fclose(f))
		rc = -1;
out:
	kex_free(k);
	return rc;
}

static int dump_init(const char *dir)
{
	if (write_init(dir, "init_ok", 19, 0, false) ||
	    write_init(dir, "init_noncritical", 19, 200, false) ||
	    write_init(dir, "init_critical", 19, 200, true) ||
	    write_init(dir, "init_badke", 31, 0, false)) {
		fprintf(stderr, "writing the IKE_SA_INIT messages failed\n");
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	log_set_level_all(getenv("IKEV2_DEBUG") ? LOG_LVL_DEBUG : LOG_LVL_ERROR);
	if (argc == 3 && strcmp(argv[1], "--dump-init") == 0)
		return dump_init(argv[2]);
	test_roundtrip_all();
	test_encode_refusals();
	test_sk_gcm();
	test_sk_padding();
	test_skf();
	test_fragments();
	test_vector_rebuild();
	test_corpus_reencode();
	test_names();
	return t_finish();
}
