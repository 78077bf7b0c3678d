/* rampartd's config reader (swanctl.conf syntax, the rampart section and its xfrm entries). */
#include <stdint.h>
#include <stdlib.h>

#include "daemon/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct daemon_config c;
	char err[512];

	if (config_parse(&c, "fuzz", (const char *)data, size, err, sizeof(err)) == 0)
		config_cleanup(&c);
	return 0;
}
