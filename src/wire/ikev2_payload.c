/* IKEv2 payload body codecs: RFC 7296 §3.4-§3.16, RFC 7383 §2.5. */
#include "wire/ikev2_payload.h"

#include "lib/err.h"
#include "lib/log.h"
#include "wire/ikev2_const.h"

void ikev2_log_bad(const struct buf_reader *r, const char *what, const char *why)
{
	log_debug(LOG_WIRE, "ikev2: bad %s at offset %zu: %s", what, buf_abs_offset(r), why);
}

/* Reads the 1-octet type and 3 reserved octets that start KE-like bodies; the reserved octets
 * are ignored (RFC 7296 §3.2). */
static int get_type_reserved3(struct buf_reader *r, uint8_t *type)
{
	if (buf_remaining(r) < 4)
		return ERR_TRUNC;
	(void)buf_get_u8(r, type);
	return buf_skip(r, 3);
}

/* RFC 7296 §3.4:
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   Diffie-Hellman Group Num    |           RESERVED            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                       Key Exchange Data                       ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
int ikev2_ke_decode(struct buf_reader *body, struct ikev2_ke_payload *out)
{
	struct ikev2_ke_payload ke;

	if (buf_get_u16(body, &ke.group) || buf_skip(body, 2)) {
		ikev2_log_bad(body, "KE", "shorter than its fixed fields");
		return ERR_TRUNC;
	}
	buf_get_rest(body, &ke.data, &ke.len);
	if (ke.len == 0) {
		ikev2_log_bad(body, "KE", "empty key exchange data");
		return ERR_INVAL;
	}
	*out = ke;
	return 0;
}

int ikev2_ke_encode(struct buf_writer *w, const struct ikev2_ke_payload *ke)
{
	buf_put_u16(w, ke->group);
	buf_put_u16(w, 0);
	buf_put_bytes(w, ke->data, ke->len);
	return buf_writer_failed(w);
}

int ikev2_ke_check_len(const struct ikev2_ke_payload *ke, const struct ikev2_ke_len *table,
		       size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (table[i].group != ke->group)
			continue;
		if (table[i].len != ke->len) {
			log_debug(LOG_WIRE, "ikev2: KE group %u carries %zu octets, expected %u",
				  ke->group, ke->len, table[i].len);
			return ERR_INVAL;
		}
		return 0;
	}
	return ERR_UNSUPPORTED;
}

int ikev2_ke_check_fn(const struct ikev2_ke_payload *ke, size_t (*public_len)(uint16_t group))
{
	size_t want = public_len(ke->group);

	if (want == 0)
		return ERR_UNSUPPORTED;
	if (want != ke->len) {
		log_debug(LOG_WIRE, "ikev2: KE group %u carries %zu octets, expected %zu",
			  ke->group, ke->len, want);
		return ERR_INVAL;
	}
	return 0;
}

/* RFC 7296 §3.5:
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   ID Type     |                 RESERVED                      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                   Identification Data                         ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * Address types have fixed lengths; ID_NULL (RFC 7619 §3.3) has none.
 */
int ikev2_id_decode(struct buf_reader *body, struct ikev2_id *out)
{
	struct ikev2_id id;

	if (get_type_reserved3(body, &id.type)) {
		ikev2_log_bad(body, "ID", "shorter than its fixed fields");
		return ERR_TRUNC;
	}
	buf_get_rest(body, &id.data, &id.len);
	if ((id.type == IKEV2_ID_IPV4_ADDR && id.len != 4) ||
	    (id.type == IKEV2_ID_IPV6_ADDR && id.len != 16) ||
	    (id.type == IKEV2_ID_NULL && id.len != 0) ||
	    (id.type != IKEV2_ID_NULL && id.len == 0)) {
		ikev2_log_bad(body, "ID", "identification data length does not fit its type");
		return ERR_INVAL;
	}
	*out = id;
	return 0;
}

int ikev2_id_encode(struct buf_writer *w, const struct ikev2_id *id)
{
	buf_put_u8(w, id->type);
	buf_put_zeros(w, 3);
	buf_put_bytes(w, id->data, id->len);
	return buf_writer_failed(w);
}

/* RFC 7296 §3.6 (CERT) and §3.7 (CERTREQ):
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Cert Encoding |                                               |
 * +-+-+-+-+-+-+-+-+                                               |
 * ~            Certificate Data / Certification Authority         ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * A CERTREQ may carry no CA hashes; a CERT must carry data.
 */
