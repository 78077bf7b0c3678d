/* rampartd's configuration: the `rampart { ... }` section of a swanctl.conf-syntax file.
 *
 *   rampart {
 *       control = /run/rampart/rampart.ctl   # control socket path
 *       tun = rampart0                       # TUN device for the clear side
 *       mtu = 1400                           # TUN MTU
 *       workers = 2                          # data-plane threads (1 = one thread both ways)
 *       table = 220                          # routing table for protected destinations
 *       fwmark = 0x2200                      # mark on our own ESP/UDP packets (skips the table)
 *       offload = yes                        # IFF_VNET_HDR + TSO/USO on the TUN when available
 *       retransmit_timeout = 4.0             # IKE: seconds to the first retransmit
 *       retransmit_base = 1.8                # IKE: back-off factor per retransmit
 *       retransmit_tries = 5                 # IKE: retransmits before giving up (DPD: dead)
 *       keep_alive = 20s                     # NAT keepalive interval behind a NAT (0: none)
 *       log {                                # levels per subsystem (error|warn|info|debug),
 *           default = info                   #   as strongSwan's charon.syslog.daemon.<subsys>;
 *           ike = debug                      #   --debug SUBSYS overrides; a SIGHUP applies
 *       }                                    #   changes
 *       xfrm {                               # static SAs and policies, ip-xfrm syntax:
 *           state-NAME = "src ... dst ..."   #   `xfrm state add` + the value
 *           policy-NAME = "src ... dir ..."  #   `xfrm policy add` + the value
 *       }
 *   }
 *
 * The file is read with cfg/conf (strongSwan's syntax, includes, references); names in the
 * rampart section are checked (typos get a suggestion). Other top-level sections (connections,
 * secrets, ...) belong to the IKE side and are skipped. Entries of `xfrm` are applied in file
 * order. Errors name the file and line.
 */
#ifndef RAMPART_DAEMON_CONFIG_H
#define RAMPART_DAEMON_CONFIG_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/un.h>

#include "daemon/xfrm_args.h"
#include "lib/log.h"

#define CONFIG_DEFAULT_CONTROL "/run/rampart/rampart.ctl"
#define CONFIG_DEFAULT_TUN     "rampart0"
#define CONFIG_XFRM_MAX	       1024 /* static states + policies */
#define CONFIG_FILE_MAX	       (1u << 20)
#define CONFIG_WORKERS_MAX     16

struct config_xfrm {
	unsigned line;
	bool policy; /* else state */
	char name[64];
	char args[XFRM_LINE_MAX];
};

struct daemon_config {
	char path[256];
	char control[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char tun[IF_NAMESIZE];
	unsigned mtu;
	unsigned workers;
	uint32_t table;
	uint32_t fwmark;
	bool offload;
	/* IKE retransmission, strongSwan's charon.retransmit_* (ike_engine_set_retransmit) */
	uint32_t retransmit_timeout_ms;
	unsigned retransmit_base_x10, retransmit_tries;
	uint32_t keep_alive_s; /* NAT keepalives, strongSwan's charon.keep_alive (0 = none) */
	/* log { }: the default level and each subsystem's (enum log_level; -1: not set) */
	int8_t log_default;
	int8_t log_level[LOG_SUBSYS_COUNT];
	size_t n_xfrm, cap_xfrm;
	struct config_xfrm *xfrm;
};

/* Defaults only (no file). */
void config_defaults(struct daemon_config *c);
/* Reads and validates path (every xfrm entry is parsed with xfrm_args_parse). On error returns
 * ERR_* and writes "FILE:LINE: reason" into err; *c is then left with defaults. */
int config_load(struct daemon_config *c, const char *path, char *err, size_t err_size);
/* Same from a buffer (tests, fuzzing); name is used in messages. */
int config_parse(struct daemon_config *c, const char *name, const char *text, size_t len, char *err,
		 size_t err_size);
void config_cleanup(struct daemon_config *c);
/* Sets every subsystem's log level from c's log section (unset: its default, else info), then
 * debug for the subsystems whose bit (1 << enum log_subsys) is in debug_mask (--debug). */
void config_apply_log(const struct daemon_config *c, uint32_t debug_mask);
/* Builds the argv of entry e ("state" "add" ...) into words (pointing into buf). */
int config_xfrm_argv(const struct config_xfrm *e, char *buf, size_t buf_size, const char **words,
		     int max);

#endif
