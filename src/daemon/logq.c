#include "daemon/logq.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "lib/err.h"

int logq_init(struct logq *q, bool with_fd)
{
	memset(q, 0, sizeof(*q));
	q->efd = -1;
	q->ring = calloc(LOGQ_LINES, sizeof(*q->ring));
	if (!q->ring)
		return ERR_NOMEM;
	if (with_fd) {
		q->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (q->efd < 0) {
			free(q->ring);
			q->ring = NULL;
			return ERR_IO;
		}
	}
	pthread_mutex_init(&q->mu, NULL);
	return 0;
}

void logq_cleanup(struct logq *q)
{
	if (!q || !q->ring)
		return;
	pthread_mutex_destroy(&q->mu);
	if (q->efd >= 0)
		close(q->efd);
	free(q->ring);
	memset(q, 0, sizeof(*q));
	q->efd = -1;
}

void logq_push(struct logq *q, uint64_t time_ms, enum log_subsys subsys, enum log_level level,
	       const char *line)
{
	struct logq_rec *r;
	uint64_t one = 1;

	pthread_mutex_lock(&q->mu);
	if (q->n == LOGQ_LINES) {
		q->head = (q->head + 1) % LOGQ_LINES; /* drop the oldest */
		q->n--;
		q->dropped++;
	}
	r = &q->ring[(q->head + q->n) % LOGQ_LINES];
	r->time_ms = time_ms;
	r->subsys = (uint8_t)subsys;
	r->level = (uint8_t)level;
	snprintf(r->line, sizeof(r->line), "%s", line);
	q->n++;
	pthread_mutex_unlock(&q->mu);
	if (q->efd >= 0 && write(q->efd, &one, sizeof(one)) < 0) {
		/* the counter is non-zero already: the loop will look */
	}
}

bool logq_pop(struct logq *q, struct logq_rec *out, uint64_t *dropped)
{
	bool got = false;

	pthread_mutex_lock(&q->mu);
	if (q->n) {
		*out = q->ring[q->head];
		q->head = (q->head + 1) % LOGQ_LINES;
		q->n--;
		*dropped = q->dropped;
		q->dropped = 0;
		got = true;
	}
	pthread_mutex_unlock(&q->mu);
	return got;
}

void logq_clear_fd(struct logq *q)
{
	uint64_t v;

	if (q->efd >= 0 && read(q->efd, &v, sizeof(v)) < 0) {
		/* EAGAIN: nothing pending */
	}
}

void logq_rearm(struct logq *q)
{
	uint64_t one = 1;

	if (q->efd >= 0 && write(q->efd, &one, sizeof(one)) < 0) {
		/* already readable */
	}
}

/* JSON string body: quotes, backslashes and control characters escaped. */
static size_t json_escape(const char *s, char *out, size_t cap)
{
	size_t o = 0;

	for (; *s && o + 7 < cap; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\') {
			out[o++] = '\\';
			out[o++] = (char)ch;
		} else if (ch < 0x20) {
			o += (size_t)snprintf(out + o, cap - o, "\\u%04x", ch);
		} else {
			out[o++] = (char)ch;
		}
	}
	out[o] = '\0';
	return o;
}

size_t logq_format(const struct logq_rec *r, bool json, bool utc, char *out, size_t out_size)
{
	char when[40], esc[LOG_LINE_MAX * 6 + 1];
	time_t t = (time_t)(r->time_ms / 1000);
	struct tm tm;
	int n;

	if (!out_size)
		return 0;
	if (utc)
		gmtime_r(&t, &tm);
	else
		localtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	if (json) {
		json_escape(r->line, esc, sizeof(esc));
		n = snprintf(
		    out, out_size,
		    "{\"time\":\"%s.%03u\",\"subsys\":\"%s\",\"level\":\"%s\",\"msg\":\"%s\"}\n",
		    when, (unsigned)(r->time_ms % 1000),
		    log_subsys_name((enum log_subsys)r->subsys),
		    log_level_name((enum log_level)r->level), esc);
	} else {
		n = snprintf(out, out_size, "%s.%03u [%s] %s: %s\n", when,
			     (unsigned)(r->time_ms % 1000),
			     log_subsys_name((enum log_subsys)r->subsys),
			     log_level_name((enum log_level)r->level), r->line);
	}
	if (n < 0)
		n = 0;
	if ((size_t)n >= out_size) {
		n = (int)out_size - 1; /* cut; keep the newline */
		if (n > 0)
			out[n - 1] = '\n';
	}
	return (size_t)n;
}
