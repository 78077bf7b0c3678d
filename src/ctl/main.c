/* rampart: the command-line client of rampartd.
 *
 *   rampart [--socket PATH] [--json] xfrm state|policy ...   (iproute2 `ip xfrm` syntax)
 *   rampart [--socket PATH] [--json] stats | version
 *   rampart [--socket PATH] [--json] up CONN[/CHILD] [--timeout SECONDS]
 *   rampart [--socket PATH] [--json] down CONN|ID | list-sas | list-conns | reload
 *   rampart [--socket PATH] [--json] log [--level error|warn|info|debug]
 *
 * xfrm commands are validated here with the daemon's own parser before anything is sent, so a
 * typo is reported with the argument at fault and the daemon is never asked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl/client.h"
#include "daemon/version.h"
#include "daemon/xfrm_args.h"
#include "lib/ctlmsg.h"

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: rampart [--socket PATH] [--json] COMMAND\n"
	    "commands:\n"
	    "  xfrm state add src ADDR dst ADDR proto esp|ah spi SPI [mode tunnel|transport]\n"
	    "       [reqid N] [replay-window N] [flag esn] [encap espinudp SPORT DPORT OADDR]\n"
	    "       (aead NAME KEY ICV-BITS | enc NAME KEY auth[-trunc] NAME KEY [BITS] |\n"
	    "        auth[-trunc] NAME KEY [BITS])\n"
	    "  xfrm state del src ADDR dst ADDR proto esp|ah spi SPI\n"
	    "  xfrm state list | flush\n"
	    "  xfrm policy add|del src PREFIX dst PREFIX [proto P [sport N] [dport N]]\n"
	    "       dir in|out|fwd [action allow|block] [priority N]\n"
	    "       [tmpl [src ADDR dst ADDR] proto esp|ah mode tunnel|transport [reqid N]]\n"
	    "  xfrm policy list | flush\n"
	    "  up CONN[/CHILD] [--timeout S]  negotiate; waits, explains a failure\n"
	    "  down CONN|ID                    delete IKE SAs\n"
	    "  rekey CONN[/CHILD]|ID           rekey IKE SAs (or the CHILD SAs named CHILD)\n"
	    "  mobike [ID|all [ADDR]]          MOBIKE: move IKE SAs we initiated to the current\n"
	    "                                  route's source (or ADDR), tell the peer\n"
	    "  list-sas | list-conns           IKE and Child SAs (with traffic counters) /\n"
	    "                                  loaded connections\n"
	    "  reload                          re-read the configuration\n"
	    "  log [--level L]                 follow the daemon's log until interrupted\n"
	    "                                  (L: error, warn, info (default), debug)\n"
	    "  stats                           IKE and data-plane counters\n"
	    "  version\n"
	    "The socket defaults to $RAMPART_SOCKET or %s.\n",
	    CTL_DEFAULT_SOCKET);
}

static int is_plain_command(const char *c)
{
	static const char *const cmds[] = {"stats",  "version",	 "down",       "status", "rekey",
					   "mobike", "list-sas", "list-conns", "reload", NULL};
	for (size_t i = 0; cmds[i]; i++)
		if (strcmp(c, cmds[i]) == 0)
			return 1;
	return 0;
}

/* up CONN[/CHILD] [--timeout S]: starts the negotiation, then polls its status until it is
 * established or failed; exits 1 with the daemon's one-sentence reason on failure. */
static int cmd_up(const char *sock, unsigned flags, int n, const char *const *args)
{
	char reply[1024];
	unsigned long timeout = 120, id;
	const char *req[2];
	char idbuf[16];
	int r;

	if (n == 4 && strcmp(args[2], "--timeout") == 0) {
		char *end;
		timeout = strtoul(args[3], &end, 10);
		if (*end || !timeout) {
			fprintf(stderr, "rampart: invalid --timeout \"%s\": expected seconds\n",
				args[3]);
			return 2;
		}
	} else if (n != 2) {
		fprintf(stderr, "rampart: usage: up CONN[/CHILD] [--timeout SECONDS]\n");
		return 2;
	}
	req[0] = "up";
	req[1] = args[1];
	r = ctl_client_call(sock, 0, 2, req, reply, sizeof(reply));
	if (r < 0)
		return 1;
	if (r != 0 || sscanf(reply, "initiated %lu", &id) != 1) {
		fprintf(stderr, "%s", reply);
		return 1;
	}
	snprintf(idbuf, sizeof(idbuf), "%lu", id);
	req[0] = "status";
	req[1] = idbuf;
	for (unsigned long waited = 0; waited <= timeout * 10; waited++) {
		r = ctl_client_call(sock, 0, 2, req, reply, sizeof(reply));
		if (r < 0)
			return 1;
		if (r != 0) {
			fprintf(stderr, "%s", reply);
			return 1;
		}
		if (strncmp(reply, "connecting", 10) != 0) {
			int ok = strncmp(reply, "established", 11) == 0;
			if (flags & CTLMSG_FLAG_JSON)
				return ctl_client_run(sock, flags, 2, req) == 0 && ok ? 0 : 1;
			fprintf(ok ? stdout : stderr, "%s%s", ok ? "" : "rampart: ", reply);
			return ok ? 0 : 1;
		}
		usleep(100000);
	}
	fprintf(stderr, "rampart: %s still connecting after %lus (rampart status %lu)\n", args[1],
		timeout, id);
	return 1;
}

int main(int argc, char **argv)
{
	const char *sock = getenv("RAMPART_SOCKET");
	unsigned flags = 0;
	int i = 1;

	if (!sock || !*sock)
		sock = CTL_DEFAULT_SOCKET;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--version") == 0) {
			printf("rampart %s\n", RAMPART_VERSION);
			return 0;
		}
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		}
		if (strcmp(argv[i], "--json") == 0 || strcmp(argv[i], "-j") == 0) {
			flags |= CTLMSG_FLAG_JSON;
		} else if (strcmp(argv[i], "--socket") == 0 || strcmp(argv[i], "-s") == 0) {
			if (++i == argc) {
				fprintf(stderr, "rampart: --socket needs a path\n");
				return 2;
			}
			sock = argv[i];
		} else {
			fprintf(stderr, "rampart: unknown option \"%s\"\n", argv[i]);
			usage(stderr);
			return 2;
		}
	}
	if (i == argc) {
		usage(stderr);
		return 2;
	}
	const char *const *args = (const char *const *)argv + i;
	int n = argc - i;
	if (strcmp(args[0], "xfrm") == 0) {
		char err[XFRM_ERR_MAX];
		struct xfrm_cmd cmd;
		if (xfrm_args_parse(n - 1, args + 1, &cmd, err, sizeof(err))) {
			fprintf(stderr, "rampart: %s\n", err);
			return 1;
		}
		xfrm_cmd_cleanup(&cmd);
	} else if (strcmp(args[0], "up") == 0) {
		return cmd_up(sock, flags, n, args);
	} else if (strcmp(args[0], "log") == 0) {
		if (!(n == 1 || (n == 3 && strcmp(args[1], "--level") == 0))) {
			fprintf(stderr, "rampart: usage: log [--level error|warn|info|debug]\n");
			return 2;
		}
		int lr = ctl_client_follow(sock, flags, n, args);
		return lr < 0 ? 1 : lr;
	} else if (!is_plain_command(args[0])) {
		fprintf(stderr, "rampart: unknown command \"%s\"\n", args[0]);
		usage(stderr);
		return 2;
	}
	int r = ctl_client_run(sock, flags, n, args);
	return r < 0 ? 1 : r;
}