int ikev2_cert_decode(struct buf_reader *body, struct ikev2_cert *out)
{
	struct ikev2_cert c;

	if (buf_get_u8(body, &c.encoding)) {
		ikev2_log_bad(body, "CERT/CERTREQ", "missing encoding");
		return ERR_TRUNC;
	}
	buf_get_rest(body, &c.data, &c.len);
	*out = c;
	return 0;
}

int ikev2_cert_encode(struct buf_writer *w, const struct ikev2_cert *c)
{
	buf_put_u8(w, c->encoding);
	buf_put_bytes(w, c->data, c->len);
	return buf_writer_failed(w);
}

/* RFC 7296 §3.8:
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Auth Method   |                RESERVED                       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                      Authentication Data                      ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
int ikev2_auth_decode(struct buf_reader *body, struct ikev2_auth *out)
{
	struct ikev2_auth a;

	if (get_type_reserved3(body, &a.method)) {
		ikev2_log_bad(body, "AUTH", "shorter than its fixed fields");
		return ERR_TRUNC;
	}
	buf_get_rest(body, &a.data, &a.len);
	if (a.len == 0) {
		ikev2_log_bad(body, "AUTH", "empty authentication data");
		return ERR_INVAL;
	}
	*out = a;
	return 0;
}

int ikev2_auth_encode(struct buf_writer *w, const struct ikev2_auth *a)
{
	buf_put_u8(w, a->method);
	buf_put_zeros(w, 3);
	buf_put_bytes(w, a->data, a->len);
	return buf_writer_failed(w);
}

/* RFC 7296 §3.9:
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                            Nonce Data                         ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * "The size of the Nonce Data MUST be between 16 and 256 octets, inclusive."
 */
int ikev2_nonce_decode(struct buf_reader *body, struct ikev2_blob *out)
{
	struct ikev2_blob n;

	if (buf_remaining(body) < IKEV2_NONCE_MIN || buf_remaining(body) > IKEV2_NONCE_MAX) {
		ikev2_log_bad(body, "Nonce", "length outside 16..256");
		return ERR_INVAL;
	}
	buf_get_rest(body, &n.data, &n.len);
	*out = n;
	return 0;
}

int ikev2_nonce_encode(struct buf_writer *w, const struct ikev2_blob *n)
{
	if (n->len < IKEV2_NONCE_MIN || n->len > IKEV2_NONCE_MAX)
		return ERR_INVAL;
	return buf_put_bytes(w, n->data, n->len);
}

/* RFC 7296 §3.12: Vendor ID data, opaque, of any length. */
int ikev2_vendor_decode(struct buf_reader *body, struct ikev2_blob *out)
{
	buf_get_rest(body, &out->data, &out->len);
	return 0;
}

int ikev2_vendor_encode(struct buf_writer *w, const struct ikev2_blob *v)
{
	return buf_put_bytes(w, v->data, v->len);
}

/* SPI size for a protocol's SPI when one is present (RFC 7296 §3.3.1, §3.10). 0: none allowed. */
static unsigned proto_spi_size(uint8_t proto)
{
	switch (proto) {
	case IKEV2_PROTO_IKE:
		return 8;
	case IKEV2_PROTO_AH:
	case IKEV2_PROTO_ESP:
		return 4;
	}
	return 0;
}

/* RFC 7296 §3.10:
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Protocol ID  |   SPI Size    |      Notify Message Type      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                Security Parameter Index (SPI)                 ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                       Notification Data                       ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * With no SPI the Protocol ID is ignored on receipt.
 */
int ikev2_notify_decode(struct buf_reader *body, struct ikev2_notify *out)
{
	struct ikev2_notify n;

	if (buf_remaining(body) < 4) {
		ikev2_log_bad(body, "N", "shorter than its fixed fields");
		return ERR_TRUNC;
	}
	(void)buf_get_u8(body, &n.proto);
	(void)buf_get_u8(body, &n.spi_size);
	(void)buf_get_u16(body, &n.type);
	if (n.spi_size != 0 && n.spi_size != proto_spi_size(n.proto)) {
		ikev2_log_bad(body, "N", "SPI size inconsistent with protocol");
		return ERR_INVAL;
	}
	if (buf_get_ref(body, n.spi_size, &n.spi)) {
		ikev2_log_bad(body, "N", "SPI runs past the payload");
		return ERR_TRUNC;
	}
	if (n.spi_size == 0)
		n.spi = NULL;
	buf_get_rest(body, &n.data, &n.len);
	*out = n;
	return 0;
}

