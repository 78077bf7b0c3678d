/* ESP/AH engine behaviour: round trips for every transform, mode and family combination across
 * padding boundaries, ESN across 2^32, and the negative paths - tampered ICVs, unknown SPIs,
 * truncation at every length, bad padding, replays, sequence exhaustion, lifetimes, selectors,
 * path MTU (ICMP errors, inner fragmentation), UDP encapsulation (keepalives, IKE marker,
 * NAT-OA checksum fix-up), and two workers sending on one SA. Every drop is checked to be
 * counted under its reason. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "crypto/integ.h"
#include "esp/esp.h"
#include "esp/ip.h"
#include "esp/pmtu.h"
#include "esp/sad.h"
#include "lib/buf.h"
#include "lib/err.h"
#include "support/test.h"
#include "wire/iana.h"

static const uint8_t key[80] = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa,
				0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x01, 0x02, 0x03, 0x04, 0x05,
				0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
				0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19};

struct xf {
	int line;
	uint8_t proto;
	uint16_t encr, bits, integ;
	size_t klen, ilen;
};

static const struct xf xfs[] = {
    {__LINE__, ESP_IPPROTO_ESP, IKEV2_ENCR_AES_GCM_16, 128, 0, 20, 0},
    {__LINE__, ESP_IPPROTO_ESP, IKEV2_ENCR_AES_GCM_12, 192, 0, 28, 0},
    {__LINE__, ESP_IPPROTO_ESP, IKEV2_ENCR_AES_GCM_8, 256, 0, 36, 0},
    {__LINE__, ESP_IPPROTO_ESP, IKEV2_ENCR_AES_CCM_16, 128, 0, 19, 0},
    {__LINE__, ESP_IPPROTO_ESP, IKEV2_ENCR_AES_CCM_8, 256, 0, 35, 0},
    {__LINE__, ESP_IPPROTO_ESP, IKEV2_ENCR_CHACHA20_POLY1305, 0, 0, 36, 0},
    {__LINE__, ESP_IPPROTO_ESP, IKEV2_ENCR_NULL_AUTH_AES_GMAC, 128, 0, 20, 0},
    {__LINE__, ESP_IPPROTO_ESP, IKEV2_ENCR_AES_CBC, 128, IKEV2_INTEG_HMAC_SHA2_256_128, 16, 32},
    {__LINE__, ESP_IPPROTO_ESP, IKEV2_ENCR_AES_CBC, 256, IKEV2_INTEG_HMAC_SHA2_512_256, 32, 64},
    {__LINE__, ESP_IPPROTO_ESP, IKEV2_ENCR_AES_CBC, 192, IKEV2_INTEG_HMAC_SHA2_384_192, 24, 48},
    {__LINE__, ESP_IPPROTO_ESP, IKEV2_ENCR_AES_CBC, 128, IKEV2_INTEG_HMAC_SHA1_96, 16, 20},
    {__LINE__, ESP_IPPROTO_ESP, IKEV2_ENCR_AES_CBC, 128, IKEV2_INTEG_AES_XCBC_96, 16, 16},
    {__LINE__, ESP_IPPROTO_ESP, IKEV2_ENCR_AES_CBC, 128, IKEV2_INTEG_AES_CMAC_96, 16, 16},
    {__LINE__, ESP_IPPROTO_ESP, IKEV2_ENCR_AES_CBC, 128, IKEV2_INTEG_HMAC_MD5_96, 16, 16},
    {__LINE__, ESP_IPPROTO_ESP, IKEV2_ENCR_AES_CTR, 128, IKEV2_INTEG_HMAC_SHA2_256_128, 20, 32},
    {__LINE__, ESP_IPPROTO_ESP, IKEV2_ENCR_3DES, 0, IKEV2_INTEG_HMAC_SHA1_96, 24, 20},
    {__LINE__, ESP_IPPROTO_ESP, IKEV2_ENCR_NULL, 0, IKEV2_INTEG_HMAC_SHA2_256_128, 0, 32},
    {__LINE__, ESP_IPPROTO_AH, 0, 0, IKEV2_INTEG_HMAC_SHA2_256_128, 0, 32},
    {__LINE__, ESP_IPPROTO_AH, 0, 0, IKEV2_INTEG_HMAC_SHA1_96, 0, 20},
    {__LINE__, ESP_IPPROTO_AH, 0, 0, IKEV2_INTEG_HMAC_SHA2_512_256, 0, 64},
    {__LINE__, ESP_IPPROTO_AH, 0, 0, IKEV2_INTEG_AES_XCBC_96, 0, 16},
    {__LINE__, ESP_IPPROTO_AH, 0, 0, IKEV2_INTEG_HMAC_MD5_128, 0, 16},
    {__LINE__, ESP_IPPROTO_AH, 0, 0, IKEV2_INTEG_AES_128_GMAC, 0, 20},
};

static void addr4(struct addr *a, uint8_t last)
{
	memset(a, 0, sizeof(*a));
	a->family = AF_INET;
	a->bytes[0] = 192;
	a->bytes[1] = 0;
	a->bytes[2] = 2;
	a->bytes[3] = last;
}

static void addr6(struct addr *a, uint8_t last)
{
	memset(a, 0, sizeof(*a));
	a->family = AF_INET6;
	a->bytes[0] = 0x20;
	a->bytes[1] = 0x01;
	a->bytes[2] = 0x0d;
	a->bytes[3] = 0xb8;
	a->bytes[15] = last;
}

struct opts {
	uint8_t mode, outer; /* outer family for tunnel / encap */
	bool esn, encap;
	uint32_t window;
	uint16_t tfc, mtu;
	struct esp_lifetime soft, hard;
};

static int mk_sa(const struct xf *x, uint8_t dir, const struct opts *o, struct esp_sa **out)
{
	struct esp_sa_cfg c;

	memset(&c, 0, sizeof(c));
	c.spi = 0x01020304;
	c.proto = x->proto;
	c.mode = o->mode;
	c.dir = dir;
	c.esn = o->esn;
	c.replay_window = o->window;
	c.encap = o->encap;
	c.tfc_pad = o->tfc;
	c.mtu = o->mtu;
	c.soft = o->soft;
	c.hard = o->hard;
	c.reqid = 7;
	if (o->outer == AF_INET6) {
		addr6(&c.src, 1);
		addr6(&c.dst, 2);
	} else {
		addr4(&c.src, 1);
		addr4(&c.dst, 2);
	}
	esp_sel_any(&c.sel, 0);
	c.encr_id = x->encr;
	c.encr_key_bits = x->bits;
	c.encr_key = key;
	c.encr_key_len = x->klen;
	c.integ_id = x->integ;
	c.integ_key = key + 40 - (x->ilen > 40 ? 40 : 0);
	c.integ_key_len = x->ilen;
	return esp_sa_new(&c, out);
}

