/* libFuzzer harness for the traffic selector and prefix text parsers.
 *
 * Input: text split at the first newline into two selector lists. Checks the invariants:
 * format(parse(x)) parses back to the same selector; an intersection lies inside both
 * operands; narrowing results lie inside both lists. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/addr.h"
#include "lib/err.h"
#include "lib/ts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_roundtrip(const struct ts_list *l)
{
	char buf[TS_STRLEN];
	struct ts again;
	bool dyn = false;

	for (size_t i = 0; i < l->n; i++) {
		ts_format(&l->ts[i], buf, sizeof(buf));
		if (ts_parse(buf, &again, &dyn, NULL, 0) || dyn || !ts_equal(&again, &l->ts[i]))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[1024], err[256];
	struct ts_list a, b, out;
	struct addr_range r;
	struct prefix p;
	struct ts t;
	char *nl;
	bool dyn;

	if (size >= sizeof(text))
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (strlen(text) != size)
		return 0;
	(void)prefix_parse(text, &p, err, sizeof(err));
	if (!addr_range_parse(text, &r, err, sizeof(err))) {
		struct addr_range again;
		char rs[2 * ADDR_STRLEN + 2];

		/* the text form parses back to the same range */
		addr_range_str(&r, rs, sizeof(rs));
		if (addr_range_parse(rs, &again, NULL, 0) || !addr_equal(&r.first, &again.first) ||
		    !addr_equal(&r.last, &again.last) || !addr_range_contains(&r, &r.first) ||
		    !addr_range_contains(&r, &r.last) || !addr_range_size(&r))
			abort();
	}
	(void)ts_parse(text, &t, &dyn, err, sizeof(err));
	nl = strchr(text, '\n');
	if (!nl)
		return 0;
	*nl = '\0';
	if (ts_parse_list(text, &a, err, sizeof(err)) ||
	    ts_parse_list(nl + 1, &b, err, sizeof(err)))
		return 0;
	check_roundtrip(&a);
	check_roundtrip(&b);
	for (size_t i = 0; i < a.n; i++) {
		for (size_t j = 0; j < b.n; j++) {
			if (ts_intersect(&a.ts[i], &b.ts[j], &t))
				continue;
			if (!ts_contains(&a.ts[i], &t) || !ts_contains(&b.ts[j], &t) ||
			    ts_check(&t))
				abort();
		}
	}
	for (unsigned flags = 0; flags < 2; flags++) {
		if (ts_narrow(&a, &b, flags, &out))
			continue;
		for (size_t i = 0; i < out.n; i++)
			if (!ts_list_covers(&a, &out.ts[i]) || !ts_list_covers(&b, &out.ts[i]))
				abort();
	}
	return 0;
}
