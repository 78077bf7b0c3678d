#include "lib/ts.h"

#include <string.h>

#include "lib/err.h"

uint8_t ts_type_for_family(int family)
{
	return family == AF_INET ? TS_IPV4_ADDR_RANGE : family == AF_INET6 ? TS_IPV6_ADDR_RANGE : 0;
}

int ts_family(const struct ts *t)
{
	return t->type == TS_IPV4_ADDR_RANGE   ? AF_INET
	       : t->type == TS_IPV6_ADDR_RANGE ? AF_INET6
					       : 0;
}

bool ts_ports_opaque(uint16_t start, uint16_t end)
{
	return start == TS_PORT_OPAQUE_START && end == TS_PORT_OPAQUE_END;
}

static bool ports_valid(uint16_t start, uint16_t end)
{
	return start <= end || ts_ports_opaque(start, end);
}

bool ts_ports_any(const struct ts *t)
{
	return t->start_port == 0 && t->end_port == 65535;
}

int ts_check(const struct ts *t)
{
	int family = ts_family(t);

	if (!family || t->start.family != family || t->end.family != family)
		return ERR_INVAL;
	if (addr_cmp(&t->start, &t->end) > 0)
		return ERR_INVAL;
	if (!ports_valid(t->start_port, t->end_port))
		return ERR_INVAL;
	return 0;
}

int ts_from_range(struct ts *out, const struct addr *start, const struct addr *end, uint8_t proto,
		  uint16_t start_port, uint16_t end_port)
{
	struct ts t;

	memset(&t, 0, sizeof(t));
	t.type = ts_type_for_family(start->family);
	t.proto = proto;
	t.start_port = start_port;
	t.end_port = end_port;
	t.start = *start;
	t.end = *end;
	if (ts_check(&t))
		return ERR_INVAL;
	*out = t;
	return 0;
}

int ts_from_prefix(struct ts *out, const struct prefix *p, uint8_t proto, uint16_t start_port,
		   uint16_t end_port)
{
	struct addr first, last;

	prefix_first(p, &first);
	prefix_last(p, &last);
	return ts_from_range(out, &first, &last, proto, start_port, end_port);
}

int ts_any(struct ts *out, int family)
{
	struct addr lo, hi;

	if (addr_zero(&lo, family) || addr_ones(&hi, family))
		return ERR_INVAL;
	return ts_from_range(out, &lo, &hi, 0, 0, 65535);
}

int ts_set_dynamic(struct ts *t, const struct addr *host)
{
	struct ts r;

	if (ts_from_range(&r, host, host, t->proto, t->start_port, t->end_port))
		return ERR_INVAL;
	*t = r;
	return 0;
}

bool ts_to_prefix(const struct ts *t, struct prefix *out)
{
	return prefix_from_range(&t->start, &t->end, out) == 0;
}

bool ts_equal(const struct ts *a, const struct ts *b)
{
	return a->type == b->type && a->proto == b->proto && a->start_port == b->start_port &&
	       a->end_port == b->end_port && addr_equal(&a->start, &b->start) &&
	       addr_equal(&a->end, &b->end);
}

/* RFC 4301 §4.4.1: ANY contains OPAQUE; OPAQUE contains only OPAQUE. */
static bool ports_contain(const struct ts *o, const struct ts *i)
{
	bool oo = ts_ports_opaque(o->start_port, o->end_port);
	bool io = ts_ports_opaque(i->start_port, i->end_port);

	if (io)
		return oo || ts_ports_any(o);
	if (oo)
		return false;
	return o->start_port <= i->start_port && i->end_port <= o->end_port;
}

bool ts_contains(const struct ts *outer, const struct ts *inner)
{
	if (!outer->type || outer->type != inner->type)
		return false;
	if (outer->proto && outer->proto != inner->proto)
		return false;
	if (!ports_contain(outer, inner))
		return false;
	return addr_cmp(&outer->start, &inner->start) <= 0 &&
	       addr_cmp(&inner->end, &outer->end) <= 0;
}

bool ts_match(const struct ts *t, const struct addr *a, uint8_t proto, uint16_t port,
	      bool port_known)
{
	if (!t->type || a->family != ts_family(t))
		return false;
	if (t->proto && t->proto != proto)
		return false;
	if (addr_cmp(&t->start, a) > 0 || addr_cmp(a, &t->end) > 0)
		return false;
	if (!port_known)
		return ts_ports_any(t) || ts_ports_opaque(t->start_port, t->end_port);
	if (ts_ports_opaque(t->start_port, t->end_port))
		return false;
	return t->start_port <= port && port <= t->end_port;
}

