#include "wire/isakmp_payload.h"

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

/* A reader over a payload body whose absolute offsets match the message. */
static void body_reader(const struct isakmp_pld *p, struct buf_reader *r)
{
	buf_reader_init(r, p->body, p->len);
	r->base = p->off + ISAKMP_GENERIC_HDR_LEN;
}

static size_t body_off(const struct isakmp_pld *p)
{
	return (size_t)p->off + ISAKMP_GENERIC_HDR_LEN;
}

static bool is_data_type(uint8_t type)
{
	switch (type) {
	case ISAKMP_PT_KE:
	case ISAKMP_PT_HASH:
	case ISAKMP_PT_SIG:
	case ISAKMP_PT_NONCE:
	case ISAKMP_PT_VID:
	case ISAKMP_PT_NAT_D:
	case ISAKMP_PT_NAT_D_DRAFT:
		return true;
	default:
		return false;
	}
}

int isakmp_data_decode(const struct isakmp_pld *p, struct isakmp_data *out, struct isakmp_err *err)
{
	if (!is_data_type(p->type))
		return isakmp_fail(err, ERR_INVAL, 0, p->type, p->off, "not an opaque payload");
	if (p->type == ISAKMP_PT_NONCE && (p->len < ISAKMP_NONCE_MIN || p->len > ISAKMP_NONCE_MAX))
		return isakmp_fail(err, ERR_INVAL, ISAKMP_N_PAYLOAD_MALFORMED, p->type, p->off + 2,
				   "nonce of %u octets outside %d..%d", p->len, ISAKMP_NONCE_MIN,
				   ISAKMP_NONCE_MAX);
	if (p->len == 0)
		return isakmp_fail(err, ERR_INVAL, ISAKMP_N_PAYLOAD_MALFORMED, p->type, p->off + 2,
				   "empty payload");
	out->p = p->body;
	out->len = p->len;
	return 0;
}

/* Exact data length of an address ID type, 0 for the others (at least one octet). */
static size_t id_addr_len(uint8_t type)
{
	switch (type) {
	case ISAKMP_ID_IPV4_ADDR:
		return 4;
	case ISAKMP_ID_IPV4_ADDR_SUBNET:
	case ISAKMP_ID_IPV4_ADDR_RANGE:
		return 8;
	case ISAKMP_ID_IPV6_ADDR:
		return 16;
	case ISAKMP_ID_IPV6_ADDR_SUBNET:
	case ISAKMP_ID_IPV6_ADDR_RANGE:
		return 32;
	default:
		return 0;
	}
}

int isakmp_id_decode(const struct isakmp_pld *p, struct isakmp_id *out, struct isakmp_err *err)
{
	struct buf_reader r;
	struct isakmp_id t;
	size_t want;
	size_t n;

	body_reader(p, &r);
	if (buf_get_u8(&r, &t.type) || buf_get_u8(&r, &t.proto) || buf_get_u16(&r, &t.port))
		return isakmp_fail(err, ERR_TRUNC, ISAKMP_N_PAYLOAD_MALFORMED, p->type, body_off(p),
				   "truncated identification header");
	if (t.type < ISAKMP_ID_IPV4_ADDR || t.type > ISAKMP_ID_LIST)
		return isakmp_fail(err, ERR_UNSUPPORTED, ISAKMP_N_INVALID_ID_INFORMATION, p->type,
				   body_off(p), "unknown ID type %u", t.type);
	buf_get_rest(&r, &t.data, &n);
	t.len = (uint16_t)n;
	want = id_addr_len(t.type);
	if ((want && n != want) || n == 0)
		return isakmp_fail(err, ERR_INVAL, ISAKMP_N_INVALID_ID_INFORMATION, p->type,
				   body_off(p) + 4, "%s with %zu octets of data",
				   isakmp_id_name(t.type), n);
	*out = t;
	return 0;
}

