/* libFuzzer harness: public keys a peer can send (RFC 7670 raw public keys: DER
 * SubjectPublicKeyInfo) and signatures checked with them. The input's first two bytes give
 * the SPKI length; the rest is the signature. Every scheme's verification must fail cleanly
 * (a random signature never verifies) and never crash. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "crypto/pkey.h"
#include "crypto/sign.h"
#include "lib/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pkey *k = NULL;
	uint8_t sha[PKEY_SHA1_LEN], *der = NULL;
	size_t klen, len;

	if (size < 2)
		return 0;
	klen = (size_t)data[0] << 8 | data[1];
	if (klen > size - 2)
		klen = size - 2;
	if (pkey_from_spki_der(data + 2, klen, &k) != 0)
		return 0;
	if (pkey_spki_der(k, &der, &len) == 0)
		free(der);
	(void)pkey_spki_sha1(k, sha);
	for (int s = SIGN_NONE; s <= SIGN_SCHEME_COUNT; s++) {
		int err =
		    sign_verify(k, (enum sign_scheme)s, "msg", 3, data + 2 + klen, size - 2 - klen);
		if (err != ERR_AUTH && err != ERR_INVAL)
			abort();
	}
	pkey_free(k);
	return 0;
}
