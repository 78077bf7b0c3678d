#include "wire/isakmp_sa.h"

#include <string.h>

#include "lib/err.h"
#include "wire/iana.h"
#include "wire/isakmp_const.h"

/* Log name of a protocol ID (src/wire/iana.h). */
static const char *proto_name(unsigned proto)
{
	const char *n = iana_name(IANA_REG_IPSEC_PROTO, proto);
	return n ? n : "UNKNOWN";
}

#define ATTR_AF 0x8000

int isakmp_attr_uint(const struct isakmp_attr *a, uint64_t *v)
{
	uint64_t x = 0;

	if (a->tv) {
		*v = a->tv_value;
		return 0;
	}
	if (a->len == 0 || a->len > 8 || !a->val)
		return ERR_INVAL;
	for (size_t i = 0; i < a->len; i++)
		x = x << 8 | a->val[i];
	*v = x;
	return 0;
}

static enum isakmp_attr_class attr_class(enum isakmp_attr_ctx ctx, uint16_t type)
{
	switch (ctx) {
	case ISAKMP_ACTX_P1:
		return isakmp_p1_attr_class(type);
	case ISAKMP_ACTX_P2:
		return isakmp_p2_attr_class(type);
	case ISAKMP_ACTX_CFG:
		return isakmp_cfg_attr_class(type);
	}
	return ISAKMP_ATTR_CLASS_UNKNOWN;
}

static const char *attr_name(enum isakmp_attr_ctx ctx, uint16_t type)
{
	const char *n = NULL;

	switch (ctx) {
	case ISAKMP_ACTX_P1:
		n = iana_name(IANA_REG_IKEV1_ATTR, type);
		break;
	case ISAKMP_ACTX_P2:
		n = iana_name(IANA_REG_IPSEC_ATTR, type);
		break;
	case ISAKMP_ACTX_CFG:
		n = isakmp_cfg_attr_name(type);
		break;
	}
	return n ? n : "UNKNOWN";
}

int isakmp_attrs_decode(struct buf_reader *r, enum isakmp_attr_ctx ctx, uint8_t payload,
			struct isakmp_attr *out, size_t max, size_t *n, struct isakmp_err *err)
{
	uint16_t syntax =
	    ctx == ISAKMP_ACTX_CFG ? ISAKMP_N_PAYLOAD_MALFORMED : ISAKMP_N_BAD_PROPOSAL_SYNTAX;
	size_t count = 0;

	while (!buf_empty(r)) {
		size_t off = buf_abs_offset(r);
		struct isakmp_attr a = {0};
		uint16_t t, v;

		if (buf_get_u16(r, &t) || buf_get_u16(r, &v))
			return isakmp_fail(err, ERR_TRUNC, syntax, payload, off,
					   "truncated attribute header");
		a.type = t & ~ATTR_AF;
		if (t & ATTR_AF) {
			a.tv = true;
			a.tv_value = v;
		} else {
			a.len = v;
			if (buf_get_ref(r, v, &a.val))
				return isakmp_fail(err, ERR_TRUNC, syntax, payload, off + 2,
						   "attribute length past the end");
			if (!v)
				a.val = NULL;
			if (attr_class(ctx, a.type) == ISAKMP_ATTR_CLASS_B)
				return isakmp_fail(err, ERR_INVAL, syntax, payload, off,
						   "basic attribute %s encoded as variable",
						   attr_name(ctx, a.type));
		}
		if (count >= max)
			return isakmp_fail(err, ERR_LIMIT, syntax, payload, off,
					   "too many attributes");
		out[count++] = a;
	}
	*n = count;
	return 0;
}

int isakmp_attr_encode(struct buf_writer *w, const struct isakmp_attr *a)
{
	if (a->type & ATTR_AF)
		return ERR_INVAL;
	if (a->tv) {
		buf_put_u16(w, (uint16_t)(a->type | ATTR_AF));
		buf_put_u16(w, a->tv_value);
	} else {
		if (a->len && !a->val)
			return ERR_INVAL;
		buf_put_u16(w, a->type);
		buf_put_u16(w, a->len);
		buf_put_bytes(w, a->val, a->len);
	}
	return buf_writer_failed(w);
}

bool isakmp_spi_len_ok(uint8_t proto, size_t spi_len)
{
	switch (proto) {
	case IPSEC_PROTO_ISAKMP:
		return spi_len <= ISAKMP_MAX_SPI_LEN;
	case IPSEC_PROTO_AH:
	case IPSEC_PROTO_ESP:
		return spi_len == 4;
	case IPSEC_PROTO_IPCOMP:
		return spi_len == 2 || spi_len == 4; /* CPI, RFC 2407 §4.4.1.3 */
	default:
		return false;
	}
}

