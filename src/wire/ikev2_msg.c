/* IKEv2 message header, generic payload chain and digest: RFC 7296 §3.1, §3.2, §2.5. */
#include "wire/ikev2_msg.h"

#include <string.h>

#include "lib/err.h"
#include "lib/log.h"
#include "wire/ikev2_const.h"

/* RFC 7296 §3.1:
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                       IKE SA Initiator's SPI                  |
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                       IKE SA Responder's SPI                  |
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Next Payload | MjVer | MnVer | Exchange Type |     Flags     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                          Message ID                           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                            Length                             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * The minor version is ignored on receipt and sent as zero.
 */
static int hdr_read(struct buf_reader *r, struct ikev2_hdr *h)
{
	uint8_t ver;

	if (buf_remaining(r) < IKEV2_HDR_LEN)
		return ERR_TRUNC;
	(void)buf_get_bytes(r, h->spi_i, IKEV2_SPI_LEN);
	(void)buf_get_bytes(r, h->spi_r, IKEV2_SPI_LEN);
	(void)buf_get_u8(r, &h->next_payload);
	(void)buf_get_u8(r, &ver);
	h->major = ver >> 4;
	h->minor = ver & 0x0f;
	(void)buf_get_u8(r, &h->exchange);
	(void)buf_get_u8(r, &h->flags);
	(void)buf_get_u32(r, &h->msgid);
	(void)buf_get_u32(r, &h->length);
	return 0;
}

/* Reads and checks the header into *hdr (filled as far as it could be read). */
static int hdr_parse(const uint8_t *msg, size_t len, struct ikev2_hdr *hdr)
{
	struct buf_reader r;

	buf_reader_init(&r, msg, len);
	if (hdr_read(&r, hdr)) {
		log_debug(LOG_WIRE, "ikev2: %zu octets, shorter than the IKE header", len);
		return ERR_TRUNC;
	}
	if (hdr->major != IKEV2_MAJOR) {
		log_debug(LOG_WIRE, "ikev2: major version %u at offset 17", hdr->major);
		return ERR_UNSUPPORTED;
	}
	if (hdr->length != len) {
		log_debug(LOG_WIRE, "ikev2: header length %u at offset 24, datagram %zu octets",
			  hdr->length, len);
		return ERR_INVAL;
	}
	return 0;
}

int ikev2_hdr_decode(const uint8_t *msg, size_t len, struct ikev2_hdr *h)
{
	struct ikev2_hdr hdr;
	int err = hdr_parse(msg, len, &hdr);

	if (!err)
		*h = hdr;
	return err;
}

int ikev2_hdr_encode(struct buf_writer *w, const struct ikev2_hdr *h)
{
	buf_put_bytes(w, h->spi_i, IKEV2_SPI_LEN);
	buf_put_bytes(w, h->spi_r, IKEV2_SPI_LEN);
	buf_put_u8(w, h->next_payload);
	buf_put_u8(w, IKEV2_MAJOR << 4); /* minor version 0 */
	buf_put_u8(w, h->exchange);
	buf_put_u8(w, h->flags & (IKEV2_FLAG_INITIATOR | IKEV2_FLAG_VERSION | IKEV2_FLAG_RESPONSE));
	buf_put_u32(w, h->msgid);
	buf_put_u32(w, h->length);
	return buf_writer_failed(w);
}

