#include "esp/ah.h"

#include <string.h>

#include "crypto/enc.h"
#include "crypto/integ.h"
#include "crypto/span.h"
#include "esp/ctxcache.h"
#include "lib/buf.h"
#include "lib/err.h"

/* Headers in front of AH that we save and zero for the ICV computation. */
#define AH_MAX_HDR 256

/* Zeroes the mutable fields of the IP header region p[0..hdr_len) in place (the caller has a
 * copy to restore). ERR_INVAL on malformed IPv6 options. */
static int zero_mutable(uint8_t *p, size_t hdr_len)
{
	if ((p[0] >> 4) == 4) {
		p[1] = 0;
		p[6] = 0;
		p[7] = 0;
		p[8] = 0;
		p[10] = 0;
		p[11] = 0;
		return 0;
	}
	p[0] &= 0xf0;
	p[1] = 0;
	p[2] = 0;
	p[3] = 0;
	p[7] = 0;
	for (size_t off = ESP_IPV6_HDR_LEN, nh = p[6]; off < hdr_len;) {
		size_t len;

		if (off + 2 > hdr_len)
			return ERR_INVAL;
		len = nh == ESP_IPPROTO_FRAGMENT ? 8 : ((size_t)p[off + 1] + 1) * 8;
		if (off + len > hdr_len)
			return ERR_INVAL;
		if (nh == ESP_IPPROTO_HOPOPTS || nh == ESP_IPPROTO_DSTOPTS) {
			for (size_t o = off + 2; o < off + len;) {
				size_t olen;

				if (p[o] == 0) { /* Pad1 */
					o++;
					continue;
				}
				if (o + 2 > off + len)
					return ERR_INVAL;
				olen = p[o + 1];
				if (o + 2 + olen > off + len)
					return ERR_INVAL;
				if (p[o] & 0x20) /* RFC 8200 §4.2: option data may change */
					memset(p + o + 2, 0, olen);
				o += 2 + olen;
			}
		}
		nh = p[off];
		off += len;
	}
	return 0;
}

/* Computes (verify == NULL) or verifies the ICV of the packet d[0..total) with AH at ah_off.
 * The ICV field must already be zeroed (IV kept for GMAC); the IP header region is zeroed
 * here and restored before returning. */
static int ah_icv(struct esp_sa *sa, struct esp_worker *w, uint8_t *d, size_t total, size_t ah_off,
		  uint64_t seq, uint8_t *icv_out, const uint8_t *verify)
{
	struct esp_sa_crypto *cr = esp_sa_crypto_get(sa, w);
	uint8_t saved[AH_MAX_HDR], hi[4];
	struct crypto_span parts[2] = {{d, total}, {hi, 4}};
	int err;

	if (cr == NULL)
		return ERR_CRYPTO;
	if (ah_off > AH_MAX_HDR)
		return ERR_UNSUPPORTED;
	memcpy(saved, d, ah_off);
	err = zero_mutable(d, ah_off);
	if (err)
		goto out;
	buf_store_be32(hi, (uint32_t)(seq >> 32));
	if (cr->enc) {
		/* RFC 4543 §3.2 (AH): GMAC over the packet, the IV in place in the ICV field. */
		const uint8_t *iv = d + ah_off + 12;
		size_t aad_len = ah_off + 12, rest = total - aad_len - sa->iv_len;
		uint8_t *in = d + aad_len + sa->iv_len;

		if (verify)
			err = enc_open(cr->enc, iv, d, aad_len, in, rest, in, verify);
		else
			err = enc_seal(cr->enc, iv, d, aad_len, in, rest, in, icv_out);
	} else if (verify) {
		err = integ_verify(cr->integ, parts, sa->esn ? 2 : 1, verify);
	} else {
		err = integ_compute(cr->integ, parts, sa->esn ? 2 : 1, icv_out);
	}
out:
	memcpy(d, saved, ah_off);
	return err;
}

int esp_ah_out(struct esp_sa *sa, struct esp_worker *w, struct esp_buf *pkt, uint64_t now,
	       struct esp_result *res)
{
	bool tunnel = sa->mode == ESP_MODE_TUNNEL;
	uint8_t icv[INTEG_MAX_ICV_LEN], *d, *ah, nh, tos;
	size_t push, ah_len, ah_off, total;
	struct esp_iphdr h, full;
	uint64_t seq;
	bool df, v6;
	int err;

