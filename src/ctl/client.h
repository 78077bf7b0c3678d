/* The client side of the control socket (lib/ctlmsg.h): one request, the streamed reply copied
 * to stdout/stderr, the daemon's exit status returned.
 */
#ifndef RAMPART_CTL_CLIENT_H
#define RAMPART_CTL_CLIENT_H

#include <stddef.h>

#define CTL_DEFAULT_SOCKET   "/run/rampart/rampart.ctl"
#define CTL_CLIENT_TIMEOUT_S 10

/* Sends argv to the daemon at path and relays its reply. Returns the daemon's exit status
 * (0..255), or a negative ERR_* after printing why ("rampart: cannot connect to ..."). */
int ctl_client_run(const char *path, unsigned flags, int argc, const char *const *argv);
/* As ctl_client_run, but with out != NULL the reply (output and error text) is captured into
 * out (NUL-terminated, truncated to out_size) instead of being printed. */
int ctl_client_call(const char *path, unsigned flags, int argc, const char *const *argv, char *out,
		    size_t out_size);

/* As ctl_client_run for a reply that streams (`log`): no receive timeout, stdout flushed
 * after every frame; runs until the daemon sends DONE or closes the connection (then 1). */
int ctl_client_follow(const char *path, unsigned flags, int argc, const char *const *argv);

#endif
