#include "lib/secret.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

struct secret *secret_new(const void *src, size_t len)
{
	struct secret *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->p = calloc(1, len ? len : 1);
	if (!s->p) {
		free(s);
		return NULL;
	}
	s->len = len;
	if (src && len)
		memcpy(s->p, src, len);
	return s;
}

struct secret *secret_dup(const struct secret *s)
{
	return s ? secret_new(s->p, s->len) : NULL;
}

struct secret *secret_concat(const struct secret *a, const struct secret *b)
{
	struct secret *s = secret_new(NULL, a->len + b->len);
	if (!s)
		return NULL;
	memcpy(s->p, a->p, a->len);
	memcpy(s->p + a->len, b->p, b->len);
	return s;
}

void secret_free(struct secret *s)
{
	if (!s)
		return;
	OPENSSL_cleanse(s->p, s->len);
	free(s->p);
	OPENSSL_cleanse(s, sizeof(*s));
	free(s);
}

int secret_equal(const void *a, size_t alen, const void *b, size_t blen)
{
	if (alen != blen)
		return 0;
	return CRYPTO_memcmp(a, b, alen) == 0;
}

void secret_wipe(void *p, size_t len)
{
	OPENSSL_cleanse(p, len);
}

void secret_free_str(char *s)
{
	if (s)
		secret_free_buf(s, strlen(s));
}

void secret_free_buf(void *p, size_t len)
{
	if (!p)
		return;
	OPENSSL_cleanse(p, len);
	free(p);
}
