#include "wire/isakmp_build.h"

#include "lib/err.h"
#include "wire/isakmp_const.h"

#define NP_HDR_POS  16 /* Next Payload octet in the ISAKMP header */
#define LEN_HDR_POS 24 /* Length in the ISAKMP header */

int isakmp_build_init(struct isakmp_builder *b, void *buf, size_t cap, const struct isakmp_hdr *h)
{
	struct isakmp_hdr t = *h;

	buf_writer_init(&b->w, buf, cap);
	b->np_pos = NP_HDR_POS;
	b->open = SIZE_MAX;
	b->padding = 0;
	b->padded = false;
	t.next_payload = ISAKMP_PT_NONE;
	t.length = 0;
	b->err = isakmp_hdr_encode(&b->w, &t);
	return b->err;
}

int isakmp_build_begin(struct isakmp_builder *b, uint8_t type)
{
	size_t pos = buf_writer_len(&b->w);

	if (b->err)
		return b->err;
	if (b->open != SIZE_MAX || b->padded || type == ISAKMP_PT_NONE)
		return b->err = ERR_BADSTATE;
	buf_put_u8(&b->w, ISAKMP_PT_NONE);
	buf_put_u8(&b->w, 0);
	buf_put_u16(&b->w, 0);
	b->err = buf_writer_failed(&b->w);
	if (!b->err)
		b->err = buf_patch_u8(&b->w, b->np_pos, type);
	if (b->err)
		return b->err;
	b->np_pos = pos;
	b->open = pos;
	return 0;
}

struct buf_writer *isakmp_build_writer(struct isakmp_builder *b)
{
	return &b->w;
}

int isakmp_build_end(struct isakmp_builder *b)
{
	size_t len;

	if (b->err)
		return b->err;
	if (b->open == SIZE_MAX)
		return b->err = ERR_BADSTATE;
	b->err = buf_writer_failed(&b->w);
	if (b->err)
		return b->err;
	len = buf_writer_len(&b->w) - b->open;
	if (len > UINT16_MAX)
		return b->err = ERR_INVAL;
	b->err = buf_patch_u16(&b->w, b->open + 2, (uint16_t)len);
	b->open = SIZE_MAX;
	return b->err;
}

int isakmp_build_payload(struct isakmp_builder *b, const struct isakmp_payload *p)
{
	int rc = isakmp_build_begin(b, p->type);

	if (rc)
		return rc;
	rc = isakmp_payload_encode(&b->w, p);
	if (rc)
		return b->err = rc;
	return isakmp_build_end(b);
}

int isakmp_build_raw(struct isakmp_builder *b, uint8_t type, const void *body, size_t len)
{
	int rc = isakmp_build_begin(b, type);

	if (rc)
		return rc;
	rc = buf_put_bytes(&b->w, body, len);
	if (rc)
		return b->err = rc;
	return isakmp_build_end(b);
}

int isakmp_build_placeholder(struct isakmp_builder *b, uint8_t type, size_t len, size_t *pos)
{
	size_t at;
	int rc = isakmp_build_begin(b, type);

	if (rc)
		return rc;
	at = buf_writer_len(&b->w);
	rc = buf_put_zeros(&b->w, len);
	if (rc)
		return b->err = rc;
	rc = isakmp_build_end(b);
	if (!rc)
		*pos = at;
	return rc;
}

int isakmp_build_pad(struct isakmp_builder *b, size_t block)
{
	size_t body, n;

	if (b->err)
		return b->err;
	if (b->open != SIZE_MAX || b->padded || block == 0 || block > 255)
		return b->err = ERR_BADSTATE;
	body = buf_writer_len(&b->w) - ISAKMP_HDR_LEN;
	n = (block - body % block) % block;
	b->err = buf_put_zeros(&b->w, n);
	if (!b->err) {
		b->padding = n;
		b->padded = true;
	}
	return b->err;
}

int isakmp_build_finish(struct isakmp_builder *b, size_t *len)
{
	size_t n;

	if (b->err)
		return b->err;
	if (b->open != SIZE_MAX)
		return b->err = ERR_BADSTATE;
	n = buf_writer_len(&b->w);
	if (n > ISAKMP_MAX_MSG_LEN)
		return b->err = ERR_LIMIT;
	b->err = buf_patch_u32(&b->w, LEN_HDR_POS, (uint32_t)n);
	if (!b->err)
		*len = n;
	return b->err;
}

uint8_t *isakmp_build_at(struct isakmp_builder *b, size_t pos, size_t n)
{
	return buf_writer_at(&b->w, pos, n);
}
