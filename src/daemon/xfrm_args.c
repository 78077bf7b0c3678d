#include "daemon/xfrm_args.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "lib/err.h"

/* A cursor over the words of one command and the error it fails with. */
struct cur {
	int argc;
	const char *const *argv;
	int i;
	char *err;
	size_t err_size;
};

__attribute__((format(printf, 2, 3))) static int fail(struct cur *c, const char *fmt, ...)
{
	va_list ap;

	if (c->err && c->err_size) {
		va_start(ap, fmt);
		vsnprintf(c->err, c->err_size, fmt, ap);
		va_end(ap);
	}
	return ERR_INVAL;
}

static const char *peek(const struct cur *c)
{
	return c->i < c->argc ? c->argv[c->i] : NULL;
}

static const char *next(struct cur *c)
{
	return c->i < c->argc ? c->argv[c->i++] : NULL;
}

/* The value that follows keyword `kw`, or an error. */
static int value(struct cur *c, const char *kw, const char **v)
{
	*v = next(c);
	if (!*v)
		return fail(c, "missing value for \"%s\"", kw);
	return 0;
}

/* Decimal or 0x-hex unsigned number up to max. */
static int parse_num(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	unsigned base = 10;
	const char *p = s;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	if (!*p)
		return ERR_INVAL;
	for (; *p; p++) {
		unsigned d;
		if (*p >= '0' && *p <= '9')
			d = (unsigned)(*p - '0');
		else if (base == 16 && *p >= 'a' && *p <= 'f')
			d = (unsigned)(*p - 'a' + 10);
		else if (base == 16 && *p >= 'A' && *p <= 'F')
			d = (unsigned)(*p - 'A' + 10);
		else
			return ERR_INVAL;
		if (v > (max - d) / base)
			return ERR_LIMIT;
		v = v * base + d;
	}
	*out = v;
	return 0;
}

static int num_arg(struct cur *c, const char *kw, const char *what, uint64_t min, uint64_t max,
		   uint64_t *out)
{
	const char *s;
	uint64_t v;
	int r;

	if ((r = value(c, kw, &s)))
		return r;
	r = parse_num(s, max, &v);
	if (r == ERR_INVAL)
		return fail(c, "invalid %s \"%s\": expected a number", what, s);
	if (r || v < min)
		return fail(c, "invalid %s \"%s\": expected a number from %llu to %llu", what, s,
			    (unsigned long long)min, (unsigned long long)max);
	*out = v;
	return 0;
}

static int parse_addr(const char *s, struct addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, a->bytes) == 1) {
		a->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, a->bytes) == 1) {
		a->family = AF_INET6;
		return 0;
	}
	return ERR_INVAL;
}

static int addr_arg(struct cur *c, const char *kw, struct addr *a)
{
	const char *s;
	int r;

	if ((r = value(c, kw, &s)))
		return r;
	if (parse_addr(s, a))
		return fail(c,
			    "invalid address \"%s\" for \"%s\": expected an IPv4 or IPv6 address",
			    s, kw);
	return 0;
}

static int prefix_arg(struct cur *c, const char *kw, struct prefix *p)
{
	char tmp[INET6_ADDRSTRLEN + 8];
	const char *s;
	char *slash;
	uint64_t len;
	int r;

	if ((r = value(c, kw, &s)))
		return r;
	if (strlen(s) >= sizeof(tmp))
		return fail(c, "invalid prefix \"%.64s...\" for \"%s\": too long", s, kw);
	strcpy(tmp, s);
	slash = strchr(tmp, '/');
	if (slash)
		*slash = '\0';
	if (parse_addr(tmp, &p->addr))
		return fail(c, "invalid prefix \"%s\" for \"%s\": expected ADDRESS[/LENGTH]", s,
			    kw);
	unsigned bits = p->addr.family == AF_INET ? 32 : 128;
	len = bits;
	if (slash && parse_num(slash + 1, bits, &len))
		return fail(c, "invalid prefix \"%s\" for \"%s\": length must be 0-%u", s, kw,
			    bits);
	p->len = (uint8_t)len;
	for (unsigned b = p->len; b < bits; b++) {
		if (p->addr.bytes[b / 8] & (0x80 >> (b % 8)))
			return fail(c, "invalid prefix \"%s\" for \"%s\": host bits are set", s,
				    kw);
	}
	return 0;
}

