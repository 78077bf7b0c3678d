/* Addresses and prefixes: parse/format round trips, rejected inputs with their reasons,
 * containment, first/last, increment/decrement across carries and boundaries, sockaddr. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "lib/addr.h"
#include "lib/err.h"
#include "support/test.h"

static const struct {
	int line;
	const char *in;
	int err;
	const char *out;    /* canonical text when err == 0 */
	const char *reason; /* substring of the error message when err != 0 */
} prefixes[] = {
    {__LINE__, "10.0.0.0/24", 0, "10.0.0.0/24", NULL},
    {__LINE__, "10.0.0.1/24", 0, "10.0.0.0/24", NULL}, /* host bits cleared */
    {__LINE__, "10.0.0.1", 0, "10.0.0.1/32", NULL},
    {__LINE__, "0.0.0.0/0", 0, "0.0.0.0/0", NULL},
    {__LINE__, "255.255.255.255/32", 0, "255.255.255.255/32", NULL},
    {__LINE__, "192.168.77.200/27", 0, "192.168.77.192/27", NULL},
    {__LINE__, "fec1::/64", 0, "fec1::/64", NULL},
    {__LINE__, "fec1::1", 0, "fec1::1/128", NULL},
    {__LINE__, "FEC1:0:0:0:0:0:0:1/16", 0, "fec1::/16", NULL},
    {__LINE__, "::/0", 0, "::/0", NULL},
    {__LINE__, "2001:db8::ff/121", 0, "2001:db8::80/121", NULL},
    {__LINE__, "::ffff:10.1.2.3/128", 0, "::ffff:10.1.2.3/128", NULL},
    {__LINE__, "10.0.0.256", ERR_INVAL, NULL, "octet 4 is greater than 255"},
    {__LINE__, "10.0.0.0/33", ERR_INVAL, NULL, "prefix length 33 exceeds 32 for IPv4"},
    {__LINE__, "::/129", ERR_INVAL, NULL, "prefix length 129 exceeds 128 for IPv6"},
    {__LINE__, "10.0.0.0/99999999999", ERR_INVAL, NULL, "exceeds 32"},
    {__LINE__, "fe80::1%", ERR_INVAL, NULL, "scope ids"},
    {__LINE__, "fe80::1%eth0", ERR_INVAL, NULL, "scope ids"},
    {__LINE__, "junk", ERR_INVAL, NULL, "'junk': not an IPv4 or IPv6 address"},
    {__LINE__, "", ERR_INVAL, NULL, "empty prefix"},
    {__LINE__, "10.0.0", ERR_INVAL, NULL, "4 octets, not 3"},
    {__LINE__, "10.0.0.1.2", ERR_INVAL, NULL, "4 octets, not 5"},
    {__LINE__, "10..0.1", ERR_INVAL, NULL, "empty octet 2"},
    {__LINE__, "10.0.0.1.", ERR_INVAL, NULL, "trailing '.'"},
    {__LINE__, "010.0.0.1", ERR_INVAL, NULL, "leading zero"},
    {__LINE__, "10.0.0.0/", ERR_INVAL, NULL, "missing prefix length"},
    {__LINE__, "10.0.0.0/2x", ERR_INVAL, NULL, "not a number"},
    {__LINE__, "10.0.0.0/-1", ERR_INVAL, NULL, "not a number"},
    {__LINE__, "1:2:3:4:5:6:7:8:9", ERR_INVAL, NULL, "not a valid IPv6"},
    {__LINE__, "1::2::3", ERR_INVAL, NULL, "not a valid IPv6"},
    {__LINE__, " 10.0.0.1", ERR_INVAL, NULL, "not an IPv4 or IPv6"},
};

static void test_prefix_parse(void)
{
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		struct prefix p, q;
		char buf[PREFIX_STRLEN], err[128] = "";
		int rc = prefix_parse(prefixes[i].in, &p, err, sizeof(err));

		T_EQ_ROW(prefixes[i].line, rc, prefixes[i].err);
		if (rc) {
			T_OK_ROW(prefixes[i].line, strstr(err, prefixes[i].reason) != NULL,
				 "error '%s' lacks '%s'", err, prefixes[i].reason);
			continue;
		}
		prefix_str(&p, buf, sizeof(buf));
		T_OK_ROW(prefixes[i].line, !strcmp(buf, prefixes[i].out), "'%s' formats as '%s'",
			 prefixes[i].in, buf);
		/* round trip */
		T_EQ_ROW(prefixes[i].line, prefix_parse(buf, &q, NULL, 0), 0);
		T_OK_ROW(prefixes[i].line, addr_equal(&p.addr, &q.addr) && p.len == q.len,
			 "round trip of '%s'", buf);
	}
}