int ikev2_notify_encode(struct buf_writer *w, const struct ikev2_notify *n)
{
	if (n->spi_size != 0 && n->spi_size != proto_spi_size(n->proto))
		return ERR_INVAL;
	buf_put_u8(w, n->proto);
	buf_put_u8(w, n->spi_size);
	buf_put_u16(w, n->type);
	buf_put_bytes(w, n->spi, n->spi_size);
	buf_put_bytes(w, n->data, n->len);
	return buf_writer_failed(w);
}

/* RFC 7296 §3.11:
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Protocol ID   |   SPI Size    |          Num of SPIs          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~               Security Parameter Index(es) (SPI)              ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * "For IKE SAs, [SPI Size] MUST be zero" and Num of SPIs zero; AH/ESP SPIs are 4 octets.
 */
int ikev2_delete_decode(struct buf_reader *body, struct ikev2_delete *out)
{
	struct ikev2_delete d;
	size_t need;

	if (buf_remaining(body) < 4) {
		ikev2_log_bad(body, "D", "shorter than its fixed fields");
		return ERR_TRUNC;
	}
	(void)buf_get_u8(body, &d.proto);
	(void)buf_get_u8(body, &d.spi_size);
	(void)buf_get_u16(body, &d.count);
	switch (d.proto) {
	case IKEV2_PROTO_IKE:
		if (d.spi_size != 0 || d.count != 0) {
			ikev2_log_bad(body, "D", "IKE delete with SPIs");
			return ERR_INVAL;
		}
		break;
	case IKEV2_PROTO_AH:
	case IKEV2_PROTO_ESP:
		if (d.spi_size != 4) {
			ikev2_log_bad(body, "D", "SPI size inconsistent with protocol");
			return ERR_INVAL;
		}
		break;
	default:
		ikev2_log_bad(body, "D", "unknown protocol");
		return ERR_INVAL;
	}
	need = (size_t)d.count * d.spi_size;
	if (need != buf_remaining(body)) {
		ikev2_log_bad(body, "D", "SPI count times size does not match the payload");
		return need > buf_remaining(body) ? ERR_TRUNC : ERR_INVAL;
	}
	buf_get_rest(body, &d.spis, &need);
	if (d.count == 0)
		d.spis = NULL;
	*out = d;
	return 0;
}

int ikev2_delete_encode(struct buf_writer *w, const struct ikev2_delete *d)
{
	unsigned want = d->proto == IKEV2_PROTO_IKE ? 0 : proto_spi_size(d->proto);

	if (d->spi_size != want || (d->proto == IKEV2_PROTO_IKE && d->count) ||
	    (d->proto != IKEV2_PROTO_IKE && want == 0))
		return ERR_INVAL;
	buf_put_u8(w, d->proto);
	buf_put_u8(w, d->spi_size);
	buf_put_u16(w, d->count);
	buf_put_bytes(w, d->spis, (size_t)d->count * d->spi_size);
	return buf_writer_failed(w);
}

int ikev2_delete_spi(const struct ikev2_delete *d, uint16_t i, uint32_t *spi)
{
	struct buf_reader r;

	if (d->spi_size != 4 || i >= d->count)
		return ERR_INVAL;
	buf_reader_init(&r, d->spis, (size_t)d->count * 4);
	if (buf_skip(&r, (size_t)i * 4) || buf_get_u32(&r, spi))
		return ERR_INVAL;
	return 0;
}

/* RFC 7296 §3.15:
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |C| RESERVED    |         Payload Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   CFG Type    |                    RESERVED                   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                   Configuration Attributes                    ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * §3.15.1 attribute:
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |R|         Attribute Type      |            Length             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                             Value                             ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
static int cp_attr_next(struct buf_reader *r, struct ikev2_cp_attr *a)
{
	uint16_t t, len;

	if (buf_remaining(r) < 4) {
		ikev2_log_bad(r, "CP attribute", "truncated header");
		return ERR_TRUNC;
	}
	(void)buf_get_u16(r, &t);
	(void)buf_get_u16(r, &len);
	if (buf_get_ref(r, len, &a->data)) {
		ikev2_log_bad(r, "CP attribute", "value runs past the payload");
		return ERR_TRUNC;
	}
	a->type = t & 0x7fff; /* R bit reserved: ignored */
	a->len = len;
	return 0;
}

