/* rampartd: the Rampart IKE and data-plane daemon.
 *
 *   rampartd --config FILE [--foreground] [--debug SUBSYS]...   run
 *   rampartd --check FILE                                      validate the config and exit
 *
 * Without --foreground the daemon forks, detaches and logs to syslog; the parent exits once the
 * child is ready (control socket listening, TUN up, static SAs installed) or has failed, with
 * the child's status, so scripts never need to poll. SIGTERM/SIGINT shut down cleanly: routes,
 * rules, TUN and control socket are removed.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/config.h"
#include "daemon/ctl_cmds.h"
#include "daemon/ctl_server.h"
#include "daemon/dataplane.h"
#include "daemon/dsyslog.h"
#include "daemon/ike_io.h"
#include "daemon/loop.h"
#include "daemon/netmon.h"
#include "daemon/version.h"
#include "daemon/xfrm_db.h"
#include "lib/err.h"
#include "lib/log.h"

struct daemon {
	struct daemon_config cfg;
	struct loop *loop;
	struct ctl_server *ctl;
	struct xfrm_db db;
	struct ctl_cmds cmds;
	struct dataplane *dp;
	struct ike_io *ike;
	struct netmon *nm;
	unsigned ticks;
	uint32_t debug_mask; /* --debug: bit (1 << enum log_subsys) per subsystem */
};

static void usage(FILE *f)
{
	fprintf(f, "usage: rampartd --config FILE [--foreground] [--debug SUBSYS]...\n"
		   "       rampartd --check FILE\n"
		   "       rampartd --version | --help\n"
		   "SUBSYS: lib crypto wire ike esp cfg daemon ctl all\n");
}

static void syslog_sink(void *ctx, enum log_subsys subsys, enum log_level level, const char *line)
{
	(void)ctx;
	dsyslog_line((int)level, log_subsys_name(subsys), line);
}

static void on_signal(void *ctx, int signo)
{
	struct daemon *d = ctx;

	if (signo == SIGHUP) {
		struct daemon_config nc;
		char err[512];
		log_info(LOG_DAEMON, "SIGHUP: reloading %s", d->cfg.path);
		/* of the rampart section only the log levels change at run time */
		if (config_load(&nc, d->cfg.path, err, sizeof(err)) == 0) {
			config_apply_log(&nc, d->debug_mask);
			config_cleanup(&nc);
		} else {
			log_error(LOG_DAEMON, "%s (log levels unchanged)", err);
		}
		if (d->ike && ike_io_reload(d->ike))
			log_error(LOG_DAEMON, "reload failed; the previous configuration stays");
		return;
	}
	log_info(LOG_DAEMON, "signal %d: shutting down", signo);
	loop_stop(d->loop);
}

static void on_tick(void *ctx, uint64_t now_ms)
{
	struct daemon *d = ctx;

	if (d->ike)
		ike_io_tick(d->ike, now_ms);
	if (++d->ticks % 10)
		return;
	ctl_server_tick(d->ctl, now_ms);
	dataplane_tick(d->dp, now_ms);
}

/* Installs the config's static states and policies through the same path as the CLI. */
static int apply_static(struct daemon *d)
{
	char buf[XFRM_LINE_MAX + 32], err[XFRM_ERR_MAX];
	const char *words[XFRM_ARGS_MAX + 2];
	int r = 0;

	for (size_t i = 0; i < d->cfg.n_xfrm && !r; i++) {
		const struct config_xfrm *e = &d->cfg.xfrm[i];
		struct xfrm_cmd cmd;
		struct ctl_reply rep;
		int n = config_xfrm_argv(e, buf, sizeof(buf), words, XFRM_ARGS_MAX + 2);
		if (n < 0 || xfrm_args_parse(n, words, &cmd, err, sizeof(err))) {
			log_error(LOG_CFG, "%s:%u: %s: invalid", d->cfg.path, e->line, e->name);
			return ERR_INVAL;
		}
		ctl_reply_init(&rep, false);
		ctl_cmds_xfrm(&d->cmds, &cmd, &rep);
		if (rep.status) {
			/* rep.err is "rampart: MESSAGE\n" */
			const char *m = rep.err && rep.err_len > 10 ? rep.err + 9 : "failed";
			log_error(LOG_CFG, "%s:%u: %s: %.*s", d->cfg.path, e->line, e->name,
				  (int)strcspn(m, "\n"), m);
			r = ERR_INVAL;
		}
		ctl_reply_cleanup(&rep);
		xfrm_cmd_cleanup(&cmd);
		secret_wipe(buf, sizeof(buf));
	}
	return r;
}

/* Forks; the parent waits on a pipe for the child's one-byte status and exits with it. */
static int daemonize(int *ready_fd)
{
	int p[2];
	pid_t pid;
	unsigned char st = 1;

	if (pipe(p))
		return ERR_IO;
	pid = fork();
	if (pid < 0)
		return ERR_IO;
	if (pid > 0) {
		close(p[1]);
		if (read(p[0], &st, 1) != 1)
			st = 1;
		_exit(st);
	}
	close(p[0]);
	if (setsid() < 0)
		return ERR_IO;
	int fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	if (chdir("/")) {
		/* nothing relies on the working directory */
	}
	*ready_fd = p[1];
	return 0;
}

