/* Microbenchmark of the per-packet crypto calls the ESP data plane makes: enc_seal/enc_open and
 * integ_compute/integ_verify on 1400-byte messages with objects keyed once. Prints MB/s
 * (10^6 bytes of message per second of this thread's CPU time, like `openssl speed`) and the
 * number of OpenSSL heap allocations per call, counted through CRYPTO_set_mem_functions: the
 * packet path is meant to allocate nothing.
 *
 *   build/bench/crypto_bench [seconds-per-case]   (default 1)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "crypto/enc.h"
#include "crypto/integ.h"
#include "lib/err.h"
#include "wire/iana.h"

#define MSG_LEN 1400

static unsigned long allocs;

static void *count_malloc(size_t n, const char *file, int line)
{
	(void)file;
	(void)line;
	__atomic_add_fetch(&allocs, 1, __ATOMIC_RELAXED);
	return malloc(n);
}

static void *count_realloc(void *p, size_t n, const char *file, int line)
{
	(void)file;
	(void)line;
	__atomic_add_fetch(&allocs, 1, __ATOMIC_RELAXED);
	return realloc(p, n);
}

static void count_free(void *p, const char *file, int line)
{
	(void)file;
	(void)line;
	free(p);
}

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint8_t msg[MSG_LEN + 64], ct[MSG_LEN + 64], icv[32];
static const uint8_t key[64] = {0x42, 1, 2, 3, 4, 5, 6, 7, 8, 9};
static const uint8_t iv[16] = {0, 0, 0, 0, 0, 0, 0, 1};
static const uint8_t aad[8] = {0, 0, 0x10, 0, 0, 0, 0, 1};

enum op { SEAL, OPEN, MAC, VERIFY };

static void report(const char *name, const char *op, size_t len, unsigned long n, double secs,
		   unsigned long a)
{
	printf("%-22s %-7s %4zu B %9.1f MB/s %8.0f ns/call  %.3f allocs/call\n", name, op, len,
	       (double)n * (double)len / secs / 1e6, secs / (double)n * 1e9, (double)a / (double)n);
}

static void bench_enc(const char *name, uint16_t id, unsigned bits, double secs)
{
	struct enc *se = NULL, *de = NULL;
	struct enc_info info;
	unsigned long n, a0;
	double t0, t;

	if (enc_lookup(id, bits, &info) || enc_new(id, bits, ENC_ENCRYPT, key, info.key_len, &se) ||
	    enc_new(id, bits, ENC_DECRYPT, key, info.key_len, &de)) {
		printf("%-22s setup failed\n", name);
		goto out;
	}
	size_t aad_len = info.aead ? sizeof(aad) : 0;
	/* block ciphers: the padded length ESP would encrypt */
	size_t len = (MSG_LEN + info.block_size - 1) / info.block_size * info.block_size;
	/* seal in place, like the data plane */
	n = 0;
	a0 = allocs;
	t0 = cpu_now();
	do {
		for (int i = 0; i < 256; i++, n++) {
			if (enc_seal(se, iv, aad, aad_len, msg, len, msg, icv) != 0) {
				printf("%-22s seal failed\n", name);
				goto out;
			}
		}
	} while ((t = cpu_now() - t0) < secs);
	report(name, "seal", len, n, t, allocs - a0);

	enc_seal(se, iv, aad, aad_len, msg, len, ct, icv);
	n = 0;
	a0 = allocs;
	t0 = cpu_now();
	do {
		for (int i = 0; i < 256; i++, n++) {
			if (enc_open(de, iv, aad, aad_len, ct, len, msg, icv) != 0) {
				printf("%-22s open failed\n", name);
				goto out;
			}
		}
	} while ((t = cpu_now() - t0) < secs);
	report(name, "open", len, n, t, allocs - a0);
out:
	enc_free(se);
	enc_free(de);
}

static void bench_integ(const char *name, uint16_t id, double secs)
{
	struct integ *m = NULL;
	struct integ_info info;
	struct crypto_span part = {msg, MSG_LEN};
	unsigned long n, a0;
	double t0, t;

	if (integ_lookup(id, &info) || integ_new(id, key, info.key_len, &m)) {
		printf("%-22s setup failed\n", name);
		goto out;
	}
	n = 0;
	a0 = allocs;
	t0 = cpu_now();
	do {
		for (int i = 0; i < 256; i++, n++) {
			if (integ_compute(m, &part, 1, icv) != 0) {
				printf("%-22s compute failed\n", name);
				goto out;
			}
		}
	} while ((t = cpu_now() - t0) < secs);
	report(name, "compute", MSG_LEN, n, t, allocs - a0);
	n = 0;
	a0 = allocs;
	t0 = cpu_now();
	do {
		for (int i = 0; i < 256; i++, n++) {
			if (integ_verify(m, &part, 1, icv) != 0) {
				printf("%-22s verify failed\n", name);
				goto out;
			}
		}
	} while ((t = cpu_now() - t0) < secs);
	report(name, "verify", MSG_LEN, n, t, allocs - a0);
out:
	integ_free(m);
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 1.0;

	if (secs <= 0)
		secs = 1.0;
	if (CRYPTO_set_mem_functions(count_malloc, count_realloc, count_free) != 1)
		fprintf(stderr, "allocation counting unavailable\n");
	printf("%d-byte messages, single thread, CPU time, %s\n", MSG_LEN,
	       OpenSSL_version(OPENSSL_VERSION));
	bench_enc("aes128gcm16", IKEV2_ENCR_AES_GCM_16, 128, secs);
	bench_enc("aes256gcm16", IKEV2_ENCR_AES_GCM_16, 256, secs);
	bench_enc("chacha20poly1305", IKEV2_ENCR_CHACHA20_POLY1305, 0, secs);
	bench_enc("aes128ccm16", IKEV2_ENCR_AES_CCM_16, 128, secs);
	bench_enc("aes128gmac", IKEV2_ENCR_NULL_AUTH_AES_GMAC, 128, secs);
	bench_enc("aes128 (cbc)", IKEV2_ENCR_AES_CBC, 128, secs);
	bench_enc("aes128ctr", IKEV2_ENCR_AES_CTR, 128, secs);
	bench_enc("3des", IKEV2_ENCR_3DES, 0, secs);
	bench_integ("sha256 (hmac-128)", IKEV2_INTEG_HMAC_SHA2_256_128, secs);
	bench_integ("sha1 (hmac-96)", IKEV2_INTEG_HMAC_SHA1_96, secs);
	bench_integ("sha512 (hmac-256)", IKEV2_INTEG_HMAC_SHA2_512_256, secs);
	bench_integ("aescmac", IKEV2_INTEG_AES_CMAC_96, secs);
	bench_integ("aesxcbc", IKEV2_INTEG_AES_XCBC_96, secs);
	return 0;
}
