#include "lib/buf.h"

#include <string.h>

#include "lib/err.h"

void buf_reader_init(struct buf_reader *r, const void *p, size_t len)
{
	r->p = p;
	r->len = p ? len : 0;
	r->off = 0;
	r->base = 0;
}

size_t buf_remaining(const struct buf_reader *r)
{
	return r->len - r->off;
}

bool buf_empty(const struct buf_reader *r)
{
	return r->off == r->len;
}

size_t buf_offset(const struct buf_reader *r)
{
	return r->off;
}

size_t buf_abs_offset(const struct buf_reader *r)
{
	return r->base + r->off;
}

uint16_t buf_load_be16(const uint8_t *p)
{
	return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

uint32_t buf_load_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

uint64_t buf_load_be64(const uint8_t *p)
{
	return (uint64_t)buf_load_be32(p) << 32 | buf_load_be32(p + 4);
}

void buf_store_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

void buf_store_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

void buf_store_be64(uint8_t *p, uint64_t v)
{
	buf_store_be32(p, (uint32_t)(v >> 32));
	buf_store_be32(p + 4, (uint32_t)v);
}

int buf_peek_u8(const struct buf_reader *r, uint8_t *v)
{
	if (buf_remaining(r) < 1)
		return ERR_TRUNC;
	*v = r->p[r->off];
	return 0;
}

int buf_peek_u16(const struct buf_reader *r, uint16_t *v)
{
	if (buf_remaining(r) < 2)
		return ERR_TRUNC;
	*v = buf_load_be16(r->p + r->off);
	return 0;
}

int buf_peek_u32(const struct buf_reader *r, uint32_t *v)
{
	if (buf_remaining(r) < 4)
		return ERR_TRUNC;
	*v = buf_load_be32(r->p + r->off);
	return 0;
}

int buf_get_u8(struct buf_reader *r, uint8_t *v)
{
	if (buf_peek_u8(r, v))
		return ERR_TRUNC;
	r->off += 1;
	return 0;
}

int buf_get_u16(struct buf_reader *r, uint16_t *v)
{
	if (buf_peek_u16(r, v))
		return ERR_TRUNC;
	r->off += 2;
	return 0;
}

int buf_get_u24(struct buf_reader *r, uint32_t *v)
{
	if (buf_remaining(r) < 3)
		return ERR_TRUNC;
	const uint8_t *p = r->p + r->off;
	*v = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
	r->off += 3;
	return 0;
}

int buf_get_u32(struct buf_reader *r, uint32_t *v)
{
	if (buf_peek_u32(r, v))
		return ERR_TRUNC;
	r->off += 4;
	return 0;
}

int buf_get_u64(struct buf_reader *r, uint64_t *v)
{
	if (buf_remaining(r) < 8)
		return ERR_TRUNC;
	*v = buf_load_be64(r->p + r->off);
	r->off += 8;
	return 0;
}

int buf_get_bytes(struct buf_reader *r, void *dst, size_t n)
{
	if (buf_remaining(r) < n)
		return ERR_TRUNC;
	if (n)
		memcpy(dst, r->p + r->off, n);
	r->off += n;
	return 0;
}

int buf_get_ref(struct buf_reader *r, size_t n, const uint8_t **p)
{
	if (buf_remaining(r) < n)
		return ERR_TRUNC;
	*p = r->p + r->off;
	r->off += n;
	return 0;
}

void buf_get_rest(struct buf_reader *r, const uint8_t **p, size_t *n)
{
	*p = r->p + r->off;
	*n = buf_remaining(r);
	r->off = r->len;
}

int buf_skip(struct buf_reader *r, size_t n)
{
	if (buf_remaining(r) < n)
		return ERR_TRUNC;
	r->off += n;
	return 0;
}

int buf_sub(struct buf_reader *r, size_t n, struct buf_reader *sub)
{
	if (buf_remaining(r) < n)
		return ERR_TRUNC;
	sub->p = r->p + r->off;
	sub->len = n;
	sub->off = 0;
	sub->base = r->base + r->off;
	r->off += n;
	return 0;
}

int buf_slice(const struct buf_reader *r, size_t from, size_t to, struct buf_reader *sub)
{
	if (from > to || to > r->len)
		return ERR_TRUNC;
	sub->p = r->p + from;
	sub->len = to - from;
	sub->off = 0;
	sub->base = r->base + from;
	return 0;
}

void buf_writer_init(struct buf_writer *w, void *p, size_t cap)
{
	w->p = p;
	w->cap = p ? cap : 0;
	w->len = 0;
	w->err = 0;
}

size_t buf_writer_len(const struct buf_writer *w)
{
	return w->len;
}

size_t buf_writer_avail(const struct buf_writer *w)
{
	return w->cap - w->len;
}

int buf_writer_failed(const struct buf_writer *w)
{
	return w->err;
}

/* Claim n bytes at the end, or record the failure. */
static uint8_t *claim(struct buf_writer *w, size_t n)
{
	if (w->err || buf_writer_avail(w) < n) {
		if (!w->err)
			w->err = ERR_NOSPACE;
		return NULL;
	}
	uint8_t *p = w->p + w->len;
	w->len += n;
	return p;
}

int buf_put_u8(struct buf_writer *w, uint8_t v)
{
	uint8_t *p = claim(w, 1);
	if (!p)
		return w->err;
	p[0] = v;
	return 0;
}

int buf_put_u16(struct buf_writer *w, uint16_t v)
{
	uint8_t *p = claim(w, 2);
	if (!p)
		return w->err;
	buf_store_be16(p, v);
	return 0;
}

int buf_put_u24(struct buf_writer *w, uint32_t v)
{
	uint8_t *p = claim(w, 3);
	if (!p)
		return w->err;
	p[0] = (uint8_t)(v >> 16);
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)v;
	return 0;
}