/* A UDP packet of total length len (>= 28 / 48) from .1 to .2 of the family. */
static size_t mk_udp(uint8_t *p, uint8_t family, size_t len, uint8_t fill)
{
	size_t hl = family == AF_INET6 ? 40 : 20;
	uint32_t sum;

	memset(p, 0, len);
	for (size_t i = hl + 8; i < len; i++)
		p[i] = (uint8_t)(fill + i);
	if (family == AF_INET6) {
		p[0] = 0x60;
		buf_store_be16(p + 4, (uint16_t)(len - 40));
		p[6] = ESP_IPPROTO_UDP;
		p[7] = 64;
		p[8] = 0x20, p[9] = 0x01, p[23] = 0x0a;
		p[24] = 0x20, p[25] = 0x01, p[39] = 0x0b;
	} else {
		p[0] = 0x45;
		buf_store_be16(p + 2, (uint16_t)len);
		p[6] = 0x40; /* DF */
		p[8] = 64;
		p[9] = ESP_IPPROTO_UDP;
		p[12] = 10, p[15] = 1;
		p[16] = 10, p[19] = 2;
		esp_ipv4_set_csum(p, 20);
	}
	buf_store_be16(p + hl, 1111);
	buf_store_be16(p + hl + 2, 2222);
	buf_store_be16(p + hl + 4, (uint16_t)(len - hl));
	sum = esp_csum_add(0, p + (family == AF_INET6 ? 8 : 12), family == AF_INET6 ? 32 : 8);
	sum += ESP_IPPROTO_UDP + (uint32_t)(len - hl);
	sum = esp_csum_add(sum, p + hl, len - hl);
	buf_store_be16(p + hl + 6, esp_csum_fold(sum));
	return len;
}

static uint8_t mem[70000];

static void round_trips(void)
{
	static const uint8_t modes[][3] = {
	    {ESP_MODE_TRANSPORT, AF_INET, AF_INET}, {ESP_MODE_TRANSPORT, AF_INET6, AF_INET6},
	    {ESP_MODE_TUNNEL, AF_INET, AF_INET},    {ESP_MODE_TUNNEL, AF_INET, AF_INET6},
	    {ESP_MODE_TUNNEL, AF_INET6, AF_INET},   {ESP_MODE_TUNNEL, AF_INET6, AF_INET6},
	};
	uint8_t clear[2000];
	struct esp_worker w;
	int bad = 0, total = 0;

	esp_worker_init(&w, 0);
	for (size_t i = 0; i < sizeof(xfs) / sizeof(xfs[0]); i++) {
		for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
			for (int esn = 0; esn < 2; esn++) {
				if (esn && xfs[i].integ == IKEV2_INTEG_AES_128_GMAC)
					continue; /* refused, tested below */
				struct opts o = {.mode = modes[m][0],
						 .outer = modes[m][2],
						 .esn = esn,
						 .window = 128};
				struct esp_sa *out = NULL, *in = NULL;
				int rc1 = mk_sa(&xfs[i], ESP_DIR_OUT, &o, &out);
				int rc2 = mk_sa(&xfs[i], ESP_DIR_IN, &o, &in);

				T_OK_ROW(xfs[i].line, rc1 == 0 && rc2 == 0, "SAs (%s, %s)",
					 err_str(rc1), err_str(rc2));
				if (rc1 || rc2) {
					esp_sa_put(out);
					esp_sa_put(in);
					continue;
				}
				if (esn)
					esp_sa_set_next_seq(out, 0xffffffffull - 20);
				for (size_t len = 48; len < 100; len++) {
					struct esp_result r;
					struct esp_buf b;
					size_t n =
					    mk_udp(clear, modes[m][1], len + (len > 90 ? 1300 : 0),
						   (uint8_t)len);
					int rc;

					memcpy(mem + 256, clear, n);
					esp_buf_init(&b, mem, sizeof(mem), 256, n);
					rc = esp_protect(out, &w, &b, 0, &r);
					total++;
					if (rc || r.kind != ESP_RES_SEND) {
						bad++;
						T_OK_ROW(xfs[i].line, 0,
							 "protect m%zu esn%d len%zu: %s", m, esn, n,
							 err_str(rc));
						continue;
					}
					/* RFC 4303 §2.4 / RFC 4302 §3.3.3.2.1: 32-bit alignment
					 * (64-bit for AH over IPv6). */
					if (xfs[i].proto == ESP_IPPROTO_ESP
						? (b.len - r.payload_off) % 4 != 0
						: ((size_t)esp_buf_data(&b)[r.l4_off + 1] + 2) * 4 %
							  ((esp_buf_data(&b)[0] >> 4) == 6 ? 8
											   : 4) !=
						      0)
						T_OK_ROW(xfs[i].line, 0, "alignment");
					rc = esp_unprotect(in, &w, &b, 0, &r);
					if (rc || r.kind != ESP_RES_DELIVER || b.len != n ||
					    memcmp(esp_buf_data(&b), clear, n) != 0) {
						bad++;
						T_OK_ROW(xfs[i].line, 0,
							 "unprotect m%zu esn%d len%zu: %s", m, esn,
							 n, err_str(rc));
					}
				}
				esp_sa_put(out);
				esp_sa_put(in);
			}
		}
	}
	T_EQ(bad, 0);
	T_OK(total > 5000, "%d round trips", total);
}

/* One protected packet for the negative tests. */
static size_t protect_one(struct esp_sa *out, struct esp_worker *w, uint8_t *dst, size_t len)
{
	uint8_t clear[2000];
	struct esp_result r;
	struct esp_buf b;
	size_t n = mk_udp(clear, AF_INET, len, 7);

	memcpy(mem + 256, clear, n);
	esp_buf_init(&b, mem, sizeof(mem), 256, n);
	if (esp_protect(out, w, &b, 0, &r) != 0)
		return 0;
	memcpy(dst, esp_buf_data(&b), b.len);
	return b.len;
}

static int unprotect_copy(struct esp_sa *in, struct esp_worker *w, const uint8_t *p, size_t n,
			  struct esp_result *r, struct esp_buf *b)
{
	memcpy(mem + 256, p, n);
	esp_buf_init(b, mem, sizeof(mem), 256, n);
	return esp_unprotect(in, w, b, 0, r);
}

