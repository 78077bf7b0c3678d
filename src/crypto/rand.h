/* Random bytes from OpenSSL's DRBG (RAND_bytes): IVs, nonces, SPIs, cookies, ephemeral keys. */
#ifndef RAMPART_CRYPTO_RAND_H
#define RAMPART_CRYPTO_RAND_H

#include <stddef.h>

/* Fills buf with len cryptographically strong random bytes. Returns 0, or ERR_CRYPTO when the
 * DRBG fails (buf is then zeroed: never use its contents). len may be 0. */
int crypto_rand_bytes(void *buf, size_t len);

#endif
