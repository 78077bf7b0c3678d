/* rampartd's record of installed Child SA directions and traps (daemon/ike_inst.h): 10,000
 * entries found by (proto, SPI, dst) and by reqid, traps kept out of SPI lookups, policy
 * references counted per (reqid, selector, dir). */
#include <stdlib.h>
#include <string.h>

#include "daemon/ike_inst.h"
#include "lib/err.h"
#include "support/test.h"

enum { N = 10000 };

static struct ike_inst *entry(uint32_t spi, uint32_t reqid, bool trap)
{
	struct ike_inst *in = ike_inst_alloc(1);

	if (!in)
		return NULL;
	in->spi = spi;
	in->reqid = reqid;
	in->trap = trap;
	in->proto = 50;
	addr_parse(spi % 2 ? "192.0.2.1" : "192.0.2.2", &in->dst, NULL, 0);
	return in;
}

static void test_entries(void)
{
	struct ike_inst_table *t = NULL;
	struct ike_inst *in;
	struct addr d;
	size_t bad = 0, n = 0;

	T_EQ(ike_inst_table_new(&t), 0);
	for (uint32_t i = 0; i < N; i++)
		bad += ike_inst_add(t, entry(0x100 + i, 1 + i % 100, false)) != 0;
	T_EQ(bad, 0);
	T_EQ(ike_inst_add(t, entry(0, 5, true)), 0);
	T_EQ(ike_inst_count(t), N + 1);
	for (uint32_t i = 0; i < N; i++) {
		addr_parse(i % 2 ? "192.0.2.1" : "192.0.2.2", &d, NULL, 0);
		in = ike_inst_find(t, 50, 0x100 + i, &d);
		bad += !in || in->spi != 0x100 + i || ike_inst_find(t, 50, 0x100 + i, NULL) != in ||
		       ike_inst_find_reqid(t, 50, 0x100 + i, 1 + i % 100) != in;
	}
	T_EQ(bad, 0);
	addr_parse("192.0.2.9", &d, NULL, 0);
	T_OK(ike_inst_find(t, 50, 0x101, &d) == NULL, "another destination");
	T_OK(ike_inst_find(t, 51, 0x101, NULL) == NULL, "another protocol");
	T_OK(ike_inst_find_reqid(t, 50, 0x101, 3) == NULL, "another reqid");
	T_OK(ike_inst_find(t, 50, 0, NULL) == NULL, "traps are not found by SPI");
	/* reqid 5: the trap (newest) then entries 4, 104, ... newest first */
	in = ike_inst_reqid(t, 5);
	T_OK(in && in->trap, "the newest entry of the reqid first");
	for (; in; in = in->rnext)
		n += in->reqid == 5;
	T_EQ(n, N / 100 + 1);
	/* remove and free everything of reqid 5 */
	for (struct ike_inst *x = ike_inst_reqid(t, 5), *next; x; x = next) {
		next = x->rnext;
		if (x->reqid != 5)
			continue;
		ike_inst_remove(t, x);
		free(x);
	}
	T_OK(ike_inst_reqid(t, 5) == NULL, "reqid 5 gone");
	T_EQ(ike_inst_count(t), N - N / 100);
	T_OK(ike_inst_find(t, 50, 0x100 + 4, NULL) == NULL, "its entries gone from the SPI index");
	T_OK(ike_inst_find(t, 50, 0x100 + 5, NULL) != NULL, "others stay");
	ike_inst_table_free(t);
}

static void test_policy_refs(void)
{
	struct ike_inst_table *t = NULL;
	struct xfrm_policy_spec p, q;

	T_EQ(ike_inst_table_new(&t), 0);
	memset(&p, 0, sizeof(p));
	prefix_parse("10.1.0.0/16", &p.src, NULL, 0);
	prefix_parse("10.2.0.0/16", &p.dst, NULL, 0);
	p.dir = XFRM_DIR_OUT;
	q = p;
	q.tmpl.src.family = 2; /* the template is not part of the identity */
	T_EQ(ike_inst_pol_ref(t, 7, &p), 1);
	T_EQ(ike_inst_pol_ref(t, 7, &q), 2);
	T_EQ(ike_inst_pol_ref(t, 8, &p), 1); /* another reqid counts apart */
	q.dir = XFRM_DIR_IN;
	T_EQ(ike_inst_pol_ref(t, 7, &q), 1);
	T_EQ(ike_inst_pol_unref(t, 7, &p), 1);
	T_EQ(ike_inst_pol_unref(t, 7, &p), 0);
	T_EQ(ike_inst_pol_unref(t, 7, &p), 0); /* unknown: nothing */
	T_EQ(ike_inst_pol_unref(t, 8, &p), 0);
	for (int i = 0; i < 3000; i++) {
		p.sport = (uint16_t)i;
		if (ike_inst_pol_ref(t, 9, &p) != 1)
			T_OK(0, "ref %d", i);
	}
	for (int i = 0; i < 3000; i++) {
		p.sport = (uint16_t)i;
		if (ike_inst_pol_unref(t, 9, &p) != 0)
			T_OK(0, "unref %d", i);
	}
	T_EQ(ike_inst_pol_unref(t, 7, &q), 0);
	ike_inst_table_free(t);
}

int main(void)
{
	test_entries();
	test_policy_refs();
	return t_finish();
}
