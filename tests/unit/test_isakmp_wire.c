/* ISAKMP header, port-4500 demultiplexing, the generic payload chain, the digest, encrypted
 * bodies with padding, the message builder and the constant tables. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/err.h"
#include "lib/log.h"
#include "support/test.h"
#include "support/vec.h"
#include "wire/iana.h"
#include "wire/isakmp_build.h"
#include "wire/isakmp_const.h"
#include "wire/isakmp_msg.h"
#include "wire/isakmp_payload.h"
#include "wire/isakmp_vid.h"

#define N(x) ISAKMP_N_##x

static const uint8_t icookie[8] = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88};
static const uint8_t rcookie[8] = {0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x01};

/* Header (28 octets) + body, with Length and Next Payload set: writes into out, returns the
 * message length. */
static size_t mk_msg(uint8_t *out, size_t cap, uint8_t np, uint8_t exch, uint8_t flags,
		     const char *body_hex)
{
	uint8_t *body = NULL;
	size_t blen = 0, n;

	if (vec_hex(body_hex, &body, &blen) || ISAKMP_HDR_LEN + blen > cap) {
		T_OK(0, "bad test hex %s", body_hex);
		free(body);
		return 0;
	}
	memcpy(out, icookie, 8);
	memcpy(out + 8, rcookie, 8);
	out[16] = np;
	out[17] = 0x10;
	out[18] = exch;
	out[19] = flags;
	buf_store_be32(out + 20, 0x01020304);
	n = ISAKMP_HDR_LEN + blen;
	buf_store_be32(out + 24, (uint32_t)n);
	memcpy(out + ISAKMP_HDR_LEN, body, blen);
	free(body);
	return n;
}

/* Header rows: full datagrams given in hex. */
static const struct {
	int line;
	const char *hex;
	int want_err;
	uint16_t notify;
	uint32_t offset;
} hdr_rows[] = {
    {__LINE__, "1122334455667788 99aabbccddeeff01 00 10 02 00 00000000 0000001c", 0, 0, 0},
    {__LINE__, "1122334455667788 99aabbccddeeff01 00 10 02 07 01020304 0000001c", 0, 0, 0},
    /* 27 octets */
    {__LINE__, "1122334455667788 99aabbccddeeff01 00 10 02 00 00000000 000000", ERR_TRUNC, 0, 27},
    {__LINE__, "1122334455667788 99aabbccddeeff01 00 20 02 00 00000000 0000001c", ERR_UNSUPPORTED,
     N(INVALID_MAJOR_VERSION), 17},
    {__LINE__, "1122334455667788 99aabbccddeeff01 00 11 02 00 00000000 0000001c", ERR_UNSUPPORTED,
     N(INVALID_MINOR_VERSION), 17},
    {__LINE__, "1122334455667788 99aabbccddeeff01 00 10 02 08 00000000 0000001c", ERR_INVAL,
     N(INVALID_FLAGS), 19},
    /* header length longer, then shorter, than the datagram */
    {__LINE__, "1122334455667788 99aabbccddeeff01 00 10 02 00 00000000 0000001d", ERR_INVAL,
     N(UNEQUAL_PAYLOAD_LENGTHS), 24},
    {__LINE__, "1122334455667788 99aabbccddeeff01 00 10 02 00 00000000 0000001c 00", ERR_INVAL,
     N(UNEQUAL_PAYLOAD_LENGTHS), 24},
};

static void test_header(void)
{
	for (size_t i = 0; i < sizeof(hdr_rows) / sizeof(hdr_rows[0]); i++) {
		int line = hdr_rows[i].line;
		struct isakmp_hdr h;
		struct isakmp_err e = {0};
		uint8_t *p = NULL, out[64];
		size_t n = 0;
		struct buf_writer w;
		int rc;

		T_EQ_ROW(line, vec_hex(hdr_rows[i].hex, &p, &n), 0);
		memset(&h, 0xa5, sizeof(h));
		rc = isakmp_hdr_decode(p, n, &h, &e);
		T_EQ_ROW(line, rc, hdr_rows[i].want_err);
		if (rc) {
			T_EQ_ROW(line, e.notify, hdr_rows[i].notify);
			T_EQ_ROW(line, e.offset, hdr_rows[i].offset);
			T_EQ_ROW(line, h.next_payload, 0xa5); /* untouched on failure */
		} else {
			T_MEM_ROW(line, h.icookie, 8, icookie, 8);
			T_MEM_ROW(line, h.rcookie, 8, rcookie, 8);
			T_EQ_ROW(line, h.major, 1);
			T_EQ_ROW(line, h.minor, 0);
			T_EQ_ROW(line, h.exch, ISAKMP_EXCH_IDPROT);
			T_EQ_ROW(line, h.length, n);
			buf_writer_init(&w, out, sizeof(out));
			T_EQ_ROW(line, isakmp_hdr_encode(&w, &h), 0);
			T_MEM_ROW(line, out, buf_writer_len(&w), p, n);
		}
		free(p);
	}
}

