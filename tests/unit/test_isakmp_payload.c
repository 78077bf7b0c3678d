/* ISAKMP payload codecs: round trip of every payload through the builder and the decoders,
 * table-driven bad input for the SA (proposal/transform chains, counts, SPI sizes, basic vs
 * variable attributes) and for every other payload, limits, and the Vendor ID table. */
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

#define N(x) ISAKMP_N_##x

static const uint8_t ck_i[8] = {1, 2, 3, 4, 5, 6, 7, 8};
static const uint8_t ck_r[8] = {9, 10, 11, 12, 13, 14, 15, 16};
static const uint8_t fill[256] = {
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
    0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
    0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f,
    0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f,
    0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x4b, 0x4c, 0x4d, 0x4e, 0x4f,
    0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x5b, 0x5c, 0x5d, 0x5e, 0x5f,
    0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f,
    0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x7b, 0x7c, 0x7d, 0x7e, 0x7f,
    0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8b, 0x8c, 0x8d, 0x8e, 0x8f,
    0x90, 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9e, 0x9f,
    0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf,
    0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xbb, 0xbc, 0xbd, 0xbe, 0xbf,
    0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xcb, 0xcc, 0xcd, 0xce, 0xcf,
    0xd0, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf,
    0xe0, 0xe1, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xeb, 0xec, 0xed, 0xee, 0xef,
    0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd, 0xfe, 0xff};
static const uint8_t life[4] = {0x00, 0x01, 0x51, 0x80};

/* ---- payloads to round-trip ----------------------------------------------------------- */

static void sa_phase1(struct isakmp_payload *p)
{
	struct isakmp_sa *sa = &p->u.sa;

	p->type = ISAKMP_PT_SA;
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
	isakmp_sa_add_attr_tv(sa, IKEV1_ATTR_AUTH_METHOD, IKEV1_AUTH_RSA_SIG);
	isakmp_sa_add_attr_tv(sa, IKEV1_ATTR_GROUP_DESC, 2);
	isakmp_sa_add_attr_tv(sa, IKEV1_ATTR_LIFE_TYPE, IKEV1_LIFE_SECONDS);
	isakmp_sa_add_attr_tv(sa, IKEV1_ATTR_LIFE_DURATION, 3600);
}

static void sa_phase2(struct isakmp_payload *p)
{
	struct isakmp_sa *sa = &p->u.sa;
	static const uint8_t spi1[4] = {0xc0, 0x01, 0x02, 0x03}, spi2[4] = {0xc0, 0x0a, 0x0b, 0x0c};
	static const uint8_t cpi[2] = {0x12, 0x34};

	p->type = ISAKMP_PT_SA;
	isakmp_sa_init(sa, ISAKMP_DOI_IPSEC, ISAKMP_SIT_IDENTITY_ONLY);
	/* proposal 1: ESP AND IPCOMP; proposal 2: AH */
	isakmp_sa_add_proposal(sa, 1, IPSEC_PROTO_ESP, spi1, 4);
	isakmp_sa_add_transform(sa, 1, IPSEC_ESP_AES_GCM_16);
	isakmp_sa_add_attr_tv(sa, IPSEC_ATTR_ENCAP_MODE, IPSEC_ENCAP_UDP_TUNNEL);
	isakmp_sa_add_attr_tv(sa, IPSEC_ATTR_KEY_LENGTH, 256);
	isakmp_sa_add_attr_tv(sa, IPSEC_ATTR_LIFE_TYPE, IKEV1_LIFE_SECONDS);
	isakmp_sa_add_attr_tlv(sa, IPSEC_ATTR_LIFE_DURATION, life, sizeof(life));
	isakmp_sa_add_attr_tv(sa, IPSEC_ATTR_GROUP_DESC, 19);
	isakmp_sa_add_transform(sa, 2, IPSEC_ESP_AES);
	isakmp_sa_add_attr_tv(sa, IPSEC_ATTR_ENCAP_MODE, IPSEC_ENCAP_TUNNEL);
	isakmp_sa_add_attr_tv(sa, IPSEC_ATTR_AUTH_ALG, IPSEC_AUTH_HMAC_SHA2_256);
	isakmp_sa_add_attr_tv(sa, IPSEC_ATTR_KEY_LENGTH, 128);
	isakmp_sa_add_proposal(sa, 1, IPSEC_PROTO_IPCOMP, cpi, 2);
	isakmp_sa_add_transform(sa, 1, 2 /* IPCOMP_DEFLATE */);
	isakmp_sa_add_attr_tv(sa, IPSEC_ATTR_ENCAP_MODE, IPSEC_ENCAP_TUNNEL);
	isakmp_sa_add_proposal(sa, 2, IPSEC_PROTO_AH, spi2, 4);
	isakmp_sa_add_transform(sa, 1, IPSEC_AH_SHA2_256);
	isakmp_sa_add_attr_tv(sa, IPSEC_ATTR_ENCAP_MODE, IPSEC_ENCAP_TRANSPORT);
	isakmp_sa_add_attr_tv(sa, IPSEC_ATTR_AUTH_ALG, IPSEC_AUTH_HMAC_SHA2_256);
}

static void data_pl(struct isakmp_payload *p, uint8_t type, size_t len)
{
	p->type = type;
	p->u.data.p = fill;
	p->u.data.len = (uint16_t)len;
}

static void ke(struct isakmp_payload *p)
{
	data_pl(p, ISAKMP_PT_KE, 256);
}
static void hash(struct isakmp_payload *p)
{
	data_pl(p, ISAKMP_PT_HASH, 32);
}
static void sig(struct isakmp_payload *p)
{
	data_pl(p, ISAKMP_PT_SIG, 64);
}
static void nonce8(struct isakmp_payload *p)
{
	data_pl(p, ISAKMP_PT_NONCE, 8);
}
static void nonce256(struct isakmp_payload *p)
{
	data_pl(p, ISAKMP_PT_NONCE, 256);
}
static void natd(struct isakmp_payload *p)
{
	data_pl(p, ISAKMP_PT_NAT_D, 20);
}
static void natd_draft(struct isakmp_payload *p)
{
	data_pl(p, ISAKMP_PT_NAT_D_DRAFT, 16);
}
static void vid_dpd(struct isakmp_payload *p)
{
	const struct isakmp_vid_info *v = isakmp_vid_get(ISAKMP_VID_DPD);
	p->type = ISAKMP_PT_VID;
	p->u.data.p = v->bytes;
	p->u.data.len = v->len;
}

