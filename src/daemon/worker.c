#include "daemon/worker.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "daemon/gro.h"
#include "daemon/gso.h"
#include "daemon/udptx.h"
#include "esp/ctxcache.h"
#include "esp/esp.h"
#include "esp/pmtu.h"
#include "esp/sel.h"
#include "lib/buf.h"
#include "lib/err.h"
#include "lib/log.h"

#define POOL_N	   (GSO_MAX_SEGS + 2 * DP_BATCH)
#define SUPER_SIZE (GSO_VNET_HDR_LEN + 65536 + 64)
#define FRAG_MAX   48
/* UDP receive buffers: a datagram the kernel coalesced (UDP_GRO) holds up to 64 KiB */
#define RX_BIG_N    16
#define RX_BIG_SIZE (ESP_HEADROOM + 65536)

enum { ROLE_OUT = 1, ROLE_IN = 2 };

/* One family's pending sendmmsg batch; entries reference pool buffers. */
struct batch {
	unsigned n;
	struct mmsghdr msg[DP_BATCH];
	struct iovec iov[DP_BATCH];
	struct sockaddr_storage to[DP_BATCH];
	unsigned buf[DP_BATCH];
	bool has_udp; /* holds ESP in UDP: trains of the same family wait until it is sent */
};

struct dp_worker {
	struct dp_shared *sh;
	unsigned id;
	int role;
	pthread_t thread;
	bool started;
	_Atomic(struct esp_spd *) hazard;
	struct esp_worker ew;
	struct log_ratelimit rl;
	/* acquires sent (rate limit per reqid, direct-mapped) */
	struct {
		uint32_t reqid;
		uint64_t ms;
	} acq[DP_ACQUIRE_SLOTS];
	/* outbound */
	uint8_t *super;
	uint8_t *pool_mem;
	unsigned free_n, free_idx[POOL_N];
	struct batch out[2];
	struct udptx utx[2]; /* ESP in UDP from port 4500, v4 and v6 */
	/* inbound */
	struct gro gro; /* with a vnet-header TUN */
	bool gro_on;
	uint64_t gro_segs; /* not yet added to the shared counter */
	uint8_t *rx_mem;
	uint8_t *rx_big; /* RX_BIG_N buffers for the UDP sockets */
	struct mmsghdr rx_msg[DP_BATCH];
	struct iovec rx_iov[DP_BATCH];
	struct sockaddr_storage rx_from[DP_BATCH];
	uint8_t rx_ctl[DP_BATCH][128];
};

static const char *const ctr_names[DP_CTR_COUNT] = {
    [DP_TUN_RX] = "tun-rx",
    [DP_TUN_TX] = "tun-tx",
    [DP_NET_TX] = "net-tx",
    [DP_NET_RX] = "net-rx",
    [DP_GSO_SUPER] = "gso-superpackets",
    [DP_GRO_SEGS] = "gro-segments",
    [DP_UDP_TRAINS] = "udp-gso-trains",
    [DP_NO_POLICY] = "no-policy",
    [DP_POLICY_BLOCK] = "policy-block",
    [DP_BYPASS] = "bypass",
    [DP_NO_SA] = "no-sa",
    [DP_IN_POLICY] = "inbound-policy-mismatch",
    [DP_ESP_ERROR] = "esp-error",
    [DP_ICMP_TOO_BIG] = "icmp-too-big",
    [DP_FRAGMENTED] = "fragmented",
    [DP_IKE] = "ike-dropped",
    [DP_MALFORMED] = "malformed",
    [DP_IO_ERROR] = "io-error",
};

const char *dp_ctr_name(enum dp_ctr c)
{
	return (unsigned)c < DP_CTR_COUNT ? ctr_names[c] : "?";
}

static void count(struct dp_shared *sh, enum dp_ctr c, uint64_t n)
{
	atomic_fetch_add_explicit(&sh->ctr[c], n, memory_order_relaxed);
}

static uint64_t now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* A protect policy without an SA: tells the IKE side (never blocking; at most one per reqid
 * and DP_ACQUIRE_MS from this worker). The packet itself is dropped. */
static void acquire(struct dp_worker *w, const struct esp_policy *pol, const struct esp_flow *f)
{
	uint32_t reqid = pol->tmpl.acq_reqid;
	int fd = atomic_load(&w->sh->ike_fd);
	unsigned slot = reqid % DP_ACQUIRE_SLOTS;
	uint64_t now;
	struct dp_ike_hdr h;

	if (!reqid || fd < 0)
		return;
	now = now_ms();
	if (w->acq[slot].reqid == reqid && now < w->acq[slot].ms + DP_ACQUIRE_MS)
		return;
	w->acq[slot].reqid = reqid;
	w->acq[slot].ms = now;
	memset(&h, 0, sizeof(h));
	h.acquire = reqid;
	addr_from_bytes(&h.local, f->family, f->src, f->family == AF_INET6 ? 16 : 4);
	addr_from_bytes(&h.remote, f->family, f->dst, f->family == AF_INET6 ? 16 : 4);
	if (send(fd, &h, sizeof(h), MSG_DONTWAIT) < 0)
		w->acq[slot].ms = 0; /* try again with the next packet */
}