static const struct {
	int line;
	const char *hex;
	enum isakmp_udp4500_kind want;
	size_t ike_len;
} udp_rows[] = {
    {__LINE__, "ff", ISAKMP_UDP4500_KEEPALIVE, 0},
    {__LINE__, "00", ISAKMP_UDP4500_INVALID, 0},
    {__LINE__, "00000000", ISAKMP_UDP4500_INVALID, 0},
    {__LINE__, "00000000 1122334455667788 99aabbccddeeff01 00 10 02 00 00000000 0000001c",
     ISAKMP_UDP4500_IKE, 28},
    {__LINE__, "00000001 00000001", ISAKMP_UDP4500_ESP, 0},
    {__LINE__, "00000001 000000", ISAKMP_UDP4500_INVALID, 0},
};

static void test_udp4500(void)
{
	for (size_t i = 0; i < sizeof(udp_rows) / sizeof(udp_rows[0]); i++) {
		int line = udp_rows[i].line;
		uint8_t *p = NULL;
		const uint8_t *ike = NULL;
		size_t n = 0, ike_len = 0;

		T_EQ_ROW(line, vec_hex(udp_rows[i].hex, &p, &n), 0);
		T_EQ_ROW(line, isakmp_udp4500_classify(p, n, &ike, &ike_len), udp_rows[i].want);
		if (udp_rows[i].want == ISAKMP_UDP4500_IKE) {
			T_EQ_ROW(line, ike_len, udp_rows[i].ike_len);
			T_OK_ROW(line, ike == p + 4, "IKE message starts after the marker");
		}
		free(p);
	}
	uint8_t out[8];
	struct buf_writer w;
	buf_writer_init(&w, out, sizeof(out));
	T_EQ(isakmp_put_non_esp_marker(&w), 0);
	T_MEM(out, buf_writer_len(&w), "\0\0\0\0", 4);
}

/* Plaintext payload chains: body after a generated header. */
static const struct {
	int line;
	uint8_t np;
	const char *body;
	int want_err;
	uint16_t notify;
	uint32_t offset;
	unsigned n;
} chain_rows[] = {
    {__LINE__, ISAKMP_PT_NONE, "", 0, 0, 0, 0},
    {__LINE__, ISAKMP_PT_VID, "00 00 0008 01020304", 0, 0, 0, 1},
    {__LINE__, ISAKMP_PT_VID, "0a 00 0008 01020304  00 00 000c 0102030405060708", 0, 0, 0, 2},
    /* payload length below the generic header */
    {__LINE__, ISAKMP_PT_VID, "00 00 0003 010203", ERR_INVAL, N(PAYLOAD_MALFORMED), 30, 0},
    /* payload length past the end of the message */
    {__LINE__, ISAKMP_PT_VID, "00 00 0010 0102", ERR_TRUNC, N(PAYLOAD_MALFORMED), 30, 0},
    /* the chain announces a payload but the message ends */
    {__LINE__, ISAKMP_PT_VID, "0d 00 0008 01020304", ERR_TRUNC, N(PAYLOAD_MALFORMED), 36, 0},
    /* ... or ends inside the next generic header */
    {__LINE__, ISAKMP_PT_VID, "0d 00 0008 01020304 00 00", ERR_TRUNC, N(PAYLOAD_MALFORMED), 36, 0},
    /* bytes after the last payload of a plaintext message */
    {__LINE__, ISAKMP_PT_VID, "00 00 0008 01020304 00", ERR_INVAL, N(UNEQUAL_PAYLOAD_LENGTHS), 36,
     0},
    /* unknown payload type, first and second */
    {__LINE__, 99, "00 00 0005 ff", ERR_UNSUPPORTED, N(INVALID_PAYLOAD_TYPE), 28, 0},
    {__LINE__, ISAKMP_PT_VID, "63 00 0008 01020304 00 00 0005 ff", ERR_UNSUPPORTED,
     N(INVALID_PAYLOAD_TYPE), 36, 0},
    /* Proposal and Transform only occur inside an SA; GDOI payloads are not IKEv1 */
    {__LINE__, ISAKMP_PT_P, "00 00 0008 00000000", ERR_UNSUPPORTED, N(INVALID_PAYLOAD_TYPE), 28, 0},
    {__LINE__, ISAKMP_PT_SAK, "00 00 0004", ERR_UNSUPPORTED, N(INVALID_PAYLOAD_TYPE), 28, 0},
    /* NAT-D with its draft number; the reserved octet is ignored */
    {__LINE__, ISAKMP_PT_NAT_D_DRAFT, "14 ff 0008 01020304 00 00 0008 05060708", 0, 0, 0, 2},
};

