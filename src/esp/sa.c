#include "esp/sa.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/crypto.h>

#include "crypto/enc.h"
#include "crypto/integ.h"
#include "crypto/rand.h"
#include "esp/ip.h"
#include "esp/spd.h"
#include "lib/err.h"
#include "lib/secret.h"
#include "wire/iana.h"

static void sa_crypto_free(struct esp_sa *sa)
{
	if (sa->crypto == NULL)
		return;
	for (unsigned i = 0; i < sa->nworkers; i++) {
		enc_free(sa->crypto[i].enc);
		integ_free(sa->crypto[i].integ);
	}
	free(sa->crypto);
	sa->crypto = NULL;
}

static void sa_free(struct esp_sa *sa)
{
	sa_crypto_free(sa);
	OPENSSL_cleanse(sa->cc_key, sizeof(sa->cc_key));
	free(sa);
}

static bool integ_is_gmac(uint16_t id)
{
	return id == IKEV2_INTEG_AES_128_GMAC || id == IKEV2_INTEG_AES_192_GMAC ||
	       id == IKEV2_INTEG_AES_256_GMAC;
}

/* AH with AES-GMAC (RFC 4543 §3.2) runs on the ENCR_NULL_AUTH_AES_GMAC object. */
static unsigned gmac_bits(uint16_t id)
{
	return id == IKEV2_INTEG_AES_128_GMAC ? 128 : id == IKEV2_INTEG_AES_192_GMAC ? 192 : 256;
}

/* A non-NULL pointer for zero-length keys (ENCR_NULL): enc_new offsets the key pointer. */
static const uint8_t no_key[1];

_Static_assert(ESP_SA_MAX_KEYS >= ENC_MAX_KEY_LEN + INTEG_MAX_KEY_LEN, "cc_key too small");

/* Keeps the keys of a context-cache SA (lengths were checked by enc_new / integ_new). */
static void sa_keep_key(struct esp_sa *sa, bool integ, uint16_t id, uint16_t bits,
			const uint8_t *key, size_t len)
{
	if (integ) {
		sa->cc_integ_id = id;
		sa->cc_integ_len = (uint8_t)len;
		memcpy(sa->cc_key + sa->cc_encr_len, key, len);
	} else {
		sa->cc_encr_id = id;
		sa->cc_encr_bits = bits;
		sa->cc_encr_len = (uint8_t)len;
		if (len)
			memcpy(sa->cc_key, key, len);
	}
}