/* A packet raised a soft or hard lifetime event (rare: once per SA and limit): wake the
 * control thread, which scans the SAs (ctl_cmds_expire). Nothing else on the packet path. */
static void lifetime_event(struct dp_shared *sh, uint8_t events)
{
	uint64_t one = 1;

	if (!(events & (ESP_EV_SOFT | ESP_EV_HARD)) || sh->event_fd < 0)
		return;
	if (write(sh->event_fd, &one, sizeof(one)) < 0) {
		/* the counter is already non-zero: the control thread will look */
	}
}

/* Hazard pointer: publish what we read, then confirm it is still current. */
static struct esp_spd *spd_acquire(struct dp_worker *w)
{
	struct esp_spd *p;

	do {
		p = atomic_load(&w->sh->spd);
		atomic_store(&w->hazard, p);
	} while (p != atomic_load(&w->sh->spd));
	return p;
}

static void spd_release(struct dp_worker *w)
{
	atomic_store(&w->hazard, NULL);
}

static uint8_t *pool_buf(struct dp_worker *w, unsigned i)
{
	return w->pool_mem + (size_t)i * w->sh->buf_size;
}

/* Writes the clear packet b to the TUN (with an all-zero virtio_net_hdr when the TUN wants
 * one: no offload requested, checksums complete). */
static void tun_write(struct dp_worker *w, struct esp_buf *b)
{
	struct dp_shared *sh = w->sh;
	uint8_t *p = esp_buf_data(b);
	size_t n = b->len;

	if (sh->tun->vnet) {
		if (b->off < GSO_VNET_HDR_LEN) {
			count(sh, DP_MALFORMED, 1);
			return;
		}
		p -= GSO_VNET_HDR_LEN;
		memset(p, 0, GSO_VNET_HDR_LEN);
		n += GSO_VNET_HDR_LEN;
	}
	if (write(sh->tun->fd, p, n) < 0) {
		count(sh, DP_IO_ERROR, 1);
		return;
	}
	count(sh, DP_TUN_TX, 1);
}

static void batch_flush(struct dp_worker *w, int fam)
{
	struct batch *bt = &w->out[fam];
	struct dp_shared *sh = w->sh;
	unsigned done = 0;

	while (done < bt->n) {
		int r = sendmmsg(sh->raw_out[fam], bt->msg + done, bt->n - done, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			/* drop the packet at fault and carry on with the rest */
			count(sh, DP_IO_ERROR, 1);
			done++;
			continue;
		}
		count(sh, DP_NET_TX, (uint64_t)r);
		done += (unsigned)r;
	}
	for (unsigned i = 0; i < bt->n; i++)
		w->free_idx[w->free_n++] = bt->buf[i];
	bt->n = 0;
	bt->has_udp = false;
}

static void utx_flush(struct dp_worker *w, int fam)
{
	struct udptx *u = &w->utx[fam];
	uint64_t sent = u->sent, errors = u->errors;
	unsigned trains = 0;

	if (!udptx_pending(u))
		return;
	for (unsigned i = 0; i < u->nmsg; i++)
		trains += u->tr[i].n > 1;
	udptx_flush(u);
	count(w->sh, DP_NET_TX, u->sent - sent);
	count(w->sh, DP_UDP_TRAINS, trains);
	if (u->errors != errors)
		count(w->sh, DP_IO_ERROR, u->errors - errors);
}

static void flush_all(struct dp_worker *w)
{
	for (int fam = 0; fam < 2; fam++) {
		utx_flush(w, fam);
		batch_flush(w, fam);
	}
}

static void raw_queue(struct dp_worker *w, unsigned bi, struct esp_buf *b);

/* Queues the packet in pool buffer bi for sending; l4off is the offset of the outer UDP/ESP/AH
 * header of a protected packet, 0 for a clear one. ESP in UDP from port 4500 goes in trains
 * through the UDP socket, the rest through the raw socket; the packets of one SA never pass
 * each other (a queue is sent before a packet of the same family takes the other one). */

static void queue_send(struct dp_worker *w, unsigned bi, struct esp_buf *b, size_t l4off)
{
	uint8_t *p = esp_buf_data(b);
	int fam = (p[0] >> 4) == 6;
	bool udp = (fam ? p[6] : p[9]) == IPPROTO_UDP;

	if (udp && l4off && udptx_eligible(&w->utx[fam], p, b->len, l4off)) {
		if (w->out[fam].has_udp)
			batch_flush(w, fam);
		udptx_add(&w->utx[fam], bi, p, b->len, l4off);
		return;
	}
	if (udp && udptx_pending(&w->utx[fam]))
		utx_flush(w, fam);
	raw_queue(w, bi, b);
}

