#include "daemon/gso.h"

#include <linux/virtio_net.h>
#include <netinet/in.h>
#include <string.h>

#include "esp/ip.h"
#include "lib/buf.h"
#include "lib/err.h"

#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4 5 /* Linux 4.18 */
#endif

uint32_t gso_csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	return esp_csum_add(sum, p, len);
}

uint16_t gso_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Pseudo-header sum (RFC 9293 §3.1, RFC 8200 §8.1) for an L4 segment of l4len bytes. */
static uint32_t pseudo_sum(const uint8_t *ip, int v6, uint8_t proto, size_t l4len)
{
	uint32_t s;

	if (v6) {
		s = gso_csum_add(0, ip + 8, 32);
		s = gso_csum_add(s,
				 (const uint8_t[]){(uint8_t)(l4len >> 24), (uint8_t)(l4len >> 16),
						   (uint8_t)(l4len >> 8), (uint8_t)l4len, 0, 0, 0,
						   proto},
				 8);
	} else {
		s = gso_csum_add(0, ip + 12, 8);
		s = gso_csum_add(
		    s, (const uint8_t[]){0, proto, (uint8_t)(l4len >> 8), (uint8_t)l4len}, 4);
	}
	return s;
}

static void ip_fix(uint8_t *ip, int v6, size_t total, uint16_t id_add)
{
	if (v6) {
		buf_store_be16(ip + 4, (uint16_t)(total - 40));
		return;
	}
	size_t ihl = (size_t)(ip[0] & 15) * 4;
	buf_store_be16(ip + 2, (uint16_t)total);
	buf_store_be16(ip + 4, (uint16_t)(buf_load_be16(ip + 4) + id_add));
	buf_store_be16(ip + 10, 0);
	buf_store_be16(ip + 10, gso_csum_fold(gso_csum_add(0, ip, ihl)));
}

static void l4_csum(uint8_t *ip, int v6, uint8_t proto, size_t l4off, size_t total)
{
	size_t csum_at = proto == IPPROTO_TCP ? 16 : 6;
	uint8_t *l4 = ip + l4off;
	uint16_t c;

	buf_store_be16(l4 + csum_at, 0);
	c = gso_csum_fold(
	    gso_csum_add(pseudo_sum(ip, v6, proto, total - l4off), l4, total - l4off));
	if (proto == IPPROTO_UDP && c == 0)
		c = 0xffff; /* RFC 768: zero means "no checksum" */
	buf_store_be16(l4 + csum_at, c);
}

int gso_split(const uint8_t vh[GSO_VNET_HDR_LEN], const uint8_t *pkt, size_t len,
	      uint8_t *const *bufs, size_t cap, size_t off, size_t n, size_t *lens, size_t *count)
{
	struct virtio_net_hdr h;
	size_t l4off, hlen, mss, payload, nseg;
	uint8_t proto, gso;
	int v6;

	memcpy(&h, vh, sizeof(h));
	if (len < 20 || n < 1 || off > cap)
		return ERR_INVAL;
	v6 = (pkt[0] >> 4) == 6;
	if (!v6 && (pkt[0] >> 4) != 4)
		return ERR_INVAL;
	gso = h.gso_type & (uint8_t)~VIRTIO_NET_HDR_GSO_ECN;
	if (gso == VIRTIO_NET_HDR_GSO_NONE) {
		if (len > cap - off)
			return ERR_NOSPACE;
		memcpy(bufs[0] + off, pkt, len);
		if (h.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
			/* CHECKSUM_PARTIAL: the field holds the pseudo-header sum already. */
			size_t at = (size_t)h.csum_start + h.csum_offset;
			if (h.csum_start >= len || at + 2 > len)
				return ERR_INVAL;
			uint8_t *b = bufs[0] + off;
			uint16_t c =
			    gso_csum_fold(gso_csum_add(0, b + h.csum_start, len - h.csum_start));
			buf_store_be16(b + at, c);
		}
		lens[0] = len;
		*count = 1;
		return 0;
	}
	if (gso == VIRTIO_NET_HDR_GSO_TCPV4 || gso == VIRTIO_NET_HDR_GSO_TCPV6)
		proto = IPPROTO_TCP;
	else if (gso == VIRTIO_NET_HDR_GSO_UDP_L4)
		proto = IPPROTO_UDP;
	else
		return ERR_UNSUPPORTED;
	if (v6 != (gso == VIRTIO_NET_HDR_GSO_TCPV6) && proto == IPPROTO_TCP)
		return ERR_INVAL;
	l4off = h.csum_start;
	if (!v6 && (l4off < 20 || l4off != (size_t)(pkt[0] & 15) * 4))
		return ERR_INVAL;
	if (v6 && l4off < 40)
		return ERR_INVAL;
	if (proto == IPPROTO_TCP) {
		if (l4off + 20 > len)
			return ERR_INVAL;
		hlen = l4off + (size_t)(pkt[l4off + 12] >> 4) * 4;
		if (hlen < l4off + 20)
			return ERR_INVAL;
	} else {
		hlen = l4off + 8;
	}
	mss = h.gso_size;
	if (hlen > len || mss == 0)
		return ERR_INVAL;
	payload = len - hlen;
	nseg = payload ? (payload + mss - 1) / mss : 1;
	if (nseg > n)
		return ERR_NOSPACE;
	if (hlen + mss > cap - off && nseg > 1)
		return ERR_NOSPACE;
	if (len > cap - off && nseg == 1)
		return ERR_NOSPACE;
	uint32_t seq = proto == IPPROTO_TCP ? buf_load_be32(pkt + l4off + 4) : 0;
	for (size_t i = 0; i < nseg; i++) {
		size_t chunk = payload - i * mss < mss ? payload - i * mss : mss;
		size_t total = hlen + chunk;
		uint8_t *b = bufs[i] + off;
		memcpy(b, pkt, hlen);
		memcpy(b + hlen, pkt + hlen + i * mss, chunk);
		ip_fix(b, v6, total, (uint16_t)i);
		if (proto == IPPROTO_TCP) {
			uint8_t *th = b + l4off;
			buf_store_be32(th + 4, seq + (uint32_t)(i * mss));
			if (i + 1 < nseg)
				th[13] &= (uint8_t)~0x09; /* FIN, PSH only on the last */
			if (i > 0)
				th[13] &= (uint8_t)~0x80; /* CWR only on the first */
		} else {
			buf_store_be16(b + l4off + 4, (uint16_t)(total - l4off));
		}
		l4_csum(b, v6, proto, l4off, total);
		lens[i] = total;
	}
	*count = nseg;
	return 0;
}
