#include "lib/addr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lib/err.h"

/* Longest input echoed back in an error message. */
#define ADDR_ERR_ECHO 64

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

size_t addr_family_len(int family)
{
	switch (family) {
	case AF_INET:
		return 4;
	case AF_INET6:
		return 16;
	default:
		return 0;
	}
}

unsigned addr_family_bits(int family)
{
	return (unsigned)addr_family_len(family) * 8;
}

size_t addr_len(const struct addr *a)
{
	return addr_family_len(a->family);
}

int addr_from_bytes(struct addr *out, int family, const void *p, size_t len)
{
	size_t want = addr_family_len(family);

	if (!want || len != want)
		return ERR_INVAL;
	memset(out, 0, sizeof(*out));
	out->family = (uint8_t)family;
	memcpy(out->bytes, p, len);
	return 0;
}

int addr_zero(struct addr *out, int family)
{
	if (!addr_family_len(family))
		return ERR_INVAL;
	memset(out, 0, sizeof(*out));
	out->family = (uint8_t)family;
	return 0;
}

int addr_ones(struct addr *out, int family)
{
	size_t n = addr_family_len(family);

	if (!n)
		return ERR_INVAL;
	memset(out, 0, sizeof(*out));
	out->family = (uint8_t)family;
	memset(out->bytes, 0xff, n);
	return 0;
}

/* Explains why a string made of digits and dots is not an IPv4 address. */
static void explain_ipv4(const char *s, char *err, size_t errlen)
{
	unsigned parts = 0;
	const char *p = s;

	while (*p) {
		unsigned long v = 0;
		size_t digits = 0;

		while (*p >= '0' && *p <= '9') {
			if (v <= 255)
				v = v * 10 + (unsigned long)(*p - '0');
			digits++;
			p++;
		}
		parts++;
		if (!digits) {
			set_err(err, errlen, "'%.*s': empty octet %u in IPv4 address",
				ADDR_ERR_ECHO, s, parts);
			return;
		}
		if (v > 255) {
			set_err(err, errlen, "'%.*s': octet %u is greater than 255", ADDR_ERR_ECHO,
				s, parts);
			return;
		}
		if (digits > 1 && p[-(long)digits] == '0') {
			set_err(err, errlen, "'%.*s': octet %u has a leading zero", ADDR_ERR_ECHO,
				s, parts);
			return;
		}
		if (*p == '.')
			p++;
		if (!*p && p[-1] == '.') {
			set_err(err, errlen, "'%.*s': trailing '.' in IPv4 address", ADDR_ERR_ECHO,
				s);
			return;
		}
	}
	set_err(err, errlen, "'%.*s': an IPv4 address has 4 octets, not %u", ADDR_ERR_ECHO, s,
		parts);
}

int addr_parse(const char *s, struct addr *out, char *err, size_t errlen)
{
	struct addr a;

	memset(&a, 0, sizeof(a));
	if (!s || !*s) {
		set_err(err, errlen, "empty address");
		return ERR_INVAL;
	}
	if (strchr(s, ':')) {
		if (strchr(s, '%')) {
			set_err(err, errlen, "'%.*s': IPv6 scope ids ('%%...') are not supported",
				ADDR_ERR_ECHO, s);
			return ERR_INVAL;
		}
		if (inet_pton(AF_INET6, s, a.bytes) != 1) {
			set_err(err, errlen, "'%.*s': not a valid IPv6 address", ADDR_ERR_ECHO, s);
			return ERR_INVAL;
		}
		a.family = AF_INET6;
	} else {
		if (inet_pton(AF_INET, s, a.bytes) != 1) {
			if (strspn(s, "0123456789.") == strlen(s))
				explain_ipv4(s, err, errlen);
			else
				set_err(err, errlen, "'%.*s': not an IPv4 or IPv6 address",
					ADDR_ERR_ECHO, s);
			return ERR_INVAL;
		}
		a.family = AF_INET;
	}
	*out = a;
	return 0;
}

const char *addr_str(const struct addr *a, char *buf, size_t len)
{
	char tmp[ADDR_STRLEN];

	if (!len)
		return buf;
	if (!addr_len(a) || !inet_ntop(a->family, a->bytes, tmp, sizeof(tmp)))
		snprintf(buf, len, "(none)");
	else
		snprintf(buf, len, "%s", tmp);
	return buf;
}

int addr_cmp(const struct addr *a, const struct addr *b)
{
	int fa = a->family == AF_INET ? 1 : a->family == AF_INET6 ? 2 : 0;
	int fb = b->family == AF_INET ? 1 : b->family == AF_INET6 ? 2 : 0;

	if (fa != fb)
		return fa < fb ? -1 : 1;
	return memcmp(a->bytes, b->bytes, addr_len(a));
}

bool addr_equal(const struct addr *a, const struct addr *b)
{
	return addr_cmp(a, b) == 0;
}

bool addr_is_zero(const struct addr *a)
{
	for (size_t i = 0; i < addr_len(a); i++)
		if (a->bytes[i])
			return false;
	return true;
}

