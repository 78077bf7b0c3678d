/* The inbound half of a data-plane worker (network -> TUN): recvmmsg on the raw ESP/AH sockets
 * (the IPv6 header rebuilt from the ancillary data) and the UDP 4500 sockets (UDP_GRO datagrams
 * split into their ESP packets), esp_input / esp_input_udp, the inbound policy check (RFC 4301
 * §5.2), TCP segments coalesced (daemon/gro.h) and written to the TUN; IKE messages and NAT
 * mapping changes handed to the control thread.
 */
#ifndef RAMPART_DAEMON_WORKER_IN_H
#define RAMPART_DAEMON_WORKER_IN_H

#include <stdint.h>

struct dp_worker;

/* Allocates w's receive buffers (the UDP_GRO ones only with a UDP socket) and, with a
 * vnet-header TUN, its TCP coalescing. 0 or ERR_NOMEM; dpw_in_cleanup frees what was
 * allocated either way. */
int dpw_in_init(struct dp_worker *w);
/* Frees the receive buffers and the coalescing state; accepts a worker without them. */
void dpw_in_cleanup(struct dp_worker *w);
/* Receives what socket fd has (bounded) and delivers it. kind: 0 raw IPv4, 1 raw IPv6 (proto
 * is the socket's, ESP or AH), 2 UDP IPv4, 3 UDP IPv6. Called by w's thread. */
void dpw_in_drain(struct dp_worker *w, int fd, int kind, uint8_t proto);

#endif
