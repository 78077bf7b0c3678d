/* The answer a control command builds: text or JSON for the client's stdout, messages for its
 * stderr, and an exit status. Bounded by CTL_REPLY_MAX; output beyond it is cut with a note.
 */
#ifndef RAMPART_DAEMON_CTL_REPLY_H
#define RAMPART_DAEMON_CTL_REPLY_H

#include <stdbool.h>
#include <stddef.h>

#define CTL_REPLY_MAX (4u << 20) /* bytes of stdout in one reply */

struct ctl_reply {
	bool json; /* the client asked for JSON */
	int status;
	char *out;
	size_t out_len, out_cap;
	char *err;
	size_t err_len, err_cap;
	bool truncated;
	/* Set by a command that streams the daemon's log (`rampart log`): after the reply the
	 * connection stays open and receives every line at or below follow_level (an
	 * enum log_level) until the client goes away. */
	bool follow_log;
	int follow_level;
};

void ctl_reply_init(struct ctl_reply *r, bool json);
void ctl_reply_cleanup(struct ctl_reply *r);
/* Append to stdout. */
void ctl_reply_printf(struct ctl_reply *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Append a JSON string literal (quoted, escaped) to stdout. */
void ctl_reply_json_str(struct ctl_reply *r, const char *s);
/* Append one line "rampart: MESSAGE" to stderr and set status 1. */
void ctl_reply_error(struct ctl_reply *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