static uint64_t drops(struct esp_sa *sa, enum esp_drop d)
{
	struct esp_stats s;

	esp_sa_stats(sa, &s);
	return s.drops[d];
}

static void negatives(void)
{
	static const size_t pick[] = {0, 7, 15, 16};
	struct esp_worker w;

	esp_worker_init(&w, 0);
	for (size_t k = 0; k < sizeof(pick) / sizeof(pick[0]); k++) {
		const struct xf *x = &xfs[pick[k]];
		struct opts o = {.mode = ESP_MODE_TUNNEL, .outer = AF_INET, .window = 64};
		struct esp_sa *out = NULL, *in = NULL;
		uint8_t pkt[2000], t[2000];
		struct esp_result r;
		struct esp_buf b;
		size_t n;
		uint64_t before;
		int auth_bad = 0, trunc_bad = 0;

		T_EQ_ROW(x->line, mk_sa(x, ESP_DIR_OUT, &o, &out), 0);
		T_EQ_ROW(x->line, mk_sa(x, ESP_DIR_IN, &o, &in), 0);
		if (!out || !in)
			goto next;
		n = protect_one(out, &w, pkt, 200);
		T_OK_ROW(x->line, n > 0, "protected");
		/* Tampering with any byte after the IP header fails authentication. */
		for (size_t i = 20; i < n; i++) {
			memcpy(t, pkt, n);
			t[i] ^= 0x01;
			if (unprotect_copy(in, &w, t, n, &r, &b) == 0 && r.kind == ESP_RES_DELIVER)
				auth_bad++;
		}
		T_EQ_ROW(x->line, auth_bad, 0);
		T_OK_ROW(x->line,
			 drops(in, ESP_DROP_AUTH) + drops(in, ESP_DROP_NO_SA) >= n - 20 - 8,
			 "auth drops counted (%llu)", (unsigned long long)drops(in, ESP_DROP_AUTH));
		/* Truncated at every length: an error, never a delivery, never a crash. */
		for (size_t l = 0; l < n; l++) {
			if (unprotect_copy(in, &w, pkt, l, &r, &b) == 0)
				trunc_bad++;
		}
		T_EQ_ROW(x->line, trunc_bad, 0);
		/* The genuine packet still passes (nothing above advanced the window), then
		 * replays are dropped and counted. */
		T_EQ_ROW(x->line, unprotect_copy(in, &w, pkt, n, &r, &b), 0);
		before = drops(in, ESP_DROP_REPLAY);
		T_EQ_ROW(x->line, unprotect_copy(in, &w, pkt, n, &r, &b), ERR_REPLAY);
		T_EQ_ROW(x->line, r.drop, ESP_DROP_REPLAY);
		T_EQ_ROW(x->line, drops(in, ESP_DROP_REPLAY), before + 1);
	next:
		esp_sa_put(out);
		esp_sa_put(in);
	}
}

/* NULL encryption lets the test rewrite the plaintext and re-MAC it: bad padding and bad
 * inner packets behind a valid ICV. */
static void bad_padding(void)
{
	const struct xf *x = &xfs[16]; /* NULL + HMAC-SHA256 */
	struct opts o = {.mode = ESP_MODE_TUNNEL, .outer = AF_INET, .window = 0};
	struct esp_sa *out = NULL, *in = NULL;
	struct integ *ig = NULL;
	struct crypto_span part;
	uint8_t pkt[2000], t[2000];
	struct esp_result r;
	struct esp_buf b;
	struct esp_worker w;
	size_t n, icv = 16, trail;

	esp_worker_init(&w, 0);
	T_EQ(mk_sa(x, ESP_DIR_OUT, &o, &out), 0);
	T_EQ(mk_sa(x, ESP_DIR_IN, &o, &in), 0);
	T_EQ(integ_new(x->integ, key + 40, x->ilen, &ig), 0);
	if (!out || !in || !ig)
		goto out;
	n = protect_one(out, &w, pkt, 101); /* 101 + 2 -> 2 padding bytes */
	trail = n - icv;		    /* end of the encrypted part */
	T_EQ(pkt[trail - 2], 1);	    /* pad length */
	T_EQ(pkt[trail - 3], 1);	    /* padding byte 1 */
	part.p = t + 20;
	part.len = trail - 20;
	/* Wrong padding content. */
	memcpy(t, pkt, n);
	t[trail - 3] = 7;
	integ_compute(ig, &part, 1, t + trail);
	T_EQ(unprotect_copy(in, &w, t, n, &r, &b), ERR_INVAL);
	T_EQ(r.drop, ESP_DROP_PAD);
	/* Pad length beyond the payload. */
	memcpy(t, pkt, n);
	t[trail - 2] = 250;
	integ_compute(ig, &part, 1, t + trail);
	T_EQ(unprotect_copy(in, &w, t, n, &r, &b), ERR_INVAL);
	T_EQ(r.drop, ESP_DROP_PAD);
	T_EQ(drops(in, ESP_DROP_PAD), 2);
	/* Next header neither IPv4 nor IPv6 in tunnel mode. */
	memcpy(t, pkt, n);
	t[trail - 1] = 6;
	integ_compute(ig, &part, 1, t + trail);
	T_EQ(unprotect_copy(in, &w, t, n, &r, &b), ERR_INVAL);
	T_EQ(r.drop, ESP_DROP_MALFORMED);
	/* Dummy packet: next header 59 -> silently dropped, counted. */
	memcpy(t, pkt, n);
	t[trail - 1] = ESP_IPPROTO_NONE;
	integ_compute(ig, &part, 1, t + trail);
	T_EQ(unprotect_copy(in, &w, t, n, &r, &b), 0);
	T_EQ(r.kind, ESP_RES_NONE);
	T_EQ(drops(in, ESP_DROP_DUMMY), 1);
	/* Inner IPv4 header claiming more than the payload. */
	memcpy(t, pkt, n);
	buf_store_be16(t + 28 + 2, 1500);
	integ_compute(ig, &part, 1, t + trail);
	T_EQ(unprotect_copy(in, &w, t, n, &r, &b), ERR_TRUNC);
	T_EQ(r.drop, ESP_DROP_MALFORMED);
	/* The genuine one passes. */
	T_EQ(unprotect_copy(in, &w, pkt, n, &r, &b), 0);
out:
	integ_free(ig);
	esp_sa_put(out);
	esp_sa_put(in);
}

