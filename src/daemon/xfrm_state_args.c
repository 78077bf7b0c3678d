#include "daemon/xfrm_state_args.h"

#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "daemon/xfrm_cur.h"
#include "lib/err.h"
#include "lib/secret.h"

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* "0xHEX" (or "" / "0x" for an empty key) into a new secret. */
static int key_arg(struct xfrm_cur *c, const struct xfrm_alg *alg, struct secret **out)
{
	uint8_t buf[XFRM_ALG_KEY_MAX];
	char lens[32];
	const char *s;
	size_t n = 0, hexlen;
	int r;

	if ((r = xfrm_cur_value(c, alg->name, &s)))
		return r;
	if (s[0] && !(s[0] == '0' && (s[1] == 'x' || s[1] == 'X')))
		return xfrm_cur_fail(c, "invalid key for \"%s\": expected hex digits after 0x",
				     alg->name);
	hexlen = s[0] ? strlen(s) - 2 : 0;
	if (hexlen % 2)
		return xfrm_cur_fail(c, "invalid key for \"%s\": odd number of hex digits",
				     alg->name);
	xfrm_alg_keylens_str(alg, lens, sizeof(lens));
	if (hexlen / 2 > sizeof(buf) || !xfrm_alg_keylen_ok(alg, hexlen / 2))
		return xfrm_cur_fail(c, "key for \"%s\" must be %s bytes, got %zu", alg->name, lens,
				     hexlen / 2);
	for (size_t i = 0; i < hexlen; i += 2) {
		int hi = hexval(s[2 + i]), lo = hexval(s[3 + i]);
		if (hi < 0 || lo < 0) {
			r = xfrm_cur_fail(c, "invalid key for \"%s\": expected hex digits after 0x",
					  alg->name);
			goto out;
		}
		buf[n++] = (uint8_t)(hi << 4 | lo);
	}
	*out = secret_new(buf, n);
	r = *out ? 0 : ERR_NOMEM;
	if (r)
		xfrm_cur_fail(c, "out of memory");
out:
	secret_wipe(buf, sizeof(buf));
	return r;
}

static int alg_name_arg(struct xfrm_cur *c, const char *kw, enum xfrm_alg_kind kind,
			const struct xfrm_alg **alg)
{
	const char *s;
	const struct xfrm_alg *other;
	int r;

	if ((r = xfrm_cur_value(c, kw, &s)))
		return r;
	*alg = xfrm_alg_find(kind, s);
	if (*alg)
		return 0;
	other = xfrm_alg_find_any(s);
	if (other)
		return xfrm_cur_fail(c, "algorithm \"%s\" goes with \"%s\", not \"%s\"", s,
				     xfrm_alg_kind_name(other->kind), kw);
	return xfrm_cur_fail(c, "unknown algorithm \"%s\" for \"%s\"", s, kw);
}

/* aead NAME KEY ICV | enc NAME KEY | auth NAME KEY | auth-trunc NAME KEY BITS */
static int alg_arg(struct xfrm_cur *c, const char *kw, struct xfrm_state_spec *s)
{
	struct xfrm_key_alg *ka;
	enum xfrm_alg_kind kind;
	int trunc = 0, r;
	uint64_t bits;
	char icvs[32];

	if (strcmp(kw, "aead") == 0) {
		kind = XFRM_ALG_AEAD;
		ka = &s->aead;
	} else if (strcmp(kw, "enc") == 0) {
		kind = XFRM_ALG_ENC;
		ka = &s->enc;
	} else {
		kind = XFRM_ALG_AUTH;
		ka = &s->auth;
		trunc = strcmp(kw, "auth-trunc") == 0;
	}
	if (ka->alg)
		return xfrm_cur_fail(c, "duplicate \"%s\"", kind == XFRM_ALG_AUTH ? "auth" : kw);
	if ((r = alg_name_arg(c, kw, kind, &ka->alg)))
		return r;
	if ((r = key_arg(c, ka->alg, &ka->key))) {
		ka->alg = NULL;
		return r;
	}
	if (kind == XFRM_ALG_ENC)
		return 0;
	if (kind == XFRM_ALG_AUTH && !trunc) {
		ka->icv_bits = ka->alg->icv_default;
		return 0;
	}
	r = xfrm_cur_num_arg(c, ka->alg->name, kind == XFRM_ALG_AEAD ? "ICV length" : "truncation",
			     0, 65535, &bits);
	if (!r && !xfrm_alg_icv_ok(ka->alg, (unsigned)bits)) {
		xfrm_alg_icvs_str(ka->alg, icvs, sizeof(icvs));
		r = xfrm_cur_fail(c, "%s for \"%s\" must be %s bits, got %llu",
				  kind == XFRM_ALG_AEAD ? "ICV length" : "truncation",
				  ka->alg->name, icvs, (unsigned long long)bits);
	}
	if (r) {
		secret_free(ka->key);
		ka->key = NULL;
		ka->alg = NULL;
		return r;
	}
	ka->icv_bits = (uint16_t)bits;
	return 0;
}

