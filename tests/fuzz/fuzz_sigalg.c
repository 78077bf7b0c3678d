/* libFuzzer harness: RFC 7427 AlgorithmIdentifier parsing (sign_algid_parse). Any input must
 * either be refused or map to a scheme that has an AlgorithmIdentifier of its own. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "crypto/sign.h"
#include "lib/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum sign_scheme s = SIGN_NONE;
	const uint8_t *der;
	size_t len;
	int err = sign_algid_parse(data, size, &s);

	if (err == 0) {
		if (s <= SIGN_NONE || s >= SIGN_SCHEME_COUNT || sign_algid(s, &der, &len) != 0)
			abort();
	} else if (err != ERR_INVAL && err != ERR_UNSUPPORTED) {
		abort();
	}
	return 0;
}
