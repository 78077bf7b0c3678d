/* Per-worker cache of keyed crypto contexts (issue 3: a data-plane SA under 1 KiB beyond its
 * replay bitmap, crypto keyed once per SA and direction).
 *
 * An OpenSSL 3 AES-GCM context costs 1,168 heap octets (EVP_CIPHER_CTX 184 + provider context
 * 960, malloc overhead included), more than the whole budget of an SA. An SA created with
 * cfg.ctx_cache keeps only its keys; each worker keeps ESP_CC_SLOTS keyed contexts, direct-mapped
 * by the SA's cc_id (ids are handed out in sequence, so the first ESP_CC_SLOTS live SAs of a
 * worker never collide). A hit costs one compare; a miss re-keys the slot's context in place
 * (enc_rekey / integ_rekey: no allocation when the slot last held the same algorithm, which is
 * the steady state; a slot that changes algorithm is freed and made anew). A busy SA stays keyed
 * once as long as it owns its slot.
 *
 * Keys: a slot keeps the key schedule of the SA it last served until another SA takes the slot
 * or the worker is cleaned up (EVP_CIPHER_CTX_free / EVP_MAC_CTX_free cleanse it); the SA's own
 * copy is wiped when the SA is freed.
 *
 * Threads: a cache belongs to one worker (struct esp_worker); no locks.
 */
#ifndef RAMPART_ESP_CTXCACHE_H
#define RAMPART_ESP_CTXCACHE_H

#include <stdint.h>

#include "esp/pkt.h"
#include "esp/sa.h"

#define ESP_CC_SLOTS 256 /* power of two */

struct esp_cc_slot {
	uint64_t sa_id; /* cc_id of the SA it is keyed for, 0 = empty */
	struct esp_sa_crypto cr;
	uint16_t encr_id, encr_bits, integ_id; /* what cr.enc / cr.integ were made for */
};

struct esp_cc {
	uint64_t misses; /* re-keys (for benchmarks and tests) */
	struct esp_cc_slot slots[ESP_CC_SLOTS];
};

/* Allocates the worker's cache (contexts are made on first use). ERR_NOMEM. */
int esp_worker_cache_init(struct esp_worker *w);
/* Frees the cache and its contexts (wiping their keys); the worker stays usable for SAs that
 * own their contexts. Accepts a worker without a cache. */
void esp_worker_cleanup(struct esp_worker *w);

/* The miss path of esp_sa_crypto_get. NULL when the worker has no cache or keying failed. */
struct esp_sa_crypto *esp_cc_miss(struct esp_sa *sa, struct esp_worker *w);

/* The contexts worker w uses for sa (either the SA's own or the worker's cached ones). NULL
 * on failure: drop the packet as ESP_DROP_CRYPTO. */
static inline struct esp_sa_crypto *esp_sa_crypto_get(struct esp_sa *sa, struct esp_worker *w)
{
	struct esp_cc_slot *s;

	if (sa->cc_id == 0)
		return &sa->crypto[w->id % sa->nworkers];
	if (w->cc != NULL) {
		s = &w->cc->slots[sa->cc_id & (ESP_CC_SLOTS - 1)];
		if (s->sa_id == sa->cc_id)
			return &s->cr;
	}
	return esp_cc_miss(sa, w);
}

#endif
