/* Packet buffers and per-worker state for the data plane.
 *
 * struct esp_buf describes a caller-owned buffer: the packet is base[off, off+len), with
 * headroom off and tailroom cap - off - len. Processing grows and shrinks the packet in place
 * (headers pushed into the headroom, trailers into the tailroom) and never allocates.
 * ESP_HEADROOM/ESP_TAILROOM are enough for every transform and mode (outer IPv6 + UDP + ESP +
 * IV in front; TFC padding excluded, padding and the largest ICV behind).
 *
 * struct esp_worker is one packet thread's private state: its index (which per-SA crypto
 * context it uses), a batch of CSPRNG bytes for CBC IVs (refilled 4 KiB at a time, so the
 * DRBG is called once per ~250 packets) and the counters of drops that happen before an SA is
 * known. Never share a worker between threads.
 */
#ifndef RAMPART_ESP_PKT_H
#define RAMPART_ESP_PKT_H

#include <stddef.h>
#include <stdint.h>

#include "esp/stats.h"

#define ESP_HEADROOM 128
#define ESP_TAILROOM 64

struct esp_buf {
	uint8_t *base;
	size_t cap;
	size_t off;
	size_t len;
};

#define ESP_RAND_BATCH 4096

struct esp_cc;

struct esp_worker {
	unsigned id;	   /* 0 .. nworkers-1 of the SAs it uses */
	struct esp_cc *cc; /* keyed-context cache (esp/ctxcache.h), NULL until set up */
	struct esp_stats stats;
	size_t rand_used;
	uint8_t rand[ESP_RAND_BATCH];
};

/* Points b at base[off, off+len) of a cap-byte buffer. */
void esp_buf_init(struct esp_buf *b, void *base, size_t cap, size_t off, size_t len);
static inline uint8_t *esp_buf_data(const struct esp_buf *b)
{
	return b->base + b->off;
}
static inline size_t esp_buf_headroom(const struct esp_buf *b)
{
	return b->off;
}
static inline size_t esp_buf_tailroom(const struct esp_buf *b)
{
	return b->cap - b->off - b->len;
}

void esp_worker_init(struct esp_worker *w, unsigned id);
/* n (<= 64) random bytes from the worker's batch. ERR_CRYPTO when the DRBG fails. */
int esp_worker_rand(struct esp_worker *w, void *out, size_t n);

#endif