static int ipsec_proto_arg(struct cur *c, const char *kw, uint8_t *proto)
{
	const char *s;
	int r;

	if ((r = value(c, kw, &s)))
		return r;
	if (strcmp(s, "esp") == 0)
		*proto = IPPROTO_ESP;
	else if (strcmp(s, "ah") == 0)
		*proto = IPPROTO_AH;
	else
		return fail(c, "invalid proto \"%s\": expected esp or ah", s);
	return 0;
}

static int mode_arg(struct cur *c, enum xfrm_mode *mode)
{
	const char *s;
	int r;

	if ((r = value(c, "mode", &s)))
		return r;
	if (strcmp(s, "tunnel") == 0)
		*mode = XFRM_MODE_TUNNEL;
	else if (strcmp(s, "transport") == 0)
		*mode = XFRM_MODE_TRANSPORT;
	else
		return fail(c, "invalid mode \"%s\": expected tunnel or transport", s);
	return 0;
}

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
static int key_arg(struct cur *c, const struct xfrm_alg *alg, struct secret **out)
{
	uint8_t buf[XFRM_ALG_KEY_MAX];
	char lens[32];
	const char *s;
	size_t n = 0, hexlen;
	int r;

	if ((r = value(c, alg->name, &s)))
		return r;
	if (s[0] && !(s[0] == '0' && (s[1] == 'x' || s[1] == 'X')))
		return fail(c, "invalid key for \"%s\": expected hex digits after 0x", alg->name);
	hexlen = s[0] ? strlen(s) - 2 : 0;
	if (hexlen % 2)
		return fail(c, "invalid key for \"%s\": odd number of hex digits", alg->name);
	xfrm_alg_keylens_str(alg, lens, sizeof(lens));
	if (hexlen / 2 > sizeof(buf) || !xfrm_alg_keylen_ok(alg, hexlen / 2))
		return fail(c, "key for \"%s\" must be %s bytes, got %zu", alg->name, lens,
			    hexlen / 2);
	for (size_t i = 0; i < hexlen; i += 2) {
		int hi = hexval(s[2 + i]), lo = hexval(s[3 + i]);
		if (hi < 0 || lo < 0) {
			r = fail(c, "invalid key for \"%s\": expected hex digits after 0x",
				 alg->name);
			goto out;
		}
		buf[n++] = (uint8_t)(hi << 4 | lo);
	}
	*out = secret_new(buf, n);
	r = *out ? 0 : ERR_NOMEM;
	if (r)
		fail(c, "out of memory");
out:
	secret_wipe(buf, sizeof(buf));
	return r;
}

static int alg_name_arg(struct cur *c, const char *kw, enum xfrm_alg_kind kind,
			const struct xfrm_alg **alg)
{
	const char *s;
	const struct xfrm_alg *other;
	int r;

	if ((r = value(c, kw, &s)))
		return r;
	*alg = xfrm_alg_find(kind, s);
	if (*alg)
		return 0;
	other = xfrm_alg_find_any(s);
	if (other)
		return fail(c, "algorithm \"%s\" goes with \"%s\", not \"%s\"", s,
			    xfrm_alg_kind_name(other->kind), kw);
	return fail(c, "unknown algorithm \"%s\" for \"%s\"", s, kw);
}

