/* Well-known ISAKMP Vendor IDs (RFC 2408 §3.16): recognising a peer's capabilities (NAT-T,
 * DPD, XAUTH, Unity, fragmentation) and the bytes Rampart sends for its own.
 *
 * Most are MD5 hashes of a string: "RFC 3947" (RFC 3947 §3.1), the NAT-T draft names,
 * "CISCO-UNITY" with the last two octets replaced by the version 1.0, "FRAGMENTATION"
 * (Cisco appends four capability octets), "strongSwan"; the DPD ID is given in RFC 3706 §3.
 */
#ifndef RAMPART_WIRE_ISAKMP_VID_H
#define RAMPART_WIRE_ISAKMP_VID_H

#include <stddef.h>
#include <stdint.h>

enum isakmp_vid_kind {
	ISAKMP_VID_UNKNOWN = 0,
	ISAKMP_VID_NATT_RFC3947,
	ISAKMP_VID_NATT_DRAFT_00,
	ISAKMP_VID_NATT_DRAFT_01,
	ISAKMP_VID_NATT_DRAFT_02,
	ISAKMP_VID_NATT_DRAFT_02N, /* "draft-ietf-ipsec-nat-t-ike-02\n" */
	ISAKMP_VID_NATT_DRAFT_03,
	ISAKMP_VID_NATT_DRAFT, /* "draft-ietf-ipsec-nat-t-ike" */
	ISAKMP_VID_DPD,
	ISAKMP_VID_XAUTH,
	ISAKMP_VID_CISCO_UNITY,
	ISAKMP_VID_STRONGSWAN,
	ISAKMP_VID_FRAGMENTATION,
	ISAKMP_VID_MS_NT5,
	ISAKMP_VID_COUNT,
};

struct isakmp_vid_info {
	enum isakmp_vid_kind kind;
	const char *name;
	const uint8_t *bytes; /* the value Rampart sends */
	uint8_t len;
	uint8_t match_len; /* octets compared; a VID of at least this length matches */
	uint8_t max_len;   /* longest VID that still matches (trailing version/capabilities) */
};

/* The entry matching a received VID, or NULL. */
const struct isakmp_vid_info *isakmp_vid_lookup(const uint8_t *p, size_t len);
/* The entry of a kind (for sending), or NULL for UNKNOWN/out of range. */
const struct isakmp_vid_info *isakmp_vid_get(enum isakmp_vid_kind kind);

#endif
