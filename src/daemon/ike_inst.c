#include "daemon/ike_inst.h"

#include <stdlib.h>
#include <string.h>

#include "lib/err.h"

#define IKE_INST_HASH_MIN 64

struct polref {
	uint32_t reqid;
	unsigned long refs;
	struct xfrm_policy_spec sel; /* selector and dir are what count */
	struct polref *next;
};

struct ike_inst_table {
	struct ike_inst **spi, **reqid; /* mask + 1 heads each */
	size_t mask, n;
	struct polref **pol;
	size_t pmask, npol;
};

static uint32_t mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	return (uint32_t)(h ^ (h >> 33));
}

static size_t spi_slot(const struct ike_inst_table *t, uint8_t proto, uint32_t spi)
{
	return mix((uint64_t)proto << 32 | spi) & t->mask;
}

static size_t reqid_slot(const struct ike_inst_table *t, uint32_t reqid)
{
	return mix((uint64_t)reqid << 8 | 0xa5) & t->mask;
}

static uint32_t addr_mix(const struct addr *a)
{
	uint64_t w[2];

	memcpy(w, a->bytes, 16);
	return mix(w[0] ^ mix(w[1] ^ a->family));
}

static size_t pol_slot(const struct ike_inst_table *t, uint32_t reqid,
		       const struct xfrm_policy_spec *p)
{
	uint64_t h = (uint64_t)reqid << 32 | (uint64_t)p->dir << 24 | (uint64_t)p->proto << 16 |
		     (uint64_t)p->src.len << 8 | p->dst.len;

	h ^= (uint64_t)p->sport << 48 ^ (uint64_t)p->dport << 32;
	return mix(h ^ addr_mix(&p->src.addr) ^ (uint64_t)addr_mix(&p->dst.addr) << 32) & t->pmask;
}

static bool same_sel(const struct xfrm_policy_spec *a, const struct xfrm_policy_spec *b)
{
	return a->dir == b->dir && a->src.len == b->src.len && a->dst.len == b->dst.len &&
	       addr_equal(&a->src.addr, &b->src.addr) && addr_equal(&a->dst.addr, &b->dst.addr) &&
	       a->proto == b->proto && a->sport == b->sport && a->dport == b->dport;
}

int ike_inst_table_new(struct ike_inst_table **out)
{
	struct ike_inst_table *t = calloc(1, sizeof(*t));

	if (!t)
		return ERR_NOMEM;
	t->mask = t->pmask = IKE_INST_HASH_MIN - 1;
	t->spi = calloc(IKE_INST_HASH_MIN, sizeof(*t->spi));
	t->reqid = calloc(IKE_INST_HASH_MIN, sizeof(*t->reqid));
	t->pol = calloc(IKE_INST_HASH_MIN, sizeof(*t->pol));
	if (!t->spi || !t->reqid || !t->pol) {
		ike_inst_table_free(t);
		return ERR_NOMEM;
	}
	*out = t;
	return 0;
}

void ike_inst_table_free(struct ike_inst_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; t->spi && i <= t->mask; i++) {
		while (t->spi[i]) {
			struct ike_inst *in = t->spi[i];
			t->spi[i] = in->hnext;
			free(in);
		}
	}
	for (size_t i = 0; t->pol && i <= t->pmask; i++) {
		while (t->pol[i]) {
			struct polref *p = t->pol[i];
			t->pol[i] = p->next;
			free(p);
		}
	}
	free(t->spi);
	free(t->reqid);
	free(t->pol);
	free(t);
}

size_t ike_inst_count(const struct ike_inst_table *t)
{
	return t->n;
}

struct ike_inst *ike_inst_alloc(size_t npol)
{
	struct ike_inst *in = calloc(1, sizeof(*in) + npol * sizeof(in->pol[0]));

	if (in)
		in->npol = npol;
	return in;
}

static void link_reqid(struct ike_inst_table *t, struct ike_inst *in)
{
	struct ike_inst **h = &t->reqid[reqid_slot(t, in->reqid)];

	in->rprev = NULL;
	in->rnext = *h;
	if (*h)
		(*h)->rprev = in;
	*h = in;
}

/* Doubles both entry hashes. A reqid chain is rebuilt in its old order (newest first). */
static int grow(struct ike_inst_table *t)
{
	size_t n = (t->mask + 1) * 2, old = t->mask + 1;
	struct ike_inst **s = calloc(n, sizeof(*s)), **q = calloc(n, sizeof(*q));
	struct ike_inst **os = t->spi, **oq = t->reqid;

	if (!s || !q) {
		free(s);
		free(q);
		return ERR_NOMEM;
	}
	t->spi = s;
	t->reqid = q;
	t->mask = n - 1;
	for (size_t i = 0; i < old; i++) {
		struct ike_inst *tail = NULL;
		while (os[i]) {
			struct ike_inst *in = os[i], **h;
			os[i] = in->hnext;
			h = &t->spi[spi_slot(t, in->proto, in->spi)];
			in->hnext = *h;
			*h = in;
		}
		for (struct ike_inst *in = oq[i]; in; in = in->rnext)
			tail = in;
		for (struct ike_inst *in = tail, *prev; in; in = prev) {
			prev = in->rprev;
			link_reqid(t, in);
		}
	}
	free(os);
	free(oq);
	return 0;
}

