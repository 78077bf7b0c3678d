/* Control-socket requests can carry keys (`rampart xfrm state add ... 0xKEY`): neither the CLI
 * side (ctl/client.c) nor the daemon side (daemon/ctl_server.c: receive buffer, decoded request)
 * frees a block still holding the key text. A forked child sends the request through
 * ctl_client_call and scans its own frees; the parent runs the server and scans its frees
 * (support/freescan.h). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ctl/client.h"
#include "daemon/ctl_reply.h"
#include "daemon/ctl_server.h"
#include "daemon/loop.h"
#include "lib/ctlmsg.h"
#include "support/freescan.h"
#include "support/test.h"

#define KEY_HEX "6b65792d746f2d62652d77697065642d31323334"

static const char *const request[] = {
    "xfrm", "state", "add",    "src",  "192.0.2.1", "dst",  "192.0.2.2",	 "proto",
    "esp",  "spi",   "0x1000", "mode", "tunnel",    "aead", "rfc4106(gcm(aes))", "0x" KEY_HEX,
    "128",
};
#define NREQ ((int)(sizeof(request) / sizeof(request[0])))

struct server_ctx {
	struct loop *loop;
	int seen; /* requests whose key word arrived intact */
};

static void handler(void *ctx, const struct ctlmsg_request *req, struct ctl_reply *rep)
{
	struct server_ctx *sc = ctx;

	if (req->argc == NREQ && strcmp(req->argv[NREQ - 2], "0x" KEY_HEX) == 0)
		sc->seen++;
	ctl_reply_printf(rep, "ok\n");
	loop_stop(sc->loop);
}

/* The child: one request, its own frees scanned; the exit status says what it found. */
static void client(const char *path)
{
	char out[256];
	size_t freed = 0, hits;
	int rc;

	if (!freescan_start(KEY_HEX, strlen(KEY_HEX)))
		_exit(10);
	rc = ctl_client_call(path, 0, NREQ, request, out, sizeof(out));
	hits = freescan_stop(&freed);
	if (rc != 0 || strcmp(out, "ok\n") != 0)
		_exit(11);
	if (freed == 0)
		_exit(12);
	_exit(hits ? 20 + (int)(hits > 9 ? 9 : hits) : 0);
}

static void test_request_wiped(void)
{
	char dir[] = "/tmp/rampart-ctlwipe-XXXXXX", path[256];
	struct server_ctx sc = {0};
	struct ctl_server *s = NULL;
	size_t freed = 0, hits;
	int status = -1;
	pid_t pid;

	T_OK(freescan_available(), "the test build has ASan's allocator hooks");
	if (!freescan_available() || !mkdtemp(dir))
		return;
	snprintf(path, sizeof(path), "%s/ctl", dir);
	T_EQ(loop_new(&sc.loop, NULL, NULL), 0);
	T_EQ(ctl_server_new(&s, sc.loop, path, handler, &sc), 0);
	if (!s)
		goto out;
	T_OK(freescan_start(KEY_HEX, strlen(KEY_HEX)), "scanner starts");
	pid = fork();
	if (pid == 0)
		client(path);
	T_OK(pid > 0, "fork");
	if (pid > 0) {
		alarm(20); /* a hung client or server fails the test instead of blocking it */
		T_EQ(loop_run(sc.loop), 0);
		ctl_server_free(s);
		s = NULL;
		hits = freescan_stop(&freed);
		T_EQ(sc.seen, 1);
		T_EQ(hits, 0);
		T_OK(freed > 0, "the server freed %zu blocks", freed);
		T_EQ(waitpid(pid, &status, 0), pid);
		alarm(0);
		T_OK(WIFEXITED(status), "client exited");
		T_EQ(WEXITSTATUS(status), 0); /* 20+N: N unwiped blocks in the client */
	}
	freescan_stop(NULL);
out:
	ctl_server_free(s);
	loop_free(sc.loop);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	test_request_wiped();
	return t_finish();
}