static void test_chain(void)
{
	for (size_t i = 0; i < sizeof(chain_rows) / sizeof(chain_rows[0]); i++) {
		int line = chain_rows[i].line;
		static struct isakmp_msg m;
		struct isakmp_err e = {0};
		uint8_t buf[256];
		size_t n = mk_msg(buf, sizeof(buf), chain_rows[i].np, ISAKMP_EXCH_IDPROT, 0,
				  chain_rows[i].body);
		int rc;

		m.n = 12345;
		rc = isakmp_msg_decode(&m, buf, n, 0, &e);
		T_EQ_ROW(line, rc, chain_rows[i].want_err);
		if (rc) {
			T_EQ_ROW(line, e.notify, chain_rows[i].notify);
			T_EQ_ROW(line, e.offset, chain_rows[i].offset);
			T_EQ_ROW(line, m.n, 12345); /* untouched on failure */
		} else {
			T_EQ_ROW(line, m.n, chain_rows[i].n);
			T_OK_ROW(line, m.have_payloads, "payloads decoded");
			T_OK_ROW(line, !m.encrypted, "not encrypted");
			if (m.n)
				T_EQ_ROW(line, m.pld[0].type, chain_rows[i].np);
		}
	}
}

static void test_digest(void)
{
	static struct isakmp_msg m;
	uint8_t buf[256];
	const struct isakmp_pld *p;
	size_t n;

	/* VID, N, VID, NONCE */
	n = mk_msg(buf, sizeof(buf), ISAKMP_PT_VID, ISAKMP_EXCH_INFO, 0,
		   "0b 00 0008 aaaaaaaa"
		   "0d 00 0010 00000001 03 04 6002 11223344"
		   "0a 00 0006 bbbb"
		   "00 00 000c 0001020304050607");
	T_EQ(isakmp_msg_decode(&m, buf, n, 0, NULL), 0);
	T_EQ(m.n, 4);
	T_EQ(isakmp_msg_count(&m, ISAKMP_PT_VID), 2);
	T_EQ(isakmp_msg_count(&m, ISAKMP_PT_N), 1);
	T_EQ(isakmp_msg_count(&m, ISAKMP_PT_KE), 0);
	T_OK(isakmp_msg_first(&m, ISAKMP_PT_KE) == NULL, "no KE");
	p = isakmp_msg_first(&m, ISAKMP_PT_VID);
	T_OK(p == &m.pld[0], "first VID");
	T_EQ(p->off, 28);
	T_EQ(p->len, 4);
	T_MEM(p->body, p->len, "\xaa\xaa\xaa\xaa", 4);
	p = isakmp_msg_next(&m, p);
	T_OK(p == &m.pld[2], "second VID");
	T_EQ(p->off, 52);
	T_OK(isakmp_msg_next(&m, p) == NULL, "no third VID");
	p = isakmp_msg_first(&m, ISAKMP_PT_NONCE);
	T_OK(p && p->off == 58 && p->len == 8, "nonce located");
	T_EQ(m.first[ISAKMP_PT_N], 1);

	/* ALLOW_UNKNOWN records an unknown type instead of failing */
	n = mk_msg(buf, sizeof(buf), ISAKMP_PT_VID, ISAKMP_EXCH_INFO, 0,
		   "63 00 0008 aaaaaaaa 00 00 0005 ff");
	T_EQ(isakmp_msg_decode(&m, buf, n, 0, NULL), ERR_UNSUPPORTED);
	T_EQ(isakmp_msg_decode(&m, buf, n, ISAKMP_DEC_ALLOW_UNKNOWN, NULL), 0);
	T_EQ(m.n, 2);
	T_EQ(m.n_unknown, 1);
	T_EQ(m.first_unknown, 99);
	T_EQ(isakmp_msg_count(&m, 99), 1);

	/* more than ISAKMP_MAX_PAYLOADS payloads */
	{
		char hex[(ISAKMP_MAX_PAYLOADS + 1) * 20 + 1];
		size_t o = 0;
		static uint8_t big[1024];

		for (int i = 0; i <= ISAKMP_MAX_PAYLOADS; i++)
			o += (size_t)snprintf(hex + o, sizeof(hex) - o, "%s000008aaaaaaaa",
					      i == ISAKMP_MAX_PAYLOADS ? "00" : "0d");
		n = mk_msg(big, sizeof(big), ISAKMP_PT_VID, ISAKMP_EXCH_IDPROT, 0, hex);
		struct isakmp_err e = {0};
		T_EQ(isakmp_msg_decode(&m, big, n, 0, &e), ERR_LIMIT);
		T_EQ(e.offset, 28 + 8 * ISAKMP_MAX_PAYLOADS);
		/* exactly the limit is fine */
		buf_store_be32(big + 24, (uint32_t)(n - 8));
		big[28 + 8 * (ISAKMP_MAX_PAYLOADS - 1)] = 0;
		T_EQ(isakmp_msg_decode(&m, big, n - 8, 0, NULL), 0);
		T_EQ(m.n, ISAKMP_MAX_PAYLOADS);
	}
}

