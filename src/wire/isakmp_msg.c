#include "wire/isakmp_msg.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lib/err.h"
#include "lib/log.h"
#include "wire/isakmp_const.h"

int isakmp_fail(struct isakmp_err *err, int code, uint16_t notify, uint8_t payload, size_t off,
		const char *fmt, ...)
{
	if (log_enabled(LOG_WIRE, LOG_LVL_DEBUG)) {
		char why[160];
		va_list ap;

		va_start(ap, fmt);
		vsnprintf(why, sizeof(why), fmt, ap);
		va_end(ap);
		log_debug(LOG_WIRE, "isakmp: %s payload at offset %zu: %s (%s)",
			  payload == ISAKMP_PT_NONE ? "header" : isakmp_payload_name(payload), off,
			  why, notify ? isakmp_notify_name(notify) : "drop");
	}
	if (err) {
		err->notify = notify;
		err->payload = payload;
		err->offset = (uint32_t)off;
	}
	return code;
}

int isakmp_hdr_decode(const uint8_t *p, size_t len, struct isakmp_hdr *h, struct isakmp_err *err)
{
	struct buf_reader r;
	struct isakmp_hdr t;
	uint8_t ver;

	buf_reader_init(&r, p, len);
	if (buf_get_bytes(&r, t.icookie, sizeof(t.icookie)) ||
	    buf_get_bytes(&r, t.rcookie, sizeof(t.rcookie)) || buf_get_u8(&r, &t.next_payload) ||
	    buf_get_u8(&r, &ver) || buf_get_u8(&r, &t.exch) || buf_get_u8(&r, &t.flags) ||
	    buf_get_u32(&r, &t.msg_id) || buf_get_u32(&r, &t.length))
		return isakmp_fail(err, ERR_TRUNC, 0, ISAKMP_PT_NONE, len,
				   "datagram shorter than the ISAKMP header");
	t.major = ver >> 4;
	t.minor = ver & 0x0f;
	if (t.major != ISAKMP_MAJOR_VERSION)
		return isakmp_fail(err, ERR_UNSUPPORTED, ISAKMP_N_INVALID_MAJOR_VERSION,
				   ISAKMP_PT_NONE, 17, "major version is not 1");
	if (t.minor != ISAKMP_MINOR_VERSION)
		return isakmp_fail(err, ERR_UNSUPPORTED, ISAKMP_N_INVALID_MINOR_VERSION,
				   ISAKMP_PT_NONE, 17, "minor version is not 0");
	if (t.flags & ~ISAKMP_FLAGS_KNOWN)
		return isakmp_fail(err, ERR_INVAL, ISAKMP_N_INVALID_FLAGS, ISAKMP_PT_NONE, 19,
				   "reserved flag bits set");
	if (t.length != len)
		return isakmp_fail(err, ERR_INVAL, ISAKMP_N_UNEQUAL_PAYLOAD_LENGTHS, ISAKMP_PT_NONE,
				   24, "header length differs from the datagram length");
	if (t.length > ISAKMP_MAX_MSG_LEN)
		return isakmp_fail(err, ERR_LIMIT, 0, ISAKMP_PT_NONE, 24, "message too long");
	*h = t;
	return 0;
}

int isakmp_hdr_encode(struct buf_writer *w, const struct isakmp_hdr *h)
{
	if (h->major > 15 || h->minor > 15)
		return ERR_INVAL;
	buf_put_bytes(w, h->icookie, sizeof(h->icookie));
	buf_put_bytes(w, h->rcookie, sizeof(h->rcookie));
	buf_put_u8(w, h->next_payload);
	buf_put_u8(w, (uint8_t)(h->major << 4 | h->minor));
	buf_put_u8(w, h->exch);
	buf_put_u8(w, h->flags);
	buf_put_u32(w, h->msg_id);
	buf_put_u32(w, h->length);
	return buf_writer_failed(w);
}

