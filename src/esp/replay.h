/* Anti-replay window (RFC 4303 §3.4.3, RFC 4302 §3.4.3) kept as an RFC 6479 bitmap of 64-bit
 * words, and inbound ESN high-half inference (RFC 4303 Appendix A2.2).
 *
 * Contract: the caller runs esp_replay_check BEFORE verifying the ICV (cheap drop of replays)
 * and esp_replay_update only AFTER the ICV verified. esp_replay_update re-checks under the
 * window's lock, so two workers racing on the same sequence number accept it exactly once.
 * Window 0 disables the check (every authenticated number is accepted), but the highest number
 * seen is still tracked for ESN inference.
 *
 * The bitmap is caller storage of esp_replay_words(window) words (the SA allocates it together
 * with itself): nwords is the smallest power of two with (nwords - 1) * 64 >= window, so the
 * whole window always fits beside the word holding the top.
 */
#ifndef RAMPART_ESP_REPLAY_H
#define RAMPART_ESP_REPLAY_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest configurable window, in packets. */
#define ESP_REPLAY_WINDOW_MAX 32768u

struct esp_replay {
	uint64_t top;	 /* highest authenticated sequence number, 0 = none yet */
	uint32_t window; /* 0 = anti-replay disabled */
	uint32_t nwords; /* bitmap words, a power of two */
	uint64_t *bits;	 /* bit (seq mod nwords*64) set = seq received */
	atomic_flag lock;
};

/* Words of bitmap storage a window needs (at least 2). 0 when window > ESP_REPLAY_WINDOW_MAX. */
size_t esp_replay_words(uint32_t window);
/* bits must hold esp_replay_words(window) words; it is zeroed. ERR_INVAL for a window too big. */
int esp_replay_init(struct esp_replay *r, uint32_t window, uint64_t *bits);

/* The 64-bit sequence number a received low half stands for. Without ESN it is seql itself.
 * With ESN the high half is inferred per RFC 4303 Appendix A2.2 from the top of the window
 * (a disabled window infers with a 2^31 window: the candidate nearest the top wins). */
uint64_t esp_replay_infer(const struct esp_replay *r, uint32_t seql, bool esn);
/* 0 when seq may be accepted, ERR_REPLAY when it is 0, a duplicate or left of the window. */
int esp_replay_check(struct esp_replay *r, uint64_t seq);
/* Marks seq received (after ICV verification), advancing the window. ERR_REPLAY when another
 * packet with the same number won the race (or seq is no longer acceptable). */
int esp_replay_update(struct esp_replay *r, uint64_t seq);
/* Highest authenticated sequence number (for status output). */
uint64_t esp_replay_top(struct esp_replay *r);

#endif
