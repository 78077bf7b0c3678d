/* IKEv1 sample messages built with the ISAKMP builder: main, aggressive and quick mode,
 * informational (DPD, delete, notifies), transaction (XAUTH, mode-config), an encrypted quick
 * mode message and a fragment. Without arguments every sample is decoded back and every payload
 * decoded; with "--dump DIR" the samples are written to DIR/NN-name.bin for
 * tests/unit/test_isakmp_tshark.py, which dissects them with tshark; with "--decode FILE" each
 * line of FILE (a UDP payload in hex, as tshark prints udp.payload) is decoded and summarised,
 * for tests/interop/test_charon_ikev1_wire.sh. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/err.h"
#include "support/test.h"
#include "support/vec.h"
#include "wire/iana.h"
#include "wire/isakmp_build.h"
#include "wire/isakmp_const.h"
#include "wire/isakmp_msg.h"
#include "wire/isakmp_payload.h"
#include "wire/isakmp_sa.h"
#include "wire/isakmp_vid.h"

/* A self-signed ECDSA P-256 certificate for CN=rampart (DER). */
static const char cert_hex[] =
    "308201793082011fa0030201020214773848f8171ec18a05ace88742c470db4ccd2831300a06082a8648ce3d040302"
    "30"
    "123110300e06035504030c0772616d70617274301e170d3236313132373132343033375a170d333631313234313234"
    "30"
    "33375a30123110300e06035504030c0772616d706172743059301306072a8648ce3d020106082a8648ce3d03010703"
    "42"
    "0004eb904a6b8f1103a6ccfe0efac791df706783fea3f7cca2c7b798611d8a51cb69a340044886e0c7bb4d7cb83efd"
    "32"
    "7e90a29c09f932b0aa20ebaf7e42caf7c0b4a3533051301d0603551d0e04160414339565d2383ec90ddca983afebc0"
    "15"
    "71b6118f10301f0603551d23041830168014339565d2383ec90ddca983afebc01571b6118f10300f0603551d130101"
    "ff"
    "040530030101ff300a06082a8648ce3d0403020348003045022100bcfdf800329297713a421bc2d41fe041e0a683a1"
    "98"
    "4c74162aec7ac8204fd42e02205f0e5c2239c1a6e26c9f4234e068d3a1828b5e43a272294d8e4bf35bf3c4cee9";
/* DER Name CN=rampart */
static const uint8_t dn[] = {0x30, 0x12, 0x31, 0x10, 0x30, 0x0e, 0x06, 0x03, 0x55, 0x04,
			     0x03, 0x0c, 0x07, 'r',  'a',  'm',	 'p',  'a',  'r',  't'};
static const uint8_t life[4] = {0x00, 0x01, 0x51, 0x80};

static uint8_t bytes[512]; /* deterministic filler */
static uint8_t *cert_der;
static size_t cert_len;

static struct isakmp_payload pl; /* scratch */

static void init_hdr(struct isakmp_hdr *h, uint8_t exch, uint32_t msg_id, bool responder)
{
	static const uint8_t ci[8] = {0x5e, 0x11, 0x0a, 0x2b, 0x3c, 0x4d, 0x5e, 0x6f};
	static const uint8_t cr[8] = {0xa1, 0xb2, 0xc3, 0xd4, 0xe5, 0xf6, 0x07, 0x18};

	memset(h, 0, sizeof(*h));
	memcpy(h->icookie, ci, 8);
	if (responder || exch != ISAKMP_EXCH_IDPROT)
		memcpy(h->rcookie, cr, 8);
	h->major = ISAKMP_MAJOR_VERSION;
	h->minor = ISAKMP_MINOR_VERSION;
	h->exch = exch;
	h->msg_id = msg_id;
}

static void add_data(struct isakmp_builder *b, uint8_t type, const void *p, size_t len)
{
	pl.type = type;
	pl.u.data.p = p;
	pl.u.data.len = (uint16_t)len;
	isakmp_build_payload(b, &pl);
}

