/* rampartd's IKE side: the IKEv2 engine (src/ike) wired to the daemon.
 *
 * - Configuration: the connections, secrets and authorities of the swanctl.conf-syntax file
 *   (cfg/swanctl.h), loaded at start and on reload; connections with a child whose
 *   start_action is "start" are initiated once loaded.
 * - Datagrams: UDP sockets on port 500 (IPv4 and IPv6) owned here; port 4500 is shared with
 *   ESP in UDP: the data plane's workers hand IKE datagrams (non-ESP marker) over a socket
 *   pair, and IKE sends on the data plane's 4500 sockets with the marker prepended.
 * - Child SAs: installed through the same path as `rampart xfrm` (ctl_cmds_xfrm): one state
 *   per direction, and in/out policies for every pair of negotiated selectors.
 * - Control commands: up, down, status, list-sas, list-conns, reload (ike_io_handle).
 *
 * Everything runs on the control thread's event loop; the engine is driven with the loop's
 * monotonic clock.
 */
#ifndef RAMPART_DAEMON_IKE_IO_H
#define RAMPART_DAEMON_IKE_IO_H

#include <stdint.h>

#include "daemon/ctl_cmds.h"
#include "daemon/ctl_reply.h"
#include "daemon/loop.h"
#include "lib/ctlmsg.h"

struct ike_io;
struct dataplane;

/* Loads the IKE configuration of the file at path (errors are logged with FILE:LINE), opens the
 * port-500 sockets and registers them with the loop. cmds installs Child SAs; dp (may be NULL)
 * provides the port-4500 sockets. ERR_INVAL for a bad configuration, ERR_IO, ERR_NOMEM. */
int ike_io_new(struct ike_io **out, struct loop *loop, struct ctl_cmds *cmds, struct dataplane *dp,
	       const char *path);
/* The engine's retransmission settings (ike_engine_set_retransmit): 0 or ERR_INVAL. */
int ike_io_set_retransmit(struct ike_io *io, uint32_t timeout_ms, unsigned base_x10,
			  unsigned tries);
/* The NAT keepalive interval (ike_engine_set_keepalive), seconds; 0 disables. */
void ike_io_set_keepalive(struct ike_io *io, uint32_t seconds);
/* Initiates the connections whose children have start_action = start. */
void ike_io_start(struct ike_io *io);
/* Closes the sockets and frees the engine (without deleting SAs at the peer). Accepts NULL. */
void ike_io_free(struct ike_io *io);
/* Runs the engine's timers; called from the loop's tick. */
void ike_io_tick(struct ike_io *io, uint64_t now_ms);
/* Re-reads the configuration. Established SAs keep the connection they were set up with.
 * Returns 0 or ERR_INVAL (the old configuration stays). */
int ike_io_reload(struct ike_io *io);
/* Checks the IKE part of a configuration file without running anything (rampartd --check).
 * Errors go to the log. Returns 0 or ERR_INVAL; *nconns receives the number of connections. */
int ike_io_check(const char *path, size_t *nconns);

/* ctl_handler_fn: the IKE commands, everything else goes to ctl_cmds_handle(cmds). */
void ike_io_handle(void *ctx, const struct ctlmsg_request *req, struct ctl_reply *rep);

#endif
