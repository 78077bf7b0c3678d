/* Traffic selectors: strongSwan syntax parse/format round trips, rejected inputs, containment
 * (ICMP type/code ports, OPAQUE), packet matching, intersection and RFC 7296 §2.9 narrowing. */
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "lib/err.h"
#include "lib/ts.h"
#include "support/test.h"

static const struct {
	int line;
	const char *in;
	int err;
	const char *out; /* ts_format of the result, or the error substring */
	int dynamic;
	uint8_t proto;
	uint16_t sport, eport;
} parses[] = {
    {__LINE__, "10.1.0.0/16", 0, "10.1.0.0/16", 0, 0, 0, 65535},
    {__LINE__, "10.1.0.0/16[tcp/80]", 0, "10.1.0.0/16[tcp/80]", 0, 6, 80, 80},
    {__LINE__, "0.0.0.0/0[udp]", 0, "0.0.0.0/0[udp]", 0, 17, 0, 65535},
    {__LINE__, "10.1.0.0/16[tcp/1024-65535]", 0, "10.1.0.0/16[tcp/1024-65535]", 0, 6, 1024, 65535},
    {__LINE__, "10.1.0.0/16[6/http]", 0, "10.1.0.0/16[tcp/80]", 0, 6, 80, 80},
    {__LINE__, "10.1.0.0/16[TCP/https]", 0, "10.1.0.0/16[tcp/443]", 0, 6, 443, 443},
    {__LINE__, "10.1.0.0/16[udp/isakmp]", 0, "10.1.0.0/16[udp/500]", 0, 17, 500, 500},
    {__LINE__, "10.1.0.0/16[tcp/any]", 0, "10.1.0.0/16[tcp]", 0, 6, 0, 65535},
    {__LINE__, "10.0.0.0/8[tcp/opaque]", 0, "10.0.0.0/8[tcp/opaque]", 0, 6, 65535, 0},
    {__LINE__, "10.0.0.0/8[any]", 0, "10.0.0.0/8", 0, 0, 0, 65535},
    {__LINE__, "10.0.0.0/8[/80]", 0, "10.0.0.0/8[any/80]", 0, 0, 80, 80},
    {__LINE__, "10.0.0.0/8[any/80]", 0, "10.0.0.0/8[any/80]", 0, 0, 80, 80},
    {__LINE__, "10.0.0.0/8[132]", 0, "10.0.0.0/8[sctp]", 0, 132, 0, 65535},
    {__LINE__, "10.0.0.0/8[253]", 0, "10.0.0.0/8[253]", 0, 253, 0, 65535},
    {__LINE__, "10.0.0.0/8[0]", 0, "10.0.0.0/8", 0, 0, 0, 65535},
    {__LINE__, " 10.0.0.0/8 [ tcp/22] ", 0, "10.0.0.0/8[tcp/22]", 0, 6, 22, 22},
    {__LINE__, "10.1.2.3", 0, "10.1.2.3/32", 0, 0, 0, 65535},
    {__LINE__, "10.1.2.3/24", 0, "10.1.2.0/24", 0, 0, 0, 65535},
    {__LINE__, "fec1::/64", 0, "fec1::/64", 0, 0, 0, 65535},
    {__LINE__, "::/0[ipv6-icmp]", 0, "::/0[ipv6-icmp]", 0, 58, 0, 65535},
    /* ICMP: N < 256 is a type (any code), N >= 256 is type << 8 | code, T/C explicit */
    {__LINE__, "fec1::/64[ipv6-icmp/135]", 0, "fec1::/64[ipv6-icmp/135]", 0, 58, 0x8700, 0x87ff},
    {__LINE__, "10.0.0.1[icmp/8]", 0, "10.0.0.1/32[icmp/8]", 0, 1, 0x0800, 0x08ff},
    {__LINE__, "10.0.0.1[icmp/2048]", 0, "10.0.0.1/32[icmp/8/0]", 0, 1, 0x0800, 0x0800},
    {__LINE__, "10.0.0.1[icmp/3/1]", 0, "10.0.0.1/32[icmp/3/1]", 0, 1, 0x0301, 0x0301},
    {__LINE__, "10.0.0.1[icmp/0/3]", 0, "10.0.0.1/32[icmp/0/3]", 0, 1, 0x0003, 0x0003},
    {__LINE__, "10.0.0.1[icmp/3-4]", 0, "10.0.0.1/32[icmp/3-4]", 0, 1, 0x0300, 0x04ff},
    {__LINE__, "10.0.0.1[icmp/3/2-4/1]", 0, "10.0.0.1/32[icmp/3/2-4/1]", 0, 1, 0x0302, 0x0401},
    {__LINE__, "10.0.0.1[icmp/0/1-0/9]", 0, "10.0.0.1/32[icmp/0/1-0/9]", 0, 1, 1, 9},
    {__LINE__, "10.0.0.1[icmp/opaque]", 0, "10.0.0.1/32[icmp/opaque]", 0, 1, 65535, 0},
    /* ranges */
    {__LINE__, "10.0.0.1-10.0.0.9", 0, "10.0.0.1..10.0.0.9", 0, 0, 0, 65535},
    {__LINE__, "10.0.0.1..10.0.0.9", 0, "10.0.0.1..10.0.0.9", 0, 0, 0, 65535},
    {__LINE__, "10.0.0.0-10.0.0.255", 0, "10.0.0.0/24", 0, 0, 0, 65535},
    {__LINE__, "10.0.0.5 - 10.0.0.5[udp]", 0, "10.0.0.5/32[udp]", 0, 17, 0, 65535},
    {__LINE__, "fec1::1-fec1::a", 0, "fec1::1..fec1::a", 0, 0, 0, 65535},
    /* dynamic */
    {__LINE__, "dynamic", 0, "dynamic", 1, 0, 0, 65535},
    {__LINE__, "%dynamic[tcp/443]", 0, "dynamic[tcp/443]", 1, 6, 443, 443},
    /* rejected */
    {__LINE__, "10.0.0.0/8[tcp/80", ERR_INVAL, "expected ']'", 0, 0, 0, 0},
    {__LINE__, "10.0.0.0/8[tcp]x", ERR_INVAL, "expected ']'", 0, 0, 0, 0},
    {__LINE__, "10.0.0.0/8[[tcp]]", ERR_INVAL, "unbalanced", 0, 0, 0, 0},
    {__LINE__, "10.0.0.0/8[bogus]", ERR_INVAL, "unknown protocol 'bogus'", 0, 0, 0, 0},
    {__LINE__, "10.0.0.0/8[256]", ERR_INVAL, "unknown protocol '256'", 0, 0, 0, 0},
    {__LINE__, "10.0.0.0/8[tcp/70000]", ERR_INVAL, "bad port '70000'", 0, 0, 0, 0},
    {__LINE__, "10.0.0.0/8[tcp/90-80]", ERR_INVAL, "bad port '90-80'", 0, 0, 0, 0},
    {__LINE__, "10.0.0.0/8[tcp/-80]", ERR_INVAL, "bad port", 0, 0, 0, 0},
    {__LINE__, "10.0.0.0/8[tcp/nosuchservice]", ERR_INVAL, "bad port", 0, 0, 0, 0},
    {__LINE__, "10.0.0.0/8[icmp/3/256]", ERR_INVAL, "bad port", 0, 0, 0, 0},
    {__LINE__, "10.0.0.0/8[icmp/9-8]", ERR_INVAL, "bad port", 0, 0, 0, 0},
    {__LINE__, "[icmp/8]", ERR_INVAL, "expected a subnet", 0, 0, 0, 0},
    {__LINE__, "", ERR_INVAL, "expected a subnet", 0, 0, 0, 0},
    {__LINE__, "10.0.0.9-10.0.0.1", ERR_INVAL, "lowest first", 0, 0, 0, 0},
    {__LINE__, "10.0.0.1-fec1::1", ERR_INVAL, "one family", 0, 0, 0, 0},
    {__LINE__, "10.0.0.1-", ERR_INVAL, "empty address", 0, 0, 0, 0},
    {__LINE__, "10.0.0.0/33[tcp]", ERR_INVAL, "prefix length 33 exceeds 32", 0, 0, 0, 0},
    {__LINE__, "10.0.0.256/24", ERR_INVAL, "greater than 255", 0, 0, 0, 0},
    {__LINE__, "dynamic-ish", ERR_INVAL, "'dynamic': not an IPv4 or IPv6", 0, 0, 0, 0},
};

