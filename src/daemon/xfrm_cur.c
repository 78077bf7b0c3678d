#include "daemon/xfrm_cur.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lib/err.h"

int xfrm_cur_fail(struct xfrm_cur *c, const char *fmt, ...)
{
	va_list ap;

	if (c->err && c->err_size) {
		va_start(ap, fmt);
		vsnprintf(c->err, c->err_size, fmt, ap);
		va_end(ap);
	}
	return ERR_INVAL;
}

const char *xfrm_cur_peek(const struct xfrm_cur *c)
{
	return c->i < c->argc ? c->argv[c->i] : NULL;
}

const char *xfrm_cur_next(struct xfrm_cur *c)
{
	return c->i < c->argc ? c->argv[c->i++] : NULL;
}

/* The value that follows keyword `kw`, or an error. */
int xfrm_cur_value(struct xfrm_cur *c, const char *kw, const char **v)
{
	*v = xfrm_cur_next(c);
	if (!*v)
		return xfrm_cur_fail(c, "missing value for \"%s\"", kw);
	return 0;
}

/* Decimal or 0x-hex unsigned number up to max. */
int xfrm_cur_parse_num(const char *s, uint64_t max, uint64_t *out)
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

int xfrm_cur_num_arg(struct xfrm_cur *c, const char *kw, const char *what, uint64_t min,
		     uint64_t max, uint64_t *out)
{
	const char *s;
	uint64_t v;
	int r;

	if ((r = xfrm_cur_value(c, kw, &s)))
		return r;
	r = xfrm_cur_parse_num(s, max, &v);
	if (r == ERR_INVAL)
		return xfrm_cur_fail(c, "invalid %s \"%s\": expected a number", what, s);
	if (r || v < min)
		return xfrm_cur_fail(c, "invalid %s \"%s\": expected a number from %llu to %llu",
				     what, s, (unsigned long long)min, (unsigned long long)max);
	*out = v;
	return 0;
}

int xfrm_cur_parse_addr(const char *s, struct addr *a)
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

int xfrm_cur_addr_arg(struct xfrm_cur *c, const char *kw, struct addr *a)
{
	const char *s;
	int r;

	if ((r = xfrm_cur_value(c, kw, &s)))
		return r;
	if (xfrm_cur_parse_addr(s, a))
		return xfrm_cur_fail(
		    c, "invalid address \"%s\" for \"%s\": expected an IPv4 or IPv6 address", s,
		    kw);
	return 0;
}

int xfrm_cur_prefix_arg(struct xfrm_cur *c, const char *kw, struct prefix *p)
{
	char tmp[INET6_ADDRSTRLEN + 8];
	const char *s;
	char *slash;
	uint64_t len;
	int r;

	if ((r = xfrm_cur_value(c, kw, &s)))
		return r;
	if (strlen(s) >= sizeof(tmp))
		return xfrm_cur_fail(c, "invalid prefix \"%.64s...\" for \"%s\": too long", s, kw);
	strcpy(tmp, s);
	slash = strchr(tmp, '/');
	if (slash)
		*slash = '\0';
	if (xfrm_cur_parse_addr(tmp, &p->addr))
		return xfrm_cur_fail(
		    c, "invalid prefix \"%s\" for \"%s\": expected ADDRESS[/LENGTH]", s, kw);
	unsigned bits = p->addr.family == AF_INET ? 32 : 128;
	len = bits;
	if (slash && xfrm_cur_parse_num(slash + 1, bits, &len))
		return xfrm_cur_fail(c, "invalid prefix \"%s\" for \"%s\": length must be 0-%u", s,
				     kw, bits);
	p->len = (uint8_t)len;
	for (unsigned b = p->len; b < bits; b++) {
		if (p->addr.bytes[b / 8] & (0x80 >> (b % 8)))
			return xfrm_cur_fail(
			    c, "invalid prefix \"%s\" for \"%s\": host bits are set", s, kw);
	}
	return 0;
}

int xfrm_cur_ipsec_proto_arg(struct xfrm_cur *c, const char *kw, uint8_t *proto)
{
	const char *s;
	int r;

	if ((r = xfrm_cur_value(c, kw, &s)))
		return r;
	if (strcmp(s, "esp") == 0)
		*proto = IPPROTO_ESP;
	else if (strcmp(s, "ah") == 0)
		*proto = IPPROTO_AH;
	else
		return xfrm_cur_fail(c, "invalid proto \"%s\": expected esp or ah", s);
	return 0;
}

int xfrm_cur_mode_arg(struct xfrm_cur *c, enum xfrm_mode *mode)
{
	const char *s;
	int r;

	if ((r = xfrm_cur_value(c, "mode", &s)))
		return r;
	if (strcmp(s, "tunnel") == 0)
		*mode = XFRM_MODE_TUNNEL;
	else if (strcmp(s, "transport") == 0)
		*mode = XFRM_MODE_TRANSPORT;
	else
		return xfrm_cur_fail(c, "invalid mode \"%s\": expected tunnel or transport", s);
	return 0;
}

int xfrm_cur_once(struct xfrm_cur *c, unsigned *seen, unsigned bit, const char *kw)
{
	if (*seen & bit)
		return xfrm_cur_fail(c, "duplicate \"%s\"", kw);
	*seen |= bit;
	return 0;
}

int xfrm_cur_no_more(struct xfrm_cur *c, const char *what)
{
	const char *s = xfrm_cur_peek(c);
	if (s)
		return xfrm_cur_fail(c, "unexpected argument \"%s\" after \"%s\"", s, what);
	return 0;
}