static void test_encrypted(void)
{
	static struct isakmp_msg m;
	uint8_t buf[128];
	uint8_t *plain = NULL;
	size_t n, plen = 0;
	struct isakmp_err e = {0};

	n = mk_msg(buf, sizeof(buf), ISAKMP_PT_HASH, ISAKMP_EXCH_QUICK, ISAKMP_FLAG_ENC,
		   "00112233445566778899aabbccddeeff");
	T_EQ(isakmp_msg_decode(&m, buf, n, 0, &e), 0);
	T_OK(m.encrypted && !m.have_payloads, "encrypted, payloads not decoded");
	T_EQ(m.cipher_len, 16);
	T_OK(m.cipher == buf + 28, "cipher region after the header");

	/* HASH + NONCE and 4 octets of padding, the last one a count (RFC 2409 Appendix B) */
	T_EQ(vec_hex("0a 00 0008 01020304 00 00 000c 0102030405060708 00000003", &plain, &plen), 0);
	T_EQ(isakmp_msg_decode_plain(&m, plain, plen, 0, &e), 0);
	T_EQ(m.n, 2);
	T_EQ(m.padding, 4);
	T_EQ(m.pld[1].off, 36);
	T_EQ(m.pld[1].type, ISAKMP_PT_NONCE);
	free(plain);

	/* lengths in a decrypted body are checked like any other */
	T_EQ(vec_hex("0a 00 0008 01020304 00 00 0030 0102030405060708", &plain, &plen), 0);
	T_EQ(isakmp_msg_decode_plain(&m, plain, plen, 0, &e), ERR_TRUNC);
	T_EQ(e.offset, 38);
	T_EQ(m.n, 2); /* the earlier digest is kept */
	free(plain);

	/* padding above ISAKMP_MAX_PADDING */
	{
		static uint8_t big[8 + ISAKMP_MAX_PADDING + 1];
		memcpy(big, "\x00\x00\x00\x08\x01\x02\x03\x04", 8);
		T_EQ(isakmp_msg_decode_plain(&m, big, sizeof(big), 0, &e), ERR_INVAL);
		T_EQ(e.notify, N(UNEQUAL_PAYLOAD_LENGTHS));
		T_EQ(isakmp_msg_decode_plain(&m, big, sizeof(big) - 1, 0, &e), 0);
	}

	/* E set without a body */
	n = mk_msg(buf, sizeof(buf), ISAKMP_PT_HASH, ISAKMP_EXCH_QUICK, ISAKMP_FLAG_ENC, "");
	T_EQ(isakmp_msg_decode(&m, buf, n, 0, &e), ERR_TRUNC);
	/* a plaintext body for a message that was not encrypted */
	n = mk_msg(buf, sizeof(buf), ISAKMP_PT_NONE, ISAKMP_EXCH_QUICK, 0, "");
	T_EQ(isakmp_msg_decode(&m, buf, n, 0, &e), 0);
	T_EQ(isakmp_msg_decode_plain(&m, buf, 0, 0, &e), ERR_BADSTATE);
}