static void sequence_and_lifetimes(void)
{
	const struct xf *x = &xfs[0];
	struct opts o = {.mode = ESP_MODE_TUNNEL, .outer = AF_INET, .window = 64};
	struct esp_sa *out = NULL, *in = NULL;
	uint8_t clear[200];
	struct esp_result r;
	struct esp_buf b;
	struct esp_worker w;
	size_t n;

	esp_worker_init(&w, 0);
	/* 32-bit: the last number is 2^32-1, then ERR_LIMIT; soft event in the margin. */
	T_EQ(mk_sa(x, ESP_DIR_OUT, &o, &out), 0);
	esp_sa_set_next_seq(out, 0xffffffffull);
	n = mk_udp(clear, AF_INET, 100, 1);
	memcpy(mem + 256, clear, n);
	esp_buf_init(&b, mem, sizeof(mem), 256, n);
	T_EQ(esp_protect(out, &w, &b, 0, &r), 0);
	T_EQ(r.seq, 0xffffffffull);
	T_OK(r.events & ESP_EV_SOFT, "soft event near the end of the sequence space");
	memcpy(mem + 256, clear, n);
	esp_buf_init(&b, mem, sizeof(mem), 256, n);
	T_EQ(esp_protect(out, &w, &b, 0, &r), ERR_LIMIT);
	T_EQ(r.drop, ESP_DROP_SEQ_OVERFLOW);
	T_OK(r.events & ESP_EV_HARD, "hard event at exhaustion");
	memcpy(mem + 256, clear, n);
	esp_buf_init(&b, mem, sizeof(mem), 256, n);
	T_EQ(esp_protect(out, &w, &b, 0, &r), ERR_LIMIT);
	T_EQ(r.events, 0); /* raised once */
	T_EQ(drops(out, ESP_DROP_SEQ_OVERFLOW), 2);
	esp_sa_put(out);

	/* ESN across 2^32, with reordering at the receiver. */
	o.esn = true;
	T_EQ(mk_sa(x, ESP_DIR_OUT, &o, &out), 0);
	T_EQ(mk_sa(x, ESP_DIR_IN, &o, &in), 0);
	esp_sa_set_next_seq(out, 0xfffffff0ull);
	{
		uint8_t pk[40][300];
		size_t pl[40];

		for (int i = 0; i < 40; i++)
			pl[i] = protect_one(out, &w, pk[i], 100);
		for (int i = 0; i < 40; i += 2) { /* evens first, then odds (reordered) */
			T_EQ(unprotect_copy(in, &w, pk[i], pl[i], &r, &b), 0);
			T_EQ(r.seq, 0xfffffff0ull + (uint64_t)i);
		}
		for (int i = 1; i < 40; i += 2)
			T_EQ(unprotect_copy(in, &w, pk[i], pl[i], &r, &b), 0);
		T_EQ(esp_sa_seq(in), 0xfffffff0ull + 39);
		T_EQ(unprotect_copy(in, &w, pk[20], pl[20], &r, &b), ERR_REPLAY);
		/* The low 32 bits are what is on the wire. */
		T_EQ(buf_load_be32(pk[39] + 24), (uint32_t)(0xfffffff0ull + 39));
	}
	esp_sa_put(out);
	esp_sa_put(in);

	/* Packet and byte lifetimes, soft then hard; time lifetimes via now and poll. */
	o.esn = false;
	o.soft.packets = 2;
	o.hard.packets = 4;
	o.hard.expires = 1000;
	o.soft.expires = 500;
	T_EQ(mk_sa(x, ESP_DIR_OUT, &o, &out), 0);
	for (int i = 1; i <= 5; i++) {
		int rc;

		memcpy(mem + 256, clear, n);
		esp_buf_init(&b, mem, sizeof(mem), 256, n);
		rc = esp_protect(out, &w, &b, 10, &r);
		if (i <= 4)
			T_EQ(rc, 0);
		T_EQ(r.events, i == 2 ? ESP_EV_SOFT : i == 4 ? ESP_EV_HARD : 0);
		if (i == 5) {
			T_EQ(rc, ERR_BADSTATE);
			T_EQ(r.drop, ESP_DROP_HARD_EXPIRED);
		}
	}
	esp_sa_put(out);
	memset(&o.soft, 0, sizeof(o.soft));
	memset(&o.hard, 0, sizeof(o.hard));
	o.soft.expires = 500;
	o.hard.expires = 1000;
	o.soft.bytes = 150;
	T_EQ(mk_sa(x, ESP_DIR_OUT, &o, &out), 0);
	T_EQ(esp_sa_poll(out, 100), 0);
	memcpy(mem + 256, clear, n);
	esp_buf_init(&b, mem, sizeof(mem), 256, n);
	T_EQ(esp_protect(out, &w, &b, 100, &r), 0);
	T_EQ(r.events, 0);
	memcpy(mem + 256, clear, n);
	esp_buf_init(&b, mem, sizeof(mem), 256, n);
	T_EQ(esp_protect(out, &w, &b, 100, &r), 0);
	T_EQ(r.events, ESP_EV_SOFT);	/* 200 bytes >= 150 */
	T_EQ(esp_sa_poll(out, 600), 0); /* soft already raised */
	T_EQ(esp_sa_poll(out, 1000), ESP_EV_HARD);
	T_OK(esp_sa_dead(out), "dead after hard expiry");
	esp_sa_put(out);
}