static void id_pl(struct isakmp_payload *p, uint8_t type, uint8_t proto, uint16_t port,
		  const void *data, size_t len)
{
	p->type = ISAKMP_PT_ID;
	p->u.id.type = type;
	p->u.id.proto = proto;
	p->u.id.port = port;
	p->u.id.data = data;
	p->u.id.len = (uint16_t)len;
}
static void id_v4(struct isakmp_payload *p)
{
	id_pl(p, ISAKMP_ID_IPV4_ADDR, 17, 500, "\xc0\x00\x02\x01", 4);
}
static void id_fqdn(struct isakmp_payload *p)
{
	id_pl(p, ISAKMP_ID_FQDN, 0, 0, "gw.example.org", 14);
}
static void id_v6_subnet(struct isakmp_payload *p)
{
	id_pl(p, ISAKMP_ID_IPV6_ADDR_SUBNET, 6, 0, fill, 32);
}
static void id_v4_range(struct isakmp_payload *p)
{
	id_pl(p, ISAKMP_ID_IPV4_ADDR_RANGE, 0, 0, "\x0a\x00\x00\x01\x0a\x00\x00\xfe", 8);
}
static void id_dn(struct isakmp_payload *p)
{
	id_pl(p, ISAKMP_ID_DER_ASN1_DN, 17, 500,
	      "\x30\x0d\x31\x0b\x30\x09\x06\x03\x55\x04\x03"
	      "\x0c\x02gw",
	      15);
}

static void cert(struct isakmp_payload *p)
{
	p->type = ISAKMP_PT_CERT;
	p->u.cert.enc = ISAKMP_CERT_X509_SIG;
	p->u.cert.data = fill;
	p->u.cert.len = 200;
}
static void cr_empty(struct isakmp_payload *p)
{
	p->type = ISAKMP_PT_CR;
	p->u.cert.enc = ISAKMP_CERT_X509_SIG;
	p->u.cert.data = NULL;
	p->u.cert.len = 0;
}
static void cr_ca(struct isakmp_payload *p)
{
	p->type = ISAKMP_PT_CR;
	p->u.cert.enc = ISAKMP_CERT_X509_SIG;
	p->u.cert.data = fill + 10;
	p->u.cert.len = 40;
}

static void notif(struct isakmp_payload *p, uint8_t proto, const void *spi, uint8_t spi_len,
		  uint16_t type, const void *data, size_t len)
{
	memset(&p->u.n, 0, sizeof(p->u.n));
	p->type = ISAKMP_PT_N;
	p->u.n.doi = ISAKMP_DOI_IPSEC;
	p->u.n.proto = proto;
	p->u.n.spi_len = spi_len;
	if (spi_len)
		memcpy(p->u.n.spi, spi, spi_len);
	p->u.n.type = type;
	p->u.n.data = data;
	p->u.n.len = (uint16_t)len;
}
static void n_initial_contact(struct isakmp_payload *p)
{
	notif(p, IPSEC_PROTO_ISAKMP, fill, 16, ISAKMP_N_INITIAL_CONTACT, NULL, 0);
}
static void n_r_u_there(struct isakmp_payload *p)
{
	notif(p, IPSEC_PROTO_ISAKMP, fill + 16, 16, ISAKMP_N_R_U_THERE, "\x00\x00\x12\x34", 4);
}
static void n_responder_lifetime(struct isakmp_payload *p)
{
	notif(p, IPSEC_PROTO_ESP, "\xc0\x01\x02\x03", 4, ISAKMP_N_RESPONDER_LIFETIME,
	      "\x80\x01\x00\x01\x00\x02\x00\x04\x00\x00\x0e\x10", 12);
}
static void n_error(struct isakmp_payload *p)
{
	notif(p, 0, NULL, 0, ISAKMP_N_NO_PROPOSAL_CHOSEN, NULL, 0);
	p->u.n.doi = ISAKMP_DOI_ISAKMP;
}

static void del(struct isakmp_payload *p, uint8_t proto, uint8_t spi_len, uint16_t n)
{
	p->type = ISAKMP_PT_D;
	p->u.d.doi = ISAKMP_DOI_IPSEC;
	p->u.d.proto = proto;
	p->u.d.spi_len = spi_len;
	p->u.d.n_spis = n;
	p->u.d.spis = fill;
}
static void d_isakmp(struct isakmp_payload *p)
{
	del(p, IPSEC_PROTO_ISAKMP, 16, 1);
}
static void d_esp(struct isakmp_payload *p)
{
	del(p, IPSEC_PROTO_ESP, 4, 3);
}
static void d_ipcomp(struct isakmp_payload *p)
{
	del(p, IPSEC_PROTO_IPCOMP, 2, 2);
}

static void nat_oa(struct isakmp_payload *p, uint8_t type, uint8_t id_type, size_t len)
{
	memset(&p->u.nat_oa, 0, sizeof(p->u.nat_oa));
	p->type = type;
	p->u.nat_oa.id_type = id_type;
	p->u.nat_oa.addr_len = (uint8_t)len;
	memcpy(p->u.nat_oa.addr, fill + 100, len);
}
static void natoa_v4(struct isakmp_payload *p)
{
	nat_oa(p, ISAKMP_PT_NAT_OA, ISAKMP_ID_IPV4_ADDR, 4);
}
static void natoa_v6(struct isakmp_payload *p)
{
	nat_oa(p, ISAKMP_PT_NAT_OA, ISAKMP_ID_IPV6_ADDR, 16);
}
static void natoa_draft(struct isakmp_payload *p)
{
	nat_oa(p, ISAKMP_PT_NAT_OA_DRAFT, ISAKMP_ID_IPV4_ADDR, 4);
}

