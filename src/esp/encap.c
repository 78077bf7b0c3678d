#include "esp/encap.h"

#include <string.h>
#include <sys/socket.h>

#include "esp/ip.h"
#include "lib/buf.h"

int esp_encap_classify(const uint8_t *payload, size_t len)
{
	if (len == 1 && payload[0] == 0xff)
		return ESP_ENCAP_KEEPALIVE;
	if (len < 4)
		return ESP_ENCAP_INVALID;
	if (payload[0] == 0 && payload[1] == 0 && payload[2] == 0 && payload[3] == 0)
		return ESP_ENCAP_IKE;
	if (len < 8)
		return ESP_ENCAP_INVALID;
	return ESP_ENCAP_ESP;
}

void esp_encap_put_udp(uint8_t *pkt, size_t udp_off, uint16_t sport, uint16_t dport)
{
	uint8_t *u = pkt + udp_off;
	size_t ulen;

	if ((pkt[0] >> 4) == 4)
		ulen = buf_load_be16(pkt + 2) - udp_off;
	else
		ulen = ESP_IPV6_HDR_LEN + (size_t)buf_load_be16(pkt + 4) - udp_off;
	buf_store_be16(u, sport);
	buf_store_be16(u + 2, dport);
	buf_store_be16(u + 4, (uint16_t)ulen);
	u[6] = 0;
	u[7] = 0;
	if ((pkt[0] >> 4) == 6) {
		uint32_t sum = esp_csum_add(0, pkt + 8, 32); /* source and destination */
		uint16_t c;

		sum += (uint32_t)ulen + ESP_IPPROTO_UDP;
		sum = esp_csum_add(sum, u, ulen);
		c = esp_csum_fold(sum);
		buf_store_be16(u + 6, c ? c : 0xffff);
	}
}

void esp_natt_fix_csum(uint8_t *seg, size_t len, uint8_t proto, const struct addr *oa_src,
		       const struct addr *oa_dst, uint8_t family, const uint8_t *src,
		       const uint8_t *dst)
{
	size_t alen = family == AF_INET6 ? 16 : 4, off;
	uint16_t c;

	if (proto == ESP_IPPROTO_TCP)
		off = 16;
	else if (proto == ESP_IPPROTO_UDP)
		off = 6;
	else
		return;
	if (len < off + 2)
		return;
	c = buf_load_be16(seg + off);
	if (proto == ESP_IPPROTO_UDP && c == 0 && family == AF_INET)
		return; /* no checksum */
	if (oa_src && oa_src->family == family)
		c = esp_csum_replace(c, oa_src->bytes, src, alen);
	if (oa_dst && oa_dst->family == family)
		c = esp_csum_replace(c, oa_dst->bytes, dst, alen);
	if (proto == ESP_IPPROTO_UDP && c == 0)
		c = 0xffff;
	buf_store_be16(seg + off, c);
}
