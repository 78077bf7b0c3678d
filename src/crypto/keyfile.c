#include "crypto/keyfile.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "lib/err.h"

/* One allocation of the file's size, so no stale copies of private key text are left behind
 * by reallocation; callers wipe the buffer of a private key file before freeing it. */
int keyfile_read(const char *path, uint8_t **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b = NULL;
	struct stat st;
	size_t n;
	int err = ERR_IO;

	if (!f || fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode))
		goto out;
	err = ERR_LIMIT;
	if (st.st_size < 0 || (uint64_t)st.st_size > KEYFILE_MAX)
		goto out;
	err = ERR_NOMEM;
	n = (size_t)st.st_size;
	b = malloc(n + 1);
	if (!b)
		goto out;
	err = ERR_IO;
	if (fread(b, 1, n, f) != n)
		goto out;
	b[n] = 0;
	*out = b;
	*len = n;
	b = NULL;
	err = 0;
out:
	free(b);
	if (f)
		fclose(f);
	return err;
}
