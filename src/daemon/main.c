/* rampartd: the Rampart IKE and data-plane daemon. */
#include <stdio.h>
#include <string.h>

#include "daemon/version.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: rampartd [--version] [--help]\n");
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--version") == 0) {
			printf("rampartd %s\n", RAMPART_VERSION);
			return 0;
		}
		if (strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		}
		fprintf(stderr, "rampartd: unknown option '%s'\n", argv[i]);
		usage(stderr);
		return 2;
	}
	usage(stderr);
	return 2;
}