static void test_addr_parse_format(void)
{
	struct addr a;
	char buf[ADDR_STRLEN], err[96];

	T_EQ(addr_parse("192.0.2.1", &a, NULL, 0), 0);
	T_EQ(a.family, AF_INET);
	T_EQ(addr_len(&a), 4);
	T_OK(!strcmp(addr_str(&a, buf, sizeof(buf)), "192.0.2.1"), "ipv4 format");
	T_EQ(addr_parse("2001:db8::1", &a, NULL, 0), 0);
	T_EQ(a.family, AF_INET6);
	T_OK(!strcmp(addr_str(&a, buf, sizeof(buf)), "2001:db8::1"), "ipv6 format");
	/* output untouched on failure */
	T_EQ(addr_parse("10.0.0.0/8", &a, err, sizeof(err)), ERR_INVAL);
	T_EQ(a.family, AF_INET6);
	memset(&a, 0, sizeof(a));
	T_OK(!strcmp(addr_str(&a, buf, sizeof(buf)), "(none)"), "unset format");
	T_EQ(addr_parse(NULL, &a, err, sizeof(err)), ERR_INVAL);
	/* truncated output stays NUL-terminated */
	addr_parse("2001:db8:1234:5678::1", &a, NULL, 0);
	addr_str(&a, buf, 6);
	T_OK(!strcmp(buf, "2001:"), "truncated format '%s'", buf);
}

static const struct {
	int line;
	const char *a, *b;
	int cmp;
} cmps[] = {
    {__LINE__, "10.0.0.1", "10.0.0.1", 0},
    {__LINE__, "10.0.0.1", "10.0.0.2", -1},
    {__LINE__, "10.0.1.0", "10.0.0.255", 1},
    {__LINE__, "255.255.255.255", "::", -1}, /* IPv4 orders before IPv6 */
    {__LINE__, "::1", "::", 1},
    {__LINE__, "fe80::", "fe7f:ffff::", 1},
};

static void test_cmp(void)
{
	for (size_t i = 0; i < sizeof(cmps) / sizeof(cmps[0]); i++) {
		struct addr a, b;
		int c;

		T_EQ_ROW(cmps[i].line, addr_parse(cmps[i].a, &a, NULL, 0), 0);
		T_EQ_ROW(cmps[i].line, addr_parse(cmps[i].b, &b, NULL, 0), 0);
		c = addr_cmp(&a, &b);
		T_EQ_ROW(cmps[i].line, (c > 0) - (c < 0), cmps[i].cmp);
		c = addr_cmp(&b, &a);
		T_EQ_ROW(cmps[i].line, (c > 0) - (c < 0), -cmps[i].cmp);
		T_EQ_ROW(cmps[i].line, addr_equal(&a, &b), cmps[i].cmp == 0);
	}
}