static void add_vid(struct isakmp_builder *b, enum isakmp_vid_kind k)
{
	const struct isakmp_vid_info *v = isakmp_vid_get(k);
	add_data(b, ISAKMP_PT_VID, v->bytes, v->len);
}

static void add_id(struct isakmp_builder *b, uint8_t type, uint8_t proto, uint16_t port,
		   const void *data, size_t len)
{
	pl.type = ISAKMP_PT_ID;
	pl.u.id.type = type;
	pl.u.id.proto = proto;
	pl.u.id.port = port;
	pl.u.id.data = data;
	pl.u.id.len = (uint16_t)len;
	isakmp_build_payload(b, &pl);
}

static void add_notify(struct isakmp_builder *b, uint8_t proto, const void *spi, uint8_t spi_len,
		       uint16_t type, const void *data, size_t len)
{
	memset(&pl.u.n, 0, sizeof(pl.u.n));
	pl.type = ISAKMP_PT_N;
	pl.u.n.doi = ISAKMP_DOI_IPSEC;
	pl.u.n.proto = proto;
	pl.u.n.spi_len = spi_len;
	if (spi_len)
		memcpy(pl.u.n.spi, spi, spi_len);
	pl.u.n.type = type;
	pl.u.n.data = data;
	pl.u.n.len = (uint16_t)len;
	isakmp_build_payload(b, &pl);
}

static void add_sa_phase1(struct isakmp_builder *b)
{
	struct isakmp_sa *sa = &pl.u.sa;

	pl.type = ISAKMP_PT_SA;
	isakmp_sa_init(sa, ISAKMP_DOI_IPSEC, ISAKMP_SIT_IDENTITY_ONLY);
	isakmp_sa_add_proposal(sa, 1, IPSEC_PROTO_ISAKMP, NULL, 0);
	isakmp_sa_add_transform(sa, 1, IPSEC_KEY_IKE);
	isakmp_sa_add_attr_tv(sa, IKEV1_ATTR_ENCR, IKEV1_ENCR_AES_CBC);
	isakmp_sa_add_attr_tv(sa, IKEV1_ATTR_KEY_LENGTH, 256);
	isakmp_sa_add_attr_tv(sa, IKEV1_ATTR_HASH, IKEV1_HASH_SHA2_256);
	isakmp_sa_add_attr_tv(sa, IKEV1_ATTR_AUTH_METHOD, IKEV1_AUTH_PSK);
	isakmp_sa_add_attr_tv(sa, IKEV1_ATTR_GROUP_DESC, 14);
	isakmp_sa_add_attr_tv(sa, IKEV1_ATTR_LIFE_TYPE, IKEV1_LIFE_SECONDS);
	isakmp_sa_add_attr_tlv(sa, IKEV1_ATTR_LIFE_DURATION, life, sizeof(life));
	isakmp_sa_add_transform(sa, 2, IPSEC_KEY_IKE);
	isakmp_sa_add_attr_tv(sa, IKEV1_ATTR_ENCR, IKEV1_ENCR_3DES_CBC);
	isakmp_sa_add_attr_tv(sa, IKEV1_ATTR_HASH, IKEV1_HASH_SHA1);
	isakmp_sa_add_attr_tv(sa, IKEV1_ATTR_AUTH_METHOD, IKEV1_AUTH_XAUTH_INIT_PSK);
	isakmp_sa_add_attr_tv(sa, IKEV1_ATTR_GROUP_DESC, 2);
	isakmp_sa_add_attr_tv(sa, IKEV1_ATTR_LIFE_TYPE, IKEV1_LIFE_SECONDS);
	isakmp_sa_add_attr_tv(sa, IKEV1_ATTR_LIFE_DURATION, 28800);
	isakmp_build_payload(b, &pl);
}

