/* updown scripts (daemon/updown.h): the PLUTO_* environment as strongSwan's _updown plugin
 * builds it (host/client and -v6 verbs, clients, ICMP type/code in the ports, PLUTO_UDP_ENC
 * only with a NAT), and runs that never block the caller: output and exit status logged, one
 * run at a time in order, a hanging script killed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon/updown.h"
#include "lib/err.h"
#include "lib/log.h"
#include "support/test.h"
#include "wire/ikev2_const.h"

static const char *env_get(char **envp, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; envp[i]; i++)
		if (strncmp(envp[i], name, n) == 0 && envp[i][n] == '=')
			return envp[i] + n + 1;
	return NULL;
}

struct fixture {
	struct ike_path path;
	struct conn_id lid, rid;
	struct ts_list lts, rts;
	struct ike_updown u;
};

static void fixture(struct fixture *f, const char *me, const char *peer, const char *lts,
		    const char *rts, bool up)
{
	memset(f, 0, sizeof(*f));
	addr_parse(me, &f->path.local, NULL, 0);
	addr_parse(peer, &f->path.remote, NULL, 0);
	f->path.local_port = f->path.remote_port = 500;
	conn_id_parse("moon.strongswan.org", &f->lid, NULL, 0);
	conn_id_parse("C=CH, O=strongSwan, CN=sun", &f->rid, NULL, 0);
	ts_parse_list(lts, &f->lts, NULL, 0);
	ts_parse_list(rts, &f->rts, NULL, 0);
	f->u.up = up;
	f->u.ike_id = 7;
	f->u.child_id = 9;
	f->u.reqid = 3;
	f->u.conn_name = "gw";
	f->u.child_name = "net";
	f->u.updown = "/bin/true";
	f->u.proto = IKEV2_PROTO_ESP;
	f->u.path = &f->path;
	f->u.local_id = &f->lid;
	f->u.remote_id = &f->rid;
	f->u.local_ts = &f->lts;
	f->u.remote_ts = &f->rts;
}

static void test_env(void)
{
	static const struct {
		int line;
		const char *me, *peer, *lts, *rts;
		bool up, nat;
		uint8_t proto;
		const char *verb, *my_client, *peer_client, *my_port, *peer_port, *my_proto;
	} rows[] = {
	    {__LINE__, "192.0.2.1", "192.0.2.2", "10.1.0.0/24", "10.2.0.0/24", true, false,
	     IKEV2_PROTO_ESP, "up-client", "10.1.0.0/24", "10.2.0.0/24", "0", "0", "0"},
	    {__LINE__, "192.0.2.1", "192.0.2.2", "10.1.0.0/24", "10.2.0.0/24", false, true,
	     IKEV2_PROTO_AH, "down-client", "10.1.0.0/24", "10.2.0.0/24", "0", "0", "0"},
	    /* our selector is our own address: -host */
	    {__LINE__, "192.0.2.1", "192.0.2.2", "192.0.2.1/32", "192.0.2.2/32", true, false,
	     IKEV2_PROTO_ESP, "up-host", "192.0.2.1/32", "192.0.2.2/32", "0", "0", "0"},
	    {__LINE__, "2001:db8::1", "2001:db8::2", "2001:db8::1/128", "2001:db8::2/128", false,
	     false, IKEV2_PROTO_ESP, "down-host-v6", "2001:db8::1/128", "2001:db8::2/128", "0", "0",
	     "0"},
	    /* IPv6 clients over IPv4 hosts: -v6 follows the selector */
	    {__LINE__, "192.0.2.1", "192.0.2.2", "fd00:1::/64", "fd00:2::/64", true, false,
	     IKEV2_PROTO_ESP, "up-client-v6", "fd00:1::/64", "fd00:2::/64", "0", "0", "0"},
	    /* ports and protocols; ICMP: type from the local, code from the remote side */
	    {__LINE__, "192.0.2.1", "192.0.2.2", "10.1.0.0/24[tcp/80]", "10.2.0.0/24[tcp]", true,
	     false, IKEV2_PROTO_ESP, "up-client", "10.1.0.0/24", "10.2.0.0/24", "80", "0", "6"},
	    {__LINE__, "192.0.2.1", "192.0.2.2", "10.1.0.0/24[icmp/8]", "10.2.0.0/24[icmp]", true,
	     false, IKEV2_PROTO_ESP, "up-client", "10.1.0.0/24", "10.2.0.0/24", "8", "0", "1"},
	    {__LINE__, "192.0.2.1", "192.0.2.2", "10.1.0.0/24[icmp/771]", "10.2.0.0/24[icmp]", true,
	     false, IKEV2_PROTO_ESP, "up-client", "10.1.0.0/24", "10.2.0.0/24", "3", "3", "1"},
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct fixture f;
		char buf[4096], *envp[UPDOWN_ENV_MAX];
		int line = rows[i].line;

		fixture(&f, rows[i].me, rows[i].peer, rows[i].lts, rows[i].rts, rows[i].up);
		f.u.nat = rows[i].nat;
		f.u.proto = rows[i].proto;
		f.path.remote_port = rows[i].nat ? 4500 : 500;
		T_EQ_ROW(line, f.lts.n, 1);
		T_EQ_ROW(line,
			 updown_env(&f.u, &f.lts.ts[0], &f.rts.ts[0], "eth0", buf, sizeof(buf),
				    envp, UPDOWN_ENV_MAX),
			 0);
		const struct {
			const char *name, *want;
		} checks[] = {
		    {"PLUTO_VERSION", "1.1"},
		    {"PLUTO_VERB", rows[i].verb},
		    {"PLUTO_CONNECTION", "net"},
		    {"PLUTO_INTERFACE", "eth0"},
		    {"PLUTO_REQID", "3"},
		    {"PLUTO_PROTO", rows[i].proto == IKEV2_PROTO_AH ? "ah" : "esp"},
		    {"PLUTO_UNIQUEID", "7"},
		    {"PLUTO_ME", rows[i].me},
		    {"PLUTO_MY_ID", "moon.strongswan.org"},
		    {"PLUTO_MY_CLIENT", rows[i].my_client},
		    {"PLUTO_MY_PORT", rows[i].my_port},
		    {"PLUTO_MY_PROTOCOL", rows[i].my_proto},
		    {"PLUTO_PEER", rows[i].peer},
		    {"PLUTO_PEER_ID", "C=CH, O=strongSwan, CN=sun"},
		    {"PLUTO_PEER_CLIENT", rows[i].peer_client},
		    {"PLUTO_PEER_PORT", rows[i].peer_port},
		    {"PLUTO_PEER_PROTOCOL", rows[i].my_proto},
		    {"PLUTO_UDP_ENC", rows[i].nat ? "4500" : NULL},
		};
		for (size_t k = 0; k < sizeof(checks) / sizeof(checks[0]); k++) {
			const char *v = env_get(envp, checks[k].name);
			if (!checks[k].want)
				T_OK_ROW(line, v == NULL, "%s set to '%s'", checks[k].name, v);
			else
				T_OK_ROW(line, v && strcmp(v, checks[k].want) == 0,
					 "%s = '%s', want '%s'", checks[k].name, v ? v : "(unset)",
					 checks[k].want);
		}
		T_OK_ROW(line, env_get(envp, "PATH") != NULL, "PATH passed");
		/* only PATH and PLUTO_* */
		for (size_t k = 0; envp[k]; k++)
			T_OK_ROW(line,
				 strncmp(envp[k], "PATH=", 5) == 0 ||
				     strncmp(envp[k], "PLUTO_", 6) == 0,
				 "unexpected '%s'", envp[k]);
	}
	/* too small a buffer is an error, not a truncated environment */
	{
		struct fixture f;
		char buf[64], *envp[UPDOWN_ENV_MAX];
		fixture(&f, "192.0.2.1", "192.0.2.2", "10.1.0.0/24", "10.2.0.0/24", true);
		T_EQ(updown_env(&f.u, &f.lts.ts[0], &f.rts.ts[0], "eth0", buf, sizeof(buf), envp,
				UPDOWN_ENV_MAX),
		     ERR_NOSPACE);
	}
}

