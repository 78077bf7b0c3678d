/* rampartd's control socket: a UNIX stream listener on the event loop. One request per
 * connection (lib/ctlmsg.h): the server reads one bounded frame, decodes it with the bounded
 * reader, hands it to the command handler, and streams the reply back in frames without
 * blocking the loop. At most CTL_CLIENTS_MAX clients at once; idle clients are dropped after
 * CTL_CLIENT_TIMEOUT_MS.
 *
 * Log followers (`rampart log`, a reply with follow_log set): the connection stays open and
 * gets one OUT frame per log line (daemon/logq.h formats it; JSON when the request asked for
 * it) at or below the follower's level, without a DONE frame until the daemon stops. Lines
 * from any thread reach the loop through the log tap and a queue; each follower has a
 * bounded buffer (CTL_FOLLOW_BUF): when a slow reader lets it fill, lines are dropped and
 * counted, and an ERR frame says how many once there is room again. The daemon never waits
 * for a follower. At most CTL_FOLLOWERS_MAX followers, so commands always find a slot.
 */
#ifndef RAMPART_DAEMON_CTL_SERVER_H
#define RAMPART_DAEMON_CTL_SERVER_H

#include <stdint.h>

#include "daemon/ctl_reply.h"
#include "daemon/loop.h"
#include "lib/ctlmsg.h"

#define CTL_CLIENTS_MAX	      16
#define CTL_CLIENT_TIMEOUT_MS 5000
#define CTL_FOLLOWERS_MAX     8
#define CTL_FOLLOW_BUF	      (256u << 10) /* bytes queued for one follower */

struct ctl_server;

/* Runs one command; fills rep. */
typedef void (*ctl_handler_fn)(void *ctx, const struct ctlmsg_request *req, struct ctl_reply *rep);

/* Creates the socket at path (its directory is created 0700 when missing; a stale socket
 * nobody answers on is replaced; a live one is an error, ERR_EXISTS) and registers it. The
 * server installs the log tap (lib/log.h) for its followers; ctl_server_free removes it. */
int ctl_server_new(struct ctl_server **out, struct loop *l, const char *path, ctl_handler_fn fn,
		   void *ctx);
/* Closes every client and the listener and unlinks the socket. Accepts NULL. */
void ctl_server_free(struct ctl_server *s);
/* Drops clients idle for longer than CTL_CLIENT_TIMEOUT_MS; called from the loop's tick. */
void ctl_server_tick(struct ctl_server *s, uint64_t now_ms);

#endif
