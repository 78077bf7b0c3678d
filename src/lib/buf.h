/* Bounded reader and writer: the only way Rampart touches untrusted bytes.
 *
 * Reader contract: every getter either succeeds and advances, or fails with ERR_TRUNC and leaves
 * the reader exactly as it was. Nested structures are read through sub-readers bounded by their
 * declared length (buf_sub), so a payload can never read into its neighbour. The reader does not
 * own the bytes it points at; they must outlive it.
 *
 * Each reader remembers the absolute offset of its first byte in the outermost message (base),
 * so errors can name the offset of the field that failed (buf_abs_offset).
 *
 * Writer contract: every putter either writes all its bytes or fails with ERR_NOSPACE and writes
 * nothing. The first failure is also remembered (buf_writer_failed) so a sequence of puts can be
 * checked once at the end. The writer does not own its buffer.
 */
#ifndef RAMPART_LIB_BUF_H
#define RAMPART_LIB_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf_reader {
	const uint8_t *p;
	size_t len;
	size_t off;
	size_t base; /* absolute offset of p[0] within the outermost message */
};

void buf_reader_init(struct buf_reader *r, const void *p, size_t len);
size_t buf_remaining(const struct buf_reader *r);
bool buf_empty(const struct buf_reader *r);
/* Offset of the next unread byte, relative to this reader and to the outermost message. */
size_t buf_offset(const struct buf_reader *r);
size_t buf_abs_offset(const struct buf_reader *r);

/* Network byte order getters. */
int buf_get_u8(struct buf_reader *r, uint8_t *v);
int buf_get_u16(struct buf_reader *r, uint16_t *v);
int buf_get_u24(struct buf_reader *r, uint32_t *v);
int buf_get_u32(struct buf_reader *r, uint32_t *v);
int buf_get_u64(struct buf_reader *r, uint64_t *v);
/* Peek without advancing. */
int buf_peek_u8(const struct buf_reader *r, uint8_t *v);
int buf_peek_u16(const struct buf_reader *r, uint16_t *v);
int buf_peek_u32(const struct buf_reader *r, uint32_t *v);
/* Copy n bytes out. */
int buf_get_bytes(struct buf_reader *r, void *dst, size_t n);
/* Borrow a pointer to the next n bytes (valid as long as the underlying bytes are). */
int buf_get_ref(struct buf_reader *r, size_t n, const uint8_t **p);
/* Borrow everything that remains (may be zero bytes; never fails). */
void buf_get_rest(struct buf_reader *r, const uint8_t **p, size_t *n);
int buf_skip(struct buf_reader *r, size_t n);
/* Carve the next n bytes into a sub-reader and advance past them. */
int buf_sub(struct buf_reader *r, size_t n, struct buf_reader *sub);
/* A sub-reader over bytes [from, to) already seen by r (e.g. to authenticate a whole header). */
int buf_slice(const struct buf_reader *r, size_t from, size_t to, struct buf_reader *sub);

struct buf_writer {
	uint8_t *p;
	size_t cap;
	size_t len;
	int err; /* first failure, sticky */
};

void buf_writer_init(struct buf_writer *w, void *p, size_t cap);
size_t buf_writer_len(const struct buf_writer *w);
size_t buf_writer_avail(const struct buf_writer *w);
int buf_writer_failed(const struct buf_writer *w);
int buf_put_u8(struct buf_writer *w, uint8_t v);
int buf_put_u16(struct buf_writer *w, uint16_t v);
int buf_put_u24(struct buf_writer *w, uint32_t v);
int buf_put_u32(struct buf_writer *w, uint32_t v);
int buf_put_u64(struct buf_writer *w, uint64_t v);
int buf_put_bytes(struct buf_writer *w, const void *src, size_t n);
int buf_put_zeros(struct buf_writer *w, size_t n);
/* Reserve n bytes to be filled later (length fields); *pos receives their offset. The bytes
 * are zeroed. Optionally *out receives a pointer to them (valid while the buffer is). */
int buf_reserve(struct buf_writer *w, size_t n, size_t *pos, uint8_t **out);
/* Overwrite a previously written field. Fails if [pos, pos+width) was not written yet. */
int buf_patch_u8(struct buf_writer *w, size_t pos, uint8_t v);
int buf_patch_u16(struct buf_writer *w, size_t pos, uint16_t v);
int buf_patch_u32(struct buf_writer *w, size_t pos, uint32_t v);
/* Pointer to written bytes [pos, pos+n), or NULL when out of range. */
uint8_t *buf_writer_at(struct buf_writer *w, size_t pos, size_t n);

/* Big-endian load/store on buffers whose bounds the caller has already established
 * (e.g. fixed-size headers inside a packet already length-checked by a reader). */
uint16_t buf_load_be16(const uint8_t *p);
uint32_t buf_load_be32(const uint8_t *p);
uint64_t buf_load_be64(const uint8_t *p);
void buf_store_be16(uint8_t *p, uint16_t v);
void buf_store_be32(uint8_t *p, uint32_t v);
void buf_store_be64(uint8_t *p, uint64_t v);

#endif
