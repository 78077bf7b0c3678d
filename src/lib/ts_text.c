#include "lib/ts_text.h"

#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "lib/err.h"

/* Longest selector text accepted (far beyond the longest valid one). */
#define TS_TEXT_MAX 256

/* Longest input echoed back in an error message. */
#define TS_ERR_ECHO 80

#define PROTO_ICMP   1
#define PROTO_ICMPV6 58

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

static const struct {
	const char *name;
	uint8_t proto;
} protos[] = {
    {"icmp", 1},  {"igmp", 2},	 {"ipencap", 4}, {"tcp", 6},	    {"udp", 17},    {"ipv6", 41},
    {"gre", 47},  {"esp", 50},	 {"ah", 51},	 {"ipv6-icmp", 58}, {"icmpv6", 58}, {"ospf", 89},
    {"pim", 103}, {"l2tp", 115}, {"sctp", 132},	 {"udplite", 136},
};

/* A few services by name so common configurations do not depend on /etc/services. */
static const struct {
	const char *name;
	uint16_t port;
} services[] = {
    {"ftp", 21},     {"ssh", 22},     {"telnet", 23}, {"smtp", 25},	     {"domain", 53},
    {"http", 80},    {"ntp", 123},    {"snmp", 161},  {"bgp", 179},	     {"https", 443},
    {"isakmp", 500}, {"syslog", 514}, {"l2tp", 1701}, {"ipsec-nat-t", 4500},
};

const char *ts_proto_name(uint8_t proto)
{
	for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		if (protos[i].proto == proto)
			return protos[i].name;
	return NULL;
}

/* Decimal number of at most max; no sign, no leading '+', at least one digit. */
static int parse_uint(const char *s, size_t n, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;

	if (!n)
		return ERR_INVAL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return ERR_INVAL;
		v = v * 10 + (unsigned long)(s[i] - '0');
		if (v > max)
			return ERR_INVAL;
	}
	*out = v;
	return 0;
}

int ts_proto_parse(const char *s, uint8_t *out)
{
	unsigned long v;
	struct protoent *pe;

	if (!*s || !strcasecmp(s, "any")) {
		*out = 0;
		return 0;
	}
	for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++) {
		if (!strcasecmp(s, protos[i].name)) {
			*out = protos[i].proto;
			return 0;
		}
	}
	if (!parse_uint(s, strlen(s), 255, &v)) {
		*out = (uint8_t)v;
		return 0;
	}
	pe = getprotobyname(s);
	if (pe && pe->p_proto >= 0 && pe->p_proto <= 255) {
		*out = (uint8_t)pe->p_proto;
		return 0;
	}
	return ERR_INVAL;
}

static int service_parse(const char *s, uint16_t *out)
{
	struct servent *se;

	for (size_t i = 0; i < sizeof(services) / sizeof(services[0]); i++) {
		if (!strcasecmp(s, services[i].name)) {
			*out = services[i].port;
			return 0;
		}
	}
	se = getservbyname(s, NULL);
	if (se) {
		*out = ntohs((uint16_t)se->s_port);
		return 0;
	}
	return ERR_INVAL;
}

/* One end of an ICMP port range: "T" (< 256, a type: any code), "N" (>= 256, type << 8 | code)
 * or "T/C". */
static int icmp_endpoint(const char *s, size_t n, bool is_end, uint16_t *out)
{
	const char *slash = memchr(s, '/', n);
	unsigned long type, code;

	if (slash) {
		if (parse_uint(s, (size_t)(slash - s), 255, &type) ||
		    parse_uint(slash + 1, n - (size_t)(slash - s) - 1, 255, &code))
			return ERR_INVAL;
		*out = (uint16_t)(type << 8 | code);
		return 0;
	}
	if (parse_uint(s, n, 65535, &type))
		return ERR_INVAL;
	if (type < 256)
		*out = (uint16_t)(type << 8 | (is_end ? 0xff : 0));
	else
		*out = (uint16_t)type;
	return 0;
}

