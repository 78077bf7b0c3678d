/* ESP (RFC 4303) processing on caller buffers, and the entry points of the data plane.
 *
 * No I/O, no clock (now is the caller's time, in the unit of the SA's lifetimes), no
 * allocation. A packet is an esp_buf (pkt.h) with headroom/tailroom; results are produced in
 * place.
 *
 * Outbound, esp_protect(sa, ...): pkt holds a clear IP packet (bytes beyond its IP length are
 * ignored). On 0, res.kind says what pkt now holds:
 *   ESP_RES_SEND      the protected packet, a complete IP packet (outer header in tunnel mode;
 *                     in transport mode the original header moved in front with protocol,
 *                     length and checksum fixed; with UDP encapsulation an IP+UDP packet).
 *                     res.l4_off is the offset of the ESP/AH header (of the UDP header when
 *                     encapsulated), res.payload_off that of what a UDP socket would send.
 *   ESP_RES_ICMP      the packet did not fit the SA's MTU: pkt now holds an ICMP "fragmentation
 *                     needed" / ICMPv6 "packet too big" for the sender (write it to the TUN).
 *   ESP_RES_FRAGMENT  an IPv4 packet without DF did not fit: fragment it with
 *                     esp_ip4_fragment (pmtu.h) to res.frag_mtu and protect each fragment
 *                     (RFC 4303 §3.3.4 leaves outer fragmentation to the implementation;
 *                     fragmenting the inner packet keeps every ESP packet whole).
 * Inbound, esp_unprotect(sa, ...) with a known SA, or esp_input(sad, ...) which finds it:
 *   pkt holds the received outer IP packet (ESP, AH, or ESP in UDP). res.kind:
 *   ESP_RES_DELIVER   pkt holds the clear packet: the inner packet (tunnel) or the rebuilt
 *                     packet (transport). It matched the SA's selectors (esp_sa_check_inner).
 *                     The caller still checks that the SA is one the inbound policy for that
 *                     flow requires (res.reqid against the SPD's template).
 *   ESP_RES_NONE      silently dropped and counted: dummy packet (next header 59), NAT
 *                     keepalive.
 *   ESP_RES_IKE       UDP-encapsulated IKE (non-ESP marker): pkt holds the IKE message with the
 *                     marker removed, for the IKE engine.
 * esp_input_udp does the same for the payload of a UDP socket (no IP header), given the
 * addresses and ports; transport mode then rebuilds an IP header in the headroom.
 *
 * Errors: a negative ERR_* with res.drop the counted reason (stats.h): ERR_REPLAY, ERR_AUTH,
 * ERR_NOTFOUND (no SA / selector mismatch), ERR_INVAL / ERR_TRUNC (malformed, bad padding,
 * wrong protocol), ERR_LIMIT (sequence numbers exhausted), ERR_BADSTATE (hard-expired SA),
 * ERR_NOSPACE (headroom/tailroom), ERR_CRYPTO. The packet must then be dropped; on inbound
 * errors its bytes may have been changed.
 *
 * res.events carries ESP_EV_SOFT / ESP_EV_HARD (sa.h) raised by this packet (each is raised
 * once per SA).
 */
#ifndef RAMPART_ESP_ESP_H
#define RAMPART_ESP_ESP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "esp/ip.h"
#include "esp/pkt.h"
#include "esp/sa.h"
#include "esp/sad.h"
#include "lib/buf.h"

enum esp_res_kind {
	ESP_RES_NONE = 0,
	ESP_RES_SEND,
	ESP_RES_DELIVER,
	ESP_RES_ICMP,
	ESP_RES_FRAGMENT,
	ESP_RES_IKE,
};

struct esp_result {
	uint8_t kind;	/* enum esp_res_kind */
	uint8_t events; /* ESP_EV_* */
	uint8_t drop;	/* enum esp_drop, valid when the call failed */
	uint8_t next_header;
	uint32_t reqid;	      /* the SA's */
	uint32_t spi;	      /* inbound: SPI of the packet (also when no SA was found) */
	uint16_t l4_off;      /* outbound */
	uint16_t payload_off; /* outbound */
	uint16_t frag_mtu;    /* ESP_RES_FRAGMENT: largest inner fragment that fits */
	uint64_t seq;	      /* sequence number used / received (64-bit with ESN) */
};

int esp_protect(struct esp_sa *sa, struct esp_worker *w, struct esp_buf *pkt, uint64_t now,
		struct esp_result *res);
/* Inbound (esp_unprotect, esp_input, esp_input_udp): esp/esp_in.h, included below. */

/* Internal to src/esp (shared with ah.c). */

/* Outbound preamble shared by ESP and AH: hard-expiry check and the sequence number. */
int esp_out_seq(struct esp_sa *sa, struct esp_result *res, uint64_t *seq);
/* Counts a processed packet against the SA's counters and lifetimes; sets res->events. */
void esp_account(struct esp_sa *sa, int dir, size_t bytes, uint64_t now, struct esp_result *res);
/* TOS/traffic class and DF of a clear inner packet (before it is encrypted). */
void esp_inner_tos_df(const uint8_t *inner, uint8_t *tos, bool *df);
/* Writes an outer IP header (tunnel mode) of family sa->family from path's addresses at p with
 * the given total length, protocol, TOS and DF (IPv4 ID from the sequence number). */
void esp_outer_header(const struct esp_sa *sa, const struct esp_path *path, uint8_t *p,
		      size_t total, uint8_t proto, uint8_t tos, bool df, uint64_t seq);
size_t esp_outer_len(const struct esp_sa *sa);
/* Path MTU check before protecting: 0 when out_len fits (or no MTU is set); 1 when res now says
 * ESP_RES_ICMP (pkt replaced by the ICMP error) or ESP_RES_FRAGMENT; a negative error. */
int esp_too_big(struct esp_sa *sa, struct esp_buf *pkt, const struct esp_iphdr *h, size_t out_len,
		struct esp_result *res);
/* Counts a drop on the SA (or the worker when sa is NULL) and fills res; returns err. Inline:
 * the inbound and outbound paths (esp.c, esp_in.c, ah.c) call it from many branches. */
static inline int esp_drop(struct esp_sa *sa, struct esp_worker *w, struct esp_result *res,
			   enum esp_drop d, int err)
{
	if (sa)
		esp_stats_drop(&sa->stats, d);
	else if (w)
		esp_stats_drop(&w->stats, d);
	res->drop = (uint8_t)d;
	res->kind = ESP_RES_NONE;
	return err;
}
/* The AAD of an AEAD SA for the ESP header at esp (RFC 4106 §5, RFC 4543 §3.3): SPI || seq,
 * the header's 8 bytes, or with ESN SPI || seq hi || seq lo (12 bytes). aad holds 12 bytes;
 * returns the length. Protect and unprotect compute it alike. */
static inline size_t esp_aead_aad(const struct esp_sa *sa, const uint8_t *esp, uint64_t seq,
				  uint8_t *aad)
{
	if (!sa->esn) {
		memcpy(aad, esp, 8);
		return 8;
	}
	buf_store_be32(aad, sa->spi);
	buf_store_be32(aad + 4, (uint32_t)(seq >> 32));
	buf_store_be32(aad + 8, (uint32_t)seq);
	return 12;
}
/* Tunnel inbound tail shared by ESP and AH: validates the inner packet at
 * data[off, off+len), trims it to its IP length and checks the selectors; on success pkt
 * describes the inner packet. */
int esp_in_tunnel_inner(struct esp_sa *sa, struct esp_buf *pkt, size_t off, size_t len, uint8_t nh);

#include "esp/esp_in.h"

#endif
