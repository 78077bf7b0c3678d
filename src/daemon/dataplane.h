/* The userspace ESP/AH data plane behind rampartd: owns the TUN, the sockets, the SAD and SPD
 * of src/esp, the routes and the worker threads (daemon/worker.h), and turns the control
 * side's manual states and policies (daemon/xfrm_db.h) into them.
 *
 * States: a state whose src is a local address is outbound, one whose dst is local inbound
 * (decided by ctl_cmds). Outbound SAs get an internal reqid; each outbound policy's template
 * is resolved to the outbound SA that matches it (tmpl src/dst, proto, mode and, when given,
 * reqid), the way the kernel matches templates to states, and re-resolved on every change.
 * Inbound SAs keep the configured reqid, which the inbound policy check compares.
 *
 * Policies: every change rebuilds the SPD, publishes it to the workers with an atomic swap and
 * frees the old one once no worker holds it. Outbound allow-with-template policies get a route
 * for their destination through the TUN in Rampart's table (preferred source: a local address
 * inside the policy's source prefix, if any).
 */
#ifndef RAMPART_DAEMON_DATAPLANE_H
#define RAMPART_DAEMON_DATAPLANE_H

#include <stdint.h>

#include "daemon/config.h"
#include "daemon/ctl_cmds.h"

struct dataplane;
struct netmon;

/* Opens the TUN (brought up with the configured MTU), the sockets and the routing rule. */
int dataplane_new(struct dataplane **out, const struct daemon_config *cfg);
/* The local addresses routes take their preferred source from (NULL: none). */
void dataplane_set_netmon(struct dataplane *dp, const struct netmon *nm);
/* Starts the worker threads. */
int dataplane_start(struct dataplane *dp);
/* Stops the workers, removes routes and rules, closes everything. Accepts NULL. */
void dataplane_free(struct dataplane *dp);
void dataplane_tick(struct dataplane *dp, uint64_t now_ms);
/* The UDP socket bound to port 4500 (ESP in UDP and IKE after NAT-T), -1 when absent. IKE
 * sends on it (with the non-ESP marker); the workers receive on it. */
int dataplane_udp4500_fd(const struct dataplane *dp, int v6);
/* The firewall mark that takes a packet out of Rampart's routing table (its own sockets carry
 * it: IKE on port 500 must not be caught by policies between the same hosts). */
uint32_t dataplane_fwmark(const struct dataplane *dp);
/* Where the workers hand IKE datagrams received on port 4500 (struct dp_ike_hdr + message);
 * -1 drops and counts them. */
void dataplane_set_ike_fd(struct dataplane *dp, int fd);

/* An eventfd that becomes readable when a packet raised an SA lifetime event; the control
 * loop then runs ctl_cmds_expire (and reads the fd to clear it). */
int dataplane_event_fd(const struct dataplane *dp);
/* CLOCK_MONOTONIC in seconds: the clock of the data plane's time lifetimes. */
uint64_t dataplane_now_s(void);

/* The backend table for ctl_cmds (ctx is the struct dataplane). */
extern const struct ctl_dp_ops dataplane_ops;

#endif