static void add_sa_phase2(struct isakmp_builder *b)
{
	struct isakmp_sa *sa = &pl.u.sa;
	static const uint8_t spi1[4] = {0xc0, 0x01, 0x02, 0x03}, spi2[4] = {0xc0, 0x0a, 0x0b, 0x0c};

	pl.type = ISAKMP_PT_SA;
	isakmp_sa_init(sa, ISAKMP_DOI_IPSEC, ISAKMP_SIT_IDENTITY_ONLY);
	isakmp_sa_add_proposal(sa, 1, IPSEC_PROTO_ESP, spi1, 4);
	isakmp_sa_add_transform(sa, 1, IPSEC_ESP_AES_GCM_16);
	isakmp_sa_add_attr_tv(sa, IPSEC_ATTR_ENCAP_MODE, IPSEC_ENCAP_UDP_TUNNEL);
	isakmp_sa_add_attr_tv(sa, IPSEC_ATTR_KEY_LENGTH, 256);
	isakmp_sa_add_attr_tv(sa, IPSEC_ATTR_LIFE_TYPE, IKEV1_LIFE_SECONDS);
	isakmp_sa_add_attr_tlv(sa, IPSEC_ATTR_LIFE_DURATION, life, sizeof(life));
	isakmp_sa_add_attr_tv(sa, IPSEC_ATTR_GROUP_DESC, 19);
	isakmp_sa_add_proposal(sa, 2, IPSEC_PROTO_ESP, spi2, 4);
	isakmp_sa_add_transform(sa, 1, IPSEC_ESP_AES);
	isakmp_sa_add_attr_tv(sa, IPSEC_ATTR_ENCAP_MODE, IPSEC_ENCAP_UDP_TUNNEL);
	isakmp_sa_add_attr_tv(sa, IPSEC_ATTR_AUTH_ALG, IPSEC_AUTH_HMAC_SHA2_256);
	isakmp_sa_add_attr_tv(sa, IPSEC_ATTR_KEY_LENGTH, 128);
	isakmp_sa_add_attr_tv(sa, IPSEC_ATTR_LIFE_TYPE, IKEV1_LIFE_SECONDS);
	isakmp_sa_add_attr_tv(sa, IPSEC_ATTR_LIFE_DURATION, 3600);
	isakmp_build_payload(b, &pl);
}

static void add_cfg(uint8_t type, uint16_t id)
{
	pl.type = ISAKMP_PT_ATTR;
	pl.u.cfg.type = type;
	pl.u.cfg.id = id;
	pl.u.cfg.n_attrs = 0;
}

static void cfg_attr(uint16_t type, bool tv, uint16_t v, const void *val, size_t len)
{
	struct isakmp_attr *a = &pl.u.cfg.attrs[pl.u.cfg.n_attrs++];
	a->type = type;
	a->tv = tv;
	a->tv_value = v;
	a->val = val;
	a->len = (uint16_t)len;
}

/* ---- the samples ---------------------------------------------------------------------------- */

static void mm1(struct isakmp_builder *b)
{
	add_sa_phase1(b);
	add_vid(b, ISAKMP_VID_NATT_RFC3947);
	add_vid(b, ISAKMP_VID_NATT_DRAFT_02N);
	add_vid(b, ISAKMP_VID_DPD);
	add_vid(b, ISAKMP_VID_XAUTH);
	add_vid(b, ISAKMP_VID_FRAGMENTATION);
	add_vid(b, ISAKMP_VID_STRONGSWAN);
}

static void mm3(struct isakmp_builder *b)
{
	add_data(b, ISAKMP_PT_KE, bytes, 256);
	add_data(b, ISAKMP_PT_NONCE, bytes + 256, 32);
	pl.type = ISAKMP_PT_CR;
	pl.u.cert.enc = ISAKMP_CERT_X509_SIG;
	pl.u.cert.data = dn;
	pl.u.cert.len = sizeof(dn);
	isakmp_build_payload(b, &pl);
	add_data(b, ISAKMP_PT_NAT_D, bytes + 300, 32);
	add_data(b, ISAKMP_PT_NAT_D, bytes + 332, 32);
}