int addr_inc(struct addr *a)
{
	size_t n = addr_len(a);
	size_t i;

	if (!n)
		return ERR_INVAL;
	for (i = 0; i < n; i++)
		if (a->bytes[i] != 0xff)
			break;
	if (i == n)
		return ERR_LIMIT; /* all ones: would wrap */
	for (i = n; i-- > 0;) {
		if (++a->bytes[i] != 0)
			break;
	}
	return 0;
}

int addr_dec(struct addr *a)
{
	size_t n = addr_len(a);

	if (!n)
		return ERR_INVAL;
	if (addr_is_zero(a))
		return ERR_LIMIT;
	for (size_t i = n; i-- > 0;) {
		if (a->bytes[i]-- != 0)
			break;
	}
	return 0;
}

int addr_to_sockaddr(const struct addr *a, uint16_t port, struct sockaddr_storage *ss,
		     socklen_t *sslen)
{
	if (a->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		memset(ss, 0, sizeof(*ss));
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		memcpy(&sin->sin_addr, a->bytes, 4);
		*sslen = sizeof(*sin);
		return 0;
	}
	if (a->family == AF_INET6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		memset(ss, 0, sizeof(*ss));
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		memcpy(&sin6->sin6_addr, a->bytes, 16);
		*sslen = sizeof(*sin6);
		return 0;
	}
	return ERR_INVAL;
}

int addr_from_sockaddr(const struct sockaddr *sa, socklen_t salen, struct addr *out, uint16_t *port)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;

	if (!sa || salen < (socklen_t)sizeof(sa_family_t))
		return ERR_INVAL;
	if (sa->sa_family == AF_INET) {
		if (salen < (socklen_t)sizeof(sin))
			return ERR_INVAL;
		memcpy(&sin, sa, sizeof(sin));
		addr_from_bytes(out, AF_INET, &sin.sin_addr, 4);
		if (port)
			*port = ntohs(sin.sin_port);
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		if (salen < (socklen_t)sizeof(sin6))
			return ERR_INVAL;
		memcpy(&sin6, sa, sizeof(sin6));
		addr_from_bytes(out, AF_INET6, &sin6.sin6_addr, 16);
		if (port)
			*port = ntohs(sin6.sin6_port);
		return 0;
	}
	return ERR_INVAL;
}

/* Clears (ones = false) or sets (ones = true) every bit after the first len bits. */
static void fill_host_bits(struct addr *a, unsigned len, bool ones)
{
	size_t n = addr_len(a);

	for (size_t i = 0; i < n; i++) {
		unsigned bit0 = (unsigned)i * 8;
		uint8_t host;

		if (len >= bit0 + 8)
			continue;
		host = len <= bit0 ? 0xff : (uint8_t)(0xff >> (len - bit0));
		if (ones)
			a->bytes[i] |= host;
		else
			a->bytes[i] &= (uint8_t)~host;
	}
}

int prefix_make(struct prefix *out, const struct addr *a, unsigned len)
{
	struct prefix p;
	unsigned bits = addr_family_bits(a->family);

	if (!bits || len > bits)
		return ERR_INVAL;
	p.addr = *a;
	p.len = (uint8_t)len;
	fill_host_bits(&p.addr, len, false);
	*out = p;
	return 0;
}

int prefix_parse(const char *s, struct prefix *out, char *err, size_t errlen)
{
	char host[ADDR_STRLEN + 1];
	const char *slash;
	struct addr a;
	unsigned long len;
	size_t hlen;
	int rc;

	if (!s || !*s) {
		set_err(err, errlen, "empty prefix");
		return ERR_INVAL;
	}
	slash = strchr(s, '/');
	hlen = slash ? (size_t)(slash - s) : strlen(s);
	if (hlen >= sizeof(host)) {
		set_err(err, errlen, "'%.*s': address too long", ADDR_ERR_ECHO, s);
		return ERR_INVAL;
	}
	memcpy(host, s, hlen);
	host[hlen] = '\0';
	rc = addr_parse(host, &a, err, errlen);
	if (rc)
		return rc;
	len = addr_family_bits(a.family);
	if (slash) {
		const char *p = slash + 1;
		unsigned long v = 0;

		if (!*p) {
			set_err(err, errlen, "'%.*s': missing prefix length after '/'",
				ADDR_ERR_ECHO, s);
			return ERR_INVAL;
		}
		for (; *p; p++) {
			if (*p < '0' || *p > '9') {
				set_err(err, errlen, "'%.*s': prefix length is not a number",
					ADDR_ERR_ECHO, s);
				return ERR_INVAL;
			}
			if (v <= 1000)
				v = v * 10 + (unsigned long)(*p - '0');
		}
		if (v > len) {
			set_err(err, errlen, "'%.*s': prefix length %lu exceeds %lu for %s",
				ADDR_ERR_ECHO, s, v, len, a.family == AF_INET ? "IPv4" : "IPv6");
			return ERR_INVAL;
		}
		len = v;
	}
	return prefix_make(out, &a, (unsigned)len);
}

const char *prefix_str(const struct prefix *p, char *buf, size_t len)
{
	char tmp[ADDR_STRLEN];

	if (len)
		snprintf(buf, len, "%s/%u", addr_str(&p->addr, tmp, sizeof(tmp)), p->len);
	return buf;
}

