/* Microbenchmark of the ESP core: protect + unprotect of 1400-byte IPv4 packets in tunnel mode,
 * single core, one SA pair per transform. Time is the thread's CPU time (like `openssl speed`),
 * so the figures hold on a machine shared with other jobs. Prints Gbit/s of inner bytes and ns
 * per packet for protect, unprotect, and the pair (one packet protected and unprotected on the
 * same core).
 *
 *   build/bench/esp_bench [seconds-per-case [transform [cache|own]]]
 *       (default 1 s, every transform, SAs served by the worker's context cache as rampartd
 *       makes them; `own`: every SA owns its keyed contexts)
 *   build/bench/esp_bench sa-memory [own]   (heap bytes per SA as rampartd makes them, keys
 *       only; `own`: with their own keyed contexts; AES-GCM, ChaCha20-Poly1305, CBC+HMAC)
 *
 * Per-SA heap bytes and the cost of a context-cache miss (a re-key) are printed after the
 * throughput table.
 */
#include <malloc.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "esp/ctxcache.h"
#include "esp/esp.h"
#include "esp/replay.h"
#include "esp/sad.h"
#include "esp/spd.h"
#include "lib/err.h"
#include "wire/iana.h"

#define BATCH 64

static bool use_cache = true; /* SAs keep keys only; the worker's cache keys contexts */

struct bcase {
	const char *name;
	uint16_t encr, bits, integ;
	size_t klen, ilen;
};