/* Decodes the body of a payload of a known type into p->u; 1 when the type is unknown here. */
static int decode_known(struct ikev2_payload *p)
{
	struct buf_reader b = p->body;
	int err;

	switch (p->type) {
	case IKEV2_PT_SA: {
		struct ikev2_sa sa;

		return ikev2_sa_decode(&b, &sa);
	}
	case IKEV2_PT_TSi:
	case IKEV2_PT_TSr: {
		struct ikev2_ts_payload ts;

		return ikev2_ts_decode(&b, &ts);
	}
	case IKEV2_PT_KE:
		return ikev2_ke_decode(&b, &p->u.ke);
	case IKEV2_PT_IDi:
	case IKEV2_PT_IDr:
		return ikev2_id_decode(&b, &p->u.id);
	case IKEV2_PT_CERT:
	case IKEV2_PT_CERTREQ:
		err = ikev2_cert_decode(&b, &p->u.cert);
		if (!err && p->type == IKEV2_PT_CERT && p->u.cert.len == 0) {
			ikev2_log_bad(&b, "CERT", "no certificate data");
			err = ERR_INVAL;
		}
		return err;
	case IKEV2_PT_AUTH:
		return ikev2_auth_decode(&b, &p->u.auth);
	case IKEV2_PT_Nx:
		return ikev2_nonce_decode(&b, &p->u.nonce);
	case IKEV2_PT_N:
		return ikev2_notify_decode(&b, &p->u.n);
	case IKEV2_PT_D:
		return ikev2_delete_decode(&b, &p->u.d);
	case IKEV2_PT_V:
		return ikev2_vendor_decode(&b, &p->u.vendor);
	case IKEV2_PT_CP:
		return ikev2_cp_decode(&b, &p->u.cp);
	case IKEV2_PT_EAP:
		return ikev2_eap_decode(&b, &p->u.eap);
	case IKEV2_PT_SK:
		return ikev2_sk_decode(&b, p->next, &p->u.sk);
	case IKEV2_PT_SKF:
		return ikev2_skf_decode(&b, p->next, &p->u.sk);
	}
	return 1;
}

static void set_err(struct ikev2_decode_err *e, uint16_t notify, uint8_t type, size_t offset)
{
	if (!e)
		return;
	e->notify = notify;
	e->payload_type = type;
	e->offset = offset;
}

/* RFC 7296 §3.2 generic payload header:
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * Walks the chain in r starting with type `type`; `inner` forbids SK/SKF.
 */
static int decode_chain(struct buf_reader *r, uint8_t type, bool inner, struct ikev2_digest *d,
			struct ikev2_decode_err *e)
{
	int err;

	d->n = 0;
	d->n_unknown = 0;
	d->sk = NULL;
	memset(d->count, 0, sizeof(d->count));
	memset(d->first, 0, sizeof(d->first));

	while (type != IKEV2_PT_NONE) {
		struct ikev2_payload *p;
		uint8_t flags;
		uint16_t len;
		size_t at = buf_abs_offset(r);

		if (d->n >= IKEV2_MAX_PAYLOADS) {
			ikev2_log_bad(r, ikev2_payload_str(type), "too many payloads");
			set_err(e, IKEV2_N_INVALID_SYNTAX, type, at);
			return ERR_LIMIT;
		}
		p = &d->pl[d->n];
		memset(p, 0, sizeof(*p));
		p->type = type;
		p->offset = at;
		if (buf_remaining(r) < IKEV2_GENERIC_HDR_LEN) {
			ikev2_log_bad(r, ikev2_payload_str(type),
				      buf_empty(r) ? "next payload points past the message"
						   : "truncated generic header");
			set_err(e, IKEV2_N_INVALID_SYNTAX, type, at);
			return ERR_TRUNC;
		}
		(void)buf_get_u8(r, &p->next);
		(void)buf_get_u8(r, &flags);
		(void)buf_peek_u16(r, &len);
		p->critical = (flags & IKEV2_CRITICAL_BIT) != 0; /* RESERVED bits ignored */
		if (len < IKEV2_GENERIC_HDR_LEN) {
			ikev2_log_bad(r, ikev2_payload_str(type),
				      "length below the generic header");
			set_err(e, IKEV2_N_INVALID_SYNTAX, type, at);
			return ERR_INVAL;
		}
		(void)buf_skip(r, 2);
		if (buf_sub(r, (size_t)len - IKEV2_GENERIC_HDR_LEN, &p->body)) {
			ikev2_log_bad(r, ikev2_payload_str(type), "length runs past the message");
			set_err(e, IKEV2_N_INVALID_SYNTAX, type, at);
			return ERR_TRUNC;
		}
		if ((type == IKEV2_PT_SK || type == IKEV2_PT_SKF) && inner) {
			ikev2_log_bad(&p->body, ikev2_payload_str(type),
				      "nested encrypted payload");
			set_err(e, IKEV2_N_INVALID_SYNTAX, type, at);
			return ERR_INVAL;
		}
		err = decode_known(p);
		if (err < 0) {
			set_err(e, IKEV2_N_INVALID_SYNTAX, type, at);
			return err;
		}
		p->known = err == 0;
		if (!p->known) {
			if (p->critical) {
				log_debug(LOG_WIRE,
					  "ikev2: unsupported critical payload %u at offset %zu",
					  type, at);
				set_err(e, IKEV2_N_UNSUPPORTED_CRITICAL_PAYLOAD, type, at);
				return ERR_CRITICAL;
			}
			log_debug(LOG_WIRE, "ikev2: skipping unknown payload %u at offset %zu",
				  type, at);
			d->n_unknown++;
		}
		if (!d->first[type])
			d->first[type] = (uint8_t)(d->n + 1);
		d->count[type]++;
		d->n++;
		if (type == IKEV2_PT_SK || type == IKEV2_PT_SKF) {
			/* RFC 7296 §3.14: SK is the last payload; its Next Payload names the first
			 * inner payload. RFC 7383 §2.5: SKF is the only payload. */
			if (!buf_empty(r) || (type == IKEV2_PT_SKF && d->n != 1)) {
				ikev2_log_bad(r, ikev2_payload_str(type),
					      "encrypted payload not last (or SKF not alone)");
				set_err(e, IKEV2_N_INVALID_SYNTAX, type, at);
				return ERR_INVAL;
			}
			d->sk = p;
			return 0;
		}
		type = p->next;
	}
	if (!buf_empty(r)) {
		ikev2_log_bad(r, "payload chain", "ends before the message does");
		set_err(e, IKEV2_N_INVALID_SYNTAX, IKEV2_PT_NONE, buf_abs_offset(r));
		return ERR_INVAL;
	}
	return 0;
}