/* ---- runs --------------------------------------------------------------------------------- */

static char logbuf[16384];
static size_t loglen;

static void sink(void *ctx, enum log_subsys ss, enum log_level lvl, const char *line)
{
	(void)ctx;
	(void)ss;
	(void)lvl;
	int w = snprintf(logbuf + loglen, sizeof(logbuf) - loglen, "%s\n", line);
	if (w > 0 && (size_t)w < sizeof(logbuf) - loglen)
		loglen += (size_t)w;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Polls until the log holds want (or ms pass). */
static bool wait_log(struct updown *u, const char *want, uint64_t ms)
{
	uint64_t end = now_ms() + ms;

	while (now_ms() < end) {
		updown_poll(u, now_ms());
		if (strstr(logbuf, want))
			return true;
		usleep(10000);
	}
	return strstr(logbuf, want) != NULL;
}

static void test_runs(void)
{
	char dir[] = "/tmp/rampart-updown-XXXXXX", cmd[512], path[600], line[256];
	struct updown *u = NULL;
	struct fixture f;
	uint64_t t0;
	FILE *fp;

	if (!mkdtemp(dir)) {
		T_OK(0, "mkdtemp");
		return;
	}
	log_set_sink(sink, NULL);
	log_set_level_all(LOG_LVL_INFO);
	T_EQ(updown_new(&u), 0);
	if (!u)
		return;
	fixture(&f, "192.0.2.1", "192.0.2.2", "10.1.0.0/24", "10.2.0.0/24", true);

	/* a shell command line with arguments; stderr is captured too; the exit status logged;
	 * the caller is not held up by a slow script */
	snprintf(cmd, sizeof(cmd),
		 "sleep 0.3; echo \"$PLUTO_VERB $PLUTO_CONNECTION\" >>%s/order; echo out-$1; "
		 "echo err-line >&2; exit 3 #",
		 dir);
	f.u.updown = cmd;
	t0 = now_ms();
	updown_child(u, &f.u, now_ms());
	f.u.up = false;
	updown_child(u, &f.u, now_ms());
	T_OK(now_ms() - t0 < 200, "queued without waiting (%llu ms)",
	     (unsigned long long)(now_ms() - t0));
	T_OK(wait_log(u, "updown: err-line", 5000), "stderr logged:\n%s", logbuf);
	T_OK(strstr(logbuf, "updown: out-") != NULL, "stdout logged");
	T_OK(wait_log(u, "updown down net{3}: exited with status 3", 5000), "exit status:\n%s",
	     logbuf);
	/* in order: up before down, one at a time */
	snprintf(path, sizeof(path), "%s/order", dir);
	fp = fopen(path, "r");
	T_OK(fp != NULL, "script ran");
	if (fp) {
		T_OK(fgets(line, sizeof(line), fp) && strcmp(line, "up-client net\n") == 0,
		     "first: %s", line);
		T_OK(fgets(line, sizeof(line), fp) && strcmp(line, "down-client net\n") == 0,
		     "second: %s", line);
		fclose(fp);
	}

	/* a hanging script is killed once UPDOWN_TIMEOUT_MS passed (time given by the caller) */
	loglen = 0;
	logbuf[0] = 0;
	f.u.updown = "sleep 100";
	t0 = now_ms();
	updown_child(u, &f.u, t0);
	updown_poll(u, t0 + 100);
	T_OK(strstr(logbuf, "killed") == NULL, "not killed early");
	updown_poll(u, t0 + UPDOWN_TIMEOUT_MS + 1);
	T_OK(strstr(logbuf, "still running") != NULL, "timeout logged:\n%s", logbuf);
	{
		uint64_t end = now_ms() + 3000;
		while (now_ms() < end && !strstr(logbuf, "killed by signal 9")) {
			updown_poll(u, t0 + UPDOWN_TIMEOUT_MS + 2);
			usleep(10000);
		}
	}
	T_OK(strstr(logbuf, "killed by signal 9") != NULL, "reaped:\n%s", logbuf);

	/* a child without updown runs nothing */
	loglen = 0;
	logbuf[0] = 0;
	f.u.updown = "";
	updown_child(u, &f.u, now_ms());
	updown_poll(u, now_ms());
	T_EQ(loglen, 0);

	updown_free(u);
	log_set_sink(NULL, NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		T_OK(0, "cleanup");
}

int main(void)
{
	log_set_level_all(LOG_LVL_ERROR);
	test_env();
	test_runs();
	return t_finish();
}