static void cfg_attr(struct isakmp_cfg *c, uint16_t type, bool tv, uint16_t v, const void *val,
		     size_t len)
{
	struct isakmp_attr *a = &c->attrs[c->n_attrs++];
	memset(a, 0, sizeof(*a));
	a->type = type;
	a->tv = tv;
	a->tv_value = v;
	a->val = val;
	a->len = (uint16_t)len;
}
static void cfg_request(struct isakmp_payload *p)
{
	p->type = ISAKMP_PT_ATTR;
	p->u.cfg.type = ISAKMP_CFG_REQUEST;
	p->u.cfg.id = 0x1234;
	p->u.cfg.n_attrs = 0;
	cfg_attr(&p->u.cfg, ISAKMP_CFG_ATTR_INTERNAL_IP4_ADDRESS, false, 0, NULL, 0);
	cfg_attr(&p->u.cfg, ISAKMP_CFG_ATTR_INTERNAL_IP4_DNS, false, 0, NULL, 0);
	cfg_attr(&p->u.cfg, ISAKMP_CFG_ATTR_UNITY_SPLIT_INCLUDE, false, 0, NULL, 0);
}
static void cfg_reply(struct isakmp_payload *p)
{
	p->type = ISAKMP_PT_ATTR;
	p->u.cfg.type = ISAKMP_CFG_REPLY;
	p->u.cfg.id = 0x1234;
	p->u.cfg.n_attrs = 0;
	cfg_attr(&p->u.cfg, ISAKMP_CFG_ATTR_INTERNAL_IP4_ADDRESS, false, 0, "\x0a\x01\x00\x02", 4);
	cfg_attr(&p->u.cfg, ISAKMP_CFG_ATTR_INTERNAL_IP4_DNS, false, 0, "\x0a\x01\x00\x01", 4);
	cfg_attr(&p->u.cfg, ISAKMP_CFG_ATTR_INTERNAL_IP6_ADDRESS, false, 0, fill, 17);
}
static void cfg_xauth(struct isakmp_payload *p)
{
	p->type = ISAKMP_PT_ATTR;
	p->u.cfg.type = ISAKMP_CFG_REQUEST;
	p->u.cfg.id = 7;
	p->u.cfg.n_attrs = 0;
	cfg_attr(&p->u.cfg, ISAKMP_CFG_ATTR_XAUTH_TYPE, true, 0, NULL, 0);
	cfg_attr(&p->u.cfg, ISAKMP_CFG_ATTR_XAUTH_USER_NAME, false, 0, NULL, 0);
	cfg_attr(&p->u.cfg, ISAKMP_CFG_ATTR_XAUTH_USER_PASSWORD, false, 0, NULL, 0);
	cfg_attr(&p->u.cfg, ISAKMP_CFG_ATTR_XAUTH_STATUS, true, 1, NULL, 0);
}

static void frag(struct isakmp_payload *p)
{
	p->type = ISAKMP_PT_FRAG;
	p->u.frag.id = 1;
	p->u.frag.num = 2;
	p->u.frag.flags = ISAKMP_FRAG_LAST;
	p->u.frag.data = fill;
	p->u.frag.len = 100;
}

static const struct {
	int line;
	void (*mk)(struct isakmp_payload *p);
} rt_rows[] = {
    {__LINE__, sa_phase1},
    {__LINE__, sa_phase2},
    {__LINE__, ke},
    {__LINE__, hash},
    {__LINE__, sig},
    {__LINE__, nonce8},
    {__LINE__, nonce256},
    {__LINE__, natd},
    {__LINE__, natd_draft},
    {__LINE__, vid_dpd},
    {__LINE__, id_v4},
    {__LINE__, id_fqdn},
    {__LINE__, id_v6_subnet},
    {__LINE__, id_v4_range},
    {__LINE__, id_dn},
    {__LINE__, cert},
    {__LINE__, cr_empty},
    {__LINE__, cr_ca},
    {__LINE__, n_initial_contact},
    {__LINE__, n_r_u_there},
    {__LINE__, n_responder_lifetime},
    {__LINE__, n_error},
    {__LINE__, d_isakmp},
    {__LINE__, d_esp},
    {__LINE__, d_ipcomp},
    {__LINE__, natoa_v4},
    {__LINE__, natoa_v6},
    {__LINE__, natoa_draft},
    {__LINE__, cfg_request},
    {__LINE__, cfg_reply},
    {__LINE__, cfg_xauth},
    {__LINE__, frag},
};

/* Builds a message holding p preceded by a VID, so the payload is not first in the chain. */
static int build(const struct isakmp_payload *p, uint8_t *buf, size_t cap, size_t *len)
{
	struct isakmp_hdr h = {.major = 1, .exch = ISAKMP_EXCH_INFO, .msg_id = 7};
	struct isakmp_builder b;

	memcpy(h.icookie, ck_i, 8);
	memcpy(h.rcookie, ck_r, 8);
	isakmp_build_init(&b, buf, cap, &h);
	isakmp_build_raw(&b, ISAKMP_PT_VID, "rampart", 7);
	isakmp_build_payload(&b, p);
	return isakmp_build_finish(&b, len);
}

static void check_fields(int line, const struct isakmp_payload *a, const struct isakmp_payload *b)
{
	T_EQ_ROW(line, a->type, b->type);
	switch (a->type) {
	case ISAKMP_PT_SA:
		T_EQ_ROW(line, a->u.sa.n_props, b->u.sa.n_props);
		T_EQ_ROW(line, a->u.sa.n_xforms, b->u.sa.n_xforms);
		T_EQ_ROW(line, a->u.sa.n_attrs, b->u.sa.n_attrs);
		for (unsigned i = 0; i < a->u.sa.n_props && i < b->u.sa.n_props; i++) {
			T_EQ_ROW(line, a->u.sa.props[i].proto, b->u.sa.props[i].proto);
			T_MEM_ROW(line, a->u.sa.props[i].spi, a->u.sa.props[i].spi_len,
				  b->u.sa.props[i].spi, b->u.sa.props[i].spi_len);
		}
		for (unsigned i = 0; i < a->u.sa.n_attrs && i < b->u.sa.n_attrs; i++) {
			uint64_t x = 0, y = 1;
			isakmp_attr_uint(&a->u.sa.attrs[i], &x);
			isakmp_attr_uint(&b->u.sa.attrs[i], &y);
			T_EQ_ROW(line, x, y);
			T_EQ_ROW(line, a->u.sa.attrs[i].tv, b->u.sa.attrs[i].tv);
		}
		break;
	case ISAKMP_PT_ID:
		T_EQ_ROW(line, a->u.id.type, b->u.id.type);
		T_EQ_ROW(line, a->u.id.port, b->u.id.port);
		T_MEM_ROW(line, a->u.id.data, a->u.id.len, b->u.id.data, b->u.id.len);
		break;
	case ISAKMP_PT_N:
		T_EQ_ROW(line, a->u.n.type, b->u.n.type);
		T_MEM_ROW(line, a->u.n.spi, a->u.n.spi_len, b->u.n.spi, b->u.n.spi_len);
		T_EQ_ROW(line, a->u.n.len, b->u.n.len);
		break;
	case ISAKMP_PT_D:
		T_EQ_ROW(line, a->u.d.n_spis, b->u.d.n_spis);
		T_MEM_ROW(line, a->u.d.spis, (size_t)a->u.d.n_spis * a->u.d.spi_len, b->u.d.spis,
			  (size_t)b->u.d.n_spis * b->u.d.spi_len);
		break;
	case ISAKMP_PT_ATTR:
		T_EQ_ROW(line, a->u.cfg.n_attrs, b->u.cfg.n_attrs);
		T_EQ_ROW(line, a->u.cfg.id, b->u.cfg.id);
		break;
	case ISAKMP_PT_NAT_OA:
	case ISAKMP_PT_NAT_OA_DRAFT:
		T_MEM_ROW(line, a->u.nat_oa.addr, a->u.nat_oa.addr_len, b->u.nat_oa.addr,
			  b->u.nat_oa.addr_len);
		break;
	default:
		break;
	}
}

