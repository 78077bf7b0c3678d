/* The per-worker context cache (esp/ctxcache.h): SAs created with ctx_cache keep only their
 * keys and stay byte-compatible with SAs that own their contexts, for every ESP and AH
 * transform, while SAs of different algorithms and keys take turns in one cache slot (every
 * turn a re-key); a hit does not re-key; a tampered ICV is still caught after a re-key; a
 * worker without a cache drops (counted as crypto) instead of crashing; the structure we own
 * stays within the 1 KiB per-SA budget. Leaks are left to ASan. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "esp/ctxcache.h"
#include "esp/esp.h"
#include "esp/ip.h"
#include "lib/buf.h"
#include "lib/err.h"
#include "support/test.h"
#include "wire/iana.h"

struct xf {
	int line;
	uint8_t proto;
	uint16_t encr, bits, integ;
	size_t klen, ilen;
	uint8_t key_fill; /* two rows of one algorithm with different keys share the slot too */
};

static const struct xf xfs[] = {
    {__LINE__, ESP_IPPROTO_ESP, IKEV2_ENCR_AES_GCM_16, 128, 0, 20, 0, 1},
    {__LINE__, ESP_IPPROTO_ESP, IKEV2_ENCR_AES_GCM_16, 128, 0, 20, 0, 2},
    {__LINE__, ESP_IPPROTO_ESP, IKEV2_ENCR_AES_GCM_8, 256, 0, 36, 0, 3},
    {__LINE__, ESP_IPPROTO_ESP, IKEV2_ENCR_AES_CCM_16, 128, 0, 19, 0, 4},
    {__LINE__, ESP_IPPROTO_ESP, IKEV2_ENCR_CHACHA20_POLY1305, 0, 0, 36, 0, 5},
    {__LINE__, ESP_IPPROTO_ESP, IKEV2_ENCR_CHACHA20_POLY1305, 0, 0, 36, 0, 6},
    {__LINE__, ESP_IPPROTO_ESP, IKEV2_ENCR_NULL_AUTH_AES_GMAC, 128, 0, 20, 0, 7},
    {__LINE__, ESP_IPPROTO_ESP, IKEV2_ENCR_AES_CBC, 128, IKEV2_INTEG_HMAC_SHA2_256_128, 16, 32, 8},
    {__LINE__, ESP_IPPROTO_ESP, IKEV2_ENCR_AES_CBC, 128, IKEV2_INTEG_HMAC_SHA2_256_128, 16, 32, 9},
    {__LINE__, ESP_IPPROTO_ESP, IKEV2_ENCR_AES_CBC, 256, IKEV2_INTEG_HMAC_SHA2_512_256, 32, 64, 10},
    {__LINE__, ESP_IPPROTO_ESP, IKEV2_ENCR_AES_CTR, 128, IKEV2_INTEG_AES_XCBC_96, 20, 16, 11},
    {__LINE__, ESP_IPPROTO_ESP, IKEV2_ENCR_AES_CTR, 128, IKEV2_INTEG_AES_XCBC_96, 20, 16, 12},
    {__LINE__, ESP_IPPROTO_ESP, IKEV2_ENCR_AES_CBC, 128, IKEV2_INTEG_AES_CMAC_96, 16, 16, 13},
    {__LINE__, ESP_IPPROTO_ESP, IKEV2_ENCR_3DES, 0, IKEV2_INTEG_HMAC_SHA1_96, 24, 20, 14},
    {__LINE__, ESP_IPPROTO_ESP, IKEV2_ENCR_NULL, 0, IKEV2_INTEG_HMAC_SHA2_256_128, 0, 32, 15},
    {__LINE__, ESP_IPPROTO_AH, 0, 0, IKEV2_INTEG_HMAC_SHA2_256_128, 0, 32, 16},
    {__LINE__, ESP_IPPROTO_AH, 0, 0, IKEV2_INTEG_AES_XCBC_96, 0, 16, 17},
    {__LINE__, ESP_IPPROTO_AH, 0, 0, IKEV2_INTEG_AES_128_GMAC, 0, 20, 18},
    {__LINE__, ESP_IPPROTO_AH, 0, 0, IKEV2_INTEG_AES_128_GMAC, 0, 20, 19},
};
#define NXF (sizeof(xfs) / sizeof(xfs[0]))