int buf_put_u32(struct buf_writer *w, uint32_t v)
{
	uint8_t *p = claim(w, 4);
	if (!p)
		return w->err;
	buf_store_be32(p, v);
	return 0;
}

int buf_put_u64(struct buf_writer *w, uint64_t v)
{
	uint8_t *p = claim(w, 8);
	if (!p)
		return w->err;
	buf_store_be64(p, v);
	return 0;
}

int buf_put_bytes(struct buf_writer *w, const void *src, size_t n)
{
	uint8_t *p = claim(w, n);
	if (!p)
		return w->err;
	if (n)
		memcpy(p, src, n);
	return 0;
}

int buf_put_zeros(struct buf_writer *w, size_t n)
{
	uint8_t *p = claim(w, n);
	if (!p)
		return w->err;
	if (n)
		memset(p, 0, n);
	return 0;
}

int buf_reserve(struct buf_writer *w, size_t n, size_t *pos, uint8_t **out)
{
	size_t at = w->len;
	uint8_t *p = claim(w, n);
	if (!p)
		return w->err;
	if (n)
		memset(p, 0, n);
	if (pos)
		*pos = at;
	if (out)
		*out = p;
	return 0;
}

uint8_t *buf_writer_at(struct buf_writer *w, size_t pos, size_t n)
{
	if (pos > w->len || n > w->len - pos)
		return NULL;
	return w->p + pos;
}

int buf_patch_u8(struct buf_writer *w, size_t pos, uint8_t v)
{
	uint8_t *p = buf_writer_at(w, pos, 1);
	if (!p)
		return ERR_INVAL;
	p[0] = v;
	return 0;
}

int buf_patch_u16(struct buf_writer *w, size_t pos, uint16_t v)
{
	uint8_t *p = buf_writer_at(w, pos, 2);
	if (!p)
		return ERR_INVAL;
	buf_store_be16(p, v);
	return 0;
}

int buf_patch_u32(struct buf_writer *w, size_t pos, uint32_t v)
{
	uint8_t *p = buf_writer_at(w, pos, 4);
	if (!p)
		return ERR_INVAL;
	buf_store_be32(p, v);
	return 0;
}
