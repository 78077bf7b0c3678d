/* The log queue behind `rampart log` (daemon/logq.h) and the log tap (lib/log.h): order,
 * overflow accounting, formatting, level filtering, and pushes from several threads. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "daemon/logq.h"
#include "lib/log.h"
#include "support/test.h"

static void test_order_and_overflow(void)
{
	struct logq q;
	struct logq_rec r;
	uint64_t lost = 99;
	char line[32];

	T_EQ(logq_init(&q, false), 0);
	T_OK(!logq_pop(&q, &r, &lost), "empty queue pops nothing");
	for (int i = 0; i < 3; i++) {
		snprintf(line, sizeof(line), "line %d", i);
		logq_push(&q, 1000 + (uint64_t)i, LOG_IKE, LOG_LVL_INFO, line);
	}
	for (int i = 0; i < 3; i++) {
		snprintf(line, sizeof(line), "line %d", i);
		T_OK(logq_pop(&q, &r, &lost), "pop %d", i);
		T_OK(strcmp(r.line, line) == 0, "in order: got '%s' want '%s'", r.line, line);
		T_EQ(r.time_ms, 1000 + i);
		T_EQ(lost, 0);
	}
	/* LOGQ_LINES + 5 lines: the 5 oldest are dropped and reported with the next pop */
	for (int i = 0; i < LOGQ_LINES + 5; i++) {
		snprintf(line, sizeof(line), "n%d", i);
		logq_push(&q, 0, LOG_ESP, LOG_LVL_DEBUG, line);
	}
	T_OK(logq_pop(&q, &r, &lost), "pop after overflow");
	T_EQ(lost, 5);
	T_OK(strcmp(r.line, "n5") == 0, "the oldest kept line is n5, got '%s'", r.line);
	T_EQ(r.subsys, LOG_ESP);
	T_EQ(r.level, LOG_LVL_DEBUG);
	int n = 1;
	while (logq_pop(&q, &r, &lost)) {
		T_EQ(lost, 0);
		n++;
	}
	T_EQ(n, LOGQ_LINES);
	logq_cleanup(&q);
	logq_cleanup(&q); /* twice is harmless */
}

static const struct {
	int line;
	uint64_t time_ms;
	int subsys, level;
	const char *msg;
	int json;
	const char *want;
} fmt_rows[] = {
    {__LINE__, 1795792801123ull, LOG_IKE, LOG_LVL_INFO, "#1: IKE_SA gw[1] established", 0,
     "2026-11-27 15:20:01.123 [ike] info: #1: IKE_SA gw[1] established\n"},
    {__LINE__, 1795792801005ull, LOG_DAEMON, LOG_LVL_WARN, "x", 0,
     "2026-11-27 15:20:01.005 [daemon] warn: x\n"},
    {__LINE__, 1795792801123ull, LOG_ESP, LOG_LVL_DEBUG, "a \"quoted\" \\ tab\there", 1,
     "{\"time\":\"2026-11-27 15:20:01.123\",\"subsys\":\"esp\",\"level\":\"debug\","
     "\"msg\":\"a \\\"quoted\\\" \\\\ tab\\u0009here\"}\n"},
};

static void test_format(void)
{
	for (size_t i = 0; i < sizeof(fmt_rows) / sizeof(fmt_rows[0]); i++) {
		struct logq_rec r;
		char out[512];
		memset(&r, 0, sizeof(r));
		r.time_ms = fmt_rows[i].time_ms;
		r.subsys = (uint8_t)fmt_rows[i].subsys;
		r.level = (uint8_t)fmt_rows[i].level;
		snprintf(r.line, sizeof(r.line), "%s", fmt_rows[i].msg);
		size_t n = logq_format(&r, fmt_rows[i].json, true, out, sizeof(out));
		T_OK_ROW(fmt_rows[i].line, strcmp(out, fmt_rows[i].want) == 0,
			 "\n  got  '%s'\n  want '%s'", out, fmt_rows[i].want);
		T_EQ_ROW(fmt_rows[i].line, n, strlen(fmt_rows[i].want));
	}
	/* a small buffer cuts the line but keeps the newline */
	struct logq_rec r;
	char small[16];
	memset(&r, 0, sizeof(r));
	snprintf(r.line, sizeof(r.line), "a long line that does not fit");
	size_t n = logq_format(&r, false, true, small, sizeof(small));
	T_EQ(n, sizeof(small) - 1);
	T_EQ(small[n - 1], '\n');
	T_EQ(small[n], '\0');
}