/* Queues the packet for the raw socket. */
static void raw_queue(struct dp_worker *w, unsigned bi, struct esp_buf *b)
{
	uint8_t *p = esp_buf_data(b);
	int fam = (p[0] >> 4) == 6;
	struct batch *bt = &w->out[fam];
	unsigned k = bt->n;

	bt->has_udp |= (fam ? p[6] : p[9]) == IPPROTO_UDP;

	memset(&bt->to[k], 0, sizeof(bt->to[k]));
	if (fam) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&bt->to[k];
		s6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, p + 24, 16);
		bt->msg[k].msg_hdr.msg_namelen = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&bt->to[k];
		s4->sin_family = AF_INET;
		memcpy(&s4->sin_addr, p + 16, 4);
		bt->msg[k].msg_hdr.msg_namelen = sizeof(*s4);
	}
	bt->iov[k].iov_base = p;
	bt->iov[k].iov_len = b->len;
	bt->msg[k].msg_hdr.msg_name = &bt->to[k];
	bt->msg[k].msg_hdr.msg_iov = &bt->iov[k];
	bt->msg[k].msg_hdr.msg_iovlen = 1;
	bt->buf[k] = bi;
	bt->n++;
	if (bt->n == DP_BATCH)
		batch_flush(w, fam);
}

static void release(struct dp_worker *w, unsigned bi)
{
	w->free_idx[w->free_n++] = bi;
}

/* udptx hands buffers back: sent (ip NULL), or refused and to be sent raw. */
static void utx_done(void *ctx, unsigned bi, uint8_t *ip, size_t len)
{
	struct dp_worker *w = ctx;
	struct esp_buf b;

	if (!ip) {
		release(w, bi);
		return;
	}
	esp_buf_init(&b, pool_buf(w, bi), w->sh->buf_size, (size_t)(ip - pool_buf(w, bi)), len);
	raw_queue(w, bi, &b);
}

/* The SA the previous segment of the same GSO super-packet was protected with: the segments
 * share one flow (their headers are copies), so one policy and SA lookup serves them all. */
struct out_ctx {
	struct esp_spd *spd;
	uint64_t now;
	struct esp_sa *sa; /* a reference, or NULL */
};

static void out_packet(struct dp_worker *w, struct out_ctx *oc, unsigned bi, size_t len, int depth);

/* ESP_RES_FRAGMENT: split the clear IPv4 packet and protect each fragment. */
static void out_fragment(struct dp_worker *w, struct out_ctx *oc, struct esp_buf *b, size_t mtu)
{
	struct esp_buf frags[FRAG_MAX];
	unsigned idx[FRAG_MAX];
	size_t n = 0, got = 0;

	while (n < FRAG_MAX && w->free_n > 0) {
		idx[n] = w->free_idx[--w->free_n];
		esp_buf_init(&frags[n], pool_buf(w, idx[n]), w->sh->buf_size, ESP_HEADROOM, 0);
		n++;
	}
	if (esp_ip4_fragment(esp_buf_data(b), b->len, mtu, frags, n, &got)) {
		count(w->sh, DP_MALFORMED, 1);
		got = 0;
	} else {
		count(w->sh, DP_FRAGMENTED, 1);
	}
	/* a fragment's flow (no ports past the first) gets its own lookup */
	struct out_ctx fc = {.spd = oc->spd, .now = oc->now, .sa = NULL};
	for (size_t i = 0; i < n; i++) {
		if (i < got)
			out_packet(w, &fc, idx[i], frags[i].len, 1);
		else
			release(w, idx[i]);
	}
}

/* One clear packet in pool buffer bi at ESP_HEADROOM: policy, SA, protect, queue. Takes
 * ownership of the buffer. */