static int parse_ports(const char *s, uint8_t proto, uint16_t *start, uint16_t *end)
{
	bool icmp = proto == PROTO_ICMP || proto == PROTO_ICMPV6;
	const char *dash;
	unsigned long lo, hi;
	uint16_t a, b;

	if (!*s || !strcasecmp(s, "any")) {
		*start = 0;
		*end = 65535;
		return 0;
	}
	if (!strcasecmp(s, "opaque")) {
		*start = TS_PORT_OPAQUE_START;
		*end = TS_PORT_OPAQUE_END;
		return 0;
	}
	dash = strchr(s, '-');
	if (icmp) {
		size_t n1 = dash ? (size_t)(dash - s) : strlen(s);

		if (icmp_endpoint(s, n1, false, &a))
			return ERR_INVAL;
		if (icmp_endpoint(dash ? dash + 1 : s, dash ? strlen(dash + 1) : n1, true, &b))
			return ERR_INVAL;
	} else if (dash) {
		if (parse_uint(s, (size_t)(dash - s), 65535, &lo) ||
		    parse_uint(dash + 1, strlen(dash + 1), 65535, &hi))
			return ERR_INVAL;
		a = (uint16_t)lo;
		b = (uint16_t)hi;
	} else if (!parse_uint(s, strlen(s), 65535, &lo)) {
		a = b = (uint16_t)lo;
	} else if (service_parse(s, &a)) {
		return ERR_INVAL;
	} else {
		b = a;
	}
	if (a > b)
		return ERR_INVAL;
	*start = a;
	*end = b;
	return 0;
}

static void trim(char *s)
{
	size_t n = strlen(s), i = 0;

	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	while (s[i] == ' ' || s[i] == '\t')
		i++;
	memmove(s, s + i, n - i + 1);
}

int ts_parse(const char *s, struct ts *out, bool *dynamic, char *err, size_t errlen)
{
	char buf[TS_TEXT_MAX];
	char *bracket, *host, *slash;
	const char *ports = "";
	uint8_t proto = 0;
	uint16_t sp = 0, ep = 65535;
	struct ts t;
	size_t n = strlen(s);
	int rc;

	if (n >= sizeof(buf)) {
		set_err(err, errlen, "traffic selector too long (%zu characters)", n);
		return ERR_INVAL;
	}
	memcpy(buf, s, n + 1);
	trim(buf);
	host = buf;
	bracket = strchr(buf, '[');
	if (bracket) {
		size_t blen = strlen(bracket);

		if (bracket[blen - 1] != ']') {
			set_err(err, errlen, "'%.*s': expected ']' at the end of the selector",
				TS_ERR_ECHO, s);
			return ERR_INVAL;
		}
		bracket[blen - 1] = '\0';
		*bracket++ = '\0';
		if (strchr(bracket, '[') || strchr(bracket, ']')) {
			set_err(err, errlen, "'%.*s': unbalanced brackets", TS_ERR_ECHO, s);
			return ERR_INVAL;
		}
		slash = strchr(bracket, '/');
		if (slash) {
			*slash = '\0';
			ports = slash + 1;
		}
		trim(bracket);
		if (ts_proto_parse(bracket, &proto)) {
			set_err(err, errlen, "'%.*s': unknown protocol '%s'", TS_ERR_ECHO, s,
				bracket);
			return ERR_INVAL;
		}
		if (parse_ports(ports, proto, &sp, &ep)) {
			set_err(err, errlen,
				"'%.*s': bad port '%s' (expected a number, a service name, "
				"a range 'LOW-HIGH', 'any' or 'opaque')",
				TS_ERR_ECHO, s, ports);
			return ERR_INVAL;
		}
		trim(host);
	}
	memset(&t, 0, sizeof(t));
	t.proto = proto;
	t.start_port = sp;
	t.end_port = ep;
	if (!strcmp(host, "dynamic") || !strcmp(host, "%dynamic")) {
		if (!dynamic) {
			set_err(err, errlen, "'%.*s': 'dynamic' is not allowed here", TS_ERR_ECHO,
				s);
			return ERR_INVAL;
		}
		*dynamic = true;
		*out = t;
		return 0;
	}
	if (!*host) {
		set_err(err, errlen, "'%.*s': expected a subnet, an address range or 'dynamic'",
			TS_ERR_ECHO, s);
		return ERR_INVAL;
	}
	if (strchr(host, '-') || strstr(host, "..")) {
		char *dash = strchr(host, '-');
		struct addr lo, hi;

		if (dash) {
			*dash = '\0';
		} else {
			dash = strstr(host, "..");
			*dash++ = '\0';
		}
		trim(host);
		trim(dash + 1);
		rc = addr_parse(host, &lo, err, errlen);
		if (!rc)
			rc = addr_parse(dash + 1, &hi, err, errlen);
		if (rc)
			return rc;
		if (lo.family != hi.family || addr_cmp(&lo, &hi) > 0) {
			set_err(err, errlen,
				"'%.*s': a range needs two addresses of one family, lowest first",
				TS_ERR_ECHO, s);
			return ERR_INVAL;
		}
		ts_from_range(&t, &lo, &hi, proto, sp, ep);
	} else {
		struct prefix p;

		rc = prefix_parse(host, &p, err, errlen);
		if (rc)
			return rc;
		ts_from_prefix(&t, &p, proto, sp, ep);
	}
	if (dynamic)
		*dynamic = false;
	*out = t;
	return 0;
}