static struct logq tq;

static void tap(void *ctx, enum log_subsys subsys, enum log_level level, const char *line)
{
	(void)ctx;
	logq_push(&tq, 0, subsys, level, line);
}

static int sink_lines;
static void sink(void *ctx, enum log_subsys subsys, enum log_level level, const char *line)
{
	(void)ctx;
	(void)subsys;
	(void)level;
	(void)line;
	sink_lines++;
}

static void *pusher(void *arg)
{
	for (int i = 0; i < 100; i++)
		log_msg(LOG_ESP, LOG_LVL_DEBUG, "thread %d line %d", *(int *)arg, i);
	return NULL;
}

static void test_tap(void)
{
	struct logq_rec r;
	uint64_t lost;
	int n = 0;

	T_EQ(logq_init(&tq, false), 0);
	log_set_sink(sink, NULL);
	log_set_level_all(LOG_LVL_WARN);
	log_set_tap(tap, NULL);

	log_set_tap_level(LOG_TAP_OFF);
	log_info(LOG_IKE, "not wanted by anybody");
	T_OK(!logq_pop(&tq, &r, &lost), "tap off: nothing queued");
	T_EQ(sink_lines, 0);
	T_OK(!log_enabled(LOG_IKE, LOG_LVL_INFO), "info disabled with the tap off");

	log_set_tap_level(LOG_LVL_DEBUG);
	T_OK(log_enabled(LOG_IKE, LOG_LVL_DEBUG), "debug enabled by the tap");
	log_debug(LOG_IKE, "debug %d", 7);
	log_warn(LOG_CFG, "warned");
	T_OK(logq_pop(&tq, &r, &lost) && strcmp(r.line, "debug 7") == 0, "tap gets debug");
	T_OK(logq_pop(&tq, &r, &lost) && strcmp(r.line, "warned") == 0 && r.subsys == LOG_CFG,
	     "tap gets warn");
	T_EQ(sink_lines, 1); /* the sink keeps its own level: only the warning */

	log_set_tap_level(LOG_LVL_ERROR);
	log_info(LOG_IKE, "info");
	log_error(LOG_IKE, "err");
	T_OK(logq_pop(&tq, &r, &lost) && strcmp(r.line, "err") == 0, "only errors at error level");
	T_OK(!logq_pop(&tq, &r, &lost), "and nothing else");

	/* two threads log at once through the tap: nothing lost below the ring size */
	log_set_tap_level(LOG_LVL_DEBUG);
	pthread_t th[2];
	int ids[2] = {1, 2};
	for (int i = 0; i < 2; i++)
		pthread_create(&th[i], NULL, pusher, &ids[i]);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	uint64_t dropped = 0;
	while (logq_pop(&tq, &r, &lost)) {
		n++;
		dropped += lost;
	}
	T_EQ(n + (int)dropped, 200);
	T_EQ(n, 200 < LOGQ_LINES ? 200 : LOGQ_LINES);

	log_set_tap(NULL, NULL);
	log_error(LOG_IKE, "after removal");
	T_OK(!logq_pop(&tq, &r, &lost), "removed tap gets nothing");
	log_set_sink(NULL, NULL);
	log_set_level_all(LOG_LVL_INFO);
	logq_cleanup(&tq);
}

int main(void)
{
	test_order_and_overflow();
	test_format();
	test_tap();
	return t_finish();
}