/* aead NAME KEY ICV | enc NAME KEY | auth NAME KEY | auth-trunc NAME KEY BITS */
static int alg_arg(struct cur *c, const char *kw, struct xfrm_state_spec *s)
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
		return fail(c, "duplicate \"%s\"", kind == XFRM_ALG_AUTH ? "auth" : kw);
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
	r = num_arg(c, ka->alg->name, kind == XFRM_ALG_AEAD ? "ICV length" : "truncation", 0, 65535,
		    &bits);
	if (!r && !xfrm_alg_icv_ok(ka->alg, (unsigned)bits)) {
		xfrm_alg_icvs_str(ka->alg, icvs, sizeof(icvs));
		r = fail(c, "%s for \"%s\" must be %s bits, got %llu",
			 kind == XFRM_ALG_AEAD ? "ICV length" : "truncation", ka->alg->name, icvs,
			 (unsigned long long)bits);
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

static int once(struct cur *c, unsigned *seen, unsigned bit, const char *kw)
{
	if (*seen & bit)
		return fail(c, "duplicate \"%s\"", kw);
	*seen |= bit;
	return 0;
}

enum {
	S_SRC = 1,
	S_DST = 2,
	S_PROTO = 4,
	S_SPI = 8,
	S_MODE = 16,
	S_REQID = 32,
	S_REPLAY = 64,
	S_ENCAP = 128,
	S_FLAG = 256,
};

static int spi_arg(struct cur *c, uint32_t *spi)
{
	uint64_t v;
	int r;

	/* The text is in argv[c->i]; num_arg reports it. */
	const char *s = peek(c);
	if ((r = num_arg(c, "spi", "SPI", 0, UINT32_MAX, &v)))
		return r;
	if (v < 256)
		return fail(c, "invalid SPI \"%s\": 0-255 are reserved (RFC 4303 §2.1)", s);
	*spi = (uint32_t)v;
	return 0;
}

static int encap_arg(struct cur *c, struct xfrm_state_spec *s)
{
	const char *t;
	uint64_t v;
	int r;

	if ((r = value(c, "encap", &t)))
		return r;
	if (strcmp(t, "espinudp") != 0)
		return fail(c, "invalid encap type \"%s\": expected espinudp (RFC 3948)", t);
	if ((r = num_arg(c, "encap", "encap source port", 1, 65535, &v)))
		return r;
	s->encap_sport = (uint16_t)v;
	if ((r = num_arg(c, "encap", "encap destination port", 1, 65535, &v)))
		return r;
	s->encap_dport = (uint16_t)v;
	if ((r = addr_arg(c, "encap", &s->encap_oa)))
		return r;
	s->encap = true;
	return 0;
}

/* limit { time-soft | time-hard | byte-soft | byte-hard | packet-soft | packet-hard } N ...
 * (one or more pairs after one "limit", as iproute2 reads them). */
static int limit_arg(struct cur *c, struct xfrm_lifetime *l)
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
		const char *kw = peek(c);
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
				return fail(c,
					    "limit \"%s\" is not supported: use time-soft or "
					    "time-hard",
					    kw);
			if (!kw)
				return fail(c, "missing value for \"limit\"");
			return fail(c,
				    "invalid limit \"%s\": expected time-soft, time-hard, "
				    "byte-soft, byte-hard, packet-soft or packet-hard",
				    kw);
		}
		next(c);
		if ((r = num_arg(c, names[k].name, names[k].name, 0, UINT64_MAX, &v)))
			return r;
		memcpy((uint8_t *)l + names[k].off, &v, sizeof(v));
		n++;
	}
}

/* Soft limits must come before the hard ones. */
static int limit_check(struct cur *c, const struct xfrm_lifetime *l)
{
	if (l->time_soft && l->time_hard && l->time_soft > l->time_hard)
		return fail(c, "limit time-soft (%llu) is larger than time-hard (%llu)",
			    (unsigned long long)l->time_soft, (unsigned long long)l->time_hard);
	if (l->byte_soft && l->byte_hard && l->byte_soft > l->byte_hard)
		return fail(c, "limit byte-soft (%llu) is larger than byte-hard (%llu)",
			    (unsigned long long)l->byte_soft, (unsigned long long)l->byte_hard);
	if (l->packet_soft && l->packet_hard && l->packet_soft > l->packet_hard)
		return fail(c, "limit packet-soft (%llu) is larger than packet-hard (%llu)",
			    (unsigned long long)l->packet_soft, (unsigned long long)l->packet_hard);
	return 0;
}

