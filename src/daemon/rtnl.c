#include "daemon/rtnl.h"

#include <errno.h>
#include <linux/fib_rules.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon/nlmsg.h"
#include "lib/err.h"
#include "lib/log.h"

#define RTNL_BUF 1024

struct req {
	uint8_t buf[RTNL_BUF];
	size_t len;
};

static struct nlmsghdr *req_init(struct req *q, uint16_t type, uint16_t flags, size_t body)
{
	struct nlmsghdr *h = (struct nlmsghdr *)(void *)q->buf;

	memset(q->buf, 0, sizeof(q->buf));
	h->nlmsg_type = type;
	h->nlmsg_flags = (uint16_t)(NLM_F_REQUEST | NLM_F_ACK | flags);
	q->len = NLMSG_ALIGN(NLMSG_HDRLEN + body);
	return h;
}

static void *req_body(struct req *q)
{
	return q->buf + NLMSG_HDRLEN;
}

static int put_attr(struct req *q, uint16_t type, const void *data, size_t n)
{
	struct rtattr *a;
	size_t need = RTA_ALIGN(RTA_LENGTH(n));

	if (q->len + need > sizeof(q->buf))
		return ERR_NOSPACE;
	a = (struct rtattr *)(void *)(q->buf + q->len);
	a->rta_type = type;
	a->rta_len = (unsigned short)RTA_LENGTH(n);
	memcpy(RTA_DATA(a), data, n);
	q->len += need;
	return 0;
}

static int put_u32(struct req *q, uint16_t type, uint32_t v)
{
	return put_attr(q, type, &v, sizeof(v));
}

/* Sends the request and reads the kernel's acknowledgement: 0 or -errno mapped to ERR_IO
 * (errno is set for the caller's message). */
static int transact(struct rtnl *nl, struct req *q)
{
	struct nlmsghdr *h = (struct nlmsghdr *)(void *)q->buf;
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	uint8_t ans[RTNL_BUF];
	ssize_t n;

	h->nlmsg_len = (uint32_t)q->len;
	h->nlmsg_seq = ++nl->seq;
	if (sendto(nl->fd, q->buf, q->len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return ERR_IO;
	for (;;) {
		int err = 0, rc;
		n = recv(nl->fd, ans, sizeof(ans), 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return ERR_IO;
		}
		rc = nlmsg_find_ack(ans, (size_t)n, nl->seq, &err);
		if (rc < 0)
			return rc;
		if (rc == 0)
			continue;
		if (err == 0)
			return 0;
		errno = -err;
		return ERR_IO;
	}
}

int rtnl_open(struct rtnl *nl)
{
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};

	nl->seq = 0;
	nl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (nl->fd < 0)
		return ERR_IO;
	if (bind(nl->fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(nl->fd);
		nl->fd = -1;
		return ERR_IO;
	}
	return 0;
}

void rtnl_close(struct rtnl *nl)
{
	if (nl && nl->fd >= 0) {
		close(nl->fd);
		nl->fd = -1;
	}
}

int rtnl_link_up(struct rtnl *nl, int ifindex, unsigned mtu)
{
	struct req q;
	struct ifinfomsg *ifi;

	req_init(&q, RTM_NEWLINK, 0, sizeof(*ifi));
	ifi = req_body(&q);
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	if (put_u32(&q, IFLA_MTU, mtu))
		return ERR_NOSPACE;
	return transact(nl, &q);
}

int rtnl_route(struct rtnl *nl, bool add, const struct prefix *dst, int ifindex, uint32_t table,
	       const struct addr *src)
{
	struct req q;
	struct rtmsg *rt;
	size_t alen = addr_len(&dst->addr);
	int r = 0;

	req_init(&q, add ? RTM_NEWROUTE : RTM_DELROUTE, add ? NLM_F_CREATE | NLM_F_REPLACE : 0,
		 sizeof(*rt));
	rt = req_body(&q);
	rt->rtm_family = dst->addr.family;
	rt->rtm_dst_len = dst->len;
	rt->rtm_table = table < 256 ? (uint8_t)table : RT_TABLE_UNSPEC;
	rt->rtm_protocol = RTPROT_STATIC;
	rt->rtm_scope = RT_SCOPE_LINK;
	rt->rtm_type = RTN_UNICAST;
	r |= put_attr(&q, RTA_DST, dst->addr.bytes, alen);
	r |= put_u32(&q, RTA_OIF, (uint32_t)ifindex);
	r |= put_u32(&q, RTA_TABLE, table);
	if (src && src->family == dst->addr.family)
		r |= put_attr(&q, RTA_PREFSRC, src->bytes, alen);
	if (r)
		return ERR_NOSPACE;
	return transact(nl, &q);
}

int rtnl_rule(struct rtnl *nl, bool add, int family, uint32_t pref, uint32_t mark, uint32_t table)
{
	struct req q;
	struct fib_rule_hdr *fr;
	int r = 0;

	req_init(&q, add ? RTM_NEWRULE : RTM_DELRULE, add ? NLM_F_CREATE | NLM_F_EXCL : 0,
		 sizeof(*fr));
	fr = req_body(&q);
	fr->family = (uint8_t)family;
	fr->action = FR_ACT_TO_TBL;
	fr->table = table < 256 ? (uint8_t)table : RT_TABLE_UNSPEC;
	fr->flags = FIB_RULE_INVERT;
	r |= put_u32(&q, FRA_PRIORITY, pref);
	r |= put_u32(&q, FRA_FWMARK, mark);
	r |= put_u32(&q, FRA_FWMASK, mark);
	r |= put_u32(&q, FRA_TABLE, table);
	if (r)
		return ERR_NOSPACE;
	return transact(nl, &q);
}

int rtnl_route_src(struct rtnl *nl, const struct addr *dst, uint32_t mark, struct addr *src)
{
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	struct nlmsghdr *h;
	struct rtmsg *rt;
	struct req q;
	uint8_t ans[RTNL_BUF * 4];
	size_t alen = addr_len(dst);
	int r = 0;

	h = req_init(&q, RTM_GETROUTE, 0, sizeof(*rt));
	h->nlmsg_flags = NLM_F_REQUEST; /* the answer is the route, no ack */
	rt = req_body(&q);
	rt->rtm_family = dst->family;
	rt->rtm_dst_len = (uint8_t)(alen * 8);
	r |= put_attr(&q, RTA_DST, dst->bytes, alen);
	if (mark)
		r |= put_u32(&q, RTA_MARK, mark);
	if (r)
		return ERR_NOSPACE;
	h->nlmsg_len = (uint32_t)q.len;
	h->nlmsg_seq = ++nl->seq;
	if (sendto(nl->fd, q.buf, q.len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return ERR_IO;
	for (int tries = 0; tries < 16; tries++) {
		int err = 0, rc;
		ssize_t n = recv(nl->fd, ans, sizeof(ans), 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return ERR_IO;
		}
		rc = nlmsg_route_src(ans, (size_t)n, nl->seq, dst->family, src, &err);
		if (rc == 1)
			return 0;
		if (rc == ERR_IO)
			errno = -err;
		if (rc < 0)
			return rc;
	}
	return ERR_IO;
}