static int sa_crypto_setup(struct esp_sa *sa, const struct esp_sa_cfg *cfg)
{
	const uint8_t *ekey = cfg->encr_key ? cfg->encr_key : no_key;
	struct enc_info ei;
	struct integ_info ii;
	int err;

	sa->crypto = calloc(sa->nworkers, sizeof(*sa->crypto));
	if (sa->crypto == NULL)
		return ERR_NOMEM;
	if (cfg->proto == ESP_IPPROTO_ESP) {
		err = enc_new(cfg->encr_id, cfg->encr_key_bits,
			      cfg->dir == ESP_DIR_OUT ? ENC_ENCRYPT : ENC_DECRYPT, ekey,
			      cfg->encr_key_len, &sa->crypto[0].enc);
		if (err)
			return err;
		sa_keep_key(sa, false, cfg->encr_id, cfg->encr_key_bits, ekey, cfg->encr_key_len);
		ei = *enc_get_info(sa->crypto[0].enc);
		sa->aead = ei.aead;
		sa->iv_len = (uint8_t)ei.iv_len;
		sa->pad_align = (uint8_t)ei.pad_align;
		sa->iv_counter = ei.block_size == 1;
		if (ei.aead) {
			if (cfg->integ_id != 0)
				return ERR_INVAL;
			sa->icv_len = (uint8_t)ei.icv_len;
		} else if (cfg->integ_id == 0 && cfg->encr_id == IKEV2_ENCR_NULL) {
			/* RFC 4303 §3.2: at least one of confidentiality and integrity.
			 * Confidentiality-only ESP (RFC 4303 §3.2 MAY, RFC 8221 NOT RECOMMENDED) is
			 * accepted for manual keying and the RFC 3602 vectors; IKE never proposes
			 * it. */
			return ERR_INVAL;
		}
	} else {
		if (cfg->encr_id != 0 || cfg->integ_id == 0 || cfg->encap)
			return ERR_INVAL;
		if (integ_is_gmac(cfg->integ_id)) {
			/* RFC 4543 defines no place for the ESN high bits in AH-GMAC's AAD. */
			if (cfg->esn)
				return ERR_UNSUPPORTED;
			err = enc_new(IKEV2_ENCR_NULL_AUTH_AES_GMAC, gmac_bits(cfg->integ_id),
				      cfg->dir == ESP_DIR_OUT ? ENC_ENCRYPT : ENC_DECRYPT,
				      cfg->integ_key, cfg->integ_key_len, &sa->crypto[0].enc);
			if (err)
				return err;
			sa_keep_key(sa, false, IKEV2_ENCR_NULL_AUTH_AES_GMAC,
				    (uint16_t)gmac_bits(cfg->integ_id), cfg->integ_key,
				    cfg->integ_key_len);
			ei = *enc_get_info(sa->crypto[0].enc);
			sa->iv_len = (uint8_t)ei.iv_len;
			sa->icv_len = (uint8_t)ei.icv_len;
			sa->iv_counter = 1;
			sa->aead = true;
		}
	}
	if (cfg->integ_id != 0 && !(cfg->proto == ESP_IPPROTO_AH && integ_is_gmac(cfg->integ_id))) {
		err = integ_new(cfg->integ_id, cfg->integ_key, cfg->integ_key_len,
				&sa->crypto[0].integ);
		if (err)
			return err;
		sa_keep_key(sa, true, cfg->integ_id, 0, cfg->integ_key, cfg->integ_key_len);
		ii = *integ_get_info(sa->crypto[0].integ);
		sa->icv_len = (uint8_t)ii.icv_len;
	}
	for (unsigned i = 1; i < sa->nworkers; i++) {
		if (sa->crypto[0].enc) {
			err = enc_dup(sa->crypto[0].enc, &sa->crypto[i].enc);
			if (err)
				return err;
		}
		if (sa->crypto[0].integ) {
			err = integ_dup(sa->crypto[0].integ, &sa->crypto[i].integ);
			if (err)
				return err;
		}
	}
	if (cfg->proto == ESP_IPPROTO_AH) {
		/* RFC 4302 §3.3.3.2.1: the ICV field is padded to 32 bits (IPv4) / 64 bits (IPv6).
		 * With GMAC the field holds IV || ICV (RFC 4543 §3.2). */
		size_t f = (size_t)sa->iv_len + sa->icv_len;

		sa->ah_len = (uint8_t)(12 + ((f + 3) & ~(size_t)3));
		sa->ah_len6 = (uint8_t)(12 + ((f + 4 + 7) & ~(size_t)7) - 4);
	}
	return 0;
}

static bool addr_family_ok(const struct addr *a)
{
	return a->family == AF_INET || a->family == AF_INET6;
}

int esp_sa_new(const struct esp_sa_cfg *cfg, struct esp_sa **out)
{
	size_t words = esp_replay_words(cfg->replay_window);
	struct esp_sa *sa = NULL;
	int err;

	if (words == 0 || (cfg->proto != ESP_IPPROTO_ESP && cfg->proto != ESP_IPPROTO_AH) ||
	    (cfg->mode != ESP_MODE_TRANSPORT && cfg->mode != ESP_MODE_TUNNEL) ||
	    (cfg->dir != ESP_DIR_IN && cfg->dir != ESP_DIR_OUT) || cfg->nworkers > ESP_MAX_WORKERS)
		return ERR_INVAL;
	if (cfg->dir == ESP_DIR_OUT && (cfg->mode == ESP_MODE_TUNNEL || cfg->encap)) {
		if (!addr_family_ok(&cfg->src) || cfg->src.family != cfg->dst.family)
			return ERR_INVAL;
	}
	if (cfg->dir == ESP_DIR_IN && cfg->dst.family != 0 && !addr_family_ok(&cfg->dst))
		return ERR_INVAL;
	sa = calloc(1, sizeof(*sa) + words * sizeof(uint64_t));
	if (sa == NULL)
		return ERR_NOMEM;
	sa->spi = cfg->spi;
	sa->reqid = cfg->reqid;
	sa->proto = cfg->proto;
	sa->mode = cfg->mode;
	sa->dir = cfg->dir;
	sa->esn = cfg->esn;
	sa->encap = cfg->encap;
	sa->outer_ttl = cfg->outer_ttl ? cfg->outer_ttl : 64;
	sa->tfc_pad = cfg->tfc_pad;
	sa->encr_id = cfg->encr_id;
	sa->integ_id = cfg->integ_id;
	{
		struct esp_path p = {.src = cfg->src,
				     .dst = cfg->dst,
				     .sport = cfg->encap_sport ? cfg->encap_sport : ESP_ENCAP_PORT,
				     .dport = cfg->encap_dport ? cfg->encap_dport : ESP_ENCAP_PORT};
		sa->family = cfg->dir == ESP_DIR_OUT ? cfg->src.family : cfg->dst.family;
		esp_sa_set_path(sa, &p);
	}
	sa->oa_src = cfg->oa_src;
	sa->oa_dst = cfg->oa_dst;
	sa->sel = cfg->sel;
	sa->soft = cfg->soft;
	sa->hard = cfg->hard;
	sa->mtu = cfg->mtu;
	sa->df_mode = cfg->df_mode;
	sa->force_ip_id = -1;
	sa->pad_align = 4;
	sa->nworkers = cfg->nworkers ? cfg->nworkers : 1;
	sa->refcnt = 1;
	err = esp_sel_normalise(&sa->sel);
	if (err)
		goto out;
	if (cfg->ctx_cache)
		sa->nworkers = 1; /* the contexts made below only validate the keys */
	(void)esp_replay_init(&sa->replay, cfg->replay_window, sa->bitmap);
	err = sa_crypto_setup(sa, cfg);
	if (err == 0 && cfg->ctx_cache) {
		static uint64_t cc_next;

		sa_crypto_free(sa);
		sa->cc_id = __atomic_add_fetch(&cc_next, 1, __ATOMIC_RELAXED);
	}
	/* Counter-mode IVs: the sequence number XOR a random per-SA mask (as Linux's seqiv). The
	 * IV stays unique per key; two SAs misconfigured with one key (manual keying) still
	 * don't repeat a nonce. */
	if (err == 0 && sa->dir == ESP_DIR_OUT && sa->iv_counter && sa->iv_len)
		err = crypto_rand_bytes(&sa->iv_mask, sizeof(sa->iv_mask)) ? ERR_CRYPTO : 0;
out:
	if (err) {
		sa_free(sa);
		return err;
	}
	*out = sa;
	return 0;
}

