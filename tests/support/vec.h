/* Reading the shared test vectors (../shared/vectors, or $VECTORS) as JSON data. */
#ifndef RAMPART_TESTS_VEC_H
#define RAMPART_TESTS_VEC_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* Loads $VECTORS/relpath; on failure records a test failure and returns NULL.
 * The caller releases the result with json_decref. */
json_t *vec_load(const char *relpath);
/* Absolute path of a vectors file in a static buffer. */
const char *vec_path(const char *relpath);
/* Decodes a hex string (spaces and colons ignored) into a malloc'd buffer (never NULL on
 * success, even for ""). Returns 0 or -1 on bad hex. The caller frees *out. */
int vec_hex(const char *hex, uint8_t **out, size_t *len);
/* Hex of a JSON string member; NULL member or bad hex -> -1. */
int vec_hex_member(const json_t *obj, const char *key, uint8_t **out, size_t *len);
/* String member or "" when absent. */
const char *vec_str(const json_t *obj, const char *key);
/* Reads a whole file into a malloc'd buffer. 0 or -1. */
int vec_read_file(const char *path, uint8_t **out, size_t *len);

#endif