static void test_round_trip(void)
{
	static struct isakmp_payload in, out;
	static struct isakmp_msg m;
	uint8_t a[1024], b[1024];
	size_t alen = 0, blen = 0;

	for (size_t i = 0; i < sizeof(rt_rows) / sizeof(rt_rows[0]); i++) {
		int line = rt_rows[i].line;
		const struct isakmp_pld *p;
		struct isakmp_err e = {0};

		memset(&in, 0, sizeof(in));
		rt_rows[i].mk(&in);
		T_EQ_ROW(line, build(&in, a, sizeof(a), &alen), 0);
		T_EQ_ROW(line, isakmp_msg_decode(&m, a, alen, 0, &e), 0);
		T_EQ_ROW(line, m.n, 2);
		p = isakmp_msg_first(&m, in.type);
		if (in.type == ISAKMP_PT_VID)
			p = isakmp_msg_next(&m, p);
		T_OK_ROW(line, p != NULL, "payload %u present", in.type);
		if (!p)
			continue;
		T_EQ_ROW(line, isakmp_payload_decode(p, &out, &e), 0);
		check_fields(line, &in, &out);
		T_EQ_ROW(line, build(&out, b, sizeof(b), &blen), 0);
		T_MEM_ROW(line, b, blen, a, alen);
	}
}

/* ---- bad input ----------------------------------------------------------------------------- */

