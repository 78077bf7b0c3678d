#include "esp/esp.h"

#include <string.h>
#include <sys/socket.h>

#include "crypto/enc.h"
#include "crypto/integ.h"
#include "crypto/span.h"
#include "esp/ah.h"
#include "esp/ctxcache.h"
#include "esp/encap.h"
#include "esp/pmtu.h"
#include "esp/spd.h"
#include "lib/buf.h"
#include "lib/err.h"

/*
 * RFC 4303 §2: the ESP packet.
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |               Security Parameters Index (SPI)                 |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                      Sequence Number                          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    IV (optional, per transform)               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                    Rest of Payload Data  (variable)           ~
 * +               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |               |     Padding (0-255 bytes)                     |
 * +-+-+-+-+-+-+-+-+               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                               |  Pad Length   | Next Header   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Integrity Check Value-ICV   (variable)                |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */

int esp_out_seq(struct esp_sa *sa, struct esp_result *res, uint64_t *seq)
{
	uint64_t max = sa->esn ? UINT64_MAX : UINT32_MAX;
	uint64_t s;

	if (esp_sa_dead(sa))
		return esp_drop(sa, NULL, res, ESP_DROP_HARD_EXPIRED, ERR_BADSTATE);
	s = __atomic_add_fetch(&sa->seq, 1, __ATOMIC_RELAXED);
	if (s == 0 || s > max) {
		/* RFC 4303 §3.3.3: never cycle. Keep the counter pinned past the end. */
		__atomic_store_n(&sa->seq, max, __ATOMIC_RELAXED);
		res->events |=
		    (uint8_t)(ESP_EV_HARD &
			      ~__atomic_fetch_or(&sa->ev_raised, ESP_EV_HARD, __ATOMIC_RELAXED));
		return esp_drop(sa, NULL, res, ESP_DROP_SEQ_OVERFLOW, ERR_LIMIT);
	}
	if (s >= max - ESP_SEQ_SOFT_MARGIN)
		res->events |=
		    (uint8_t)(ESP_EV_SOFT &
			      ~__atomic_fetch_or(&sa->ev_raised, ESP_EV_SOFT, __ATOMIC_RELAXED));
	*seq = s;
	res->seq = s;
	return 0;
}

static bool limit_crossed(uint64_t limit, uint64_t before, uint64_t after)
{
	return limit != 0 && before < limit && after >= limit;
}

void esp_account(struct esp_sa *sa, int dir, size_t bytes, uint64_t now, struct esp_result *res)
{
	uint64_t *pc = dir == ESP_DIR_OUT ? &sa->stats.out_packets : &sa->stats.in_packets;
	uint64_t *bc = dir == ESP_DIR_OUT ? &sa->stats.out_bytes : &sa->stats.in_bytes;
	uint64_t p1 = __atomic_add_fetch(pc, 1, __ATOMIC_RELAXED);
	uint64_t b1 = __atomic_add_fetch(bc, bytes, __ATOMIC_RELAXED);
	uint64_t p0 = p1 - 1, b0 = b1 - bytes;
	int ev = 0;

	if (limit_crossed(sa->hard.packets, p0, p1) || limit_crossed(sa->hard.bytes, b0, b1) ||
	    (sa->hard.expires && now >= sa->hard.expires)) {
		__atomic_store_n(&sa->dead, 1, __ATOMIC_RELAXED);
		ev |= ESP_EV_HARD;
	}
	if (limit_crossed(sa->soft.packets, p0, p1) || limit_crossed(sa->soft.bytes, b0, b1) ||
	    (sa->soft.expires && now >= sa->soft.expires))
		ev |= ESP_EV_SOFT;
	if (ev)
		res->events |= (uint8_t)(ev & ~__atomic_fetch_or(&sa->ev_raised, (uint8_t)ev,
								 __ATOMIC_RELAXED));
}

size_t esp_outer_len(const struct esp_sa *sa)
{
	return sa->family == AF_INET6 ? ESP_IPV6_HDR_LEN : ESP_IPV4_HDR_LEN;
}