int ts_parse_list(const char *s, struct ts_list *out, char *err, size_t errlen)
{
	struct ts_list l;
	char item[TS_TEXT_MAX];

	ts_list_init(&l);
	while (*s) {
		const char *comma = strchr(s, ',');
		size_t n = comma ? (size_t)(comma - s) : strlen(s);
		size_t lead = strspn(s, " \t");

		if (n >= sizeof(item)) {
			set_err(err, errlen, "traffic selector too long (%zu characters)", n);
			return ERR_INVAL;
		}
		memcpy(item, s, n);
		item[n] = '\0';
		if (lead >= n) {
			set_err(err, errlen, "empty traffic selector in list");
			return ERR_INVAL;
		}
		if (l.n == TS_LIST_MAX) {
			set_err(err, errlen, "more than %d traffic selectors in list", TS_LIST_MAX);
			return ERR_LIMIT;
		}
		if (ts_parse(item, &l.ts[l.n], NULL, err, errlen))
			return ERR_INVAL;
		l.n++;
		s += n;
		if (*s == ',') {
			s++;
			if (!*s) {
				set_err(err, errlen, "empty traffic selector in list");
				return ERR_INVAL;
			}
		}
	}
	if (!l.n) {
		set_err(err, errlen, "empty traffic selector list");
		return ERR_INVAL;
	}
	*out = l;
	return 0;
}

/* Text of one end of an ICMP range; see icmp_endpoint for the inverse. */
static void icmp_end_str(uint16_t v, bool is_end, char *buf, size_t len)
{
	unsigned type = v >> 8, code = v & 0xff;

	if ((!is_end && code == 0) || (is_end && code == 0xff))
		snprintf(buf, len, "%u", type);
	else
		snprintf(buf, len, "%u/%u", type, code);
}

static void ports_str(const struct ts *t, char *buf, size_t len)
{
	char a[16], b[16];

	if (ts_ports_opaque(t->start_port, t->end_port)) {
		snprintf(buf, len, "opaque");
	} else if (t->proto == PROTO_ICMP || t->proto == PROTO_ICMPV6) {
		if (t->start_port == t->end_port) {
			snprintf(buf, len, "%u/%u", t->start_port >> 8, t->start_port & 0xff);
			return;
		}
		icmp_end_str(t->start_port, false, a, sizeof(a));
		icmp_end_str(t->end_port, true, b, sizeof(b));
		if ((t->start_port >> 8) == (t->end_port >> 8) && (t->start_port & 0xff) == 0 &&
		    (t->end_port & 0xff) == 0xff)
			snprintf(buf, len, "%s", a); /* one type, any code */
		else
			snprintf(buf, len, "%s-%s", a, b);
	} else if (t->start_port == t->end_port) {
		snprintf(buf, len, "%u", t->start_port);
	} else {
		snprintf(buf, len, "%u-%u", t->start_port, t->end_port);
	}
}

const char *ts_format(const struct ts *t, char *buf, size_t len)
{
	char host[2 * ADDR_STRLEN + 4], pp[48], ports[32], a[ADDR_STRLEN], b[ADDR_STRLEN];
	struct prefix p;

	if (!len)
		return buf;
	if (!t->type)
		snprintf(host, sizeof(host), "dynamic");
	else if (ts_to_prefix(t, &p))
		prefix_str(&p, host, sizeof(host));
	else
		snprintf(host, sizeof(host), "%s..%s", addr_str(&t->start, a, sizeof(a)),
			 addr_str(&t->end, b, sizeof(b)));
	pp[0] = '\0';
	if (t->proto || !ts_ports_any(t)) {
		const char *name = ts_proto_name(t->proto);
		char num[8];

		if (!t->proto)
			name = "any";
		if (!name) {
			snprintf(num, sizeof(num), "%u", t->proto);
			name = num;
		}
		if (ts_ports_any(t)) {
			snprintf(pp, sizeof(pp), "[%s]", name);
		} else {
			ports_str(t, ports, sizeof(ports));
			snprintf(pp, sizeof(pp), "[%s/%s]", name, ports);
		}
	}
	snprintf(buf, len, "%s%s", host, pp);
	return buf;
}