/* Payload bodies; the payload sits at offset 28, its body at 32. */
static const struct {
	int line;
	uint8_t type;
	const char *body;
	int want_err;
	uint16_t notify;
	uint32_t offset;
} bad_rows[] = {
    /* SA: a valid phase-1 SA first */
    {__LINE__, ISAKMP_PT_SA,
     "00000001 00000001 0000 0024 01 01 00 01 0000 001c 01 01 0000 800e0080 80010007 800b0001 "
     "000c0004 00007080",
     0, 0, 0},
    {__LINE__, ISAKMP_PT_SA,
     "00000002 00000001 0000 0024 01 01 00 01 0000 001c 01 01 0000 800e0080 80010007 800b0001 "
     "000c0004 00007080",
     ERR_UNSUPPORTED, N(DOI_NOT_SUPPORTED), 32},
    {__LINE__, ISAKMP_PT_SA,
     "00000001 00000002 0000 0024 01 01 00 01 0000 001c 01 01 0000 800e0080 80010007 800b0001 "
     "000c0004 00007080",
     ERR_UNSUPPORTED, N(SITUATION_NOT_SUPPORTED), 36},
    /* transform count 2, one transform present */
    {__LINE__, ISAKMP_PT_SA,
     "00000001 00000001 0000 0024 01 01 00 02 0000 001c 01 01 0000 800e0080 80010007 800b0001 "
     "000c0004 00007080",
     ERR_INVAL, N(BAD_PROPOSAL_SYNTAX), 47},
    /* transform count 1, two transforms present */
    {__LINE__, ISAKMP_PT_SA,
     "00000001 00000001 0000 0040 01 01 00 01 0300 001c 01 01 0000 800e0080 80010007 800b0001 "
     "000c0004 00007080 0000 001c 02 01 0000 800e0080 80010007 800b0001 000c0004 00007080",
     ERR_INVAL, N(BAD_PROPOSAL_SYNTAX), 76},
    /* a variable life duration as basic is fine; a basic key length as variable is not */
    {__LINE__, ISAKMP_PT_SA,
     "00000001 00000001 0000 0020 01 01 00 01 0000 0018 01 01 0000 800e0080 80010007 800b0001 "
     "800c0e10",
     0, 0, 0},
    {__LINE__, ISAKMP_PT_SA,
     "00000001 00000001 0000 0026 01 01 00 01 0000 001e 01 01 0000 000e00020080 80010007 "
     "800b0001 000c0004 00007080",
     ERR_INVAL, N(BAD_PROPOSAL_SYNTAX), 56},
    /* a TLV attribute whose length passes the end of its transform */
    {__LINE__, ISAKMP_PT_SA,
     "00000001 00000001 0000 0024 01 01 00 01 0000 001c 01 01 0000 800e0080 80010007 800b0001 "
     "000c0008 00007080",
     ERR_TRUNC, N(BAD_PROPOSAL_SYNTAX), 70},
    /* truncated attribute header */
    {__LINE__, ISAKMP_PT_SA,
     "00000001 00000001 0000 0016 01 01 00 01 0000 000e 01 01 0000 800e0080 8001", ERR_TRUNC,
     N(BAD_PROPOSAL_SYNTAX), 60},
    /* transform length below its header, proposal length past the SA */
    {__LINE__, ISAKMP_PT_SA,
     "00000001 00000001 0000 0024 01 01 00 01 0000 0004 01 01 0000 800e0080 80010007 800b0001 "
     "000c0004 00007080",
     ERR_INVAL, N(BAD_PROPOSAL_SYNTAX), 50},
    {__LINE__, ISAKMP_PT_SA,
     "00000001 00000001 0000 0030 01 01 00 01 0000 001c 01 01 0000 800e0080 80010007 800b0001 "
     "000c0004 00007080",
     ERR_TRUNC, N(BAD_PROPOSAL_SYNTAX), 42},
    /* bytes after the last proposal; a proposal chain that ends early; a bad next payload */
    {__LINE__, ISAKMP_PT_SA,
     "00000001 00000001 0000 0024 01 01 00 01 0000 001c 01 01 0000 800e0080 80010007 800b0001 "
     "000c0004 00007080 00",
     ERR_INVAL, N(BAD_PROPOSAL_SYNTAX), 76},
    {__LINE__, ISAKMP_PT_SA,
     "00000001 00000001 0200 0024 01 01 00 01 0000 001c 01 01 0000 800e0080 80010007 800b0001 "
     "000c0004 00007080",
     ERR_TRUNC, N(BAD_PROPOSAL_SYNTAX), 76},
    {__LINE__, ISAKMP_PT_SA,
     "00000001 00000001 0500 0024 01 01 00 01 0000 001c 01 01 0000 800e0080 80010007 800b0001 "
     "000c0004 00007080",
     ERR_INVAL, N(BAD_PROPOSAL_SYNTAX), 40},
    /* unknown protocol, zero transforms, no situation, no proposal */
    {__LINE__, ISAKMP_PT_SA,
     "00000001 00000001 0000 0024 01 09 00 01 0000 001c 01 01 0000 800e0080 80010007 800b0001 "
     "000c0004 00007080",
     ERR_UNSUPPORTED, N(INVALID_PROTOCOL_ID), 45},
    {__LINE__, ISAKMP_PT_SA, "00000001 00000001 0000 0008 01 01 00 00", ERR_INVAL,
     N(BAD_PROPOSAL_SYNTAX), 47},
    {__LINE__, ISAKMP_PT_SA, "00000001", ERR_TRUNC, N(PAYLOAD_MALFORMED), 36},
    {__LINE__, ISAKMP_PT_SA, "00000001 00000001", ERR_TRUNC, N(BAD_PROPOSAL_SYNTAX), 40},
    /* phase 2: ESP with a 4-octet SPI is fine, without an SPI it is not */
    {__LINE__, ISAKMP_PT_SA,
     "00000001 00000001 0000 0024 01 03 04 01 11223344 0000 0018 01 0c 0000 80040001 80010001 "
     "00020004 00000e10",
     0, 0, 0},
    {__LINE__, ISAKMP_PT_SA,
     "00000001 00000001 0000 0014 01 03 00 01 0000 000c 01 03 0000 80040001", ERR_INVAL,
     N(INVALID_SPI), 46},
    /* IPCOMP: a 2-octet CPI is fine, 3 octets are not */
    {__LINE__, ISAKMP_PT_SA,
     "00000001 00000001 0000 0016 01 04 02 01 1234 0000 000c 01 02 0000 80040001", 0, 0, 0},
    {__LINE__, ISAKMP_PT_SA,
     "00000001 00000001 0000 0017 01 04 03 01 123456 0000 000c 01 02 0000 80040001", ERR_INVAL,
     N(INVALID_SPI), 46},
    /* encapsulation mode (basic) sent as variable */
    {__LINE__, ISAKMP_PT_SA,
     "00000001 00000001 0000 001a 01 03 04 01 11223344 0000 000e 01 03 0000 000400020001",
     ERR_INVAL, N(BAD_PROPOSAL_SYNTAX), 60},
    /* SPI past the end of its proposal */
    {__LINE__, ISAKMP_PT_SA, "00000001 00000001 0000 000a 01 03 04 01 1122", ERR_TRUNC,
     N(BAD_PROPOSAL_SYNTAX), 48},
    /* ISAKMP proposal followed by an ESP one */
    {__LINE__, ISAKMP_PT_SA,
     "00000001 00000001 0200 0024 01 01 00 01 0000 001c 01 01 0000 800e0080 80010007 800b0001 "
     "000c0004 00007080 0000 0018 02 03 04 01 11223344 0000 000c 01 03 0000 80040001",
     ERR_INVAL, N(BAD_PROPOSAL_SYNTAX), 81},
    /* ESP AND AH under one proposal number is fine; decreasing numbers are not */
    {__LINE__, ISAKMP_PT_SA,
     "00000001 00000001 0200 0018 01 03 04 01 11223344 0000 000c 01 03 0000 80040001 0000 0018 "
     "01 02 04 01 55667788 0000 000c 01 02 0000 80040001",
     0, 0, 0},
    {__LINE__, ISAKMP_PT_SA,
     "00000001 00000001 0200 0018 02 03 04 01 11223344 0000 000c 01 03 0000 80040001 0000 0018 "
     "01 03 04 01 55667788 0000 000c 01 03 0000 80040001",
     ERR_INVAL, N(BAD_PROPOSAL_SYNTAX), 68},

    /* NONCE: 8..256 octets */
    {__LINE__, ISAKMP_PT_NONCE, "", ERR_INVAL, N(PAYLOAD_MALFORMED), 30},
    {__LINE__, ISAKMP_PT_NONCE, "01020304050607", ERR_INVAL, N(PAYLOAD_MALFORMED), 30},
    {__LINE__, ISAKMP_PT_NONCE, "0102030405060708", 0, 0, 0},
    {__LINE__, ISAKMP_PT_KE, "", ERR_INVAL, N(PAYLOAD_MALFORMED), 30},
    {__LINE__, ISAKMP_PT_VID, "", ERR_INVAL, N(PAYLOAD_MALFORMED), 30},
    {__LINE__, ISAKMP_PT_HASH, "", ERR_INVAL, N(PAYLOAD_MALFORMED), 30},

    /* D: # of SPIs times SPI size must be the rest exactly */
    {__LINE__, ISAKMP_PT_D, "00000001 03 04 0002 1122334455667788", 0, 0, 0},
    {__LINE__, ISAKMP_PT_D, "00000001 03 04 0002 11223344", ERR_INVAL, N(PAYLOAD_MALFORMED), 38},
    {__LINE__, ISAKMP_PT_D, "00000001 03 04 0001 1122334455667788", ERR_INVAL, N(PAYLOAD_MALFORMED),
     38},
    {__LINE__, ISAKMP_PT_D, "00000001 03 04 ffff 11223344", ERR_LIMIT, N(PAYLOAD_MALFORMED), 38},
    {__LINE__, ISAKMP_PT_D, "00000001 03 04 0000", ERR_INVAL, N(PAYLOAD_MALFORMED), 38},
    {__LINE__, ISAKMP_PT_D, "00000001 01 10 0001 0102030405060708090a0b0c0d0e0f10", 0, 0, 0},
    {__LINE__, ISAKMP_PT_D, "00000001 01 08 0001 0102030405060708", ERR_INVAL, N(INVALID_SPI), 37},
    {__LINE__, ISAKMP_PT_D, "00000001 00 04 0001 01020304", ERR_UNSUPPORTED, N(INVALID_PROTOCOL_ID),
     36},
    {__LINE__, ISAKMP_PT_D, "00000003 03 04 0001 01020304", ERR_UNSUPPORTED, N(DOI_NOT_SUPPORTED),
     32},
    {__LINE__, ISAKMP_PT_D, "00000001 03", ERR_TRUNC, N(PAYLOAD_MALFORMED), 32},

    /* N */
    {__LINE__, ISAKMP_PT_N, "00000001 03 04 6000 11223344 80010001 00020004 00000e10", 0, 0, 0},
    {__LINE__, ISAKMP_PT_N, "00000001 03 03 6000 112233", ERR_INVAL, N(INVALID_SPI), 37},
    {__LINE__, ISAKMP_PT_N, "00000001 01 10 8d28 1122", ERR_TRUNC, N(PAYLOAD_MALFORMED), 40},
    {__LINE__, ISAKMP_PT_N, "00000001 01 11 8d28 0102030405060708090a0b0c0d0e0f1011", ERR_INVAL,
     N(INVALID_SPI), 37},
    {__LINE__, ISAKMP_PT_N, "00000005 01 00 000e", ERR_UNSUPPORTED, N(DOI_NOT_SUPPORTED), 32},
    {__LINE__, ISAKMP_PT_N, "00000001 07 00 000e", ERR_UNSUPPORTED, N(INVALID_PROTOCOL_ID), 36},
    {__LINE__, ISAKMP_PT_N, "00000001 01 00", ERR_TRUNC, N(PAYLOAD_MALFORMED), 32},

    /* ID */
    {__LINE__, ISAKMP_PT_ID, "01 11 01f4 c0000201", 0, 0, 0},
    {__LINE__, ISAKMP_PT_ID, "01 11 01f4 c000020100", ERR_INVAL, N(INVALID_ID_INFORMATION), 36},
    {__LINE__, ISAKMP_PT_ID, "04 00 0000 0a000000 ffffff", ERR_INVAL, N(INVALID_ID_INFORMATION),
     36},
    {__LINE__, ISAKMP_PT_ID, "02 00 0000", ERR_INVAL, N(INVALID_ID_INFORMATION), 36},
    {__LINE__, ISAKMP_PT_ID, "00 00 0000 01", ERR_UNSUPPORTED, N(INVALID_ID_INFORMATION), 32},
    {__LINE__, ISAKMP_PT_ID, "0d 00 0000 01", ERR_UNSUPPORTED, N(INVALID_ID_INFORMATION), 32},
    {__LINE__, ISAKMP_PT_ID, "01 11", ERR_TRUNC, N(PAYLOAD_MALFORMED), 32},

    /* NAT-OA */
    {__LINE__, ISAKMP_PT_NAT_OA, "01 000000 c0000201", 0, 0, 0},
    {__LINE__, ISAKMP_PT_NAT_OA_DRAFT, "05 000000 20010db8000000000000000000000001", 0, 0, 0},
    {__LINE__, ISAKMP_PT_NAT_OA, "02 000000 c0000201", ERR_INVAL, N(PAYLOAD_MALFORMED), 32},
    {__LINE__, ISAKMP_PT_NAT_OA, "01 000000 20010db8000000000000000000000001", ERR_INVAL,
     N(PAYLOAD_MALFORMED), 36},

    /* CERT needs data, CR may name no CA */
    {__LINE__, ISAKMP_PT_CERT, "04", ERR_INVAL, N(INVALID_CERTIFICATE), 33},
    {__LINE__, ISAKMP_PT_CERT, "", ERR_TRUNC, N(PAYLOAD_MALFORMED), 32},
    {__LINE__, ISAKMP_PT_CR, "04", 0, 0, 0},

    /* ATTR */
    {__LINE__, ISAKMP_PT_ATTR, "01 00 0001 0001 0000 0002 0000", 0, 0, 0},
    {__LINE__, ISAKMP_PT_ATTR, "01 00 0001 c088 0000 4089 0000 408a 0000", 0, 0, 0},
    {__LINE__, ISAKMP_PT_ATTR, "01 00 0001 4088 0002 0000", ERR_INVAL, N(PAYLOAD_MALFORMED), 36},
    {__LINE__, ISAKMP_PT_ATTR, "01 00 0001 0001 00", ERR_TRUNC, N(PAYLOAD_MALFORMED), 36},
    {__LINE__, ISAKMP_PT_ATTR, "01 00 0001 0001 0004 0a00", ERR_TRUNC, N(PAYLOAD_MALFORMED), 38},
    {__LINE__, ISAKMP_PT_ATTR, "01 00", ERR_TRUNC, N(PAYLOAD_MALFORMED), 32},

    /* FRAG */
    {__LINE__, ISAKMP_PT_FRAG, "0001 01 01 aabb", 0, 0, 0},
    {__LINE__, ISAKMP_PT_FRAG, "0001 00 01 aabb", ERR_INVAL, N(PAYLOAD_MALFORMED), 34},
    {__LINE__, ISAKMP_PT_FRAG, "0001 01 01", ERR_INVAL, N(PAYLOAD_MALFORMED), 36},

    /* no codec for GDOI payloads */
    {__LINE__, ISAKMP_PT_SAK, "00", ERR_UNSUPPORTED, N(INVALID_PAYLOAD_TYPE), 28},
};