enum isakmp_udp4500_kind isakmp_udp4500_classify(const uint8_t *p, size_t len, const uint8_t **ike,
						 size_t *ike_len)
{
	struct buf_reader r;
	uint32_t marker;

	buf_reader_init(&r, p, len);
	if (len == 1 && p[0] == 0xff)
		return ISAKMP_UDP4500_KEEPALIVE;
	if (buf_get_u32(&r, &marker))
		return ISAKMP_UDP4500_INVALID;
	if (marker != 0) {
		/* SPI and sequence number: an ESP packet has at least eight octets */
		return len >= 8 ? ISAKMP_UDP4500_ESP : ISAKMP_UDP4500_INVALID;
	}
	if (buf_remaining(&r) < ISAKMP_HDR_LEN)
		return ISAKMP_UDP4500_INVALID;
	if (ike && ike_len)
		buf_get_rest(&r, ike, ike_len);
	return ISAKMP_UDP4500_IKE;
}

int isakmp_put_non_esp_marker(struct buf_writer *w)
{
	return buf_put_u32(w, 0);
}

bool isakmp_payload_toplevel(uint8_t type)
{
	switch (type) {
	case ISAKMP_PT_SA:
	case ISAKMP_PT_KE:
	case ISAKMP_PT_ID:
	case ISAKMP_PT_CERT:
	case ISAKMP_PT_CR:
	case ISAKMP_PT_HASH:
	case ISAKMP_PT_SIG:
	case ISAKMP_PT_NONCE:
	case ISAKMP_PT_N:
	case ISAKMP_PT_D:
	case ISAKMP_PT_VID:
	case ISAKMP_PT_ATTR:
	case ISAKMP_PT_NAT_D:
	case ISAKMP_PT_NAT_OA:
	case ISAKMP_PT_NAT_D_DRAFT:
	case ISAKMP_PT_NAT_OA_DRAFT:
	case ISAKMP_PT_FRAG:
		return true;
	default:
		return false;
	}
}

static void digest_reset(struct isakmp_msg *m)
{
	m->have_payloads = false;
	m->padding = 0;
	m->n = 0;
	memset(m->count, 0, sizeof(m->count));
	memset(m->first, ISAKMP_PLD_NONE, sizeof(m->first));
	m->n_unknown = 0;
	m->first_unknown = ISAKMP_PT_NONE;
}

/* Walks the generic payload chain in r starting with type `first` (RFC 2408 §3.2):
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ! Next Payload  !   RESERVED    !         Payload Length        !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * The RESERVED octet is ignored on receipt. Bytes after the payload whose Next Payload is NONE
 * are an error unless max_pad allows them as padding. */
static int walk_chain(struct isakmp_msg *m, uint8_t first, struct buf_reader *r, size_t max_pad,
		      unsigned flags, struct isakmp_err *err)
{
	uint8_t type = first;

	while (type != ISAKMP_PT_NONE) {
		struct isakmp_pld *p;
		size_t off = buf_abs_offset(r);
		uint8_t next, reserved;
		uint16_t plen;
		const uint8_t *body;

		if (buf_remaining(r) == 0)
			return isakmp_fail(err, ERR_TRUNC, ISAKMP_N_PAYLOAD_MALFORMED, type, off,
					   "payload chain ends before the payload announced");
		if (buf_remaining(r) < ISAKMP_GENERIC_HDR_LEN)
			return isakmp_fail(err, ERR_TRUNC, ISAKMP_N_PAYLOAD_MALFORMED, type, off,
					   "truncated generic payload header");
		buf_get_u8(r, &next);
		buf_get_u8(r, &reserved);
		buf_get_u16(r, &plen);
		(void)reserved;
		if (plen < ISAKMP_GENERIC_HDR_LEN)
			return isakmp_fail(err, ERR_INVAL, ISAKMP_N_PAYLOAD_MALFORMED, type,
					   off + 2, "payload length below the generic header");
		if (buf_get_ref(r, plen - ISAKMP_GENERIC_HDR_LEN, &body))
			return isakmp_fail(err, ERR_TRUNC, ISAKMP_N_PAYLOAD_MALFORMED, type,
					   off + 2, "payload length past the end of the message");
		if (!isakmp_payload_toplevel(type)) {
			if (!(flags & ISAKMP_DEC_ALLOW_UNKNOWN))
				return isakmp_fail(err, ERR_UNSUPPORTED,
						   ISAKMP_N_INVALID_PAYLOAD_TYPE, type, off,
						   "payload type not valid here");
			if (m->n_unknown++ == 0)
				m->first_unknown = type;
		}
		if (m->n >= ISAKMP_MAX_PAYLOADS)
			return isakmp_fail(err, ERR_LIMIT, ISAKMP_N_PAYLOAD_MALFORMED, type, off,
					   "too many payloads");
		p = &m->pld[m->n];
		p->type = type;
		p->next = next;
		p->len = (uint16_t)(plen - ISAKMP_GENERIC_HDR_LEN);
		p->off = (uint32_t)off;
		p->body = body;
		if (m->first[type] == ISAKMP_PLD_NONE)
			m->first[type] = (uint8_t)m->n;
		if (m->count[type] < 255)
			m->count[type]++;
		m->n++;
		type = next;
	}
	if (buf_remaining(r) > max_pad)
		return isakmp_fail(err, ERR_INVAL, ISAKMP_N_UNEQUAL_PAYLOAD_LENGTHS, ISAKMP_PT_NONE,
				   buf_abs_offset(r), "bytes after the last payload");
	m->padding = buf_remaining(r);
	m->have_payloads = true;
	return 0;
}