int isakmp_cert_decode(const struct isakmp_pld *p, struct isakmp_cert *out, struct isakmp_err *err)
{
	struct buf_reader r;
	struct isakmp_cert t;
	size_t n;

	if (p->type != ISAKMP_PT_CERT && p->type != ISAKMP_PT_CR)
		return isakmp_fail(err, ERR_INVAL, 0, p->type, p->off, "not CERT or CR");
	body_reader(p, &r);
	if (buf_get_u8(&r, &t.enc))
		return isakmp_fail(err, ERR_TRUNC, ISAKMP_N_PAYLOAD_MALFORMED, p->type, body_off(p),
				   "missing certificate encoding");
	buf_get_rest(&r, &t.data, &n);
	t.len = (uint16_t)n;
	if (p->type == ISAKMP_PT_CERT && n == 0)
		return isakmp_fail(err, ERR_INVAL, ISAKMP_N_INVALID_CERTIFICATE, p->type,
				   body_off(p) + 1, "empty certificate data");
	*out = t;
	return 0;
}

/* SPI size allowed in a notification for a protocol. */
static bool notif_spi_ok(uint8_t proto, uint8_t spi_len)
{
	switch (proto) {
	case 0:
	case IPSEC_PROTO_ISAKMP:
		return spi_len <= ISAKMP_MAX_SPI_LEN;
	case IPSEC_PROTO_AH:
	case IPSEC_PROTO_ESP:
		return spi_len == 0 || spi_len == 4;
	case IPSEC_PROTO_IPCOMP:
		return spi_len == 0 || spi_len == 2 || spi_len == 4;
	default:
		return false;
	}
}

int isakmp_notif_decode(const struct isakmp_pld *p, struct isakmp_notif *out,
			struct isakmp_err *err)
{
	struct buf_reader r;
	struct isakmp_notif t;
	size_t n;

	memset(&t, 0, sizeof(t));
	body_reader(p, &r);
	if (buf_get_u32(&r, &t.doi) || buf_get_u8(&r, &t.proto) || buf_get_u8(&r, &t.spi_len) ||
	    buf_get_u16(&r, &t.type))
		return isakmp_fail(err, ERR_TRUNC, ISAKMP_N_PAYLOAD_MALFORMED, p->type, body_off(p),
				   "truncated notification header");
	if (t.doi != ISAKMP_DOI_ISAKMP && t.doi != ISAKMP_DOI_IPSEC)
		return isakmp_fail(err, ERR_UNSUPPORTED, ISAKMP_N_DOI_NOT_SUPPORTED, p->type,
				   body_off(p), "DOI %u", t.doi);
	if (t.proto > IPSEC_PROTO_IPCOMP)
		return isakmp_fail(err, ERR_UNSUPPORTED, ISAKMP_N_INVALID_PROTOCOL_ID, p->type,
				   body_off(p) + 4, "unknown protocol %u", t.proto);
	if (!notif_spi_ok(t.proto, t.spi_len))
		return isakmp_fail(err, ERR_INVAL, ISAKMP_N_INVALID_SPI, p->type, body_off(p) + 5,
				   "SPI size %u invalid for %s", t.spi_len, proto_name(t.proto));
	if (buf_get_bytes(&r, t.spi, t.spi_len))
		return isakmp_fail(err, ERR_TRUNC, ISAKMP_N_PAYLOAD_MALFORMED, p->type,
				   body_off(p) + 8, "SPI past the end of the payload");
	buf_get_rest(&r, &t.data, &n);
	t.len = (uint16_t)n;
	if (!n)
		t.data = NULL;
	*out = t;
	return 0;
}

static bool delete_spi_ok(uint8_t proto, uint8_t spi_len)
{
	switch (proto) {
	case IPSEC_PROTO_ISAKMP:
		return spi_len == 2 * ISAKMP_COOKIE_LEN;
	case IPSEC_PROTO_AH:
	case IPSEC_PROTO_ESP:
		return spi_len == 4;
	case IPSEC_PROTO_IPCOMP:
		return spi_len == 2 || spi_len == 4;
	default:
		return false;
	}
}

int isakmp_delete_decode(const struct isakmp_pld *p, struct isakmp_delete *out,
			 struct isakmp_err *err)
{
	struct buf_reader r;
	struct isakmp_delete t;
	size_t rest;

