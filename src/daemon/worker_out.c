#include "daemon/worker_out.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon/worker_ctx.h"
#include "esp/pmtu.h"
#include "esp/sel.h"
#include "lib/err.h"

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
	now = dpw_now_ms();
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

static void batch_flush(struct dp_worker *w, int fam)
{
	struct dpw_batch *bt = &w->out[fam];
	struct dp_shared *sh = w->sh;
	unsigned done = 0;

	while (done < bt->n) {
		int r = sendmmsg(sh->raw_out[fam], bt->msg + done, bt->n - done, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			/* drop the packet at fault and carry on with the rest */
			dpw_count(sh, DP_IO_ERROR, 1);
			done++;
			continue;
		}
		dpw_count(sh, DP_NET_TX, (uint64_t)r);
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
	dpw_count(w->sh, DP_NET_TX, u->sent - sent);
	dpw_count(w->sh, DP_UDP_TRAINS, trains);
	if (u->errors != errors)
		dpw_count(w->sh, DP_IO_ERROR, u->errors - errors);
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
	struct dpw_batch *bt = &w->out[fam];
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
	esp_buf_init(&b, dpw_pool_buf(w, bi), w->sh->buf_size, (size_t)(ip - dpw_pool_buf(w, bi)),
		     len);
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
	struct esp_buf frags[DPW_FRAG_MAX];
	unsigned idx[DPW_FRAG_MAX];
	size_t n = 0, got = 0;

	while (n < DPW_FRAG_MAX && w->free_n > 0) {
		idx[n] = w->free_idx[--w->free_n];
		esp_buf_init(&frags[n], dpw_pool_buf(w, idx[n]), w->sh->buf_size, ESP_HEADROOM, 0);
		n++;
	}
	if (esp_ip4_fragment(esp_buf_data(b), b->len, mtu, frags, n, &got)) {
		dpw_count(w->sh, DP_MALFORMED, 1);
		got = 0;
	} else {
		dpw_count(w->sh, DP_FRAGMENTED, 1);
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

	esp_buf_init(&b, dpw_pool_buf(w, bi), sh->buf_size, ESP_HEADROOM, len);
	if (oc->sa) {
		sa = oc->sa;
		goto protect;
	}
	if (esp_flow_from_packet(esp_buf_data(&b), len, &flow)) {
		dpw_count(sh, DP_MALFORMED, 1);
		goto drop;
	}
	pol = oc->spd ? esp_spd_lookup(oc->spd, ESP_DIR_OUT, &flow) : NULL;
	if (!pol) {
		dpw_count(sh, DP_NO_POLICY, 1);
		goto drop;
	}
	if (pol->action == ESP_ACTION_DISCARD) {
		dpw_count(sh, DP_POLICY_BLOCK, 1);
		goto drop;
	}
	if (pol->action == ESP_ACTION_BYPASS) {
		dpw_count(sh, DP_BYPASS, 1);
		queue_send(w, bi, &b, 0);
		return;
	}
	sa = esp_sad_lookup_out(sh->sad, pol->tmpl.reqid);
	if (!sa) {
		dpw_count(sh, DP_NO_SA, 1);
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
		dpw_lifetime_event(sh, res.events);
	if (r) {
		dpw_count(sh, DP_ESP_ERROR, 1);
		goto drop;
	}
	switch (res.kind) {
	case ESP_RES_SEND:
		queue_send(w, bi, &b, res.l4_off);
		return;
	case ESP_RES_ICMP:
		dpw_count(sh, DP_ICMP_TOO_BIG, 1);
		dpw_tun_write(w, &b);
		break;
	case ESP_RES_FRAGMENT:
		if (depth == 0) {
			out_fragment(w, oc, &b, res.frag_mtu);
			break;
		}
		dpw_count(sh, DP_MALFORMED, 1);
		break;
	default:
		break;
	}
drop:
	release(w, bi);
}

/* Reads everything the TUN has (up to a bound), segments, protects and sends in batches. */
void dpw_out_drain(struct dp_worker *w)
{
	struct dp_shared *sh = w->sh;
	uint8_t *segs[GSO_MAX_SEGS];
	size_t lens[GSO_MAX_SEGS], nseg;
	unsigned idx[GSO_MAX_SEGS];
	struct out_ctx oc = {.spd = dpw_spd_acquire(w), .now = dpw_now_s(), .sa = NULL};

	for (int rounds = 0; rounds < 256; rounds++) {
		if (w->free_n < GSO_MAX_SEGS + DPW_FRAG_MAX)
			flush_all(w);
		if (!sh->tun->vnet) {
			unsigned bi = w->free_idx[--w->free_n];
			ssize_t n = read(sh->tun->fd, dpw_pool_buf(w, bi) + ESP_HEADROOM,
					 sh->buf_size - ESP_HEADROOM - ESP_TAILROOM);
			if (n <= 0) {
				release(w, bi);
				break;
			}
			dpw_count(sh, DP_TUN_RX, 1);
			out_packet(w, &oc, bi, (size_t)n, 0);
			esp_sa_put(oc.sa);
			oc.sa = NULL;
			continue;
		}
		ssize_t n = read(sh->tun->fd, w->super, DPW_SUPER_SIZE);
		if (n <= 0)
			break;
		if ((size_t)n < GSO_VNET_HDR_LEN) {
			dpw_count(sh, DP_MALFORMED, 1);
			continue;
		}
		for (size_t i = 0; i < GSO_MAX_SEGS; i++) {
			idx[i] = w->free_idx[w->free_n - 1 - i];
			segs[i] = dpw_pool_buf(w, idx[i]);
		}
		int r = gso_split(w->super, w->super + GSO_VNET_HDR_LEN,
				  (size_t)n - GSO_VNET_HDR_LEN, segs, sh->buf_size - ESP_TAILROOM,
				  ESP_HEADROOM, GSO_MAX_SEGS, lens, &nseg);
		if (r) {
			dpw_count(sh, DP_MALFORMED, 1);
			continue;
		}
		if (nseg > 1)
			dpw_count(sh, DP_GSO_SUPER, 1);
		w->free_n -= (unsigned)nseg;
		dpw_count(sh, DP_TUN_RX, nseg);
		for (size_t i = 0; i < nseg; i++)
			out_packet(w, &oc, idx[i], lens[i], 0);
		esp_sa_put(oc.sa);
		oc.sa = NULL;
	}
	flush_all(w);
	dpw_spd_release(w);
}

int dpw_out_init(struct dp_worker *w)
{
	struct dp_shared *sh = w->sh;

	w->super = malloc(DPW_SUPER_SIZE);
	w->pool_mem = malloc((size_t)DPW_POOL_N * sh->buf_size);
	if (!w->super || !w->pool_mem)
		return ERR_NOMEM;
	for (unsigned i = 0; i < DPW_POOL_N; i++)
		w->free_idx[w->free_n++] = i;
	udptx_init(&w->utx[0], sh->udp_in[0], AF_INET, utx_done, w);
	udptx_init(&w->utx[1], sh->udp_in[1], AF_INET6, utx_done, w);
	return 0;
}

void dpw_out_cleanup(struct dp_worker *w)
{
	free(w->super);
	free(w->pool_mem);
	w->super = NULL;
	w->pool_mem = NULL;
}
