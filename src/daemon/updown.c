/* updown scripts (daemon/updown.h). */
#include "daemon/updown.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon/netmon.h"
#include "lib/err.h"
#include "lib/log.h"
#include "wire/ikev2_const.h"

#define UPDOWN_ENV_BYTES 4096
#define UPDOWN_LINE_MAX	 256

/* One queued run: its command and environment, built when it was queued. */
struct run {
	char cmd[CONN_UPDOWN_MAX + 8];
	char what[96]; /* "up-client net{3}" for log lines */
	char env[UPDOWN_ENV_BYTES];
	size_t nenv;
	uint16_t off[UPDOWN_ENV_MAX];
};

struct updown {
	struct run *queue; /* ring of UPDOWN_QUEUE_MAX */
	size_t head, n;
	/* the running script */
	pid_t pid;
	int out; /* its stdout+stderr, non-blocking; -1 */
	uint64_t started_ms;
	bool killed;
	char what[96];
	char line[UPDOWN_LINE_MAX];
	size_t line_len;
	struct log_ratelimit rl;
	const struct netmon *nm;
};

int updown_new(struct updown **out)
{
	struct updown *u = calloc(1, sizeof(*u));

	if (!u)
		return ERR_NOMEM;
	u->queue = calloc(UPDOWN_QUEUE_MAX, sizeof(*u->queue));
	if (!u->queue) {
		free(u);
		return ERR_NOMEM;
	}
	u->pid = -1;
	u->out = -1;
	log_ratelimit_init(&u->rl, 1000, 20);
	*out = u;
	return 0;
}

void updown_free(struct updown *u)
{
	if (!u)
		return;
	if (u->out >= 0)
		close(u->out);
	free(u->queue);
	free(u);
}

/* ---- environment ---------------------------------------------------------------------- */

struct envb {
	char *buf;
	size_t cap, used, n, env_cap;
	char **envp;
	int err;
};