	err = esp_ip_parse(esp_buf_data(pkt), pkt->len, !tunnel, &h);
	if (err)
		return esp_drop(sa, NULL, res, ESP_DROP_MALFORMED, err);
	/* RFC 4302 §3.1: whole datagrams only; the whole header chain must parse. */
	if (!tunnel && (h.frag || esp_ip_parse(esp_buf_data(pkt), pkt->len, 0, &full) != 0))
		return esp_drop(sa, NULL, res, ESP_DROP_MALFORMED, ERR_INVAL);
	pkt->len = h.total;
	v6 = tunnel ? esp_outer_len(sa) == ESP_IPV6_HDR_LEN : h.version == 6;
	ah_len = v6 ? sa->ah_len6 : sa->ah_len;
	push = (tunnel ? esp_outer_len(sa) : 0) + ah_len;
	total = h.total + push;
	err = esp_too_big(sa, pkt, &h, total, res);
	if (err)
		return err < 0 ? esp_drop(sa, NULL, res, ESP_DROP_NOSPACE, err) : 0;
	if (esp_buf_headroom(pkt) < push || total > 65535)
		return esp_drop(sa, NULL, res, ESP_DROP_NOSPACE, ERR_NOSPACE);
	err = esp_out_seq(sa, res, &seq);
	if (err)
		return err;
	d = esp_buf_data(pkt);
	esp_inner_tos_df(d, &tos, &df);
	nh = tunnel ? (h.version == 4 ? ESP_IPPROTO_IPIP : ESP_IPPROTO_IPV6) : h.proto;
	pkt->off -= push;
	pkt->len = total;
	d = esp_buf_data(pkt);
	if (tunnel) {
		ah_off = esp_outer_len(sa);
		struct esp_path path;
		esp_sa_path(sa, &path);
		esp_outer_header(sa, &path, d, total, ESP_IPPROTO_AH, tos, df, seq);
	} else {
		ah_off = h.off;
		memmove(d, d + push, h.off);
		d[h.nh_off] = ESP_IPPROTO_AH;
		esp_ip_set_len(d, total);
	}
	ah = d + ah_off;
	memset(ah, 0, ah_len);
	ah[0] = nh;
	ah[1] = (uint8_t)(ah_len / 4 - 2);
	buf_store_be32(ah + 4, sa->spi);
	buf_store_be32(ah + 8, (uint32_t)seq);
	if (sa->iv_len) {
		if (sa->force_iv_len)
			memcpy(ah + 12, sa->force_iv, sa->iv_len);
		else
			buf_store_be64(ah + 12, seq ^ sa->iv_mask); /* RFC 4543 §3.1: unique */
	}
	err = ah_icv(sa, w, d, total, ah_off, seq, icv, NULL);
	if (err)
		return esp_drop(sa, NULL, res, ESP_DROP_CRYPTO, ERR_CRYPTO);
	memcpy(ah + 12 + sa->iv_len, icv, sa->icv_len);
	res->kind = ESP_RES_SEND;
	res->l4_off = (uint16_t)ah_off;
	res->payload_off = (uint16_t)ah_off;
	res->next_header = nh;
	esp_account(sa, ESP_DIR_OUT, h.total, now, res);
	return 0;
}

int esp_ah_in(struct esp_sa *sa, struct esp_worker *w, struct esp_buf *pkt,
	      const struct esp_iphdr *h, uint64_t now, struct esp_result *res)
{
	uint8_t *d = esp_buf_data(pkt), *ah = d + h->off, icv[INTEG_MAX_ICV_LEN], nh;
	size_t ah_len, want = h->version == 6 ? sa->ah_len6 : sa->ah_len;
	uint64_t seq;
	int err;

	if (h->total - h->off < 12)
		return esp_drop(sa, NULL, res, ESP_DROP_MALFORMED, ERR_TRUNC);
	nh = ah[0];
	ah_len = ((size_t)ah[1] + 2) * 4;
	if (ah_len != want || ah_len > h->total - h->off || buf_load_be16(ah + 2) != 0)
		return esp_drop(sa, NULL, res, ESP_DROP_MALFORMED, ERR_INVAL);
	seq = esp_replay_infer(&sa->replay, buf_load_be32(ah + 8), sa->esn);
	res->seq = seq;
	if (esp_replay_check(&sa->replay, seq) != 0)
		return esp_drop(sa, NULL, res, ESP_DROP_REPLAY, ERR_REPLAY);
	memcpy(icv, ah + 12 + sa->iv_len, sa->icv_len);
	memset(ah + 12 + sa->iv_len, 0, ah_len - 12 - sa->iv_len);
	err = ah_icv(sa, w, d, h->total, h->off, seq, NULL, icv);
	if (err == ERR_AUTH)
		return esp_drop(sa, NULL, res, ESP_DROP_AUTH, ERR_AUTH);
	if (err)
		return esp_drop(sa, NULL, res,
				err == ERR_UNSUPPORTED || err == ERR_INVAL ? ESP_DROP_MALFORMED
									   : ESP_DROP_CRYPTO,
				err);
	if (esp_replay_update(&sa->replay, seq) != 0)
		return esp_drop(sa, NULL, res, ESP_DROP_REPLAY, ERR_REPLAY);
	/* Next header 59 is an ordinary (empty) payload here: dummy packets are ESP's alone
	 * (RFC 4303 §2.6); RFC 4302 has none. */
	res->next_header = nh;
	if (sa->mode == ESP_MODE_TUNNEL) {
		err = esp_in_tunnel_inner(sa, pkt, h->off + ah_len, h->total - h->off - ah_len, nh);
		if (err)
			return esp_drop(sa, NULL, res,
					err == ERR_NOTFOUND ? ESP_DROP_POLICY : ESP_DROP_MALFORMED,
					err);
	} else {
		memmove(d + ah_len, d, h->off);
		pkt->off += ah_len;
		pkt->len = h->total - ah_len;
		d = esp_buf_data(pkt);
		d[h->nh_off] = nh;
		esp_ip_set_len(d, pkt->len);
		if (esp_sa_check_inner(sa, d, pkt->len) != 0)
			return esp_drop(sa, NULL, res, ESP_DROP_POLICY, ERR_NOTFOUND);
	}
	res->kind = ESP_RES_DELIVER;
	esp_account(sa, ESP_DIR_IN, pkt->len, now, res);
	return 0;
}
