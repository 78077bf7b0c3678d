#include "support/vec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/test.h"

const char *vec_path(const char *relpath)
{
	static char path[4096];
	const char *dir = getenv("VECTORS");
	snprintf(path, sizeof(path), "%s/%s", dir ? dir : "../shared/vectors", relpath);
	return path;
}

json_t *vec_load(const char *relpath)
{
	json_error_t e;
	const char *path = vec_path(relpath);
	json_t *j = json_load_file(path, 0, &e);
	T_OK(j != NULL, "cannot load %s: %s (line %d)", path, e.text, e.line);
	return j;
}

static int nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int vec_hex(const char *hex, uint8_t **out, size_t *len)
{
	size_t n = strlen(hex);
	uint8_t *b = malloc(n / 2 + 1);
	size_t o = 0;
	int hi = -1;

	if (!b)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (hex[i] == ' ' || hex[i] == ':' || hex[i] == '\n')
			continue;
		int v = nibble(hex[i]);
		if (v < 0) {
			free(b);
			return -1;
		}
		if (hi < 0) {
			hi = v;
		} else {
			b[o++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	if (hi >= 0) {
		free(b);
		return -1;
	}
	*out = b;
	*len = o;
	return 0;
}

int vec_hex_member(const json_t *obj, const char *key, uint8_t **out, size_t *len)
{
	const json_t *v = json_object_get(obj, key);
	if (!json_is_string(v))
		return -1;
	return vec_hex(json_string_value(v), out, len);
}

const char *vec_str(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);
	return json_is_string(v) ? json_string_value(v) : "";
}

int vec_read_file(const char *path, uint8_t **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b = NULL;
	size_t cap = 0, n = 0;

	if (!f)
		return -1;
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 4096;
			uint8_t *nb = realloc(b, cap);
			if (!nb) {
				free(b);
				fclose(f);
				return -1;
			}
			b = nb;
		}
		size_t r = fread(b + n, 1, cap - n, f);
		if (r == 0)
			break;
		n += r;
	}
	fclose(f);
	*out = b;
	*len = n;
	return 0;
}
