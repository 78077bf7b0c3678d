/* The updown script (swanctl.conf children.<name>.updown), run as strongSwan's _updown plugin
 * runs it: once per pair of local and remote selectors of a Child SA when it comes up and when
 * it goes down, as `/bin/sh -c "2>&1 UPDOWN"` (so the value is a shell command line: a
 * relative name is looked up in PATH, arguments are allowed), with an environment of PATH and
 * the PLUTO_* variables (PLUTO_VERSION, PLUTO_VERB up-/down- + host/client + -v6,
 * PLUTO_CONNECTION (the child's name), PLUTO_INTERFACE, PLUTO_REQID, PLUTO_PROTO,
 * PLUTO_UNIQUEID, PLUTO_ME, PLUTO_MY_ID, PLUTO_MY_CLIENT, PLUTO_MY_PORT, PLUTO_MY_PROTOCOL,
 * PLUTO_PEER, PLUTO_PEER_ID, PLUTO_PEER_CLIENT, PLUTO_PEER_PORT, PLUTO_PEER_PROTOCOL and, with
 * a NAT, PLUTO_UDP_ENC). Nothing secret is passed.
 *
 * Unlike charon, rampartd never waits for a script: runs are queued and started one at a time
 * (in order, so a "down" never overtakes its "up"), their output is read without blocking and
 * logged line by line ("updown: ...", rate-limited), the exit status is logged, and a script
 * still running after UPDOWN_TIMEOUT_MS is killed (its process group). Call updown_poll from
 * the event loop's tick.
 */
#ifndef RAMPART_DAEMON_UPDOWN_H
#define RAMPART_DAEMON_UPDOWN_H

#include <stdint.h>

#include "ike/ike.h"

#define UPDOWN_QUEUE_MAX  64	/* runs waiting; more are dropped with a log line */
#define UPDOWN_TIMEOUT_MS 30000 /* a script running longer is killed */
#define UPDOWN_ENV_MAX	  32	/* environment entries of one run */

struct updown;
struct netmon;

int updown_new(struct updown **out);
/* Where PLUTO_INTERFACE comes from (the interface of our address); NULL: "unknown". */
void updown_set_netmon(struct updown *u, const struct netmon *nm);
/* Frees the queue; a running script is left to finish on its own. Accepts NULL. */
void updown_free(struct updown *u);
/* Queues the runs for one notification (nothing when u->updown is empty). */
void updown_child(struct updown *u, const struct ike_updown *info, uint64_t now_ms);
/* Reads output, reaps and times out the running script, starts the next one. */
void updown_poll(struct updown *u, uint64_t now_ms);

/* The environment of one run (for tests): envp[0..n) "NAME=value" strings written into buf
 * (cap bytes), NULL-terminated. ERR_NOSPACE. */
int updown_env(const struct ike_updown *info, const struct ts *my_ts, const struct ts *other_ts,
	       const char *iface, char *buf, size_t cap, char **envp, size_t env_cap);

#endif