void esp_inner_tos_df(const uint8_t *inner, uint8_t *tos, bool *df)
{
	*tos = 0;
	*df = false;
	if ((inner[0] >> 4) == 4) {
		*tos = inner[1];
		*df = (inner[6] & 0x40) != 0;
	} else if ((inner[0] >> 4) == 6) {
		*tos = (uint8_t)((inner[0] & 0x0f) << 4 | inner[1] >> 4);
	}
}

/* RFC 4301 §5.1.2.1: DSCP copied from the inner header (the default); RFC 6040 normal mode:
 * ECN copied. DF per the SA's df_mode. */
void esp_outer_header(const struct esp_sa *sa, const struct esp_path *path, uint8_t *p,
		      size_t total, uint8_t proto, uint8_t tos, bool df, uint64_t seq)
{
	if (sa->df_mode == ESP_DF_SET)
		df = true;
	else if (sa->df_mode == ESP_DF_CLEAR)
		df = false;
	if (sa->family == AF_INET) {
		p[0] = 0x45;
		p[1] = tos;
		buf_store_be16(p + 2, (uint16_t)total);
		/* Unique per SA for 65536 packets (RFC 6864 §4.1 asks uniqueness only within a
		 * datagram's lifetime for non-atomic datagrams). */
		buf_store_be16(p + 4,
			       sa->force_ip_id >= 0 ? (uint16_t)sa->force_ip_id : (uint16_t)seq);
		buf_store_be16(p + 6, df ? 0x4000 : 0);
		p[8] = sa->outer_ttl;
		p[9] = proto;
		memcpy(p + 12, path->src.bytes, 4);
		memcpy(p + 16, path->dst.bytes, 4);
		esp_ipv4_set_csum(p, ESP_IPV4_HDR_LEN);
	} else {
		p[0] = (uint8_t)(0x60 | tos >> 4);
		p[1] = (uint8_t)(tos << 4);
		p[2] = 0;
		p[3] = 0;
		buf_store_be16(p + 4, (uint16_t)(total - ESP_IPV6_HDR_LEN));
		p[6] = proto;
		p[7] = sa->outer_ttl;
		memcpy(p + 8, path->src.bytes, 16);
		memcpy(p + 24, path->dst.bytes, 16);
	}
}

/* Fills iv (sa->iv_len bytes) for sequence number seq. Counter modes use the 64-bit sequence
 * number XOR the SA's random mask, unique per SA and key (RFC 4106 §3.1, RFC 3686 §3,
 * RFC 7634 §2, RFC 4309 §3.1); CBC uses CSPRNG bytes (RFC 3602 §2.4, unpredictable). */
static int make_iv(struct esp_sa *sa, struct esp_worker *w, uint64_t seq, uint8_t *iv)
{
	if (sa->force_iv_len) {
		memcpy(iv, sa->force_iv, sa->force_iv_len);
		return 0;
	}
	if (sa->iv_len == 0)
		return 0;
	if (sa->iv_counter) {
		memset(iv, 0, sa->iv_len);
		buf_store_be64(iv + sa->iv_len - 8, seq ^ sa->iv_mask);
		return 0;
	}
	return esp_worker_rand(w, iv, sa->iv_len);
}

int esp_too_big(struct esp_sa *sa, struct esp_buf *pkt, const struct esp_iphdr *h, size_t out_len,
		struct esp_result *res)
{
	uint16_t mtu = esp_sa_mtu(sa);
	uint8_t fam = h->version == 4 ? AF_INET : AF_INET6;
	size_t max_inner;
	int err;

