#include "esp/pmtu.h"

#include <string.h>
#include <sys/socket.h>

#include "esp/ip.h"
#include "lib/buf.h"
#include "lib/err.h"

static bool is_icmp_error(const uint8_t *p, const struct esp_iphdr *h)
{
	uint8_t type;

	if (h->off >= h->total)
		return false;
	type = p[h->off];
	if (h->proto == ESP_IPPROTO_ICMP)
		return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
	if (h->proto == ESP_IPPROTO_ICMPV6)
		return type < 128;
	return false;
}

int esp_icmp_too_big(struct esp_buf *pkt, size_t mtu, const struct addr *from)
{
	uint8_t *d = esp_buf_data(pkt), *n;
	struct esp_iphdr h;
	size_t hl, quote, total;
	int err;

	err = esp_ip_parse(d, pkt->len, 0, &h);
	if (err)
		return err;
	if (is_icmp_error(d, &h))
		return ERR_INVAL; /* RFC 1122 §3.2.2 / RFC 4443 §2.4(e) */
	hl = h.version == 4 ? ESP_IPV4_HDR_LEN + 8 : ESP_IPV6_HDR_LEN + 8;
	if (esp_buf_headroom(pkt) < hl)
		return ERR_NOSPACE;
	quote = h.total;
	if (h.version == 4) {
		if (quote > 576 - hl)
			quote = 576 - hl;
		if (mtu < 68)
			mtu = 68;
	} else {
		if (quote > 1280 - hl)
			quote = 1280 - hl;
		if (mtu < 1280)
			mtu = 1280;
	}
	total = hl + quote;
	pkt->off -= hl;
	pkt->len = total;
	n = esp_buf_data(pkt);
	memset(n, 0, hl);
	if (h.version == 4) {
		/* n+hl holds the original: its source becomes our destination. */
		n[0] = 0x45;
		buf_store_be16(n + 2, (uint16_t)total);
		n[8] = 64;
		n[9] = ESP_IPPROTO_ICMP;
		if (from && from->family == AF_INET)
			memcpy(n + 12, from->bytes, 4);
		else
			memcpy(n + 12, n + hl + 16, 4);
		memcpy(n + 16, n + hl + 12, 4);
		esp_ipv4_set_csum(n, ESP_IPV4_HDR_LEN);
		n[20] = 3; /* destination unreachable */
		n[21] = 4; /* fragmentation needed and DF set */
		buf_store_be16(n + 26, (uint16_t)mtu);
		buf_store_be16(n + 22, esp_csum_fold(esp_csum_add(0, n + 20, total - 20)));
	} else {
		uint32_t sum;

		n[0] = 0x60;
		buf_store_be16(n + 4, (uint16_t)(total - ESP_IPV6_HDR_LEN));
		n[6] = ESP_IPPROTO_ICMPV6;
		n[7] = 64;
		if (from && from->family == AF_INET6)
			memcpy(n + 8, from->bytes, 16);
		else
			memcpy(n + 8, n + hl + 24, 16);
		memcpy(n + 24, n + hl + 8, 16);
		n[40] = 2; /* packet too big */
		buf_store_be32(n + 44, (uint32_t)mtu);
		sum = esp_csum_add(0, n + 8, 32);
		sum += (uint32_t)(total - ESP_IPV6_HDR_LEN) + ESP_IPPROTO_ICMPV6;
		sum = esp_csum_add(sum, n + 40, total - 40);
		buf_store_be16(n + 42, esp_csum_fold(sum));
	}
	return 0;
}

int esp_ip4_fragment(const uint8_t *p, size_t len, size_t mtu, struct esp_buf *out, size_t n,
		     size_t *count)
{
	struct esp_iphdr h;
	size_t ihl, data, chunk, off = 0, i = 0;
	uint16_t fo0, mf0;
	int err;

	err = esp_ip_parse(p, len, 0, &h);
	if (err)
		return err;
	if (h.version != 4 || (p[6] & 0x40))
		return ERR_INVAL;
	ihl = h.off;
	for (size_t o = ESP_IPV4_HDR_LEN; o < ihl;) {
		/* RFC 791: options with the copied flag must be in every fragment. */
		uint8_t t = p[o];

		if (t == 0)
			break;
		if (t == 1) {
			o++;
			continue;
		}
		if (t & 0x80)
			return ERR_UNSUPPORTED;
		if (o + 1 >= ihl || p[o + 1] < 2)
			return ERR_INVAL;
		o += p[o + 1];
	}
	if (mtu < ESP_IPV4_HDR_LEN + 8 || mtu < ihl + 8)
		return ERR_INVAL;
	data = h.total - ihl;
	fo0 = buf_load_be16(p + 6) & 0x1fff;
	mf0 = buf_load_be16(p + 6) & 0x2000;
	while (off < data) {
		size_t hlen = i == 0 ? ihl : ESP_IPV4_HDR_LEN;
		uint8_t *f;
		bool last;

		chunk = (mtu - hlen) & ~(size_t)7;
		if (chunk >= data - off)
			chunk = data - off;
		last = off + chunk == data;
		if (i == n)
			return ERR_NOSPACE;
		if (out[i].cap - out[i].off < hlen + chunk)
			return ERR_NOSPACE;
		f = out[i].base + out[i].off;
		memcpy(f, p, ESP_IPV4_HDR_LEN);
		if (i == 0)
			memcpy(f, p, ihl);
		f[0] = (uint8_t)(0x40 | hlen / 4);
		memcpy(f + hlen, p + ihl + off, chunk);
		buf_store_be16(f + 2, (uint16_t)(hlen + chunk));
		buf_store_be16(f + 6, (uint16_t)((fo0 + off / 8) | (last ? mf0 : 0x2000)));
		esp_ipv4_set_csum(f, hlen);
		out[i].len = hlen + chunk;
		off += chunk;
		i++;
	}
	*count = i;
	return 0;
}