static int spi_arg(struct xfrm_cur *c, uint32_t *spi)
{
	uint64_t v;
	int r;

	/* The text is in argv[c->i]; num_arg reports it. */
	const char *s = xfrm_cur_peek(c);
	if ((r = xfrm_cur_num_arg(c, "spi", "SPI", 0, UINT32_MAX, &v)))
		return r;
	if (v < 256)
		return xfrm_cur_fail(c, "invalid SPI \"%s\": 0-255 are reserved (RFC 4303 §2.1)",
				     s);
	*spi = (uint32_t)v;
	return 0;
}

static int encap_arg(struct xfrm_cur *c, struct xfrm_state_spec *s)
{
	const char *t;
	uint64_t v;
	int r;

	if ((r = xfrm_cur_value(c, "encap", &t)))
		return r;
	if (strcmp(t, "espinudp") != 0)
		return xfrm_cur_fail(c, "invalid encap type \"%s\": expected espinudp (RFC 3948)",
				     t);
	if ((r = xfrm_cur_num_arg(c, "encap", "encap source port", 1, 65535, &v)))
		return r;
	s->encap_sport = (uint16_t)v;
	if ((r = xfrm_cur_num_arg(c, "encap", "encap destination port", 1, 65535, &v)))
		return r;
	s->encap_dport = (uint16_t)v;
	if ((r = xfrm_cur_addr_arg(c, "encap", &s->encap_oa)))
		return r;
	s->encap = true;
	return 0;
}

/* limit { time-soft | time-hard | byte-soft | byte-hard | packet-soft | packet-hard } N ...
 * (one or more pairs after one "limit", as iproute2 reads them). */
static int limit_arg(struct xfrm_cur *c, struct xfrm_lifetime *l)
{
	static const struct {
		const char *name;
		size_t off;
	} names[] = {
	    {"time-soft", offsetof(struct xfrm_lifetime, time_soft)},
	    {"time-hard", offsetof(struct xfrm_lifetime, time_hard)},
	    {"byte-soft", offsetof(struct xfrm_lifetime, byte_soft)},
	    {"byte-hard", offsetof(struct xfrm_lifetime, byte_hard)},
	    {"packet-soft", offsetof(struct xfrm_lifetime, packet_soft)},
	    {"packet-hard", offsetof(struct xfrm_lifetime, packet_hard)},
	};
	int n = 0, r;

	for (;;) {
		const char *kw = xfrm_cur_peek(c);
		size_t k = sizeof(names) / sizeof(names[0]);
		uint64_t v;

		for (size_t i = 0; kw && i < sizeof(names) / sizeof(names[0]); i++)
			if (strcmp(kw, names[i].name) == 0)
				k = i;
		if (k == sizeof(names) / sizeof(names[0])) {
			if (n)
				return 0;
			if (kw &&
			    (strcmp(kw, "time-use-soft") == 0 || strcmp(kw, "time-use-hard") == 0))
				return xfrm_cur_fail(
				    c,
				    "limit \"%s\" is not supported: use time-soft or "
				    "time-hard",
				    kw);
			if (!kw)
				return xfrm_cur_fail(c, "missing value for \"limit\"");
			return xfrm_cur_fail(c,
					     "invalid limit \"%s\": expected time-soft, time-hard, "
					     "byte-soft, byte-hard, packet-soft or packet-hard",
					     kw);
		}
		xfrm_cur_next(c);
		if ((r = xfrm_cur_num_arg(c, names[k].name, names[k].name, 0, UINT64_MAX, &v)))
			return r;
		memcpy((uint8_t *)l + names[k].off, &v, sizeof(v));
		n++;
	}
}

/* Soft limits must come before the hard ones. */
static int limit_check(struct xfrm_cur *c, const struct xfrm_lifetime *l)
{
	if (l->time_soft && l->time_hard && l->time_soft > l->time_hard)
		return xfrm_cur_fail(c, "limit time-soft (%llu) is larger than time-hard (%llu)",
				     (unsigned long long)l->time_soft,
				     (unsigned long long)l->time_hard);
	if (l->byte_soft && l->byte_hard && l->byte_soft > l->byte_hard)
		return xfrm_cur_fail(c, "limit byte-soft (%llu) is larger than byte-hard (%llu)",
				     (unsigned long long)l->byte_soft,
				     (unsigned long long)l->byte_hard);
	if (l->packet_soft && l->packet_hard && l->packet_soft > l->packet_hard)
		return xfrm_cur_fail(
		    c, "limit packet-soft (%llu) is larger than packet-hard (%llu)",
		    (unsigned long long)l->packet_soft, (unsigned long long)l->packet_hard);
	return 0;
}

