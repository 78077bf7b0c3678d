/* ISAKMP payload codecs other than SA: KE, ID, CERT, CR, HASH, SIG, NONCE, N, D, VID
 * (RFC 2408 §3.7-3.16, RFC 2407 §4.6.2-4.6.3), NAT-D and NAT-OA (RFC 3947 §3.2, §5.2, and the
 * draft numbers 130/131), ATTR (mode-config draft §3.2) and the IKEv1 fragment payload
 * (Cisco/strongSwan, type 132).
 *
 * Decoders take a top-level payload from the digest (struct isakmp_pld) and fill a struct that
 * borrows from the message; encoders write the payload body (after the generic header, which
 * the builder in isakmp_build.h owns). struct isakmp_payload is the tagged union used by the
 * generic dispatchers and the round-trip tests.
 */
#ifndef RAMPART_WIRE_ISAKMP_PAYLOAD_H
#define RAMPART_WIRE_ISAKMP_PAYLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"
#include "wire/isakmp_msg.h"
#include "wire/isakmp_sa.h"

#define ISAKMP_NONCE_MIN       8   /* RFC 2409 §5 */
#define ISAKMP_NONCE_MAX       256 /* RFC 2409 §5 */
#define ISAKMP_MAX_DELETE_SPIS 512 /* SPIs per Delete payload */
#define ISAKMP_MAX_CFG_ATTRS   64  /* attributes per ATTR payload */

/* KE, HASH, SIG, NONCE, VID, NAT-D: an opaque, non-empty body (nonce: 8..256 octets). */
struct isakmp_data {
	const uint8_t *p;
	uint16_t len;
};

/* RFC 2407 §4.6.2 Identification payload (IPsec DOI).
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ! Next Payload  !   RESERVED    !        Payload Length         !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * !   ID Type     !  Protocol ID  !             Port              !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                     Identification Data                       ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * Address types must have their exact length (4, 8, 16 or 32 octets), the others at least one
 * octet; unlisted types are INVALID-ID-INFORMATION.
 */
struct isakmp_id {
	uint8_t type;
	uint8_t proto;
	uint16_t port;
	const uint8_t *data;
	uint16_t len;
};

/* RFC 2408 §3.9 CERT (encoding + data, data non-empty) and §3.10 CR (type + CA, CA may be
 * empty). */
struct isakmp_cert {
	uint8_t enc;
	const uint8_t *data;
	uint16_t len;
};

/* RFC 2408 §3.14 Notification payload.
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * !              Domain of Interpretation  (DOI)                  !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * !  Protocol-ID  !   SPI Size    !      Notify Message Type      !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                Security Parameter Index (SPI)                 ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                       Notification Data                       ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * DOI 0 or 1; protocol 0 or ISAKMP with an SPI of 0..16 octets (cookies), AH/ESP 0 or 4,
 * IPCOMP 0, 2 or 4.
 */
struct isakmp_notif {
	uint32_t doi;
	uint8_t proto;
	uint8_t spi_len;
	uint16_t type; /* enum isakmp_notify */
	uint8_t spi[ISAKMP_MAX_SPI_LEN];
	const uint8_t *data;
	uint16_t len;
};

/* RFC 2408 §3.15 Delete payload.
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * !              Domain of Interpretation  (DOI)                  !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * !  Protocol-Id  !   SPI Size    !           # of SPIs           !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~               Security Parameter Index(es) (SPI)              ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ISAKMP SPIs are the 16-octet cookie pair, AH/ESP 4, IPCOMP 2 or 4; # of SPIs times the SPI
 * size must equal the rest of the payload exactly, and be at least one.
 */
struct isakmp_delete {
	uint32_t doi;
	uint8_t proto;
	uint8_t spi_len;
	uint16_t n_spis;
	const uint8_t *spis; /* n_spis * spi_len octets */
};
/* SPI i of a decoded delete payload (borrowed), ERR_INVAL when i is out of range. */
int isakmp_delete_spi(const struct isakmp_delete *d, unsigned i, const uint8_t **spi);

