/* GSO segmentation of TUN super-packets: the first 10 bytes are the virtio_net_hdr, the rest
 * the packet. */
#include <stdint.h>
#include <stdlib.h>

#include "daemon/gso.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t mem[GSO_MAX_SEGS][2048];
	static uint8_t *bufs[GSO_MAX_SEGS];
	size_t lens[GSO_MAX_SEGS], count;

	if (size < GSO_VNET_HDR_LEN)
		return 0;
	for (size_t i = 0; i < GSO_MAX_SEGS; i++)
		bufs[i] = mem[i];
	(void)gso_split(data, data + GSO_VNET_HDR_LEN, size - GSO_VNET_HDR_LEN, bufs, 2048, 64,
			GSO_MAX_SEGS, lens, &count);
	return 0;
}