static bool proto_known(uint8_t proto)
{
	return proto >= IPSEC_PROTO_ISAKMP && proto <= IPSEC_PROTO_IPCOMP;
}

/* RFC 2408 §3.6 Transform payload.
 *  0                   1                   2                   3
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ! Next Payload  !   RESERVED    !         Payload Length        !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * !  Transform #  !  Transform-Id !           RESERVED2           !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                        SA Attributes                          ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
static int transform_decode(struct buf_reader *r, uint8_t proto, struct isakmp_sa *sa,
			    uint8_t *next, struct isakmp_err *err)
{
	size_t off = buf_abs_offset(r);
	struct isakmp_transform *xf;
	struct buf_reader body;
	uint8_t reserved, n;
	uint16_t plen, reserved2;
	size_t nattrs;
	int rc;

	if (buf_remaining(r) < 8)
		return isakmp_fail(err, ERR_TRUNC, ISAKMP_N_BAD_PROPOSAL_SYNTAX, ISAKMP_PT_T, off,
				   "truncated transform");
	buf_get_u8(r, &n);
	buf_get_u8(r, &reserved);
	buf_get_u16(r, &plen);
	if (n != ISAKMP_PT_T && n != ISAKMP_PT_NONE)
		return isakmp_fail(err, ERR_INVAL, ISAKMP_N_BAD_PROPOSAL_SYNTAX, ISAKMP_PT_T, off,
				   "transform followed by payload type %u", n);
	if (plen < 8)
		return isakmp_fail(err, ERR_INVAL, ISAKMP_N_BAD_PROPOSAL_SYNTAX, ISAKMP_PT_T,
				   off + 2, "transform length %u below its header", plen);
	if (buf_sub(r, plen - ISAKMP_GENERIC_HDR_LEN, &body))
		return isakmp_fail(err, ERR_TRUNC, ISAKMP_N_BAD_PROPOSAL_SYNTAX, ISAKMP_PT_T,
				   off + 2, "transform length %u past the end of its proposal",
				   plen);
	if (sa->n_xforms >= ISAKMP_MAX_TRANSFORMS)
		return isakmp_fail(err, ERR_LIMIT, ISAKMP_N_NO_PROPOSAL_CHOSEN, ISAKMP_PT_T, off,
				   "more than %d transforms", ISAKMP_MAX_TRANSFORMS);
	xf = &sa->xforms[sa->n_xforms];
	buf_get_u8(&body, &xf->num);
	buf_get_u8(&body, &xf->id);
	buf_get_u16(&body, &reserved2);
	(void)reserved;
	(void)reserved2;
	xf->first_attr = sa->n_attrs;
	rc = isakmp_attrs_decode(
	    &body, proto == IPSEC_PROTO_ISAKMP ? ISAKMP_ACTX_P1 : ISAKMP_ACTX_P2, ISAKMP_PT_T,
	    sa->attrs + sa->n_attrs, ISAKMP_MAX_SA_ATTRS - sa->n_attrs, &nattrs, err);
	if (rc)
		return rc;
	xf->n_attrs = (uint16_t)nattrs;
	sa->n_attrs = (uint16_t)(sa->n_attrs + nattrs);
	sa->n_xforms++;
	*next = n;
	return 0;
}

/* RFC 2408 §3.5 Proposal payload.
 *  0                   1                   2                   3
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ! Next Payload  !   RESERVED    !         Payload Length        !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * !  Proposal #   !  Protocol-Id  !    SPI Size   !# of Transforms!
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * !                        SPI (variable)                         !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
static int proposal_decode(struct buf_reader *r, struct isakmp_sa *sa, uint8_t *next,
			   struct isakmp_err *err)
{
	size_t off = buf_abs_offset(r);
	struct isakmp_proposal *pr;
	struct buf_reader body;
	uint8_t n, reserved, xn;
	uint16_t plen;
	int rc;

	if (buf_remaining(r) < 8)
		return isakmp_fail(err, ERR_TRUNC, ISAKMP_N_BAD_PROPOSAL_SYNTAX, ISAKMP_PT_P, off,
				   "truncated proposal");
	buf_get_u8(r, &n);
	buf_get_u8(r, &reserved);
	buf_get_u16(r, &plen);
	(void)reserved;
	if (n != ISAKMP_PT_P && n != ISAKMP_PT_NONE)
		return isakmp_fail(err, ERR_INVAL, ISAKMP_N_BAD_PROPOSAL_SYNTAX, ISAKMP_PT_P, off,
				   "proposal followed by payload type %u", n);
	if (plen < 8)
		return isakmp_fail(err, ERR_INVAL, ISAKMP_N_BAD_PROPOSAL_SYNTAX, ISAKMP_PT_P,
				   off + 2, "proposal length %u below its header", plen);
	if (buf_sub(r, plen - ISAKMP_GENERIC_HDR_LEN, &body))
		return isakmp_fail(err, ERR_TRUNC, ISAKMP_N_BAD_PROPOSAL_SYNTAX, ISAKMP_PT_P,
				   off + 2, "proposal length %u past the end of the SA", plen);
	if (sa->n_props >= ISAKMP_MAX_PROPOSALS)
		return isakmp_fail(err, ERR_LIMIT, ISAKMP_N_NO_PROPOSAL_CHOSEN, ISAKMP_PT_P, off,
				   "more than %d proposals", ISAKMP_MAX_PROPOSALS);
	pr = &sa->props[sa->n_props];
	memset(pr, 0, sizeof(*pr));
	buf_get_u8(&body, &pr->num);
	buf_get_u8(&body, &pr->proto);
	buf_get_u8(&body, &pr->spi_len);
	buf_get_u8(&body, &pr->n_xforms);
	if (sa->n_props && pr->num < sa->props[sa->n_props - 1].num)
		return isakmp_fail(err, ERR_INVAL, ISAKMP_N_BAD_PROPOSAL_SYNTAX, ISAKMP_PT_P,
				   off + 4, "proposal numbers decrease (%u after %u)", pr->num,
				   sa->props[sa->n_props - 1].num);
	if (!proto_known(pr->proto))
		return isakmp_fail(err, ERR_UNSUPPORTED, ISAKMP_N_INVALID_PROTOCOL_ID, ISAKMP_PT_P,
				   off + 5, "unknown protocol %u", pr->proto);
	if (sa->n_props &&
	    (pr->proto == IPSEC_PROTO_ISAKMP) != (sa->props[0].proto == IPSEC_PROTO_ISAKMP))
		return isakmp_fail(err, ERR_INVAL, ISAKMP_N_BAD_PROPOSAL_SYNTAX, ISAKMP_PT_P,
				   off + 5, "ISAKMP proposal mixed with IPsec proposals");
	if (!isakmp_spi_len_ok(pr->proto, pr->spi_len))
		return isakmp_fail(err, ERR_INVAL, ISAKMP_N_INVALID_SPI, ISAKMP_PT_P, off + 6,
				   "SPI size %u invalid for %s", pr->spi_len,
				   proto_name(pr->proto));
	if (buf_get_bytes(&body, pr->spi, pr->spi_len))
		return isakmp_fail(err, ERR_TRUNC, ISAKMP_N_BAD_PROPOSAL_SYNTAX, ISAKMP_PT_P,
				   off + 8, "SPI past the end of the proposal");
	if (pr->n_xforms == 0)
		return isakmp_fail(err, ERR_INVAL, ISAKMP_N_BAD_PROPOSAL_SYNTAX, ISAKMP_PT_P,
				   off + 7, "proposal without transforms");
	pr->first_xform = sa->n_xforms;
	xn = ISAKMP_PT_T;
	for (unsigned i = 0; xn != ISAKMP_PT_NONE; i++) {
		if (i >= pr->n_xforms || buf_empty(&body))
			return isakmp_fail(
			    err, ERR_INVAL, ISAKMP_N_BAD_PROPOSAL_SYNTAX, ISAKMP_PT_P,
			    buf_abs_offset(&body),
			    "transform count %u disagrees with the transforms present",
			    pr->n_xforms);
		rc = transform_decode(&body, pr->proto, sa, &xn, err);
		if (rc)
			return rc;
	}
	if (sa->n_xforms - pr->first_xform != pr->n_xforms)
		return isakmp_fail(err, ERR_INVAL, ISAKMP_N_BAD_PROPOSAL_SYNTAX, ISAKMP_PT_P,
				   off + 7, "transform count %u but %u transforms present",
				   pr->n_xforms, sa->n_xforms - pr->first_xform);
	if (!buf_empty(&body))
		return isakmp_fail(err, ERR_INVAL, ISAKMP_N_BAD_PROPOSAL_SYNTAX, ISAKMP_PT_P,
				   buf_abs_offset(&body), "bytes after the last transform");
	sa->n_props++;
	*next = n;
	return 0;
}

/* RFC 2408 §3.4 SA payload with the IPsec DOI situation (RFC 2407 §4.6.1).
 *  0                   1                   2                   3
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ! Next Payload  !   RESERVED    !         Payload Length        !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * !              Domain of Interpretation  (DOI)                  !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * !                           Situation                           !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * The first Proposal follows the situation directly.
 */