void esp_sa_get(struct esp_sa *sa)
{
	__atomic_fetch_add(&sa->refcnt, 1, __ATOMIC_RELAXED);
}

void esp_sa_put(struct esp_sa *sa)
{
	if (sa == NULL)
		return;
	if (__atomic_sub_fetch(&sa->refcnt, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	sa_free(sa);
}

uint32_t esp_sa_spi(const struct esp_sa *sa)
{
	return sa->spi;
}

uint32_t esp_sa_reqid(const struct esp_sa *sa)
{
	return sa->reqid;
}

uint8_t esp_sa_proto(const struct esp_sa *sa)
{
	return sa->proto;
}

uint8_t esp_sa_mode(const struct esp_sa *sa)
{
	return sa->mode;
}

uint8_t esp_sa_dir(const struct esp_sa *sa)
{
	return sa->dir;
}

/* The path as words: a union keeps the copy free of aliasing games. */
union path_words {
	struct esp_path p;
	uint64_t w[ESP_PATH_WORDS];
};
_Static_assert(sizeof(struct esp_path) <= ESP_PATH_WORDS * sizeof(uint64_t),
	       "ESP_PATH_WORDS too small");

void esp_sa_path(const struct esp_sa *sa, struct esp_path *out)
{
	struct esp_sa *m = (struct esp_sa *)sa; /* atomics are read, not changed */
	union path_words u;
	uint32_t s1, s2;

	for (;;) {
		s1 = atomic_load_explicit(&m->path_seq, memory_order_acquire);
		for (size_t i = 0; i < ESP_PATH_WORDS; i++)
			u.w[i] = atomic_load_explicit(&m->path_w[i], memory_order_relaxed);
		atomic_thread_fence(memory_order_acquire);
		s2 = atomic_load_explicit(&m->path_seq, memory_order_relaxed);
		if (s1 == s2 && !(s1 & 1))
			break;
	}
	*out = u.p;
}

int esp_sa_set_path(struct esp_sa *sa, const struct esp_path *p)
{
	uint8_t fam = sa->dir == ESP_DIR_OUT ? p->src.family : p->dst.family;
	union path_words u;
	uint32_t s;

	if (fam != sa->family)
		return ERR_INVAL;
	memset(&u, 0, sizeof(u));
	u.p = *p;
	s = atomic_load_explicit(&sa->path_seq, memory_order_relaxed);
	atomic_store_explicit(&sa->path_seq, s + 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
	for (size_t i = 0; i < ESP_PATH_WORDS; i++)
		atomic_store_explicit(&sa->path_w[i], u.w[i], memory_order_relaxed);
	atomic_store_explicit(&sa->path_seq, s + 2, memory_order_release);
	return 0;
}

bool esp_sa_encap(const struct esp_sa *sa)
{
	return sa->encap;
}

static size_t outer_hdr_len(const struct esp_sa *sa, uint8_t inner_family)
{
	uint8_t fam = sa->mode == ESP_MODE_TUNNEL ? sa->family : inner_family;

	return fam == AF_INET6 ? ESP_IPV6_HDR_LEN : ESP_IPV4_HDR_LEN;
}

size_t esp_sa_overhead(const struct esp_sa *sa, uint8_t inner_family)
{
	size_t n = sa->mode == ESP_MODE_TUNNEL ? outer_hdr_len(sa, inner_family) : 0;

	if (sa->proto == ESP_IPPROTO_AH)
		return n +
		       (inner_family == AF_INET6 && sa->mode == ESP_MODE_TRANSPORT
			    ? sa->ah_len6
			    : (outer_hdr_len(sa, inner_family) == ESP_IPV6_HDR_LEN ? sa->ah_len6
										   : sa->ah_len));
	n += (sa->encap ? 8 : 0) + 8 + sa->iv_len;
	return n + sa->pad_align - 1 + 2 + sa->icv_len;
}

size_t esp_sa_max_inner(const struct esp_sa *sa, uint8_t inner_family, size_t mtu)
{
	size_t fixed, room, hdr = 0;

	if (sa->proto == ESP_IPPROTO_AH) {
		fixed = esp_sa_overhead(sa, inner_family);
		return mtu > fixed ? mtu - fixed : 0;
	}
	fixed = (sa->encap ? 8 : 0) + 8 + sa->iv_len + sa->icv_len;
	if (sa->mode == ESP_MODE_TUNNEL)
		fixed += outer_hdr_len(sa, inner_family);
	else /* the clear IP header stays outside the encrypted part */
		hdr = inner_family == AF_INET6 ? ESP_IPV6_HDR_LEN : ESP_IPV4_HDR_LEN;
	if (mtu <= fixed + hdr + 2)
		return 0;
	room = (mtu - fixed - hdr) / sa->pad_align * sa->pad_align; /* encrypted part */
	return room >= 2 ? hdr + room - 2 : 0;
}

void esp_sa_set_mtu(struct esp_sa *sa, uint16_t mtu)
{
	__atomic_store_n(&sa->mtu, mtu, __ATOMIC_RELAXED);
}

uint16_t esp_sa_mtu(const struct esp_sa *sa)
{
	return __atomic_load_n(&sa->mtu, __ATOMIC_RELAXED);
}

void esp_sa_stats(const struct esp_sa *sa, struct esp_stats *out)
{
	esp_stats_read(&sa->stats, out);
}

uint64_t esp_sa_seq(struct esp_sa *sa)
{
	if (sa->dir == ESP_DIR_OUT)
		return __atomic_load_n(&sa->seq, __ATOMIC_RELAXED);
	return esp_replay_top(&sa->replay);
}

bool esp_sa_dead(const struct esp_sa *sa)
{
	return __atomic_load_n(&sa->dead, __ATOMIC_RELAXED) != 0;
}

uint8_t esp_sa_events(const struct esp_sa *sa)
{
	return __atomic_load_n(&sa->ev_raised, __ATOMIC_RELAXED);
}

int esp_sa_poll(struct esp_sa *sa, uint64_t now)
{
	int ev = 0;

	if (sa->hard.expires && now >= sa->hard.expires) {
		__atomic_store_n(&sa->dead, 1, __ATOMIC_RELAXED);
		ev |= ESP_EV_HARD;
	}
	if (sa->soft.expires && now >= sa->soft.expires)
		ev |= ESP_EV_SOFT;
	/* Report each event once. */
	return ev & ~__atomic_fetch_or(&sa->ev_raised, (uint8_t)ev, __ATOMIC_RELAXED);
}

int esp_sa_check_inner(const struct esp_sa *sa, const uint8_t *p, size_t len)
{
	struct esp_flow f;
	int err;

	err = esp_flow_from_packet(p, len, &f);
	if (err)
		return ERR_INVAL;
	/* The SA's selector is written from the sender's view for outbound SAs and from ours
	 * for inbound SAs: for inbound, src is the remote side. */
	return esp_sel_match(&sa->sel, &f) ? 0 : ERR_NOTFOUND;
}

size_t esp_sa_footprint(void)
{
	return sizeof(struct esp_sa);
}

void esp_sa_set_next_seq(struct esp_sa *sa, uint64_t next)
{
	__atomic_store_n(&sa->seq, next ? next - 1 : 0, __ATOMIC_RELAXED);
}

void esp_sa_force_ip_id(struct esp_sa *sa, int id)
{
	sa->force_ip_id = id;
}

int esp_sa_force_iv(struct esp_sa *sa, const uint8_t *iv, size_t len)
{
	if (iv == NULL) {
		sa->force_iv_len = 0;
		return 0;
	}
	if (len != sa->iv_len || len > sizeof(sa->force_iv))
		return ERR_INVAL;
	memcpy(sa->force_iv, iv, len);
	sa->force_iv_len = (uint8_t)len;
	return 0;
}
