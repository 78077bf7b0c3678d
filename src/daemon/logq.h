/* The queue between rampartd's log (any thread, through the log tap of lib/log.h) and the
 * control loop that sends lines to `rampart log` followers (daemon/ctl_server.h).
 *
 * logq_push copies a line into a bounded ring under a mutex (taken only when a line is
 * logged, never per packet) and makes the queue's eventfd readable; the loop pops the lines.
 * When the ring is full the oldest line is dropped and counted, so a logging thread never
 * waits for the loop. logq_format renders a record for a follower: text
 * "2026-11-27 15:20:01.123 [ike] info: LINE" (local time) or one JSON object.
 */
#ifndef RAMPART_DAEMON_LOGQ_H
#define RAMPART_DAEMON_LOGQ_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/log.h"

#define LOGQ_LINES 256 /* lines the ring holds */

struct logq_rec {
	uint64_t time_ms; /* CLOCK_REALTIME, ms since the epoch */
	uint8_t subsys;	  /* enum log_subsys */
	uint8_t level;	  /* enum log_level */
	char line[LOG_LINE_MAX];
};

struct logq {
	pthread_mutex_t mu;
	struct logq_rec *ring; /* LOGQ_LINES */
	size_t head, n;	       /* oldest record, count */
	uint64_t dropped;      /* lines lost to a full ring since the last pop reported them */
	int efd;	       /* eventfd, -1 without one (tests) */
};

/* with_fd: create the eventfd. 0, ERR_NOMEM or ERR_IO. */
int logq_init(struct logq *q, bool with_fd);
/* Accepts a zeroed queue. */
void logq_cleanup(struct logq *q);
/* Any thread. A line longer than LOG_LINE_MAX - 1 is cut. */
void logq_push(struct logq *q, uint64_t time_ms, enum log_subsys subsys, enum log_level level,
	       const char *line);
/* The loop: the oldest record into *out and true, or false when empty. *dropped receives the
 * lines lost before this one (then reset). */
bool logq_pop(struct logq *q, struct logq_rec *out, uint64_t *dropped);
/* Clears the eventfd's counter (call before popping, so a push after the last pop wakes the
 * loop again). */
void logq_clear_fd(struct logq *q);
/* Makes the eventfd readable again (the loop stopped before the queue was empty). */
void logq_rearm(struct logq *q);
/* A record as one line with its newline, NUL-terminated, cut to fit out_size; returns its
 * length. utc selects UTC instead of local time (tests). */
size_t logq_format(const struct logq_rec *r, bool json, bool utc, char *out, size_t out_size);

#endif
