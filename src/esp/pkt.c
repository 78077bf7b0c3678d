#include "esp/pkt.h"

#include <string.h>

#include "crypto/rand.h"
#include "lib/err.h"

void esp_buf_init(struct esp_buf *b, void *base, size_t cap, size_t off, size_t len)
{
	b->base = base;
	b->cap = cap;
	b->off = off;
	b->len = len;
}

void esp_worker_init(struct esp_worker *w, unsigned id)
{
	memset(w, 0, sizeof(*w));
	w->id = id;
	w->rand_used = ESP_RAND_BATCH;
}

int esp_worker_rand(struct esp_worker *w, void *out, size_t n)
{
	if (n > 64)
		return ERR_INVAL;
	if (w->rand_used + n > ESP_RAND_BATCH) {
		if (crypto_rand_bytes(w->rand, ESP_RAND_BATCH) != 0) {
			w->rand_used = ESP_RAND_BATCH;
			return ERR_CRYPTO;
		}
		w->rand_used = 0;
	}
	memcpy(out, w->rand + w->rand_used, n);
	w->rand_used += n;
	return 0;
}
