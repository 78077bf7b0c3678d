/* The local-address cache's rtnetlink parser (daemon/netmon.c): the input is a sequence of
 * datagrams, each prefixed by a 2-byte length, applied to one cache. Invariants: every entry
 * enumerated is found by its address, a watcher sees exactly the adds minus the deletes. */
#include <stdint.h>
#include <stdlib.h>

#include "daemon/netmon.h"
#include "lib/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void count(void *ctx, enum netmon_event ev, const struct netmon_addr *a)
{
	long *n = ctx;

	if (!a->addr.family)
		abort();
	if (ev == NETMON_ADDR_ADD)
		(*n)++;
	else if (ev == NETMON_ADDR_DEL)
		(*n)--;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct netmon *nm = NULL;
	struct buf_reader r;
	long n = 0;

	if (netmon_new_detached(&nm))
		return 0;
	netmon_watch(nm, count, &n);
	buf_reader_init(&r, data, size);
	while (!buf_empty(&r)) {
		uint16_t len;
		size_t take;
		const uint8_t *p;
		if (buf_get_u16(&r, &len))
			break;
		take = len < buf_remaining(&r) ? len : buf_remaining(&r);
		buf_get_ref(&r, take, &p);
		netmon_input(nm, p, take);
	}
	if ((size_t)n != netmon_count(nm))
		abort();
	for (size_t i = 0; i < netmon_count(nm); i++) {
		struct netmon_addr a;
		if (netmon_get(nm, i, &a) || !netmon_is_local(nm, &a.addr))
			abort();
	}
	netmon_free(nm);
	return 0;
}
