#include "crypto/rand.h"

#include <limits.h>
#include <string.h>

#include <openssl/rand.h>

#include "lib/err.h"

int crypto_rand_bytes(void *buf, size_t len)
{
	unsigned char *p = buf;

	while (len > 0) {
		int n = len > INT_MAX ? INT_MAX : (int)len;
		if (RAND_bytes(p, n) != 1) {
			memset(buf, 0, (size_t)(p - (unsigned char *)buf) + len);
			return ERR_CRYPTO;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}