static int mk_sa(const struct xf *x, uint8_t dir, bool cache, struct esp_sa **out)
{
	uint8_t key[128];
	struct esp_sa_cfg c;

	for (size_t i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)(x->key_fill * 31 + i);
	memset(&c, 0, sizeof(c));
	c.spi = 0x1000u + x->key_fill;
	c.proto = x->proto;
	c.mode = ESP_MODE_TUNNEL;
	c.dir = dir;
	c.replay_window = 64;
	c.src.family = c.dst.family = AF_INET;
	memcpy(c.src.bytes, "\xc0\x00\x02\x01", 4);
	memcpy(c.dst.bytes, "\xc0\x00\x02\x02", 4);
	esp_sel_any(&c.sel, 0);
	c.encr_id = x->encr;
	c.encr_key_bits = x->bits;
	c.encr_key = key;
	c.encr_key_len = x->klen;
	c.integ_id = x->integ;
	c.integ_key = key + 40;
	c.integ_key_len = x->ilen;
	c.ctx_cache = cache;
	return esp_sa_new(&c, out);
}

/* A cache SA whose slot is `slot` (ids are handed out in sequence: retry until it lands). */
static int mk_cached(const struct xf *x, uint8_t dir, uint64_t slot, struct esp_sa **out)
{
	for (int i = 0; i < 2 * ESP_CC_SLOTS; i++) {
		struct esp_sa *sa = NULL;
		int err = mk_sa(x, dir, true, &sa);

		if (err)
			return err;
		if ((sa->cc_id & (ESP_CC_SLOTS - 1)) == slot) {
			*out = sa;
			return 0;
		}
		esp_sa_put(sa);
	}
	return ERR_LIMIT;
}

/* An IPv4 UDP packet of len octets from 10.0.0.1 to 10.0.0.2. */
static size_t mk_udp(uint8_t *p, size_t len, uint8_t fill)
{
	memset(p, 0, len);
	for (size_t i = 28; i < len; i++)
		p[i] = (uint8_t)(fill + i);
	p[0] = 0x45;
	buf_store_be16(p + 2, (uint16_t)len);
	p[8] = 64;
	p[9] = ESP_IPPROTO_UDP;
	p[12] = 10, p[15] = 1;
	p[16] = 10, p[19] = 2;
	esp_ipv4_set_csum(p, 20);
	buf_store_be16(p + 20, 1111);
	buf_store_be16(p + 22, 2222);
	buf_store_be16(p + 24, (uint16_t)(len - 20));
	return len;
}

static uint8_t mem[4096];

/* Protects clear with out (worker wo) and opens it with in (worker wi); 1 when the inner
 * packet comes back intact. tamper flips the last octet (the ICV) on the wire. */
static int trip(struct esp_sa *out, struct esp_worker *wo, struct esp_sa *in, struct esp_worker *wi,
		const uint8_t *clear, size_t len, bool tamper, int *drop_auth)
{
	struct esp_result res;
	struct esp_buf b;

	memcpy(mem + ESP_HEADROOM, clear, len);
	esp_buf_init(&b, mem, sizeof(mem), ESP_HEADROOM, len);
	if (esp_protect(out, wo, &b, 0, &res) != 0 || res.kind != ESP_RES_SEND)
		return 0;
	if (tamper)
		esp_buf_data(&b)[b.len - 1] ^= 1;
	if (esp_unprotect(in, wi, &b, 0, &res) != 0) {
		*drop_auth = 1;
		return 0;
	}
	return res.kind == ESP_RES_DELIVER && b.len == len &&
	       memcmp(esp_buf_data(&b), clear, len) == 0;
}

