/* Control-socket request parser: frame length, request decoding, and the ip-xfrm argument
 * parser the daemon runs on a decoded "xfrm ..." request; also the client's response decoder. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/xfrm_args.h"
#include "lib/ctlmsg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ctlmsg_request req;
	size_t len;

	if (size >= CTLMSG_HDR && ctlmsg_frame_len(data, &len) == 0 && len <= size - CTLMSG_HDR) {
		if (ctlmsg_request_decode(data + CTLMSG_HDR, len, &req) == 0 && req.argc > 0 &&
		    strcmp(req.argv[0], "xfrm") == 0) {
			char err[XFRM_ERR_MAX];
			struct xfrm_cmd cmd;
			if (xfrm_args_parse(req.argc - 1, req.argv + 1, &cmd, err, sizeof(err)) ==
			    0)
				xfrm_cmd_cleanup(&cmd);
		}
	}
	if (ctlmsg_request_decode(data, size, &req) == 0 && req.argc > 1) {
		char err[XFRM_ERR_MAX];
		struct xfrm_cmd cmd;
		if (xfrm_args_parse(req.argc, req.argv, &cmd, err, sizeof(err)) == 0)
			xfrm_cmd_cleanup(&cmd);
	}
	enum ctlmsg_kind kind;
	const uint8_t *p;
	size_t n;
	(void)ctlmsg_response_decode(data, size, &kind, &p, &n);
	return 0;
}
