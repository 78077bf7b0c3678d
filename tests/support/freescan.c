#include "support/freescan.h"

#include <string.h>

#if defined(__SANITIZE_ADDRESS__)
#define FREESCAN_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FREESCAN_ASAN 1
#endif
#endif

#ifdef FREESCAN_ASAN
#if __has_include(<sanitizer/allocator_interface.h>)
#include <sanitizer/allocator_interface.h>
#else
/* compiler-rt's sanitizer/allocator_interface.h, which GCC does not install; libasan has them */
int __sanitizer_install_malloc_and_free_hooks(void (*malloc_hook)(const volatile void *, size_t),
					      void (*free_hook)(const volatile void *));
size_t __sanitizer_get_allocated_size(const volatile void *p);
int __sanitizer_get_ownership(const volatile void *p);
#endif
#endif

static unsigned char needle_buf[FREESCAN_MAX_NEEDLE];
static size_t needle_len;
static volatile bool watching;
static size_t hits, frees;

#ifdef FREESCAN_ASAN
static bool installed;

/* Runs inside free(): no allocation, no locks. */
static bool holds_needle(const unsigned char *p, size_t n)
{
	if (n < needle_len)
		return false;
	for (size_t i = 0; i + needle_len <= n; i++)
		if (p[i] == needle_buf[0] && memcmp(p + i, needle_buf, needle_len) == 0)
			return true;
	return false;
}

static void on_malloc(const volatile void *ptr, size_t size)
{
	(void)ptr;
	(void)size;
}

static void on_free(const volatile void *ptr)
{
	const void *p = (const void *)ptr;

	if (!watching || !p || !__sanitizer_get_ownership(p))
		return;
	frees++;
	if (holds_needle(p, __sanitizer_get_allocated_size(p)))
		hits++;
}
#endif

bool freescan_available(void)
{
#ifdef FREESCAN_ASAN
	return true;
#else
	return false;
#endif
}

bool freescan_start(const void *needle, size_t len)
{
#ifdef FREESCAN_ASAN
	if (len == 0 || len > sizeof(needle_buf))
		return false;
	if (!installed) {
		if (!__sanitizer_install_malloc_and_free_hooks(on_malloc, on_free))
			return false;
		installed = true;
	}
	memcpy(needle_buf, needle, len);
	needle_len = len;
	hits = frees = 0;
	watching = true;
	return true;
#else
	(void)needle;
	(void)len;
	return false;
#endif
}

size_t freescan_stop(size_t *freed)
{
	watching = false;
	if (freed)
		*freed = frees;
	return hits;
}
