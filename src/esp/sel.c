#include "esp/sel.h"

#include <string.h>
#include <sys/socket.h>

#include "esp/ip.h"
#include "lib/buf.h"
#include "lib/err.h"

static bool proto_has_ports(uint8_t proto)
{
	return proto == ESP_IPPROTO_TCP || proto == ESP_IPPROTO_UDP || proto == 132 /* SCTP */ ||
	       proto == 136 /* UDP-Lite */;
}

int esp_flow_from_packet(const uint8_t *p, size_t len, struct esp_flow *out)
{
	struct esp_iphdr h;
	struct esp_flow f;
	int err;

	err = esp_ip_parse(p, len, 0, &h);
	if (err)
		return err;
	memset(&f, 0, sizeof(f));
	f.proto = h.proto;
	if (h.version == 4) {
		f.family = AF_INET;
		memcpy(f.src, p + 12, 4);
		memcpy(f.dst, p + 16, 4);
		/* Only an initial fragment carries the transport header. */
		if ((buf_load_be16(p + 6) & 0x1fff) != 0)
			goto done;
	} else {
		f.family = AF_INET6;
		memcpy(f.src, p + 8, 16);
		memcpy(f.dst, p + 24, 16);
		if (h.frag)
			goto done; /* conservative: ports of a v6 fragment are treated as opaque */
	}
	if (proto_has_ports(h.proto) && (uint32_t)h.off + 4 <= h.total) {
		f.sport = buf_load_be16(p + h.off);
		f.dport = buf_load_be16(p + h.off + 2);
		f.ports_known = true;
	} else if ((h.proto == ESP_IPPROTO_ICMP || h.proto == ESP_IPPROTO_ICMPV6) &&
		   (uint32_t)h.off + 2 <= h.total) {
		f.sport = buf_load_be16(p + h.off);
		f.dport = f.sport;
		f.ports_known = true;
	}
done:
	*out = f;
	return 0;
}

void esp_flow_reverse(const struct esp_flow *in, struct esp_flow *out)
{
	struct esp_flow f = *in;

	memcpy(f.src, in->dst, 16);
	memcpy(f.dst, in->src, 16);
	f.sport = in->dport;
	f.dport = in->sport;
	*out = f;
}

void esp_sel_any(struct esp_sel *s, uint8_t family)
{
	memset(s, 0, sizeof(*s));
	s->family = family;
	s->sport_hi = 0xffff;
	s->dport_hi = 0xffff;
}

static void prefix_clear_host(uint8_t *a, unsigned len)
{
	for (unsigned i = 0; i < 16; i++) {
		unsigned bits = len > i * 8 ? len - i * 8 : 0;

		if (bits >= 8)
			continue;
		a[i] &= (uint8_t)(0xff00u >> bits);
	}
}

int esp_sel_normalise(struct esp_sel *s)
{
	unsigned max;

	if (s->family == AF_INET)
		max = 32;
	else if (s->family == AF_INET6)
		max = 128;
	else if (s->family == 0)
		max = 0;
	else
		return ERR_INVAL;
	if (s->src_len > max || s->dst_len > max)
		return ERR_INVAL;
	if (s->sport_lo > s->sport_hi || s->dport_lo > s->dport_hi)
		return ERR_INVAL;
	prefix_clear_host(s->src, s->src_len);
	prefix_clear_host(s->dst, s->dst_len);
	if (s->family == AF_INET) {
		memset(s->src + 4, 0, 12);
		memset(s->dst + 4, 0, 12);
	}
	return 0;
}

bool esp_prefix_match(const uint8_t *prefix, unsigned len, const uint8_t *addr)
{
	unsigned full = len / 8, rest = len % 8;

	if (memcmp(prefix, addr, full) != 0)
		return false;
	if (rest == 0)
		return true;
	return ((prefix[full] ^ addr[full]) & (uint8_t)(0xff00u >> rest)) == 0;
}

bool esp_sel_match(const struct esp_sel *s, const struct esp_flow *f)
{
	if (s->family != 0 && s->family != f->family)
		return false;
	if (s->proto != 0 && s->proto != f->proto)
		return false;
	if (!esp_prefix_match(s->dst, s->dst_len, f->dst))
		return false;
	if (!esp_prefix_match(s->src, s->src_len, f->src))
		return false;
	if (f->ports_known) {
		if (f->sport < s->sport_lo || f->sport > s->sport_hi)
			return false;
		if (f->dport < s->dport_lo || f->dport > s->dport_hi)
			return false;
	} else if (s->sport_lo != 0 || s->sport_hi != 0xffff || s->dport_lo != 0 ||
		   s->dport_hi != 0xffff) {
		return false;
	}
	return true;
}
