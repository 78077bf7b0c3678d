/* Netlink framing (daemon/nlmsg.h): the input is one datagram, read as an acknowledgement, as
 * an RTM_GETROUTE answer for both families, and walked message by message with every body's
 * attributes, as rtnl.c and netmon.c read the kernel's answers. Invariants: a walk ends, and
 * what it hands out lies inside the input. */
#include <stdint.h>
#include <stdlib.h>

#include "daemon/nlmsg.h"
#include "lib/addr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf_reader r, body, val;
	struct nlmsghdr h;
	struct rtattr a;
	struct addr src;
	int err = 0, seq = size ? data[0] : 0;
	size_t total = 0;

	(void)nlmsg_find_ack(data, size, (uint32_t)seq, &err);
	(void)nlmsg_route_src(data, size, (uint32_t)seq, AF_INET, &src, &err);
	(void)nlmsg_route_src(data, size, (uint32_t)seq, AF_INET6, &src, &err);
	buf_reader_init(&r, data, size);
	while (nlmsg_next(&r, &h, &body) == 1) {
		total += NLMSG_HDRLEN + buf_remaining(&body);
		(void)buf_skip(&body, buf_remaining(&body) < sizeof(struct rtmsg)
					  ? buf_remaining(&body)
					  : sizeof(struct rtmsg));
		while (nlmsg_attr_next(&body, &a, &val) == 1)
			if (buf_remaining(&val) > size)
				abort();
	}
	if (total > size)
		abort();
	return 0;
}