static void test_builder(void)
{
	struct isakmp_hdr h = {.major = 1, .exch = ISAKMP_EXCH_QUICK, .msg_id = 0xdeadbeef};
	struct isakmp_builder b;
	static struct isakmp_msg m;
	uint8_t buf[256];
	size_t len = 0, hash_pos = 0;

	memcpy(h.icookie, icookie, 8);
	memcpy(h.rcookie, rcookie, 8);
	h.flags = ISAKMP_FLAG_ENC;
	T_EQ(isakmp_build_init(&b, buf, sizeof(buf), &h), 0);
	T_EQ(isakmp_build_placeholder(&b, ISAKMP_PT_HASH, 20, &hash_pos), 0);
	T_EQ(hash_pos, 32);
	T_EQ(isakmp_build_raw(&b, ISAKMP_PT_NONCE, "0123456789abcdef", 16), 0);
	T_EQ(isakmp_build_pad(&b, 16), 0);
	T_EQ(isakmp_build_raw(&b, ISAKMP_PT_VID, "x", 1), ERR_BADSTATE); /* nothing after padding */
	b.err = 0;
	T_EQ(isakmp_build_finish(&b, &len), 0);
	T_EQ(len, 28 + 48);
	T_EQ(b.padding, 4);
	memset(isakmp_build_at(&b, hash_pos, 20), 0x5a, 20);
	T_EQ(isakmp_msg_decode(&m, buf, len, 0, NULL), 0);
	T_EQ(m.hdr.msg_id, 0xdeadbeef);
	T_EQ(m.hdr.next_payload, ISAKMP_PT_HASH);
	T_EQ(m.cipher_len, 48);
	/* the "engine" decrypts in place: here the body is the plaintext */
	T_EQ(isakmp_msg_decode_plain(&m, buf + 28, len - 28, 0, NULL), 0);
	T_EQ(m.n, 2);
	T_EQ(m.padding, 4);
	T_EQ(m.pld[0].len, 20);
	T_EQ(m.pld[0].body[19], 0x5a);
	T_MEM(m.pld[1].body, m.pld[1].len, "0123456789abcdef", 16);

	/* errors are sticky; a payload cannot stay open at finish */
	T_EQ(isakmp_build_init(&b, buf, 40, &h), 0);
	T_EQ(isakmp_build_raw(&b, ISAKMP_PT_VID, "0123456789abcdef", 16), ERR_NOSPACE);
	T_EQ(isakmp_build_finish(&b, &len), ERR_NOSPACE);
	T_EQ(isakmp_build_init(&b, buf, sizeof(buf), &h), 0);
	T_EQ(isakmp_build_begin(&b, ISAKMP_PT_VID), 0);
	T_EQ(isakmp_build_finish(&b, &len), ERR_BADSTATE);
	T_EQ(isakmp_build_init(&b, buf, 10, &h), ERR_NOSPACE);
}

