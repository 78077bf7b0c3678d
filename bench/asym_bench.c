/* Microbenchmark of the public-key work of one IKE SA: per key exchange group, one side's
 * kex_new + kex_derive (what IKE_SA_INIT costs a responder), and per signature scheme,
 * sign_create and sign_verify (IKE_AUTH). Prints operations per second of this thread's CPU
 * time. For X25519 and P-256 the same exchange done with bare EVP calls (EVP_PKEY_derive_set_peer,
 * i.e. with OpenSSL's full peer check) is timed too: the ratio compares the kex layer (its own
 * validation, KE encoding, secret handling) with the plain EVP route.
 *
 *   build/bench/asym_bench [seconds-per-case]   (default 0.5)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "crypto/kex.h"
#include "crypto/pkey.h"
#include "crypto/sign.h"
#include "lib/err.h"
#include "wire/iana.h"

static double cpu_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One responder-side exchange with our API: a fresh key pair and the shared secret. */
static int kex_once(uint16_t group, const uint8_t *peer, size_t len)
{
	struct kex *k = kex_new(group);
	struct secret *s = NULL;
	int err = k ? kex_derive(k, peer, len, &s) : ERR_CRYPTO;

	secret_free(s);
	kex_free(k);
	return err;
}

/* The same with bare EVP calls (no peer validation beyond OpenSSL's, no encoding). */
static int evp_once(const char *type, const char *curve, EVP_PKEY *peer)
{
	EVP_PKEY *k = curve ? EVP_PKEY_Q_keygen(NULL, NULL, type, curve)
			    : EVP_PKEY_Q_keygen(NULL, NULL, type);
	EVP_PKEY_CTX *c = k ? EVP_PKEY_CTX_new_from_pkey(NULL, k, NULL) : NULL;
	unsigned char out[128];
	size_t len = sizeof(out);
	int ok = c && EVP_PKEY_derive_init(c) == 1 && EVP_PKEY_derive_set_peer(c, peer) == 1 &&
		 EVP_PKEY_derive(c, out, &len) == 1;

	EVP_PKEY_CTX_free(c);
	EVP_PKEY_free(k);
	return ok ? 0 : ERR_CRYPTO;
}

static void bench_kex(uint16_t group, double secs)
{
	struct kex *peer = kex_new(group);
	const uint8_t *pub;
	size_t len;
	unsigned long n = 0;
	double t0, t;

	if (!peer) {
		printf("  %-14s unsupported\n", iana_name(IANA_REG_IKEV2_KE, group));
		return;
	}
	pub = kex_public(peer, &len);
	t0 = cpu_now();
	do {
		if (kex_once(group, pub, len)) {
			printf("  %-14s FAILED\n", iana_name(IANA_REG_IKEV2_KE, group));
			kex_free(peer);
			return;
		}
		n++;
		t = cpu_now() - t0;
	} while (t < secs);
	printf("  %-14s %9.1f exchanges/s  (%4zu-byte KE)\n", iana_name(IANA_REG_IKEV2_KE, group),
	       (double)n / t, len);
	kex_free(peer);
}

static double bench_evp(const char *type, const char *curve, double secs)
{
	EVP_PKEY *peer = curve ? EVP_PKEY_Q_keygen(NULL, NULL, type, curve)
			       : EVP_PKEY_Q_keygen(NULL, NULL, type);
	unsigned long n = 0;
	double t0 = cpu_now(), t = 0;

	if (!peer)
		return 0;
	do {
		if (evp_once(type, curve, peer))
			break;
		n++;
		t = cpu_now() - t0;
	} while (t < secs);
	EVP_PKEY_free(peer);
	return t > 0 ? (double)n / t : 0;
}

