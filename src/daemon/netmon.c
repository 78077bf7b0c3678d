#include "daemon/netmon.h"

#include <errno.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon/loop.h"
#include "daemon/nlmsg.h"
#include "lib/buf.h"
#include "lib/err.h"
#include "lib/log.h"

#define NETMON_BUF    65536	/* one datagram: dump parts are at most 32 KiB */
#define NETMON_RCVBUF (1 << 20) /* room for bursts of notifications */
#define NETMON_BUDGET 256	/* datagrams per readable event */
#define NETMON_NIL    UINT32_MAX

struct entry {
	struct netmon_addr a;
	uint32_t next; /* hash chain */
	bool seen;     /* during a resync: present in the new dump */
};

struct watcher {
	netmon_fn fn;
	void *ctx;
};

struct netmon {
	int fd;
	struct loop *loop;
	struct entry *e;
	size_t n, cap;
	uint32_t *heads; /* cap buckets (a power of two, at least 16) */
	uint32_t seq;
	struct watcher w[NETMON_WATCHERS_MAX];
	struct netmon_stats st;
	uint8_t buf[NETMON_BUF];
};

/* ---- the cache ---------------------------------------------------------------------------- */

static uint32_t addr_hash(const struct addr *a)
{
	uint64_t w[2], h;

	memcpy(w, a->bytes, 16);
	h = (w[0] ^ ((uint64_t)a->family << 56)) * 0x9e3779b97f4a7c15ull;
	h = (h ^ (h >> 31) ^ w[1]) * 0xbf58476d1ce4e5b9ull;
	return (uint32_t)(h ^ (h >> 32));
}

static uint32_t *chain_head(const struct netmon *nm, const struct addr *a)
{
	return &nm->heads[addr_hash(a) & (nm->cap - 1)];
}

static long ent_find(const struct netmon *nm, const struct netmon_addr *k)
{
	if (!nm->cap)
		return -1;
	for (uint32_t i = *chain_head(nm, &k->addr); i != NETMON_NIL; i = nm->e[i].next) {
		const struct netmon_addr *a = &nm->e[i].a;
		if (a->ifindex == k->ifindex && a->prefix_len == k->prefix_len &&
		    addr_equal(&a->addr, &k->addr))
			return (long)i;
	}
	return -1;
}

static int grow(struct netmon *nm)
{
	size_t cap = nm->cap ? nm->cap * 2 : 16;
	struct entry *e = realloc(nm->e, cap * sizeof(*e));
	uint32_t *heads;

	if (!e)
		return ERR_NOMEM;
	nm->e = e;
	heads = malloc(cap * sizeof(*heads));
	if (!heads)
		return ERR_NOMEM;
	free(nm->heads);
	nm->heads = heads;
	nm->cap = cap;
	for (size_t i = 0; i < cap; i++)
		heads[i] = NETMON_NIL;
	for (size_t i = 0; i < nm->n; i++) {
		uint32_t *h = chain_head(nm, &e[i].a.addr);
		e[i].next = *h;
		*h = (uint32_t)i;
	}
	return 0;
}

static int ent_add(struct netmon *nm, const struct netmon_addr *a)
{
	uint32_t *h;

	if (nm->n >= NETMON_ADDRS_MAX) {
		nm->st.dropped++;
		return ERR_LIMIT;
	}
	if (nm->n == nm->cap && grow(nm)) {
		nm->st.dropped++;
		return ERR_NOMEM;
	}
	h = chain_head(nm, &a->addr);
	nm->e[nm->n].a = *a;
	nm->e[nm->n].seen = true;
	nm->e[nm->n].next = *h;
	*h = (uint32_t)nm->n;
	nm->n++;
	return 0;
}

/* Unlinks entry i and moves the last entry into its place. */
static void ent_del(struct netmon *nm, size_t i)
{
	size_t last = nm->n - 1;
	uint32_t *p;

	for (p = chain_head(nm, &nm->e[i].a.addr); *p != (uint32_t)i; p = &nm->e[*p].next)
		;
	*p = nm->e[i].next;
	if (i != last) {
		for (p = chain_head(nm, &nm->e[last].a.addr); *p != (uint32_t)last;
		     p = &nm->e[*p].next)
			;
		*p = (uint32_t)i;
		nm->e[i] = nm->e[last];
	}
	nm->n--;
}

