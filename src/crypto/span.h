/* A read-only byte range, for MAC/PRF inputs given as a list of parts (scatter input: e.g. an
 * ESP packet followed by the high sequence number bits, or Ni | Nr | SPIi | SPIr) so callers
 * never concatenate into a temporary buffer. Header-only type shared by integ, prf and kdf. */
#ifndef RAMPART_CRYPTO_SPAN_H
#define RAMPART_CRYPTO_SPAN_H

#include <stddef.h>

struct crypto_span {
	const void *p; /* may be NULL only when len is 0 */
	size_t len;
};

#endif
