#include "daemon/gro.h"

#include <linux/virtio_net.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/err.h"

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10
#define TCP_URG 0x20
#define TCP_ECE 0x40
#define TCP_CWR 0x80

int gro_init(struct gro *g)
{
	memset(g, 0, sizeof(*g));
	g->buf = malloc(GSO_VNET_HDR_LEN + GRO_MAX_BYTES);
	return g->buf ? 0 : ERR_NOMEM;
}

void gro_cleanup(struct gro *g)
{
	if (!g)
		return;
	free(g->buf);
	g->buf = NULL;
}

/* Offsets of a plain TCP segment: IPv4 without options and not a fragment, or IPv6 with TCP
 * as the next header. 0 when it is anything else. */
static int tcp_layout(const uint8_t *p, size_t len, size_t *l4off, size_t *thl, bool *v6)
{
	if (len < 20)
		return 0;
	if ((p[0] >> 4) == 4) {
		if (p[0] != 0x45 || p[9] != IPPROTO_TCP || (buf_load_be16(p + 6) & 0x3fff) ||
		    buf_load_be16(p + 2) != len)
			return 0;
		*l4off = 20;
		*v6 = false;
	} else if ((p[0] >> 4) == 6) {
		if (len < 40 || p[6] != IPPROTO_TCP || buf_load_be16(p + 4) + 40u != len)
			return 0;
		*l4off = 40;
		*v6 = true;
	} else {
		return 0;
	}
	if (len < *l4off + 20)
		return 0;
	*thl = (size_t)(p[*l4off + 12] >> 4) * 4;
	if (*thl < 20 || *l4off + *thl >= len) /* no payload: nothing to coalesce */
		return 0;
	uint8_t flags = p[*l4off + 13];
	if (flags & (TCP_FIN | TCP_SYN | TCP_RST | TCP_URG | TCP_CWR | TCP_ECE) ||
	    !(flags & TCP_ACK))
		return 0;
	return 1;
}

bool gro_candidate(const uint8_t *p, size_t len)
{
	size_t l4off, thl;
	bool v6;

	return tcp_layout(p, len, &l4off, &thl, &v6) != 0;
}

/* Whether the headers of p continue the chain's first segment. */
static int same_flow(const struct gro *g, const uint8_t *p)
{
	const uint8_t *h = g->buf + GSO_VNET_HDR_LEN;
	const uint8_t *t = h + g->l4off, *pt = p + g->l4off;

	if (g->v6) {
		/* version, traffic class, flow label; next header, hop limit; addresses */
		if (memcmp(h, p, 4) != 0 || memcmp(h + 6, p + 6, 34) != 0)
			return 0;
	} else {
		/* TOS; DF; TTL, protocol; addresses */
		if (h[1] != p[1] || (h[6] & 0x40) != (p[6] & 0x40) ||
		    memcmp(h + 8, p + 8, 2) != 0 || memcmp(h + 12, p + 12, 8) != 0)
			return 0;
	}
	/* ports; ack; data offset, flags (PSH may end the chain); window; options */
	return memcmp(t, pt, 4) == 0 && memcmp(t + 8, pt + 8, 5) == 0 &&
	       (t[13] & ~TCP_PSH) == (pt[13] & ~TCP_PSH) && memcmp(t + 14, pt + 14, 2) == 0 &&
	       memcmp(t + 20, pt + 20, g->thl - 20) == 0;
}

int gro_add(struct gro *g, const uint8_t *p, size_t len)
{
	size_t l4off, thl, payload;
	bool v6;

	if (!tcp_layout(p, len, &l4off, &thl, &v6))
		return 0;
	payload = len - l4off - thl;
	uint32_t seq = buf_load_be32(p + l4off + 4);
	bool psh = (p[l4off + 13] & TCP_PSH) != 0;
	if (g->len == 0) {
		if (len > GRO_MAX_BYTES)
			return 0;
		memcpy(g->buf + GSO_VNET_HDR_LEN, p, len);
		g->len = len;
		g->l4off = l4off;
		g->thl = thl;
		g->v6 = v6;
		g->mss = (uint16_t)payload;
		g->nseg = 1;
		g->next_seq = seq + (uint32_t)payload;
		g->closed = psh;
		return 1;
	}
	if (g->closed || v6 != g->v6 || l4off != g->l4off || thl != g->thl || seq != g->next_seq ||
	    payload > g->mss || g->nseg == GRO_MAX_SEGS || g->len + payload > GRO_MAX_BYTES ||
	    !same_flow(g, p))
		return 0;
	memcpy(g->buf + GSO_VNET_HDR_LEN + g->len, p + l4off + thl, payload);
	g->len += payload;
	g->nseg++;
	g->next_seq += (uint32_t)payload;
	if (psh || payload < g->mss) {
		g->closed = true;
		g->buf[GSO_VNET_HDR_LEN + l4off + 13] |= (uint8_t)(psh ? TCP_PSH : 0);
	}
	return 1;
}

const uint8_t *gro_take(struct gro *g, size_t *len)
{
	struct virtio_net_hdr vh;
	uint8_t *ip = g->buf + GSO_VNET_HDR_LEN;
	size_t total = g->len;

	if (!total)
		return NULL;
	memset(&vh, 0, sizeof(vh));
	if (g->nseg > 1) {
		size_t l4len = total - g->l4off;
		uint32_t s;
		if (g->v6) {
			uint8_t ph[8] = {0, 0,		(uint8_t)(l4len >> 8), (uint8_t)l4len, 0, 0,
					 0, IPPROTO_TCP};
			buf_store_be16(ip + 4, (uint16_t)(total - 40));
			s = gso_csum_add(gso_csum_add(0, ip + 8, 32), ph, 8);
		} else {
			uint8_t ph[4] = {0, IPPROTO_TCP, (uint8_t)(l4len >> 8), (uint8_t)l4len};
			buf_store_be16(ip + 2, (uint16_t)total);
			buf_store_be16(ip + 10, 0);
			buf_store_be16(ip + 10, gso_csum_fold(gso_csum_add(0, ip, 20)));
			s = gso_csum_add(gso_csum_add(0, ip + 12, 8), ph, 4);
		}
		/* CHECKSUM_PARTIAL: the field holds the folded pseudo-header sum, uncomplemented */
		buf_store_be16(ip + g->l4off + 16, (uint16_t)~gso_csum_fold(s));
		vh.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		vh.gso_type = g->v6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4;
		vh.hdr_len = (uint16_t)(g->l4off + g->thl);
		vh.gso_size = g->mss;
		vh.csum_start = (uint16_t)g->l4off;
		vh.csum_offset = 16;
	}
	memcpy(g->buf, &vh, sizeof(vh));
	*len = GSO_VNET_HDR_LEN + total;
	g->len = 0;
	g->nseg = 0;
	g->closed = false;
	return g->buf;
}