int ike_inst_add(struct ike_inst_table *t, struct ike_inst *in)
{
	struct ike_inst **h;

	if (t->n >= IKE_INST_MAX)
		return ERR_LIMIT;
	if (t->n > t->mask && grow(t))
		return ERR_NOMEM;
	h = &t->spi[spi_slot(t, in->proto, in->spi)];
	in->hnext = *h;
	*h = in;
	link_reqid(t, in);
	t->n++;
	return 0;
}

void ike_inst_remove(struct ike_inst_table *t, struct ike_inst *in)
{
	struct ike_inst **pp = &t->spi[spi_slot(t, in->proto, in->spi)];

	while (*pp && *pp != in)
		pp = &(*pp)->hnext;
	if (!*pp)
		return;
	*pp = in->hnext;
	if (in->rprev)
		in->rprev->rnext = in->rnext;
	else
		t->reqid[reqid_slot(t, in->reqid)] = in->rnext;
	if (in->rnext)
		in->rnext->rprev = in->rprev;
	in->hnext = in->rnext = in->rprev = NULL;
	t->n--;
}

struct ike_inst *ike_inst_find(const struct ike_inst_table *t, uint8_t proto, uint32_t spi,
			       const struct addr *dst)
{
	for (struct ike_inst *in = t->spi[spi_slot(t, proto, spi)]; in; in = in->hnext)
		if (!in->trap && in->proto == proto && in->spi == spi &&
		    (!dst || addr_equal(&in->dst, dst)))
			return in;
	return NULL;
}

struct ike_inst *ike_inst_find_reqid(const struct ike_inst_table *t, uint8_t proto, uint32_t spi,
				     uint32_t reqid)
{
	for (struct ike_inst *in = t->spi[spi_slot(t, proto, spi)]; in; in = in->hnext)
		if (!in->trap && in->proto == proto && in->spi == spi && in->reqid == reqid)
			return in;
	return NULL;
}

struct ike_inst *ike_inst_reqid(const struct ike_inst_table *t, uint32_t reqid)
{
	for (struct ike_inst *in = t->reqid[reqid_slot(t, reqid)]; in; in = in->rnext)
		if (in->reqid == reqid)
			return in;
	return NULL;
}

static struct polref **pol_find(struct ike_inst_table *t, uint32_t reqid,
				const struct xfrm_policy_spec *p)
{
	struct polref **pp = &t->pol[pol_slot(t, reqid, p)];

	while (*pp && !((*pp)->reqid == reqid && same_sel(&(*pp)->sel, p)))
		pp = &(*pp)->next;
	return pp;
}

static int pol_grow(struct ike_inst_table *t)
{
	size_t n = (t->pmask + 1) * 2, old = t->pmask + 1;
	struct polref **h = calloc(n, sizeof(*h)), **oh = t->pol;

	if (!h)
		return ERR_NOMEM;
	t->pol = h;
	t->pmask = n - 1;
	for (size_t i = 0; i < old; i++) {
		while (oh[i]) {
			struct polref *p = oh[i], **b;
			oh[i] = p->next;
			b = &t->pol[pol_slot(t, p->reqid, &p->sel)];
			p->next = *b;
			*b = p;
		}
	}
	free(oh);
	return 0;
}

long ike_inst_pol_ref(struct ike_inst_table *t, uint32_t reqid, const struct xfrm_policy_spec *p)
{
	struct polref **pp = pol_find(t, reqid, p), *n;

	if (*pp)
		return (long)++(*pp)->refs;
	if (t->npol > t->pmask) {
		if (pol_grow(t))
			return ERR_NOMEM;
		pp = pol_find(t, reqid, p);
	}
	n = calloc(1, sizeof(*n));
	if (!n)
		return ERR_NOMEM;
	n->reqid = reqid;
	n->refs = 1;
	n->sel = *p;
	*pp = n;
	t->npol++;
	return 1;
}

long ike_inst_pol_unref(struct ike_inst_table *t, uint32_t reqid, const struct xfrm_policy_spec *p)
{
	struct polref **pp = pol_find(t, reqid, p), *n = *pp;

	if (!n)
		return 0;
	if (--n->refs)
		return (long)n->refs;
	*pp = n->next;
	free(n);
	t->npol--;
	return 0;
}