/* RFC 3947 §5.2 NAT-OA: ID type (IPV4_ADDR or IPV6_ADDR), three reserved octets, address. */
struct isakmp_nat_oa {
	uint8_t id_type;
	uint8_t addr_len; /* 4 or 16 */
	uint8_t addr[16];
};

/* Mode-config ATTR payload (draft-dukes-ike-mode-cfg-02 §3.2).
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * !     Type      !   RESERVED    !           Identifier          !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                           Attributes                          ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
struct isakmp_cfg {
	uint8_t type; /* enum isakmp_cfg_type */
	uint16_t id;
	uint16_t n_attrs;
	struct isakmp_attr attrs[ISAKMP_MAX_CFG_ATTRS];
};

/* IKEv1 fragment payload (type 132): Fragment ID (2), Fragment Number (1, from 1), Flags (1,
 * ISAKMP_FRAG_LAST), data (non-empty). */
#define ISAKMP_FRAG_LAST 0x01
struct isakmp_frag {
	uint16_t id;
	uint8_t num;
	uint8_t flags;
	const uint8_t *data;
	uint16_t len;
};

int isakmp_data_decode(const struct isakmp_pld *p, struct isakmp_data *out, struct isakmp_err *err);
int isakmp_id_decode(const struct isakmp_pld *p, struct isakmp_id *out, struct isakmp_err *err);
int isakmp_cert_decode(const struct isakmp_pld *p, struct isakmp_cert *out, struct isakmp_err *err);
int isakmp_notif_decode(const struct isakmp_pld *p, struct isakmp_notif *out,
			struct isakmp_err *err);
int isakmp_delete_decode(const struct isakmp_pld *p, struct isakmp_delete *out,
			 struct isakmp_err *err);
int isakmp_nat_oa_decode(const struct isakmp_pld *p, struct isakmp_nat_oa *out,
			 struct isakmp_err *err);
int isakmp_cfg_decode(const struct isakmp_pld *p, struct isakmp_cfg *out, struct isakmp_err *err);
int isakmp_frag_decode(const struct isakmp_pld *p, struct isakmp_frag *out, struct isakmp_err *err);

int isakmp_data_encode(struct buf_writer *w, const struct isakmp_data *d);
int isakmp_id_encode(struct buf_writer *w, const struct isakmp_id *id);
int isakmp_cert_encode(struct buf_writer *w, const struct isakmp_cert *c);
int isakmp_notif_encode(struct buf_writer *w, const struct isakmp_notif *n);
int isakmp_delete_encode(struct buf_writer *w, const struct isakmp_delete *d);
int isakmp_nat_oa_encode(struct buf_writer *w, const struct isakmp_nat_oa *oa);
int isakmp_cfg_encode(struct buf_writer *w, const struct isakmp_cfg *c);
int isakmp_frag_encode(struct buf_writer *w, const struct isakmp_frag *f);

/* Tagged union over every payload the codec knows. */
struct isakmp_payload {
	uint8_t type; /* enum isakmp_payload_type */
	union {
		struct isakmp_sa sa;
		struct isakmp_data data; /* KE, HASH, SIG, NONCE, VID, NAT-D */
		struct isakmp_id id;
		struct isakmp_cert cert; /* CERT, CR */
		struct isakmp_notif n;
		struct isakmp_delete d;
		struct isakmp_nat_oa nat_oa;
		struct isakmp_cfg cfg;
		struct isakmp_frag frag;
	} u;
};

/* Decodes any top-level payload by its type; ERR_UNSUPPORTED (INVALID-PAYLOAD-TYPE) for types
 * without a codec. */
int isakmp_payload_decode(const struct isakmp_pld *p, struct isakmp_payload *out,
			  struct isakmp_err *err);
/* Encodes the body of any payload by its type. */
int isakmp_payload_encode(struct buf_writer *w, const struct isakmp_payload *p);

#endif