int isakmp_sa_decode(const struct isakmp_pld *p, struct isakmp_sa *sa, struct isakmp_err *err)
{
	struct buf_reader r;
	uint8_t n = ISAKMP_PT_P;
	size_t off;
	int rc;

	buf_reader_init(&r, p->body, p->len);
	r.base = p->off + ISAKMP_GENERIC_HDR_LEN;
	isakmp_sa_init(sa, 0, 0);
	if (buf_get_u32(&r, &sa->doi))
		return isakmp_fail(err, ERR_TRUNC, ISAKMP_N_PAYLOAD_MALFORMED, ISAKMP_PT_SA, p->off,
				   "SA payload without a DOI");
	if (sa->doi != ISAKMP_DOI_IPSEC)
		return isakmp_fail(err, ERR_UNSUPPORTED, ISAKMP_N_DOI_NOT_SUPPORTED, ISAKMP_PT_SA,
				   r.base, "DOI %u", sa->doi);
	off = buf_abs_offset(&r);
	if (buf_get_u32(&r, &sa->situation))
		return isakmp_fail(err, ERR_TRUNC, ISAKMP_N_PAYLOAD_MALFORMED, ISAKMP_PT_SA, off,
				   "SA payload without a situation");
	if (sa->situation != ISAKMP_SIT_IDENTITY_ONLY)
		return isakmp_fail(err, ERR_UNSUPPORTED, ISAKMP_N_SITUATION_NOT_SUPPORTED,
				   ISAKMP_PT_SA, off, "situation 0x%x", sa->situation);
	while (n != ISAKMP_PT_NONE) {
		if (buf_empty(&r))
			return isakmp_fail(err, ERR_TRUNC, ISAKMP_N_BAD_PROPOSAL_SYNTAX,
					   ISAKMP_PT_SA, buf_abs_offset(&r),
					   "proposal chain ends early");
		rc = proposal_decode(&r, sa, &n, err);
		if (rc)
			return rc;
	}
	if (!buf_empty(&r))
		return isakmp_fail(err, ERR_INVAL, ISAKMP_N_BAD_PROPOSAL_SYNTAX, ISAKMP_PT_SA,
				   buf_abs_offset(&r), "bytes after the last proposal");
	return 0;
}

