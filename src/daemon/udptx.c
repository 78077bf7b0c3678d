#include "daemon/udptx.h"

#include <errno.h>
#include <netinet/udp.h>
#include <poll.h>
#include <string.h>

#include "lib/buf.h"

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103 /* Linux 4.18 */
#endif
#ifndef SOL_UDP
#define SOL_UDP 17
#endif

void udptx_init(struct udptx *q, int fd, int family, udptx_done_fn done, void *ctx)
{
	memset(q, 0, sizeof(*q));
	q->fd = fd;
	q->family = family;
	q->done = done;
	q->ctx = ctx;
}

bool udptx_eligible(const struct udptx *q, const uint8_t *ip, size_t len, size_t l4off)
{
	if (q->fd < 0 || len < l4off + 8 + 8)
		return false;
	if (q->family == AF_INET) {
		/* version 4, IHL 5; DF, MF clear, offset 0; protocol UDP */
		if (ip[0] != 0x45 || l4off != 20 || buf_load_be16(ip + 6) != 0x4000 ||
		    ip[9] != IPPROTO_UDP)
			return false;
	} else {
		if ((ip[0] >> 4) != 6 || l4off != 40 || ip[6] != IPPROTO_UDP)
			return false;
	}
	return buf_load_be16(ip + l4off) == UDPTX_PORT;
}

static void train_start(struct udptx *q, const uint8_t *ip, size_t l4off, size_t pay)
{
	struct udptx_train *t = &q->tr[q->nmsg++];
	bool v6 = q->family == AF_INET6;

	memset(t, 0, sizeof(*t));
	memcpy(t->src, ip + (v6 ? 8 : 12), v6 ? 16 : 4);
	memcpy(t->dst, ip + (v6 ? 24 : 16), v6 ? 16 : 4);
	t->dport = buf_load_be16(ip + l4off + 2);
	t->tos = v6 ? (uint8_t)((ip[0] & 0x0f) << 4 | ip[1] >> 4) : ip[1];
	t->ttl = v6 ? ip[7] : ip[8];
	t->seg = pay;
	t->iov0 = q->niov;
}

/* Whether the packet continues the last train. */
static bool train_fits(const struct udptx *q, const uint8_t *ip, size_t l4off, size_t pay)
{
	const struct udptx_train *t;
	bool v6 = q->family == AF_INET6;
	uint8_t tos = v6 ? (uint8_t)((ip[0] & 0x0f) << 4 | ip[1] >> 4) : ip[1];

	if (q->nmsg == 0)
		return false;
	t = &q->tr[q->nmsg - 1];
	return !t->closed && t->n < UDPTX_SEGS && pay <= t->seg && t->bytes + pay <= UDPTX_BYTES &&
	       memcmp(t->src, ip + (v6 ? 8 : 12), v6 ? 16 : 4) == 0 &&
	       memcmp(t->dst, ip + (v6 ? 24 : 16), v6 ? 16 : 4) == 0 &&
	       t->dport == buf_load_be16(ip + l4off + 2) && t->tos == tos &&
	       t->ttl == (v6 ? ip[7] : ip[8]);
}

void udptx_add(struct udptx *q, unsigned bi, uint8_t *ip, size_t len, size_t l4off)
{
	size_t hdr = l4off + 8, pay = len - hdr;
	struct udptx_train *t;

	if (!train_fits(q, ip, l4off, pay)) {
		if (q->nmsg == UDPTX_MSGS || q->niov == UDPTX_IOVS)
			udptx_flush(q);
		train_start(q, ip, l4off, pay);
	} else if (q->niov == UDPTX_IOVS) {
		udptx_flush(q);
		train_start(q, ip, l4off, pay);
	}
	t = &q->tr[q->nmsg - 1];
	q->iov[q->niov].iov_base = ip + hdr;
	q->iov[q->niov].iov_len = pay;
	q->buf[q->niov] = bi;
	q->len[q->niov] = (uint16_t)len;
	q->hdr[q->niov] = (uint8_t)hdr;
	q->niov++;
	t->n++;
	t->bytes += pay;
	if (pay < t->seg)
		t->closed = true; /* only the last segment may be short */
}

static void *cmsg_put(struct cmsghdr **c, int level, int type, size_t len)
{
	struct cmsghdr *h = *c;

	h->cmsg_level = level;
	h->cmsg_type = type;
	h->cmsg_len = CMSG_LEN(len);
	*c = (struct cmsghdr *)(void *)((uint8_t *)h + CMSG_SPACE(len));
	return CMSG_DATA(h);
}

