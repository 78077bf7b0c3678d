#include "esp/ip.h"

#include <string.h>

#include "lib/buf.h"
#include "lib/err.h"

uint32_t esp_csum_add(uint32_t sum, const void *p, size_t len)
{
	const uint8_t *b = p;
	uint64_t a0 = 0, a1 = 0, acc;
	size_t i = 0;

	/* RFC 1071 §2(B): the ones-complement sum does not depend on byte order, so 32-bit words
	 * are summed in host order (64-bit accumulators lose no carry before 2^32 words) and the
	 * folded 16-bit result is swapped to network order once. */
	for (; i + 16 <= len; i += 16) {
		uint32_t w[4];
		memcpy(w, b + i, sizeof(w));
		a0 += (uint64_t)w[0] + w[1];
		a1 += (uint64_t)w[2] + w[3];
	}
	for (; i + 4 <= len; i += 4) {
		uint32_t w;
		memcpy(&w, b + i, sizeof(w));
		a0 += w;
	}
	acc = (a0 & 0xffffffffu) + (a0 >> 32) + (a1 & 0xffffffffu) + (a1 >> 32);
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	acc = (acc >> 8 | acc << 8) & 0xffff;
#endif
	acc += sum;
	for (; i + 2 <= len; i += 2)
		acc += buf_load_be16(b + i);
	if (i < len)
		acc += (uint32_t)b[i] << 8;
	while (acc >> 32)
		acc = (acc & 0xffffffffu) + (acc >> 32);
	return (uint32_t)acc;
}

uint16_t esp_csum_fold(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint16_t esp_csum_replace16(uint16_t csum, uint16_t old, uint16_t new_)
{
	uint32_t sum = (uint16_t)~csum;

	sum += (uint16_t)~old;
	sum += new_;
	return esp_csum_fold(sum);
}

uint16_t esp_csum_replace(uint16_t csum, const void *old, const void *new_, size_t len)
{
	const uint8_t *o = old, *n = new_;
	uint32_t sum = (uint16_t)~csum;

	for (size_t i = 0; i + 1 < len; i += 2) {
		sum += (uint16_t)~buf_load_be16(o + i);
		sum += buf_load_be16(n + i);
		sum = (sum & 0xffff) + (sum >> 16);
	}
	return esp_csum_fold(sum);
}

void esp_ipv4_set_csum(uint8_t *hdr, size_t ihl)
{
	hdr[10] = 0;
	hdr[11] = 0;
	buf_store_be16(hdr + 10, esp_csum_fold(esp_csum_add(0, hdr, ihl)));
}

static int ipv4_parse(const uint8_t *p, size_t len, struct esp_iphdr *out)
{
	size_t ihl, total;

	if (len < ESP_IPV4_HDR_LEN)
		return ERR_TRUNC;
	ihl = (size_t)(p[0] & 0x0f) * 4;
	total = buf_load_be16(p + 2);
	if (ihl < ESP_IPV4_HDR_LEN || total < ihl)
		return ERR_INVAL;
	if (total > len || ihl > len)
		return ERR_TRUNC;
	out->version = 4;
	out->proto = p[9];
	out->nh_off = 9;
	out->off = (uint16_t)ihl;
	out->total = (uint32_t)total;
	out->frag = (buf_load_be16(p + 6) & 0x3fff) != 0;
	return 0;
}

static int ipv6_parse(const uint8_t *p, size_t len, int stop_at_ipsec_pos, struct esp_iphdr *out)
{
	size_t total, off = ESP_IPV6_HDR_LEN, nh_off = 6;
	uint8_t nh;
	int frag = 0;

	if (len < ESP_IPV6_HDR_LEN)
		return ERR_TRUNC;
	total = ESP_IPV6_HDR_LEN + (size_t)buf_load_be16(p + 4);
	if (total > len)
		return ERR_TRUNC;
	nh = p[6];
	for (int n = 0;; n++) {
		size_t hlen;

		if (n > 16)
			return ERR_INVAL; /* a bounded walk; no real packet has this many */
		if (nh != ESP_IPPROTO_HOPOPTS && nh != ESP_IPPROTO_ROUTING &&
		    nh != ESP_IPPROTO_FRAGMENT && nh != ESP_IPPROTO_DSTOPTS)
			break;
		if (nh == ESP_IPPROTO_HOPOPTS && n != 0)
			return ERR_INVAL; /* RFC 8200 §4.3: only directly after the IPv6 header */
		if (off + 8 > total)
			return ERR_TRUNC;
		if (stop_at_ipsec_pos && nh == ESP_IPPROTO_DSTOPTS) {
			/* A destination options header goes after ESP/AH unless a routing header
			 * follows it (RFC 4303 §3.1.1). */
			if (p[off] != ESP_IPPROTO_ROUTING)
				break;
		}
		hlen = nh == ESP_IPPROTO_FRAGMENT ? 8 : ((size_t)p[off + 1] + 1) * 8;
		if (nh == ESP_IPPROTO_FRAGMENT)
			frag = 1;
		if (off + hlen > total)
			return ERR_TRUNC;
		nh_off = off;
		nh = p[off];
		off += hlen;
	}
	out->version = 6;
	out->proto = nh;
	out->nh_off = (uint16_t)nh_off;
	out->off = (uint16_t)off;
	out->total = (uint32_t)total;
	out->frag = (uint16_t)frag;
	return 0;
}

int esp_ip_parse(const uint8_t *p, size_t len, int stop_at_ipsec_pos, struct esp_iphdr *out)
{
	struct esp_iphdr h;
	int err;

	if (len < 1)
		return ERR_TRUNC;
	memset(&h, 0, sizeof(h));
	switch (p[0] >> 4) {
	case 4:
		err = ipv4_parse(p, len, &h);
		break;
	case 6:
		if (len > ESP_IPV6_HDR_LEN + 65535)
			len = ESP_IPV6_HDR_LEN + 65535;
		err = ipv6_parse(p, len, stop_at_ipsec_pos, &h);
		break;
	default:
		err = ERR_INVAL;
		break;
	}
	if (err == 0)
		*out = h;
	return err;
}

void esp_ip_set_len(uint8_t *p, size_t total)
{
	if ((p[0] >> 4) == 4) {
		buf_store_be16(p + 2, (uint16_t)total);
		esp_ipv4_set_csum(p, (size_t)(p[0] & 0x0f) * 4);
	} else {
		buf_store_be16(p + 4, (uint16_t)(total - ESP_IPV6_HDR_LEN));
	}
}
