/* Differential test of ts_intersect against strongSwan's traffic_selector_t get_subset.
 *
 * libstrongswan (strongswan-charon's dependency, 5.9.8 in Debian 12) is loaded with dlopen;
 * traffic_selector_create_from_string builds its selectors and the first members of the
 * traffic_selector_t interface (get_subset, clone, get_from_address, get_to_address,
 * get_from_port, get_to_port, get_type, get_protocol; checked on a known selector first) read
 * the result. Pairs of selectors are drawn from a small space (few addresses, protocols any,
 * ICMP, TCP, UDP, ICMPv6; ports any, OPAQUE, single, ranges, ICMP type/code values) so that
 * overlaps, edges and OPAQUE cases are frequent. Both must agree on whether the intersection
 * is empty and on every field of it.
 *
 * Known difference left out of the draw: strongSwan 5.9.8 maps every ICMP/ICMPv6 port value
 * below 256 to value << 8 in its constructors (traffic_selector.c, create()), whatever the
 * source, so a wire selector for type 0 code 3 (0x0003) becomes type 3 code 0, and the
 * subset of [any/80] and [icmp] becomes type 80. Rampart takes wire values as RFC 7296
 * §3.13.1 defines them and applies the "< 256 is a type" rule to configuration text only.
 */
#include <dlfcn.h>
#include <netinet/in.h>
#include <sanitizer/lsan_interface.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "lib/addr.h"
#include "lib/err.h"
#include "lib/ts.h"
#include "support/test.h"

#define LIBSTRONGSWAN "/usr/lib/ipsec/libstrongswan.so.0"
#define PAIRS	      20000

struct ss_chunk {
	unsigned char *ptr;
	size_t len;
};

typedef void *(*ss_create_fn)(uint8_t proto, int type, const char *from, uint16_t from_port,
			      const char *to, uint16_t to_port);
/* traffic_selector_t's first members, in order */
enum {
	SS_GET_SUBSET,
	SS_CLONE,
	SS_FROM_ADDR,
	SS_TO_ADDR,
	SS_FROM_PORT,
	SS_TO_PORT,
	SS_TYPE,
	SS_PROTO
};

static ss_create_fn ss_create;

static void *slot(void *ts, int i)
{
	return ((void **)ts)[i];
}

static void *ss_ts(const struct ts *t)
{
	char a[ADDR_STRLEN], b[ADDR_STRLEN];
	void *r;

	__lsan_disable();
	r = ss_create(t->proto, t->type, addr_str(&t->start, a, sizeof(a)), t->start_port,
		      addr_str(&t->end, b, sizeof(b)), t->end_port);
	__lsan_enable();
	return r;
}