	body_reader(p, &r);
	if (buf_get_u32(&r, &t.doi) || buf_get_u8(&r, &t.proto) || buf_get_u8(&r, &t.spi_len) ||
	    buf_get_u16(&r, &t.n_spis))
		return isakmp_fail(err, ERR_TRUNC, ISAKMP_N_PAYLOAD_MALFORMED, p->type, body_off(p),
				   "truncated delete header");
	if (t.doi != ISAKMP_DOI_ISAKMP && t.doi != ISAKMP_DOI_IPSEC)
		return isakmp_fail(err, ERR_UNSUPPORTED, ISAKMP_N_DOI_NOT_SUPPORTED, p->type,
				   body_off(p), "DOI %u", t.doi);
	if (t.proto < IPSEC_PROTO_ISAKMP || t.proto > IPSEC_PROTO_IPCOMP)
		return isakmp_fail(err, ERR_UNSUPPORTED, ISAKMP_N_INVALID_PROTOCOL_ID, p->type,
				   body_off(p) + 4, "unknown protocol %u", t.proto);
	if (!delete_spi_ok(t.proto, t.spi_len))
		return isakmp_fail(err, ERR_INVAL, ISAKMP_N_INVALID_SPI, p->type, body_off(p) + 5,
				   "SPI size %u invalid for %s", t.spi_len, proto_name(t.proto));
	if (t.n_spis == 0 || t.n_spis > ISAKMP_MAX_DELETE_SPIS)
		return isakmp_fail(err, t.n_spis ? ERR_LIMIT : ERR_INVAL,
				   ISAKMP_N_PAYLOAD_MALFORMED, p->type, body_off(p) + 6, "%u SPIs",
				   t.n_spis);
	rest = buf_remaining(&r);
	if ((size_t)t.n_spis * t.spi_len != rest)
		return isakmp_fail(err, ERR_INVAL, ISAKMP_N_PAYLOAD_MALFORMED, p->type,
				   body_off(p) + 6, "%u SPIs of %u octets but %zu octets follow",
				   t.n_spis, t.spi_len, rest);
	buf_get_rest(&r, &t.spis, &rest);
	*out = t;
	return 0;
}

int isakmp_delete_spi(const struct isakmp_delete *d, unsigned i, const uint8_t **spi)
{
	struct buf_reader r;

	if (i >= d->n_spis)
		return ERR_INVAL;
	buf_reader_init(&r, d->spis, (size_t)d->n_spis * d->spi_len);
	if (buf_skip(&r, (size_t)i * d->spi_len) || buf_get_ref(&r, d->spi_len, spi))
		return ERR_INVAL;
	return 0;
}

int isakmp_nat_oa_decode(const struct isakmp_pld *p, struct isakmp_nat_oa *out,
			 struct isakmp_err *err)
{
	struct buf_reader r;
	struct isakmp_nat_oa t;
	uint8_t r1;
	uint16_t r2;

	memset(&t, 0, sizeof(t));
	body_reader(p, &r);
	if (buf_get_u8(&r, &t.id_type) || buf_get_u8(&r, &r1) || buf_get_u16(&r, &r2))
		return isakmp_fail(err, ERR_TRUNC, ISAKMP_N_PAYLOAD_MALFORMED, p->type, body_off(p),
				   "truncated NAT-OA header");
	(void)r1;
	(void)r2;
	if (t.id_type == ISAKMP_ID_IPV4_ADDR)
		t.addr_len = 4;
	else if (t.id_type == ISAKMP_ID_IPV6_ADDR)
		t.addr_len = 16;
	else
		return isakmp_fail(err, ERR_INVAL, ISAKMP_N_PAYLOAD_MALFORMED, p->type, body_off(p),
				   "NAT-OA ID type %u", t.id_type);
	if (buf_remaining(&r) != t.addr_len)
		return isakmp_fail(err, ERR_INVAL, ISAKMP_N_PAYLOAD_MALFORMED, p->type,
				   body_off(p) + 4, "NAT-OA address of %zu octets",
				   buf_remaining(&r));
	buf_get_bytes(&r, t.addr, t.addr_len);
	*out = t;
	return 0;
}

