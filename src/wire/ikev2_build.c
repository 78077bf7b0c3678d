/* IKEv2 message builder: RFC 7296 §3.1-§3.2 chaining, §3.14 SK layout, RFC 7383 §2.5 SKF. */
#include "wire/ikev2_build.h"

#include <stdint.h>

#include "lib/err.h"
#include "wire/ikev2_const.h"

#define NO_OPEN	    SIZE_MAX
#define HDR_NP_POS  16		   /* Next Payload in the IKE header */
#define HDR_LEN_POS 24		   /* Length in the IKE header */
#define NP_FIRST    (SIZE_MAX - 1) /* inner chains: the first type goes to b->first */

static int fail(struct ikev2_builder *b, int err)
{
	if (!b->err)
		b->err = err;
	return b->err;
}

void ikev2_build_init(struct ikev2_builder *b, void *buf, size_t cap)
{
	buf_writer_init(&b->w, buf, cap);
	b->state = IKEV2_BUILD_EMPTY;
	b->np_pos = HDR_NP_POS;
	b->open_pos = NO_OPEN;
	b->sk_pos = 0;
	b->iv_len = 0;
	b->first = IKEV2_PT_NONE;
	b->err = 0;
}

void ikev2_build_init_inner(struct ikev2_builder *b, void *buf, size_t cap)
{
	ikev2_build_init(b, buf, cap);
	b->state = IKEV2_BUILD_INNER;
	b->np_pos = NP_FIRST;
}

int ikev2_build_inner_finish(struct ikev2_builder *b, size_t *len, uint8_t *first)
{
	if (b->err)
		return b->err;
	if (b->state != IKEV2_BUILD_INNER || b->open_pos != NO_OPEN)
		return fail(b, ERR_BADSTATE);
	*len = buf_writer_len(&b->w);
	*first = b->first;
	return 0;
}

int ikev2_build_hdr(struct ikev2_builder *b, const struct ikev2_hdr *h)
{
	struct ikev2_hdr hdr = *h;

	if (b->err)
		return b->err;
	if (b->state != IKEV2_BUILD_EMPTY)
		return fail(b, ERR_BADSTATE);
	hdr.next_payload = IKEV2_PT_NONE;
	hdr.length = 0;
	if (ikev2_hdr_encode(&b->w, &hdr))
		return fail(b, buf_writer_failed(&b->w));
	b->np_pos = HDR_NP_POS;
	b->state = IKEV2_BUILD_PLAIN;
	return 0;
}

int ikev2_build_begin(struct ikev2_builder *b, uint8_t type, bool critical)
{
	size_t pos = buf_writer_len(&b->w);

	if (b->err)
		return b->err;
	if ((b->state != IKEV2_BUILD_PLAIN && b->state != IKEV2_BUILD_IN_SK &&
	     b->state != IKEV2_BUILD_INNER) ||
	    b->open_pos != NO_OPEN || type == IKEV2_PT_NONE)
		return fail(b, ERR_BADSTATE);
	buf_put_u8(&b->w, IKEV2_PT_NONE);
	buf_put_u8(&b->w, critical ? IKEV2_CRITICAL_BIT : 0);
	buf_put_u16(&b->w, 0);
	if (buf_writer_failed(&b->w))
		return fail(b, buf_writer_failed(&b->w));
	if (b->np_pos == NP_FIRST)
		b->first = type;
	else if (buf_patch_u8(&b->w, b->np_pos, type))
		return fail(b, ERR_BADSTATE);
	b->np_pos = pos;
	b->open_pos = pos;
	return 0;
}

struct buf_writer *ikev2_build_writer(struct ikev2_builder *b)
{
	return &b->w;
}

int ikev2_build_end(struct ikev2_builder *b)
{
	size_t len;

	if (b->err)
		return b->err;
	if (b->open_pos == NO_OPEN)
		return fail(b, ERR_BADSTATE);
	if (buf_writer_failed(&b->w))
		return fail(b, buf_writer_failed(&b->w));
	len = buf_writer_len(&b->w) - b->open_pos;
	if (len > UINT16_MAX)
		return fail(b, ERR_NOSPACE);
	(void)buf_patch_u16(&b->w, b->open_pos + 2, (uint16_t)len);
	b->open_pos = NO_OPEN;
	return 0;
}

/* Opens `type`, runs the body encoder's result through the sticky error, closes. */
static int finish_body(struct ikev2_builder *b, int body_err)
{
	if (body_err)
		return fail(b, body_err);
	return ikev2_build_end(b);
}

