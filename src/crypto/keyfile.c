#include "crypto/keyfile.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "lib/err.h"
#include "lib/secret.h"

/* One allocation of the file's size and no stdio buffer, so no stale copies of private key text
 * are left behind; callers wipe the buffer of a private key file before freeing it. */
int keyfile_read(const char *path, uint8_t **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b = NULL;
	struct stat st;
	size_t n = 0;
	int err = ERR_IO;

	/* unbuffered: stdio's buffer would be freed by fclose holding the key text unwiped */
	if (!f || setvbuf(f, NULL, _IONBF, 0) != 0 || fstat(fileno(f), &st) != 0 ||
	    !S_ISREG(st.st_mode))
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
	secret_free_buf(b, n); /* a short read leaves part of a private key */
	if (f)
		fclose(f);
	return err;
}
