/* Test PKI (see pki.h). */
#include "support/pki.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "crypto/pkey.h"
#include "crypto/x509.h"

static EVP_PKEY *keygen(const char *alg)
{
	if (strcmp(alg, "RSA") == 0)
		return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	if (strcmp(alg, "EC") == 0)
		return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	if (strcmp(alg, "EC384") == 0)
		return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	if (strcmp(alg, "ED25519") == 0)
		return EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	return NULL;
}

static X509_NAME *name_of(const char *subject)
{
	X509_NAME *n = X509_NAME_new();
	char buf[256], *save = NULL;

	if (!n || strlen(subject) >= sizeof(buf))
		goto bad;
	strcpy(buf, subject);
	for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		if (!eq)
			goto bad;
		*eq = 0;
		if (!X509_NAME_add_entry_by_txt(n, tok, MBSTRING_ASC, (unsigned char *)eq + 1, -1,
						-1, 0))
			goto bad;
	}
	return n;
bad:
	X509_NAME_free(n);
	return NULL;
}

int pki_make(struct pki_cert *out, const char *key_alg, const char *subject,
	     const struct pki_cert *issuer, bool ca, const char *san, int64_t nb, int64_t na)
{
	static long serial = 100;
	EVP_PKEY *k = keygen(key_alg);
	X509 *x = X509_new();
	X509_NAME *name = name_of(subject);
	X509 *ix = issuer ? issuer->evp_cert : NULL;
	EVP_PKEY *ik = issuer ? issuer->evp_key : k;
	unsigned char *der = NULL;
	int dlen, ok = k && x && name;
	X509V3_CTX v;

	memset(out, 0, sizeof(*out));
	ok = ok && X509_set_version(x, 2) && ASN1_INTEGER_set(X509_get_serialNumber(x), serial++) &&
	     X509_set_subject_name(x, name) &&
	     X509_set_issuer_name(x, ix ? X509_get_subject_name(ix) : name) &&
	     ASN1_TIME_set(X509_getm_notBefore(x), (time_t)nb) &&
	     ASN1_TIME_set(X509_getm_notAfter(x), (time_t)na) && X509_set_pubkey(x, k);
	if (ok) {
		X509V3_set_ctx(&v, ix ? ix : x, x, NULL, NULL, 0);
		X509_EXTENSION *e1 = X509V3_EXT_conf_nid(
		    NULL, &v, NID_basic_constraints, ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
		X509_EXTENSION *e2 =
		    san ? X509V3_EXT_conf_nid(NULL, &v, NID_subject_alt_name, san) : NULL;
		ok = e1 && (!san || e2) && X509_add_ext(x, e1, -1) &&
		     (!san || X509_add_ext(x, e2, -1));
		X509_EXTENSION_free(e1);
		X509_EXTENSION_free(e2);
	}
	ok = ok && X509_sign(x, ik, EVP_PKEY_is_a(ik, "ED25519") ? NULL : EVP_sha256()) > 0;
	ok = ok && (dlen = i2d_X509(x, &der)) > 0 && x509_load(der, (size_t)dlen, &out->cert) == 0;
	if (ok) {
		EVP_PKEY_up_ref(k);
		ok = pkey_from_evp(k, &out->key) == 0;
	}
	OPENSSL_free(der);
	X509_NAME_free(name);
	if (!ok) {
		x509_free(out->cert);
		pkey_free(out->key);
		EVP_PKEY_free(k);
		X509_free(x);
		memset(out, 0, sizeof(*out));
		return -1;
	}
	out->evp_key = k;
	out->evp_cert = x;
	return 0;
}

void pki_free(struct pki_cert *c)
{
	x509_free(c->cert);
	pkey_free(c->key);
	EVP_PKEY_free(c->evp_key);
	X509_free(c->evp_cert);
	memset(c, 0, sizeof(*c));
}