static void test_bad(void)
{
	static struct isakmp_payload out;

	for (size_t i = 0; i < sizeof(bad_rows) / sizeof(bad_rows[0]); i++) {
		int line = bad_rows[i].line;
		struct isakmp_err e = {0};
		uint8_t *body = NULL;
		size_t n = 0;
		int rc;

		T_EQ_ROW(line, vec_hex(bad_rows[i].body, &body, &n), 0);
		struct isakmp_pld p = {
		    .type = bad_rows[i].type, .len = (uint16_t)n, .off = 28, .body = body};
		rc = isakmp_payload_decode(&p, &out, &e);
		T_EQ_ROW(line, rc, bad_rows[i].want_err);
		if (rc) {
			T_EQ_ROW(line, e.notify, bad_rows[i].notify);
			T_EQ_ROW(line, e.offset, bad_rows[i].offset);
			if (bad_rows[i].type == ISAKMP_PT_SA)
				T_OK_ROW(line,
					 e.payload == ISAKMP_PT_SA || e.payload == ISAKMP_PT_P ||
					     e.payload == ISAKMP_PT_T,
					 "SA error names SA, P or T (%u)", e.payload);
			else
				T_EQ_ROW(line, e.payload, bad_rows[i].type);
		} else {
			/* what decodes re-encodes to the same bytes */
			uint8_t re[512];
			struct buf_writer w;
			buf_writer_init(&w, re, sizeof(re));
			T_EQ_ROW(line, isakmp_payload_encode(&w, &out), 0);
			T_MEM_ROW(line, re, buf_writer_len(&w), body, n);
		}
		free(body);
	}
}

