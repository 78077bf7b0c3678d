/* Receive coalescing of decrypted (peer-controlled) packets: the input is a sequence of
 * packets, each a 2-byte big-endian length and the bytes; every taken super-packet must
 * segment back without error. */
#include <stdint.h>
#include <stdlib.h>

#include "daemon/gro.h"
#include "daemon/gso.h"
#include "lib/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void take(struct gro *g)
{
	static uint8_t mem[GSO_MAX_SEGS][2048];
	static uint8_t *bufs[GSO_MAX_SEGS];
	size_t lens[GSO_MAX_SEGS], n, len;
	const uint8_t *p = gro_take(g, &len);

	if (!p)
		return;
	for (size_t i = 0; i < GSO_MAX_SEGS; i++)
		bufs[i] = mem[i];
	if (gso_split(p, p + GSO_VNET_HDR_LEN, len - GSO_VNET_HDR_LEN, bufs, 2048, 64, GSO_MAX_SEGS,
		      lens, &n) != 0 &&
	    len - GSO_VNET_HDR_LEN <= 1900)
		abort(); /* a chain we built must be valid for the kernel */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf_reader r;
	struct gro g;
	uint16_t n;
	const uint8_t *p;

	if (gro_init(&g))
		return 0;
	buf_reader_init(&r, data, size);
	while (!buf_get_u16(&r, &n) && !buf_get_ref(&r, n, &p)) {
		if (gro_add(&g, p, n))
			continue;
		take(&g);
		if (gro_candidate(p, n))
			gro_add(&g, p, n);
	}
	take(&g);
	gro_cleanup(&g);
	return 0;
}
