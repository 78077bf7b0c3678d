/* ESP/AH inbound (contract in esp/esp.h, "Inbound"): esp_unprotect with a known SA;
 * esp_input for a received IP packet, finding the SA in the SAD by SPI, destination and
 * protocol; esp_input_udp for the payload of a UDP 4500 socket (non-ESP marker: IKE; one-byte
 * 0xff: NAT keepalive). Replay check before decryption, window advanced after the ICV verifies
 * (RFC 4303 §3.4.3); NAT mapping changes reported (ESP_EV_MAPPING). esp/esp.h includes this
 * header.
 */
#ifndef RAMPART_ESP_ESP_IN_H
#define RAMPART_ESP_ESP_IN_H

#include <stdint.h>

#include "esp/esp.h"

int esp_unprotect(struct esp_sa *sa, struct esp_worker *w, struct esp_buf *pkt, uint64_t now,
		  struct esp_result *res);
int esp_input(struct esp_sad *sad, struct esp_worker *w, struct esp_buf *pkt, uint64_t now,
	      struct esp_result *res);
int esp_input_udp(struct esp_sad *sad, struct esp_worker *w, struct esp_buf *pkt,
		  const struct addr *src, const struct addr *dst, uint16_t sport, uint16_t dport,
		  uint64_t now, struct esp_result *res);

#endif