/* An SA body with np proposals of nt transforms of na attributes each, written raw. */
static size_t raw_sa(uint8_t *buf, size_t cap, unsigned np, unsigned nt, unsigned na)
{
	struct buf_writer w;

	buf_writer_init(&w, buf, cap);
	buf_put_u32(&w, ISAKMP_DOI_IPSEC);
	buf_put_u32(&w, ISAKMP_SIT_IDENTITY_ONLY);
	for (unsigned i = 0; i < np; i++) {
		size_t ppos = buf_writer_len(&w);
		buf_put_u8(&w, i + 1 < np ? ISAKMP_PT_P : 0);
		buf_put_u8(&w, 0);
		buf_put_u16(&w, 0);
		buf_put_u8(&w, (uint8_t)(i + 1));
		buf_put_u8(&w, IPSEC_PROTO_ESP);
		buf_put_u8(&w, 4);
		buf_put_u8(&w, (uint8_t)nt);
		buf_put_u32(&w, 0x1000 + i);
		for (unsigned j = 0; j < nt; j++) {
			size_t tpos = buf_writer_len(&w);
			buf_put_u8(&w, j + 1 < nt ? ISAKMP_PT_T : 0);
			buf_put_u8(&w, 0);
			buf_put_u16(&w, (uint16_t)(8 + 4 * na));
			buf_put_u8(&w, (uint8_t)(j + 1));
			buf_put_u8(&w, IPSEC_ESP_AES);
			buf_put_u16(&w, 0);
			for (unsigned k = 0; k < na; k++) {
				buf_put_u16(&w, 0x8000 | IPSEC_ATTR_KEY_LENGTH);
				buf_put_u16(&w, 128);
			}
			(void)tpos;
		}
		buf_patch_u16(&w, ppos + 2, (uint16_t)(buf_writer_len(&w) - ppos));
	}
	T_EQ(buf_writer_failed(&w), 0);
	return buf_writer_len(&w);
}

static const struct {
	int line;
	unsigned np, nt, na;
	int want;
} limit_rows[] = {
    {__LINE__, ISAKMP_MAX_PROPOSALS, 1, 0, 0},
    {__LINE__, ISAKMP_MAX_PROPOSALS + 1, 1, 0, ERR_LIMIT},
    {__LINE__, 1, ISAKMP_MAX_TRANSFORMS, 1, 0},
    {__LINE__, 1, ISAKMP_MAX_TRANSFORMS + 1, 0, ERR_LIMIT},
    {__LINE__, 4, 16, ISAKMP_MAX_SA_ATTRS / 64, 0},
    {__LINE__, 1, 1, ISAKMP_MAX_SA_ATTRS + 1, ERR_LIMIT},
};

static void test_limits(void)
{
	static uint8_t buf[8192];
	static struct isakmp_sa sa;
	static struct isakmp_cfg cfg;

	for (size_t i = 0; i < sizeof(limit_rows) / sizeof(limit_rows[0]); i++) {
		int line = limit_rows[i].line;
		size_t n =
		    raw_sa(buf, sizeof(buf), limit_rows[i].np, limit_rows[i].nt, limit_rows[i].na);
		struct isakmp_pld p = {
		    .type = ISAKMP_PT_SA, .len = (uint16_t)n, .off = 28, .body = buf};

		T_EQ_ROW(line, isakmp_sa_decode(&p, &sa, NULL), limit_rows[i].want);
		if (!limit_rows[i].want) {
			T_EQ_ROW(line, sa.n_props, limit_rows[i].np);
			T_EQ_ROW(line, sa.n_xforms, limit_rows[i].np * limit_rows[i].nt);
			T_EQ_ROW(line, sa.n_attrs,
				 limit_rows[i].np * limit_rows[i].nt * limit_rows[i].na);
			T_EQ_ROW(line, sa.props[limit_rows[i].np - 1].n_xforms, limit_rows[i].nt);
		}
	}

	/* mode-config attributes */
	for (unsigned count = ISAKMP_MAX_CFG_ATTRS; count <= ISAKMP_MAX_CFG_ATTRS + 1; count++) {
		struct buf_writer w;
		buf_writer_init(&w, buf, sizeof(buf));
		buf_put_u32(&w, 0x02000001);
		for (unsigned k = 0; k < count; k++)
			buf_put_u32(&w, 0x00030000);
		struct isakmp_pld p = {.type = ISAKMP_PT_ATTR,
				       .len = (uint16_t)buf_writer_len(&w),
				       .off = 28,
				       .body = buf};
		T_EQ(isakmp_cfg_decode(&p, &cfg, NULL),
		     count > ISAKMP_MAX_CFG_ATTRS ? ERR_LIMIT : 0);
	}

	/* nonce of 257 octets */
	struct isakmp_pld p = {.type = ISAKMP_PT_NONCE, .len = 257, .off = 28, .body = buf};
	struct isakmp_data d;
	T_EQ(isakmp_data_decode(&p, &d, NULL), ERR_INVAL);
	p.len = 256;
	T_EQ(isakmp_data_decode(&p, &d, NULL), 0);

	/* the builder helpers refuse what does not fit */
	isakmp_sa_init(&sa, ISAKMP_DOI_IPSEC, ISAKMP_SIT_IDENTITY_ONLY);
	T_EQ(isakmp_sa_add_transform(&sa, 1, 1), ERR_BADSTATE);
	T_EQ(isakmp_sa_add_proposal(&sa, 1, IPSEC_PROTO_ESP, fill, 17), ERR_INVAL);
	T_EQ(isakmp_sa_add_proposal(&sa, 1, IPSEC_PROTO_ESP, fill, 4), 0);
	T_EQ(isakmp_sa_add_attr_tv(&sa, 1, 1), ERR_BADSTATE);
	T_EQ(isakmp_sa_add_transform(&sa, 1, 1), 0);
	T_EQ(isakmp_sa_add_attr_tv(&sa, 0x8001, 1), ERR_INVAL);
	for (int i = 1; i < ISAKMP_MAX_PROPOSALS; i++)
		T_EQ(isakmp_sa_add_proposal(&sa, 1, IPSEC_PROTO_ESP, fill, 4), 0);
	T_EQ(isakmp_sa_add_proposal(&sa, 1, IPSEC_PROTO_ESP, fill, 4), ERR_LIMIT);
}

