#include "esp/esp_in.h"

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

/* Where ESP starts inside an outer packet, after IP (and UDP when encapsulated). */
struct esp_in_pos {
	struct esp_iphdr h;
	size_t esp_off; /* from the packet start */
	size_t esp_len; /* to the end of the IP packet */
	bool udp;
};

/* ESP in UDP from another address or port than the SA's peer (ESP_EV_MAPPING): reported for
 * the newest authenticated packet only (never for an old one replayed from elsewhere), at most
 * once per unit of now. */
static void mapping_check(struct esp_sa *sa, const struct addr *src, uint16_t sport, uint64_t now,
			  struct esp_result *res)
{
	struct esp_path p;
	uint32_t mark = (uint32_t)now + 1, prev;

	esp_sa_path(sa, &p);
	if (p.src.family == 0 || (addr_equal(&p.src, src) && p.sport == sport))
		return; /* no known peer, or the same one */
	prev = __atomic_load_n(&sa->map_ev_at, __ATOMIC_RELAXED);
	if (prev != mark && __atomic_compare_exchange_n(&sa->map_ev_at, &prev, mark, false,
							__ATOMIC_RELAXED, __ATOMIC_RELAXED))
		res->events |= ESP_EV_MAPPING;
}

static int esp_in(struct esp_sa *sa, struct esp_worker *w, struct esp_buf *pkt,
		  const struct esp_in_pos *pos, uint64_t now, struct esp_result *res)
{
	struct esp_sa_crypto *cr;
	uint8_t *d = esp_buf_data(pkt), *esp = d + pos->esp_off, *iv, *ct, *icv, aad[12];
	size_t ct_len, pay_len, pad, overhead = 8 + (size_t)sa->iv_len + sa->icv_len;
	uint8_t nh,
	    saved_icv[INTEG_MAX_ICV_LEN > ENC_MAX_ICV_LEN ? INTEG_MAX_ICV_LEN : ENC_MAX_ICV_LEN];
	uint64_t seq;
	struct addr from = {0};
	uint16_t from_port = 0;
	bool newest = false;
	int err;

	if (pos->esp_len < overhead + 2)
		return esp_drop(sa, NULL, res, ESP_DROP_MALFORMED, ERR_TRUNC);
	if (pos->udp) { /* the outer source, read before the packet is rewritten */
		addr_from_bytes(&from, pos->h.version == 4 ? AF_INET : AF_INET6,
				d + (pos->h.version == 4 ? 12 : 8), pos->h.version == 4 ? 4 : 16);
		from_port = buf_load_be16(d + pos->h.off);
	}
	ct_len = pos->esp_len - overhead;
	if (!sa->iv_counter && ct_len % sa->pad_align != 0)
		return esp_drop(sa, NULL, res, ESP_DROP_MALFORMED, ERR_INVAL); /* CBC blocks */
	iv = esp + 8;
	ct = iv + sa->iv_len;
	icv = ct + ct_len;
	seq = esp_replay_infer(&sa->replay, buf_load_be32(esp + 4), sa->esn);
	res->seq = seq;
	/* RFC 4303 §3.4.3: the replay check comes before the ICV check. */
	if (esp_replay_check(&sa->replay, seq) != 0)
		return esp_drop(sa, NULL, res, ESP_DROP_REPLAY, ERR_REPLAY);
	/* After the replay check: a replayed packet never costs a context-cache re-key. */
	cr = esp_sa_crypto_get(sa, w);
	if (cr == NULL)
		return esp_drop(sa, NULL, res, ESP_DROP_CRYPTO, ERR_CRYPTO);

	if (sa->aead) {
		size_t aad_len = esp_aead_aad(sa, esp, seq, aad);

		err = enc_open(cr->enc, iv, aad, aad_len, ct, ct_len, ct, icv);
		if (err == ERR_AUTH)
			return esp_drop(sa, NULL, res, ESP_DROP_AUTH, ERR_AUTH);
		if (err)
			return esp_drop(sa, NULL, res, ESP_DROP_CRYPTO, ERR_CRYPTO);
		if (esp_replay_update(&sa->replay, seq) != 0)
			return esp_drop(sa, NULL, res, ESP_DROP_REPLAY, ERR_REPLAY);
		newest = sa->replay.window && esp_replay_top(&sa->replay) == seq;
	} else {
		struct crypto_span parts[2] = {{esp, 8 + sa->iv_len + ct_len}, {aad, 4}};

		buf_store_be32(aad, (uint32_t)(seq >> 32));
		memcpy(saved_icv, icv, sa->icv_len);
		err = cr->integ ? integ_verify(cr->integ, parts, sa->esn ? 2 : 1, saved_icv) : 0;
		if (err == ERR_AUTH)
			return esp_drop(sa, NULL, res, ESP_DROP_AUTH, ERR_AUTH);
		if (err)
			return esp_drop(sa, NULL, res, ESP_DROP_CRYPTO, ERR_CRYPTO);
		if (esp_replay_update(&sa->replay, seq) != 0)
			return esp_drop(sa, NULL, res, ESP_DROP_REPLAY, ERR_REPLAY);
		newest = sa->replay.window && esp_replay_top(&sa->replay) == seq;
		err = enc_open(cr->enc, iv, NULL, 0, ct, ct_len, ct, NULL);
		if (err)
			return esp_drop(sa, NULL, res, ESP_DROP_CRYPTO, ERR_CRYPTO);
	}

	/* RFC 4303 §2.4: Padding is 1, 2, 3, ...; Pad Length counts it. */
	pad = ct[ct_len - 2];
	nh = ct[ct_len - 1];
	if (pad + 2 > ct_len)
		return esp_drop(sa, NULL, res, ESP_DROP_PAD, ERR_INVAL);
	pay_len = ct_len - 2 - pad;
	for (size_t i = 0; i < pad; i++)
		if (ct[pay_len + i] != (uint8_t)(i + 1))
			return esp_drop(sa, NULL, res, ESP_DROP_PAD, ERR_INVAL);
	res->next_header = nh;
	if (newest && pos->udp)
		mapping_check(sa, &from, from_port, now, res);
	if (nh == ESP_IPPROTO_NONE) {
		/* RFC 4303 §2.6: dummy packet, discarded silently (counted). */
		esp_stats_drop(&sa->stats, ESP_DROP_DUMMY);
		res->drop = ESP_DROP_DUMMY;
		res->kind = ESP_RES_NONE;
		return 0;
	}
	if (sa->mode == ESP_MODE_TUNNEL) {
		err = esp_in_tunnel_inner(sa, pkt, (size_t)(ct - d), pay_len, nh);
		if (err == ERR_NOTFOUND)
			return esp_drop(sa, NULL, res, ESP_DROP_POLICY, err);
		if (err)
			return esp_drop(sa, NULL, res, ESP_DROP_MALFORMED, err);
	} else {
		/* Transport: the IP header (and extension headers before ESP) moves up to the
		 * payload; ESP header, IV (and the UDP header) disappear. */
		size_t hdr_len = pos->h.off, cut = (size_t)(ct - d) - hdr_len;
		uint8_t saddr[16], daddr[16];

		memmove(d + cut, d, hdr_len);
		pkt->off += cut;
		pkt->len = hdr_len + pay_len;
		d = esp_buf_data(pkt);
		d[pos->h.nh_off] = nh;
		esp_ip_set_len(d, pkt->len);
		if (pos->udp && (sa->oa_src.family != 0 || sa->oa_dst.family != 0)) {
			if (pos->h.version == 4) {
				memcpy(saddr, d + 12, 4);
				memcpy(daddr, d + 16, 4);
			} else {
				memcpy(saddr, d + 8, 16);
				memcpy(daddr, d + 24, 16);
			}
			esp_natt_fix_csum(d + hdr_len, pay_len, nh, &sa->oa_src, &sa->oa_dst,
					  pos->h.version == 4 ? AF_INET : AF_INET6, saddr, daddr);
		}
		if (esp_sa_check_inner(sa, d, pkt->len) != 0)
			return esp_drop(sa, NULL, res, ESP_DROP_POLICY, ERR_NOTFOUND);
	}
	res->kind = ESP_RES_DELIVER;
	esp_account(sa, ESP_DIR_IN, pkt->len, now, res);
	return 0;
}

