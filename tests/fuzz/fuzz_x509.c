/* libFuzzer harness: a peer's CERT payload data (DER, or PEM text from a file) through x509
 * loading and everything IKE asks of a certificate: DER bytes, subject text, SANs, identity
 * matching of every type, public key and SPKI hash; and the bytes as CRLs. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "crypto/dn.h"
#include "crypto/pkey.h"
#include "crypto/x509.h"
#include "lib/err.h"
#include "wire/ikev2_const.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned types[] = {IKEV2_ID_IPV4_ADDR,   IKEV2_ID_FQDN,
					 IKEV2_ID_RFC822_ADDR, IKEV2_ID_IPV6_ADDR,
					 IKEV2_ID_DER_ASN1_DN, IKEV2_ID_KEY_ID};
	struct x509 *c = NULL;
	struct x509_san sans[16];
	struct pkey *k = NULL;
	uint8_t sha[PKEY_SHA1_LEN];
	const uint8_t *der;
	char text[256];
	size_t len, n;

	struct x509_store *st = x509_store_new();
	if (st) {
		/* the same bytes as CRLs (configuration input, but cheap to cover) */
		(void)x509_store_add_crls(st, data, size, &n);
		x509_store_free(st);
	}
	if (x509_from_der(data, size, &c) == 0)
		x509_free(c);
	c = NULL;
	if (x509_load(data, size, &c) != 0)
		return 0;
	x509_der(c, &der, &len);
	if (len == 0)
		abort();
	(void)x509_subject_text(c, text, sizeof(text));
	(void)x509_issuer_text(c, text, sizeof(text));
	(void)x509_sans(c, sans, 16, &n);
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		(void)x509_match_id(c, types[i], data, size > 64 ? 64 : size);
		(void)x509_match_id(c, types[i], data, size > 16 ? 16 : size);
		(void)x509_match_id(c, types[i], data, size > 4 ? 4 : size);
	}
	x509_subject_der(c, &der, &len);
	if (len <= DN_DER_MAX && x509_match_id(c, IKEV2_ID_DER_ASN1_DN, der, len) != 0)
		abort();
	if (x509_public_key(c, &k) == 0)
		pkey_free(k);
	(void)x509_spki_sha1(c, sha);
	(void)x509_is_ca(c);
	(void)x509_der_sha1(c, sha);
	int64_t nb, na;
	(void)x509_validity(c, &nb, &na);
	x509_free(c);
	return 0;
}
