/* Logging with levels per subsystem, a pluggable sink and a rate limiter for peer-caused lines.
 *
 * The library never reads a clock: rate limiting takes the caller's notion of "now" (ms), so
 * engines stay deterministic under a fake clock. Secrets are never passed to these functions.
 */
#ifndef RAMPART_LIB_LOG_H
#define RAMPART_LIB_LOG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define LOG_LINE_MAX 1024 /* bytes of one formatted line, NUL included (longer lines are cut) */

enum log_level {
	LOG_LVL_ERROR = 0,
	LOG_LVL_WARN = 1,
	LOG_LVL_INFO = 2,
	LOG_LVL_DEBUG = 3,
};

enum log_subsys {
	LOG_LIB = 0,
	LOG_CRYPTO,
	LOG_WIRE,
	LOG_IKE,
	LOG_ESP,
	LOG_CFG,
	LOG_DAEMON,
	LOG_CTL,
	LOG_SUBSYS_COUNT,
};

/* A sink receives one formatted line (no trailing newline). */
typedef void (*log_sink_fn)(void *ctx, enum log_subsys subsys, enum log_level level,
			    const char *line);

void log_set_sink(log_sink_fn fn, void *ctx); /* NULL restores the default (stderr) */

/* A tap: a second receiver of every line at or below its own level, whatever the
 * subsystems' levels (rampartd's `rampart log` followers). It is called from whichever thread
 * logs, so it must be thread-safe and must not log itself. log_set_tap waits until no thread
 * is inside the previous tap, so its ctx may be freed once it returns. NULL removes it. */
#define LOG_TAP_OFF (-1)
void log_set_tap(log_sink_fn fn, void *ctx);
/* The tap's level (LOG_LVL_*), or LOG_TAP_OFF to pass it nothing. */
void log_set_tap_level(int level);
void log_set_level(enum log_subsys subsys, enum log_level level);
void log_set_level_all(enum log_level level);
enum log_level log_get_level(enum log_subsys subsys);
int log_enabled(enum log_subsys subsys, enum log_level level);

const char *log_subsys_name(enum log_subsys subsys);
const char *log_level_name(enum log_level level);
/* Parse names as used in configuration ("ike", "debug"); 0 or ERR_INVAL. */
int log_subsys_parse(const char *name, enum log_subsys *out);
int log_level_parse(const char *name, enum log_level *out);

void log_msg(enum log_subsys subsys, enum log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void log_vmsg(enum log_subsys subsys, enum log_level level, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

#define log_error(ss, ...) log_msg((ss), LOG_LVL_ERROR, __VA_ARGS__)
#define log_warn(ss, ...)  log_msg((ss), LOG_LVL_WARN, __VA_ARGS__)
#define log_info(ss, ...)  log_msg((ss), LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(ss, ...) log_msg((ss), LOG_LVL_DEBUG, __VA_ARGS__)

/* Token bucket for lines a peer can cause: at most `burst` lines per `interval_ms`; the number of
 * suppressed lines is reported with the next line that gets through. Embed one per drop reason
 * or per source, initialised with log_ratelimit_init. */
struct log_ratelimit {
	uint64_t interval_ms;
	uint32_t burst;
	uint64_t window_start;
	uint32_t used;
	uint64_t suppressed;
};

void log_ratelimit_init(struct log_ratelimit *rl, uint64_t interval_ms, uint32_t burst);
/* Logs the line unless rl's budget for the window containing now_ms is spent.
 * Returns 1 when the line was emitted (or filtered by level), 0 when suppressed. */
int log_peer(struct log_ratelimit *rl, uint64_t now_ms, enum log_subsys subsys,
	     enum log_level level, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Hex of at most max_bytes of p into out (NUL-terminated, truncated with "..."), for logging
 * non-secret identifiers such as SPIs. Returns out. */
char *log_hex(char *out, size_t out_size, const void *p, size_t len);

#endif
