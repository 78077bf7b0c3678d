#include "esp/replay.h"

#include <string.h>

#include "lib/err.h"

size_t esp_replay_words(uint32_t window)
{
	size_t n = 2;

	if (window > ESP_REPLAY_WINDOW_MAX)
		return 0;
	while ((n - 1) * 64 < window)
		n <<= 1;
	return n;
}

int esp_replay_init(struct esp_replay *r, uint32_t window, uint64_t *bits)
{
	size_t n = esp_replay_words(window);

	if (n == 0 || bits == NULL)
		return ERR_INVAL;
	memset(bits, 0, n * sizeof(*bits));
	r->top = 0;
	r->window = window;
	r->nwords = (uint32_t)n;
	r->bits = bits;
	atomic_flag_clear(&r->lock);
	return 0;
}

static void replay_lock(struct esp_replay *r)
{
	while (atomic_flag_test_and_set_explicit(&r->lock, memory_order_acquire))
		;
}

static void replay_unlock(struct esp_replay *r)
{
	atomic_flag_clear_explicit(&r->lock, memory_order_release);
}

/* RFC 4303 Appendix A2.2: Th/Tl are the halves of the top, W the window. */
uint64_t esp_replay_infer(const struct esp_replay *r, uint32_t seql, bool esn)
{
	uint64_t top;
	uint32_t th, tl, w, bottom;

	if (!esn)
		return seql;
	top = __atomic_load_n(&r->top, __ATOMIC_RELAXED);
	th = (uint32_t)(top >> 32);
	tl = (uint32_t)top;
	w = r->window ? r->window : 0x80000000u;
	bottom = tl - w + 1; /* modulo 2^32 */
	if (tl >= w - 1) {
		/* Case A: the window lies within one sequence number subspace. */
		if (seql < bottom)
			th++;
	} else {
		/* Case B: the window spans two subspaces. */
		if (seql >= bottom && th > 0)
			th--;
	}
	return (uint64_t)th << 32 | seql;
}

/* Caller holds the lock. */
static int replay_check_locked(const struct esp_replay *r, uint64_t seq)
{
	uint64_t bit;

	if (seq == 0)
		return ERR_REPLAY;
	if (r->window == 0 || seq > r->top)
		return 0;
	if (r->top - seq >= r->window)
		return ERR_REPLAY;
	bit = seq & ((uint64_t)r->nwords * 64 - 1);
	if (r->bits[bit >> 6] & (1ull << (bit & 63)))
		return ERR_REPLAY;
	return 0;
}

int esp_replay_check(struct esp_replay *r, uint64_t seq)
{
	int err;

	replay_lock(r);
	err = replay_check_locked(r, seq);
	replay_unlock(r);
	return err;
}

int esp_replay_update(struct esp_replay *r, uint64_t seq)
{
	uint64_t mask = (uint64_t)r->nwords - 1;
	uint64_t bit, idx, top_idx, n;
	int err;

	replay_lock(r);
	err = replay_check_locked(r, seq);
	if (err)
		goto out;
	if (r->window == 0) {
		if (seq > r->top)
			__atomic_store_n(&r->top, seq, __ATOMIC_RELAXED);
		goto out;
	}
	if (seq > r->top) {
		/* RFC 6479: clear the words between the old top's word and the new one. */
		idx = seq >> 6;
		top_idx = r->top >> 6;
		n = idx - top_idx;
		if (n > r->nwords)
			n = r->nwords;
		for (uint64_t i = 1; i <= n; i++)
			r->bits[(top_idx + i) & mask] = 0;
		__atomic_store_n(&r->top, seq, __ATOMIC_RELAXED);
	}
	bit = seq & (r->nwords * 64ull - 1);
	r->bits[bit >> 6] |= 1ull << (bit & 63);
out:
	replay_unlock(r);
	return err;
}

uint64_t esp_replay_top(struct esp_replay *r)
{
	return __atomic_load_n(&r->top, __ATOMIC_RELAXED);
}