int isakmp_msg_decode(struct isakmp_msg *m, const uint8_t *p, size_t len, unsigned flags,
		      struct isakmp_err *err)
{
	struct isakmp_msg t;
	struct buf_reader r;
	int rc;

	rc = isakmp_hdr_decode(p, len, &t.hdr, err);
	if (rc)
		goto out;
	t.raw = p;
	t.raw_len = len;
	t.encrypted = (t.hdr.flags & ISAKMP_FLAG_ENC) != 0;
	t.cipher = NULL;
	t.cipher_len = 0;
	digest_reset(&t);
	buf_reader_init(&r, p, len);
	buf_skip(&r, ISAKMP_HDR_LEN);
	if (t.encrypted) {
		if (buf_empty(&r)) {
			rc = isakmp_fail(err, ERR_TRUNC, ISAKMP_N_PAYLOAD_MALFORMED, ISAKMP_PT_NONE,
					 ISAKMP_HDR_LEN, "encrypted message without a body");
			goto out;
		}
		buf_get_rest(&r, &t.cipher, &t.cipher_len);
	} else {
		rc = walk_chain(&t, t.hdr.next_payload, &r, 0, flags, err);
		if (rc)
			goto out;
	}
	*m = t;
out:
	return rc;
}

int isakmp_msg_decode_plain(struct isakmp_msg *m, const uint8_t *plain, size_t len, unsigned flags,
			    struct isakmp_err *err)
{
	struct isakmp_msg t;
	struct buf_reader r;
	int rc;

	if (!m->encrypted)
		return isakmp_fail(err, ERR_BADSTATE, 0, ISAKMP_PT_NONE, 0,
				   "plaintext body given for an unencrypted message");
	t = *m;
	digest_reset(&t);
	buf_reader_init(&r, plain, len);
	r.base = ISAKMP_HDR_LEN;
	rc = walk_chain(&t, t.hdr.next_payload, &r, ISAKMP_MAX_PADDING, flags, err);
	if (rc)
		goto out;
	*m = t;
out:
	return rc;
}

const struct isakmp_pld *isakmp_msg_first(const struct isakmp_msg *m, uint8_t type)
{
	uint8_t i = m->first[type];
	return i == ISAKMP_PLD_NONE ? NULL : &m->pld[i];
}

const struct isakmp_pld *isakmp_msg_next(const struct isakmp_msg *m, const struct isakmp_pld *prev)
{
	if (!prev || prev < m->pld || prev >= m->pld + m->n)
		return NULL;
	for (const struct isakmp_pld *p = prev + 1; p < m->pld + m->n; p++)
		if (p->type == prev->type)
			return p;
	return NULL;
}

unsigned isakmp_msg_count(const struct isakmp_msg *m, uint8_t type)
{
	return m->count[type];
}