static const struct bcase cases[] = {
    {"aes128gcm16", IKEV2_ENCR_AES_GCM_16, 128, 0, 20, 0},
    {"aes256gcm16", IKEV2_ENCR_AES_GCM_16, 256, 0, 36, 0},
    {"chacha20poly1305", IKEV2_ENCR_CHACHA20_POLY1305, 0, 0, 36, 0},
    {"aes128-sha256", IKEV2_ENCR_AES_CBC, 128, IKEV2_INTEG_HMAC_SHA2_256_128, 16, 32},
    {"aes128ctr-sha256", IKEV2_ENCR_AES_CTR, 128, IKEV2_INTEG_HMAC_SHA2_256_128, 20, 32},
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int mk_sa(const struct bcase *c, uint8_t dir, uint32_t window, unsigned nworkers,
		 struct esp_sa **out)
{
	static const uint8_t key[64] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
	struct esp_sa_cfg cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.spi = 0x1000;
	cfg.proto = ESP_IPPROTO_ESP;
	cfg.mode = ESP_MODE_TUNNEL;
	cfg.dir = dir;
	cfg.replay_window = window;
	cfg.nworkers = nworkers;
	cfg.ctx_cache = use_cache;
	cfg.src.family = cfg.dst.family = AF_INET;
	memcpy(cfg.src.bytes, "\xc0\x00\x02\x01", 4);
	memcpy(cfg.dst.bytes, "\xc0\x00\x02\x02", 4);
	esp_sel_any(&cfg.sel, 0);
	cfg.encr_id = c->encr;
	cfg.encr_key_bits = c->bits;
	cfg.encr_key = key;
	cfg.encr_key_len = c->klen;
	cfg.integ_id = c->integ;
	cfg.integ_key = key + 32;
	cfg.integ_key_len = c->ilen;
	return esp_sa_new(&cfg, out);
}

static int mk(const struct bcase *c, uint8_t dir, struct esp_sa **out)
{
	return mk_sa(c, dir, 1024, 1, out);
}

/* Heap bytes per SA (glibc's count of bytes in use, malloc overhead included: the SA, its
 * crypto contexts and everything OpenSSL allocates for them), measured over 256 inbound SAs,
 * with the replay bitmap reported apart. The budget: under 1 KiB beyond the bitmap. */
static void sa_mem(const struct bcase *c, uint32_t window, unsigned nworkers)
{
	enum { N = 256 };
	static struct esp_sa *sas[N];
	struct mallinfo2 m0, m1;
	size_t bitmap = esp_replay_words(window) * sizeof(uint64_t);
	int n = 0;

	/* OpenSSL's one-time state (provider, fetched cipher) is not the SA's: warm up first */
	if (mk_sa(c, ESP_DIR_IN, window, nworkers, &sas[0]) == 0)
		esp_sa_put(sas[0]);
	m0 = mallinfo2();
	while (n < N && mk_sa(c, ESP_DIR_IN, window, nworkers, &sas[n]) == 0)
		n++;
	m1 = mallinfo2();
	if (n == N) {
		double per = (double)(m1.uordblks - m0.uordblks) / N;
		printf("sa memory: %s, %s, window %u: %.0f B per SA = %zu B "
		       "bitmap + %.0f B (budget 1024 B beyond the bitmap: %s)\n",
		       c->name, use_cache ? "keys only (worker context cache)" : "own contexts",
		       window, per, bitmap, per - (double)bitmap,
		       per - (double)bitmap < 1024 ? "met" : "NOT met");
	}
	while (n > 0)
		esp_sa_put(sas[--n]);
}

/* The context-cache miss path: ns per re-key of a cached context (the slot is invalidated
 * before each lookup, as when two SAs share a slot and alternate). */
static void rekey_bench(const struct bcase *c, struct esp_worker *w)
{
	enum { N = 20000 };
	struct esp_sa *sa = NULL;
	struct esp_sa_crypto *cr = NULL;
	double t0, t;

	if (!w->cc || mk_sa(c, ESP_DIR_OUT, 64, 1, &sa) != 0)
		return;
	t0 = now_s();
	for (int i = 0; i < N; i++) {
		w->cc->slots[sa->cc_id & (ESP_CC_SLOTS - 1)].sa_id = 0;
		cr = esp_sa_crypto_get(sa, w);
		if (cr == NULL)
			break;
	}
	t = now_s() - t0;
	if (cr)
		printf("context cache miss: %s, %.0f ns per re-key\n", c->name, t / N * 1e9);
	esp_sa_put(sa);
}

/* SPD lookups with 10,000 policies (one destination prefix each, a few port-restricted,
 * plus a catch-all), single core. */
static void spd_bench(void)
{
	enum { N = 10000, Q = 1 << 16 };
	struct esp_spd *spd = esp_spd_new();
	static struct esp_flow flows[Q];
	uint32_t x = 1;
	double t0, t;
	long hits = 0;

	if (spd == NULL)
		return;
	for (int i = 0; i < N; i++) {
		struct esp_policy p;

		memset(&p, 0, sizeof(p));
		p.dir = ESP_DIR_OUT;
		p.priority = 100 + (uint32_t)(i % 7);
		p.action = ESP_ACTION_PROTECT;
		p.tmpl.proto = ESP_IPPROTO_ESP;
		esp_sel_any(&p.sel, AF_INET);
		p.sel.src[0] = 192;
		p.sel.src[1] = 168;
		p.sel.src_len = 16;
		p.sel.dst[0] = 10;
		p.sel.dst[1] = (uint8_t)(i >> 8);
		p.sel.dst[2] = (uint8_t)i;
		p.sel.dst_len = (i % 5) ? 24 : 32;
		if (i % 3 == 0) {
			p.sel.proto = 6;
			p.sel.dport_lo = (uint16_t)(i % 1000);
			p.sel.dport_hi = (uint16_t)(i % 1000 + 100);
		}
		if (esp_spd_add(spd, &p, NULL) != 0)
			return;
	}
	esp_spd_commit(spd);
	for (int i = 0; i < Q; i++) {
		x = x * 1103515245u + 12345u;
		memset(&flows[i], 0, sizeof(flows[i]));
		flows[i].family = AF_INET;
		flows[i].src[0] = 192;
		flows[i].src[1] = 168;
		flows[i].dst[0] = 10;
		flows[i].dst[1] = (uint8_t)(x >> 24) % 40;
		flows[i].dst[2] = (uint8_t)(x >> 16);
		flows[i].proto = (x & 1) ? 6 : 17;
		flows[i].ports_known = true;
		flows[i].dport = (uint16_t)((x >> 4) % 1200);
	}
	t0 = now_s();
	for (int r = 0; r < 8; r++)
		for (int i = 0; i < Q; i++)
			hits += esp_spd_lookup(spd, ESP_DIR_OUT, &flows[i]) != NULL;
	t = now_s() - t0;
	printf("spd: %d policies, %.0f ns/lookup (%ld hits of %d)\n", N, t / (8.0 * Q) * 1e9, hits,
	       8 * Q);
	esp_spd_free(spd);
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 1.0;
	static uint8_t clear[1400], mem[BATCH][2048];
	struct esp_worker *w = malloc(sizeof(*w));

	if (w == NULL)
		return 1;
	if (argc > 1 && strcmp(argv[1], "sa-memory") == 0) {
		static const int mem_cases[] = {0, 2, 3}; /* AES-GCM, ChaCha20-Poly1305, CBC+HMAC */

		use_cache = !(argc > 2 && strcmp(argv[2], "own") == 0);
		for (size_t i = 0; i < sizeof(mem_cases) / sizeof(mem_cases[0]); i++)
			sa_mem(&cases[mem_cases[i]], 64, 1);
		free(w);
		return 0;
	}
	if (argc > 3)
		use_cache = strcmp(argv[3], "own") != 0;
	memset(clear, 0xab, sizeof(clear));
	clear[0] = 0x45;
	clear[2] = 1400 >> 8;
	clear[3] = 1400 & 0xff;
	clear[8] = 64;
	clear[9] = 6;
	memcpy(clear + 12, "\x0a\x00\x00\x01\x0a\x00\x00\x02", 8);
	esp_worker_init(w, 0);
	if (esp_worker_cache_init(w) != 0)
		return 1;
	printf("SAs: %s\n", use_cache ? "keys only, worker context cache" : "own contexts");
	printf("%-18s %9s %9s %9s %9s %9s %9s\n", "transform", "Gb/s-prot", "Gb/s-unpr",
	       "Gb/s-pair", "ns/prot", "ns/unprot", "ns/pair");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct esp_sa *out = NULL, *in = NULL;
		struct esp_result res;
		struct esp_buf b[BATCH];
		double t0, tp = 0, tu = 0;
		long n = 0;

		if (argc > 2 && strcmp(argv[2], cases[i].name) != 0)
			continue;
		if (mk(&cases[i], ESP_DIR_OUT, &out) || mk(&cases[i], ESP_DIR_IN, &in)) {
			printf("%-18s unavailable\n", cases[i].name);
			esp_sa_put(out);
			esp_sa_put(in);
			continue;
		}
		/* Batches of 64 packets: protect all, then unprotect all (two clock reads per
		 * batch and direction). */
		while (tp + tu < secs) {
			t0 = now_s();
			for (int k = 0; k < BATCH; k++) {
				memcpy(mem[k] + ESP_HEADROOM, clear, sizeof(clear));
				esp_buf_init(&b[k], mem[k], sizeof(mem[k]), ESP_HEADROOM,
					     sizeof(clear));
				if (esp_protect(out, w, &b[k], 0, &res) != 0)
					return 1;
			}
			tp += now_s() - t0;
			t0 = now_s();
			for (int k = 0; k < BATCH; k++) {
				if (esp_unprotect(in, w, &b[k], 0, &res) != 0 ||
				    res.kind != ESP_RES_DELIVER || b[k].len != sizeof(clear))
					return 2;
			}
			tu += now_s() - t0;
			n += BATCH;
		}
		printf("%-18s %9.2f %9.2f %9.2f %9.0f %9.0f %9.0f\n", cases[i].name,
		       (double)n * sizeof(clear) * 8 / tp / 1e9,
		       (double)n * sizeof(clear) * 8 / tu / 1e9,
		       (double)n * sizeof(clear) * 8 / (tp + tu) / 1e9, tp / n * 1e9, tu / n * 1e9,
		       (tp + tu) / n * 1e9);
		esp_sa_put(out);
		esp_sa_put(in);
	}
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (argc > 2 && strcmp(argv[2], cases[i].name) != 0)
			continue;
		sa_mem(&cases[i], 64, 1);
		rekey_bench(&cases[i], w);
	}
	esp_worker_cleanup(w);
	free(w);
	if (argc <= 2)
		spd_bench();
	return 0;
}