	if (mtu == 0 || out_len <= mtu)
		return 0;
	max_inner = esp_sa_max_inner(sa, fam, mtu);
	if (fam == AF_INET6 && h->total <= 1280)
		return 0; /* every IPv6 link carries 1280 (RFC 8200 §5): send, the outer may be
			   * fragmented by the sending stack */
	if (fam == AF_INET && (esp_buf_data(pkt)[6] & 0x40) == 0) {
		res->kind = ESP_RES_FRAGMENT;
		res->frag_mtu = (uint16_t)max_inner;
		return 1;
	}
	/* The error comes from the packet's destination, not our outer address: it is written
	 * into the TUN, and Linux drops a packet arriving from outside with a local source
	 * address as a martian (rampartd's test_dataplane.sh checks ping sees the error). */
	err = esp_icmp_too_big(pkt, max_inner, NULL);
	if (err)
		return err;
	esp_stats_drop(&sa->stats, ESP_DROP_MTU);
	res->kind = ESP_RES_ICMP;
	return 1;
}

static int esp_out(struct esp_sa *sa, struct esp_worker *w, struct esp_buf *pkt, uint64_t now,
		   struct esp_result *res)
{
	struct esp_sa_crypto *cr = esp_sa_crypto_get(sa, w);
	bool tunnel = sa->mode == ESP_MODE_TUNNEL;
	size_t hdr_len, pay_len, tfc = 0, pt_len, ct_len, pad, udp = sa->encap ? 8 : 0;
	size_t push, total, esp_off;
	uint8_t *d, *esp, *iv, *ct, *icv, nh, tos, aad[12];
	struct esp_path path;
	struct esp_iphdr h;
	bool df;
	uint64_t seq;
	int err;

	if (cr == NULL) /* the worker lacks a context cache, or re-keying failed */
		return esp_drop(sa, NULL, res, ESP_DROP_CRYPTO, ERR_CRYPTO);
	err = esp_ip_parse(esp_buf_data(pkt), pkt->len, !tunnel, &h);
	if (err)
		return esp_drop(sa, NULL, res, ESP_DROP_MALFORMED, err);
	pkt->len = h.total;
	d = esp_buf_data(pkt);
	if (tunnel) {
		hdr_len = 0;
		pay_len = h.total;
		nh = h.version == 4 ? ESP_IPPROTO_IPIP : ESP_IPPROTO_IPV6;
		if (sa->tfc_pad > pay_len)
			tfc = sa->tfc_pad - pay_len;
	} else {
		struct esp_iphdr full;

		/* RFC 4303 §3.1.1: transport mode protects whole datagrams, never fragments; the
		 * whole extension header chain must parse (as the receiver will parse it). */
		if (h.frag || esp_ip_parse(d, pkt->len, 0, &full) != 0 ||
		    (h.version != (sa->family == AF_INET6 ? 6 : 4) && sa->encap))
			return esp_drop(sa, NULL, res, ESP_DROP_MALFORMED, ERR_INVAL);
		hdr_len = h.off;
		pay_len = h.total - h.off;
		nh = h.proto;
	}
	pt_len = pay_len + tfc;
	ct_len = (pt_len + 2 + sa->pad_align - 1) / sa->pad_align * sa->pad_align;
	pad = ct_len - pt_len - 2;
	push = (tunnel ? esp_outer_len(sa) : 0) + udp + 8 + sa->iv_len;
	total = hdr_len + push + ct_len + sa->icv_len;
	if (tunnel)
		total = push + ct_len + sa->icv_len;
	err = esp_too_big(sa, pkt, &h, total, res);
	if (err)
		return err < 0 ? esp_drop(sa, NULL, res, ESP_DROP_NOSPACE, err) : 0;
	if (esp_buf_headroom(pkt) < push || esp_buf_tailroom(pkt) < tfc + pad + 2 + sa->icv_len ||
	    total > 65535)
		return esp_drop(sa, NULL, res, ESP_DROP_NOSPACE, ERR_NOSPACE);
	err = esp_out_seq(sa, res, &seq);
	if (err)
		return err;
	esp_inner_tos_df(d, &tos, &df);

	/* Trailer: TFC padding, Padding 1, 2, 3, ... (RFC 4303 §2.4), Pad Length, Next Header. */
	ct = d + hdr_len;
	memset(ct + pay_len, 0, tfc);
	for (size_t i = 0; i < pad; i++)
		ct[pt_len + i] = (uint8_t)(i + 1);
	ct[ct_len - 2] = (uint8_t)pad;
	ct[ct_len - 1] = nh;

