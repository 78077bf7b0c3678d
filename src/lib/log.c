#include "lib/log.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "lib/err.h"

static const char *const subsys_names[LOG_SUBSYS_COUNT] = {
    [LOG_LIB] = "lib", [LOG_CRYPTO] = "crypto", [LOG_WIRE] = "wire",	 [LOG_IKE] = "ike",
    [LOG_ESP] = "esp", [LOG_CFG] = "cfg",	[LOG_DAEMON] = "daemon", [LOG_CTL] = "ctl",
};

static const char *const level_names[] = {
    [LOG_LVL_ERROR] = "error",
    [LOG_LVL_WARN] = "warn",
    [LOG_LVL_INFO] = "info",
    [LOG_LVL_DEBUG] = "debug",
};

static enum log_level levels[LOG_SUBSYS_COUNT] = {
    LOG_LVL_INFO, LOG_LVL_INFO, LOG_LVL_INFO, LOG_LVL_INFO,
    LOG_LVL_INFO, LOG_LVL_INFO, LOG_LVL_INFO, LOG_LVL_INFO,
};

static void stderr_sink(void *ctx, enum log_subsys subsys, enum log_level level, const char *line)
{
	(void)ctx;
	fprintf(stderr, "[%s] %s: %s\n", log_subsys_name(subsys), log_level_name(level), line);
}

static log_sink_fn sink = stderr_sink;
static void *sink_ctx;

static pthread_rwlock_t tap_lock = PTHREAD_RWLOCK_INITIALIZER;
static log_sink_fn tap; /* under tap_lock */
static void *tap_ctx;	/* under tap_lock */
static _Atomic int tap_level = LOG_TAP_OFF;

void log_set_tap(log_sink_fn fn, void *ctx)
{
	pthread_rwlock_wrlock(&tap_lock);
	tap = fn;
	tap_ctx = fn ? ctx : NULL;
	if (!fn)
		atomic_store_explicit(&tap_level, LOG_TAP_OFF, memory_order_relaxed);
	pthread_rwlock_unlock(&tap_lock);
}

void log_set_tap_level(int level)
{
	atomic_store_explicit(&tap_level, level, memory_order_relaxed);
}

static int tapped(enum log_level level)
{
	return (int)level <= atomic_load_explicit(&tap_level, memory_order_relaxed);
}

void log_set_sink(log_sink_fn fn, void *ctx)
{
	sink = fn ? fn : stderr_sink;
	sink_ctx = fn ? ctx : NULL;
}

void log_set_level(enum log_subsys subsys, enum log_level level)
{
	if ((unsigned)subsys < LOG_SUBSYS_COUNT)
		levels[subsys] = level;
}

void log_set_level_all(enum log_level level)
{
	for (int i = 0; i < LOG_SUBSYS_COUNT; i++)
		levels[i] = level;
}

enum log_level log_get_level(enum log_subsys subsys)
{
	return (unsigned)subsys < LOG_SUBSYS_COUNT ? levels[subsys] : LOG_LVL_ERROR;
}

int log_enabled(enum log_subsys subsys, enum log_level level)
{
	return level <= log_get_level(subsys) || tapped(level);
}

const char *log_subsys_name(enum log_subsys subsys)
{
	return (unsigned)subsys < LOG_SUBSYS_COUNT ? subsys_names[subsys] : "?";
}

const char *log_level_name(enum log_level level)
{
	return (unsigned)level <= LOG_LVL_DEBUG ? level_names[level] : "?";
}

int log_subsys_parse(const char *name, enum log_subsys *out)
{
	for (int i = 0; i < LOG_SUBSYS_COUNT; i++) {
		if (strcmp(name, subsys_names[i]) == 0) {
			*out = (enum log_subsys)i;
			return 0;
		}
	}
	return ERR_INVAL;
}

int log_level_parse(const char *name, enum log_level *out)
{
	for (unsigned i = 0; i <= LOG_LVL_DEBUG; i++) {
		if (strcmp(name, level_names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	return ERR_INVAL;
}

void log_vmsg(enum log_subsys subsys, enum log_level level, const char *fmt, va_list ap)
{
	char line[LOG_LINE_MAX];

	int to_sink = level <= log_get_level(subsys), to_tap = tapped(level);

	if (!to_sink && !to_tap)
		return;
	vsnprintf(line, sizeof(line), fmt, ap);
	if (to_sink)
		sink(sink_ctx, subsys, level, line);
	if (to_tap) {
		pthread_rwlock_rdlock(&tap_lock);
		if (tap)
			tap(tap_ctx, subsys, level, line);
		pthread_rwlock_unlock(&tap_lock);
	}
}

void log_msg(enum log_subsys subsys, enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(subsys, level, fmt, ap);
	va_end(ap);
}

void log_ratelimit_init(struct log_ratelimit *rl, uint64_t interval_ms, uint32_t burst)
{
	memset(rl, 0, sizeof(*rl));
	rl->interval_ms = interval_ms ? interval_ms : 1;
	rl->burst = burst;
}

int log_peer(struct log_ratelimit *rl, uint64_t now_ms, enum log_subsys subsys,
	     enum log_level level, const char *fmt, ...)
{
	va_list ap;

	if (!log_enabled(subsys, level))
		return 1;
	if (now_ms < rl->window_start || now_ms - rl->window_start >= rl->interval_ms) {
		rl->window_start = now_ms;
		rl->used = 0;
	}
	if (rl->used >= rl->burst) {
		rl->suppressed++;
		return 0;
	}
	rl->used++;
	if (rl->suppressed) {
		log_msg(subsys, level, "(%llu similar lines suppressed)",
			(unsigned long long)rl->suppressed);
		rl->suppressed = 0;
	}
	va_start(ap, fmt);
	log_vmsg(subsys, level, fmt, ap);
	va_end(ap);
	return 1;
}

char *log_hex(char *out, size_t out_size, const void *p, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	const uint8_t *b = p;
	size_t o = 0;

	if (!out_size)
		return out;
	for (size_t i = 0; i < len; i++) {
		if (o + 2 + 4 > out_size) { /* room for 2 digits, "..." and NUL */
			if (o + 4 <= out_size)
				memcpy(out + o, "...", 3), o += 3;
			break;
		}
		out[o++] = digits[b[i] >> 4];
		out[o++] = digits[b[i] & 15];
	}
	out[o < out_size ? o : out_size - 1] = '\0';
	return out;
}
