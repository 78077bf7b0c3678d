/* The data-plane decisions around ESP processing (RFC 4301 §5.1, §5.2): SPD lookup for
 * outbound clear packets and the inbound policy checks, so the daemon's workers call one
 * function per packet and direction.
 *
 * Outbound, esp_output: the flow of the clear packet selects the first matching outbound
 * policy. DISCARD -> ERR_NOTFOUND (drop; res.kind NONE, counted as policy); BYPASS -> 0 with
 * res.kind ESP_RES_DELIVER (send the packet in the clear); PROTECT -> the current outbound SA
 * of the policy's reqid protects it (esp_protect, whose result kinds apply). No policy at all
 * -> discard (RFC 4301 §5.1: the SPD must be complete; install a bypass-all policy for the
 * opposite default). A protect policy without a live SA -> ERR_NOTFOUND with res.reqid set
 * and res.events ESP_EV_ACQUIRE: the IKE side should negotiate an SA (RFC 4301 §5.1 step 3b).
 *
 * Inbound, esp_input_policy after a successful esp_input / esp_input_udp (ESP_RES_DELIVER),
 * or with reqid 0 for a clear packet that did not arrive under IPsec: the first inbound policy
 * matching the clear packet's flow must be PROTECT with the SA's reqid (when the template's
 * reqid is 0, any SA of the template's protocol and mode), or BYPASS for a clear packet.
 * 0 when the packet may be delivered, ERR_NOTFOUND otherwise (RFC 4301 §5.2 step 4 / §5.2.1).
 */
#ifndef RAMPART_ESP_DP_H
#define RAMPART_ESP_DP_H

#include <stdint.h>

#include "esp/esp.h"
#include "esp/sad.h"
#include "esp/spd.h"

int esp_output(struct esp_spd *spd, struct esp_sad *sad, struct esp_worker *w, struct esp_buf *pkt,
	       uint64_t now, struct esp_result *res);
/* proto/mode are the delivering SA's (ignored when reqid is 0). */
int esp_input_policy(struct esp_spd *spd, const uint8_t *pkt, size_t len, uint32_t reqid,
		     uint8_t proto, uint8_t mode);

#endif
