/* `ip xfrm policy add|del` arguments: the selector (src/dst prefixes, upper-layer protocol,
 * ports), direction, action, priority and the `tmpl` of a protect policy.
 */
#ifndef RAMPART_DAEMON_XFRM_POLICY_ARGS_H
#define RAMPART_DAEMON_XFRM_POLICY_ARGS_H

#include "daemon/xfrm_args.h"

struct xfrm_cur;

/* The arguments after "policy add" (add 1) or "policy del" (add 0) into *p. */
int xfrm_policy_args(struct xfrm_cur *c, struct xfrm_policy_spec *p, int add);

#endif
