/* AH (RFC 4302) processing, called through esp_protect / esp_unprotect (esp.h) for SAs whose
 * protocol is AH. Integrity only: every integrity transform of crypto/integ.h, and AES-GMAC
 * (RFC 4543 §3.2, the ICV field holding the 8-octet IV and the 16-octet tag).
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Header   |  Payload Len  |          RESERVED             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                 Security Parameters Index (SPI)               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Sequence Number Field                      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                Integrity Check Value-ICV (variable)           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * The ICV covers the IP header with its mutable fields zeroed (RFC 4302 §3.3.3.1: IPv4 TOS,
 * flags, fragment offset, TTL, header checksum; IPv6 traffic class, flow label, hop limit and
 * the data of extension-header options whose "may change" bit is set), AH with the ICV zeroed,
 * the payload and, with ESN, the high 32 bits of the sequence number appended (§2.5.1). The
 * ICV field is padded to 32 bits over IPv4 and 64 bits over IPv6 (§2.6). IPv4 options and
 * IPv6 routing headers are authenticated as they are.
 */
#ifndef RAMPART_ESP_AH_H
#define RAMPART_ESP_AH_H

#include <stdint.h>

#include "esp/esp.h"

int esp_ah_out(struct esp_sa *sa, struct esp_worker *w, struct esp_buf *pkt, uint64_t now,
	       struct esp_result *res);
/* h describes the outer IP header of pkt (AH at h->off). */
int esp_ah_in(struct esp_sa *sa, struct esp_worker *w, struct esp_buf *pkt,
	      const struct esp_iphdr *h, uint64_t now, struct esp_result *res);

#endif