static void out_packet(struct dp_worker *w, struct out_ctx *oc, unsigned bi, size_t len, int depth)
{
	struct dp_shared *sh = w->sh;
	const struct esp_policy *pol;
	struct esp_flow flow;
	struct esp_result res;
	struct esp_buf b;
	struct esp_sa *sa;
	int r;

	esp_buf_init(&b, pool_buf(w, bi), sh->buf_size, ESP_HEADROOM, len);
	if (oc->sa) {
		sa = oc->sa;
		goto protect;
	}
	if (esp_flow_from_packet(esp_buf_data(&b), len, &flow)) {
		count(sh, DP_MALFORMED, 1);
		goto drop;
	}
	pol = oc->spd ? esp_spd_lookup(oc->spd, ESP_DIR_OUT, &flow) : NULL;
	if (!pol) {
		count(sh, DP_NO_POLICY, 1);
		goto drop;
	}
	if (pol->action == ESP_ACTION_DISCARD) {
		count(sh, DP_POLICY_BLOCK, 1);
		goto drop;
	}
	if (pol->action == ESP_ACTION_BYPASS) {
		count(sh, DP_BYPASS, 1);
		queue_send(w, bi, &b, 0);
		return;
	}
	sa = esp_sad_lookup_out(sh->sad, pol->tmpl.reqid);
	if (!sa) {
		count(sh, DP_NO_SA, 1);
		acquire(w, pol, &flow);
		goto drop;
	}
	if (depth == 0)
		oc->sa = sa; /* kept for the next segments (out_drain puts it) */
protect:
	memset(&res, 0, sizeof(res));
	r = esp_protect(sa, &w->ew, &b, oc->now, &res);
	if (sa != oc->sa)
		esp_sa_put(sa);
	if (res.events)
		lifetime_event(sh, res.events);
	if (r) {
		count(sh, DP_ESP_ERROR, 1);
		goto drop;
	}
	switch (res.kind) {
	case ESP_RES_SEND:
		queue_send(w, bi, &b, res.l4_off);
		return;
	case ESP_RES_ICMP:
		count(sh, DP_ICMP_TOO_BIG, 1);
		tun_write(w, &b);
		break;
	case ESP_RES_FRAGMENT:
		if (depth == 0) {
			out_fragment(w, oc, &b, res.frag_mtu);
			break;
		}
		count(sh, DP_MALFORMED, 1);
		break;
	default:
		break;
	}
drop:
	release(w, bi);
}

/* Reads everything the TUN has (up to a bound), segments, protects and sends in batches. */
static void out_drain(struct dp_worker *w)
{
	struct dp_shared *sh = w->sh;
	uint8_t *segs[GSO_MAX_SEGS];
	size_t lens[GSO_MAX_SEGS], nseg;
	unsigned idx[GSO_MAX_SEGS];
	struct out_ctx oc = {.spd = spd_acquire(w), .now = now_s(), .sa = NULL};

	for (int rounds = 0; rounds < 256; rounds++) {
		if (w->free_n < GSO_MAX_SEGS + FRAG_MAX)
			flush_all(w);
		if (!sh->tun->vnet) {
			unsigned bi = w->free_idx[--w->free_n];
			ssize_t n = read(sh->tun->fd, pool_buf(w, bi) + ESP_HEADROOM,
					 sh->buf_size - ESP_HEADROOM - ESP_TAILROOM);
			if (n <= 0) {
				release(w, bi);
				break;
			}
			count(sh, DP_TUN_RX, 1);
			out_packet(w, &oc, bi, (size_t)n, 0);
			esp_sa_put(oc.sa);
			oc.sa = NULL;
			continue;
		}
		ssize_t n = read(sh->tun->fd, w->super, SUPER_SIZE);
		if (n <= 0)
			break;
		if ((size_t)n < GSO_VNET_HDR_LEN) {
			count(sh, DP_MALFORMED, 1);
			continue;
		}
		for (size_t i = 0; i < GSO_MAX_SEGS; i++) {
			idx[i] = w->free_idx[w->free_n - 1 - i];
			segs[i] = pool_buf(w, idx[i]);
		}
		int r = gso_split(w->super, w->super + GSO_VNET_HDR_LEN,
				  (size_t)n - GSO_VNET_HDR_LEN, segs, sh->buf_size - ESP_TAILROOM,
				  ESP_HEADROOM, GSO_MAX_SEGS, lens, &nseg);
		if (r) {
			count(sh, DP_MALFORMED, 1);
			continue;
		}
		if (nseg > 1)
			count(sh, DP_GSO_SUPER, 1);
		w->free_n -= (unsigned)nseg;
		count(sh, DP_TUN_RX, nseg);
		for (size_t i = 0; i < nseg; i++)
			out_packet(w, &oc, idx[i], lens[i], 0);
		esp_sa_put(oc.sa);
		oc.sa = NULL;
	}
	flush_all(w);
	spd_release(w);
}

/* Rebuilds the IPv6 header a raw IPv6 socket strips (RFC 8200 §3), from the ancillary data. */
static int in_v6_header(struct esp_buf *b, const struct msghdr *mh, uint8_t proto)
{
	const struct sockaddr_in6 *from = mh->msg_name;
	const struct in6_pktinfo *pi = NULL;
	int hops = 64;
	uint8_t *h;

	for (struct cmsghdr *c = CMSG_FIRSTHDR((struct msghdr *)mh); c;
	     c = CMSG_NXTHDR((struct msghdr *)mh, c)) {
		if (c->cmsg_level != IPPROTO_IPV6)
			continue;
		if (c->cmsg_type == IPV6_PKTINFO && c->cmsg_len >= CMSG_LEN(sizeof(*pi)))
			pi = (const struct in6_pktinfo *)(const void *)CMSG_DATA(c);
		else if (c->cmsg_type == IPV6_HOPLIMIT && c->cmsg_len >= CMSG_LEN(sizeof(int)))
			memcpy(&hops, CMSG_DATA(c), sizeof(int));
	}
	if (!pi || b->off < 40 || b->len > 65535 || mh->msg_namelen < sizeof(*from))
		return ERR_INVAL;
	b->off -= 40;
	h = esp_buf_data(b);
	memset(h, 0, 40);
	h[0] = 0x60;
	buf_store_be16(h + 4, (uint16_t)b->len);
	h[6] = proto;
	h[7] = (uint8_t)hops;
	memcpy(h + 8, &from->sin6_addr, 16);
	memcpy(h + 24, &pi->ipi6_addr, 16);
	b->len += 40;
	return 0;
}