int ts_intersect(const struct ts *a, const struct ts *b, struct ts *out)
{
	struct ts r;
	bool ao = ts_ports_opaque(a->start_port, a->end_port);
	bool bo = ts_ports_opaque(b->start_port, b->end_port);

	if (!a->type || a->type != b->type)
		return ERR_NOTFOUND;
	if (a->proto && b->proto && a->proto != b->proto)
		return ERR_NOTFOUND;
	memset(&r, 0, sizeof(r));
	r.type = a->type;
	r.proto = a->proto ? a->proto : b->proto;
	if (ao || bo) {
		/* OPAQUE survives only against OPAQUE or ANY */
		if (!((ao || ts_ports_any(a)) && (bo || ts_ports_any(b))))
			return ERR_NOTFOUND;
		r.start_port = TS_PORT_OPAQUE_START;
		r.end_port = TS_PORT_OPAQUE_END;
	} else {
		r.start_port = a->start_port > b->start_port ? a->start_port : b->start_port;
		r.end_port = a->end_port < b->end_port ? a->end_port : b->end_port;
		if (r.start_port > r.end_port)
			return ERR_NOTFOUND;
	}
	r.start = addr_cmp(&a->start, &b->start) >= 0 ? a->start : b->start;
	r.end = addr_cmp(&a->end, &b->end) <= 0 ? a->end : b->end;
	if (addr_cmp(&r.start, &r.end) > 0)
		return ERR_NOTFOUND;
	*out = r;
	return 0;
}

void ts_list_init(struct ts_list *l)
{
	memset(l, 0, sizeof(*l));
}

int ts_list_add(struct ts_list *l, const struct ts *t)
{
	if (l->n >= TS_LIST_MAX)
		return ERR_LIMIT;
	l->ts[l->n++] = *t;
	return 0;
}

bool ts_list_covers(const struct ts_list *l, const struct ts *t)
{
	for (size_t i = 0; i < l->n; i++)
		if (ts_contains(&l->ts[i], t))
			return true;
	return false;
}

/* Adds r unless a result already contains it; results r contains are dropped and r takes the
 * place of the first of them, so the order follows the proposal. */
static int narrow_add(struct ts_list *l, const struct ts *r)
{
	size_t i, j, at = SIZE_MAX;

	for (i = 0; i < l->n; i++)
		if (ts_contains(&l->ts[i], r))
			return 0;
	for (i = 0, j = 0; i < l->n; i++) {
		if (ts_contains(r, &l->ts[i])) {
			if (at == SIZE_MAX)
				at = j;
			continue;
		}
		l->ts[j++] = l->ts[i];
	}
	l->n = j;
	if (at == SIZE_MAX)
		return ts_list_add(l, r);
	memmove(&l->ts[at + 1], &l->ts[at], (l->n - at) * sizeof(l->ts[0]));
	l->ts[at] = *r;
	l->n++;
	return 0;
}

int ts_narrow(const struct ts_list *proposed, const struct ts_list *policy, unsigned flags,
	      struct ts_list *out)
{
	struct ts_list res;
	struct ts r;
	int rc;

	if (proposed->n > TS_LIST_MAX || policy->n > TS_LIST_MAX)
		return ERR_INVAL;
	if ((flags & TS_NARROW_FIRST_IS_PACKET) && !proposed->n)
		return ERR_INVAL;
	ts_list_init(&res);
	for (size_t i = 0; i < proposed->n; i++) {
		for (size_t j = 0; j < policy->n; j++) {
			if (ts_intersect(&proposed->ts[i], &policy->ts[j], &r))
				continue;
			rc = narrow_add(&res, &r);
			if (rc)
				return rc;
		}
	}
	if (!res.n)
		return ERR_NOTFOUND;
	if (flags & TS_NARROW_FIRST_IS_PACKET) {
		size_t i;

		for (i = 0; i < res.n; i++)
			if (ts_contains(&res.ts[i], &proposed->ts[0]))
				break;
		if (i == res.n)
			return ERR_NOTFOUND; /* this policy cannot carry the packet */
		r = res.ts[i];
		memmove(&res.ts[1], &res.ts[0], i * sizeof(res.ts[0]));
		res.ts[0] = r;
	}
	*out = res;
	return 0;
}
