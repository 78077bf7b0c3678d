/* MOBIKE in rampartd: our address changed (daemon/ike_roam.h). */
#include "daemon/ike_roam.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/rtnl.h"
#include "ike/ike.h"
#include "lib/err.h"
#include "lib/log.h"

static void say(char *msg, size_t msglen, size_t *used, const char *line)
{
	int n;

	if (!msg || *used >= msglen)
		return;
	n = snprintf(msg + *used, msglen - *used, "%s\n", line);
	if (n > 0)
		*used += (size_t)n < msglen - *used ? (size_t)n : msglen - *used - 1;
}

size_t ike_roam(struct ike_engine *eng, uint64_t now_ms, uint32_t fwmark, uint32_t only_id,
		const struct addr *forced, bool always, char *msg, size_t msglen)
{
	struct ike_mobike_sa *sas = calloc(IKE_ROAM_MAX, sizeof(*sas));
	size_t n, moved = 0, used = 0;
	struct rtnl nl = {.fd = -1};
	char line[256], a[ADDR_STRLEN], b[ADDR_STRLEN];

	if (msg && msglen)
		msg[0] = '\0';
	if (!sas) {
		say(msg, msglen, &used, "out of memory");
		return 0;
	}
	n = ike_engine_mobike_sas(eng, sas, IKE_ROAM_MAX);
	if (!forced && rtnl_open(&nl) != 0) {
		log_warn(LOG_IKE, "MOBIKE: no rtnetlink socket for route lookups: %s",
			 strerror(errno));
		say(msg, msglen, &used, "no rtnetlink socket");
		n = 0;
	}
	for (size_t i = 0; i < n; i++) {
		struct addr src;
		int rc;

		if (only_id && sas[i].id != only_id)
			continue;
		if (forced) {
			src = *forced;
		} else {
			rc = rtnl_route_src(&nl, &sas[i].path.remote, fwmark, &src);
			if (rc) {
				snprintf(line, sizeof(line),
					 "IKE_SA #%u: no route to %s (%s): waiting for an address",
					 sas[i].id, addr_str(&sas[i].path.remote, a, sizeof(a)),
					 rc == ERR_IO ? strerror(errno) : err_str(rc));
				log_info(LOG_IKE, "MOBIKE: %s", line);
				say(msg, msglen, &used, line);
				continue;
			}
		}
		if (addr_equal(&src, &sas[i].path.local) && !always)
			continue;
		rc = ike_engine_mobike_update(eng, now_ms, sas[i].id, &src);
		snprintf(line, sizeof(line), "IKE_SA #%u: %s -> %s: %s", sas[i].id,
			 addr_str(&sas[i].path.local, a, sizeof(a)), addr_str(&src, b, sizeof(b)),
			 rc == 0 ? "address update sent" : err_str(rc));
		log_info(LOG_IKE, "MOBIKE: %s", line);
		say(msg, msglen, &used, line);
		if (rc == 0)
			moved++;
	}
	if (only_id && used == 0)
		say(msg, msglen, &used,
		    "no such IKE_SA with MOBIKE initiated by us, or nothing to do");
	rtnl_close(&nl);
	free(sas);
	return moved;
}
