/* `ip xfrm state add|del` arguments: addresses, protocol, SPI, mode, reqid, replay window,
 * flags, ESN, keyed algorithms (aead/enc/auth/auth-trunc with hex keys of the lengths the
 * Linux crypto API accepts, daemon/xfrm_alg.h), UDP encapsulation with NAT-OA, TFC padding
 * and lifetimes (`limit`).
 */
#ifndef RAMPART_DAEMON_XFRM_STATE_ARGS_H
#define RAMPART_DAEMON_XFRM_STATE_ARGS_H

#include "daemon/xfrm_args.h"

struct xfrm_cur;

/* The arguments after "state add" (add 1) or "state del" (add 0) into *s. Keys parsed before
 * a failure stay in *s for the caller's xfrm_state_spec_cleanup. */
int xfrm_state_args(struct xfrm_cur *c, struct xfrm_state_spec *s, int add);

#endif