/* Fills msg[i] for train i. */
static void train_msg(struct udptx *q, unsigned i)
{
	struct udptx_train *t = &q->tr[i];
	struct msghdr *mh = &q->msg[i].msg_hdr;
	struct cmsghdr *c = (struct cmsghdr *)(void *)q->ctl[i].b;
	int tos = t->tos, ttl = t->ttl;

	memset(mh, 0, sizeof(*mh));
	memset(&q->to[i], 0, sizeof(q->to[i]));
	memset(q->ctl[i].b, 0, sizeof(q->ctl[i].b));
	if (q->family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&q->to[i];
		struct in6_pktinfo pi;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(t->dport);
		memcpy(&s6->sin6_addr, t->dst, 16);
		mh->msg_namelen = sizeof(*s6);
		memset(&pi, 0, sizeof(pi));
		memcpy(&pi.ipi6_addr, t->src, 16);
		memcpy(cmsg_put(&c, IPPROTO_IPV6, IPV6_PKTINFO, sizeof(pi)), &pi, sizeof(pi));
		memcpy(cmsg_put(&c, IPPROTO_IPV6, IPV6_TCLASS, sizeof(int)), &tos, sizeof(int));
		memcpy(cmsg_put(&c, IPPROTO_IPV6, IPV6_HOPLIMIT, sizeof(int)), &ttl, sizeof(int));
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&q->to[i];
		struct in_pktinfo pi;
		s4->sin_family = AF_INET;
		s4->sin_port = htons(t->dport);
		memcpy(&s4->sin_addr, t->dst, 4);
		mh->msg_namelen = sizeof(*s4);
		memset(&pi, 0, sizeof(pi));
		memcpy(&pi.ipi_spec_dst, t->src, 4);
		memcpy(cmsg_put(&c, IPPROTO_IP, IP_PKTINFO, sizeof(pi)), &pi, sizeof(pi));
		memcpy(cmsg_put(&c, IPPROTO_IP, IP_TOS, sizeof(int)), &tos, sizeof(int));
		memcpy(cmsg_put(&c, IPPROTO_IP, IP_TTL, sizeof(int)), &ttl, sizeof(int));
	}
	if (t->n > 1) {
		uint16_t seg = (uint16_t)t->seg;
		memcpy(cmsg_put(&c, SOL_UDP, UDP_SEGMENT, sizeof(seg)), &seg, sizeof(seg));
	}
	mh->msg_name = &q->to[i];
	mh->msg_iov = &q->iov[t->iov0];
	mh->msg_iovlen = t->n;
	mh->msg_control = q->ctl[i].b;
	mh->msg_controllen = (size_t)((uint8_t *)c - q->ctl[i].b);
}

/* The kernel refused train i: its packets go back whole for the raw socket. */
static void train_refused(struct udptx *q, unsigned i)
{
	const struct udptx_train *t = &q->tr[i];

	for (unsigned k = t->iov0; k < t->iov0 + t->n; k++) {
		uint8_t *ip = (uint8_t *)q->iov[k].iov_base - q->hdr[k];
		q->done(q->ctx, q->buf[k], ip, q->len[k]);
		q->buf[k] = UINT32_MAX;
	}
}

void udptx_flush(struct udptx *q)
{
	unsigned done = 0;
	int again = 0;

	for (unsigned i = 0; i < q->nmsg; i++)
		train_msg(q, i);
	while (done < q->nmsg) {
		int r = sendmmsg(q->fd, q->msg + done, q->nmsg - done, 0);
		if (r > 0) {
			for (unsigned i = done; i < done + (unsigned)r; i++)
				q->sent += q->tr[i].n;
			done += (unsigned)r;
			again = 0;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == ENOBUFS)) {
			if (again++ < 20) {
				/* the socket's send buffer is full: wait for it a little */
				struct pollfd p = {.fd = q->fd, .events = POLLOUT};
				(void)poll(&p, 1, 5);
				continue;
			}
			q->errors += q->tr[done].n;
		} else {
			/* refused (no UDP GSO here, a source address or size the socket will not
			 * take): the raw socket sends this train */
			q->refused++;
			train_refused(q, done);
		}
		done++;
		again = 0;
	}
	for (unsigned k = 0; k < q->niov; k++)
		if (q->buf[k] != UINT32_MAX)
			q->done(q->ctx, q->buf[k], NULL, 0);
	q->nmsg = 0;
	q->niov = 0;
}