int ikev2_decode(const uint8_t *msg, size_t len, struct ikev2_digest *d, struct ikev2_decode_err *e)
{
	struct buf_reader r;
	int err;

	memset(&d->hdr, 0, sizeof(d->hdr));
	err = hdr_parse(msg, len, &d->hdr);
	if (err) {
		/* RFC 7296 §2.5: a higher major version is answered with INVALID_MAJOR_VERSION; a
		 * lower one (IKEv1) belongs to another decoder; a broken header is dropped. */
		uint16_t notify = 0;

		if (err == ERR_UNSUPPORTED && d->hdr.major > IKEV2_MAJOR)
			notify = IKEV2_N_INVALID_MAJOR_VERSION;
		set_err(e, notify, IKEV2_PT_NONE, 0);
		return err;
	}
	buf_reader_init(&r, msg, len);
	(void)buf_skip(&r, IKEV2_HDR_LEN);
	return decode_chain(&r, d->hdr.next_payload, false, d, e);
}

int ikev2_decode_inner(const uint8_t *plain, size_t len, size_t base, uint8_t first,
		       struct ikev2_digest *d, struct ikev2_decode_err *e)
{
	struct buf_reader r;

	memset(&d->hdr, 0, sizeof(d->hdr));
	buf_reader_init(&r, plain, len);
	r.base = base;
	return decode_chain(&r, first, true, d, e);
}

const struct ikev2_payload *ikev2_digest_first(const struct ikev2_digest *d, uint8_t type)
{
	return d->first[type] ? &d->pl[d->first[type] - 1] : NULL;
}

const struct ikev2_payload *ikev2_digest_next(const struct ikev2_digest *d,
					      const struct ikev2_payload *p)
{
	for (size_t i = (size_t)(p - d->pl) + 1; i < d->n; i++) {
		if (d->pl[i].type == p->type)
			return &d->pl[i];
	}
	return NULL;
}

unsigned ikev2_digest_count(const struct ikev2_digest *d, uint8_t type)
{
	return d->count[type];
}

const struct ikev2_payload *ikev2_digest_notify(const struct ikev2_digest *d, uint16_t ntype)
{
	for (const struct ikev2_payload *p = ikev2_digest_first(d, IKEV2_PT_N); p;
	     p = ikev2_digest_next(d, p)) {
		if (p->u.n.type == ntype)
			return p;
	}
	return NULL;
}

int ikev2_payload_sa(const struct ikev2_payload *p, struct ikev2_sa *out)
{
	struct buf_reader b = p->body;

	if (p->type != IKEV2_PT_SA)
		return ERR_INVAL;
	return ikev2_sa_decode(&b, out);
}

int ikev2_payload_ts(const struct ikev2_payload *p, struct ikev2_ts_payload *out)
{
	struct buf_reader b = p->body;

	if (p->type != IKEV2_PT_TSi && p->type != IKEV2_PT_TSr)
		return ERR_INVAL;
	return ikev2_ts_decode(&b, out);
}