static int state_check_algs(struct cur *c, struct xfrm_state_spec *s)
{
	if (s->proto == IPPROTO_AH) {
		if (s->aead.alg || s->enc.alg)
			return fail(c, "proto ah takes only \"auth\" or \"auth-trunc\", not \"%s\"",
				    s->aead.alg ? "aead" : "enc");
		if (!s->auth.alg)
			return fail(c, "proto ah needs \"auth\" or \"auth-trunc\"");
		if (s->encap)
			return fail(c, "\"encap\" is only possible with proto esp");
		return 0;
	}
	if (s->aead.alg && (s->enc.alg || s->auth.alg))
		return fail(c, "\"aead\" cannot be combined with \"enc\" or \"auth\"");
	if (!s->aead.alg && !s->enc.alg)
		return fail(c,
			    "proto esp needs \"aead\", or \"enc\" with \"auth\" or \"auth-trunc\"");
	if (s->enc.alg && !s->auth.alg)
		return fail(c, "\"enc\" without \"auth\" or \"auth-trunc\" is not supported: ESP "
			       "needs integrity protection (RFC 8221 §5)");
	return 0;
}

static int state_args(struct cur *c, struct xfrm_state_spec *s, int add)
{
	unsigned seen = 0;
	const char *kw;
	uint64_t v;
	int r = 0;

	s->replay_window = 64;
	while (!r && (kw = next(c))) {
		if (strcmp(kw, "src") == 0) {
			if (!(r = once(c, &seen, S_SRC, kw)))
				r = addr_arg(c, kw, &s->src);
		} else if (strcmp(kw, "dst") == 0) {
			if (!(r = once(c, &seen, S_DST, kw)))
				r = addr_arg(c, kw, &s->dst);
		} else if (strcmp(kw, "proto") == 0) {
			if (!(r = once(c, &seen, S_PROTO, kw)))
				r = ipsec_proto_arg(c, kw, &s->proto);
		} else if (strcmp(kw, "spi") == 0) {
			if (!(r = once(c, &seen, S_SPI, kw)))
				r = spi_arg(c, &s->spi);
		} else if (!add) {
			r = fail(
			    c, "unexpected \"%s\" in \"state del\": expected src, dst, proto, spi",
			    kw);
		} else if (strcmp(kw, "mode") == 0) {
			if (!(r = once(c, &seen, S_MODE, kw)))
				r = mode_arg(c, &s->mode);
		} else if (strcmp(kw, "reqid") == 0) {
			if (!(r = once(c, &seen, S_REQID, kw)) &&
			    !(r = num_arg(c, kw, "reqid", 0, UINT32_MAX, &v)))
				s->reqid = (uint32_t)v;
		} else if (strcmp(kw, "replay-window") == 0) {
			if (!(r = once(c, &seen, S_REPLAY, kw)) &&
			    !(r = num_arg(c, kw, "replay-window", 0, XFRM_REPLAY_WINDOW_MAX, &v)))
				s->replay_window = (uint32_t)v;
		} else if (strcmp(kw, "flag") == 0) {
			const char *f;
			if (!(r = value(c, kw, &f))) {
				if (strcmp(f, "esn") == 0)
					s->esn = true;
				else
					r = fail(c, "unknown flag \"%s\": only esn is supported",
						 f);
			}
		} else if (strcmp(kw, "encap") == 0) {
			if (!(r = once(c, &seen, S_ENCAP, kw)))
				r = encap_arg(c, s);
		} else if (strcmp(kw, "limit") == 0) {
			r = limit_arg(c, &s->lft);
		} else if (strcmp(kw, "aead") == 0 || strcmp(kw, "enc") == 0 ||
			   strcmp(kw, "auth") == 0 || strcmp(kw, "auth-trunc") == 0) {
			r = alg_arg(c, kw, s);
		} else {
			r = fail(c, "unknown argument \"%s\"", kw);
		}
	}
	if (r)
		return r;
	if (!(seen & S_SRC))
		return fail(c, "missing \"src\"");
	if (!(seen & S_DST))
		return fail(c, "missing \"dst\"");
	if (s->src.family != s->dst.family)
		return fail(c, "\"src\" and \"dst\" must be of the same address family");
	if (!(seen & S_PROTO))
		return fail(c, "missing \"proto\"");
	if (!(seen & S_SPI))
		return fail(c, "missing \"spi\"");
	if (!add)
		return 0;
	if ((r = limit_check(c, &s->lft)))
		return r;
	return state_check_algs(c, s);
}

