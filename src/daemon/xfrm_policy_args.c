#include "daemon/xfrm_policy_args.h"

#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "daemon/xfrm_cur.h"
#include "lib/err.h"

static int l4_proto_arg(struct xfrm_cur *c, uint8_t *proto)
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

	if ((r = xfrm_cur_value(c, "proto", &s)))
		return r;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(s, names[i].name) == 0) {
			*proto = names[i].num;
			return 0;
		}
	}
	if (xfrm_cur_parse_num(s, 255, &v))
		return xfrm_cur_fail(
		    c,
		    "invalid proto \"%s\": expected tcp, udp, icmp, ipv6-icmp, sctp, "
		    "any or a number 0-255",
		    s);
	*proto = (uint8_t)v;
	return 0;
}

static int tmpl_args(struct xfrm_cur *c, struct xfrm_tmpl *t)
{
	unsigned seen = 0;
	const char *kw;
	uint64_t v;
	int r = 0;

	t->present = true;
	while (!r && (kw = xfrm_cur_next(c))) {
		if (strcmp(kw, "src") == 0) {
			if (!(r = xfrm_cur_once(c, &seen, XFRM_SEEN_SRC, kw)))
				r = xfrm_cur_addr_arg(c, "tmpl src", &t->src);
		} else if (strcmp(kw, "dst") == 0) {
			if (!(r = xfrm_cur_once(c, &seen, XFRM_SEEN_DST, kw)))
				r = xfrm_cur_addr_arg(c, "tmpl dst", &t->dst);
		} else if (strcmp(kw, "proto") == 0) {
			if (!(r = xfrm_cur_once(c, &seen, XFRM_SEEN_PROTO, kw)))
				r = xfrm_cur_ipsec_proto_arg(c, kw, &t->proto);
		} else if (strcmp(kw, "mode") == 0) {
			if (!(r = xfrm_cur_once(c, &seen, XFRM_SEEN_MODE, kw)))
				r = xfrm_cur_mode_arg(c, &t->mode);
		} else if (strcmp(kw, "reqid") == 0) {
			if (!(r = xfrm_cur_once(c, &seen, XFRM_SEEN_REQID, kw)) &&
			    !(r = xfrm_cur_num_arg(c, kw, "reqid", 0, UINT32_MAX, &v)))
				t->reqid = (uint32_t)v;
		} else {
			r = xfrm_cur_fail(c, "unknown argument \"%s\" in \"tmpl\"", kw);
		}
	}
	if (r)
		return r;
	if (!(seen & XFRM_SEEN_PROTO))
		return xfrm_cur_fail(c, "tmpl: missing \"proto\"");
	if ((seen & (XFRM_SEEN_SRC | XFRM_SEEN_DST)) &&
	    (seen & (XFRM_SEEN_SRC | XFRM_SEEN_DST)) != (XFRM_SEEN_SRC | XFRM_SEEN_DST))
		return xfrm_cur_fail(c, "tmpl: \"src\" and \"dst\" go together");
	t->has_addrs = (seen & XFRM_SEEN_SRC) != 0;
	if (t->mode == XFRM_MODE_TUNNEL && !t->has_addrs)
		return xfrm_cur_fail(c, "tmpl: mode tunnel needs \"src\" and \"dst\"");
	if (t->has_addrs && t->src.family != t->dst.family)
		return xfrm_cur_fail(
		    c, "tmpl: \"src\" and \"dst\" must be of the same address family");
	return 0;
}

enum {
	P_SPORT = 512,
	P_DPORT = 1024,
	P_DIR = 2048,
	P_ACTION = 4096,
	P_PRIO = 8192,
};

int xfrm_policy_args(struct xfrm_cur *c, struct xfrm_policy_spec *p, int add)
{
	unsigned seen = 0;
	const char *kw, *s;
	uint64_t v;
	int r = 0;

	while (!r && (kw = xfrm_cur_next(c))) {
		if (strcmp(kw, "src") == 0) {
			if (!(r = xfrm_cur_once(c, &seen, XFRM_SEEN_SRC, kw)))
				r = xfrm_cur_prefix_arg(c, kw, &p->src);
		} else if (strcmp(kw, "dst") == 0) {
			if (!(r = xfrm_cur_once(c, &seen, XFRM_SEEN_DST, kw)))
				r = xfrm_cur_prefix_arg(c, kw, &p->dst);
		} else if (strcmp(kw, "proto") == 0) {
			if (!(r = xfrm_cur_once(c, &seen, XFRM_SEEN_PROTO, kw)))
				r = l4_proto_arg(c, &p->proto);
		} else if (strcmp(kw, "sport") == 0 || strcmp(kw, "dport") == 0) {
			int is_s = kw[0] == 's';
			if (!(r = xfrm_cur_once(c, &seen, is_s ? P_SPORT : P_DPORT, kw)) &&
			    !(r = xfrm_cur_num_arg(c, kw, is_s ? "sport" : "dport", 1, 65535,
						   &v))) {
				if (is_s)
					p->sport = (uint16_t)v;
				else
					p->dport = (uint16_t)v;
			}
		} else if (strcmp(kw, "dir") == 0) {
			if (!(r = xfrm_cur_once(c, &seen, P_DIR, kw)) &&
			    !(r = xfrm_cur_value(c, kw, &s))) {
				if (strcmp(s, "in") == 0)
					p->dir = XFRM_DIR_IN;
				else if (strcmp(s, "out") == 0)
					p->dir = XFRM_DIR_OUT;
				else if (strcmp(s, "fwd") == 0)
					p->dir = XFRM_DIR_FWD;
				else
					r = xfrm_cur_fail(
					    c, "invalid dir \"%s\": expected in, out or fwd", s);
			}
		} else if (!add) {
			r = xfrm_cur_fail(
			    c,
			    "unexpected \"%s\" in \"policy del\": expected src, dst, proto, "
			    "sport, dport, dir",
			    kw);
		} else if (strcmp(kw, "action") == 0) {
			if (!(r = xfrm_cur_once(c, &seen, P_ACTION, kw)) &&
			    !(r = xfrm_cur_value(c, kw, &s))) {
				if (strcmp(s, "allow") == 0)
					p->action = XFRM_ACTION_ALLOW;
				else if (strcmp(s, "block") == 0)
					p->action = XFRM_ACTION_BLOCK;
				else
					r = xfrm_cur_fail(
					    c, "invalid action \"%s\": expected allow or block", s);
			}
		} else if (strcmp(kw, "priority") == 0) {
			if (!(r = xfrm_cur_once(c, &seen, P_PRIO, kw)) &&
			    !(r = xfrm_cur_num_arg(c, kw, "priority", 0, UINT32_MAX, &v)))
				p->priority = (uint32_t)v;
		} else if (strcmp(kw, "tmpl") == 0) {
			r = tmpl_args(c, &p->tmpl);
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
	if (p->src.addr.family != p->dst.addr.family)
		return xfrm_cur_fail(c, "\"src\" and \"dst\" must be of the same address family");
	if ((seen & (P_SPORT | P_DPORT)) && p->proto != IPPROTO_TCP && p->proto != IPPROTO_UDP &&
	    p->proto != IPPROTO_SCTP)
		return xfrm_cur_fail(c, "\"%s\" needs proto tcp, udp or sctp",
				     (seen & P_SPORT) ? "sport" : "dport");
	if (!(seen & P_DIR))
		return xfrm_cur_fail(c, "missing \"dir\"");
	if (p->tmpl.present && p->action == XFRM_ACTION_BLOCK)
		return xfrm_cur_fail(c, "a policy with action block cannot have a \"tmpl\"");
	return 0;
}