static void notify(struct netmon *nm, enum netmon_event ev, const struct netmon_addr *a)
{
	char s[ADDR_STRLEN];

	log_debug(LOG_DAEMON, "local address %s/%u on ifindex %d %s",
		  addr_str(&a->addr, s, sizeof(s)), a->prefix_len, a->ifindex,
		  ev == NETMON_ADDR_ADD	  ? "added"
		  : ev == NETMON_ADDR_DEL ? "removed"
					  : "updated");
	for (size_t i = 0; i < NETMON_WATCHERS_MAX; i++)
		if (nm->w[i].fn)
			nm->w[i].fn(nm->w[i].ctx, ev, a);
}

static void apply_new(struct netmon *nm, const struct netmon_addr *a)
{
	long i = ent_find(nm, a);

	if (i < 0) {
		if (ent_add(nm, a) == 0)
			notify(nm, NETMON_ADDR_ADD, a);
		return;
	}
	nm->e[i].seen = true;
	if (nm->e[i].a.flags != a->flags || nm->e[i].a.scope != a->scope) {
		nm->e[i].a = *a;
		notify(nm, NETMON_ADDR_UPDATE, a);
	}
}

static void apply_del(struct netmon *nm, const struct netmon_addr *a)
{
	long i = ent_find(nm, a);
	struct netmon_addr gone;

	if (i < 0)
		return;
	gone = nm->e[i].a;
	ent_del(nm, (size_t)i);
	notify(nm, NETMON_ADDR_DEL, &gone);
}

static void apply_link_gone(struct netmon *nm, int ifindex)
{
	for (size_t i = nm->n; i-- > 0;) {
		struct netmon_addr gone = nm->e[i].a;
		if (gone.ifindex != ifindex)
			continue;
		ent_del(nm, i);
		notify(nm, NETMON_ADDR_DEL, &gone);
	}
}

/* ---- parsing ------------------------------------------------------------------------------ */

/* Kernel structures are in host byte order: each is copied out of a bounded reference. */

/*  struct ifaddrmsg (8) | rtattr { u16 len; u16 type; payload; pad to 4 } ...
 *  IFA_ADDRESS / IFA_LOCAL: 4 or 16 bytes by ifa_family; IFA_FLAGS: u32 (overrides ifa_flags). */
static int addr_msg(struct netmon *nm, struct buf_reader *body, bool add)
{
	struct ifaddrmsg ifa;
	struct netmon_addr a;
	const uint8_t *p, *local = NULL, *address = NULL;
	struct buf_reader val;
	struct rtattr rta;
	size_t alen;
	int rc;

	if (buf_get_ref(body, sizeof(ifa), &p))
		return ERR_TRUNC;
	memcpy(&ifa, p, sizeof(ifa));
	if (ifa.ifa_family != AF_INET && ifa.ifa_family != AF_INET6)
		return 0;
	alen = addr_family_len(ifa.ifa_family);
	memset(&a, 0, sizeof(a));
	a.ifindex = (int)ifa.ifa_index;
	a.prefix_len = ifa.ifa_prefixlen;
	a.scope = ifa.ifa_scope;
	a.flags = ifa.ifa_flags;
	if (a.prefix_len > addr_family_bits(ifa.ifa_family))
		return ERR_INVAL;
	while ((rc = nlmsg_attr_next(body, &rta, &val)) == 1) {
		switch (rta.rta_type & NLA_TYPE_MASK) {
		case IFA_ADDRESS:
		case IFA_LOCAL:
			if (buf_remaining(&val) != alen)
				return ERR_INVAL;
			buf_get_ref(&val, alen, &p);
			if ((rta.rta_type & NLA_TYPE_MASK) == IFA_LOCAL)
				local = p;
			else
				address = p;
			break;
		case IFA_FLAGS:
			if (buf_get_ref(&val, sizeof(a.flags), &p) || !buf_empty(&val))
				return ERR_INVAL;
			memcpy(&a.flags, p, sizeof(a.flags));
			break;
		default:
			break;
		}
	}
	if (rc < 0)
		return rc;
	if (!local && !address)
		return ERR_INVAL;
	addr_from_bytes(&a.addr, ifa.ifa_family, local ? local : address, alen);
	if (add)
		apply_new(nm, &a);
	else
		apply_del(nm, &a);
	return 0;
}

static int link_msg(struct netmon *nm, struct buf_reader *body)
{
	struct ifinfomsg ifi;
	const uint8_t *p;

	if (buf_get_ref(body, sizeof(ifi), &p))
		return ERR_TRUNC;
	memcpy(&ifi, p, sizeof(ifi));
	apply_link_gone(nm, ifi.ifi_index);
	return 0;
}