static void mm5(struct isakmp_builder *b)
{
	add_id(b, ISAKMP_ID_DER_ASN1_DN, 17, 500, dn, sizeof(dn));
	pl.type = ISAKMP_PT_CERT;
	pl.u.cert.enc = ISAKMP_CERT_X509_SIG;
	pl.u.cert.data = cert_der;
	pl.u.cert.len = (uint16_t)cert_len;
	isakmp_build_payload(b, &pl);
	add_data(b, ISAKMP_PT_SIG, bytes, 64);
	add_notify(b, IPSEC_PROTO_ISAKMP, bytes + 64, 16, ISAKMP_N_INITIAL_CONTACT, NULL, 0);
}

static void aggr1(struct isakmp_builder *b)
{
	add_sa_phase1(b);
	add_data(b, ISAKMP_PT_KE, bytes, 128);
	add_data(b, ISAKMP_PT_NONCE, bytes + 128, 16);
	add_id(b, ISAKMP_ID_FQDN, 0, 0, "client.example.org", 18);
	add_vid(b, ISAKMP_VID_CISCO_UNITY);
	add_vid(b, ISAKMP_VID_NATT_DRAFT_03);
}

static void qm1(struct isakmp_builder *b)
{
	static const uint8_t sub4[8] = {10, 1, 0, 0, 255, 255, 255, 0};
	static const uint8_t oa[4] = {192, 168, 1, 10};
	size_t hash_pos;

	isakmp_build_placeholder(b, ISAKMP_PT_HASH, 32, &hash_pos);
	add_sa_phase2(b);
	add_data(b, ISAKMP_PT_NONCE, bytes, 32);
	add_data(b, ISAKMP_PT_KE, bytes + 32, 65);
	add_id(b, ISAKMP_ID_IPV4_ADDR_SUBNET, 0, 0, sub4, 8);
	add_id(b, ISAKMP_ID_IPV6_ADDR_SUBNET, 0, 0, bytes + 100, 32);
	memset(&pl.u.nat_oa, 0, sizeof(pl.u.nat_oa));
	pl.type = ISAKMP_PT_NAT_OA;
	pl.u.nat_oa.id_type = ISAKMP_ID_IPV4_ADDR;
	pl.u.nat_oa.addr_len = 4;
	memcpy(pl.u.nat_oa.addr, oa, 4);
	isakmp_build_payload(b, &pl);
	isakmp_build_payload(b, &pl);
	/* what the engine does once the rest of the message exists */
	memset(isakmp_build_at(b, hash_pos, 32), 0x48, 32);
}

static void info_dpd(struct isakmp_builder *b)
{
	add_data(b, ISAKMP_PT_HASH, bytes, 20);
	add_notify(b, IPSEC_PROTO_ISAKMP, bytes + 20, 16, ISAKMP_N_R_U_THERE, "\x00\x00\x10\x01",
		   4);
}

static void info_delete(struct isakmp_builder *b)
{
	add_data(b, ISAKMP_PT_HASH, bytes, 20);
	pl.type = ISAKMP_PT_D;
	pl.u.d.doi = ISAKMP_DOI_IPSEC;
	pl.u.d.proto = IPSEC_PROTO_ESP;
	pl.u.d.spi_len = 4;
	pl.u.d.n_spis = 2;
	pl.u.d.spis = bytes + 20;
	isakmp_build_payload(b, &pl);
	pl.u.d.proto = IPSEC_PROTO_ISAKMP;
	pl.u.d.spi_len = 16;
	pl.u.d.n_spis = 1;
	isakmp_build_payload(b, &pl);
}

static void info_notify(struct isakmp_builder *b)
{
	add_notify(b, IPSEC_PROTO_ISAKMP, bytes, 16, ISAKMP_N_INITIAL_CONTACT, NULL, 0);
	add_notify(b, IPSEC_PROTO_ESP, "\xc0\x01\x02\x03", 4, ISAKMP_N_RESPONDER_LIFETIME,
		   "\x80\x01\x00\x01\x00\x02\x00\x04\x00\x00\x0e\x10", 12);
	add_notify(b, IPSEC_PROTO_ISAKMP, NULL, 0, ISAKMP_N_NO_PROPOSAL_CHOSEN, NULL, 0);
}

