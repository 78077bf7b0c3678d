#include "esp/dp.h"

#include <string.h>

#include "lib/err.h"

int esp_output(struct esp_spd *spd, struct esp_sad *sad, struct esp_worker *w, struct esp_buf *pkt,
	       uint64_t now, struct esp_result *res)
{
	const struct esp_policy *pol;
	struct esp_flow flow;
	struct esp_sa *sa;
	int err;

	memset(res, 0, sizeof(*res));
	err = esp_flow_from_packet(esp_buf_data(pkt), pkt->len, &flow);
	if (err)
		return esp_drop(NULL, w, res, ESP_DROP_MALFORMED, err);
	pol = esp_spd_lookup(spd, ESP_DIR_OUT, &flow);
	if (pol == NULL || pol->action == ESP_ACTION_DISCARD)
		return esp_drop(NULL, w, res, ESP_DROP_POLICY, ERR_NOTFOUND);
	if (pol->action == ESP_ACTION_BYPASS) {
		res->kind = ESP_RES_DELIVER;
		return 0;
	}
	sa = esp_sad_lookup_out(sad, pol->tmpl.reqid);
	if (sa == NULL) {
		res->reqid = pol->tmpl.reqid;
		res->events = ESP_EV_ACQUIRE;
		return esp_drop(NULL, w, res, ESP_DROP_NO_SA, ERR_NOTFOUND);
	}
	err = esp_protect(sa, w, pkt, now, res);
	esp_sa_put(sa);
	return err;
}

int esp_input_policy(struct esp_spd *spd, const uint8_t *pkt, size_t len, uint32_t reqid,
		     uint8_t proto, uint8_t mode)
{
	const struct esp_policy *pol;
	struct esp_flow flow;

	if (esp_flow_from_packet(pkt, len, &flow) != 0)
		return ERR_NOTFOUND;
	pol = esp_spd_lookup(spd, ESP_DIR_IN, &flow);
	if (pol == NULL || pol->action == ESP_ACTION_DISCARD)
		return ERR_NOTFOUND;
	if (reqid == 0)
		return pol->action == ESP_ACTION_BYPASS ? 0 : ERR_NOTFOUND;
	if (pol->action != ESP_ACTION_PROTECT)
		return ERR_NOTFOUND;
	if (pol->tmpl.reqid != 0)
		return pol->tmpl.reqid == reqid ? 0 : ERR_NOTFOUND;
	return pol->tmpl.proto == proto && pol->tmpl.mode == mode ? 0 : ERR_NOTFOUND;
}