static int l4_proto_arg(struct cur *c, uint8_t *proto)
{
	static const struct {
		const char *name;
		uint8_t num;
	} names[] = {
	    {"any", 0},
	    {"tcp", IPPROTO_TCP},
	    {"udp", IPPROTO_UDP},
	    {"icmp", IPPROTO_ICMP},
	    {"ipv6-icmp", IPPROTO_ICMPV6},
	    {"icmpv6", IPPROTO_ICMPV6},
	    {"sctp", IPPROTO_SCTP},
	    {"gre", IPPROTO_GRE},
	};
	const char *s;
	uint64_t v;
	int r;

	if ((r = value(c, "proto", &s)))
		return r;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(s, names[i].name) == 0) {
			*proto = names[i].num;
			return 0;
		}
	}
	if (parse_num(s, 255, &v))
		return fail(c,
			    "invalid proto \"%s\": expected tcp, udp, icmp, ipv6-icmp, sctp, "
			    "any or a number 0-255",
			    s);
	*proto = (uint8_t)v;
	return 0;
}

static int tmpl_args(struct cur *c, struct xfrm_tmpl *t)
{
	unsigned seen = 0;
	const char *kw;
	uint64_t v;
	int r = 0;

	t->present = true;
	while (!r && (kw = next(c))) {
		if (strcmp(kw, "src") == 0) {
			if (!(r = once(c, &seen, S_SRC, kw)))
				r = addr_arg(c, "tmpl src", &t->src);
		} else if (strcmp(kw, "dst") == 0) {
			if (!(r = once(c, &seen, S_DST, kw)))
				r = addr_arg(c, "tmpl dst", &t->dst);
		} else if (strcmp(kw, "proto") == 0) {
			if (!(r = once(c, &seen, S_PROTO, kw)))
				r = ipsec_proto_arg(c, kw, &t->proto);
		} else if (strcmp(kw, "mode") == 0) {
			if (!(r = once(c, &seen, S_MODE, kw)))
				r = mode_arg(c, &t->mode);
		} else if (strcmp(kw, "reqid") == 0) {
			if (!(r = once(c, &seen, S_REQID, kw)) &&
			    !(r = num_arg(c, kw, "reqid", 0, UINT32_MAX, &v)))
				t->reqid = (uint32_t)v;
		} else {
			r = fail(c, "unknown argument \"%s\" in \"tmpl\"", kw);
		}
	}
	if (r)
		return r;
	if (!(seen & S_PROTO))
		return fail(c, "tmpl: missing \"proto\"");
	if ((seen & (S_SRC | S_DST)) && (seen & (S_SRC | S_DST)) != (S_SRC | S_DST))
		return fail(c, "tmpl: \"src\" and \"dst\" go together");
	t->has_addrs = (seen & S_SRC) != 0;
	if (t->mode == XFRM_MODE_TUNNEL && !t->has_addrs)
		return fail(c, "tmpl: mode tunnel needs \"src\" and \"dst\"");
	if (t->has_addrs && t->src.family != t->dst.family)
		return fail(c, "tmpl: \"src\" and \"dst\" must be of the same address family");
	return 0;
}

enum {
	P_SPORT = 512,
	P_DPORT = 1024,
	P_DIR = 2048,
	P_ACTION = 4096,
	P_PRIO = 8192,
};