static const struct {
	int line;
	const char *prefix, *first, *last, *inside, *outside;
} ranges[] = {
    {__LINE__, "10.0.0.0/24", "10.0.0.0", "10.0.0.255", "10.0.0.77", "10.0.1.0"},
    {__LINE__, "10.1.2.3/32", "10.1.2.3", "10.1.2.3", "10.1.2.3", "10.1.2.4"},
    {__LINE__, "0.0.0.0/0", "0.0.0.0", "255.255.255.255", "1.2.3.4", "::1"},
    {__LINE__, "172.16.0.0/12", "172.16.0.0", "172.31.255.255", "172.20.1.1", "172.32.0.0"},
    {__LINE__, "10.0.0.0/31", "10.0.0.0", "10.0.0.1", "10.0.0.1", "9.255.255.255"},
    {__LINE__, "fec1::/64", "fec1::", "fec1::ffff:ffff:ffff:ffff", "fec1::42", "fec1:0:0:1::"},
    {__LINE__, "::/0", "::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "::1", "1.2.3.4"},
    {__LINE__, "2001:db8::/33", "2001:db8::", "2001:db8:7fff:ffff:ffff:ffff:ffff:ffff",
     "2001:db8:7fff::1", "2001:db8:8000::"},
};

static void test_ranges(void)
{
	for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
		struct prefix p, back;
		struct addr first, last, want, in, out;
		int line = ranges[i].line;

		T_EQ_ROW(line, prefix_parse(ranges[i].prefix, &p, NULL, 0), 0);
		prefix_first(&p, &first);
		prefix_last(&p, &last);
		addr_parse(ranges[i].first, &want, NULL, 0);
		T_OK_ROW(line, addr_equal(&first, &want), "first of %s", ranges[i].prefix);
		addr_parse(ranges[i].last, &want, NULL, 0);
		T_OK_ROW(line, addr_equal(&last, &want), "last of %s", ranges[i].prefix);
		T_EQ_ROW(line, addr_parse(ranges[i].inside, &in, NULL, 0), 0);
		T_EQ_ROW(line, addr_parse(ranges[i].outside, &out, NULL, 0), 0);
		T_OK_ROW(line, prefix_contains(&p, &in), "%s in %s", ranges[i].inside,
			 ranges[i].prefix);
		T_OK_ROW(line, prefix_contains(&p, &first) && prefix_contains(&p, &last),
			 "bounds inside");
		T_OK_ROW(line, !prefix_contains(&p, &out), "%s not in %s", ranges[i].outside,
			 ranges[i].prefix);
		/* the range maps back to the prefix; one address less or more does not */
		T_EQ_ROW(line, prefix_from_range(&first, &last, &back), 0);
		T_OK_ROW(line, addr_equal(&back.addr, &p.addr) && back.len == p.len,
			 "range back to prefix");
		if (!addr_dec(&last) && addr_cmp(&last, &first) > 0) {
			T_EQ_ROW(line, prefix_from_range(&first, &last, &back), ERR_INVAL);
		}
	}
}

static void test_prefix_misc(void)
{
	struct prefix outer, inner, p;
	struct addr a, b;

	prefix_parse("10.0.0.0/8", &outer, NULL, 0);
	prefix_parse("10.20.0.0/16", &inner, NULL, 0);
	T_OK(prefix_contains_prefix(&outer, &inner), "/16 inside /8");
	T_OK(!prefix_contains_prefix(&inner, &outer), "/8 not inside /16");
	T_OK(prefix_contains_prefix(&outer, &outer), "prefix contains itself");
	prefix_parse("11.0.0.0/16", &inner, NULL, 0);
	T_OK(!prefix_contains_prefix(&outer, &inner), "disjoint");
	prefix_parse("::a00:0/104", &inner, NULL, 0);
	T_OK(!prefix_contains_prefix(&outer, &inner), "family mismatch");

	/* non-prefix ranges */
	addr_parse("10.0.0.1", &a, NULL, 0);
	addr_parse("10.0.0.2", &b, NULL, 0);
	T_EQ(prefix_from_range(&a, &b, &p), ERR_INVAL);
	T_EQ(prefix_from_range(&b, &a, &p), ERR_INVAL);
	addr_parse("10.0.0.0", &a, NULL, 0);
	addr_parse("10.0.0.2", &b, NULL, 0);
	T_EQ(prefix_from_range(&a, &b, &p), ERR_INVAL);
	addr_parse("10.0.0.3", &b, NULL, 0);
	T_EQ(prefix_from_range(&a, &b, &p), 0);
	T_EQ(p.len, 30);
	addr_parse("::3", &b, NULL, 0);
	T_EQ(prefix_from_range(&a, &b, &p), ERR_INVAL);

	addr_parse("10.0.0.0", &a, NULL, 0);
	T_EQ(prefix_make(&p, &a, 33), ERR_INVAL);
	memset(&a, 0, sizeof(a));
	T_EQ(prefix_make(&p, &a, 0), ERR_INVAL);
}

