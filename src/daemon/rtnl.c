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

#include "lib/buf.h"
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
		struct buf_reader r;
		uint32_t len, seq;
		uint16_t type;
		n = recv(nl->fd, ans, sizeof(ans), 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return ERR_IO;
		}
		buf_reader_init(&r, ans, (size_t)n);
		/* struct nlmsghdr in host order: len, type, flags, seq, pid; then for
		 * NLMSG_ERROR an int error. Host order: read through memcpy of the ref. */
		const uint8_t *p;
		while (buf_remaining(&r) >= NLMSG_HDRLEN) {
			struct nlmsghdr mh;
			if (buf_get_ref(&r, NLMSG_HDRLEN, &p))
				return ERR_TRUNC;
			memcpy(&mh, p, sizeof(mh));
			len = mh.nlmsg_len;
			type = mh.nlmsg_type;
			seq = mh.nlmsg_seq;
			if (len < NLMSG_HDRLEN || len - NLMSG_HDRLEN > buf_remaining(&r))
				return ERR_TRUNC;
			struct buf_reader body;
			buf_sub(&r, len - NLMSG_HDRLEN, &body);
			buf_skip(&r, NLMSG_ALIGN(len) - len <= buf_remaining(&r)
					 ? NLMSG_ALIGN(len) - len
					 : buf_remaining(&r));
			if (seq != nl->seq || type != NLMSG_ERROR)
				continue;
			int err;
			if (buf_get_ref(&body, sizeof(err), &p))
				return ERR_TRUNC;
			memcpy(&err, p, sizeof(err));
			if (err == 0)
				return 0;
			errno = -err;
			return ERR_IO;
		}
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

/* The attributes of an RTM_NEWROUTE answer (after its struct rtmsg): RTA_PREFSRC into *src. */
static int route_answer_src(struct buf_reader *body, int family, struct addr *src)
{
	const uint8_t *p;

	if (buf_get_ref(body, NLMSG_ALIGN(sizeof(struct rtmsg)), &p))
		return ERR_TRUNC;
	while (buf_remaining(body) >= RTA_LENGTH(0)) {
		struct rtattr ra;
		struct buf_reader val;
		if (buf_get_ref(body, sizeof(ra), &p))
			return ERR_TRUNC;
		memcpy(&ra, p, sizeof(ra));
		if (ra.rta_len < RTA_LENGTH(0) || ra.rta_len - RTA_LENGTH(0) > buf_remaining(body))
			return ERR_TRUNC;
		buf_sub(body, ra.rta_len - RTA_LENGTH(0), &val);
		buf_skip(body, RTA_ALIGN(ra.rta_len) - ra.rta_len <= buf_remaining(body)
				   ? RTA_ALIGN(ra.rta_len) - ra.rta_len
				   : buf_remaining(body));
		if (ra.rta_type == RTA_PREFSRC && buf_remaining(&val) == addr_family_len(family)) {
			const uint8_t *a;
			buf_get_ref(&val, addr_family_len(family), &a);
			return addr_from_bytes(src, family, a, addr_family_len(family));
		}
	}
	return ERR_NOTFOUND;
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
		struct buf_reader rd;
		ssize_t n = recv(nl->fd, ans, sizeof(ans), 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return ERR_IO;
		}
		buf_reader_init(&rd, ans, (size_t)n);
		while (buf_remaining(&rd) >= NLMSG_HDRLEN) {
			struct nlmsghdr mh;
			struct buf_reader body;
			const uint8_t *p;
			if (buf_get_ref(&rd, NLMSG_HDRLEN, &p))
				return ERR_TRUNC;
			memcpy(&mh, p, sizeof(mh));
			if (mh.nlmsg_len < NLMSG_HDRLEN ||
			    mh.nlmsg_len - NLMSG_HDRLEN > buf_remaining(&rd))
				return ERR_TRUNC;
			buf_sub(&rd, mh.nlmsg_len - NLMSG_HDRLEN, &body);
			buf_skip(&rd, NLMSG_ALIGN(mh.nlmsg_len) - mh.nlmsg_len <= buf_remaining(&rd)
					  ? NLMSG_ALIGN(mh.nlmsg_len) - mh.nlmsg_len
					  : buf_remaining(&rd));
			if (mh.nlmsg_seq != nl->seq)
				continue;
			if (mh.nlmsg_type == NLMSG_ERROR) {
				int err;
				if (buf_get_ref(&body, sizeof(err), &p))
					return ERR_TRUNC;
				memcpy(&err, p, sizeof(err));
				errno = -err;
				return err ? ERR_IO : ERR_NOTFOUND;
			}
			if (mh.nlmsg_type == RTM_NEWROUTE)
				return route_answer_src(&body, dst->family, src);
		}
	}
	return ERR_IO;
}