static void tfc_and_mtu(void)
{
	const struct xf *x = &xfs[0];
	struct opts o = {.mode = ESP_MODE_TUNNEL, .outer = AF_INET, .window = 64, .tfc = 700};
	struct esp_sa *out = NULL, *in = NULL;
	uint8_t clear[2000], *d;
	struct esp_result r;
	struct esp_buf b, frags[8];
	static uint8_t fm[8][2048];
	struct esp_worker w;
	size_t n, nf = 0, max_inner;
	uint8_t reasm[2000];

	esp_worker_init(&w, 0);
	T_EQ(mk_sa(x, ESP_DIR_OUT, &o, &out), 0);
	T_EQ(mk_sa(x, ESP_DIR_IN, &o, &in), 0);
	n = mk_udp(clear, AF_INET, 100, 3);
	memcpy(mem + 256, clear, n);
	esp_buf_init(&b, mem, sizeof(mem), 256, n);
	T_EQ(esp_protect(out, &w, &b, 0, &r), 0);
	T_OK(b.len >= 20 + 8 + 8 + 700 + 16, "TFC padded (%zu)", b.len);
	T_EQ(esp_unprotect(in, &w, &b, 0, &r), 0);
	T_MEM(esp_buf_data(&b), b.len, clear, n);
	esp_sa_put(out);

	/* MTU 600: a 1000-byte IPv4 packet with DF -> ICMP fragmentation needed. */
	o.tfc = 0;
	o.mtu = 600;
	T_EQ(mk_sa(x, ESP_DIR_OUT, &o, &out), 0);
	max_inner = esp_sa_max_inner(out, AF_INET, 600);
	T_OK(max_inner > 500 && max_inner < 600, "max inner %zu", max_inner);
	n = mk_udp(clear, AF_INET, 1000, 4);
	memcpy(mem + 256, clear, n);
	esp_buf_init(&b, mem, sizeof(mem), 256, n);
	T_EQ(esp_protect(out, &w, &b, 0, &r), 0);
	T_EQ(r.kind, ESP_RES_ICMP);
	d = esp_buf_data(&b);
	T_EQ(d[9], ESP_IPPROTO_ICMP);
	T_EQ(d[20], 3);
	T_EQ(d[21], 4);
	T_EQ(buf_load_be16(d + 26), max_inner);
	T_EQ(esp_csum_fold(esp_csum_add(0, d, 20)), 0);		     /* IP checksum valid */
	T_EQ(esp_csum_fold(esp_csum_add(0, d + 20, b.len - 20)), 0); /* ICMP checksum valid */
	T_MEM(d + 16, 4, clear + 12, 4);			     /* back to the sender */
	T_EQ(b.len, 576u);
	T_EQ(drops(out, ESP_DROP_MTU), 1);
	/* A packet that fits goes through. */
	n = mk_udp(clear, AF_INET, max_inner, 4);
	memcpy(mem + 256, clear, n);
	esp_buf_init(&b, mem, sizeof(mem), 256, n);
	T_EQ(esp_protect(out, &w, &b, 0, &r), 0);
	T_EQ(r.kind, ESP_RES_SEND);
	T_OK(b.len <= 600, "fits (%zu)", b.len);
	/* Without DF: fragment the inner packet, protect each, reassemble after unprotect. */
	n = mk_udp(clear, AF_INET, 1400, 5);
	clear[6] = 0;
	esp_ipv4_set_csum(clear, 20);
	memcpy(mem + 256, clear, n);
	esp_buf_init(&b, mem, sizeof(mem), 256, n);
	T_EQ(esp_protect(out, &w, &b, 0, &r), 0);
	T_EQ(r.kind, ESP_RES_FRAGMENT);
	for (int i = 0; i < 8; i++)
		esp_buf_init(&frags[i], fm[i], sizeof(fm[i]), 256, 0);
	T_EQ(esp_ip4_fragment(clear, n, r.frag_mtu, frags, 8, &nf), 0);
	T_EQ(nf, 3);
	memset(reasm, 0, sizeof(reasm));
	for (size_t i = 0; i < nf; i++) {
		uint8_t *f;
		uint16_t fo;

		T_EQ(esp_protect(out, &w, &frags[i], 0, &r), 0);
		T_EQ(r.kind, ESP_RES_SEND);
		T_OK(frags[i].len <= 600, "fragment fits (%zu)", frags[i].len);
		T_EQ(esp_unprotect(in, &w, &frags[i], 0, &r), 0);
		f = esp_buf_data(&frags[i]);
		fo = buf_load_be16(f + 6);
		T_EQ(esp_csum_fold(esp_csum_add(0, f, 20)), 0);
		T_EQ(!!(fo & 0x2000), i + 1 < nf);
		memcpy(reasm + 20 + (size_t)(fo & 0x1fff) * 8, f + 20, frags[i].len - 20);
	}
	T_MEM(reasm + 20, n - 20, clear + 20, n - 20);
	esp_sa_put(out);
	esp_sa_put(in);

	/* Transport mode with a block cipher: the largest inner packet esp_sa_max_inner promises
	 * fits exactly, one more byte doesn't (the clear IP header is outside the padding). */
	for (size_t k = 0; k < 4; k++) {
		struct opts ot = {.mode = ESP_MODE_TRANSPORT, .outer = AF_INET, .mtu = 600};
		const struct xf *xx = &xfs[k == 0 ? 7 : k == 1 ? 15 : k == 2 ? 0 : 17];
		size_t mi;

		T_EQ(mk_sa(xx, ESP_DIR_OUT, &ot, &out), 0);
		mi = esp_sa_max_inner(out, AF_INET, 600);
		n = mk_udp(clear, AF_INET, mi, 4);
		memcpy(mem + 256, clear, n);
		esp_buf_init(&b, mem, sizeof(mem), 256, n);
		T_EQ_ROW(xx->line, esp_protect(out, &w, &b, 0, &r), 0);
		T_EQ_ROW(xx->line, r.kind, ESP_RES_SEND);
		T_OK_ROW(xx->line, b.len <= 600 && b.len + 16 > 600, "max inner %zu -> %zu", mi,
			 b.len);
		n = mk_udp(clear, AF_INET, mi + 1, 4);
		memcpy(mem + 256, clear, n);
		esp_buf_init(&b, mem, sizeof(mem), 256, n);
		T_EQ_ROW(xx->line, esp_protect(out, &w, &b, 0, &r), 0);
		T_EQ_ROW(xx->line, r.kind, ESP_RES_ICMP);
		esp_sa_put(out);
	}

	/* IPv6 inner larger than 1280 that doesn't fit: ICMPv6 packet too big. */
	o.outer = AF_INET6;
	o.mtu = 1300;
	T_EQ(mk_sa(x, ESP_DIR_OUT, &o, &out), 0);
	n = mk_udp(clear, AF_INET6, 1400, 6);
	memcpy(mem + 256, clear, n);
	esp_buf_init(&b, mem, sizeof(mem), 256, n);
	T_EQ(esp_protect(out, &w, &b, 0, &r), 0);
	T_EQ(r.kind, ESP_RES_ICMP);
	d = esp_buf_data(&b);
	T_EQ(d[6], ESP_IPPROTO_ICMPV6);
	T_EQ(d[40], 2);
	T_EQ(buf_load_be32(d + 44), 1280); /* clamped to the IPv6 minimum */
	T_EQ(b.len, 1280u);
	esp_sa_put(out);
}