static void cfg_xauth(struct isakmp_builder *b)
{
	add_data(b, ISAKMP_PT_HASH, bytes, 20);
	add_cfg(ISAKMP_CFG_REQUEST, 0x7a31);
	cfg_attr(ISAKMP_CFG_ATTR_XAUTH_TYPE, true, 0, NULL, 0);
	cfg_attr(ISAKMP_CFG_ATTR_XAUTH_USER_NAME, false, 0, NULL, 0);
	cfg_attr(ISAKMP_CFG_ATTR_XAUTH_USER_PASSWORD, false, 0, NULL, 0);
	isakmp_build_payload(b, &pl);
}

static void cfg_reply(struct isakmp_builder *b)
{
	add_data(b, ISAKMP_PT_HASH, bytes, 20);
	add_cfg(ISAKMP_CFG_REPLY, 0x0102);
	cfg_attr(ISAKMP_CFG_ATTR_INTERNAL_IP4_ADDRESS, false, 0, "\x0a\x01\x00\x02", 4);
	cfg_attr(ISAKMP_CFG_ATTR_INTERNAL_IP4_NETMASK, false, 0, "\xff\xff\xff\x00", 4);
	cfg_attr(ISAKMP_CFG_ATTR_INTERNAL_IP4_DNS, false, 0, "\x0a\x01\x00\x01", 4);
	cfg_attr(ISAKMP_CFG_ATTR_APPLICATION_VERSION, false, 0, "Rampart", 7);
	cfg_attr(ISAKMP_CFG_ATTR_XAUTH_STATUS, true, 1, NULL, 0);
	isakmp_build_payload(b, &pl);
}

static void qm_enc(struct isakmp_builder *b)
{
	add_data(b, ISAKMP_PT_HASH, bytes, 32);
	add_data(b, ISAKMP_PT_NONCE, bytes + 32, 16);
	isakmp_build_pad(b, 16);
}

static uint8_t inner[1024];
static size_t inner_len;

static void frag(struct isakmp_builder *b)
{
	pl.type = ISAKMP_PT_FRAG;
	pl.u.frag.id = 1;
	pl.u.frag.num = 1;
	pl.u.frag.flags = ISAKMP_FRAG_LAST;
	pl.u.frag.data = inner;
	pl.u.frag.len = (uint16_t)inner_len;
	isakmp_build_payload(b, &pl);
}

static const struct sample {
	int line;
	const char *name;
	uint8_t exch;
	uint8_t flags;
	uint32_t msg_id;
	bool responder;
	void (*build)(struct isakmp_builder *b);
	unsigned n_payloads;
} samples[] = {
    {__LINE__, "mm1", ISAKMP_EXCH_IDPROT, 0, 0, false, mm1, 7},
    {__LINE__, "mm3", ISAKMP_EXCH_IDPROT, 0, 0, true, mm3, 5},
    {__LINE__, "mm5", ISAKMP_EXCH_IDPROT, 0, 0, true, mm5, 4},
    {__LINE__, "aggr1", ISAKMP_EXCH_AGGRESSIVE, 0, 0, false, aggr1, 6},
    {__LINE__, "qm1", ISAKMP_EXCH_QUICK, 0, 0x6a2b3c4d, true, qm1, 8},
    {__LINE__, "info-dpd", ISAKMP_EXCH_INFO, 0, 0x11111111, true, info_dpd, 2},
    {__LINE__, "info-delete", ISAKMP_EXCH_INFO, 0, 0x22222222, true, info_delete, 3},
    {__LINE__, "info-notify", ISAKMP_EXCH_INFO, 0, 0x33333333, true, info_notify, 3},
    {__LINE__, "cfg-xauth", ISAKMP_EXCH_TRANSACTION, 0, 0x44444444, true, cfg_xauth, 2},
    {__LINE__, "cfg-reply", ISAKMP_EXCH_TRANSACTION, 0, 0x55555555, true, cfg_reply, 2},
    {__LINE__, "qm-enc", ISAKMP_EXCH_QUICK, ISAKMP_FLAG_ENC, 0x66666666, true, qm_enc, 2},
    {__LINE__, "frag", ISAKMP_EXCH_IDPROT, 0, 0, true, frag, 1},
};

