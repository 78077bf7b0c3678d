/* A test PKI built at run time with libcrypto: certificates signed by a root (or an
 * intermediate) with subjectAltNames, loaded as struct x509, and private keys as struct pkey.
 */
#ifndef RAMPART_TESTS_PKI_H
#define RAMPART_TESTS_PKI_H

#include <stdbool.h>
#include <stdint.h>

struct x509;
struct pkey;

struct pki_cert {
	struct x509 *cert;
	struct pkey *key;	  /* private */
	void *evp_key, *evp_cert; /* EVP_PKEY *, X509 * for signing more certificates */
};

/* key_alg: "RSA", "EC" (P-256), "EC384", "ED25519". subject: "CN=moon" style pairs separated
 * by commas ("C=CH,O=Test,CN=moon"). issuer NULL: self-signed CA. san: OpenSSL syntax
 * ("DNS:moon.example") or NULL. Validity [nb, na] in Unix seconds. 0 or -1. */
int pki_make(struct pki_cert *out, const char *key_alg, const char *subject,
	     const struct pki_cert *issuer, bool ca, const char *san, int64_t nb, int64_t na);
void pki_free(struct pki_cert *c);

#endif