static void report_ready(int *ready_fd, unsigned char st)
{
	if (*ready_fd < 0)
		return;
	if (write(*ready_fd, &st, 1) != 1) {
		/* the parent is gone; nothing to tell */
	}
	close(*ready_fd);
	*ready_fd = -1;
}

int main(int argc, char **argv)
{
	const char *config = NULL, *check = NULL;
	int foreground = 0, ready_fd = -1, r = 1;
	struct daemon d;
	char err[512];

	memset(&d, 0, sizeof(d));
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--version") == 0) {
			printf("rampartd %s\n", RAMPART_VERSION);
			return 0;
		} else if (strcmp(a, "--help") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(a, "--foreground") == 0 || strcmp(a, "-F") == 0) {
			foreground = 1;
		} else if ((strcmp(a, "--config") == 0 || strcmp(a, "--check") == 0 ||
			    strcmp(a, "--debug") == 0) &&
			   i + 1 < argc) {
			const char *v = argv[++i];
			enum log_subsys ss;
			if (a[2] == 'c' && a[3] == 'o')
				config = v;
			else if (a[2] == 'c')
				check = v;
			else if (strcmp(v, "all") == 0)
				d.debug_mask = ~0u;
			else if (log_subsys_parse(v, &ss) == 0)
				d.debug_mask |= 1u << ss;
			else {
				fprintf(stderr, "rampartd: unknown subsystem \"%s\" for --debug\n",
					v);
				return 2;
			}
		} else {
			fprintf(stderr, "rampartd: unknown or incomplete option \"%s\"\n", a);
			usage(stderr);
			return 2;
		}
	}
	if (check) {
		if (config_load(&d.cfg, check, err, sizeof(err))) {
			fprintf(stderr, "rampartd: %s\n", err);
			return 1;
		}
		size_t nconns = 0;
		config_apply_log(&d.cfg, d.debug_mask);
		if (ike_io_check(check, &nconns)) {
			config_cleanup(&d.cfg);
			return 1;
		}
		printf("%s: configuration OK (%zu connections, %zu static xfrm entries)\n", check,
		       nconns, d.cfg.n_xfrm);
		config_cleanup(&d.cfg);
		return 0;
	}
	if (!config) {
		usage(stderr);
		return 2;
	}
	if (config_load(&d.cfg, config, err, sizeof(err))) {
		fprintf(stderr, "rampartd: %s\n", err);
		return 1;
	}
	config_apply_log(&d.cfg, d.debug_mask);
	if (!foreground) {
		if (daemonize(&ready_fd)) {
			fprintf(stderr, "rampartd: cannot daemonize: %s\n", strerror(errno));
			goto out;
		}
		dsyslog_open("rampartd");
		log_set_sink(syslog_sink, NULL);
	}
	if (xfrm_db_init(&d.db) || loop_new(&d.loop, on_signal, &d))
		goto out;
	d.cmds.db = &d.db;
	if (netmon_new(&d.nm) || netmon_attach(d.nm, d.loop)) {
		log_error(LOG_DAEMON, "reading the local addresses (rtnetlink): %s",
			  strerror(errno));
		goto out;
	}
	d.cmds.nm = d.nm;
	if (dataplane_new(&d.dp, &d.cfg))
		goto out;
	dataplane_set_netmon(d.dp, d.nm);
	d.cmds.ops = &dataplane_ops;
	d.cmds.dp = d.dp;
	if (ike_io_new(&d.ike, d.loop, &d.cmds, d.dp, d.cfg.path))
		goto out;
	if (ike_io_set_retransmit(d.ike, d.cfg.retransmit_timeout_ms, d.cfg.retransmit_base_x10,
				  d.cfg.retransmit_tries))
		goto out;
	ike_io_set_keepalive(d.ike, d.cfg.keep_alive_s);
	if (ctl_server_new(&d.ctl, d.loop, d.cfg.control, ike_io_handle, d.ike))
		goto out;
	if (apply_static(&d))
		goto out;
	if (dataplane_start(d.dp))
		goto out;
	loop_set_tick(d.loop, 100, on_tick, &d);
	ike_io_start(d.ike);
	log_info(LOG_DAEMON, "rampartd %s ready: control %s, tun %s", RAMPART_VERSION,
		 d.cfg.control, d.cfg.tun);
	report_ready(&ready_fd, 0);
	r = loop_run(d.loop) ? 1 : 0;
out:
	report_ready(&ready_fd, 1);
	ctl_server_free(d.ctl);
	ike_io_free(d.ike);
	for (struct xfrm_db_state *st = d.db.first; d.cmds.ops && st; st = st->next)
		d.cmds.ops->state_del(d.dp, st);
	dataplane_free(d.dp);
	d.cmds.ops = NULL;
	xfrm_db_cleanup(&d.db);
	netmon_free(d.nm);
	loop_free(d.loop);
	config_cleanup(&d.cfg);
	return r;
}