static void gro_flush(struct dp_worker *w)
{
	size_t n;
	const uint8_t *p = gro_take(&w->gro, &n);

	if (!p)
		return;
	if (write(w->sh->tun->fd, p, n) < 0) {
		count(w->sh, DP_IO_ERROR, 1);
		return;
	}
	count(w->sh, DP_TUN_TX, 1);
}

/* Delivers a clear packet: coalesced with its neighbours when it continues a TCP chain. */
static void in_deliver(struct dp_worker *w, struct esp_buf *b)
{
	if (w->gro_on) {
		if (gro_add(&w->gro, esp_buf_data(b), b->len)) {
			w->gro_segs++;
			return;
		}
		gro_flush(w);
		if (gro_candidate(esp_buf_data(b), b->len) &&
		    gro_add(&w->gro, esp_buf_data(b), b->len)) {
			w->gro_segs++;
			return;
		}
	}
	tun_write(w, b);
}

static int in_udp_dst(const struct msghdr *mh, int v6, struct addr *dst)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR((struct msghdr *)mh); c;
	     c = CMSG_NXTHDR((struct msghdr *)mh, c)) {
		if (!v6 && c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO &&
		    c->cmsg_len >= CMSG_LEN(sizeof(struct in_pktinfo))) {
			struct in_pktinfo pi;
			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			return addr_from_bytes(dst, AF_INET, &pi.ipi_addr, 4);
		}
		if (v6 && c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO &&
		    c->cmsg_len >= CMSG_LEN(sizeof(struct in6_pktinfo))) {
			struct in6_pktinfo pi;
			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			return addr_from_bytes(dst, AF_INET6, &pi.ipi6_addr, 16);
		}
	}
	return ERR_INVAL;
}

/* Per receive batch: the SPD (held through the worker's hazard pointer), the time, and the
 * verdict on the last delivered packet's flow. */
struct in_ctx {
	struct esp_spd *spd;
	uint64_t now;
	bool last_ok;
	uint32_t last_reqid;
	struct esp_flow last;
};

/* RFC 4301 §5.2 step 4/5: the clear packet must be allowed by the inbound (or forward)
 * policy for its flow, and when that policy names a reqid, arrive on an SA of that reqid. */
static bool flow_eq(const struct esp_flow *a, const struct esp_flow *b)
{
	return a->family == b->family && a->proto == b->proto && a->ports_known == b->ports_known &&
	       a->sport == b->sport && a->dport == b->dport && memcmp(a->src, b->src, 16) == 0 &&
	       memcmp(a->dst, b->dst, 16) == 0;
}

static int in_policy_ok(struct dp_worker *w, struct in_ctx *ic, struct esp_buf *b, uint32_t reqid)
{
	const struct esp_policy *pol = NULL;
	struct esp_spd *spd = ic->spd;
	struct esp_flow flow;
	int ok = 1;

	if (esp_flow_from_packet(esp_buf_data(b), b->len, &flow))
		return 0;
	if (ic->last_ok && ic->last_reqid == reqid && flow_eq(&ic->last, &flow))
		return 1; /* the previous packet's flow and SA: the same verdict */
	if (spd) {
		pol = esp_spd_lookup(spd, ESP_DIR_IN, &flow);
		if (!pol)
			pol = esp_spd_lookup(spd, ESP_DIR_FWD, &flow);
	}
	if (pol && pol->action == ESP_ACTION_DISCARD) {
		count(w->sh, DP_POLICY_BLOCK, 1);
		ok = 0;
	} else if (pol && pol->action == ESP_ACTION_PROTECT && pol->tmpl.reqid &&
		   pol->tmpl.reqid != reqid) {
		count(w->sh, DP_IN_POLICY, 1);
		ok = 0;
	}
	ic->last_ok = ok;
	ic->last = flow;
	ic->last_reqid = reqid;
	return ok;
}