/* One datagram. *done: NLMSG_DONE seen (a dump's end); *nl_err: an NLMSG_ERROR's code. */
static int parse(struct netmon *nm, const uint8_t *data, size_t len, bool *done, int *nl_err)
{
	struct buf_reader r;

	buf_reader_init(&r, data, len);
	for (;;) {
		struct nlmsghdr mh;
		struct buf_reader body;
		int rc = nlmsg_next(&r, &mh, &body);

		if (rc == 0)
			break;
		if (rc < 0) {
			nm->st.malformed++;
			return ERR_TRUNC;
		}
		nm->st.messages++;
		switch (mh.nlmsg_type) {
		case NLMSG_DONE:
			if (done)
				*done = true;
			break;
		case NLMSG_ERROR: {
			int err;
			if (nlmsg_error_code(&body, &err)) {
				rc = ERR_TRUNC;
				break;
			}
			if (nl_err && err)
				*nl_err = err;
			break;
		}
		case RTM_NEWADDR:
		case RTM_DELADDR:
			rc = addr_msg(nm, &body, mh.nlmsg_type == RTM_NEWADDR);
			break;
		case RTM_DELLINK:
			rc = link_msg(nm, &body);
			break;
		default:
			break;
		}
		if (rc)
			nm->st.malformed++; /* this message only: the next one is framed */
	}
	return 0;
}

int netmon_input(struct netmon *nm, const uint8_t *data, size_t len)
{
	return parse(nm, data, len, NULL, NULL);
}

/* ---- the sockets -------------------------------------------------------------------------- */

