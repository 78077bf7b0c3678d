#include "daemon/dsyslog.h"

#include <syslog.h>

void dsyslog_open(const char *ident)
{
	openlog(ident, LOG_PID, LOG_DAEMON);
}

void dsyslog_line(int level, const char *subsys, const char *line)
{
	static const int prio[] = {LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG};

	syslog(prio[level >= 0 && level <= 3 ? level : 3], "[%s] %s", subsys, line);
}
