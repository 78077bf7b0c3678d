/* Reading netlink datagrams (rtnetlink answers and notifications) through the bounded reader:
 * one walker for the messages of a datagram and one for the attributes of a message, shared by
 * daemon/rtnl.c and daemon/netmon.c.
 *
 *   struct nlmsghdr (16 bytes, host order: len, type, flags, seq, pid), body, pad to 4
 *   struct rtattr   (4 bytes, host order: len, type), value, pad to 4
 *
 * The last message or attribute of a datagram may omit its padding (the kernel does not send
 * it after the last one); a length shorter than the header or longer than what is left is an
 * error.
 */
#ifndef RAMPART_DAEMON_NLMSG_H
#define RAMPART_DAEMON_NLMSG_H

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdint.h>

#include "lib/buf.h"

/* The next message of r: its header into *h and its body (len - header) into *body, r moved
 * past it and its padding. 1 when a message was read, 0 when fewer bytes than a header are
 * left (the end), ERR_TRUNC when the header's length does not fit (r is then unusable). */
int nlmsg_next(struct buf_reader *r, struct nlmsghdr *h, struct buf_reader *body);

/* The next route attribute of r: its header into *a (type as sent, flags included) and its
 * value into *val. Same results as nlmsg_next. */
int nlmsg_attr_next(struct buf_reader *r, struct rtattr *a, struct buf_reader *val);

/* An NLMSG_ERROR body's code (0 = acknowledgement, otherwise -errno) into *err; ERR_TRUNC. */
int nlmsg_error_code(struct buf_reader *body, int *err);

/* What an acknowledged request's answers say: scans one datagram for the NLMSG_ERROR with
 * sequence number seq. 1 with *err set when found, 0 when the datagram does not hold it,
 * ERR_TRUNC on a malformed datagram. */
int nlmsg_find_ack(const uint8_t *data, size_t len, uint32_t seq, int *err);

/* The preferred source (RTA_PREFSRC) of one datagram answering RTM_GETROUTE with sequence
 * number seq. 1 with *src set; 0 when the datagram holds no answer for seq; ERR_NOTFOUND when
 * the route has no preferred source; ERR_IO with *err set when the kernel refused (NLMSG_ERROR,
 * *err = -errno); ERR_TRUNC / ERR_INVAL on malformed input. */
struct addr;
int nlmsg_route_src(const uint8_t *data, size_t len, uint32_t seq, int family, struct addr *src,
		    int *err);

#endif
