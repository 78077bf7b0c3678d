/* rampart: the command-line client of rampartd.
 *
 *   rampart [--socket PATH] [--json] xfrm state|policy ...   (iproute2 `ip xfrm` syntax)
 *   rampart [--socket PATH] [--json] stats | version
 *
 * xfrm commands are validated here with the daemon's own parser before anything is sent, so a
 * typo is reported with the argument at fault and the daemon is never asked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/client.h"
#include "daemon/version.h"
#include "daemon/xfrm_args.h"
#include "lib/ctlmsg.h"

static void usage(FILE *f)
{
	fprintf(f,
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
		"  stats\n"
		"  version\n"
		"The socket defaults to $RAMPART_SOCKET or %s.\n",
		CTL_DEFAULT_SOCKET);
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
	} else if (strcmp(args[0], "stats") != 0 && strcmp(args[0], "version") != 0) {
		fprintf(stderr, "rampart: unknown command \"%s\"\n", args[0]);
		usage(stderr);
		return 2;
	}
	int r = ctl_client_run(sock, flags, n, args);
	return r < 0 ? 1 : r;
}