/* kind: 0 raw v4, 1 raw v6, 2 UDP v4, 3 UDP v6; proto for raw sockets. */
/* Hands an IKE message from port 4500 to the control thread; 0 or ERR_IO (dropped). */
static int ike_handoff(struct dp_shared *sh, const struct addr *src, uint16_t sport,
		       const struct addr *dst, const struct esp_buf *b)
{
	int fd = atomic_load(&sh->ike_fd);
	struct dp_ike_hdr h;
	struct iovec iov[2];
	struct msghdr mh;

	if (fd < 0)
		return ERR_IO;
	memset(&h, 0, sizeof(h));
	h.local = *dst;
	h.remote = *src;
	h.local_port = ESP_ENCAP_PORT;
	h.remote_port = sport;
	iov[0].iov_base = &h;
	iov[0].iov_len = sizeof(h);
	iov[1].iov_base = b->base + b->off;
	iov[1].iov_len = b->len;
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = iov;
	mh.msg_iovlen = 2;
	return sendmsg(fd, &mh, MSG_DONTWAIT) < 0 ? ERR_IO : 0;
}

/* ESP_EV_MAPPING to the control thread (dropped when it cannot take it now: the event comes
 * again with a later packet). */
static void report_mapping(struct dp_shared *sh, const struct addr *src, uint16_t sport,
			   const struct addr *dst, uint32_t reqid)
{
	int fd = atomic_load(&sh->ike_fd);
	struct dp_ike_hdr h;

	if (fd < 0)
		return;
	memset(&h, 0, sizeof(h));
	h.kind = DP_IKE_MAPPING;
	h.local = *dst;
	h.remote = *src;
	h.local_port = ESP_ENCAP_PORT;
	h.remote_port = sport;
	h.reqid = reqid;
	if (send(fd, &h, sizeof(h), MSG_DONTWAIT) < 0)
		count(sh, DP_IO_ERROR, 1);
}

/* One received packet in b: unprotect, policy check, deliver (or hand IKE over). kind as for
 * in_drain; src/sport/dst for the UDP kinds. */
static void in_packet(struct dp_worker *w, struct in_ctx *ic, struct esp_buf *b, int kind,
		      const struct addr *src, uint16_t sport, const struct addr *dst)
{
	uint64_t now = ic->now;
	struct dp_shared *sh = w->sh;
	struct esp_result res;
	int r;

	memset(&res, 0, sizeof(res));
	if (kind < 2)
		r = esp_input(sh->sad, &w->ew, b, now, &res);
	else
		r = esp_input_udp(sh->sad, &w->ew, b, src, dst, sport, ESP_ENCAP_PORT, now, &res);
	if (res.events)
		lifetime_event(sh, res.events);
	if (r) {
		count(sh, DP_ESP_ERROR, 1);
		log_peer(&w->rl, now_ms(), LOG_ESP, LOG_LVL_DEBUG,
			 "inbound packet spi 0x%08x dropped: %s (%s)", res.spi, err_str(r),
			 esp_drop_name((enum esp_drop)res.drop));
		return;
	}
	if (kind >= 2 && (res.events & ESP_EV_MAPPING))
		report_mapping(sh, src, sport, dst, res.reqid);
	if (res.kind == ESP_RES_IKE) {
		if (kind < 2 || ike_handoff(sh, src, sport, dst, b))
			count(sh, DP_IKE, 1);
		return;
	}
	if (res.kind != ESP_RES_DELIVER)
		return;
	if (!in_policy_ok(w, ic, b, res.reqid))
		return;
	in_deliver(w, b);
}

/* The segment size of a datagram the kernel coalesced (UDP_GRO), or 0. */
static size_t in_gro_size(const struct msghdr *mh)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR((struct msghdr *)mh); c;
	     c = CMSG_NXTHDR((struct msghdr *)mh, c)) {
		if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO &&
		    c->cmsg_len >= CMSG_LEN(sizeof(int))) {
			int v;
			memcpy(&v, CMSG_DATA(c), sizeof(v));
			return v > 0 ? (size_t)v : 0;
		}
	}
	return 0;
}

/* A UDP datagram of len bytes at p (with ESP_HEADROOM in front): one ESP packet, or several
 * of gso bytes each (the last may be shorter) when the kernel coalesced them. Segments are
 * processed in order, in place: a segment's headroom is the previous segment's bytes. */
static void in_udp_datagram(struct dp_worker *w, struct in_ctx *ic, uint8_t *p, size_t len,
			    const struct msghdr *mh, int kind)
{
	struct addr src, dst;
	uint16_t sport = 0;
	size_t gso = in_gro_size(mh);

	if (addr_from_sockaddr(mh->msg_name, mh->msg_namelen, &src, &sport) ||
	    in_udp_dst(mh, kind == 3, &dst)) {
		count(w->sh, DP_MALFORMED, 1);
		return;
	}
	if (gso == 0 || gso > len)
		gso = len;
	if (len == 0) {
		struct esp_buf b;
		esp_buf_init(&b, p - ESP_HEADROOM, ESP_HEADROOM, ESP_HEADROOM, 0);
		in_packet(w, ic, &b, kind, &src, sport, &dst);
		return;
	}
	for (size_t o = 0; o < len; o += gso) {
		size_t seg = len - o < gso ? len - o : gso;
		struct esp_buf b;

		esp_buf_init(&b, p + o - ESP_HEADROOM, ESP_HEADROOM + seg, ESP_HEADROOM, seg);
		in_packet(w, ic, &b, kind, &src, sport, &dst);
	}
}