static void push(struct envb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void push(struct envb *b, const char *fmt, ...)
{
	va_list ap;
	int w;

	if (b->err)
		return;
	if (b->n + 1 >= b->env_cap) {
		b->err = ERR_NOSPACE;
		return;
	}
	va_start(ap, fmt);
	w = vsnprintf(b->buf + b->used, b->cap - b->used, fmt, ap);
	va_end(ap);
	if (w < 0 || (size_t)w >= b->cap - b->used) {
		b->err = ERR_NOSPACE;
		return;
	}
	b->envp[b->n++] = b->buf + b->used;
	b->envp[b->n] = NULL;
	b->used += (size_t)w + 1;
}

/* ts as "net/len" when it is one prefix (strongSwan's to_subnet: the covering prefix of a
 * range otherwise). */
static const char *client(const struct ts *t, char *buf, size_t len)
{
	struct prefix p;
	char a[ADDR_STRLEN];
	unsigned bits = ts_family(t) == AF_INET6 ? 128 : 32;

	if (ts_to_prefix(t, &p))
		return prefix_str(&p, buf, len);
	/* the longest prefix holding both ends */
	unsigned l = 0;
	while (l < bits) {
		unsigned byte = l / 8, bit = 7 - l % 8;
		if (((t->start.bytes[byte] >> bit) & 1) != ((t->end.bytes[byte] >> bit) & 1))
			break;
		l++;
	}
	snprintf(buf, len, "%s/%u", addr_str(&t->start, a, sizeof(a)), l);
	return buf;
}

static bool is_icmp(uint8_t proto)
{
	return proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6;
}

/* strongSwan's get_port: ICMP type (local) and code (remote) from the larger from-port. */
static unsigned port_of(const struct ts *me, const struct ts *other, bool local)
{
	uint8_t proto = me->proto > other->proto ? me->proto : other->proto;

	if (is_icmp(proto)) {
		unsigned p =
		    me->start_port > other->start_port ? me->start_port : other->start_port;
		return local ? p >> 8 : p & 0xff;
	}
	return local ? me->start_port : other->start_port;
}

static bool ts_is_host(const struct ts *t, const struct addr *a)
{
	return t->type && ts_family(t) == a->family && addr_equal(&t->start, a) &&
	       addr_equal(&t->end, a);
}

int updown_env(const struct ike_updown *u, const struct ts *my_ts, const struct ts *other_ts,
	       const char *iface, char *buf, size_t cap, char **envp, size_t env_cap)
{
	struct envb b = {.buf = buf, .cap = cap, .envp = envp, .env_cap = env_cap};
	const struct addr *me = &u->path->local, *other = &u->path->remote;
	const char *path = getenv("PATH");
	char a[ADDR_STRLEN], c[PREFIX_STRLEN], id[IKE_ID_STRLEN];
	bool host = ts_is_host(my_ts, me);
	bool v6 = host ? me->family == AF_INET6 : ts_family(my_ts) == AF_INET6;

	if (env_cap == 0)
		return ERR_NOSPACE;
	envp[0] = NULL;
	push(&b, "PATH=%s",
	     path ? path : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	push(&b, "PLUTO_VERSION=1.1");
	push(&b, "PLUTO_VERB=%s%s%s", u->up ? "up" : "down", host ? "-host" : "-client",
	     v6 ? "-v6" : "");
	push(&b, "PLUTO_CONNECTION=%s", u->child_name);
	push(&b, "PLUTO_INTERFACE=%s", iface && *iface ? iface : "unknown");
	push(&b, "PLUTO_REQID=%u", u->reqid);
	push(&b, "PLUTO_PROTO=%s", u->proto == IKEV2_PROTO_AH ? "ah" : "esp");
	push(&b, "PLUTO_UNIQUEID=%u", u->ike_id);
	push(&b, "PLUTO_ME=%s", addr_str(me, a, sizeof(a)));
	push(&b, "PLUTO_MY_ID=%s", conn_id_str(u->local_id, id, sizeof(id)));
	push(&b, "PLUTO_MY_CLIENT=%s", client(my_ts, c, sizeof(c)));
	push(&b, "PLUTO_MY_PORT=%u", port_of(my_ts, other_ts, true));
	push(&b, "PLUTO_MY_PROTOCOL=%u", my_ts->proto);
	push(&b, "PLUTO_PEER=%s", addr_str(other, a, sizeof(a)));
	push(&b, "PLUTO_PEER_ID=%s", conn_id_str(u->remote_id, id, sizeof(id)));
	push(&b, "PLUTO_PEER_CLIENT=%s", client(other_ts, c, sizeof(c)));
	push(&b, "PLUTO_PEER_PORT=%u", port_of(my_ts, other_ts, false));
	push(&b, "PLUTO_PEER_PROTOCOL=%u", other_ts->proto);
	if (u->nat)
		push(&b, "PLUTO_UDP_ENC=%u", u->path->remote_port);
	return b.err;
}

/* The interface holding address a (strongSwan's get_interface(me)), or "". */
static void iface_of(const struct netmon *nm, const struct addr *a, char *out, size_t len)
{
	struct netmon_addr na;
	char name[IF_NAMESIZE];

	out[0] = 0;
	if (nm && netmon_find(nm, a, &na) == 0 && if_indextoname((unsigned)na.ifindex, name))
		snprintf(out, len, "%s", name);
}

void updown_set_netmon(struct updown *u, const struct netmon *nm)
{
	u->nm = nm;
}

void updown_child(struct updown *u, const struct ike_updown *info, uint64_t now_ms)
{
	char iface[64];

	if (!info->updown || !*info->updown)
		return;
	iface_of(u->nm, &info->path->local, iface, sizeof(iface));
	for (size_t i = 0; i < info->local_ts->n; i++) {
		for (size_t j = 0; j < info->remote_ts->n; j++) {
			const struct ts *l = &info->local_ts->ts[i], *r = &info->remote_ts->ts[j];
			char *envp[UPDOWN_ENV_MAX];
			struct run *run;

			if (ts_family(l) != ts_family(r))
				continue;
			if (u->n >= UPDOWN_QUEUE_MAX) {
				log_peer(&u->rl, now_ms, LOG_DAEMON, LOG_LVL_WARN,
					 "updown for %s/%s dropped: %d runs already queued",
					 info->conn_name, info->child_name, UPDOWN_QUEUE_MAX);
				return;
			}
			run = &u->queue[(u->head + u->n) % UPDOWN_QUEUE_MAX];
			memset(run, 0, sizeof(*run));
			if (updown_env(info, l, r, iface, run->env, sizeof(run->env), envp,
				       UPDOWN_ENV_MAX) != 0) {
				log_warn(LOG_DAEMON, "updown for %s/%s: environment too large",
					 info->conn_name, info->child_name);
				continue;
			}
			for (run->nenv = 0; envp[run->nenv]; run->nenv++)
				run->off[run->nenv] = (uint16_t)(envp[run->nenv] - run->env);
			snprintf(run->cmd, sizeof(run->cmd), "2>&1 %s", info->updown);
			snprintf(run->what, sizeof(run->what), "%s %s{%u}",
				 info->up ? "up" : "down", info->child_name, info->reqid);
			u->n++;
		}
	}
	updown_poll(u, now_ms);
}

/* Logs complete lines of the script's output (and a partial one at the end). */
static void read_output(struct updown *u, uint64_t now_ms, bool eof)
{
	char buf[1024];

	for (;;) {
		ssize_t n = read(u->out, buf, sizeof(buf));
		if (n <= 0) {
			if (n == 0 || (errno != EAGAIN && errno != EINTR))
				eof = true;
			break;
		}
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] == '\n' || u->line_len + 1 >= sizeof(u->line)) {
				u->line[u->line_len] = 0;
				log_peer(&u->rl, now_ms, LOG_DAEMON, LOG_LVL_INFO, "updown: %s",
					 u->line);
				u->line_len = 0;
				if (buf[i] == '\n')
					continue;
			}
			u->line[u->line_len++] = buf[i] >= 0x20 || buf[i] == '\t' ? buf[i] : '?';
		}
	}
	if (eof && u->line_len) {
		u->line[u->line_len] = 0;
		log_peer(&u->rl, now_ms, LOG_DAEMON, LOG_LVL_INFO, "updown: %s", u->line);
		u->line_len = 0;
	}
	if (eof) {
		close(u->out);
		u->out = -1;
	}
}