static const struct {
	int line;
	const char *in;
	int inc_err;
	const char *inc; /* after addr_inc when inc_err == 0 */
	int dec_err;
	const char *dec;
} steps[] = {
    {__LINE__, "10.0.0.1", 0, "10.0.0.2", 0, "10.0.0.0"},
    {__LINE__, "10.0.0.255", 0, "10.0.1.0", 0, "10.0.0.254"},
    {__LINE__, "10.255.255.255", 0, "11.0.0.0", 0, "10.255.255.254"},
    {__LINE__, "11.0.0.0", 0, "11.0.0.1", 0, "10.255.255.255"},
    {__LINE__, "255.255.255.255", ERR_LIMIT, NULL, 0, "255.255.255.254"},
    {__LINE__, "0.0.0.0", 0, "0.0.0.1", ERR_LIMIT, NULL},
    {__LINE__, "::", 0, "::1", ERR_LIMIT, NULL},
    {__LINE__, "::ffff", 0, "::1:0", 0, "::fffe"},
    {__LINE__, "::1:0", 0, "::1:1", 0, "::ffff"},
    {__LINE__, "fec1::ffff:ffff:ffff:ffff", 0, "fec1:0:0:1::", 0, "fec1::ffff:ffff:ffff:fffe"},
    {__LINE__, "7fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 0, "8000::", 0,
     "7fff:ffff:ffff:ffff:ffff:ffff:ffff:fffe"},
    {__LINE__, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", ERR_LIMIT, NULL, 0,
     "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe"},
};

static void test_inc_dec(void)
{
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		struct addr a, orig, want;
		int line = steps[i].line, rc;

		T_EQ_ROW(line, addr_parse(steps[i].in, &orig, NULL, 0), 0);
		a = orig;
		rc = addr_inc(&a);
		T_EQ_ROW(line, rc, steps[i].inc_err);
		if (steps[i].inc_err) {
			T_OK_ROW(line, addr_equal(&a, &orig), "unchanged after failed inc");
		} else {
			addr_parse(steps[i].inc, &want, NULL, 0);
			T_OK_ROW(line, addr_equal(&a, &want), "inc of %s", steps[i].in);
			rc = addr_dec(&a);
			T_EQ_ROW(line, rc, 0);
			T_OK_ROW(line, addr_equal(&a, &orig), "inc then dec");
		}
		a = orig;
		rc = addr_dec(&a);
		T_EQ_ROW(line, rc, steps[i].dec_err);
		if (steps[i].dec_err) {
			T_OK_ROW(line, addr_equal(&a, &orig), "unchanged after failed dec");
		} else {
			addr_parse(steps[i].dec, &want, NULL, 0);
			T_OK_ROW(line, addr_equal(&a, &want), "dec of %s", steps[i].in);
		}
	}
	struct addr none;
	memset(&none, 0, sizeof(none));
	T_EQ(addr_inc(&none), ERR_INVAL);
	T_EQ(addr_dec(&none), ERR_INVAL);
}

static void test_sockaddr(void)
{
	struct sockaddr_storage ss;
	socklen_t len = 0;
	struct addr a, b;
	uint16_t port = 0;
	char buf[ADDR_STRLEN];

	addr_parse("192.0.2.9", &a, NULL, 0);
	T_EQ(addr_to_sockaddr(&a, 4500, &ss, &len), 0);
	T_EQ(len, sizeof(struct sockaddr_in));
	T_EQ(((struct sockaddr_in *)&ss)->sin_port, htons(4500));
	T_EQ(inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, buf, sizeof(buf)) != NULL,
	     1);
	T_OK(!strcmp(buf, "192.0.2.9"), "sin_addr %s", buf);
	T_EQ(addr_from_sockaddr((struct sockaddr *)&ss, len, &b, &port), 0);
	T_OK(addr_equal(&a, &b), "ipv4 round trip");
	T_EQ(port, 4500);
	T_EQ(addr_from_sockaddr((struct sockaddr *)&ss, len - 1, &b, &port), ERR_INVAL);

	addr_parse("2001:db8::7", &a, NULL, 0);
	T_EQ(addr_to_sockaddr(&a, 500, &ss, &len), 0);
	T_EQ(len, sizeof(struct sockaddr_in6));
	T_EQ(addr_from_sockaddr((struct sockaddr *)&ss, len, &b, NULL), 0);
	T_OK(addr_equal(&a, &b), "ipv6 round trip");

	memset(&a, 0, sizeof(a));
	T_EQ(addr_to_sockaddr(&a, 1, &ss, &len), ERR_INVAL);
	ss.ss_family = AF_UNIX;
	T_EQ(addr_from_sockaddr((struct sockaddr *)&ss, sizeof(ss), &b, NULL), ERR_INVAL);
	T_EQ(addr_from_bytes(&a, AF_INET, "\x01\x02\x03", 3), ERR_INVAL);
	T_EQ(addr_from_bytes(&a, AF_INET, "\x01\x02\x03\x04", 4), 0);
	T_OK(!strcmp(addr_str(&a, buf, sizeof(buf)), "1.2.3.4"), "from bytes");
}

