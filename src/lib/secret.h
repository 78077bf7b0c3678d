/* Secret byte strings: heap buffers that are wiped (OPENSSL_cleanse) before they are freed.
 *
 * Keys, shared secrets, PSKs and nonce-derived material live in a struct secret. Never log
 * their contents. Compare them with secret_equal (constant time).
 */
#ifndef RAMPART_LIB_SECRET_H
#define RAMPART_LIB_SECRET_H

#include <stddef.h>
#include <stdint.h>

struct secret {
	size_t len;
	uint8_t *p;
};

/* A new secret of len bytes copied from src, or zero-filled when src is NULL. NULL on ENOMEM.
 * The caller owns the result and releases it with secret_free. */
struct secret *secret_new(const void *src, size_t len);
struct secret *secret_dup(const struct secret *s);
/* Concatenation a || b. */
struct secret *secret_concat(const struct secret *a, const struct secret *b);
/* Wipes and frees; accepts NULL. */
void secret_free(struct secret *s);
/* Constant-time equality of two byte strings of the same length; lengths are not secret. */
int secret_equal(const void *a, size_t alen, const void *b, size_t blen);
/* Wipe memory that held secret material (stack copies at out:). */
void secret_wipe(void *p, size_t len);
/* Wipes a NUL-terminated string (a configuration value may be a PSK) and frees it; accepts
 * NULL. */
void secret_free_str(char *s);
/* Wipes len bytes at p and frees p; accepts NULL. */
void secret_free_buf(void *p, size_t len);

#endif