static int patch_len(struct buf_writer *w, size_t pos)
{
	size_t len = buf_writer_len(w) - pos;

	if (buf_writer_failed(w))
		return buf_writer_failed(w);
	if (len > UINT16_MAX)
		return ERR_INVAL;
	return buf_patch_u16(w, pos + 2, (uint16_t)len);
}

int isakmp_sa_encode(struct buf_writer *w, const struct isakmp_sa *sa)
{
	int rc = 0;

	if (sa->n_props > ISAKMP_MAX_PROPOSALS || sa->n_xforms > ISAKMP_MAX_TRANSFORMS ||
	    sa->n_attrs > ISAKMP_MAX_SA_ATTRS)
		return ERR_INVAL;
	buf_put_u32(w, sa->doi);
	buf_put_u32(w, sa->situation);
	for (unsigned i = 0; i < sa->n_props && !rc; i++) {
		const struct isakmp_proposal *pr = &sa->props[i];
		size_t ppos = buf_writer_len(w);

		if (pr->spi_len > ISAKMP_MAX_SPI_LEN ||
		    pr->first_xform + pr->n_xforms > sa->n_xforms)
			return ERR_INVAL;
		buf_put_u8(w, i + 1 < sa->n_props ? ISAKMP_PT_P : ISAKMP_PT_NONE);
		buf_put_u8(w, 0);
		buf_put_u16(w, 0);
		buf_put_u8(w, pr->num);
		buf_put_u8(w, pr->proto);
		buf_put_u8(w, pr->spi_len);
		buf_put_u8(w, pr->n_xforms);
		buf_put_bytes(w, pr->spi, pr->spi_len);
		for (unsigned j = 0; j < pr->n_xforms && !rc; j++) {
			const struct isakmp_transform *xf = &sa->xforms[pr->first_xform + j];
			size_t tpos = buf_writer_len(w);

			if (xf->first_attr + xf->n_attrs > sa->n_attrs)
				return ERR_INVAL;
			buf_put_u8(w, j + 1 < pr->n_xforms ? ISAKMP_PT_T : ISAKMP_PT_NONE);
			buf_put_u8(w, 0);
			buf_put_u16(w, 0);
			buf_put_u8(w, xf->num);
			buf_put_u8(w, xf->id);
			buf_put_u16(w, 0);
			for (unsigned k = 0; k < xf->n_attrs && !rc; k++)
				rc = isakmp_attr_encode(w, &sa->attrs[xf->first_attr + k]);
			if (!rc)
				rc = patch_len(w, tpos);
		}
		if (!rc)
			rc = patch_len(w, ppos);
	}
	return rc ? rc : buf_writer_failed(w);
}