static void encap_and_sad(void)
{
	const struct xf *x = &xfs[0];
	struct opts o = {.mode = ESP_MODE_TRANSPORT, .outer = AF_INET, .window = 64, .encap = true};
	struct esp_sa *out = NULL, *in = NULL, *ah = NULL;
	struct esp_sad *sad = esp_sad_new();
	uint8_t clear[2000], pkt[2000], *d;
	struct esp_result r;
	struct esp_buf b;
	struct esp_worker w;
	struct addr src, dst;
	size_t n, pl;
	struct esp_sa_cfg c;

	esp_worker_init(&w, 0);
	T_EQ(mk_sa(x, ESP_DIR_OUT, &o, &out), 0);
	/* Inbound SA with NAT-OA: the peer computed its UDP checksum with 10.0.0.1 -> 10.0.0.2,
	 * the packet arrives as 192.0.2.1 -> 192.0.2.2 after NAT. */
	{
		memset(&c, 0, sizeof(c));
		c.spi = 0x01020304;
		c.proto = ESP_IPPROTO_ESP;
		c.mode = ESP_MODE_TRANSPORT;
		c.dir = ESP_DIR_IN;
		c.replay_window = 64;
		c.encap = true;
		addr4(&c.dst, 2);
		esp_sel_any(&c.sel, 0);
		c.encr_id = x->encr;
		c.encr_key_bits = x->bits;
		c.encr_key = key;
		c.encr_key_len = x->klen;
		c.oa_src.family = c.oa_dst.family = AF_INET;
		memcpy(c.oa_src.bytes, "\x0a\x00\x00\x01", 4);
		memcpy(c.oa_dst.bytes, "\x0a\x00\x00\x02", 4);
		T_EQ(esp_sa_new(&c, &in), 0);
	}
	T_EQ(esp_sad_add(sad, in), 0);
	T_EQ(esp_sad_add(sad, in), ERR_EXISTS);
	n = mk_udp(clear, AF_INET, 120, 9);
	memcpy(mem + 256, clear, n);
	esp_buf_init(&b, mem, sizeof(mem), 256, n);
	T_EQ(esp_protect(out, &w, &b, 0, &r), 0);
	d = esp_buf_data(&b);
	T_EQ(d[9], ESP_IPPROTO_UDP);
	T_EQ(buf_load_be16(d + 20), 4500);
	T_EQ(buf_load_be16(d + 22), 4500);
	T_EQ(buf_load_be16(d + 24), b.len - 20);
	T_EQ(r.l4_off, 20);
	T_EQ(r.payload_off, 28);
	/* NAT: rewrite the outer addresses as a NAT would (10.0.0.x -> 192.0.2.x). */
	memcpy(d + 12, "\xc0\x00\x02\x01", 4);
	memcpy(d + 16, "\xc0\x00\x02\x02", 4);
	esp_ipv4_set_csum(d, 20);
	pl = b.len;
	memcpy(pkt, d, pl);
	T_EQ(esp_input(sad, &w, &b, 0, &r), 0);
	T_EQ(r.kind, ESP_RES_DELIVER);
	d = esp_buf_data(&b);
	T_EQ(b.len, n);
	T_EQ(d[9], ESP_IPPROTO_UDP);
	{
		/* The UDP checksum now verifies with the packet's own addresses. */
		uint32_t sum = esp_csum_add(0, d + 12, 8) + ESP_IPPROTO_UDP + (uint32_t)(n - 20);

		sum = esp_csum_add(sum, d + 20, n - 20);
		T_EQ(esp_csum_fold(sum), 0);
	}
	/* Only the peer behind a NAT (NAT-OAi known, our address unchanged): an SA with just
	 * oa_src fixes the source part only. */
	{
		struct esp_sa *in1 = NULL;
		struct esp_sad *sad1 = esp_sad_new();

		memset(&c.oa_dst, 0, sizeof(c.oa_dst));
		T_EQ(esp_sa_new(&c, &in1), 0);
		T_EQ(esp_sad_add(sad1, in1), 0);
		esp_sa_set_next_seq(out, 3);
		memcpy(mem + 256, clear, n);
		buf_store_be16(mem + 256 + 16, 0xc000); /* our address 192.0.2.2 in the clear */
		mem[256 + 18] = 2, mem[256 + 19] = 2;
		esp_ipv4_set_csum(mem + 256, 20);
		{ /* the sender's UDP checksum over 10.0.0.1 -> 192.0.2.2 */
			uint8_t *q = mem + 256;
			uint32_t sum;

			q[26] = q[27] = 0;
			sum = esp_csum_add(0, q + 12, 8) + ESP_IPPROTO_UDP + (uint32_t)(n - 20);
			sum = esp_csum_add(sum, q + 20, n - 20);
			buf_store_be16(q + 26, esp_csum_fold(sum));
		}
		esp_buf_init(&b, mem, sizeof(mem), 256, n);
		T_EQ(esp_protect(out, &w, &b, 0, &r), 0);
		d = esp_buf_data(&b);
		memcpy(d + 12, "\xc0\x00\x02\x01", 4); /* NAT rewrote the source only */
		esp_ipv4_set_csum(d, 20);
		T_EQ(esp_input(sad1, &w, &b, 0, &r), 0);
		d = esp_buf_data(&b);
		{
			uint32_t sum =
			    esp_csum_add(0, d + 12, 8) + ESP_IPPROTO_UDP + (uint32_t)(n - 20);

			sum = esp_csum_add(sum, d + 20, n - 20);
			T_EQ(esp_csum_fold(sum), 0);
		}
		esp_sad_free(sad1);
		esp_sa_put(in1);
	}
	/* The same through a UDP socket: payload only, addresses given. */
	addr4(&src, 1);
	addr4(&dst, 2);
	esp_sa_set_next_seq(out, 5);
	memcpy(mem + 256, clear, n);
	esp_buf_init(&b, mem, sizeof(mem), 256, n);
	T_EQ(esp_protect(out, &w, &b, 0, &r), 0);
	b.off += r.payload_off;
	b.len -= r.payload_off;
	T_EQ(esp_input_udp(sad, &w, &b, &src, &dst, 4500, 4500, 0, &r), 0);
	T_EQ(r.kind, ESP_RES_DELIVER);
	/* Keepalive and IKE marker. */
	memcpy(mem + 256, "\xff", 1);
	esp_buf_init(&b, mem, sizeof(mem), 256, 1);
	T_EQ(esp_input_udp(sad, &w, &b, &src, &dst, 4500, 4500, 0, &r), 0);
	T_EQ(r.kind, ESP_RES_NONE);
	T_EQ(w.stats.drops[ESP_DROP_KEEPALIVE], 1);
	memcpy(mem + 256, "\0\0\0\0IKEMSG", 10);
	esp_buf_init(&b, mem, sizeof(mem), 256, 10);
	T_EQ(esp_input_udp(sad, &w, &b, &src, &dst, 4500, 4500, 0, &r), 0);
	T_EQ(r.kind, ESP_RES_IKE);
	T_MEM(esp_buf_data(&b), b.len, "IKEMSG", 6);
	/* Unknown SPI: counted on the worker. */
	pkt[28 + 3] ^= 0x55;
	memcpy(mem + 256, pkt, pl);
	esp_buf_init(&b, mem, sizeof(mem), 256, pl);
	T_EQ(esp_input(sad, &w, &b, 0, &r), ERR_NOTFOUND);
	T_EQ(r.drop, ESP_DROP_NO_SA);
	T_EQ(w.stats.drops[ESP_DROP_NO_SA], 1);
	/* AH SA with the same SPI: an ESP packet doesn't find it, and given directly it is the
	 * wrong protocol. */
	memset(&c, 0, sizeof(c));
	c.spi = 0x99;
	c.proto = ESP_IPPROTO_AH;
	c.mode = ESP_MODE_TRANSPORT;
	c.dir = ESP_DIR_IN;
	c.integ_id = IKEV2_INTEG_HMAC_SHA2_256_128;
	c.integ_key = key;
	c.integ_key_len = 32;
	esp_sel_any(&c.sel, 0);
	T_EQ(esp_sa_new(&c, &ah), 0);
	T_EQ(esp_sad_add(sad, ah), 0);
	T_EQ(esp_sad_count(sad), 2);
	pkt[28 + 3] ^= 0x55;
	memcpy(mem + 256, pkt, pl);
	esp_buf_init(&b, mem, sizeof(mem), 256, pl);
	T_EQ(esp_unprotect(ah, &w, &b, 0, &r), ERR_INVAL);
	T_EQ(r.drop, ESP_DROP_PROTO);
	T_EQ(esp_sad_del(sad, ah), 0);
	T_EQ(esp_sad_del(sad, ah), ERR_NOTFOUND);
	esp_sa_put(ah);
	/* Outbound by reqid: the newest SA wins. */
	{
		struct esp_sa *o2 = NULL, *got;

		T_EQ(esp_sad_add(sad, out), 0);
		T_EQ(mk_sa(x, ESP_DIR_OUT, &o, &o2), 0);
		T_EQ(esp_sad_add(sad, o2), 0);
		got = esp_sad_lookup_out(sad, 7);
		T_OK(got == o2, "newest outbound SA");
		esp_sa_put(got);
		T_EQ(esp_sad_del(sad, o2), 0);
		got = esp_sad_lookup_out(sad, 7);
		T_OK(got == out, "previous SA after delete");
		esp_sa_put(got);
		T_OK(esp_sad_lookup_out(sad, 8) == NULL, "unknown reqid");
		esp_sa_put(o2);
	}
	esp_sad_free(sad);
	esp_sa_put(out);
	esp_sa_put(in);
	/* Two SAs with the same key (manual keying mistake) never share a GCM nonce: the
	 * counter IV is masked per SA; within one SA consecutive IVs differ. */
	{
		struct opts og = {.mode = ESP_MODE_TUNNEL, .outer = AF_INET};
		struct esp_sa *g1 = NULL, *g2 = NULL;
		uint8_t p1[300], p2[300], p3[300];

		T_EQ(mk_sa(&xfs[0], ESP_DIR_OUT, &og, &g1), 0);
		T_EQ(mk_sa(&xfs[0], ESP_DIR_OUT, &og, &g2), 0);
		T_OK(protect_one(g1, &w, p1, 100) && protect_one(g2, &w, p2, 100) &&
			 protect_one(g1, &w, p3, 100),
		     "protected");
		T_OK(memcmp(p1 + 28, p2 + 28, 8) != 0, "IVs of two SAs differ");
		T_OK(memcmp(p1 + 28, p3 + 28, 8) != 0, "consecutive IVs differ");
		esp_sa_put(g1);
		esp_sa_put(g2);
	}
	/* Transport mode refuses fragments (RFC 4303 §3.1.1, RFC 4302 §3.1), tunnel mode
	 * carries them. */
	for (int k = 0; k < 3; k++) {
		struct opts of = {.mode = k == 2 ? ESP_MODE_TUNNEL : ESP_MODE_TRANSPORT,
				  .outer = AF_INET};
		struct esp_sa *f = NULL;
		uint8_t fr[200];
		size_t fl = mk_udp(fr, AF_INET, 100, 1);

		fr[6] = 0x20; /* MF */
		esp_ipv4_set_csum(fr, 20);
		T_EQ(mk_sa(&xfs[k == 1 ? 17 : 0], ESP_DIR_OUT, &of, &f), 0);
		memcpy(mem + 256, fr, fl);
		esp_buf_init(&b, mem, sizeof(mem), 256, fl);
		T_EQ(esp_protect(f, &w, &b, 0, &r), k == 2 ? 0 : ERR_INVAL);
		if (k != 2)
			T_EQ(r.drop, ESP_DROP_MALFORMED);
		esp_sa_put(f);
	}
	/* AH-GMAC has no place for the ESN high bits. */
	{
		struct opts oe = {.mode = ESP_MODE_TRANSPORT, .outer = AF_INET, .esn = true};
		struct esp_sa *g = NULL;

		T_EQ(mk_sa(&xfs[22], ESP_DIR_OUT, &oe, &g), ERR_UNSUPPORTED);
		esp_sa_put(g);
	}
	printf("sizeof(struct esp_sa) = %zu\n", esp_sa_footprint());
	T_OK(esp_sa_footprint() < 1024, "SA under 1 KiB (%zu)", esp_sa_footprint());
}