static void test_const(void)
{
	T_OK(!strcmp(isakmp_exch_name(ISAKMP_EXCH_AGGRESSIVE), "Aggressive"), "exchange name");
	T_OK(!strcmp(isakmp_exch_name(34), "UNKNOWN"), "IKEv2 exchange not listed");
	T_OK(!strcmp(isakmp_payload_name(20), "NAT-D"), "NAT-D");
	T_OK(!strcmp(isakmp_payload_name(131), "NAT-OA (draft)"), "NAT-OA draft");
	T_OK(!strcmp(isakmp_notify_name(36136), "R-U-THERE"), "DPD");
	T_OK(!strcmp(isakmp_notify_name(30), "UNEQUAL-PAYLOAD-LENGTHS"), "last RFC 2408 error");
	T_OK(!strcmp(isakmp_id_name(11), "ID_KEY_ID"), "KEY_ID");
	T_OK(!strcmp(isakmp_cfg_attr_name(16527), "XAUTH_STATUS"), "XAUTH_STATUS");
	T_EQ(ISAKMP_N_RESPONDER_LIFETIME, 24576);
	T_EQ(ISAKMP_N_INITIAL_CONTACT, 24578);
	T_EQ(ISAKMP_N_R_U_THERE_ACK, 36137);
	T_EQ(ISAKMP_EXCH_QUICK, 32);
	T_EQ(ISAKMP_EXCH_NEW_GROUP, 33);
	T_EQ(isakmp_p1_attr_class(IKEV1_ATTR_ENCR), ISAKMP_ATTR_CLASS_B);
	T_EQ(isakmp_p1_attr_class(IKEV1_ATTR_LIFE_DURATION), ISAKMP_ATTR_CLASS_V);
	T_EQ(isakmp_p1_attr_class(IKEV1_ATTR_GROUP_PRIME), ISAKMP_ATTR_CLASS_V);
	T_EQ(isakmp_p1_attr_class(17), ISAKMP_ATTR_CLASS_UNKNOWN);
	T_EQ(isakmp_p2_attr_class(IPSEC_ATTR_ENCAP_MODE), ISAKMP_ATTR_CLASS_B);
	T_EQ(isakmp_p2_attr_class(IPSEC_ATTR_LIFE_DURATION), ISAKMP_ATTR_CLASS_V);
	T_EQ(isakmp_cfg_attr_class(ISAKMP_CFG_ATTR_XAUTH_TYPE), ISAKMP_ATTR_CLASS_B);
	T_OK(isakmp_exch_known(6) && !isakmp_exch_known(7), "exchange registry");
	T_OK(isakmp_notify_known(24577) && !isakmp_notify_known(31), "notify registry");
	/* every notify error type 1..30 of RFC 2408 §3.14.1 is named */
	for (unsigned v = 1; v <= 30; v++)
		T_OK(isakmp_notify_known(v), "notify %u listed", v);
}

static char last_line[512];
static unsigned lines;

static void capture_sink(void *ctx, enum log_subsys subsys, enum log_level level, const char *line)
{
	(void)ctx;
	(void)level;
	if (subsys != LOG_WIRE)
		return;
	snprintf(last_line, sizeof(last_line), "%s", line);
	lines++;
}

/* Every decode failure logs one line naming the payload and the absolute offset. */
static void test_logging(void)
{
	static struct isakmp_msg m;
	uint8_t buf[128];
	size_t n;

	log_set_sink(capture_sink, NULL);
	log_set_level(LOG_WIRE, LOG_LVL_DEBUG);
	n = mk_msg(buf, sizeof(buf), ISAKMP_PT_VID, ISAKMP_EXCH_IDPROT, 0,
		   "0a 00 0008 01020304 00 00 0003 01020304");
	lines = 0;
	T_EQ(isakmp_msg_decode(&m, buf, n, 0, NULL), ERR_INVAL);
	T_EQ(lines, 1);
	T_OK(strstr(last_line, "NONCE") && strstr(last_line, "offset 38") &&
		 strstr(last_line, "PAYLOAD-MALFORMED"),
	     "log line names the payload, the offset and the notify: %s", last_line);
	/* nothing is logged (or formatted) below the configured level */
	log_set_level(LOG_WIRE, LOG_LVL_INFO);
	lines = 0;
	T_EQ(isakmp_msg_decode(&m, buf, n, 0, NULL), ERR_INVAL);
	T_EQ(lines, 0);
	log_set_sink(NULL, NULL);
}

int main(void)
{
	test_header();
	test_udp4500();
	test_chain();
	test_digest();
	test_encrypted();
	test_builder();
	test_const();
	test_logging();
	return t_finish();
}