static double bench_kex_rate(uint16_t group, double secs)
{
	struct kex *peer = kex_new(group);
	const uint8_t *pub;
	size_t len;
	unsigned long n = 0;
	double t0, t = 0;

	if (!peer)
		return 0;
	pub = kex_public(peer, &len);
	t0 = cpu_now();
	do {
		if (kex_once(group, pub, len))
			break;
		n++;
		t = cpu_now() - t0;
	} while (t < secs);
	kex_free(peer);
	return t > 0 ? (double)n / t : 0;
}

static void bench_sign(enum pkey_type type, unsigned param, enum sign_scheme s, double secs)
{
	static const uint8_t data[512] = {1}; /* about an IKE_AUTH octet string */
	struct pkey *k = NULL;
	uint8_t *sig = NULL;
	size_t sigl = 0;
	unsigned long ns = 0, nv = 0;
	double t0, ts, tv;

	if (pkey_generate(type, param, &k)) {
		printf("  %-20s keygen failed\n", sign_scheme_name(s));
		return;
	}
	t0 = cpu_now();
	do {
		free(sig);
		sig = NULL;
		if (sign_create(k, s, data, sizeof(data), &sig, &sigl))
			goto out;
		ns++;
		ts = cpu_now() - t0;
	} while (ts < secs);
	t0 = cpu_now();
	do {
		if (sign_verify(k, s, data, sizeof(data), sig, sigl))
			goto out;
		nv++;
		tv = cpu_now() - t0;
	} while (tv < secs);
	printf("  %-20s %5u bits  %9.1f sign/s  %9.1f verify/s\n", sign_scheme_name(s),
	       pkey_bits(k), (double)ns / ts, (double)nv / tv);
out:
	free(sig);
	pkey_free(k);
}

int main(int argc, char **argv)
{
	static const uint16_t groups[] = {
	    IKEV2_KE_CURVE25519, IKEV2_KE_CURVE448,  IKEV2_KE_ECP256,	     IKEV2_KE_ECP384,
	    IKEV2_KE_ECP521,	 IKEV2_KE_ECP256_BP, IKEV2_KE_MODP2048,	     IKEV2_KE_MODP3072,
	    IKEV2_KE_MODP4096,	 IKEV2_KE_MODP8192,  IKEV2_KE_MODP2048_S256,
	};
	double secs = argc > 1 ? atof(argv[1]) : 0.5;

	if (secs <= 0)
		secs = 0.5;
	printf("key exchange (one side: key pair + shared secret, peer value validated)\n");
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		bench_kex(groups[i], secs);

	printf("kex layer against bare EVP (keygen + derive_set_peer with OpenSSL's full check)\n");
	double a = bench_kex_rate(IKEV2_KE_CURVE25519, secs), b = bench_evp("X25519", NULL, secs);
	printf("  CURVE_25519   kex %9.1f/s  EVP %9.1f/s  ratio %.2f\n", a, b, b > 0 ? a / b : 0);
	a = bench_kex_rate(IKEV2_KE_ECP256, secs);
	b = bench_evp("EC", "P-256", secs);
	printf("  ECP_256       kex %9.1f/s  EVP %9.1f/s  ratio %.2f\n", a, b, b > 0 ? a / b : 0);

	printf("signatures (512-byte message)\n");
	bench_sign(PKEY_ED25519, 0, SIGN_ED25519, secs);
	bench_sign(PKEY_ED448, 0, SIGN_ED448, secs);
	bench_sign(PKEY_EC, 256, SIGN_ECDSA_SHA256, secs);
	bench_sign(PKEY_EC, 256, SIGN_ECDSA_P1363_SHA256, secs);
	bench_sign(PKEY_EC, 384, SIGN_ECDSA_SHA384, secs);
	bench_sign(PKEY_EC, 521, SIGN_ECDSA_SHA512, secs);
	bench_sign(PKEY_RSA, 2048, SIGN_RSA_PKCS1_SHA256, secs);
	bench_sign(PKEY_RSA, 2048, SIGN_RSA_PSS_SHA256, secs);
	bench_sign(PKEY_RSA, 3072, SIGN_RSA_PSS_SHA384, secs);
	return 0;
}
