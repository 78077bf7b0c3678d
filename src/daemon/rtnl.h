/* rtnetlink for the data plane's plumbing: bring the TUN up with its MTU, routes for protected
 * destinations through it in Rampart's own table, and the policy rule that sends everything
 * except Rampart's own marked packets through that table (so an ESP packet to a peer whose
 * address is itself protected, as in transport mode, does not loop back into the TUN).
 *
 *   ip rule add pref PREF not fwmark MARK/MARK lookup TABLE
 *   ip route add PREFIX dev TUN table TABLE [src ADDR]
 *
 * Every request is acknowledged; the kernel's answer is read through the bounded reader.
 */
#ifndef RAMPART_DAEMON_RTNL_H
#define RAMPART_DAEMON_RTNL_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/addr.h"

struct rtnl {
	int fd;
	uint32_t seq;
};

int rtnl_open(struct rtnl *nl);
void rtnl_close(struct rtnl *nl);
/* Sets the MTU and brings the link up. */
int rtnl_link_up(struct rtnl *nl, int ifindex, unsigned mtu);
/* Adds (add=true, replacing an existing route) or deletes a route to dst via ifindex in table.
 * src (may be NULL or unset) becomes the preferred source address. */
int rtnl_route(struct rtnl *nl, bool add, const struct prefix *dst, int ifindex, uint32_t table,
	       const struct addr *src);
/* The preferred source address the kernel picks for a packet to dst (RTM_GETROUTE, as `ip route
 * get DST mark MARK`; mark 0: none) into *src: 0, ERR_NOTFOUND (a route without a source),
 * ERR_IO with errno (ENETUNREACH: no route). Used for MOBIKE's new local address. */
int rtnl_route_src(struct rtnl *nl, const struct addr *dst, uint32_t mark, struct addr *src);
/* Adds or deletes `pref PREF not fwmark MARK/MARK lookup TABLE` for family. */
int rtnl_rule(struct rtnl *nl, bool add, int family, uint32_t pref, uint32_t mark, uint32_t table);

#endif