static void in_drain(struct dp_worker *w, int fd, int kind, uint8_t proto)
{
	struct dp_shared *sh = w->sh;
	bool big = kind >= 2 && w->rx_big;
	size_t cap = big ? RX_BIG_SIZE - ESP_HEADROOM : sh->buf_size - ESP_HEADROOM - ESP_TAILROOM;
	size_t stride = big ? RX_BIG_SIZE : sh->buf_size;
	uint8_t *mem = big ? w->rx_big : w->rx_mem;
	unsigned nmsg = big ? RX_BIG_N : DP_BATCH;

	for (int rounds = 0; rounds < 16; rounds++) {
		for (unsigned i = 0; i < nmsg; i++) {
			struct msghdr *mh = &w->rx_msg[i].msg_hdr;
			w->rx_iov[i].iov_base = mem + (size_t)i * stride + ESP_HEADROOM;
			w->rx_iov[i].iov_len = cap;
			mh->msg_iov = &w->rx_iov[i];
			mh->msg_iovlen = 1;
			mh->msg_name = &w->rx_from[i];
			mh->msg_namelen = sizeof(w->rx_from[i]);
			mh->msg_control = w->rx_ctl[i];
			mh->msg_controllen = sizeof(w->rx_ctl[i]);
			mh->msg_flags = 0;
		}
		int n = recvmmsg(fd, w->rx_msg, nmsg, MSG_DONTWAIT, NULL);
		if (n <= 0)
			return;
		count(sh, DP_NET_RX, (uint64_t)n);
		struct in_ctx ic = {.spd = spd_acquire(w), .now = now_s()};
		for (int i = 0; i < n; i++) {
			struct msghdr *mh = &w->rx_msg[i].msg_hdr;
			uint8_t *p = mem + (size_t)i * stride + ESP_HEADROOM;
			struct esp_buf b;
			if (mh->msg_flags & MSG_TRUNC) {
				count(sh, DP_MALFORMED, 1);
				continue;
			}
			if (kind >= 2) {
				in_udp_datagram(w, &ic, p, w->rx_msg[i].msg_len, mh, kind);
				continue;
			}
			esp_buf_init(&b, p - ESP_HEADROOM, stride, ESP_HEADROOM,
				     w->rx_msg[i].msg_len);
			if (kind == 1 && in_v6_header(&b, mh, proto)) {
				count(sh, DP_MALFORMED, 1);
				continue;
			}
			in_packet(w, &ic, &b, kind, NULL, 0, NULL);
		}
		spd_release(w);
		if (w->gro_on)
			gro_flush(w);
		if (w->gro_segs) {
			count(sh, DP_GRO_SEGS, w->gro_segs);
			w->gro_segs = 0;
		}
	}
}

static void *worker_main(void *arg)
{
	struct dp_worker *w = arg;
	struct dp_shared *sh = w->sh;
	struct pollfd pfd[8];
	int kinds[8];
	uint8_t protos[8];
	nfds_t n = 0;

	pfd[n].fd = sh->stop_fd;
	pfd[n++].events = POLLIN;
	if (w->role & ROLE_OUT) {
		kinds[n] = -1;
		pfd[n].fd = sh->tun->fd;
		pfd[n++].events = POLLIN;
	}
	if (w->role & ROLE_IN) {
		static const int raw_kind[4] = {0, 0, 1, 1};
		static const uint8_t raw_proto[4] = {IPPROTO_ESP, IPPROTO_AH, IPPROTO_ESP,
						     IPPROTO_AH};
		for (int i = 0; i < 4; i++) {
			if (sh->raw_in[i] < 0)
				continue;
			kinds[n] = raw_kind[i];
			protos[n] = raw_proto[i];
			pfd[n].fd = sh->raw_in[i];
			pfd[n++].events = POLLIN;
		}
		for (int i = 0; i < 2; i++) {
			if (sh->udp_in[i] < 0)
				continue;
			kinds[n] = 2 + i;
			protos[n] = IPPROTO_ESP;
			pfd[n].fd = sh->udp_in[i];
			pfd[n++].events = POLLIN;
		}
	}
	/* epoll: a wakeup costs the same whatever the number of sockets (poll walks them all) */
	int ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0) {
		log_error(LOG_DAEMON, "worker %u: epoll: %s", w->id, strerror(errno));
		return NULL;
	}
	for (nfds_t i = 0; i < n; i++) {
		struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
		if (epoll_ctl(ep, EPOLL_CTL_ADD, pfd[i].fd, &ev)) {
			log_error(LOG_DAEMON, "worker %u: epoll_ctl: %s", w->id, strerror(errno));
			goto out;
		}
	}
	while (!atomic_load(&sh->stop)) {
		struct epoll_event evs[8];
		int k = epoll_wait(ep, evs, 8, -1);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			log_error(LOG_DAEMON, "worker %u: epoll_wait: %s", w->id, strerror(errno));
			break;
		}
		for (int j = 0; j < k; j++)
			if (evs[j].data.u32 == 0)
				goto out; /* stop_fd */
		for (int j = 0; j < k; j++) {
			uint32_t i = evs[j].data.u32;
			if (!(evs[j].events & (EPOLLIN | EPOLLERR)))
				continue;
			if (kinds[i] < 0)
				out_drain(w);
			else
				in_drain(w, pfd[i].fd, kinds[i], protos[i]);
		}
	}