	/* Headers: in transport mode the IP header (and IPv6 extension headers before ESP) moves
	 * to the front. */
	pkt->off -= push;
	pkt->len = total;
	d = esp_buf_data(pkt);
	if (!tunnel)
		memmove(d, d + push, hdr_len);
	esp_off = (tunnel ? esp_outer_len(sa) : hdr_len) + udp;
	esp = d + esp_off;
	iv = esp + 8;
	ct = iv + sa->iv_len;
	icv = ct + ct_len;
	buf_store_be32(esp, sa->spi);
	buf_store_be32(esp + 4, (uint32_t)seq);
	err = make_iv(sa, w, seq, iv);
	if (err)
		return esp_drop(sa, NULL, res, ESP_DROP_CRYPTO, err);

	if (sa->aead) {
		size_t aad_len = esp_aead_aad(sa, esp, seq, aad);

		err = enc_seal(cr->enc, iv, aad, aad_len, ct, ct_len, ct, icv);
	} else {
		/* RFC 4303 §2.2.1 / §3.3.2: the ICV covers ESP header, IV, ciphertext and, with
		 * ESN, the high 32 bits of the sequence number (not transmitted). */
		struct crypto_span parts[2] = {{esp, 8 + sa->iv_len + ct_len}, {aad, 4}};

		buf_store_be32(aad, (uint32_t)(seq >> 32));
		err = enc_seal(cr->enc, iv, NULL, 0, ct, ct_len, ct, NULL);
		if (err == 0 && cr->integ)
			err = integ_compute(cr->integ, parts, sa->esn ? 2 : 1, icv);
	}
	if (err)
		return esp_drop(sa, NULL, res, ESP_DROP_CRYPTO, ERR_CRYPTO);

	esp_sa_path(sa, &path); /* one snapshot: addresses and ports of one path */
	if (tunnel) {
		esp_outer_header(sa, &path, d, total, udp ? ESP_IPPROTO_UDP : ESP_IPPROTO_ESP, tos,
				 df, seq);
	} else {
		d[h.nh_off] = udp ? ESP_IPPROTO_UDP : ESP_IPPROTO_ESP;
		esp_ip_set_len(d, total);
	}
	if (udp)
		esp_encap_put_udp(d, esp_off - udp, path.sport, path.dport);
	res->kind = ESP_RES_SEND;
	res->l4_off = (uint16_t)(esp_off - udp);
	res->payload_off = (uint16_t)esp_off;
	res->next_header = nh;
	esp_account(sa, ESP_DIR_OUT, h.total, now, res);
	return 0;
}

int esp_protect(struct esp_sa *sa, struct esp_worker *w, struct esp_buf *pkt, uint64_t now,
		struct esp_result *res)
{
	memset(res, 0, sizeof(*res));
	res->reqid = sa->reqid;
	res->spi = sa->spi;
	if (sa->dir != ESP_DIR_OUT)
		return esp_drop(sa, NULL, res, ESP_DROP_PROTO, ERR_INVAL);
	if (sa->proto == ESP_IPPROTO_AH)
		return esp_ah_out(sa, w, pkt, now, res);
	return esp_out(sa, w, pkt, now, res);
}

int esp_in_tunnel_inner(struct esp_sa *sa, struct esp_buf *pkt, size_t off, size_t len, uint8_t nh)
{
	uint8_t *inner = esp_buf_data(pkt) + off;
	struct esp_iphdr ih;
	int err;

	if (nh != ESP_IPPROTO_IPIP && nh != ESP_IPPROTO_IPV6)
		return ERR_INVAL;
	err = esp_ip_parse(inner, len, 0, &ih);
	if (err)
		return err;
	if (ih.version != (nh == ESP_IPPROTO_IPIP ? 4 : 6))
		return ERR_INVAL;
	if (esp_sa_check_inner(sa, inner, ih.total) != 0)
		return ERR_NOTFOUND;
	pkt->off += off;
	pkt->len = ih.total; /* drops TFC padding (RFC 4303 §2.7) */
	return 0;
}