int isakmp_cfg_decode(const struct isakmp_pld *p, struct isakmp_cfg *out, struct isakmp_err *err)
{
	struct buf_reader r;
	uint8_t type, reserved;
	uint16_t id;
	size_t n;
	int rc;

	body_reader(p, &r);
	if (buf_get_u8(&r, &type) || buf_get_u8(&r, &reserved) || buf_get_u16(&r, &id))
		return isakmp_fail(err, ERR_TRUNC, ISAKMP_N_PAYLOAD_MALFORMED, p->type, body_off(p),
				   "truncated attribute payload header");
	(void)reserved;
	rc = isakmp_attrs_decode(&r, ISAKMP_ACTX_CFG, p->type, out->attrs, ISAKMP_MAX_CFG_ATTRS, &n,
				 err);
	if (rc)
		return rc;
	out->type = type;
	out->id = id;
	out->n_attrs = (uint16_t)n;
	return 0;
}

int isakmp_frag_decode(const struct isakmp_pld *p, struct isakmp_frag *out, struct isakmp_err *err)
{
	struct buf_reader r;
	struct isakmp_frag t;
	size_t n;

	body_reader(p, &r);
	if (buf_get_u16(&r, &t.id) || buf_get_u8(&r, &t.num) || buf_get_u8(&r, &t.flags))
		return isakmp_fail(err, ERR_TRUNC, ISAKMP_N_PAYLOAD_MALFORMED, p->type, body_off(p),
				   "truncated fragment header");
	if (t.num == 0)
		return isakmp_fail(err, ERR_INVAL, ISAKMP_N_PAYLOAD_MALFORMED, p->type,
				   body_off(p) + 2, "fragment number 0");
	buf_get_rest(&r, &t.data, &n);
	if (!n)
		return isakmp_fail(err, ERR_INVAL, ISAKMP_N_PAYLOAD_MALFORMED, p->type,
				   body_off(p) + 4, "empty fragment");
	t.len = (uint16_t)n;
	*out = t;
	return 0;
}

int isakmp_data_encode(struct buf_writer *w, const struct isakmp_data *d)
{
	if (d->len && !d->p)
		return ERR_INVAL;
	return buf_put_bytes(w, d->p, d->len);
}

int isakmp_id_encode(struct buf_writer *w, const struct isakmp_id *id)
{
	if (id->len && !id->data)
		return ERR_INVAL;
	buf_put_u8(w, id->type);
	buf_put_u8(w, id->proto);
	buf_put_u16(w, id->port);
	buf_put_bytes(w, id->data, id->len);
	return buf_writer_failed(w);
}

int isakmp_cert_encode(struct buf_writer *w, const struct isakmp_cert *c)
{
	if (c->len && !c->data)
		return ERR_INVAL;
	buf_put_u8(w, c->enc);
	buf_put_bytes(w, c->data, c->len);
	return buf_writer_failed(w);
}

int isakmp_notif_encode(struct buf_writer *w, const struct isakmp_notif *n)
{
	if (n->spi_len > ISAKMP_MAX_SPI_LEN || (n->len && !n->data))
		return ERR_INVAL;
	buf_put_u32(w, n->doi);
	buf_put_u8(w, n->proto);
	buf_put_u8(w, n->spi_len);
	buf_put_u16(w, n->type);
	buf_put_bytes(w, n->spi, n->spi_len);
	buf_put_bytes(w, n->data, n->len);
	return buf_writer_failed(w);
}

int isakmp_delete_encode(struct buf_writer *w, const struct isakmp_delete *d)
{
	size_t n = (size_t)d->n_spis * d->spi_len;

	if (n && !d->spis)
		return ERR_INVAL;
	buf_put_u32(w, d->doi);
	buf_put_u8(w, d->proto);
	buf_put_u8(w, d->spi_len);
	buf_put_u16(w, d->n_spis);
	buf_put_bytes(w, d->spis, n);
	return buf_writer_failed(w);
}

int isakmp_nat_oa_encode(struct buf_writer *w, const struct isakmp_nat_oa *oa)
{
	if (oa->addr_len > sizeof(oa->addr))
		return ERR_INVAL;
	buf_put_u8(w, oa->id_type);
	buf_put_u8(w, 0);
	buf_put_u16(w, 0);
	buf_put_bytes(w, oa->addr, oa->addr_len);
	return buf_writer_failed(w);
}

