/* syslog(3) for rampartd's log sink. Kept apart because <syslog.h> defines LOG_DAEMON, which
 * collides with lib/log.h's subsystem of the same name; this header includes neither. */
#ifndef RAMPART_DAEMON_DSYSLOG_H
#define RAMPART_DAEMON_DSYSLOG_H

void dsyslog_open(const char *ident);
/* level: 0 error, 1 warn, 2 info, 3 debug (enum log_level). */
void dsyslog_line(int level, const char *subsys, const char *line);

#endif