static int start(struct updown *u, struct run *r, uint64_t now_ms)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, all;
	char *argv[] = {"sh", "-c", r->cmd, NULL};
	char *envp[UPDOWN_ENV_MAX + 1];
	int p[2], rc;
	pid_t pid;

	for (size_t i = 0; i < r->nenv; i++)
		envp[i] = r->env + r->off[i];
	envp[r->nenv] = NULL;
	if (pipe2(p, O_CLOEXEC | O_NONBLOCK))
		return ERR_IO;
	sigemptyset(&none);
	sigfillset(&all);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	posix_spawn_file_actions_adddup2(&fa, p[1], 2);
	posix_spawnattr_init(&at);
	/* the daemon blocks signals for its signalfd: the script gets a clean mask; its own
	 * process group lets a timeout kill whatever it started */
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &all);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
					  POSIX_SPAWN_SETPGROUP);
	rc = posix_spawn(&pid, "/bin/sh", &fa, &at, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	close(p[1]);
	if (rc) {
		close(p[0]);
		log_error(LOG_DAEMON, "updown %s: cannot run /bin/sh: %s", r->what, strerror(rc));
		return ERR_IO;
	}
	u->pid = pid;
	u->out = p[0];
	u->started_ms = now_ms;
	u->killed = false;
	u->line_len = 0;
	snprintf(u->what, sizeof(u->what), "%s", r->what);
	log_debug(LOG_DAEMON, "updown %s: started (pid %d)", r->what, (int)pid);
	return 0;
}

void updown_poll(struct updown *u, uint64_t now_ms)
{
	for (int guard = 0; guard < UPDOWN_QUEUE_MAX + 1; guard++) {
		if (u->pid > 0) {
			int st = 0;
			pid_t r;
			if (u->out >= 0)
				read_output(u, now_ms, false);
			r = waitpid(u->pid, &st, WNOHANG);
			if (r == 0) {
				if (!u->killed && now_ms >= u->started_ms + UPDOWN_TIMEOUT_MS) {
					log_warn(LOG_DAEMON,
						 "updown %s: still running after %d s, killed",
						 u->what, UPDOWN_TIMEOUT_MS / 1000);
					kill(-u->pid, SIGKILL);
					u->killed = true;
				}
				return;
			}
			if (u->out >= 0)
				read_output(u, now_ms, true);
			if (r > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0)
				log_info(LOG_DAEMON, "updown %s: done", u->what);
			else if (r > 0 && WIFEXITED(st))
				log_peer(&u->rl, now_ms, LOG_DAEMON, LOG_LVL_WARN,
					 "updown %s: exited with status %d", u->what,
					 WEXITSTATUS(st));
			else if (r > 0 && WIFSIGNALED(st))
				log_peer(&u->rl, now_ms, LOG_DAEMON, LOG_LVL_WARN,
					 "updown %s: killed by signal %d", u->what, WTERMSIG(st));
			u->pid = -1;
		}
		if (u->n == 0)
			return;
		struct run *r = &u->queue[u->head];
		u->head = (u->head + 1) % UPDOWN_QUEUE_MAX;
		u->n--;
		start(u, r, now_ms);
	}
}