int ikev2_cp_decode(struct buf_reader *body, struct ikev2_cp *out)
{
	struct ikev2_cp cp;
	struct buf_reader attrs;
	struct ikev2_cp_attr a;
	int err;

	if (get_type_reserved3(body, &cp.type)) {
		ikev2_log_bad(body, "CP", "shorter than its fixed fields");
		return ERR_TRUNC;
	}
	attrs = *body;
	cp.nattrs = 0;
	while (!buf_empty(&attrs)) {
		if (cp.nattrs >= IKEV2_MAX_CP_ATTRS) {
			ikev2_log_bad(&attrs, "CP", "too many attributes");
			return ERR_LIMIT;
		}
		err = cp_attr_next(&attrs, &a);
		if (err)
			return err;
		cp.nattrs++;
	}
	buf_get_rest(body, &cp.raw, &cp.raw_len);
	*out = cp;
	return 0;
}

int ikev2_cp_attrs(const struct ikev2_cp *cp, struct ikev2_cp_attr *out, size_t max, size_t *n)
{
	struct buf_reader r;
	size_t i = 0;
	int err;

	buf_reader_init(&r, cp->raw, cp->raw_len);
	while (!buf_empty(&r)) {
		if (i >= max)
			return ERR_LIMIT;
		err = cp_attr_next(&r, &out[i]);
		if (err)
			return err;
		i++;
	}
	*n = i;
	return 0;
}

int ikev2_cp_encode(struct buf_writer *w, uint8_t cfg_type, const struct ikev2_cp_attr *attrs,
		    size_t nattrs)
{
	buf_put_u8(w, cfg_type);
	buf_put_zeros(w, 3);
	for (size_t i = 0; i < nattrs; i++) {
		if (attrs[i].type > 0x7fff)
			return ERR_INVAL;
		buf_put_u16(w, attrs[i].type);
		buf_put_u16(w, attrs[i].len);
		buf_put_bytes(w, attrs[i].data, attrs[i].len);
	}
	return buf_writer_failed(w);
}

/* RFC 7296 §3.16 (EAP message per RFC 3748 §4):
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Code      | Identifier    |           Length              |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Type      | Type_Data...
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * The EAP Length must equal the payload body; Success/Failure are exactly 4 octets.
 */
int ikev2_eap_decode(struct buf_reader *body, struct ikev2_eap *out)
{
	struct ikev2_eap e;
	uint16_t len;
	size_t total = buf_remaining(body);

	e.msg_len = total;
	if (buf_get_ref(body, 0, &e.msg) || total < 4) {
		ikev2_log_bad(body, "EAP", "shorter than the EAP header");
		return ERR_TRUNC;
	}
	(void)buf_get_u8(body, &e.code);
	(void)buf_get_u8(body, &e.id);
	(void)buf_get_u16(body, &len);
	if (len != total) {
		ikev2_log_bad(body, "EAP", "EAP length disagrees with the payload length");
		return ERR_INVAL;
	}
	switch (e.code) {
	case IKEV2_EAP_REQUEST:
	case IKEV2_EAP_RESPONSE:
		if (buf_get_u8(body, &e.type)) {
			ikev2_log_bad(body, "EAP", "request/response without a type");
			return ERR_TRUNC;
		}
		break;
	case IKEV2_EAP_SUCCESS:
	case IKEV2_EAP_FAILURE:
		if (len != 4) {
			ikev2_log_bad(body, "EAP", "success/failure with data");
			return ERR_INVAL;
		}
		e.type = 0;
		break;
	default:
		ikev2_log_bad(body, "EAP", "unknown code");
		return ERR_INVAL;
	}
	buf_get_rest(body, &e.type_data, &e.type_data_len);
	*out = e;
	return 0;
}

int ikev2_eap_encode(struct buf_writer *w, const struct ikev2_eap *e)
{
	bool has_type = e->code == IKEV2_EAP_REQUEST || e->code == IKEV2_EAP_RESPONSE;
	size_t len = 4 + (has_type ? 1 + e->type_data_len : 0);

	if (e->code < IKEV2_EAP_REQUEST || e->code > IKEV2_EAP_FAILURE || len > UINT16_MAX)
		return ERR_INVAL;
	buf_put_u8(w, e->code);
	buf_put_u8(w, e->id);
	buf_put_u16(w, (uint16_t)len);
	if (has_type) {
		buf_put_u8(w, e->type);
		buf_put_bytes(w, e->type_data, e->type_data_len);
	}
	return buf_writer_failed(w);
}
