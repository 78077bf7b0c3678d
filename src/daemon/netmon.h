/* The local addresses of this network namespace, kept current from rtnetlink: one cache that
 * answers "is this address ours" without a syscall (getifaddrs cost ~40 us a call, once per
 * installed SA before), and tells watchers when an address comes or goes (MOBIKE, RFC 4555
 * §3.5: our own address list changed).
 *
 *   netmon_new:  socket subscribed to RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR, RTNLGRP_LINK,
 *                then a synchronous RTM_GETADDR dump (on a second socket) fills the cache
 *   loop:        netmon_attach registers the socket; each RTM_NEWADDR / RTM_DELADDR /
 *                RTM_DELLINK updates the cache, then calls the watchers
 *   overrun:     a lost notification (ENOBUFS) triggers a fresh dump; the difference is
 *                reported to the watchers as adds and deletes
 *
 * Address of an entry: IFA_LOCAL when present, else IFA_ADDRESS (as getifaddrs: on a
 * point-to-point link IFA_ADDRESS is the peer). An entry is keyed by (address, ifindex, prefix
 * length); the same address on two interfaces is two entries. Tentative IPv6 addresses (still
 * in DAD) are entries too; their IFA_F_* flags say so, and a change of flags (DAD done) is
 * reported as NETMON_ADDR_UPDATE.
 *
 * Every byte from the socket goes through the bounded reader (lib/buf.h); a malformed message
 * is counted and skipped, never trusted. Only messages from the kernel (nl_pid 0) are read.
 * Lookups are O(1) expected (hash on the address); at most NETMON_ADDRS_MAX entries are kept
 * (more are counted as dropped). Single-threaded: the control loop's thread only.
 */
#ifndef RAMPART_DAEMON_NETMON_H
#define RAMPART_DAEMON_NETMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/addr.h"

#define NETMON_ADDRS_MAX    65536
#define NETMON_WATCHERS_MAX 8

struct loop;
struct netmon;

enum netmon_event {
	NETMON_ADDR_ADD = 1,	/* a new address entry */
	NETMON_ADDR_DEL = 2,	/* an entry went (address removed, or its link deleted) */
	NETMON_ADDR_UPDATE = 3, /* an existing entry's flags or scope changed (DAD finished) */
};

struct netmon_addr {
	struct addr addr;
	int ifindex;
	uint8_t prefix_len;
	uint8_t scope;	/* RT_SCOPE_* (<linux/rtnetlink.h>): 0 universe, 253 link, 254 host */
	uint32_t flags; /* IFA_F_* (<linux/if_addr.h>): IFA_F_TENTATIVE, IFA_F_DEPRECATED... */
};

/* Called after the cache changed (lookups already see the change), on the loop's thread. The
 * entry is only valid during the call. A watcher must not add or remove watchers. */
typedef void (*netmon_fn)(void *ctx, enum netmon_event ev, const struct netmon_addr *a);

struct netmon_stats {
	uint64_t messages;  /* netlink messages read */
	uint64_t malformed; /* skipped: short header, bad attribute, address of the wrong size */
	uint64_t dropped;   /* entries not kept: NETMON_ADDRS_MAX reached */
	uint64_t resyncs;   /* full dumps after an overrun */
};

/* Opens and subscribes the socket and fills the cache with a dump. ERR_IO (errno set), ERR_NOMEM.
 */
int netmon_new(struct netmon **out);
/* An empty cache without a socket, fed through netmon_input (tests, fuzzing). */
int netmon_new_detached(struct netmon **out);
/* Unregisters from the loop, closes, frees. Accepts NULL. */
void netmon_free(struct netmon *nm);
/* Reads the socket whenever it is readable on l. 0 or the loop's error. */
int netmon_attach(struct netmon *nm, struct loop *l);
/* Drains the socket now (what the loop calls). */
void netmon_read(struct netmon *nm);
/* Applies one datagram of netlink messages (RTM_NEWADDR, RTM_DELADDR, RTM_DELLINK; others are
 * ignored) to the cache and calls the watchers. 0, or ERR_TRUNC when a malformed message ended
 * the datagram (the messages before it were applied). */
int netmon_input(struct netmon *nm, const uint8_t *data, size_t len);

/* Reads every address again (what an overrun triggers): entries gone are reported as deleted,
 * new ones as added. 0, or ERR_IO when the dump failed (the cache stays as it was). */
int netmon_resync(struct netmon *nm);

/* Whether a is an address of an interface here. */
bool netmon_is_local(const struct netmon *nm, const struct addr *a);
/* The entry of address a (one of them when it is on several interfaces): 0 or ERR_NOTFOUND. */
int netmon_find(const struct netmon *nm, const struct addr *a, struct netmon_addr *out);
/* A local address inside p (p->len > 0), for a route's preferred source: 0 or ERR_NOTFOUND.
 * With several, one of the non-tentative ones; which one is unspecified. */
int netmon_local_in_prefix(const struct netmon *nm, const struct prefix *p, struct addr *out);
/* Enumeration: entries 0..count-1, in no particular order (valid until the next change). */
size_t netmon_count(const struct netmon *nm);
int netmon_get(const struct netmon *nm, size_t i, struct netmon_addr *out);
void netmon_get_stats(const struct netmon *nm, struct netmon_stats *out);

/* Registers fn(ctx) for every change: ERR_LIMIT past NETMON_WATCHERS_MAX. */
int netmon_watch(struct netmon *nm, netmon_fn fn, void *ctx);
/* Removes the registration of (fn, ctx); nothing when absent. */
void netmon_unwatch(struct netmon *nm, netmon_fn fn, void *ctx);

#endif
