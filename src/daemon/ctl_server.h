/* rampartd's control socket: a UNIX stream listener on the event loop. One request per
 * connection (lib/ctlmsg.h): the server reads one bounded frame, decodes it with the bounded
 * reader, hands it to the command handler, and streams the reply back in frames without
 * blocking the loop. At most CTL_CLIENTS_MAX clients at once; idle clients are dropped after
 * CTL_CLIENT_TIMEOUT_MS.
 */
#ifndef RAMPART_DAEMON_CTL_SERVER_H
#define RAMPART_DAEMON_CTL_SERVER_H

#include <stdint.h>

#include "daemon/ctl_reply.h"
#include "daemon/loop.h"
#include "lib/ctlmsg.h"

#define CTL_CLIENTS_MAX	      16
#define CTL_CLIENT_TIMEOUT_MS 5000

struct ctl_server;

/* Runs one command; fills rep. */
typedef void (*ctl_handler_fn)(void *ctx, const struct ctlmsg_request *req, struct ctl_reply *rep);

/* Creates the socket at path (its directory is created 0700 when missing; a stale socket
 * nobody answers on is replaced; a live one is an error, ERR_EXISTS) and registers it. */
int ctl_server_new(struct ctl_server **out, struct loop *l, const char *path, ctl_handler_fn fn,
		   void *ctx);
/* Closes every client and the listener and unlinks the socket. Accepts NULL. */
void ctl_server_free(struct ctl_server *s);
/* Drops clients idle for longer than CTL_CLIENT_TIMEOUT_MS; called from the loop's tick. */
void ctl_server_tick(struct ctl_server *s, uint64_t now_ms);

#endif