static void test_accessors(void)
{
	struct isakmp_attr a = {.type = 2, .tv = false, .len = 4, .val = life};
	uint64_t v = 0;
	static const uint8_t nine[9] = {0};

	T_EQ(isakmp_attr_uint(&a, &v), 0);
	T_EQ(v, 86400);
	a.len = 0;
	T_EQ(isakmp_attr_uint(&a, &v), ERR_INVAL);
	a.len = 9;
	a.val = nine;
	T_EQ(isakmp_attr_uint(&a, &v), ERR_INVAL);
	a.tv = true;
	a.tv_value = 3600;
	T_EQ(isakmp_attr_uint(&a, &v), 0);
	T_EQ(v, 3600);

	struct isakmp_delete d = {
	    .proto = IPSEC_PROTO_ESP, .spi_len = 4, .n_spis = 3, .spis = fill};
	const uint8_t *spi = NULL;
	T_EQ(isakmp_delete_spi(&d, 2, &spi), 0);
	T_OK(spi && spi[0] == 8 && spi[3] == 11, "third SPI");
	T_EQ(isakmp_delete_spi(&d, 3, &spi), ERR_INVAL);

	static struct isakmp_payload p;
	sa_phase1(&p);
	const struct isakmp_transform *xf = isakmp_sa_xform(&p.u.sa, &p.u.sa.props[0], 1);
	T_EQ(xf->num, 2);
	const struct isakmp_attr *at = isakmp_sa_find_attr(&p.u.sa, xf, IKEV1_ATTR_ENCR);
	T_OK(at && at->tv && at->tv_value == IKEV1_ENCR_3DES_CBC, "3DES in transform 2");
	T_OK(isakmp_sa_find_attr(&p.u.sa, xf, IKEV1_ATTR_KEY_LENGTH) == NULL, "no key length");
	T_EQ(isakmp_sa_attr(&p.u.sa, xf, 0)->type, IKEV1_ATTR_ENCR);
	T_OK(isakmp_spi_len_ok(IPSEC_PROTO_ISAKMP, 16) &&
		 !isakmp_spi_len_ok(IPSEC_PROTO_ISAKMP, 17),
	     "ISAKMP SPI sizes");
	T_OK(isakmp_spi_len_ok(IPSEC_PROTO_IPCOMP, 4) && !isakmp_spi_len_ok(IPSEC_PROTO_AH, 2),
	     "IPCOMP and AH SPI sizes");
}

static const struct {
	int line;
	const char *hex;
	enum isakmp_vid_kind want;
} vid_rows[] = {
    {__LINE__, "4a131c81070358455c5728f20e95452f", ISAKMP_VID_NATT_RFC3947},
    {__LINE__, "cd60464335df21f87cfdb2fc68b6a448", ISAKMP_VID_NATT_DRAFT_02},
    {__LINE__, "90cb80913ebb696e086381b5ec427b1f", ISAKMP_VID_NATT_DRAFT_02N},
    {__LINE__, "7d9419a65310ca6f2c179d9215529d56", ISAKMP_VID_NATT_DRAFT_03},
    {__LINE__, "afcad71368a1f1c96b8696fc77570100", ISAKMP_VID_DPD},
    {__LINE__, "09002689dfd6b712", ISAKMP_VID_XAUTH},
    {__LINE__, "12f5f28c457168a9702d9fe274cc0100", ISAKMP_VID_CISCO_UNITY},
    {__LINE__, "12f5f28c457168a9702d9fe274cc0102", ISAKMP_VID_CISCO_UNITY},
    {__LINE__, "882fe56d6fd20dbc2251613b2ebe5beb", ISAKMP_VID_STRONGSWAN},
    {__LINE__, "4048b7d56ebce88525e7de7f00d6c2d3", ISAKMP_VID_FRAGMENTATION},
    {__LINE__, "4048b7d56ebce88525e7de7f00d6c2d380000000", ISAKMP_VID_FRAGMENTATION},
    {__LINE__, "1e2b516905991c7d7c96fcbfb587e46100000009", ISAKMP_VID_MS_NT5},
    /* truncated, extended beyond what matches, unknown */
    {__LINE__, "4a131c81070358455c5728f20e9545", ISAKMP_VID_UNKNOWN},
    {__LINE__, "4a131c81070358455c5728f20e95452f00", ISAKMP_VID_UNKNOWN},
    {__LINE__, "00112233445566778899aabbccddeeff", ISAKMP_VID_UNKNOWN},
    {__LINE__, "", ISAKMP_VID_UNKNOWN},
};

static void test_vid(void)
{
	for (size_t i = 0; i < sizeof(vid_rows) / sizeof(vid_rows[0]); i++) {
		int line = vid_rows[i].line;
		uint8_t *p = NULL;
		size_t n = 0;
		const struct isakmp_vid_info *v;

		T_EQ_ROW(line, vec_hex(vid_rows[i].hex, &p, &n), 0);
		v = isakmp_vid_lookup(p, n);
		T_EQ_ROW(line, v ? v->kind : ISAKMP_VID_UNKNOWN, vid_rows[i].want);
		free(p);
	}
	/* what we send for each kind is recognised as that kind */
	for (int k = ISAKMP_VID_UNKNOWN + 1; k < ISAKMP_VID_COUNT; k++) {
		const struct isakmp_vid_info *v = isakmp_vid_get((enum isakmp_vid_kind)k);
		T_OK(v != NULL, "VID kind %d listed", k);
		if (v)
			T_OK(isakmp_vid_lookup(v->bytes, v->len) == v, "VID %s round trip",
			     v->name);
	}
	T_OK(isakmp_vid_get(ISAKMP_VID_UNKNOWN) == NULL, "no entry for UNKNOWN");
}

int main(void)
{
	test_round_trip();
	test_bad();
	test_limits();
	test_accessors();
	test_vid();
	return t_finish();
}