static void test_parse_format(void)
{
	for (size_t i = 0; i < sizeof(parses) / sizeof(parses[0]); i++) {
		struct ts t, again;
		bool dyn = false, dyn2 = false;
		char buf[TS_STRLEN], err[160] = "";
		int line = parses[i].line;
		int rc = ts_parse(parses[i].in, &t, &dyn, err, sizeof(err));

		T_EQ_ROW(line, rc, parses[i].err);
		if (rc) {
			T_OK_ROW(line, strstr(err, parses[i].out) != NULL, "error '%s' lacks '%s'",
				 err, parses[i].out);
			continue;
		}
		T_EQ_ROW(line, dyn, parses[i].dynamic);
		T_EQ_ROW(line, t.proto, parses[i].proto);
		T_EQ_ROW(line, t.start_port, parses[i].sport);
		T_EQ_ROW(line, t.end_port, parses[i].eport);
		ts_format(&t, buf, sizeof(buf));
		T_OK_ROW(line, !strcmp(buf, parses[i].out), "'%s' formats as '%s'", parses[i].in,
			 buf);
		rc = ts_parse(buf, &again, &dyn2, NULL, 0);
		T_EQ_ROW(line, rc, 0);
		T_OK_ROW(line, !rc && ts_equal(&t, &again) && dyn == dyn2, "round trip of '%s'",
			 buf);
		if (!dyn)
			T_EQ_ROW(line, ts_check(&t), 0);
	}
}

