/* libFuzzer harness for the key and certificate files a configuration names (swanctl's x509/,
 * x509ca/, private/, rsa/, ecdsa/, pkcs8/ and the files certs/cacerts/file point at): the bytes
 * as a certificate bundle (x509_load_all), as a private key and as a public key (PEM or DER,
 * any format OpenSSL's decoders take; no passphrase, so an encrypted key must fail without
 * prompting).
 *
 * Checked: a bundle holds 1..X509_BUNDLE_MAX certificates, each of whose DER re-reads as one
 * certificate with the same DER; a private key has its private half; a key's SubjectPublicKeyInfo
 * re-reads as a public key with the same SubjectPublicKeyInfo. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/pkey.h"
#include "crypto/x509.h"
#include "lib/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
	if (!ok)
		abort();
}

static void check_bundle(const uint8_t *data, size_t size)
{
	struct x509 *certs[X509_BUNDLE_MAX];
	size_t n = 0;

	if (x509_load_all(data, size, certs, X509_BUNDLE_MAX, &n) != 0)
		return;
	check(n >= 1 && n <= X509_BUNDLE_MAX);
	for (size_t i = 0; i < n; i++) {
		struct x509 *again = NULL;
		const uint8_t *der, *der2;
		size_t len, len2;

		check(certs[i] != NULL);
		x509_der(certs[i], &der, &len);
		check(x509_from_der(der, len, &again) == 0);
		x509_der(again, &der2, &len2);
		check(len == len2 && memcmp(der, der2, len) == 0);
		x509_free(again);
		x509_free(certs[i]);
	}
}

/* The key's SPKI decodes to a public key with the same SPKI. */
static void check_spki(const struct pkey *k)
{
	uint8_t *der = NULL, *der2 = NULL;
	size_t len, len2;
	struct pkey *pub = NULL;

	if (pkey_spki_der(k, &der, &len) != 0)
		return; /* ENOMEM */
	check(pkey_from_spki_der(der, len, &pub) == 0);
	if (pkey_spki_der(pub, &der2, &len2) == 0) {
		check(len == len2 && memcmp(der, der2, len) == 0);
		free(der2);
	}
	pkey_free(pub);
	free(der);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pkey *k = NULL;

	check_bundle(data, size);
	if (pkey_load_private(data, size, NULL, &k) == 0) {
		check(pkey_has_private(k));
		check_spki(k);
		pkey_free(k);
		k = NULL;
	}
	if (pkey_load_public(data, size, &k) == 0) {
		check_spki(k);
		pkey_free(k);
	}
	return 0;
}