static void shared_slot(void)
{
	struct esp_sa *out_c[NXF] = {0}, *in_c[NXF] = {0}, *out_o[NXF] = {0}, *in_o[NXF] = {0};
	struct esp_worker *wc = calloc(1, sizeof(*wc)), *wo = calloc(1, sizeof(*wo));
	uint8_t clear[300];
	uint64_t slot = 77, m0;
	size_t len = mk_udp(clear, 173, 5);
	int auth = 0;

	T_OK(wc && wo, "workers");
	if (!wc || !wo)
		goto out;
	esp_worker_init(wc, 0);
	esp_worker_init(wo, 0);
	if (!T_EQ(esp_worker_cache_init(wc), 0))
		goto out;
	for (size_t i = 0; i < NXF; i++) {
		T_EQ_ROW(xfs[i].line, mk_cached(&xfs[i], ESP_DIR_OUT, slot, &out_c[i]), 0);
		T_EQ_ROW(xfs[i].line, mk_cached(&xfs[i], ESP_DIR_IN, slot, &in_c[i]), 0);
		T_EQ_ROW(xfs[i].line, mk_sa(&xfs[i], ESP_DIR_OUT, false, &out_o[i]), 0);
		T_EQ_ROW(xfs[i].line, mk_sa(&xfs[i], ESP_DIR_IN, false, &in_o[i]), 0);
		if (!out_c[i] || !in_c[i] || !out_o[i] || !in_o[i])
			goto out;
		T_OK_ROW(xfs[i].line, out_c[i]->crypto == NULL && in_c[i]->crypto == NULL,
			 "a cache SA owns no contexts");
	}
	/* Round robin through one slot: every cached use is a re-key (algorithm change or, for
	 * the rows sharing an algorithm, a new key in the same context). */
	m0 = wc->cc->misses;
	for (int round = 0; round < 3; round++) {
		for (size_t i = 0; i < NXF; i++) {
			T_OK_ROW(xfs[i].line,
				 trip(out_c[i], wc, in_o[i], wo, clear, len, false, &auth),
				 "cache protect -> own unprotect, round %d", round);
			T_OK_ROW(xfs[i].line,
				 trip(out_o[i], wo, in_c[i], wc, clear, len, false, &auth),
				 "own protect -> cache unprotect, round %d", round);
		}
	}
	T_EQ(wc->cc->misses - m0, 3 * 2 * NXF);
	/* A hit: the same SA again does not re-key. */
	m0 = wc->cc->misses;
	for (int k = 0; k < 4; k++)
		T_OK(trip(out_c[0], wc, in_o[0], wo, clear, len, false, &auth), "hit %d", k);
	T_EQ(wc->cc->misses - m0, 1);
	/* A tampered ICV after a re-key (slot held by another SA before). */
	for (size_t i = 0; i < NXF; i++) {
		struct esp_stats st;

		auth = 0;
		T_OK_ROW(xfs[i].line, !trip(out_o[i], wo, in_c[i], wc, clear, len, true, &auth),
			 "tampered packet delivered");
		esp_sa_stats(in_c[i], &st);
		T_OK_ROW(xfs[i].line, auth && st.drops[ESP_DROP_AUTH] == 1, "auth drop counted");
	}
	/* A worker without a cache drops the cache SA's packets as crypto failures. */
	{
		struct esp_stats st;

		T_OK(!trip(out_c[0], wo, in_o[0], wo, clear, len, false, &auth), "no cache");
		esp_sa_stats(out_c[0], &st);
		T_EQ(st.drops[ESP_DROP_CRYPTO], 1);
	}
out:
	for (size_t i = 0; i < NXF; i++) {
		esp_sa_put(out_c[i]);
		esp_sa_put(in_c[i]);
		esp_sa_put(out_o[i]);
		esp_sa_put(in_o[i]);
	}
	if (wc)
		esp_worker_cleanup(wc);
	if (wo)
		esp_worker_cleanup(wo); /* no cache: a no-op */
	free(wc);
	free(wo);
}

/* The budget: under 1 KiB per SA beyond the replay bitmap. With a context cache the
 * SA's heap block is all of it (struct + bitmap, one allocation); allow 16 octets of malloc
 * overhead. OpenSSL's contexts then live per worker (bench/esp_bench prints the totals). */
static void sizes(void)
{
	T_OK(esp_sa_footprint() + 16 < 1024, "sizeof(struct esp_sa) = %zu", esp_sa_footprint());
	T_OK(sizeof(struct esp_sa) <= 640, "struct esp_sa grew to %zu", sizeof(struct esp_sa));
	printf("struct esp_sa: %zu octets (keys inline: %d)\n", esp_sa_footprint(),
	       ESP_SA_MAX_KEYS);
}

int main(void)
{
	sizes();
	shared_slot();
	return t_finish();
}