/* Locates ESP/AH (or ESP in UDP) in the outer packet. *proto gets ESP, AH, or UDP-ESP marked
 * as ESP with pos->udp; a non-ESP UDP payload is reported with ESP_RES_IKE / keepalive. */
static int locate(struct esp_worker *w, struct esp_buf *pkt, struct esp_in_pos *pos,
		  struct esp_result *res, uint8_t *proto)
{
	uint8_t *d = esp_buf_data(pkt);
	int err, kind;

	memset(pos, 0, sizeof(*pos));
	err = esp_ip_parse(d, pkt->len, 0, &pos->h);
	if (err || pos->h.frag)
		return esp_drop(NULL, w, res, ESP_DROP_MALFORMED, err ? err : ERR_INVAL);
	pkt->len = pos->h.total;
	pos->esp_off = pos->h.off;
	pos->esp_len = pos->h.total - pos->h.off;
	*proto = pos->h.proto;
	if (pos->h.proto == ESP_IPPROTO_UDP) {
		size_t ulen;

		if (pos->esp_len < 8)
			return esp_drop(NULL, w, res, ESP_DROP_MALFORMED, ERR_TRUNC);
		ulen = buf_load_be16(d + pos->esp_off + 4);
		if (ulen < 8 || ulen > pos->esp_len)
			return esp_drop(NULL, w, res, ESP_DROP_MALFORMED, ERR_INVAL);
		kind = esp_encap_classify(d + pos->esp_off + 8, ulen - 8);
		if (kind == ESP_ENCAP_KEEPALIVE) {
			esp_stats_drop(&w->stats, ESP_DROP_KEEPALIVE);
			res->drop = ESP_DROP_KEEPALIVE;
			return 1;
		}
		if (kind == ESP_ENCAP_IKE) {
			pkt->off += pos->esp_off + 8 + 4;
			pkt->len = ulen - 8 - 4;
			res->kind = ESP_RES_IKE;
			return 1;
		}
		if (kind != ESP_ENCAP_ESP)
			return esp_drop(NULL, w, res, ESP_DROP_MALFORMED, ERR_INVAL);
		pos->esp_off += 8;
		pos->esp_len = ulen - 8;
		pos->udp = true;
		*proto = ESP_IPPROTO_ESP;
	} else if (pos->h.proto != ESP_IPPROTO_ESP && pos->h.proto != ESP_IPPROTO_AH) {
		return esp_drop(NULL, w, res, ESP_DROP_PROTO, ERR_INVAL);
	}
	if (pos->esp_len < 8)
		return esp_drop(NULL, w, res, ESP_DROP_MALFORMED, ERR_TRUNC);
	res->spi = buf_load_be32(d + pos->esp_off + (*proto == ESP_IPPROTO_AH ? 4 : 0));
	return 0;
}

