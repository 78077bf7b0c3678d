/* ESP in UDP (RFC 3948) sent through the port-4500 UDP socket in trains: consecutive protected
 * packets of one destination with equal-size payloads go out in one sendmsg with UDP_SEGMENT
 * (UDP GSO, Linux 4.18), so the kernel routes, queues and crosses the link once per train
 * instead of once per packet. The payloads are gathered from the caller's packet buffers
 * (iovecs, no copy); IP_PKTINFO/IPV6_PKTINFO set the SA's source address, IP_TOS/IPV6_TCLASS
 * and IP_TTL/IPV6_HOPLIMIT the outer header's DSCP/ECN and TTL as esp_protect wrote them.
 *
 * A packet qualifies when it is UDP from port 4500 with a plain outer header (IPv4: 20 bytes,
 * DF set, not a fragment, as the socket's path-MTU mode sends; IPv6: 40 bytes, no extension
 * header); anything else goes to the raw socket as before. A train takes packets while their
 * payloads have the train's segment size; one shorter packet ends it (UDP GSO's rule: only
 * the last segment may be short). At most UDPTX_SEGS packets and UDPTX_BYTES payload bytes.
 *
 * When the kernel refuses a train (no UDP GSO, a source address it will not use), the train's
 * packets are handed back whole, IP header included, through the callback (the caller sends
 * them on the raw socket).
 */
#ifndef RAMPART_DAEMON_UDPTX_H
#define RAMPART_DAEMON_UDPTX_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define UDPTX_MSGS  8	  /* trains per sendmmsg */
#define UDPTX_SEGS  64	  /* packets per train (the kernel's UDP_MAX_SEGMENTS is >= 64) */
#define UDPTX_IOVS  256	  /* packets queued over all trains */
#define UDPTX_BYTES 60000 /* payload bytes per train (an IP datagram holds 65535) */
#define UDPTX_PORT  4500

/* Called for each packet of a refused train (ip: the whole IP packet) and for every queued
 * buffer once it is no longer needed (ip NULL): the caller owns buffer bi again. */
typedef void (*udptx_done_fn)(void *ctx, unsigned bi, uint8_t *ip, size_t len);

struct udptx_train {
	uint8_t src[16], dst[16];
	uint16_t dport;
	uint8_t tos, ttl;
	bool closed;
	size_t seg, bytes;
	unsigned iov0, n;
};

struct udptx {
	int fd, family; /* the UDP socket bound to port 4500; AF_INET or AF_INET6 */
	udptx_done_fn done;
	void *ctx;
	unsigned nmsg, niov;
	uint64_t sent, errors; /* packets sent; dropped (send buffer full for 100 ms) */
	uint64_t refused;      /* trains handed back for the raw socket */
	struct udptx_train tr[UDPTX_MSGS];
	struct mmsghdr msg[UDPTX_MSGS];
	struct sockaddr_storage to[UDPTX_MSGS];
	union {
		uint8_t b[CMSG_SPACE(sizeof(uint16_t)) + CMSG_SPACE(sizeof(struct in6_pktinfo)) +
			  2 * CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl[UDPTX_MSGS];
	struct iovec iov[UDPTX_IOVS];
	unsigned buf[UDPTX_IOVS];
	uint16_t len[UDPTX_IOVS]; /* whole packet length, for the fallback */
	uint8_t hdr[UDPTX_IOVS];  /* bytes of IP + UDP header in front of the payload */
};

/* fd < 0 makes every udptx_add decline. */
void udptx_init(struct udptx *q, int fd, int family, udptx_done_fn done, void *ctx);

/* Whether the protected packet ip[0..len) (UDP header at l4off) can take the UDP socket. */
bool udptx_eligible(const struct udptx *q, const uint8_t *ip, size_t len, size_t l4off);

/* Queues an eligible packet held in buffer bi (flushing first when the queue is full).
 * The buffer comes back through the callback. */
void udptx_add(struct udptx *q, unsigned bi, uint8_t *ip, size_t len, size_t l4off);

/* Sends every queued train; every buffer comes back through the callback. */
void udptx_flush(struct udptx *q);

static inline bool udptx_pending(const struct udptx *q)
{
	return q->niov > 0;
}

#endif