static int policy_args(struct cur *c, struct xfrm_policy_spec *p, int add)
{
	unsigned seen = 0;
	const char *kw, *s;
	uint64_t v;
	int r = 0;

	while (!r && (kw = next(c))) {
		if (strcmp(kw, "src") == 0) {
			if (!(r = once(c, &seen, S_SRC, kw)))
				r = prefix_arg(c, kw, &p->src);
		} else if (strcmp(kw, "dst") == 0) {
			if (!(r = once(c, &seen, S_DST, kw)))
				r = prefix_arg(c, kw, &p->dst);
		} else if (strcmp(kw, "proto") == 0) {
			if (!(r = once(c, &seen, S_PROTO, kw)))
				r = l4_proto_arg(c, &p->proto);
		} else if (strcmp(kw, "sport") == 0 || strcmp(kw, "dport") == 0) {
			int is_s = kw[0] == 's';
			if (!(r = once(c, &seen, is_s ? P_SPORT : P_DPORT, kw)) &&
			    !(r = num_arg(c, kw, is_s ? "sport" : "dport", 1, 65535, &v))) {
				if (is_s)
					p->sport = (uint16_t)v;
				else
					p->dport = (uint16_t)v;
			}
		} else if (strcmp(kw, "dir") == 0) {
			if (!(r = once(c, &seen, P_DIR, kw)) && !(r = value(c, kw, &s))) {
				if (strcmp(s, "in") == 0)
					p->dir = XFRM_DIR_IN;
				else if (strcmp(s, "out") == 0)
					p->dir = XFRM_DIR_OUT;
				else if (strcmp(s, "fwd") == 0)
					p->dir = XFRM_DIR_FWD;
				else
					r = fail(c, "invalid dir \"%s\": expected in, out or fwd",
						 s);
			}
		} else if (!add) {
			r = fail(c,
				 "unexpected \"%s\" in \"policy del\": expected src, dst, proto, "
				 "sport, dport, dir",
				 kw);
		} else if (strcmp(kw, "action") == 0) {
			if (!(r = once(c, &seen, P_ACTION, kw)) && !(r = value(c, kw, &s))) {
				if (strcmp(s, "allow") == 0)
					p->action = XFRM_ACTION_ALLOW;
				else if (strcmp(s, "block") == 0)
					p->action = XFRM_ACTION_BLOCK;
				else
					r = fail(
					    c, "invalid action \"%s\": expected allow or block", s);
			}
		} else if (strcmp(kw, "priority") == 0) {
			if (!(r = once(c, &seen, P_PRIO, kw)) &&
			    !(r = num_arg(c, kw, "priority", 0, UINT32_MAX, &v)))
				p->priority = (uint32_t)v;
		} else if (strcmp(kw, "tmpl") == 0) {
			r = tmpl_args(c, &p->tmpl);
		} else {
			r = fail(c, "unknown argument \"%s\"", kw);
		}
	}
	if (r)
		return r;
	if (!(seen & S_SRC))
		return fail(c, "missing \"src\"");
	if (!(seen & S_DST))
		return fail(c, "missing \"dst\"");
	if (p->src.addr.family != p->dst.addr.family)
		return fail(c, "\"src\" and \"dst\" must be of the same address family");
	if ((seen & (P_SPORT | P_DPORT)) && p->proto != IPPROTO_TCP && p->proto != IPPROTO_UDP &&
	    p->proto != IPPROTO_SCTP)
		return fail(c, "\"%s\" needs proto tcp, udp or sctp",
			    (seen & P_SPORT) ? "sport" : "dport");
	if (!(seen & P_DIR))
		return fail(c, "missing \"dir\"");
	if (p->tmpl.present && p->action == XFRM_ACTION_BLOCK)
		return fail(c, "a policy with action block cannot have a \"tmpl\"");
	return 0;
}

static int no_more(struct cur *c, const char *what)
{
	const char *s = peek(c);
	if (s)
		return fail(c, "unexpected argument \"%s\" after \"%s\"", s, what);
	return 0;
}