static int state_check_algs(struct xfrm_cur *c, struct xfrm_state_spec *s)
{
	if (s->proto == IPPROTO_AH) {
		if (s->aead.alg || s->enc.alg)
			return xfrm_cur_fail(
			    c, "proto ah takes only \"auth\" or \"auth-trunc\", not \"%s\"",
			    s->aead.alg ? "aead" : "enc");
		if (!s->auth.alg)
			return xfrm_cur_fail(c, "proto ah needs \"auth\" or \"auth-trunc\"");
		if (s->encap)
			return xfrm_cur_fail(c, "\"encap\" is only possible with proto esp");
		return 0;
	}
	if (s->aead.alg && (s->enc.alg || s->auth.alg))
		return xfrm_cur_fail(c, "\"aead\" cannot be combined with \"enc\" or \"auth\"");
	if (!s->aead.alg && !s->enc.alg)
		return xfrm_cur_fail(
		    c, "proto esp needs \"aead\", or \"enc\" with \"auth\" or \"auth-trunc\"");
	if (s->enc.alg && !s->auth.alg)
		return xfrm_cur_fail(
		    c, "\"enc\" without \"auth\" or \"auth-trunc\" is not supported: ESP "
		       "needs integrity protection (RFC 8221 §5)");
	return 0;
}

int xfrm_state_args(struct xfrm_cur *c, struct xfrm_state_spec *s, int add)
{
	unsigned seen = 0;
	const char *kw;
	uint64_t v;
	int r = 0;

	s->replay_window = 64;
	while (!r && (kw = xfrm_cur_next(c))) {
		if (strcmp(kw, "src") == 0) {
			if (!(r = xfrm_cur_once(c, &seen, XFRM_SEEN_SRC, kw)))
				r = xfrm_cur_addr_arg(c, kw, &s->src);
		} else if (strcmp(kw, "dst") == 0) {
			if (!(r = xfrm_cur_once(c, &seen, XFRM_SEEN_DST, kw)))
				r = xfrm_cur_addr_arg(c, kw, &s->dst);
		} else if (strcmp(kw, "proto") == 0) {
			if (!(r = xfrm_cur_once(c, &seen, XFRM_SEEN_PROTO, kw)))
				r = xfrm_cur_ipsec_proto_arg(c, kw, &s->proto);
		} else if (strcmp(kw, "spi") == 0) {
			if (!(r = xfrm_cur_once(c, &seen, XFRM_SEEN_SPI, kw)))
				r = spi_arg(c, &s->spi);
		} else if (!add) {
			r = xfrm_cur_fail(
			    c, "unexpected \"%s\" in \"state del\": expected src, dst, proto, spi",
			    kw);
		} else if (strcmp(kw, "mode") == 0) {
			if (!(r = xfrm_cur_once(c, &seen, XFRM_SEEN_MODE, kw)))
				r = xfrm_cur_mode_arg(c, &s->mode);
		} else if (strcmp(kw, "reqid") == 0) {
			if (!(r = xfrm_cur_once(c, &seen, XFRM_SEEN_REQID, kw)) &&
			    !(r = xfrm_cur_num_arg(c, kw, "reqid", 0, UINT32_MAX, &v)))
				s->reqid = (uint32_t)v;
		} else if (strcmp(kw, "replay-window") == 0) {
			if (!(r = xfrm_cur_once(c, &seen, XFRM_SEEN_REPLAY, kw)) &&
			    !(r = xfrm_cur_num_arg(c, kw, "replay-window", 0,
						   XFRM_REPLAY_WINDOW_MAX, &v)))
				s->replay_window = (uint32_t)v;
		} else if (strcmp(kw, "flag") == 0) {
			const char *f;
			if (!(r = xfrm_cur_value(c, kw, &f))) {
				if (strcmp(f, "esn") == 0)
					s->esn = true;
				else
					r = xfrm_cur_fail(
					    c, "unknown flag \"%s\": only esn is supported", f);
			}
		} else if (strcmp(kw, "encap") == 0) {
			if (!(r = xfrm_cur_once(c, &seen, XFRM_SEEN_ENCAP, kw)))
				r = encap_arg(c, s);
		} else if (strcmp(kw, "limit") == 0) {
			r = limit_arg(c, &s->lft);
		} else if (strcmp(kw, "aead") == 0 || strcmp(kw, "enc") == 0 ||
			   strcmp(kw, "auth") == 0 || strcmp(kw, "auth-trunc") == 0) {
			r = alg_arg(c, kw, s);
		} else {
			r = xfrm_cur_fail(c, "unknown argument \"%s\"", kw);
		}
	}
	if (r)
		return r;
	if (!(seen & XFRM_SEEN_SRC))
		return xfrm_cur_fail(c, "missing \"src\"");
	if (!(seen & XFRM_SEEN_DST))
		return xfrm_cur_fail(c, "missing \"dst\"");
	if (s->src.family != s->dst.family)
		return xfrm_cur_fail(c, "\"src\" and \"dst\" must be of the same address family");
	if (!(seen & XFRM_SEEN_PROTO))
		return xfrm_cur_fail(c, "missing \"proto\"");
	if (!(seen & XFRM_SEEN_SPI))
		return xfrm_cur_fail(c, "missing \"spi\"");
	if (!add)
		return 0;
	if ((r = limit_check(c, &s->lft)))
		return r;
	return state_check_algs(c, s);
}