int ikev2_build_raw(struct ikev2_builder *b, uint8_t type, bool critical, const void *body,
		    size_t len)
{
	if (ikev2_build_begin(b, type, critical))
		return b->err;
	return finish_body(b, buf_put_bytes(&b->w, body, len));
}

int ikev2_build_sa(struct ikev2_builder *b, const struct ikev2_sa *sa)
{
	if (ikev2_build_begin(b, IKEV2_PT_SA, false))
		return b->err;
	return finish_body(b, ikev2_sa_encode(&b->w, sa));
}

int ikev2_build_ke(struct ikev2_builder *b, const struct ikev2_ke_payload *ke)
{
	if (ikev2_build_begin(b, IKEV2_PT_KE, false))
		return b->err;
	return finish_body(b, ikev2_ke_encode(&b->w, ke));
}

int ikev2_build_id(struct ikev2_builder *b, uint8_t type, const struct ikev2_id *id)
{
	if (type != IKEV2_PT_IDi && type != IKEV2_PT_IDr)
		return fail(b, ERR_INVAL);
	if (ikev2_build_begin(b, type, false))
		return b->err;
	return finish_body(b, ikev2_id_encode(&b->w, id));
}

int ikev2_build_cert(struct ikev2_builder *b, uint8_t type, const struct ikev2_cert *c)
{
	if (type != IKEV2_PT_CERT && type != IKEV2_PT_CERTREQ)
		return fail(b, ERR_INVAL);
	if (ikev2_build_begin(b, type, false))
		return b->err;
	return finish_body(b, ikev2_cert_encode(&b->w, c));
}

int ikev2_build_auth(struct ikev2_builder *b, const struct ikev2_auth *a)
{
	if (ikev2_build_begin(b, IKEV2_PT_AUTH, false))
		return b->err;
	return finish_body(b, ikev2_auth_encode(&b->w, a));
}

int ikev2_build_nonce(struct ikev2_builder *b, const struct ikev2_blob *n)
{
	if (ikev2_build_begin(b, IKEV2_PT_Nx, false))
		return b->err;
	return finish_body(b, ikev2_nonce_encode(&b->w, n));
}

int ikev2_build_notify(struct ikev2_builder *b, const struct ikev2_notify *n)
{
	if (ikev2_build_begin(b, IKEV2_PT_N, false))
		return b->err;
	return finish_body(b, ikev2_notify_encode(&b->w, n));
}

int ikev2_build_delete(struct ikev2_builder *b, const struct ikev2_delete *d)
{
	if (ikev2_build_begin(b, IKEV2_PT_D, false))
		return b->err;
	return finish_body(b, ikev2_delete_encode(&b->w, d));
}

int ikev2_build_vendor(struct ikev2_builder *b, const struct ikev2_blob *v)
{
	if (ikev2_build_begin(b, IKEV2_PT_V, false))
		return b->err;
	return finish_body(b, ikev2_vendor_encode(&b->w, v));
}

int ikev2_build_ts(struct ikev2_builder *b, uint8_t type, const struct ikev2_ts_payload *ts)
{
	if (type != IKEV2_PT_TSi && type != IKEV2_PT_TSr)
		return fail(b, ERR_INVAL);
	if (ikev2_build_begin(b, type, false))
		return b->err;
	return finish_body(b, ikev2_ts_encode(&b->w, ts));
}

int ikev2_build_cp(struct ikev2_builder *b, uint8_t cfg_type, const struct ikev2_cp_attr *attrs,
		   size_t nattrs)
{
	if (ikev2_build_begin(b, IKEV2_PT_CP, false))
		return b->err;
	return finish_body(b, ikev2_cp_encode(&b->w, cfg_type, attrs, nattrs));
}

int ikev2_build_eap(struct ikev2_builder *b, const struct ikev2_eap *e)
{
	if (ikev2_build_begin(b, IKEV2_PT_EAP, false))
		return b->err;
	return finish_body(b, ikev2_eap_encode(&b->w, e));
}

int ikev2_build_sk_begin(struct ikev2_builder *b, size_t iv_len)
{
	if (b->err)
		return b->err;
	if (b->state != IKEV2_BUILD_PLAIN)
		return fail(b, ERR_BADSTATE);
	if (ikev2_build_begin(b, IKEV2_PT_SK, false))
		return b->err;
	b->sk_pos = b->open_pos;
	b->open_pos = NO_OPEN; /* SK stays open as a container; inner payloads chain from it */
	if (buf_reserve(&b->w, iv_len, NULL, NULL))
		return fail(b, buf_writer_failed(&b->w));
	b->iv_len = iv_len;
	b->state = IKEV2_BUILD_IN_SK;
	return 0;
}