static const struct {
	int line;
	const char *in;
	int err;
	const char *out; /* addr_range_str, or the error substring */
	uint64_t size;
	const char *inside, *outside;
} range_rows[] = {
    {__LINE__, "10.0.0.10-10.0.0.20", 0, "10.0.0.10-10.0.0.20", 11, "10.0.0.15", "10.0.0.21"},
    {__LINE__, "10.0.0.10 - 10.0.0.20", 0, "10.0.0.10-10.0.0.20", 11, "10.0.0.10", "10.0.0.9"},
    {__LINE__, "10.0.0.0-10.0.0.255", 0, "10.0.0.0/24", 256, "10.0.0.255", "10.0.1.0"},
    {__LINE__, "10.3.0.0/28", 0, "10.3.0.0/28", 16, "10.3.0.15", "10.3.0.16"},
    {__LINE__, "192.0.2.1", 0, "192.0.2.1", 1, "192.0.2.1", "192.0.2.2"},
    {__LINE__, "0.0.0.0/0", 0, "0.0.0.0/0", 4294967296ULL, "255.255.255.255", "::"},
    {__LINE__, "9.255.255.255-10.0.0.0", 0, "9.255.255.255-10.0.0.0", 2, "10.0.0.0", "10.0.0.1"},
    {__LINE__, "fec1::1-fec1::1:0", 0, "fec1::1-fec1::1:0", 65536, "fec1::ffff", "fec1::"},
    {__LINE__, "fec1::/64", 0, "fec1::/64", UINT64_MAX, "fec1::1", "fec1:0:0:1::"},
    {__LINE__, "fec1::/65", 0, "fec1::/65", 1ULL << 63, "fec1::1", "fec1:0:0:0:8000::"},
    {__LINE__, "::/0", 0, "::/0", UINT64_MAX, "::1", "10.0.0.1"},
    {__LINE__, "10.0.0.20-10.0.0.10", ERR_INVAL, "above the last", 0, NULL, NULL},
    {__LINE__, "10.0.0.1-fec1::1", ERR_INVAL, "mixes IPv4 and IPv6", 0, NULL, NULL},
    {__LINE__, "10.0.0.1-", ERR_INVAL, "empty address", 0, NULL, NULL},
    {__LINE__, "10.0.0.1-10.0.0.256", ERR_INVAL, "greater than 255", 0, NULL, NULL},
    {__LINE__, "10.0.0.0/33", ERR_INVAL, "exceeds 32", 0, NULL, NULL},
    {__LINE__, "", ERR_INVAL, "empty address range", 0, NULL, NULL},
};

static void test_addr_range(void)
{
	for (size_t i = 0; i < sizeof(range_rows) / sizeof(range_rows[0]); i++) {
		int line = range_rows[i].line;
		struct addr_range r, again;
		struct addr in, out;
		char buf[2 * ADDR_STRLEN + 2], err[128] = "";
		int rc = addr_range_parse(range_rows[i].in, &r, err, sizeof(err));

		T_EQ_ROW(line, rc, range_rows[i].err);
		if (rc) {
			T_OK_ROW(line, strstr(err, range_rows[i].out) != NULL, "'%s' lacks '%s'",
				 err, range_rows[i].out);
			continue;
		}
		addr_range_str(&r, buf, sizeof(buf));
		T_OK_ROW(line, !strcmp(buf, range_rows[i].out), "'%s' formats as '%s'",
			 range_rows[i].in, buf);
		rc = addr_range_parse(buf, &again, NULL, 0);
		T_OK_ROW(line,
			 !rc && addr_equal(&r.first, &again.first) &&
			     addr_equal(&r.last, &again.last),
			 "round trip");
		T_OK_ROW(line, addr_range_size(&r) == range_rows[i].size, "size %llu",
			 (unsigned long long)addr_range_size(&r));
		addr_parse(range_rows[i].inside, &in, NULL, 0);
		addr_parse(range_rows[i].outside, &out, NULL, 0);
		T_OK_ROW(line, addr_range_contains(&r, &in), "%s inside", range_rows[i].inside);
		T_OK_ROW(line, !addr_range_contains(&r, &out), "%s outside", range_rows[i].outside);
	}
}

int main(void)
{
	test_addr_range();
	test_prefix_parse();
	test_addr_parse_format();
	test_cmp();
	test_ranges();
	test_prefix_misc();
	test_inc_dec();
	test_sockaddr();
	return t_finish();
}