bool prefix_contains(const struct prefix *p, const struct addr *a)
{
	struct addr masked = *a;

	if (a->family != p->addr.family || !addr_len(a))
		return false;
	fill_host_bits(&masked, p->len, false);
	return addr_equal(&masked, &p->addr);
}

bool prefix_contains_prefix(const struct prefix *outer, const struct prefix *inner)
{
	return inner->len >= outer->len && prefix_contains(outer, &inner->addr);
}

void prefix_first(const struct prefix *p, struct addr *out)
{
	*out = p->addr;
	fill_host_bits(out, p->len, false);
}

void prefix_last(const struct prefix *p, struct addr *out)
{
	*out = p->addr;
	fill_host_bits(out, p->len, true);
}

int prefix_from_range(const struct addr *first, const struct addr *last, struct prefix *out)
{
	unsigned bits = addr_family_bits(first->family), len = 0;
	struct prefix p;
	struct addr end;

	if (!bits || first->family != last->family || addr_cmp(first, last) > 0)
		return ERR_INVAL;
	/* The longest common leading run decides the only candidate length: a prefix's first
	 * and last addresses agree above its length and differ in the bit just below. */
	while (len < bits && first->bytes[len / 8] == last->bytes[len / 8])
		len += 8;
	while (len < bits && !((first->bytes[len / 8] ^ last->bytes[len / 8]) & (0x80u >> len % 8)))
		len++;
	prefix_make(&p, first, len);
	if (!addr_equal(&p.addr, first))
		return ERR_INVAL; /* first has host bits set at this length */
	prefix_last(&p, &end);
	if (!addr_equal(&end, last))
		return ERR_INVAL;
	*out = p;
	return 0;
}

int addr_range_parse(const char *s, struct addr_range *out, char *err, size_t errlen)
{
	char lo[ADDR_STRLEN + 8], hi[ADDR_STRLEN + 8];
	struct addr_range r;
	const char *dash;
	struct prefix p;
	size_t n;
	int rc;

	if (!s || !*s) {
		set_err(err, errlen, "empty address range");
		return ERR_INVAL;
	}
	dash = strchr(s, '-');
	if (!dash) {
		rc = prefix_parse(s, &p, err, errlen);
		if (rc)
			return rc;
		prefix_first(&p, &r.first);
		prefix_last(&p, &r.last);
		*out = r;
		return 0;
	}
	n = (size_t)(dash - s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n >= sizeof(lo)) {
		set_err(err, errlen, "'%.*s': address too long", ADDR_ERR_ECHO, s);
		return ERR_INVAL;
	}
	memcpy(lo, s, n);
	lo[n] = '\0';
	s = dash + 1;
	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	if (n >= sizeof(hi)) {
		set_err(err, errlen, "'%.*s': address too long", ADDR_ERR_ECHO, s);
		return ERR_INVAL;
	}
	memcpy(hi, s, n + 1);
	rc = addr_parse(lo, &r.first, err, errlen);
	if (!rc)
		rc = addr_parse(hi, &r.last, err, errlen);
	if (rc)
		return rc;
	if (r.first.family != r.last.family) {
		set_err(err, errlen, "'%s-%s': the range mixes IPv4 and IPv6", lo, hi);
		return ERR_INVAL;
	}
	if (addr_cmp(&r.first, &r.last) > 0) {
		set_err(err, errlen, "'%s-%s': the first address is above the last", lo, hi);
		return ERR_INVAL;
	}
	*out = r;
	return 0;
}

const char *addr_range_str(const struct addr_range *r, char *buf, size_t len)
{
	char a[ADDR_STRLEN], b[ADDR_STRLEN];
	struct prefix p;

	if (!len)
		return buf;
	if (addr_equal(&r->first, &r->last))
		snprintf(buf, len, "%s", addr_str(&r->first, a, sizeof(a)));
	else if (!prefix_from_range(&r->first, &r->last, &p))
		prefix_str(&p, buf, len);
	else
		snprintf(buf, len, "%s-%s", addr_str(&r->first, a, sizeof(a)),
			 addr_str(&r->last, b, sizeof(b)));
	return buf;
}

bool addr_range_contains(const struct addr_range *r, const struct addr *a)
{
	return a->family == r->first.family && addr_len(a) && addr_cmp(&r->first, a) <= 0 &&
	       addr_cmp(a, &r->last) <= 0;
}

uint64_t addr_range_size(const struct addr_range *r)
{
	size_t n = addr_len(&r->first);
	uint64_t hi = 0, lo = 0;
	int borrow = 0;

	/* last - first over the whole width; anything above 64 bits saturates */
	for (size_t i = n; i-- > 0;) {
		int d = (int)r->last.bytes[i] - (int)r->first.bytes[i] - borrow;

		borrow = d < 0;
		if (d < 0)
			d += 256;
		if (n - 1 - i < 8)
			lo |= (uint64_t)d << (8 * (n - 1 - i));
		else if (d)
			hi = 1;
	}
	if (hi || lo == UINT64_MAX)
		return UINT64_MAX;
	return lo + 1;
}