/* Pads the plaintext that started at plain_off, reserves the ICV, patches the payload length
 * of the SK/SKF header at sk_pos and fills *lay. */
static int close_encrypted(struct ikev2_builder *b, size_t iv_off, size_t plain_off,
			   size_t block_len, size_t icv_len, struct ikev2_sk_layout *lay)
{
	size_t inner = buf_writer_len(&b->w) - plain_off;
	size_t pad = 0, len;

	if (block_len > 1)
		pad = (block_len - (inner + 1) % block_len) % block_len;
	if (pad > UINT8_MAX)
		return fail(b, ERR_INVAL);
	buf_put_zeros(&b->w, pad);
	buf_put_u8(&b->w, (uint8_t)pad);
	buf_reserve(&b->w, icv_len, NULL, NULL);
	if (buf_writer_failed(&b->w))
		return fail(b, buf_writer_failed(&b->w));
	len = buf_writer_len(&b->w) - b->sk_pos;
	if (len > UINT16_MAX)
		return fail(b, ERR_NOSPACE);
	(void)buf_patch_u16(&b->w, b->sk_pos + 2, (uint16_t)len);
	lay->aad_len = iv_off;
	lay->iv_off = iv_off;
	lay->iv_len = b->iv_len;
	lay->plain_off = plain_off;
	lay->plain_len = inner + pad + 1;
	lay->icv_off = plain_off + lay->plain_len;
	lay->icv_len = icv_len;
	b->state = IKEV2_BUILD_CLOSED;
	return 0;
}

int ikev2_build_sk_end(struct ikev2_builder *b, size_t block_len, size_t icv_len,
		       struct ikev2_sk_layout *lay)
{
	size_t iv_off = b->sk_pos + IKEV2_GENERIC_HDR_LEN;

	if (b->err)
		return b->err;
	if (b->state != IKEV2_BUILD_IN_SK || b->open_pos != NO_OPEN)
		return fail(b, ERR_BADSTATE);
	return close_encrypted(b, iv_off, iv_off + b->iv_len, block_len, icv_len, lay);
}

int ikev2_build_skf(struct ikev2_builder *b, uint16_t frag_num, uint16_t frag_total,
		    uint8_t first_inner, size_t iv_len, const uint8_t *plain, size_t plain_len,
		    size_t block_len, size_t icv_len, struct ikev2_sk_layout *lay)
{
	size_t iv_off, plain_off;

	if (b->err)
		return b->err;
	if (b->state != IKEV2_BUILD_PLAIN || b->np_pos != HDR_NP_POS)
		return fail(b, ERR_BADSTATE); /* RFC 7383 §2.5: SKF is the only payload */
	if (frag_num < 1 || frag_num > frag_total || (frag_num > 1 && first_inner))
		return fail(b, ERR_INVAL);
	if (ikev2_build_begin(b, IKEV2_PT_SKF, false))
		return b->err;
	b->sk_pos = b->open_pos;
	b->open_pos = NO_OPEN;
	(void)buf_patch_u8(&b->w, b->sk_pos, first_inner);
	buf_put_u16(&b->w, frag_num);
	buf_put_u16(&b->w, frag_total);
	iv_off = buf_writer_len(&b->w);
	buf_reserve(&b->w, iv_len, NULL, NULL);
	plain_off = buf_writer_len(&b->w);
	buf_put_bytes(&b->w, plain, plain_len);
	if (buf_writer_failed(&b->w))
		return fail(b, buf_writer_failed(&b->w));
	b->iv_len = iv_len;
	return close_encrypted(b, iv_off, plain_off, block_len, icv_len, lay);
}

int ikev2_build_finish(struct ikev2_builder *b, size_t *len)
{
	size_t n = buf_writer_len(&b->w);

	if (b->err)
		return b->err;
	if ((b->state != IKEV2_BUILD_PLAIN && b->state != IKEV2_BUILD_CLOSED) ||
	    b->open_pos != NO_OPEN)
		return fail(b, ERR_BADSTATE);
	if (n > UINT32_MAX)
		return fail(b, ERR_NOSPACE);
	(void)buf_patch_u32(&b->w, HDR_LEN_POS, (uint32_t)n);
	b->state = IKEV2_BUILD_DONE;
	*len = n;
	return 0;
}