int isakmp_cfg_encode(struct buf_writer *w, const struct isakmp_cfg *c)
{
	int rc = 0;

	if (c->n_attrs > ISAKMP_MAX_CFG_ATTRS)
		return ERR_INVAL;
	buf_put_u8(w, c->type);
	buf_put_u8(w, 0);
	buf_put_u16(w, c->id);
	for (unsigned i = 0; i < c->n_attrs && !rc; i++)
		rc = isakmp_attr_encode(w, &c->attrs[i]);
	return rc ? rc : buf_writer_failed(w);
}

int isakmp_frag_encode(struct buf_writer *w, const struct isakmp_frag *f)
{
	if (f->len && !f->data)
		return ERR_INVAL;
	buf_put_u16(w, f->id);
	buf_put_u8(w, f->num);
	buf_put_u8(w, f->flags);
	buf_put_bytes(w, f->data, f->len);
	return buf_writer_failed(w);
}

int isakmp_payload_decode(const struct isakmp_pld *p, struct isakmp_payload *out,
			  struct isakmp_err *err)
{
	int rc;

	switch (p->type) {
	case ISAKMP_PT_SA:
		rc = isakmp_sa_decode(p, &out->u.sa, err);
		break;
	case ISAKMP_PT_KE:
	case ISAKMP_PT_HASH:
	case ISAKMP_PT_SIG:
	case ISAKMP_PT_NONCE:
	case ISAKMP_PT_VID:
	case ISAKMP_PT_NAT_D:
	case ISAKMP_PT_NAT_D_DRAFT:
		rc = isakmp_data_decode(p, &out->u.data, err);
		break;
	case ISAKMP_PT_ID:
		rc = isakmp_id_decode(p, &out->u.id, err);
		break;
	case ISAKMP_PT_CERT:
	case ISAKMP_PT_CR:
		rc = isakmp_cert_decode(p, &out->u.cert, err);
		break;
	case ISAKMP_PT_N:
		rc = isakmp_notif_decode(p, &out->u.n, err);
		break;
	case ISAKMP_PT_D:
		rc = isakmp_delete_decode(p, &out->u.d, err);
		break;
	case ISAKMP_PT_NAT_OA:
	case ISAKMP_PT_NAT_OA_DRAFT:
		rc = isakmp_nat_oa_decode(p, &out->u.nat_oa, err);
		break;
	case ISAKMP_PT_ATTR:
		rc = isakmp_cfg_decode(p, &out->u.cfg, err);
		break;
	case ISAKMP_PT_FRAG:
		rc = isakmp_frag_decode(p, &out->u.frag, err);
		break;
	default:
		rc = isakmp_fail(err, ERR_UNSUPPORTED, ISAKMP_N_INVALID_PAYLOAD_TYPE, p->type,
				 p->off, "no codec for payload type %u", p->type);
		break;
	}
	if (!rc)
		out->type = p->type;
	return rc;
}

int isakmp_payload_encode(struct buf_writer *w, const struct isakmp_payload *p)
{
	switch (p->type) {
	case ISAKMP_PT_SA:
		return isakmp_sa_encode(w, &p->u.sa);
	case ISAKMP_PT_KE:
	case ISAKMP_PT_HASH:
	case ISAKMP_PT_SIG:
	case ISAKMP_PT_NONCE:
	case ISAKMP_PT_VID:
	case ISAKMP_PT_NAT_D:
	case ISAKMP_PT_NAT_D_DRAFT:
		return isakmp_data_encode(w, &p->u.data);
	case ISAKMP_PT_ID:
		return isakmp_id_encode(w, &p->u.id);
	case ISAKMP_PT_CERT:
	case ISAKMP_PT_CR:
		return isakmp_cert_encode(w, &p->u.cert);
	case ISAKMP_PT_N:
		return isakmp_notif_encode(w, &p->u.n);
	case ISAKMP_PT_D:
		return isakmp_delete_encode(w, &p->u.d);
	case ISAKMP_PT_NAT_OA:
	case ISAKMP_PT_NAT_OA_DRAFT:
		return isakmp_nat_oa_encode(w, &p->u.nat_oa);
	case ISAKMP_PT_ATTR:
		return isakmp_cfg_encode(w, &p->u.cfg);
	case ISAKMP_PT_FRAG:
		return isakmp_frag_encode(w, &p->u.frag);
	default:
		return ERR_UNSUPPORTED;
	}
}
