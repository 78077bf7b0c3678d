/* Freed-memory scanner: proves that secrets are wiped before their memory is freed.
 *
 * Between freescan_start and freescan_stop every heap block freed anywhere in the process
 * (our code, libc, libcrypto; realloc's old block too) is searched for a needle, the bytes of a
 * secret, just before the allocator takes it back. A block that still holds the needle when it
 * is freed is a secret copy freed without wiping. Built on the sanitizer allocator's free hook
 * (__sanitizer_install_malloc_and_free_hooks), so it works in the ASan test build only.
 *
 * Single-threaded tests only: the needle and counters are process-wide.
 */
#ifndef RAMPART_TESTS_FREESCAN_H
#define RAMPART_TESTS_FREESCAN_H

#include <stdbool.h>
#include <stddef.h>

#define FREESCAN_MAX_NEEDLE 256

/* Whether this build can scan (ASan's allocator hooks are present). */
bool freescan_available(void);
/* Starts watching frees for the len bytes at needle (copied; 1..FREESCAN_MAX_NEEDLE). Returns
 * false when unavailable or the needle is empty or too long. */
bool freescan_start(const void *needle, size_t len);
/* Stops watching. Returns the number of freed blocks that held the needle since the start;
 * *freed (when not NULL) receives how many blocks were freed in all, to show the hook ran. */
size_t freescan_stop(size_t *freed);

#endif
