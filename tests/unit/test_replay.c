/* Anti-replay window (RFC 4303 §3.4.3 with an RFC 6479 bitmap) and ESN high-half inference
 * (RFC 4303 Appendix A2.2), for windows 0, 32, 64, 1024 and 4096. */
#include <stdlib.h>
#include <string.h>

#include "esp/replay.h"
#include "lib/err.h"
#include "support/test.h"

static const uint32_t windows[] = {0, 32, 64, 1024, 4096};

static int accept(struct esp_replay *r, uint64_t seq)
{
	int err = esp_replay_check(r, seq);

	return err ? err : esp_replay_update(r, seq);
}

static void in_order_and_dups(uint32_t w)
{
	uint64_t bits[128]; /* esp_replay_words(4096) */
	struct esp_replay r;

	T_EQ(esp_replay_init(&r, w, bits), 0);
	T_EQ(accept(&r, 0), ERR_REPLAY); /* sequence number 0 is never valid */
	for (uint64_t s = 1; s <= 3 * (uint64_t)(w + 10); s++)
		if (accept(&r, s) != 0)
			T_OK(0, "w=%u in-order %llu refused", w, (unsigned long long)s);
	T_EQ(esp_replay_top(&r), 3 * (uint64_t)(w + 10));
	/* Duplicates: refused with a window, accepted without. */
	T_EQ(accept(&r, esp_replay_top(&r)), w ? ERR_REPLAY : 0);
	T_EQ(accept(&r, esp_replay_top(&r) - 1), w ? ERR_REPLAY : 0);
}

static void reordered(uint32_t w)
{
	uint64_t bits[128]; /* esp_replay_words(4096) */
	struct esp_replay r;
	uint64_t top = 100000;

	if (w == 0)
		return;
	T_EQ(esp_replay_init(&r, w, bits), 0);
	T_EQ(accept(&r, top), 0);
	/* Every number inside the window, in descending order: accepted once. */
	for (uint64_t s = top - 1; s > top - w; s--)
		if (accept(&r, s) != 0)
			T_OK(0, "w=%u reordered %llu refused", w, (unsigned long long)s);
	for (uint64_t s = top - 1; s > top - w; s -= 7)
		if (accept(&r, s) != ERR_REPLAY)
			T_OK(0, "w=%u duplicate %llu accepted", w, (unsigned long long)s);
	/* Left of the window (top - w and below): too old. */
	T_EQ(accept(&r, top - w), ERR_REPLAY);
	T_EQ(accept(&r, top - w - 1000), ERR_REPLAY);
	/* A jump beyond the window clears the bitmap: old bits must not survive. */
	T_EQ(accept(&r, top + 10 * (uint64_t)w + 5), 0);
	T_EQ(accept(&r, top + 9 * (uint64_t)w + 6), 0);
	T_EQ(accept(&r, top + 9 * (uint64_t)w + 6), ERR_REPLAY);
	/* Checking does not mark: an unverified packet leaves no trace. */
	T_EQ(esp_replay_check(&r, top + 10 * (uint64_t)w + 100), 0);
	T_EQ(esp_replay_check(&r, top + 10 * (uint64_t)w + 100), 0);
}

static void esn(uint32_t w)
{
	uint64_t bits[128]; /* esp_replay_words(4096) */
	struct esp_replay r;
	uint32_t ww = w ? w : 64;

	T_EQ(esp_replay_init(&r, w, bits), 0);
	/* Without ESN the low half is the number. */
	T_EQ(esp_replay_infer(&r, 0xfffffff0u, false), 0xfffffff0u);
	/* Walk across 2^32: case A below the wrap, case B just after. */
	T_EQ(accept(&r, 0xffffffffull - 5), 0);
	T_EQ(esp_replay_infer(&r, 0xfffffff0u, true), 0xfffffff0ull);
	T_EQ(esp_replay_infer(&r, 3, true), 0x100000003ull); /* next subspace */
	T_EQ(accept(&r, 0x100000003ull), 0);
	/* Top now 2^32 + 3 (Tl = 3 < W - 1: case B): a low half left of the wrap is in the old
	 * subspace when it lies within the window, else in the current one. */
	T_EQ(esp_replay_infer(&r, 0xffffffffu - (ww - 10), true), 0xffffffffull - (ww - 10));
	T_EQ(esp_replay_infer(&r, 2, true), 0x100000002ull);
	T_EQ(esp_replay_infer(&r, 1000, true), 0x100000000ull + 1000);
	if (w) {
		/* The old-subspace number just before the wrap is still acceptable once. */
		T_EQ(accept(&r, 0xffffffffull - 1), 0);
		T_EQ(accept(&r, 0xffffffffull - 1), ERR_REPLAY);
	}
	/* Far ahead within the subspace (case A after moving the top). */
	T_EQ(accept(&r, 0x180000000ull), 0);
	/* A disabled window infers with 2^31: the candidate nearest the top (2^32 + 5 is
	 * 2^31 - 5 behind, 2^33 + 5 is 2^31 + 5 ahead). */
	T_EQ(esp_replay_infer(&r, 5, true), w ? 0x200000005ull : 0x100000005ull);
	T_EQ(esp_replay_infer(&r, 0x80000000u + 5, true), 0x180000005ull);
}

static void limits(void)
{
	uint64_t bits[4];
	struct esp_replay r;

	T_EQ(esp_replay_words(ESP_REPLAY_WINDOW_MAX + 1), 0);
	T_EQ(esp_replay_init(&r, ESP_REPLAY_WINDOW_MAX + 1, bits), ERR_INVAL);
	T_EQ(esp_replay_words(0), 2);
	T_EQ(esp_replay_words(64), 2);
	T_EQ(esp_replay_words(65), 4);
	T_EQ(esp_replay_words(4096), 128);
}

int main(void)
{
	for (size_t i = 0; i < sizeof(windows) / sizeof(windows[0]); i++) {
		in_order_and_dups(windows[i]);
		reordered(windows[i]);
		esn(windows[i]);
	}
	limits();
	return t_finish();
}
