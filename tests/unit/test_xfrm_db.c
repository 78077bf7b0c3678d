/* The control side's state and policy tables (daemon/xfrm_db.h) past the old fixed 4,096:
 * 20,000 states found by their SAD key, reqid chains newest first, removal keeping the
 * insertion order of the rest, duplicate keys refused, policies by selector with the
 * generation counter the data plane relies on. */
#include <stdio.h>
#include <string.h>

#include "daemon/xfrm_db.h"
#include "lib/err.h"
#include "support/test.h"

enum { N = 20000 };

static void spec(struct xfrm_state_spec *s, uint32_t spi, uint32_t reqid)
{
	memset(s, 0, sizeof(*s));
	addr_parse("192.0.2.1", &s->src, NULL, 0);
	addr_parse(spi % 2 ? "192.0.2.2" : "2001:db8::2", &s->dst, NULL, 0);
	if (s->dst.family != s->src.family)
		addr_parse("2001:db8::1", &s->src, NULL, 0);
	s->proto = 50;
	s->spi = spi;
	s->reqid = reqid;
}

static void test_states(void)
{
	struct xfrm_db db;
	struct xfrm_state_spec s;
	struct xfrm_db_state *st = NULL;
	size_t bad = 0, n = 0;
	uint32_t prev_spi = 0;

	T_EQ(xfrm_db_init(&db), 0);
	for (uint32_t i = 0; i < N; i++) {
		spec(&s, 0x1000 + i, 1 + i % 10);
		if (xfrm_db_state_add(&db, &s, i % 2 ? XFRM_DIR_IN : XFRM_DIR_OUT, &st))
			bad++;
	}
	T_EQ(bad, 0);
	T_EQ(db.n_states, N);
	spec(&s, 0x1000 + 7, 3);
	T_EQ(xfrm_db_state_add(&db, &s, XFRM_DIR_IN, &st), ERR_EXISTS);
	for (uint32_t i = 0; i < N; i++) {
		spec(&s, 0x1000 + i, 0);
		st = xfrm_db_state_find(&db, &s.dst, 50, s.spi);
		bad += !st || st->spec.spi != s.spi;
	}
	T_EQ(bad, 0);
	spec(&s, 0x1000 + 1, 0); /* right SPI, other destination family */
	T_OK(xfrm_db_state_find(&db, &s.src, 50, s.spi) == NULL, "SAD key includes dst");
	T_OK(xfrm_db_state_find(&db, &s.dst, 51, s.spi) == NULL, "SAD key includes proto");
	/* reqid 4: states 3, 13, 23, ... newest (19993) first */
	st = xfrm_db_state_reqid(&db, 4);
	T_OK(st && st->spec.spi == 0x1000 + 19993, "newest state of the reqid first");
	for (; st; st = st->rnext) {
		if (st->spec.reqid != 4)
			continue;
		bad += prev_spi && st->spec.spi >= prev_spi;
		prev_spi = st->spec.spi;
		n++;
	}
	T_EQ(bad, 0);
	T_EQ(n, N / 10);
	/* remove every even-numbered state: the rest keep their order and keys */
	for (uint32_t i = 0; i < N; i += 2) {
		spec(&s, 0x1000 + i, 0);
		xfrm_db_state_remove(&db, xfrm_db_state_find(&db, &s.dst, 50, s.spi));
	}
	T_EQ(db.n_states, N / 2);
	n = 0;
	prev_spi = 0;
	for (st = db.first; st; st = st->next, n++) {
		bad += st->spec.spi % 2 == 0 || st->spec.spi <= prev_spi;
		prev_spi = st->spec.spi;
	}
	T_EQ(bad, 0);
	T_EQ(n, N / 2);
	st = xfrm_db_state_reqid(&db, 3); /* states 2, 12, ...: all removed */
	T_OK(st == NULL || st->spec.reqid != 3, "a reqid whose states all went has none");
	/* moving a state's key */
	spec(&s, 0x1000 + 1, 0);
	st = xfrm_db_state_find(&db, &s.dst, 50, s.spi);
	T_OK(st != NULL, "state 1 present");
	if (st) {
		xfrm_db_state_key_detach(&db, st);
		addr_parse("192.0.2.99", &st->spec.dst, NULL, 0);
		xfrm_db_state_key_attach(&db, st);
		T_OK(xfrm_db_state_find(&db, &s.dst, 50, s.spi) == NULL, "old key gone");
		T_OK(xfrm_db_state_find(&db, &st->spec.dst, 50, s.spi) == st, "new key found");
	}
	xfrm_db_cleanup(&db);
}

static void test_policies(void)
{
	struct xfrm_db db;
	struct xfrm_policy_spec p;
	uint64_t gen;
	size_t bad = 0;

	T_EQ(xfrm_db_init(&db), 0);
	for (int i = 0; i < 5000; i++) {
		char b[32];
		memset(&p, 0, sizeof(p));
		prefix_parse("10.1.0.0/16", &p.src, NULL, 0);
		snprintf(b, sizeof(b), "10.%d.%d.0/24", 100 + i / 256, i % 256);
		prefix_parse(b, &p.dst, NULL, 0);
		p.dir = i % 2 ? XFRM_DIR_IN : XFRM_DIR_OUT;
		bad += xfrm_db_policy_add(&db, &p) != 0;
	}
	T_EQ(bad, 0);
	T_EQ(db.n_policies, 5000);
	gen = db.policy_gen;
	T_EQ(xfrm_db_policy_add(&db, &p), ERR_EXISTS);
	T_EQ(db.policy_gen, gen);
	p.dir = p.dir == XFRM_DIR_IN ? XFRM_DIR_OUT : XFRM_DIR_IN;
	T_OK(xfrm_db_policy_find(&db, &p) == NULL, "dir is part of the identity");
	p.dir = p.dir == XFRM_DIR_IN ? XFRM_DIR_OUT : XFRM_DIR_IN;
	p.tmpl.reqid = 77; /* the template is not */
	T_OK(xfrm_db_policy_find(&db, &p) == db.plast, "found by selector and dir");
	xfrm_db_policy_remove(&db, xfrm_db_policy_find(&db, &p));
	T_OK(db.policy_gen > gen, "removal bumps the generation");
	T_OK(xfrm_db_policy_find(&db, &p) == NULL, "removed");
	T_EQ(db.n_policies, 4999);
	gen = db.policy_gen;
	xfrm_db_policies_changed(&db);
	T_OK(db.policy_gen > gen, "in-place change bumps the generation");
	xfrm_db_policy_flush(&db);
	T_EQ(db.n_policies, 0);
	T_OK(db.pfirst == NULL && db.plast == NULL, "flushed");
	xfrm_db_cleanup(&db);
}

int main(void)
{
	test_states();
	test_policies();
	return t_finish();
}