static int build_sample(const struct sample *s, uint8_t *buf, size_t cap, size_t *len)
{
	struct isakmp_hdr h;
	struct isakmp_builder b;

	init_hdr(&h, s->exch, s->msg_id, s->responder);
	h.flags = s->flags;
	isakmp_build_init(&b, buf, cap, &h);
	s->build(&b);
	return isakmp_build_finish(&b, len);
}

/* The body of an "encrypted" sample: XOR with a constant stands in for the cipher here. */
static void toy_cipher(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] ^= 0xa5;
}

static void setup(void)
{
	for (size_t i = 0; i < sizeof(bytes); i++)
		bytes[i] = (uint8_t)(i * 7 + 3);
	if (vec_hex(cert_hex, &cert_der, &cert_len))
		T_OK(0, "certificate hex");
	/* the fragment carries a whole main mode message 5 */
	build_sample(&samples[2], inner, sizeof(inner), &inner_len);
}

static void check_sample(const struct sample *s, uint8_t *buf, size_t len)
{
	static struct isakmp_msg m;
	static struct isakmp_payload out;
	struct isakmp_err e = {0};
	int line = s->line;

	T_EQ_ROW(line, isakmp_msg_decode(&m, buf, len, 0, &e), 0);
	T_EQ_ROW(line, m.hdr.exch, s->exch);
	T_EQ_ROW(line, m.hdr.msg_id, s->msg_id);
	if (m.encrypted) {
		T_EQ_ROW(line, m.cipher_len % 16, 0);
		toy_cipher(buf + ISAKMP_HDR_LEN, len - ISAKMP_HDR_LEN);
		T_EQ_ROW(
		    line,
		    isakmp_msg_decode_plain(&m, buf + ISAKMP_HDR_LEN, len - ISAKMP_HDR_LEN, 0, &e),
		    0);
	}
	T_EQ_ROW(line, m.n, s->n_payloads);
	for (unsigned i = 0; i < m.n; i++) {
		int rc = isakmp_payload_decode(&m.pld[i], &out, &e);
		T_OK_ROW(line, rc == 0, "payload %u (%s) decodes: %d", i,
			 isakmp_payload_name(m.pld[i].type), rc);
		if (!rc && out.type == ISAKMP_PT_VID)
			T_OK_ROW(line, isakmp_vid_lookup(out.u.data.p, out.u.data.len) != NULL,
				 "VID %u recognised", i);
		if (!rc && out.type == ISAKMP_PT_FRAG) {
			static struct isakmp_msg in;
			T_EQ_ROW(line,
				 isakmp_msg_decode(&in, out.u.frag.data, out.u.frag.len, 0, &e), 0);
			T_EQ_ROW(line, in.n, 4);
		}
	}
}

static int dump(const char *dir)
{
	int rc = 0;

	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]) && !rc; i++) {
		uint8_t buf[2048];
		size_t len = 0;
		char path[512];
		FILE *f;

		if (build_sample(&samples[i], buf, sizeof(buf), &len)) {
			fprintf(stderr, "sample %s does not build\n", samples[i].name);
			rc = 1;
			break;
		}
		if (samples[i].flags & ISAKMP_FLAG_ENC)
			toy_cipher(buf + ISAKMP_HDR_LEN, len - ISAKMP_HDR_LEN);
		snprintf(path, sizeof(path), "%s/%02zu-%s.bin", dir, i + 1, samples[i].name);
		f = fopen(path, "wb");
		if (!f || fwrite(buf, 1, len, f) != len) {
			fprintf(stderr, "cannot write %s\n", path);
			rc = 1;
		}
		if (f && fclose(f))
			rc = 1;
	}
	return rc;
}