static void selectors(void)
{
	const struct xf *x = &xfs[0];
	struct esp_sa_cfg c;
	struct opts o = {.mode = ESP_MODE_TUNNEL, .outer = AF_INET, .window = 64};
	struct esp_sa *out = NULL, *in = NULL;
	uint8_t clear[300];
	struct esp_result r;
	struct esp_buf b;
	struct esp_worker w;
	size_t n;

	esp_worker_init(&w, 0);
	T_EQ(mk_sa(x, ESP_DIR_OUT, &o, &out), 0);
	memset(&c, 0, sizeof(c));
	c.spi = 0x01020304;
	c.proto = ESP_IPPROTO_ESP;
	c.mode = ESP_MODE_TUNNEL;
	c.dir = ESP_DIR_IN;
	c.replay_window = 64;
	c.encr_id = x->encr;
	c.encr_key_bits = x->bits;
	c.encr_key = key;
	c.encr_key_len = x->klen;
	esp_sel_any(&c.sel, AF_INET);
	c.sel.src[0] = 10;
	c.sel.src_len = 24; /* 10.0.0.0/24 */
	c.sel.proto = ESP_IPPROTO_UDP;
	T_EQ(esp_sa_new(&c, &in), 0);
	n = mk_udp(clear, AF_INET, 100, 1);
	memcpy(mem + 256, clear, n);
	esp_buf_init(&b, mem, sizeof(mem), 256, n);
	T_EQ(esp_protect(out, &w, &b, 0, &r), 0);
	T_EQ(esp_unprotect(in, &w, &b, 0, &r), 0);
	clear[12] = 11; /* source 11.0.0.1: outside */
	esp_ipv4_set_csum(clear, 20);
	memcpy(mem + 256, clear, n);
	esp_buf_init(&b, mem, sizeof(mem), 256, n);
	T_EQ(esp_protect(out, &w, &b, 0, &r), 0);
	T_EQ(esp_unprotect(in, &w, &b, 0, &r), ERR_NOTFOUND);
	T_EQ(r.drop, ESP_DROP_POLICY);
	T_EQ(drops(in, ESP_DROP_POLICY), 1);
	esp_sa_put(out);
	esp_sa_put(in);
}