static int open_nl(uint32_t groups)
{
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK, .nl_groups = groups};
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
	int sz = NETMON_RCVBUF;

	if (fd < 0)
		return -1;
	if (groups && setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* One datagram from the kernel into nm->buf: its length, 0 for nothing (EAGAIN), ERR_LIMIT when
 * the kernel lost messages for us (ENOBUFS, or a truncated datagram), ERR_IO. */
static ssize_t recv_kernel(struct netmon *nm, int fd)
{
	for (;;) {
		struct sockaddr_nl sa;
		struct iovec iov = {.iov_base = nm->buf, .iov_len = sizeof(nm->buf)};
		struct msghdr mh = {
		    .msg_name = &sa, .msg_namelen = sizeof(sa), .msg_iov = &iov, .msg_iovlen = 1};
		ssize_t n = recvmsg(fd, &mh, MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			return errno == ENOBUFS ? ERR_LIMIT : ERR_IO;
		}
		if (mh.msg_flags & MSG_TRUNC)
			return ERR_LIMIT;
		if (mh.msg_namelen != sizeof(sa) || sa.nl_pid != 0)
			continue; /* not from the kernel */
		return n;
	}
}

/* A full RTM_GETADDR dump on its own socket, applied to the cache. */
static int dump(struct netmon *nm)
{
	struct {
		struct nlmsghdr h;
		struct ifaddrmsg ifa;
	} req;
	struct sockaddr_nl k = {.nl_family = AF_NETLINK};
	int fd = open_nl(0), r = ERR_IO;
	bool done = false;

	if (fd < 0)
		return ERR_IO;
	memset(&req, 0, sizeof(req));
	req.h.nlmsg_len = sizeof(req);
	req.h.nlmsg_type = RTM_GETADDR;
	req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.h.nlmsg_seq = ++nm->seq;
	req.ifa.ifa_family = AF_UNSPEC;
	if (sendto(fd, &req, sizeof(req), 0, (struct sockaddr *)&k, sizeof(k)) < 0)
		goto out;
	while (!done) {
		int nl_err = 0;
		ssize_t n = recv_kernel(nm, fd);
		if (n == 0) {
			/* the kernel answers a dump at once; wait for the rest */
			struct pollfd pfd = {.fd = fd, .events = POLLIN};
			if (poll(&pfd, 1, 5000) <= 0)
				goto out;
			continue;
		}
		if (n < 0)
			goto out;
		parse(nm, nm->buf, (size_t)n, &done, &nl_err);
		if (nl_err) {
			errno = -nl_err;
			goto out;
		}
	}
	r = 0;
out:
	close(fd);
	return r;
}

int netmon_resync(struct netmon *nm)
{
	int r;

	for (size_t i = 0; i < nm->n; i++)
		nm->e[i].seen = false;
	r = dump(nm);
	if (r) {
		log_warn(LOG_DAEMON, "address dump: %s", strerror(errno));
		for (size_t i = 0; i < nm->n; i++)
			nm->e[i].seen = true;
	}
	for (size_t i = nm->n; i-- > 0;) {
		struct netmon_addr gone = nm->e[i].a;
		if (nm->e[i].seen)
			continue;
		ent_del(nm, i);
		notify(nm, NETMON_ADDR_DEL, &gone);
	}
	return r;
}

/* Notifications were lost: dump again, report what changed in between. */
static void resync(struct netmon *nm)
{
	nm->st.resyncs++;
	log_warn(LOG_DAEMON, "address notifications lost: reading every address again");
	netmon_resync(nm);
}

void netmon_read(struct netmon *nm)
{
	if (nm->fd < 0)
		return;
	for (int budget = 0; budget < NETMON_BUDGET; budget++) {
		ssize_t n = recv_kernel(nm, nm->fd);
		if (n == ERR_LIMIT) {
			resync(nm);
			continue;
		}
		if (n <= 0)
			return;
		parse(nm, nm->buf, (size_t)n, NULL, NULL);
	}
}

static void on_readable(void *ctx, int fd, uint32_t events)
{
	(void)fd;
	(void)events;
	netmon_read(ctx);
}

/* ---- lifecycle and lookups ---------------------------------------------------------------- */

int netmon_new_detached(struct netmon **out)
{
	struct netmon *nm = calloc(1, sizeof(*nm));

	if (!nm)
		return ERR_NOMEM;
	nm->fd = -1;
	if (grow(nm)) {
		netmon_free(nm);
		return ERR_NOMEM;
	}
	*out = nm;
	return 0;
}

int netmon_new(struct netmon **out)
{
	struct netmon *nm = NULL;
	int r = netmon_new_detached(&nm);

	if (r)
		return r;
	nm->fd = open_nl(RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR | RTMGRP_LINK);
	if (nm->fd < 0 || dump(nm)) {
		int e = errno;
		netmon_free(nm);
		errno = e;
		return ERR_IO;
	}
	*out = nm;
	return 0;
}

void netmon_free(struct netmon *nm)
{
	if (!nm)
		return;
	if (nm->fd >= 0) {
		if (nm->loop)
			loop_del(nm->loop, nm->fd);
		close(nm->fd);
	}
	free(nm->e);
	free(nm->heads);
	free(nm);
}

int netmon_attach(struct netmon *nm, struct loop *l)
{
	int r;

	if (nm->fd < 0)
		return ERR_INVAL;
	r = loop_add(l, nm->fd, EPOLLIN, on_readable, nm);
	if (r == 0)
		nm->loop = l;
	return r;
}

bool netmon_is_local(const struct netmon *nm, const struct addr *a)
{
	struct netmon_addr x;

	return netmon_find(nm, a, &x) == 0;
}

int netmon_find(const struct netmon *nm, const struct addr *a, struct netmon_addr *out)
{
	if (!nm->cap || !a->family)
		return ERR_NOTFOUND;
	for (uint32_t i = *chain_head(nm, a); i != NETMON_NIL; i = nm->e[i].next) {
		if (addr_equal(&nm->e[i].a.addr, a)) {
			*out = nm->e[i].a;
			return 0;
		}
	}
	return ERR_NOTFOUND;
}

int netmon_local_in_prefix(const struct netmon *nm, const struct prefix *p, struct addr *out)
{
	long found = -1;

	if (p->len == 0)
		return ERR_NOTFOUND;
	for (size_t i = 0; i < nm->n; i++) {
		const struct netmon_addr *a = &nm->e[i].a;
		if (a->addr.family != p->addr.family || !prefix_contains(p, &a->addr))
			continue;
		found = (long)i;
		if (!(a->flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED)))
			break;
	}
	if (found < 0)
		return ERR_NOTFOUND;
	*out = nm->e[found].a.addr;
	return 0;
}

size_t netmon_count(const struct netmon *nm)
{
	return nm->n;
}

int netmon_get(const struct netmon *nm, size_t i, struct netmon_addr *out)
{
	if (i >= nm->n)
		return ERR_NOTFOUND;
	*out = nm->e[i].a;
	return 0;
}

void netmon_get_stats(const struct netmon *nm, struct netmon_stats *out)
{
	*out = nm->st;
}

int netmon_watch(struct netmon *nm, netmon_fn fn, void *ctx)
{
	for (size_t i = 0; i < NETMON_WATCHERS_MAX; i++) {
		if (nm->w[i].fn)
			continue;
		nm->w[i].fn = fn;
		nm->w[i].ctx = ctx;
		return 0;
	}
	return ERR_LIMIT;
}

void netmon_unwatch(struct netmon *nm, netmon_fn fn, void *ctx)
{
	for (size_t i = 0; i < NETMON_WATCHERS_MAX; i++)
		if (nm->w[i].fn == fn && nm->w[i].ctx == ctx)
			nm->w[i].fn = NULL;
}
