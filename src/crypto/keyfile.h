/* Reading key and certificate files (PEM or DER) into memory, bounded in size. */
#ifndef RAMPART_CRYPTO_KEYFILE_H
#define RAMPART_CRYPTO_KEYFILE_H

#include <stddef.h>
#include <stdint.h>

/* The largest key or certificate file read: 1 MiB. */
#define KEYFILE_MAX (1u << 20)

/* Reads path into a malloc'd buffer (caller frees; NUL-terminated one byte past *len, so PEM
 * text can be handled as a string). ERR_IO when it cannot be opened or read, ERR_LIMIT when
 * larger than KEYFILE_MAX, ERR_NOMEM. */
int keyfile_read(const char *path, uint8_t **out, size_t *len);

#endif