static int unprotect_at(struct esp_sa *sa, struct esp_worker *w, struct esp_buf *pkt,
			const struct esp_in_pos *pos, uint8_t proto, uint64_t now,
			struct esp_result *res)
{
	res->reqid = sa->reqid;
	if (sa->dir != ESP_DIR_IN || proto != sa->proto || pos->udp != sa->encap)
		return esp_drop(sa, NULL, res, ESP_DROP_PROTO, ERR_INVAL);
	if (res->spi != sa->spi)
		return esp_drop(sa, NULL, res, ESP_DROP_NO_SA, ERR_NOTFOUND);
	if (esp_sa_dead(sa))
		return esp_drop(sa, NULL, res, ESP_DROP_HARD_EXPIRED, ERR_BADSTATE);
	if (proto == ESP_IPPROTO_AH)
		return esp_ah_in(sa, w, pkt, &pos->h, now, res);
	return esp_in(sa, w, pkt, pos, now, res);
}

int esp_unprotect(struct esp_sa *sa, struct esp_worker *w, struct esp_buf *pkt, uint64_t now,
		  struct esp_result *res)
{
	struct esp_in_pos pos;
	uint8_t proto;
	int err;

	memset(res, 0, sizeof(*res));
	err = locate(w, pkt, &pos, res, &proto);
	if (err)
		return err < 0 ? err : 0;
	return unprotect_at(sa, w, pkt, &pos, proto, now, res);
}