int xfrm_args_parse(int argc, const char *const *argv, struct xfrm_cmd *cmd, char *err,
		    size_t err_size)
{
	struct cur c = {argc, argv, 0, err, err_size};
	struct xfrm_cmd tmp;
	const char *obj, *verb;
	int r;

	memset(&tmp, 0, sizeof(tmp));
	if (err && err_size)
		err[0] = '\0';
	if (argc > XFRM_ARGS_MAX) {
		r = fail(&c, "too many arguments (at most %d)", XFRM_ARGS_MAX);
		goto out;
	}
	obj = next(&c);
	if (!obj) {
		r = fail(&c, "expected \"state\" or \"policy\"");
		goto out;
	}
	if (strcmp(obj, "state") != 0 && strcmp(obj, "policy") != 0) {
		r = fail(&c, "unknown object \"%s\": expected \"state\" or \"policy\"", obj);
		goto out;
	}
	int is_state = obj[0] == 's';
	verb = next(&c);
	if (!verb) {
		r = fail(&c, "expected add, del, list or flush after \"%s\"", obj);
		goto out;
	}
	if (strcmp(verb, "add") == 0) {
		tmp.op = is_state ? XFRM_STATE_ADD : XFRM_POLICY_ADD;
		r = is_state ? state_args(&c, &tmp.state, 1) : policy_args(&c, &tmp.policy, 1);
	} else if (strcmp(verb, "del") == 0 || strcmp(verb, "delete") == 0) {
		tmp.op = is_state ? XFRM_STATE_DEL : XFRM_POLICY_DEL;
		r = is_state ? state_args(&c, &tmp.state, 0) : policy_args(&c, &tmp.policy, 0);
	} else if (strcmp(verb, "list") == 0 || strcmp(verb, "show") == 0) {
		tmp.op = is_state ? XFRM_STATE_LIST : XFRM_POLICY_LIST;
		r = no_more(&c, verb);
	} else if (strcmp(verb, "flush") == 0) {
		tmp.op = is_state ? XFRM_STATE_FLUSH : XFRM_POLICY_FLUSH;
		r = no_more(&c, verb);
	} else {
		r = fail(&c, "unknown %s command \"%s\": expected add, del, list or flush", obj,
			 verb);
	}
out:
	if (r) {
		xfrm_cmd_cleanup(&tmp);
		return r;
	}
	*cmd = tmp;
	return 0;
}

void xfrm_state_spec_cleanup(struct xfrm_state_spec *s)
{
	secret_free(s->aead.key);
	secret_free(s->enc.key);
	secret_free(s->auth.key);
	s->aead.key = s->enc.key = s->auth.key = NULL;
}

void xfrm_cmd_cleanup(struct xfrm_cmd *cmd)
{
	if (!cmd)
		return;
	xfrm_state_spec_cleanup(&cmd->state);
	memset(cmd, 0, sizeof(*cmd));
}

void xfrm_state_spec_move(struct xfrm_state_spec *dst, struct xfrm_state_spec *src)
{
	*dst = *src;
	src->aead.key = src->enc.key = src->auth.key = NULL;
}

int xfrm_args_split(char *line, const char **words, int max)
{
	int n = 0;
	char *p = line;

	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (!*p)
			break;
		if (n == max)
			return ERR_LIMIT;
		words[n++] = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
			p++;
		if (*p)
			*p++ = '\0';
	}
	return n;
}

void xfrm_addr_str(const struct addr *a, char *out, size_t out_size)
{
	if (!a->family || !inet_ntop(a->family, a->bytes, out, (socklen_t)out_size))
		snprintf(out, out_size, "?");
}

void xfrm_prefix_str(const struct prefix *p, char *out, size_t out_size)
{
	char a[INET6_ADDRSTRLEN];

	xfrm_addr_str(&p->addr, a, sizeof(a));
	snprintf(out, out_size, "%s/%u", a, p->len);
}

const char *xfrm_proto_name(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_ESP:
		return "esp";
	case IPPROTO_AH:
		return "ah";
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	case IPPROTO_ICMP:
		return "icmp";
	case IPPROTO_ICMPV6:
		return "ipv6-icmp";
	case IPPROTO_SCTP:
		return "sctp";
	case IPPROTO_GRE:
		return "gre";
	}
	return NULL;
}