static void test_dynamic(void)
{
	struct ts t;
	struct addr a;
	bool dyn;
	char buf[TS_STRLEN], err[128] = "";
	int rc;

	rc = ts_parse("dynamic[udp/4500]", &t, NULL, err, sizeof(err));
	T_EQ(rc, ERR_INVAL);
	T_OK(strstr(err, "not allowed") != NULL, "dynamic refused without flag: %s", err);
	T_EQ(ts_parse("dynamic[udp/4500]", &t, &dyn, NULL, 0), 0);
	T_EQ(ts_check(&t), ERR_INVAL); /* unresolved */
	addr_parse("192.0.2.7", &a, NULL, 0);
	T_EQ(ts_set_dynamic(&t, &a), 0);
	T_EQ(ts_check(&t), 0);
	T_OK(!strcmp(ts_format(&t, buf, sizeof(buf)), "192.0.2.7/32[udp/4500]"), "%s", buf);
}

static void test_list(void)
{
	struct ts_list l;
	char big[TS_LIST_MAX * 16 + 32], err[128] = "", buf[TS_STRLEN];
	int rc;

	rc = ts_parse_list("10.1.0.0/16, fec1::/64[tcp] ,192.168.0.1", &l, err, sizeof(err));
	T_EQ(rc, 0);
	T_EQ(l.n, 3);
	T_OK(!strcmp(ts_format(&l.ts[1], buf, sizeof(buf)), "fec1::/64[tcp]"), "%s", buf);
	T_EQ(l.ts[2].type, TS_IPV4_ADDR_RANGE);
	T_EQ(l.ts[1].type, TS_IPV6_ADDR_RANGE);

	static const struct {
		int line;
		const char *in;
		int err;
		const char *reason;
	} bad[] = {
	    {__LINE__, "10.0.0.0/8,,10.1.0.0/16", ERR_INVAL, "empty traffic selector"},
	    {__LINE__, "10.0.0.0/8,", ERR_INVAL, "empty traffic selector"},
	    {__LINE__, " , 10.0.0.0/8", ERR_INVAL, "empty traffic selector"},
	    {__LINE__, "", ERR_INVAL, "empty traffic selector list"},
	    {__LINE__, "10.0.0.0/8, dynamic", ERR_INVAL, "not allowed"},
	    {__LINE__, "10.0.0.0/8, 10.0.0.0/40", ERR_INVAL, "exceeds 32"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		l.n = 99;
		rc = ts_parse_list(bad[i].in, &l, err, sizeof(err));
		T_EQ_ROW(bad[i].line, rc, bad[i].err);
		T_OK_ROW(bad[i].line, strstr(err, bad[i].reason) != NULL, "'%s' lacks '%s'", err,
			 bad[i].reason);
		T_EQ_ROW(bad[i].line, l.n, 99); /* untouched on failure */
	}

	/* exactly TS_LIST_MAX entries are fine, one more is ERR_LIMIT */
	big[0] = '\0';
	for (int i = 0; i < TS_LIST_MAX; i++) {
		char one[24];
		snprintf(one, sizeof(one), "%s10.%d.0.0/16", i ? "," : "", i);
		strcat(big, one);
	}
	T_EQ(ts_parse_list(big, &l, NULL, 0), 0);
	T_EQ(l.n, TS_LIST_MAX);
	strcat(big, ",10.200.0.0/16");
	rc = ts_parse_list(big, &l, err, sizeof(err));
	T_EQ(rc, ERR_LIMIT);
	T_OK(strstr(err, "more than") != NULL, "%s", err);
}

static struct ts mk(int line, const char *s)
{
	struct ts t;
	char err[128] = "";

	memset(&t, 0, sizeof(t));
	T_OK_ROW(line, ts_parse(s, &t, NULL, err, sizeof(err)) == 0, "parse '%s': %s", s, err);
	return t;
}

static const struct {
	int line;
	const char *outer, *inner;
	int want;
} contains[] = {
    {__LINE__, "10.0.0.0/8", "10.1.0.0/16", 1},
    {__LINE__, "10.1.0.0/16", "10.0.0.0/8", 0},
    {__LINE__, "10.0.0.0/8", "10.0.0.0/8", 1},
    {__LINE__, "0.0.0.0/0", "255.255.255.255", 1},
    {__LINE__, "0.0.0.0/0", "::/128", 0},
    {__LINE__, "::/0", "fec1::1", 1},
    {__LINE__, "10.0.0.0/8", "10.1.0.0/16[tcp/80]", 1},
    {__LINE__, "10.0.0.0/8[tcp]", "10.1.0.0/16", 0},
    {__LINE__, "10.0.0.0/8[tcp]", "10.1.0.0/16[udp]", 0},
    {__LINE__, "10.0.0.0/8[tcp/1024-65535]", "10.1.0.0/16[tcp/8080]", 1},
    {__LINE__, "10.0.0.0/8[tcp/1024-65535]", "10.1.0.0/16[tcp/1000-2000]", 0},
    {__LINE__, "10.0.0.1-10.0.0.9", "10.0.0.2-10.0.0.9", 1},
    {__LINE__, "10.0.0.1-10.0.0.9", "10.0.0.0-10.0.0.9", 0},
    /* OPAQUE: ANY contains it, a port range does not, it contains only itself */
    {__LINE__, "10.0.0.0/8[tcp]", "10.0.0.0/8[tcp/opaque]", 1},
    {__LINE__, "10.0.0.0/8[tcp/0-65535]", "10.0.0.0/8[tcp/opaque]", 1},
    {__LINE__, "10.0.0.0/8[tcp/1-65535]", "10.0.0.0/8[tcp/opaque]", 0},
    {__LINE__, "10.0.0.0/8[tcp/opaque]", "10.0.0.0/8[tcp/80]", 0},
    {__LINE__, "10.0.0.0/8[tcp/opaque]", "10.0.0.0/8[tcp/opaque]", 1},
    {__LINE__, "10.0.0.0/8[tcp/opaque]", "10.0.0.0/8[tcp]", 0},
    /* ICMP type << 8 | code */
    {__LINE__, "10.0.0.0/8[icmp/8]", "10.0.0.0/8[icmp/8/0]", 1},
    {__LINE__, "10.0.0.0/8[icmp/8/0]", "10.0.0.0/8[icmp/8]", 0},
    {__LINE__, "10.0.0.0/8[icmp/8]", "10.0.0.0/8[icmp/0/8]", 0},
    {__LINE__, "10.0.0.0/8[icmp]", "10.0.0.0/8[icmp/3/13]", 1},
    {__LINE__, "10.0.0.0/8[icmp/3-5]", "10.0.0.0/8[icmp/4]", 1},
    {__LINE__, "10.0.0.0/8[icmp/3-5]", "10.0.0.0/8[icmp/5-6]", 0},
};

static void test_contains(void)
{
	for (size_t i = 0; i < sizeof(contains) / sizeof(contains[0]); i++) {
		int line = contains[i].line;
		struct ts o = mk(line, contains[i].outer), in = mk(line, contains[i].inner);
		struct ts r;
		int rc;

		T_EQ_ROW(line, ts_contains(&o, &in), contains[i].want);
		/* containment and intersection agree: inner ⊆ outer iff inner ∩ outer == inner */
		rc = ts_intersect(&o, &in, &r);
		T_EQ_ROW(line, !rc && ts_equal(&r, &in), contains[i].want);
	}
}

static const struct {
	int line;
	const char *ts, *addr;
	uint8_t proto;
	uint16_t port;
	int port_known, want;
} matches[] = {
    {__LINE__, "10.0.0.0/8", "10.9.9.9", 6, 80, 1, 1},
    {__LINE__, "10.0.0.0/8", "11.0.0.0", 6, 80, 1, 0},
    {__LINE__, "10.0.0.0/8", "::1", 6, 80, 1, 0},
    {__LINE__, "10.0.0.0/8[tcp/80]", "10.9.9.9", 6, 80, 1, 1},
    {__LINE__, "10.0.0.0/8[tcp/80]", "10.9.9.9", 17, 80, 1, 0},
    {__LINE__, "10.0.0.0/8[tcp/80]", "10.9.9.9", 6, 81, 1, 0},
    {__LINE__, "10.0.0.0/8[tcp/80]", "10.9.9.9", 6, 0, 0, 0}, /* fragment */
    {__LINE__, "10.0.0.0/8[tcp]", "10.9.9.9", 6, 0, 0, 1},
    {__LINE__, "10.0.0.0/8[tcp/opaque]", "10.9.9.9", 6, 0, 0, 1},
    {__LINE__, "10.0.0.0/8[tcp/opaque]", "10.9.9.9", 6, 80, 1, 0},
    {__LINE__, "10.0.0.0/8[icmp/8]", "10.9.9.9", 1, 0x0800, 1, 1},
    {__LINE__, "10.0.0.0/8[icmp/8]", "10.9.9.9", 1, 0x0000, 1, 0},
    {__LINE__, "fec1::1-fec1::9", "fec1::9", 58, 0x8000, 1, 1},
    {__LINE__, "fec1::1-fec1::9", "fec1::a", 58, 0x8000, 1, 0},
};

static void test_match(void)
{
	for (size_t i = 0; i < sizeof(matches) / sizeof(matches[0]); i++) {
		int line = matches[i].line;
		struct ts t = mk(line, matches[i].ts);
		struct addr a;

		T_EQ_ROW(line, addr_parse(matches[i].addr, &a, NULL, 0), 0);
		T_EQ_ROW(line,
			 ts_match(&t, &a, matches[i].proto, matches[i].port, matches[i].port_known),
			 matches[i].want);
	}
}

static const struct {
	int line;
	const char *a, *b, *want; /* want NULL: no intersection */
} inters[] = {
    {__LINE__, "10.0.0.0/24", "10.0.0.0/24", "10.0.0.0/24"},
    {__LINE__, "10.0.0.0/16", "10.0.5.0/24", "10.0.5.0/24"},
    {__LINE__, "10.0.0.0/24", "10.0.1.0/24", NULL},
    {__LINE__, "10.0.0.10-10.0.0.20", "10.0.0.15-10.0.0.30", "10.0.0.15..10.0.0.20"},
    {__LINE__, "10.0.0.10-10.0.0.20", "10.0.0.20-10.0.0.30", "10.0.0.20/32"},
    {__LINE__, "10.0.0.10-10.0.0.20", "10.0.0.21-10.0.0.30", NULL},
    {__LINE__, "10.0.0.0/8[tcp]", "10.0.0.0/8[udp]", NULL},
    {__LINE__, "10.0.0.0/8", "10.1.0.0/16[tcp/80]", "10.1.0.0/16[tcp/80]"},
    {__LINE__, "10.0.0.0/8[any/80]", "10.0.0.0/8[tcp]", "10.0.0.0/8[tcp/80]"},
    {__LINE__, "10.0.0.0/8[tcp/1000-2000]", "10.0.0.0/8[tcp/1500-3000]",
     "10.0.0.0/8[tcp/1500-2000]"},
    {__LINE__, "10.0.0.0/8[tcp/1000-2000]", "10.0.0.0/8[tcp/2001-3000]", NULL},
    {__LINE__, "0.0.0.0/0", "::/0", NULL},
    {__LINE__, "::/0[udp]", "fec1::/16[udp/53]", "fec1::/16[udp/53]"},
    {__LINE__, "10.0.0.0/8[tcp/opaque]", "10.0.0.0/8", "10.0.0.0/8[tcp/opaque]"},
    {__LINE__, "10.0.0.0/8[tcp/opaque]", "10.0.0.0/8[tcp/80]", NULL},
    {__LINE__, "10.0.0.0/8[tcp/opaque]", "10.0.0.0/8[tcp/opaque]", "10.0.0.0/8[tcp/opaque]"},
    {__LINE__, "10.0.0.0/8[icmp/8]", "10.0.0.0/8[icmp]", "10.0.0.0/8[icmp/8]"},
    {__LINE__, "10.0.0.0/8[icmp/8]", "10.0.0.0/8[icmp/0]", NULL},
    {__LINE__, "10.0.0.0/8[icmp/8]", "10.0.0.0/8[icmp/2048]", "10.0.0.0/8[icmp/8/0]"},
    {__LINE__, "10.0.0.0/8[icmp/3-8]", "10.0.0.0/8[icmp/5/5-11]", "10.0.0.0/8[icmp/5/5-8]"},
};

static void test_intersect(void)
{
	for (size_t i = 0; i < sizeof(inters) / sizeof(inters[0]); i++) {
		int line = inters[i].line;
		struct ts a = mk(line, inters[i].a), b = mk(line, inters[i].b);
		struct ts r1, r2;
		char buf[TS_STRLEN];
		int rc1 = ts_intersect(&a, &b, &r1), rc2 = ts_intersect(&b, &a, &r2);

		T_EQ_ROW(line, rc1, inters[i].want ? 0 : ERR_NOTFOUND);
		T_EQ_ROW(line, rc2, rc1);
		if (rc1 || rc2)
			continue;
		T_OK_ROW(line, !strcmp(ts_format(&r1, buf, sizeof(buf)), inters[i].want),
			 "%s ∩ %s = %s, want %s", inters[i].a, inters[i].b, buf, inters[i].want);
		T_OK_ROW(line, ts_equal(&r1, &r2), "intersection is symmetric");
		T_OK_ROW(line, ts_contains(&a, &r1) && ts_contains(&b, &r1), "inside both");
	}
}

static void list_str(const struct ts_list *l, char *buf, size_t len)
{
	char one[TS_STRLEN];

	buf[0] = '\0';
	for (size_t i = 0; i < l->n; i++) {
		if (i)
			strncat(buf, ", ", len - strlen(buf) - 1);
		strncat(buf, ts_format(&l->ts[i], one, sizeof(one)), len - strlen(buf) - 1);
	}
}

static const struct {
	int line;
	const char *proposed, *policy;
	unsigned flags;
	int err;
	const char *want;
} narrows[] = {
    {__LINE__, "10.0.0.0/24", "10.0.0.0/24", 0, 0, "10.0.0.0/24"},
    {__LINE__, "0.0.0.0/0", "10.0.0.0/8", 0, 0, "10.0.0.0/8"},
    {__LINE__, "10.1.0.0/16", "10.0.0.0/8", 0, 0, "10.1.0.0/16"},
    {__LINE__, "10.1.0.0/16", "10.2.0.0/16", 0, ERR_NOTFOUND, NULL},
    {__LINE__, "10.0.0.0/8, 192.168.0.0/16", "10.1.0.0/16, 192.168.5.0/24, 172.16.0.0/12", 0, 0,
     "10.1.0.0/16, 192.168.5.0/24"},
    {__LINE__, "0.0.0.0/0, ::/0", "fec1::/64", 0, 0, "fec1::/64"},
    {__LINE__, "0.0.0.0/0", "::/0", 0, ERR_NOTFOUND, NULL},
    {__LINE__, "fec1::/16, 10.0.0.0/8", "0.0.0.0/0, ::/0", 0, 0, "fec1::/16, 10.0.0.0/8"},
    {__LINE__, "10.0.0.0/8[tcp]", "10.0.0.0/8[udp]", 0, ERR_NOTFOUND, NULL},
    {__LINE__, "10.0.0.0/8[tcp]", "10.0.0.0/8", 0, 0, "10.0.0.0/8[tcp]"},
    {__LINE__, "10.0.0.0/8", "10.0.0.0/8[tcp], 10.0.0.0/8[udp/53]", 0, 0,
     "10.0.0.0/8[tcp], 10.0.0.0/8[udp/53]"},
    {__LINE__, "10.0.0.0/8[tcp/1000-2000]", "10.0.0.0/8[tcp/1500-3000]", 0, 0,
     "10.0.0.0/8[tcp/1500-2000]"},
    {__LINE__, "10.0.0.10-10.0.0.20", "10.0.0.0/29, 10.0.0.16/28", 0, 0, "10.0.0.16..10.0.0.20"},
    /* results contained in another are dropped; the wider one takes the narrower's place */
    {__LINE__, "10.1.2.0/24, 10.0.0.0/8", "10.0.0.0/8", 0, 0, "10.0.0.0/8"},
    {__LINE__, "10.1.2.0/24, 192.168.0.0/16, 10.0.0.0/8", "0.0.0.0/0", 0, 0,
     "10.0.0.0/8, 192.168.0.0/16"},
    {__LINE__, "10.0.0.0/8, 10.0.0.0/8", "10.0.0.0/8", 0, 0, "10.0.0.0/8"},
    /* the first proposed selector is the triggering packet */
    {__LINE__, "10.1.2.3[tcp/80], 10.0.0.0/8", "10.1.0.0/16, 10.2.0.0/16",
     TS_NARROW_FIRST_IS_PACKET, 0, "10.1.0.0/16, 10.2.0.0/16"},
    {__LINE__, "10.1.2.3[tcp/80], 10.0.0.0/8", "10.2.0.0/16", TS_NARROW_FIRST_IS_PACKET,
     ERR_NOTFOUND, NULL},
    {__LINE__, "10.1.2.3[tcp/80], 10.0.0.0/8", "10.2.0.0/16", 0, 0, "10.2.0.0/16"},
    {__LINE__, "10.1.2.3[tcp/80], 10.0.0.0/8", "10.1.2.0/24[udp], 10.1.2.3",
     TS_NARROW_FIRST_IS_PACKET, 0, "10.1.2.3/32, 10.1.2.0/24[udp]"},
    {__LINE__, "10.1.2.3[tcp/80], 10.0.0.0/8", "10.0.0.0/8[tcp/443]", TS_NARROW_FIRST_IS_PACKET,
     ERR_NOTFOUND, NULL},
    {__LINE__, "10.1.2.3[tcp/80], 10.0.0.0/8", "10.1.2.3[tcp/80-90]", TS_NARROW_FIRST_IS_PACKET, 0,
     "10.1.2.3/32[tcp/80-90]"},
};

static void test_narrow(void)
{
	for (size_t i = 0; i < sizeof(narrows) / sizeof(narrows[0]); i++) {
		int line = narrows[i].line;
		struct ts_list prop, pol, out;
		char buf[1024], err[128] = "";
		int rc;

		T_EQ_ROW(line, ts_parse_list(narrows[i].proposed, &prop, err, sizeof(err)), 0);
		T_EQ_ROW(line, ts_parse_list(narrows[i].policy, &pol, err, sizeof(err)), 0);
		out.n = 77;
		rc = ts_narrow(&prop, &pol, narrows[i].flags, &out);
		T_EQ_ROW(line, rc, narrows[i].err);
		if (rc) {
			T_EQ_ROW(line, out.n, 77);
			continue;
		}
		list_str(&out, buf, sizeof(buf));
		T_OK_ROW(line, !strcmp(buf, narrows[i].want), "narrowed to '%s', want '%s'", buf,
			 narrows[i].want);
		/* every result lies inside both a proposed and a policy selector */
		for (size_t j = 0; j < out.n; j++)
			T_OK_ROW(line,
				 ts_list_covers(&prop, &out.ts[j]) &&
				     ts_list_covers(&pol, &out.ts[j]),
				 "result %zu inside both lists", j);
	}
}

static void test_narrow_limit(void)
{
	struct ts_list prop, pol, out;
	struct ts t;
	int rc;

	/* 16 proposed x 2 policy port ranges = 32 disjoint results: more than TS_LIST_MAX */
	ts_list_init(&prop);
	ts_list_init(&pol);
	for (int i = 0; i < TS_LIST_MAX; i++) {
		struct prefix p;
		char s[32];

		snprintf(s, sizeof(s), "10.%d.0.0/16", i);
		prefix_parse(s, &p, NULL, 0);
		ts_from_prefix(&t, &p, 0, 0, 65535);
		rc = ts_list_add(&prop, &t);
		T_EQ(rc, 0);
	}
	rc = ts_list_add(&prop, &t);
	T_EQ(rc, ERR_LIMIT);
	t = mk(__LINE__, "0.0.0.0/0[tcp/1-10]");
	ts_list_add(&pol, &t);
	t = mk(__LINE__, "0.0.0.0/0[tcp/20-30]");
	ts_list_add(&pol, &t);
	out.n = 5;
	rc = ts_narrow(&prop, &pol, 0, &out);
	T_EQ(rc, ERR_LIMIT);
	T_EQ(out.n, 5);
	prop.n = TS_LIST_MAX + 1;
	rc = ts_narrow(&prop, &pol, 0, &out);
	T_EQ(rc, ERR_INVAL);
	prop.n = 0;
	rc = ts_narrow(&prop, &pol, TS_NARROW_FIRST_IS_PACKET, &out);
	T_EQ(rc, ERR_INVAL);
}

static void test_check(void)
{
	struct ts t = mk(__LINE__, "10.0.0.0/8[tcp/80]");
	struct ts bad = t;

	T_EQ(ts_check(&t), 0);
	bad.type = 9;
	T_EQ(ts_check(&bad), ERR_INVAL);
	bad = t;
	bad.type = TS_IPV6_ADDR_RANGE;
	T_EQ(ts_check(&bad), ERR_INVAL);
	bad = t;
	bad.start = t.end;
	bad.end = t.start;
	T_EQ(ts_check(&bad), ERR_INVAL);
	bad = t;
	bad.start_port = 90;
	T_EQ(ts_check(&bad), ERR_INVAL);
	bad.start_port = 65535;
	bad.end_port = 0;
	T_EQ(ts_check(&bad), 0); /* OPAQUE */
	T_EQ(ts_any(&t, AF_INET6), 0);
	T_EQ(ts_check(&t), 0);
	T_EQ(ts_any(&t, AF_UNIX), ERR_INVAL);
	T_OK(ts_proto_name(6) && !strcmp(ts_proto_name(6), "tcp"), "tcp name");
	T_OK(ts_proto_name(200) == NULL, "no name for 200");
}

int main(void)
{
	test_parse_format();
	test_dynamic();
	test_list();
	test_contains();
	test_match();
	test_intersect();
	test_narrow();
	test_narrow_limit();
	test_check();
	return t_finish();
}
