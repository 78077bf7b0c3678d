#include "daemon/worker_in.h"

#include <netinet/in.h>
#include <netinet/udp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "daemon/worker_ctx.h"
#include "esp/sel.h"
#include "lib/buf.h"
#include "lib/err.h"

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
		dpw_count(w->sh, DP_IO_ERROR, 1);
		return;
	}
	dpw_count(w->sh, DP_TUN_TX, 1);
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
	dpw_tun_write(w, b);
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
		dpw_count(w->sh, DP_POLICY_BLOCK, 1);
		ok = 0;
	} else if (pol && pol->action == ESP_ACTION_PROTECT && pol->tmpl.reqid &&
		   pol->tmpl.reqid != reqid) {
		dpw_count(w->sh, DP_IN_POLICY, 1);
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
		dpw_count(sh, DP_IO_ERROR, 1);
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
		dpw_lifetime_event(sh, res.events);
	if (r) {
		dpw_count(sh, DP_ESP_ERROR, 1);
		log_peer(&w->rl, dpw_now_ms(), LOG_ESP, LOG_LVL_DEBUG,
			 "inbound packet spi 0x%08x dropped: %s (%s)", res.spi, err_str(r),
			 esp_drop_name((enum esp_drop)res.drop));
		return;
	}
	if (kind >= 2 && (res.events & ESP_EV_MAPPING))
		report_mapping(sh, src, sport, dst, res.reqid);
	if (res.kind == ESP_RES_IKE) {
		if (kind < 2 || ike_handoff(sh, src, sport, dst, b))
			dpw_count(sh, DP_IKE, 1);
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
		dpw_count(w->sh, DP_MALFORMED, 1);
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

void dpw_in_drain(struct dp_worker *w, int fd, int kind, uint8_t proto)
{
	struct dp_shared *sh = w->sh;
	bool big = kind >= 2 && w->rx_big;
	size_t cap =
	    big ? DPW_RX_BIG_SIZE - ESP_HEADROOM : sh->buf_size - ESP_HEADROOM - ESP_TAILROOM;
	size_t stride = big ? DPW_RX_BIG_SIZE : sh->buf_size;
	uint8_t *mem = big ? w->rx_big : w->rx_mem;
	unsigned nmsg = big ? DPW_RX_BIG_N : DP_BATCH;

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
		dpw_count(sh, DP_NET_RX, (uint64_t)n);
		struct in_ctx ic = {.spd = dpw_spd_acquire(w), .now = dpw_now_s()};
		for (int i = 0; i < n; i++) {
			struct msghdr *mh = &w->rx_msg[i].msg_hdr;
			uint8_t *p = mem + (size_t)i * stride + ESP_HEADROOM;
			struct esp_buf b;
			if (mh->msg_flags & MSG_TRUNC) {
				dpw_count(sh, DP_MALFORMED, 1);
				continue;
			}
			if (kind >= 2) {
				in_udp_datagram(w, &ic, p, w->rx_msg[i].msg_len, mh, kind);
				continue;
			}
			esp_buf_init(&b, p - ESP_HEADROOM, stride, ESP_HEADROOM,
				     w->rx_msg[i].msg_len);
			if (kind == 1 && in_v6_header(&b, mh, proto)) {
				dpw_count(sh, DP_MALFORMED, 1);
				continue;
			}
			in_packet(w, &ic, &b, kind, NULL, 0, NULL);
		}
		dpw_spd_release(w);
		if (w->gro_on)
			gro_flush(w);
		if (w->gro_segs) {
			dpw_count(sh, DP_GRO_SEGS, w->gro_segs);
			w->gro_segs = 0;
		}
	}
}

int dpw_in_init(struct dp_worker *w)
{
	struct dp_shared *sh = w->sh;

	w->rx_mem = malloc((size_t)DP_BATCH * sh->buf_size);
	if (!w->rx_mem)
		return ERR_NOMEM;
	if (sh->udp_in[0] >= 0 || sh->udp_in[1] >= 0) {
		w->rx_big = malloc((size_t)DPW_RX_BIG_N * DPW_RX_BIG_SIZE);
		if (!w->rx_big)
			return ERR_NOMEM;
	}
	if (sh->tun->vnet) {
		if (gro_init(&w->gro))
			return ERR_NOMEM;
		w->gro_on = true;
	}
	return 0;
}

void dpw_in_cleanup(struct dp_worker *w)
{
	free(w->rx_mem);
	free(w->rx_big);
	w->rx_mem = NULL;
	w->rx_big = NULL;
	gro_cleanup(&w->gro);
	w->gro_on = false;
}