void isakmp_sa_init(struct isakmp_sa *sa, uint32_t doi, uint32_t situation)
{
	sa->doi = doi;
	sa->situation = situation;
	sa->n_props = 0;
	sa->n_xforms = 0;
	sa->n_attrs = 0;
}

int isakmp_sa_add_proposal(struct isakmp_sa *sa, uint8_t num, uint8_t proto, const void *spi,
			   size_t spi_len)
{
	struct isakmp_proposal *pr;

	if (spi_len > ISAKMP_MAX_SPI_LEN || (spi_len && !spi))
		return ERR_INVAL;
	if (sa->n_props >= ISAKMP_MAX_PROPOSALS)
		return ERR_LIMIT;
	pr = &sa->props[sa->n_props++];
	memset(pr, 0, sizeof(*pr));
	pr->num = num;
	pr->proto = proto;
	pr->spi_len = (uint8_t)spi_len;
	if (spi_len)
		memcpy(pr->spi, spi, spi_len);
	pr->first_xform = sa->n_xforms;
	return 0;
}

int isakmp_sa_add_transform(struct isakmp_sa *sa, uint8_t num, uint8_t id)
{
	struct isakmp_proposal *pr;
	struct isakmp_transform *xf;

	if (!sa->n_props)
		return ERR_BADSTATE;
	pr = &sa->props[sa->n_props - 1];
	if (sa->n_xforms >= ISAKMP_MAX_TRANSFORMS || pr->n_xforms == UINT8_MAX)
		return ERR_LIMIT;
	xf = &sa->xforms[sa->n_xforms++];
	xf->num = num;
	xf->id = id;
	xf->first_attr = sa->n_attrs;
	xf->n_attrs = 0;
	pr->n_xforms++;
	return 0;
}

static int add_attr(struct isakmp_sa *sa, const struct isakmp_attr *a)
{
	struct isakmp_transform *xf;

	if (!sa->n_props || sa->props[sa->n_props - 1].n_xforms == 0)
		return ERR_BADSTATE;
	if (a->type & ATTR_AF)
		return ERR_INVAL;
	if (sa->n_attrs >= ISAKMP_MAX_SA_ATTRS)
		return ERR_LIMIT;
	xf = &sa->xforms[sa->n_xforms - 1];
	sa->attrs[sa->n_attrs++] = *a;
	xf->n_attrs++;
	return 0;
}

int isakmp_sa_add_attr_tv(struct isakmp_sa *sa, uint16_t type, uint16_t value)
{
	struct isakmp_attr a = {.type = type, .tv = true, .tv_value = value};
	return add_attr(sa, &a);
}

int isakmp_sa_add_attr_tlv(struct isakmp_sa *sa, uint16_t type, const void *val, size_t len)
{
	struct isakmp_attr a = {.type = type, .tv = false, .len = (uint16_t)len, .val = val};

	if (len > UINT16_MAX || (len && !val))
		return ERR_INVAL;
	if (!len)
		a.val = NULL;
	return add_attr(sa, &a);
}

const struct isakmp_transform *isakmp_sa_xform(const struct isakmp_sa *sa,
					       const struct isakmp_proposal *prop, unsigned i)
{
	return &sa->xforms[prop->first_xform + i];
}

const struct isakmp_attr *isakmp_sa_attr(const struct isakmp_sa *sa,
					 const struct isakmp_transform *xf, unsigned i)
{
	return &sa->attrs[xf->first_attr + i];
}

const struct isakmp_attr *isakmp_sa_find_attr(const struct isakmp_sa *sa,
					      const struct isakmp_transform *xf, uint16_t type)
{
	for (unsigned i = 0; i < xf->n_attrs; i++)
		if (sa->attrs[xf->first_attr + i].type == type)
			return &sa->attrs[xf->first_attr + i];
	return NULL;
}