/* Decodes captured datagrams; prints one summary line per ISAKMP message and a last line
 * "decoded N, encrypted E, failed F". Returns 0 when nothing failed. */
static int decode_file(const char *path)
{
	static struct isakmp_msg m;
	static struct isakmp_payload out;
	unsigned decoded = 0, encrypted = 0, failures = 0, msgno = 0;
	char line[8192];
	FILE *f = fopen(path, "r");

	if (!f) {
		fprintf(stderr, "cannot open %s\n", path);
		return 1;
	}
	while (fgets(line, sizeof(line), f)) {
		const uint8_t *ike = NULL;
		size_t n = 0, ike_len = 0;
		uint8_t *p = NULL;
		struct isakmp_err e = {0};
		int rc;

		line[strcspn(line, "\r\n")] = 0;
		if (!line[0])
			continue;
		msgno++;
		if (vec_hex(line, &p, &n)) {
			printf("msg %u: bad hex\n", msgno);
			failures++;
			continue;
		}
		ike = p;
		ike_len = n;
		if (n >= 4 && p[0] == 0 && p[1] == 0 && p[2] == 0 && p[3] == 0 &&
		    isakmp_udp4500_classify(p, n, &ike, &ike_len) != ISAKMP_UDP4500_IKE) {
			printf("msg %u: not IKE\n", msgno);
			failures++;
			free(p);
			continue;
		}
		rc = isakmp_msg_decode(&m, ike, ike_len, 0, &e);
		if (rc) {
			printf("msg %u: FAIL %s (%s at offset %u)\n", msgno, err_str(rc),
			       isakmp_notify_name(e.notify), e.offset);
			failures++;
			free(p);
			continue;
		}
		decoded++;
		printf("msg %u: exch=%s msgid=%08x enc=%d", msgno, isakmp_exch_name(m.hdr.exch),
		       m.hdr.msg_id, m.encrypted);
		if (m.encrypted)
			encrypted++;
		for (unsigned i = 0; i < m.n; i++) {
			rc = isakmp_payload_decode(&m.pld[i], &out, &e);
			printf(" %s", isakmp_payload_name(m.pld[i].type));
			if (rc) {
				printf("(FAIL %s at offset %u)", isakmp_notify_name(e.notify),
				       e.offset);
				failures++;
			} else if (out.type == ISAKMP_PT_VID) {
				const struct isakmp_vid_info *v =
				    isakmp_vid_lookup(out.u.data.p, out.u.data.len);
				printf("[%s]", v ? v->name : "unknown");
			} else if (out.type == ISAKMP_PT_SA) {
				printf("[props=%u xforms=%u attrs=%u]", out.u.sa.n_props,
				       out.u.sa.n_xforms, out.u.sa.n_attrs);
			} else if (out.type == ISAKMP_PT_N) {
				printf("[%s]", isakmp_notify_name(out.u.n.type));
			}
		}
		printf("\n");
		free(p);
	}
	fclose(f);
	printf("decoded %u, encrypted %u, failed %u\n", decoded, encrypted, failures);
	return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	int rc;

	if (argc == 3 && !strcmp(argv[1], "--decode"))
		return decode_file(argv[2]);
	setup();
	if (argc == 3 && !strcmp(argv[1], "--dump")) {
		rc = dump(argv[2]);
		free(cert_der);
		return rc;
	}
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		uint8_t buf[2048];
		size_t len = 0;

		T_EQ_ROW(samples[i].line, build_sample(&samples[i], buf, sizeof(buf), &len), 0);
		if (samples[i].flags & ISAKMP_FLAG_ENC)
			toy_cipher(buf + ISAKMP_HDR_LEN, len - ISAKMP_HDR_LEN);
		check_sample(&samples[i], buf, len);
	}
	free(cert_der);
	return t_finish();
}