/* AH transport over IPv6 with a hop-by-hop header carrying a mutable option: the option's
 * data may change in transit without breaking the ICV. */
static void ah_ipv6_options(void)
{
	const struct xf *x = &xfs[17];
	struct opts o = {.mode = ESP_MODE_TRANSPORT, .outer = AF_INET6, .window = 64};
	struct esp_sa *out = NULL, *in = NULL;
	uint8_t p[200], orig[200];
	struct esp_result r;
	struct esp_buf b;
	struct esp_worker w;
	size_t n = 40 + 8 + 8 + 20, ah_at = 48;

	esp_worker_init(&w, 0);
	T_EQ(mk_sa(x, ESP_DIR_OUT, &o, &out), 0);
	T_EQ(mk_sa(x, ESP_DIR_IN, &o, &in), 0);
	memset(p, 0, sizeof(p));
	p[0] = 0x60;
	buf_store_be16(p + 4, (uint16_t)(n - 40));
	p[6] = ESP_IPPROTO_HOPOPTS;
	p[7] = 64;
	p[8] = 0x20, p[23] = 1, p[24] = 0x20, p[39] = 2;
	p[40] = ESP_IPPROTO_UDP; /* hop-by-hop: next header, length 0 (8 bytes) */
	p[41] = 0;
	p[42] = 0x3e; /* option type with the "may change" bit (0x20) */
	p[43] = 4;
	memcpy(p + 44, "\x01\x02\x03\x04", 4);
	buf_store_be16(p + 48, 7);
	buf_store_be16(p + 50, 9);
	buf_store_be16(p + 52, 28);
	memcpy(orig, p, n);
	memcpy(mem + 256, p, n);
	esp_buf_init(&b, mem, sizeof(mem), 256, n);
	T_EQ(esp_protect(out, &w, &b, 0, &r), 0);
	T_EQ(esp_buf_data(&b)[40], ESP_IPPROTO_AH); /* AH after hop-by-hop */
	T_EQ(r.l4_off, ah_at);
	/* In transit: hop limit, flow label and the mutable option's data change. */
	esp_buf_data(&b)[7] = 3;
	esp_buf_data(&b)[3] = 0x77;
	esp_buf_data(&b)[45] = 0xee;
	T_EQ(esp_unprotect(in, &w, &b, 0, &r), 0);
	orig[7] = 3;
	orig[3] = 0x77;
	orig[45] = 0xee;
	T_MEM(esp_buf_data(&b), b.len, orig, n);
	/* An immutable field changing breaks it. */
	memcpy(mem + 256, p, n);
	esp_buf_init(&b, mem, sizeof(mem), 256, n);
	T_EQ(esp_protect(out, &w, &b, 0, &r), 0);
	esp_buf_data(&b)[39] ^= 1; /* source address */
	T_EQ(esp_unprotect(in, &w, &b, 0, &r), ERR_AUTH);
	esp_sa_put(out);
	esp_sa_put(in);
}

struct mt {
	struct esp_sa *sa;
	unsigned id;
	uint64_t seqs[2000];
};

static void *mt_run(void *arg)
{
	struct mt *m = arg;
	struct esp_worker *w = malloc(sizeof(*w));
	static __thread uint8_t tm[4096];
	uint8_t clear[200];
	size_t n = mk_udp(clear, AF_INET, 150, 1);

	esp_worker_init(w, m->id);
	for (int i = 0; i < 2000; i++) {
		struct esp_result r;
		struct esp_buf b;

		memcpy(tm + 256, clear, n);
		esp_buf_init(&b, tm, sizeof(tm), 256, n);
		m->seqs[i] = esp_protect(m->sa, w, &b, 0, &r) == 0 ? r.seq : 0;
	}
	free(w);
	return NULL;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void two_workers(void)
{
	struct opts o = {.mode = ESP_MODE_TUNNEL, .outer = AF_INET, .window = 64};
	static struct mt m[2];
	static uint64_t all[4000];
	struct esp_sa_cfg c;
	struct esp_sa *sa = NULL;
	pthread_t th[2];
	int dup = 0;

	(void)o;
	memset(&c, 0, sizeof(c));
	c.spi = 1;
	c.proto = ESP_IPPROTO_ESP;
	c.mode = ESP_MODE_TUNNEL;
	c.dir = ESP_DIR_OUT;
	addr4(&c.src, 1);
	addr4(&c.dst, 2);
	c.encr_id = IKEV2_ENCR_AES_GCM_16;
	c.encr_key_bits = 128;
	c.encr_key = key;
	c.encr_key_len = 20;
	c.nworkers = 2;
	T_EQ(esp_sa_new(&c, &sa), 0);
	for (int i = 0; i < 2; i++) {
		m[i].sa = sa;
		m[i].id = (unsigned)i;
		pthread_create(&th[i], NULL, mt_run, &m[i]);
	}
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	memcpy(all, m[0].seqs, sizeof(m[0].seqs));
	memcpy(all + 2000, m[1].seqs, sizeof(m[1].seqs));
	qsort(all, 4000, sizeof(all[0]), cmp_u64);
	for (int i = 0; i < 4000; i++)
		dup += all[i] != (uint64_t)i + 1;
	T_EQ(dup, 0); /* every number 1..4000 used exactly once */
	esp_sa_put(sa);
}

int main(void)
{
	round_trips();
	negatives();
	bad_padding();
	sequence_and_lifetimes();
	tfc_and_mtu();
	encap_and_sad();
	selectors();
	ah_ipv6_options();
	two_workers();
	return t_finish();
}
