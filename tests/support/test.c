#include "support/test.h"

#include <stdarg.h>
#include <stdio.h>

#include "lib/log.h"

static unsigned passed, failed;

void t_record(int ok, const char *file, int line, int row, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		passed++;
		return;
	}
	failed++;
	if (row)
		fprintf(stderr, "FAIL %s:%d (row at line %d): ", file, line, row);
	else
		fprintf(stderr, "FAIL %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int t_eq(const char *file, int line, int row, const char *astr, const char *bstr, long long a,
	 long long b)
{
	t_record(a == b, file, line, row, "%s == %s (%lld vs %lld)", astr, bstr, a, b);
	return a == b;
}

int t_failures(void)
{
	return (int)failed;
}

int t_finish(void)
{
	fflush(stderr);
	printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}

static void hex(FILE *f, const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%02x", b[i]);
}

int t_mem_eq(const char *file, int line, int row, const char *what, const void *a, size_t alen,
	     const void *b, size_t blen)
{
	const unsigned char *x = a, *y = b;
	int eq = alen == blen;
	for (size_t i = 0; eq && i < alen; i++)
		eq = x[i] == y[i];
	t_record(eq, file, line, row, "%s differs (%zu vs %zu bytes)", what, alen, blen);
	if (!eq) {
		fprintf(stderr, "  got:      ");
		hex(stderr, a, alen);
		fprintf(stderr, "\n  expected: ");
		hex(stderr, b, blen);
		fputc('\n', stderr);
	}
	return eq;
}