/* strongSwan's selector back into a struct ts. */
static int from_ss(void *s, struct ts *out)
{
	struct ss_chunk f, t;
	int type;

	__lsan_disable();
	f = ((struct ss_chunk(*)(void *))slot(s, SS_FROM_ADDR))(s);
	t = ((struct ss_chunk(*)(void *))slot(s, SS_TO_ADDR))(s);
	type = ((int (*)(void *))slot(s, SS_TYPE))(s);
	memset(out, 0, sizeof(*out));
	out->type = (uint8_t)type;
	out->proto = ((uint8_t(*)(void *))slot(s, SS_PROTO))(s);
	out->start_port = ((uint16_t(*)(void *))slot(s, SS_FROM_PORT))(s);
	out->end_port = ((uint16_t(*)(void *))slot(s, SS_TO_PORT))(s);
	__lsan_enable();
	if (addr_from_bytes(&out->start, ts_family(out), f.ptr, f.len) ||
	    addr_from_bytes(&out->end, ts_family(out), t.ptr, t.len))
		return ERR_INVAL;
	return 0;
}

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static unsigned pick(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

static void random_ts(struct ts *t)
{
	static const uint8_t protos[] = {0, 0, 1, 6, 6, 17, 58};
	/* no value in 1..255: strongSwan's constructors turn an ICMP port p < 256 into p << 8,
	 * also for selectors from the wire and for the result of narrowing [any/80] with ICMP */
	static const uint16_t ports[] = {0,	 256,	 443,	 1024,	0x0800,
					 0x08ff, 0x0803, 0x0900, 65534, 65535};
	int v6 = pick(4) == 0;
	struct addr lo, hi;
	uint8_t a = (uint8_t)pick(8), b = (uint8_t)pick(8);
	uint16_t p, q;

	addr_zero(&lo, v6 ? AF_INET6 : AF_INET);
	lo.bytes[0] = v6 ? 0xfe : 10;
	hi = lo;
	lo.bytes[v6 ? 15 : 3] = a < b ? a : b;
	hi.bytes[v6 ? 15 : 3] = a < b ? b : a;
	if (pick(10) == 0) /* whole family */
		addr_ones(&hi, lo.family);
	switch (pick(5)) {
	case 0:
		p = 0;
		q = 65535;
		break;
	case 1:
		p = TS_PORT_OPAQUE_START;
		q = TS_PORT_OPAQUE_END;
		break;
	case 2:
		p = q = ports[pick(10)];
		break;
	default:
		p = ports[pick(10)];
		q = ports[pick(10)];
		if (p > q) {
			uint16_t x = p;
			p = q;
			q = x;
		}
	}
	T_EQ(ts_from_range(t, &lo, &hi, protos[pick(7)], p, q), 0);
}

static void check_layout(void)
{
	struct ts t, back;
	void *s;

	T_EQ(ts_parse("10.0.0.0/24[tcp/80-90]", &t, NULL, NULL, 0), 0);
	s = ss_ts(&t);
	T_OK(s != NULL, "traffic_selector_create_from_string");
	if (!s)
		return;
	T_EQ(from_ss(s, &back), 0);
	T_OK(ts_equal(&t, &back), "traffic_selector_t layout as expected");
}

int main(void)
{
	char x[TS_STRLEN], y[TS_STRLEN], w[TS_STRLEN], g[TS_STRLEN];
	unsigned empty = 0, opaque = 0;
	bool (*init)(const char *, const char *);
	void *lib;

	__lsan_disable();
	lib = dlopen(LIBSTRONGSWAN, RTLD_NOW | RTLD_LOCAL);
	__lsan_enable();
	T_OK(lib != NULL, "dlopen %s (install strongswan-charon: sh scripts/deps.sh check)",
	     LIBSTRONGSWAN);
	if (!lib)
		return t_finish();
	*(void **)&init = dlsym(lib, "library_init");
	*(void **)&ss_create = dlsym(lib, "traffic_selector_create_from_string");
	T_OK(init && ss_create, "libstrongswan symbols");
	if (!init || !ss_create)
		return t_finish();
	__lsan_disable();
	init("/dev/null", "rampart-test");
	__lsan_enable();
	check_layout();
	if (t_failures())
		return t_finish();
	for (int i = 0; i < PAIRS; i++) {
		struct ts a, b, mine, theirs;
		void *sa, *sb, *sr;
		int rc;

		random_ts(&a);
		random_ts(&b);
		sa = ss_ts(&a);
		sb = ss_ts(&b);
		if (!sa || !sb) {
			T_OK(0, "strongSwan refused %s or %s", ts_format(&a, x, sizeof(x)),
			     ts_format(&b, y, sizeof(y)));
			continue;
		}
		__lsan_disable();
		sr = ((void *(*)(void *, void *))slot(sa, SS_GET_SUBSET))(sa, sb);
		__lsan_enable();
		rc = ts_intersect(&a, &b, &mine);
		empty += rc != 0;
		opaque += !rc && mine.start_port == TS_PORT_OPAQUE_START &&
			  mine.end_port == TS_PORT_OPAQUE_END;
		if ((rc == 0) != (sr != NULL)) {
			T_OK(0, "%s ∩ %s: rampart %s, strongSwan %s", ts_format(&a, x, sizeof(x)),
			     ts_format(&b, y, sizeof(y)),
			     rc ? "empty" : ts_format(&mine, w, sizeof(w)),
			     sr ? (from_ss(sr, &theirs) ? "?" : ts_format(&theirs, g, sizeof(g)))
				: "empty");
			continue;
		}
		if (rc) {
			T_OK(1, "both empty");
			continue;
		}
		T_EQ(from_ss(sr, &theirs), 0);
		T_OK(ts_equal(&mine, &theirs), "%s ∩ %s: rampart %s, strongSwan %s",
		     ts_format(&a, x, sizeof(x)), ts_format(&b, y, sizeof(y)),
		     ts_format(&mine, w, sizeof(w)), ts_format(&theirs, g, sizeof(g)));
	}
	/* the draw must exercise both outcomes and OPAQUE results */
	T_OK(empty > PAIRS / 10 && empty < PAIRS - PAIRS / 10, "%u empty of %d", empty, PAIRS);
	T_OK(opaque > 50, "%u OPAQUE results", opaque);
	return t_finish();
}
