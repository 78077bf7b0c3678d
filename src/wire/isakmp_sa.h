/* ISAKMP SA payload codec with the IPsec DOI: SA (RFC 2408 §3.4, RFC 2407 §4.6.1), Proposal
 * (§3.5), Transform (§3.6) and Data Attributes (§3.3).
 *
 * A decoded SA is flat: proposals, transforms and attributes live in fixed arrays bounded by
 * named limits, proposals index their transforms and transforms their attributes. Attribute
 * values borrow from the message. The same struct is built by the engine (isakmp_sa_add_*) and
 * encoded by isakmp_sa_encode, so decode(encode(x)) == x.
 *
 * Decoding checks everything the wire can get wrong: the IPsec DOI and situation, the proposal
 * and transform chains consumed exactly, the transform count against the transforms present,
 * the SPI size against the protocol (ISAKMP 0..16, AH/ESP 4, IPCOMP 2 or 4), and the attribute
 * encodings: a type the DOI defines as basic must not arrive as variable (RFC 2409 Appendix A,
 * RFC 2407 §4.5). Semantic choices (which algorithms, KEY_IKE) are the engine's.
 */
#ifndef RAMPART_WIRE_ISAKMP_SA_H
#define RAMPART_WIRE_ISAKMP_SA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"
#include "wire/isakmp_msg.h"

#define ISAKMP_MAX_PROPOSALS  16  /* per SA payload */
#define ISAKMP_MAX_TRANSFORMS 64  /* per SA payload, across its proposals */
#define ISAKMP_MAX_SA_ATTRS   384 /* per SA payload, across its transforms */
#define ISAKMP_MAX_SPI_LEN    16

/* RFC 2408 §3.3 Data Attribute.
 *  0                   1                   2                   3
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * !A!       Attribute Type        !    AF=0  Attribute Length     !
 * !F!                             !    AF=1  Attribute Value      !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * .                   AF=0  Attribute Value                       .
 * .                   AF=1  Not Transmitted                       .
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
struct isakmp_attr {
	uint16_t type; /* without the AF bit */
	bool tv;       /* AF=1: basic, value in tv_value; AF=0: variable, val/len */
	uint16_t tv_value;
	uint16_t len;
	const uint8_t *val; /* borrowed; NULL when len is 0 */
};

/* Value of a basic attribute, or of a variable one of 1..8 octets (network order).
 * ERR_INVAL for longer or empty variable values. */
int isakmp_attr_uint(const struct isakmp_attr *a, uint64_t *v);

/* Which DOI attribute table applies to a list of attributes. */
enum isakmp_attr_ctx {
	ISAKMP_ACTX_P1 = 1,  /* Oakley, RFC 2409 Appendix A (proposals of PROTO_ISAKMP) */
	ISAKMP_ACTX_P2 = 2,  /* IPsec DOI, RFC 2407 §4.5 (AH, ESP, IPCOMP) */
	ISAKMP_ACTX_CFG = 3, /* mode-config (ATTR payload) */
};

/* Decodes attributes filling r exactly into out[0..max) (*n receives the count); rejects
 * variable encodings of basic types of ctx. payload/err as for isakmp_fail. */
int isakmp_attrs_decode(struct buf_reader *r, enum isakmp_attr_ctx ctx, uint8_t payload,
			struct isakmp_attr *out, size_t max, size_t *n, struct isakmp_err *err);
/* Encodes one attribute: TV when a->tv (type must be < 0x8000), TLV otherwise. */
int isakmp_attr_encode(struct buf_writer *w, const struct isakmp_attr *a);

struct isakmp_transform {
	uint8_t num;
	uint8_t id;
	uint16_t first_attr; /* index into isakmp_sa.attrs */
	uint16_t n_attrs;
};

struct isakmp_proposal {
	uint8_t num;
	uint8_t proto;	 /* enum isakmp_proto */
	uint8_t spi_len; /* 0..ISAKMP_MAX_SPI_LEN */
	uint8_t n_xforms;
	uint8_t spi[ISAKMP_MAX_SPI_LEN];
	uint16_t first_xform; /* index into isakmp_sa.xforms */
};

struct isakmp_sa {
	uint32_t doi;	    /* ISAKMP_DOI_IPSEC */
	uint32_t situation; /* ISAKMP_SIT_IDENTITY_ONLY */
	uint16_t n_props;
	uint16_t n_xforms;
	uint16_t n_attrs;
	struct isakmp_proposal props[ISAKMP_MAX_PROPOSALS];
	struct isakmp_transform xforms[ISAKMP_MAX_TRANSFORMS];
	struct isakmp_attr attrs[ISAKMP_MAX_SA_ATTRS];
};

/* Decodes an SA payload body. Notifies: DOI-NOT-SUPPORTED, SITUATION-NOT-SUPPORTED,
 * BAD-PROPOSAL-SYNTAX (chains, counts, numbering, basic/variable confusion), INVALID-PROTOCOL-ID,
 * INVALID-SPI (size inconsistent with the protocol), PAYLOAD-MALFORMED. On failure *sa is
 * unspecified. */
int isakmp_sa_decode(const struct isakmp_pld *p, struct isakmp_sa *sa, struct isakmp_err *err);
/* Encodes the SA payload body (DOI, situation, the proposal and transform chains). */
int isakmp_sa_encode(struct buf_writer *w, const struct isakmp_sa *sa);

/* Building: start with isakmp_sa_init, then add proposals, each followed by its transforms,
 * each followed by its attributes. ERR_LIMIT when an array is full, ERR_BADSTATE when there is no
 * proposal/transform to add to, ERR_INVAL for a bad SPI length. Attribute values are borrowed. */
void isakmp_sa_init(struct isakmp_sa *sa, uint32_t doi, uint32_t situation);
int isakmp_sa_add_proposal(struct isakmp_sa *sa, uint8_t num, uint8_t proto, const void *spi,
			   size_t spi_len);
int isakmp_sa_add_transform(struct isakmp_sa *sa, uint8_t num, uint8_t id);
int isakmp_sa_add_attr_tv(struct isakmp_sa *sa, uint16_t type, uint16_t value);
int isakmp_sa_add_attr_tlv(struct isakmp_sa *sa, uint16_t type, const void *val, size_t len);

/* Accessors; indices are not checked beyond the counts. */
const struct isakmp_transform *isakmp_sa_xform(const struct isakmp_sa *sa,
					       const struct isakmp_proposal *prop, unsigned i);
const struct isakmp_attr *isakmp_sa_attr(const struct isakmp_sa *sa,
					 const struct isakmp_transform *xf, unsigned i);
/* First attribute of a type in a transform, or NULL. */
const struct isakmp_attr *isakmp_sa_find_attr(const struct isakmp_sa *sa,
					      const struct isakmp_transform *xf, uint16_t type);

/* SPI size a protocol allows in a proposal (RFC 2407 §4.4.1, RFC 2408 §3.5). */
bool isakmp_spi_len_ok(uint8_t proto, size_t spi_len);

#endif