out:
	close(ep);
	return NULL;
}

static void worker_free(struct dp_worker *w)
{
	if (!w)
		return;
	free(w->super);
	free(w->pool_mem);
	free(w->rx_mem);
	free(w->rx_big);
	gro_cleanup(&w->gro);
	esp_worker_cleanup(&w->ew);
	free(w);
}

static int worker_new(struct dp_shared *sh, unsigned id, int role, struct dp_worker **out)
{
	struct dp_worker *w = calloc(1, sizeof(*w));

	if (!w)
		return ERR_NOMEM;
	w->sh = sh;
	w->id = id;
	w->role = role;
	esp_worker_init(&w->ew, id);
	if (esp_worker_cache_init(&w->ew) != 0) {
		free(w);
		return ERR_NOMEM;
	}
	log_ratelimit_init(&w->rl, 1000, 5);
	if (role & ROLE_OUT) {
		w->super = malloc(SUPER_SIZE);
		w->pool_mem = malloc((size_t)POOL_N * sh->buf_size);
		if (!w->super || !w->pool_mem)
			goto fail;
		for (unsigned i = 0; i < POOL_N; i++)
			w->free_idx[w->free_n++] = i;
		udptx_init(&w->utx[0], sh->udp_in[0], AF_INET, utx_done, w);
		udptx_init(&w->utx[1], sh->udp_in[1], AF_INET6, utx_done, w);
	}
	if (role & ROLE_IN) {
		w->rx_mem = malloc((size_t)DP_BATCH * sh->buf_size);
		if (!w->rx_mem)
			goto fail;
		if (sh->udp_in[0] >= 0 || sh->udp_in[1] >= 0) {
			w->rx_big = malloc((size_t)RX_BIG_N * RX_BIG_SIZE);
			if (!w->rx_big)
				goto fail;
		}
		if (sh->tun->vnet) {
			if (gro_init(&w->gro))
				goto fail;
			w->gro_on = true;
		}
	}
	*out = w;
	return 0;
fail:
	worker_free(w);
	return ERR_NOMEM;
}

int dp_workers_start(struct dp_shared *sh)
{
	int r;

	for (unsigned i = 0; i < sh->nthreads; i++) {
		int role = sh->nthreads == 1 ? (ROLE_OUT | ROLE_IN) : (i == 0 ? ROLE_OUT : ROLE_IN);
		if ((r = worker_new(sh, i, role, &sh->workers[i])))
			return r;
	}
	for (unsigned i = 0; i < sh->nthreads; i++) {
		if (pthread_create(&sh->workers[i]->thread, NULL, worker_main, sh->workers[i]))
			return ERR_IO;
		sh->workers[i]->started = true;
	}
	return 0;
}

void dp_workers_stop(struct dp_shared *sh)
{
	uint64_t one = 1;

	atomic_store(&sh->stop, true);
	if (write(sh->stop_fd, &one, sizeof(one)) < 0) {
		/* the eventfd cannot be full after one write */
	}
	for (unsigned i = 0; i < DP_WORKERS_MAX; i++) {
		struct dp_worker *w = sh->workers[i];
		if (!w)
			continue;
		if (w->started)
			pthread_join(w->thread, NULL);
		worker_free(w);
		sh->workers[i] = NULL;
	}
}

void dp_workers_quiesce(struct dp_shared *sh, const struct esp_spd *old)
{
	if (!old)
		return; /* an idle worker's hazard is NULL too */
	for (unsigned i = 0; i < DP_WORKERS_MAX; i++) {
		struct dp_worker *w = sh->workers[i];
		if (!w)
			continue;
		while (atomic_load(&w->hazard) == old) {
			struct timespec ts = {0, 20000};
			nanosleep(&ts, NULL);
		}
	}
}

void dp_workers_stats(struct dp_shared *sh, struct esp_stats *out)
{
	for (unsigned i = 0; i < DP_WORKERS_MAX; i++) {
		struct esp_stats s;
		if (!sh->workers[i])
			continue;
		esp_stats_read(&sh->workers[i]->ew.stats, &s);
		out->in_packets += s.in_packets;
		out->out_packets += s.out_packets;
		for (int d = 0; d < ESP_DROP_COUNT; d++)
			out->drops[d] += s.drops[d];
	}
}