int esp_input(struct esp_sad *sad, struct esp_worker *w, struct esp_buf *pkt, uint64_t now,
	      struct esp_result *res)
{
	struct esp_in_pos pos;
	struct addr dst;
	struct esp_sa *sa;
	uint8_t proto;
	int err;

	memset(res, 0, sizeof(*res));
	err = locate(w, pkt, &pos, res, &proto);
	if (err)
		return err < 0 ? err : 0;
	memset(&dst, 0, sizeof(dst));
	if (pos.h.version == 4) {
		dst.family = AF_INET;
		memcpy(dst.bytes, esp_buf_data(pkt) + 16, 4);
	} else {
		dst.family = AF_INET6;
		memcpy(dst.bytes, esp_buf_data(pkt) + 24, 16);
	}
	sa = esp_sad_lookup_in(sad, res->spi, &dst, proto);
	if (sa == NULL)
		return esp_drop(NULL, w, res, ESP_DROP_NO_SA, ERR_NOTFOUND);
	err = unprotect_at(sa, w, pkt, &pos, proto, now, res);
	esp_sa_put(sa);
	return err;
}

int esp_input_udp(struct esp_sad *sad, struct esp_worker *w, struct esp_buf *pkt,
		  const struct addr *src, const struct addr *dst, uint16_t sport, uint16_t dport,
		  uint64_t now, struct esp_result *res)
{
	size_t hl = dst->family == AF_INET6 ? ESP_IPV6_HDR_LEN : ESP_IPV4_HDR_LEN;
	size_t total = hl + 8 + pkt->len;
	uint8_t *d;

	memset(res, 0, sizeof(*res));
	if ((src->family != AF_INET && src->family != AF_INET6) || src->family != dst->family ||
	    total > 65535)
		return esp_drop(NULL, w, res, ESP_DROP_MALFORMED, ERR_INVAL);
	if (esp_buf_headroom(pkt) < hl + 8)
		return esp_drop(NULL, w, res, ESP_DROP_NOSPACE, ERR_NOSPACE);
	/* Rebuild the IP + UDP headers the socket stripped, then process as a whole packet. */
	pkt->off -= hl + 8;
	pkt->len = total;
	d = esp_buf_data(pkt);
	memset(d, 0, hl + 8);
	if (hl == ESP_IPV4_HDR_LEN) {
		d[0] = 0x45;
		buf_store_be16(d + 2, (uint16_t)total);
		d[8] = 64;
		d[9] = ESP_IPPROTO_UDP;
		memcpy(d + 12, src->bytes, 4);
		memcpy(d + 16, dst->bytes, 4);
		esp_ipv4_set_csum(d, hl);
	} else {
		d[0] = 0x60;
		buf_store_be16(d + 4, (uint16_t)(total - hl));
		d[6] = ESP_IPPROTO_UDP;
		d[7] = 64;
		memcpy(d + 8, src->bytes, 16);
		memcpy(d + 24, dst->bytes, 16);
	}
	buf_store_be16(d + hl, sport);
	buf_store_be16(d + hl + 2, dport);
	buf_store_be16(d + hl + 4, (uint16_t)(total - hl));
	return esp_input(sad, w, pkt, now, res);
}
